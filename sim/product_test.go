package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
)

// cols32 against the product of the rounded couplings summed in float64 in plain order:
// every kernel is within the standard bound of a float64 sum of n products,
// n·ε₆₄·Σ_j |a_ij x_j| (Higham, Accuracy and Stability, §3.1), and the AVX2 kernel gives the
// same bits as the pure-Go one (the same fused multiply-adds in the same order), for a
// shape whose rows and columns are not multiples of 4, with a third of the entries of x
// exactly zero (left out, as for inactive ReLU units).
func TestCols32(t *testing.T) {
	rng := newRNG(11)
	const m, n, lda = 13, 203, 210 // Jᵀ is n×lda: rows j, columns i < m used
	at := make([]float32, n*lda)
	for k := range at {
		at[k] = float32(rng.NormFloat64())
	}
	x := make([]float64, n)
	var idx []int32
	var val []float64
	for j := range x {
		if j%3 != 0 {
			x[j] = rng.NormFloat64()
			idx, val = append(idx, int32(j)), append(val, x[j])
		}
	}
	ref := make([]float64, m)
	cols32Go(ref, at, lda, idx, val)
	for i := range ref {
		var sum, abs float64
		for j := 0; j < n; j++ {
			sum += float64(at[j*lda+i]) * x[j]
			abs += math.Abs(float64(at[j*lda+i]) * x[j])
		}
		if tol := float64(n) * 0x1p-52 * abs; math.Abs(ref[i]-sum) > tol {
			t.Errorf("go: row %d: got %.17g, want %.17g ± %.3g", i, ref[i], sum, tol)
		}
	}
	got := make([]float64, m)
	cols32Kernel(got, at, lda, idx, val)
	if !slices.Equal(got, ref) {
		t.Errorf("%s kernel: got %v, want the bits of the go kernel %v", Cols32Path, got, ref)
	}
	// Any block of rows gives the bits of the whole (what Threads relies on).
	for _, b := range [][2]int{{0, 5}, {5, 13}, {3, 4}} {
		part := make([]float64, b[1]-b[0])
		cols32Kernel(part, at[b[0]:], lda, idx, val)
		if !slices.Equal(part, ref[b[0]:b[1]]) {
			t.Errorf("%s kernel: rows %d…%d alone: got %v, want %v", Cols32Path, b[0], b[1]-1, part, ref[b[0]:b[1]])
		}
	}
}

// chaoticNet is a dense random network with g = 2 around a mean coupling, N = 203 (not a
// multiple of 4), driven by a constant input: chaotic, so any change of rounding shows.
func chaoticNet(t testing.TB, n int) Network {
	J := meanCoupling(t, n, 1, 1, true)
	rng := newRNG(13)
	for k, v := range J.RawMatrix().Data {
		J.RawMatrix().Data[k] = v + 2*rng.NormFloat64()/math.Sqrt(float64(n))
	}
	return Network{J: J, Phi: mustPhi(t, "relu"), B: 1}
}

// Every thread count gives the same bits, on the float64, float32 and Coupling32 paths,
// with one and with two realizations.
func TestThreadsBitIdentical(t *testing.T) {
	nw := chaoticNet(t, 203)
	for _, c := range []struct {
		f32, c32 bool
		r        int
	}{{false, false, 1}, {true, false, 1}, {false, true, 1}, {false, true, 2}} {
		var ref *Recording
		for _, th := range []int{1, 2, 3, 4} {
			s := Settings{DT: 0.05, Sigma: 0.3, Steps: 400, Realizations: c.r, Float32: c.f32, Coupling32: c.c32, Threads: th,
				Project: [][]float64{mat.Col(nil, 0, nw.J)}}
			rc, _ := record(t, nw, constInput(1), s, newRNG(14))
			if ref == nil {
				ref = rc
				continue
			}
			for r := 0; r < c.r; r++ {
				if !slices.Equal(rc.Mean[r], ref.Mean[r]) || !slices.Equal(rc.Proj[r][0], ref.Proj[r][0]) {
					t.Errorf("float32=%v coupling32=%v R=%d: threads %d: records differ from threads 1; want the same bits", c.f32, c.c32, c.r, th)
				}
			}
		}
	}
}

