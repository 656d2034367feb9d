package analysis

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/sim"
)

// fluctRun simulates J = g·Z/√N + Jˢ (Init lowrank, no zero diagonal, seed) with the
// structure's constant drive h_ext = κ·I₀·√N·u (I₀ = 1), no noise (the g = 2 chaos supplies
// the microscopic fluctuations, docs/science.md §6.5), Δt and duration T after burn-in, and
// analyses the projections.
func fluctRun(t testing.TB, n int, lr model.LowRankSettings, dt, burn, dur float64, seed uint64) *Fluctuations {
	t.Helper()
	return fluctRunWith(t, n, lr, dt, burn, dur, seed, sim.Settings{})
}

// fluctRunWith is fluctRun with the product options (Coupling32, Threads) of opt.
func fluctRunWith(t testing.TB, n int, lr model.LowRankSettings, dt, burn, dur float64, seed uint64, opt sim.Settings) *Fluctuations {
	t.Helper()
	f, _ := fluctSeries(t, n, lr, dt, burn, dur, seed, opt)
	return f
}

// fluctSeries is fluctRunWith that also returns the recorded projections.
func fluctSeries(t testing.TB, n int, lr model.LowRankSettings, dt, burn, dur float64, seed uint64, opt sim.Settings) (*Fluctuations, [][]float64) {
	t.Helper()
	s := model.DefaultSettings()
	s.N, s.G, s.Init, s.ZeroDiagonal, s.LowRank = n, 2, "lowrank", false, lr
	rng := rand.New(rand.NewPCG(seed, 1))
	p, err := model.NewParams(s, 1, 1, rng)
	if err != nil {
		t.Fatal(err)
	}
	st, err := model.NewLowRank(s)
	if err != nil {
		t.Fatal(err)
	}
	phi, _ := model.Lookup("relu")
	nw := sim.Network{J: p.J, Phi: phi, Offset: st.External(1)}
	in := sim.Func{S: 1, F: func(int, []float64) {}}
	h0 := make([]float64, n)
	for i := range h0 {
		h0[i] = rng.NormFloat64()
	}
	probes := FluctuationProbes(st.L, st.R, 16, rng)
	set := sim.Settings{DT: dt, BurnIn: int(burn / dt), Steps: int(dur / dt), Stride: int(0.1/dt + 0.5),
		H0: h0, Project: probes, Coupling32: opt.Coupling32, Threads: opt.Threads}
	rec, _, err := sim.Record(context.Background(), nw, in, set, rng)
	if err != nil {
		t.Fatal(err)
	}
	f, err := AnalyzeFluctuations(st.L, st.R, rec.Proj[0])
	if err != nil {
		t.Fatal(err)
	}
	return f, rec.Proj[0]
}

// TestFluctuationsAngle is the §6.5 check (docs/science.md): ReLU, g = 2, J₀ = I₀ = 1,
// rank one, θ = 30°, N = 2000, strong coupling: std(x)/std(y_w) = tan θ within 15% (the
// tolerance of §6.5, where the finite-N bias ~1/(√N cos θ χ) is ≈ 5% at N = 2000). The
// ratio to tan θ·√c_φ with c_φ = tr(C_φφ)/N is only logged: it came out 1.21 (seed 1), the
// P direction carries more variance than the average unit, so §6.4's isotropic c_φ is not
// the right normalization at this N.
func TestFluctuationsAngle(t *testing.T) {
	if testing.Short() {
		t.Skip("long simulation")
	}
	lr := model.DefaultLowRankSettings()
	f := fluctRun(t, 2000, lr, 0.02, 25, 100, 1)
	want := math.Tan(math.Pi / 6)
	if r := f.Amplitude[0] / f.PerpStd[0]; math.Abs(r/want-1) > 0.15 {
		t.Errorf("std(x)/std(y_w): got %.4f, want tan 30° = %.4f ± 15%%", r, want)
	}
	if math.Abs(f.Gamma[0]-math.Cos(math.Pi/6)) > 1e-12 {
		t.Errorf("γ: got %.15f, want cos 30°", f.Gamma[0])
	}
	t.Logf("N=2000 θ=30°: amplitude %.4f, std(y_w) %.4f, √c_φ %.4f, ratio %.4f (tan θ %.4f), amplitude/(tan θ√c_φ) %.4f, std(Rᵀφ) %.4f",
		f.Amplitude[0], f.PerpStd[0], math.Sqrt(f.CPhi), f.Amplitude[0]/f.PerpStd[0], want, f.Amplitude[0]/f.Predicted[0], f.RowStd[0])
}

