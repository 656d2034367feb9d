package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
)

// infoInput is the reference network (docs/science.md §1.6: N = 100, Δt = 0.2, σ = 1,
// τ_S = 0.1, I₀ = 1, I₁ = 0.1) freshly initialized, with the readout weights set to one so
// that the readout W_out·φ/N is the population rate ν itself.
func infoInput(t testing.TB, win float64) Input {
	t.Helper()
	net := model.DefaultSettings()
	net.Win.Mean, net.Win.Std = win, 0
	p, err := model.NewParams(net, 1, 1, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	p.Wout = mat.NewDense(1, net.N, nil)
	for i := 0; i < net.N; i++ {
		p.Wout.Set(0, i, 1)
	}
	sp, err := model.NewSpec(net, model.DefaultSimSettings(), 1, 1, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	return Input{Epoch: 3, Seed: 7, Network: net, Spec: sp, Params: p, I0: 1, TauS: 0.1, I1: 0.1}
}

// With W_out = 1 the readout is ν, so the two rates agree exactly; without input weights
// the rates sit at the estimator's floor (K = 40 half-overlapping segments, Nyquist 2.5/τ:
// ≈ 2.5·(−log₂(1 − 1/38)) ≈ 0.1 bits/τ, scatter of the same order), while the driven network
// carries more; the measurement is a deterministic function of seed and epoch.
func TestInfoRate(t *testing.T) {
	in := infoInput(t, 1)
	ro, nu, err := InfoRate(in)
	if err != nil {
		t.Fatal(err)
	}
	if ro != nu || !(ro > 0) {
		t.Errorf("readout = ν: mi_rate %v and mi_rate_nu %v, want equal and positive", ro, nu)
	}
	again, _, _ := InfoRate(in)
	if again != ro {
		t.Errorf("same seed and epoch: %v then %v", ro, again)
	}
	in.Epoch = 4
	if other, _, _ := InfoRate(in); other == ro {
		t.Errorf("another epoch gave the same value %v", ro)
	}
	off, _, err := InfoRate(infoInput(t, 0))
	if err != nil {
		t.Fatal(err)
	}
	// Floor 0.1 bits/τ; its scatter over 129 bins is ≈ 0.1·√(2/129)·… < 0.05: bound 0.3.
	if off > 0.3 {
		t.Errorf("no input: mi_rate = %.3f bits/τ, want the floor ≈ 0.1 (< 0.3)", off)
	}
	if !(ro > 2*off) {
		t.Errorf("driven network: mi_rate = %.3f bits/τ, want well above the undriven %.3f", ro, off)
	}
}

// The columns exist only with info_every > 0, and hold values only at its multiples.
func TestInfoColumns(t *testing.T) {
	s := DefaultSettings()
	if h := Header(s, 1, 1); h[len(h)-1] == "mi_rate_nu" {
		t.Errorf("info_every = 0: header ends with mi_rate_nu")
	}
	s.InfoEvery = 2
	h := Header(s, 1, 1)
	if h[len(h)-2] != "mi_rate" || h[len(h)-1] != "mi_rate_nu" {
		t.Errorf("info_every = 2: header ends with %v", h[len(h)-2:])
	}
	if !infoDue(s, 4) || infoDue(s, 3) || infoDue(DefaultSettings(), 0) {
		t.Errorf("infoDue: wrong epochs")
	}
	r := &Record{Settings: s, WinMeans: []float64{1}, WoutMeans: []float64{1}, MIRate: math.NaN(), MIRateNu: 1.5}
	row := r.Row()
	if len(row) != len(h) || row[len(row)-2] != "" || row[len(row)-1] != "1.5" {
		t.Errorf("row tail %q, want [\"\", \"1.5\"] and %d fields", row[len(row)-2:], len(h))
	}
}

// BenchmarkInfoRate is the cost of one information-rate measurement of the reference
// network (N = 100, 10 340 Euler steps at Δt = 0.2). Against a training epoch of ≈ 3 ms
// (README, Performance), info_every = 1000 adds cost/(1000·3 ms) to the training.
func BenchmarkInfoRate(b *testing.B) {
	in := infoInput(b, 1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := InfoRate(in); err != nil {
			b.Fatal(err)
		}
	}
}