// Coupling32 against float64 on a network that is not chaotic (g = 0.5 around the mean
// coupling, σ = 0.1 noise from the same generator): the two paths integrate couplings that
// differ by at most 2⁻²⁴ relatively, and the contracting dynamics keeps the records within
// 1e-6 of each other (the rounding of J times |φ| ~ 1, amplified by at most 1/(1 − g)).
// Same seed, same path: the same bits twice.
func TestCoupling32Agrees(t *testing.T) {
	n := 203
	J := meanCoupling(t, n, 1, 1, true)
	rng := newRNG(15)
	for k, v := range J.RawMatrix().Data {
		J.RawMatrix().Data[k] = v + 0.5*rng.NormFloat64()/math.Sqrt(float64(n))
	}
	nw := Network{J: J, Phi: mustPhi(t, "relu"), B: 1}
	run := func(c32 bool) *Recording {
		s := Settings{DT: 0.05, Sigma: 0.1, Steps: 2000, Coupling32: c32}
		rc, _ := record(t, nw, constInput(1), s, newRNG(16))
		return rc
	}
	ref, got, again := run(false), run(true), run(true)
	var worst float64
	for k := range ref.Rate[0] {
		worst = max(worst, math.Abs(got.Rate[0][k]-ref.Rate[0][k]), math.Abs(got.Mean[0][k]-ref.Mean[0][k]))
	}
	if !(worst < 1e-6) {
		t.Errorf("coupling32 against float64: largest difference of ν, m = %.3g, want < 1e-6", worst)
	}
	if worst == 0 {
		t.Errorf("coupling32 against float64: identical records; want the float32 rounding of J to show")
	}
	if !slices.Equal(got.Rate[0], again.Rate[0]) {
		t.Errorf("coupling32: two runs with the same seed differ; want the same bits")
	}
	t.Logf("coupling32 (%s) against float64: max |Δν|, |Δm| = %.3g", Cols32Path, worst)
}

// BenchmarkStepN3000 is the step of the docs/science.md §6.5 run: N = 3000, ReLU,
// J = 2·Z/√N + L·S·Rᵀ (rank one, θ = 30°, strong scaling), the drive √N·I₀ along span(L),
// no noise, 22 projections recorded every 10 steps, after 500 steps from a random state (so
// that the active fraction, about a third, is that of the run), on the float64 path,
// Coupling32 and two threads: seconds (wall and CPU of the process) per 1000 steps. Compare
// with -count 5 and the median.
func BenchmarkStepN3000(b *testing.B) {
	const n = 3000
	ms := model.DefaultSettings()
	ms.N, ms.G, ms.Init, ms.ZeroDiagonal, ms.LowRank = n, 2, model.InitLowRank, false, model.DefaultLowRankSettings()
	rng := newRNG(17)
	p, err := model.NewParams(ms, 1, 1, rng)
	if err != nil {
		b.Fatal(err)
	}
	st, err := model.NewLowRank(ms)
	if err != nil {
		b.Fatal(err)
	}
	var proj [][]float64
	for range 22 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64() / math.Sqrt(n)
		}
		proj = append(proj, v)
	}
	nw := Network{J: p.J, Phi: mustPhi(b, "relu"), Offset: st.External(1)}
	in := Func{S: 1, F: func(int, []float64) {}}
	h0 := make([]float64, n)
	for i := range h0 {
		h0[i] = rng.NormFloat64()
	}
	warm, err := Run(context.Background(), nw, in, Settings{DT: 0.01, Steps: 500, H0: h0}, rng, discard{})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		c32     bool
		threads int
	}{{false, 1}, {true, 1}, {false, 2}, {true, 2}} {
		b.Run(fmt.Sprintf("coupling32=%v/threads=%d", c.c32, c.threads), func(b *testing.B) {
			const steps = 500
			s := Settings{DT: 0.01, Steps: steps, Stride: 10, Coupling32: c.c32, Threads: c.threads, Project: proj, H0: warm.Final}
			var act float64
			sink := &activeSink{sum: &act}
			b.ReportAllocs()
			cpu := cpuSeconds()
			for range b.N {
				if _, err := Run(context.Background(), nw, in, s, rand.New(rand.NewPCG(1, 2)), sink); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/steps*1000, "s/1000steps")
			b.ReportMetric((cpuSeconds()-cpu)/float64(b.N)/steps*1000, "cpu-s/1000steps")
			b.ReportMetric(act/float64(b.N*steps/10), "active")
		})
	}
}

// activeSink adds up the active fraction χ of the records.
type activeSink struct{ sum *float64 }

func (activeSink) Start(Layout) error      { return nil }
func (a activeSink) Record(f *Frame) error { *a.sum += f.Active[0]; return nil }