// TestRowSpaceBalanceScaling: balance keeps the row-space projection small, Rᵀδφ =
// O(N^{-1/2}) (docs/science.md §6.4 item 2, §6.5: 0.58 → 0.30 at θ = 60° between N = 1000
// and 3000). With std(Rᵀφ) ∝ N^{-α}, α = ln(s₁₀₀₀/s₃₀₀₀)/ln 3 must lie in [0.25, 0.75]:
// around ½ and away from 0 (no suppression) and 1. s₁₀₀₀ is the mean over the seeds 1–4
// (one network and initial state each), s₃₀₀₀ is seed 1, each 100τ after 25τ of burn-in at
// Δt = 0.02 with float32 couplings. The tolerance is measured over seeds: std(Rᵀφ) at
// N = 1000 was 0.606, 0.616, 0.345, 0.287, 0.342, 0.576 (seeds 1–6: the network-to-network
// spread is large at this N, sd 0.15, so four are averaged), at N = 3000 0.236, 0.286,
// 0.262, 0.265, 0.221 (seeds 1–5, sd 0.025); the mean of seeds 1–4 at N = 1000 (0.464)
// against each N = 3000 seed gives α = 0.62, 0.44, 0.52, 0.51, 0.67 (this test: 0.615).
// The float64 path gave the same statistics to 5.4·10⁻⁴ relatively (N = 1000, seeds 1–6:
// std(Rᵀφ), amplitude, c_φ). Cost: 11 s at load 1.4 (89 s wall at load 23).
func TestRowSpaceBalanceScaling(t *testing.T) {
	if testing.Short() {
		t.Skip("long simulation (N = 3000)")
	}
	lr := model.DefaultLowRankSettings()
	lr.ThetaDeg = []float64{60}
	opt := sim.Settings{Coupling32: true}
	var s1000 float64
	for seed := uint64(1); seed <= 4; seed++ {
		s1000 += fluctRunWith(t, 1000, lr, 0.02, 25, 100, seed, opt).RowStd[0] / 4
	}
	s3000 := fluctRunWith(t, 3000, lr, 0.02, 25, 100, 1, opt).RowStd[0]
	alpha := math.Log(s1000/s3000) / math.Log(3)
	if !(alpha >= 0.25 && alpha <= 0.75) {
		t.Errorf("std(Rᵀδφ): %.4f at N = 1000 (mean of 4 seeds), %.4f at N = 3000: exponent α = %.3f, want ½ within [0.25, 0.75]", s1000, s3000, alpha)
	}
	t.Logf("θ = 60°: std(Rᵀδφ) %.4f (N = 1000, 4 seeds) → %.4f (N = 3000): α = %.3f", s1000, s3000, alpha)
}

// TestFluctuationsAligned: with θ = 0 (complete alignment) the column-space projection
// Lᵀδφ is suppressed to O(N^{-1/2}) (docs/science.md §6.4 item 3): in units of √c_φ it must
// stay below 0.25, a quarter of the θ = 45° amplitude 1 (measured 0.108 at N = 1000, seed 2;
// θ = 30° gives 0.58).
func TestFluctuationsAligned(t *testing.T) {
	if testing.Short() {
		t.Skip("long simulation")
	}
	lr := model.DefaultLowRankSettings()
	lr.ThetaDeg = []float64{0}
	f := fluctRun(t, 1000, lr, 0.02, 25, 50, 2)
	if r := f.Amplitude[0] / math.Sqrt(f.CPhi); !(r < 0.25) {
		t.Errorf("θ = 0: std(Lᵀδφ)/√c_φ = %.4f, want < 0.25 (suppressed)", r)
	}
	t.Logf("θ=0 N=1000: std(Lᵀφ)/√c_φ = %.4f, √c_φ = %.4f", f.Amplitude[0]/math.Sqrt(f.CPhi), math.Sqrt(f.CPhi))
}

// TestFluctuationsOutDegree: heterogeneous out-degree weights (J/N)·1·kᵀ with CV_k = 0.5
// have tan θ = CV_k (docs/science.md §6.7), and the mode amplitude over √c_φ is CV_k within
// the 15% of §6.5 (N = 2000, 100τ: measured 0.443, seed 3; a 50τ run gave 0.27, so the
// slow mode needs the full duration).
func TestFluctuationsOutDegree(t *testing.T) {
	if testing.Short() {
		t.Skip("long simulation")
	}
	lr := model.LowRankSettings{Structure: "outdegree", Scaling: "strong", Rank: 1, Strength: []float64{1}, CVk: 0.5}
	f := fluctRun(t, 2000, lr, 0.02, 25, 100, 3)
	if tan := math.Tan(f.Theta[0]); math.Abs(tan-0.5) > 1e-12 {
		t.Errorf("tan θ: got %.15f, want CV_k = 0.5", tan)
	}
	if r := f.Amplitude[0] / math.Sqrt(f.CPhi); math.Abs(r/0.5-1) > 0.15 {
		t.Errorf("amplitude/√c_φ: got %.4f, want CV_k = 0.5 ± 15%%", r)
	}
	t.Logf("out-degree CV 0.5 N=2000: std(x)/std(y_w) = %.4f, amplitude/√c_φ = %.4f", f.Amplitude[0]/f.PerpStd[0], f.Amplitude[0]/math.Sqrt(f.CPhi))
}

// TestFluctuationProbesSynthetic: on synthetic series with known variances the analysis
// returns them: x with std a, probes with variance c (so c_φ = c), γ from L, R.
func TestFluctuationProbesSynthetic(t *testing.T) {
	s := model.DefaultSettings()
	s.N, s.Init, s.ZeroDiagonal = 50, "lowrank", false
	st, err := model.NewLowRank(s)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	v := FluctuationProbes(st.L, st.R, 3, rng)
	if len(v) != 3+3 {
		t.Fatalf("got %d probe vectors, want 3D + 3 = 6", len(v))
	}
	var rtp mat.VecDense // P ⊥ L, unit
	rtp.MulVec(st.L.T(), mat.NewVecDense(50, v[2]))
	if math.Abs(mat.Norm(&rtp, 2)) > 1e-12 || math.Abs(mat.Norm(mat.NewVecDense(50, v[2]), 2)-1) > 1e-12 {
		t.Errorf("P: |LᵀP| = %g, |P| = %g; want 0, 1", mat.Norm(&rtp, 2), mat.Norm(mat.NewVecDense(50, v[2]), 2))
	}
	series := make([][]float64, 6)
	for p := range series {
		series[p] = []float64{-1, 1, -1, 1} // population variance 1, sample variance 4/3
	}
	for i := range series[0] {
		series[0][i] *= 0.5
		series[3][i] *= 3
	}
	f, err := AnalyzeFluctuations(st.L, st.R, series)
	if err != nil {
		t.Fatal(err)
	}
	// sample std (n−1): 0.5·√(4/3); c_φ = mean of the probes' sample variances (4/3)(9+1+1)/3.
	if want := 0.5 * math.Sqrt(4.0/3); math.Abs(f.Amplitude[0]-want) > 1e-12 {
		t.Errorf("amplitude: got %.15f, want %.15f", f.Amplitude[0], want)
	}
	if want := 4.0 / 3 * 11 / 3; math.Abs(f.CPhi-want) > 1e-12 {
		t.Errorf("c_φ: got %.15f, want %.15f", f.CPhi, want)
	}
	if want := math.Tan(math.Pi/6) * math.Sqrt(4.0/3*11/3); math.Abs(f.Predicted[0]-want) > 1e-12 {
		t.Errorf("prediction: got %.15f, want %.15f", f.Predicted[0], want)
	}
}

// BenchmarkFluctuationsN3000: one §6.5 run (N = 3000, Δt = 0.01, 50τ burn-in + 200τ, 22
// projections) on one core, on the float64 path and with float32 couplings (the default of
// balnet fluctuations): GOMAXPROCS=1 go test -run '^$' -bench FluctuationsN3000 -benchtime 1x
// ./analysis/. float64 took 187 s wall once at load 3–8 (25 000 matrix–vector products of
// 3000×3000, 72 MB each); coupling32 took 47 s of CPU (7.9 min wall at load 23).
func BenchmarkFluctuationsN3000(b *testing.B) {
	for _, c32 := range []bool{false, true} {
		b.Run(fmt.Sprintf("coupling32=%v", c32), func(b *testing.B) {
			for range b.N {
				fluctRunWith(b, 3000, model.DefaultLowRankSettings(), 0.01, 50, 200, 1, sim.Settings{Coupling32: c32})
			}
		})
	}
}
