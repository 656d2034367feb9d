package sim

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/tasks"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 7)) }

func mustPhi(t testing.TB, name string) model.Phi {
	t.Helper()
	phi, err := model.Lookup(model.Nonlinearity(name))
	if err != nil {
		t.Fatal(err)
	}
	return phi
}

// meanCoupling returns the g = 0 network of docs/science.md §1.2: J = −(bJ₀/N)·11ᵀ, with the
// diagonal zeroed when zeroDiag.
func meanCoupling(t testing.TB, n int, b, j0 float64, zeroDiag bool) *mat.Dense {
	t.Helper()
	s := model.DefaultSettings()
	s.N, s.B, s.J0, s.ZeroDiagonal = n, b, j0, zeroDiag
	m, err := model.MeanCoupling(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func constInput(v float64) Func {
	return Func{S: 1, F: func(_ int, dst []float64) { dst[0] = v }}
}

func record(t testing.TB, nw Network, in Input, s Settings, rng *rand.Rand) (*Recording, *Result) {
	t.Helper()
	rc, res, err := Record(context.Background(), nw, in, s, rng)
	if err != nil {
		t.Fatal(err)
	}
	return rc, res
}

// An idle one-unit network that only records the OU input.
func idle(t testing.TB) Network {
	return Network{J: mat.NewDense(1, 1, nil), Phi: mustPhi(t, "linear"), B: 0}
}

// The recorded OU input has the stationary variance I₁²/(2τ_S) and the lag-k
// autocorrelation e^{−kΔt/τ_S} of the exact discretization (docs/science.md §1.3, §7.1).
func TestOUStatistics(t *testing.T) {
	ou := tasks.OU{Channels: 2, DT: 0.05, TauS: 0.5, I0: 1, I1: 0.3}
	const R, steps = 4, 20000
	rc, _ := record(t, idle(t), NewOU(ou, R, newRNG(1)), Settings{DT: ou.DT, Steps: steps, Realizations: R}, newRNG(2))
	want := ou.I1 * ou.I1 / (2 * ou.TauS) // 0.09
	rho := math.Exp(-ou.DT / ou.TauS)
	n := float64(R * ou.Channels * steps)
	var sum, sq float64
	for r := range rc.Input {
		for _, x := range rc.Input[r] {
			for _, v := range x {
				sum += v - ou.I0
				sq += (v - ou.I0) * (v - ou.I0)
			}
		}
	}
	mean := sum / n
	v := sq/n - mean*mean
	// The sample variance of an AR(1) series with coefficient ρ has relative std
	// √(2(1+ρ²)/((1−ρ²)n)) (Bartlett); the series are independent. Allow 5 std.
	tol := 5 * math.Sqrt(2*(1+rho*rho)/((1-rho*rho)*n))
	if math.Abs(v/want-1) > tol {
		t.Errorf("stationary variance: got %.5f, want %.5f within %.1f%%", v, want, 100*tol)
	}
	for _, k := range []int{1, 5, 20} {
		var c float64
		for r := range rc.Input {
			for _, x := range rc.Input[r] {
				for i := k; i < len(x); i++ {
					c += (x[i] - ou.I0 - mean) * (x[i-k] - ou.I0 - mean)
				}
			}
		}
		got := c / (float64(R*ou.Channels*(steps-k)) * v)
		wantK := math.Pow(rho, float64(k))
		// Bartlett's variance of the lag-k sample autocorrelation of an AR(1) series.
		r2k := math.Pow(rho, float64(2*k))
		sd := math.Sqrt(((1+rho*rho)*(1-r2k)/(1-rho*rho) - 2*float64(k)*r2k) / n)
		if math.Abs(got-wantK) > 5*sd {
			t.Errorf("lag-%d autocorrelation: got %.5f, want e^{-kΔt/τ_S} = %.5f within %.5f", k, got, wantK, 5*sd)
		}
	}
}

// The first recorded input is already stationary: its variance over many realizations is
// I₁²/(2τ_S), not 0 as for the reference start (docs/science.md §1.3).
func TestOUStationaryStart(t *testing.T) {
	ou := tasks.OU{Channels: 1, DT: 0.01, TauS: 1, I0: 2, I1: 0.5}
	const R = 4000
	rc, _ := record(t, idle(t), NewOU(ou, R, newRNG(3)), Settings{DT: ou.DT, Steps: 1, Realizations: R}, newRNG(4))
	var sq float64
	for r := 0; r < R; r++ {
		d := rc.Input[r][0][0] - ou.I0
		sq += d * d
	}
	got, want := sq/R, ou.Var()
	// The variance of R iid normal samples around a known mean has relative std √(2/R).
	if tol := 5 * math.Sqrt(2.0/R); math.Abs(got/want-1) > tol {
		t.Errorf("variance of the first sample: got %.4f, want %.4f within %.0f%%", got, want, 100*tol)
	}
}

// An uncoupled unit (J = 0, I = 0) has the discrete stationary variance
// σ²Δt/(1−(1−Δt)²) = σ²/(2−Δt) (docs/science.md §1.1, §7.2); recorded through projections
// on unit vectors, which with linear φ are the states h_i themselves.
func TestUncoupledNoiseVariance(t *testing.T) {
	const n, R, steps, dt, sigma = 50, 2, 4000, 0.2, 1.0
	proj := make([][]float64, n)
	for i := range proj {
		proj[i] = make([]float64, n)
		proj[i][i] = 1
	}
	nw := Network{J: mat.NewDense(n, n, nil), Phi: mustPhi(t, "linear"), B: 1}
	rc, _ := record(t, nw, constInput(0), Settings{DT: dt, Sigma: sigma, BurnIn: 100, Steps: steps, Realizations: R, Project: proj}, newRNG(5))
	var sq float64
	for r := 0; r < R; r++ {
		for i := 0; i < n; i++ {
			for _, v := range rc.Proj[r][i] {
				sq += v * v
			}
		}
	}
	cnt := float64(R * n * steps)
	got, want := sq/cnt, sigma*sigma/(2-dt) // 0.5556
	rho := 1 - dt
	// Relative std of the second moment of AR(1) series, as in TestOUStatistics.
	if tol := 5 * math.Sqrt(2*(1+rho*rho)/((1-rho*rho)*cnt)); math.Abs(got/want-1) > tol {
		t.Errorf("stationary variance: got %.4f, want σ²/(2−Δt) = %.4f within %.1f%%", got, want, 100*tol)
	}
}

// The linear g = 0 network (docs/science.md §7.6): without noise under a constant input,
// the mean relaxes to the static ν = bI₀/(1+bJ₀) along the mean mode, whose Euler factor per
// step is 1 + Δt·λ with eigenvalue λ = −(1+bJ₀); with a zero diagonal λ = −(1+bJ₀(N−1)/N)
// and ν = bI₀/(1+bJ₀(N−1)/N).
func TestLinearMeanMode(t *testing.T) {
	const n, b, j0, i0, dt = 40, 10.0, 1.0, 1.0, 0.01
	for _, zero := range []bool{false, true} {
		eff := b * j0
		if zero {
			eff = b * j0 * (n - 1) / n
		}
		nw := Network{J: meanCoupling(t, n, b, j0, zero), Phi: mustPhi(t, "linear"), B: b}
		rc, _ := record(t, nw, constInput(i0), Settings{DT: dt, Steps: 2000}, newRNG(6))
		m, nu := rc.Mean[0], rc.Rate[0]
		static := b * i0 / (1 + eff)
		factor := 1 - dt*(1+eff)
		// From h_0 = 0: m_k = static·(1 − factor^k) exactly, to rounding (|m| ≤ 1, a few
		// hundred flops per step: 1e-12).
		for k := 0; k < 200; k++ {
			want := static * (1 - math.Pow(factor, float64(k+1)))
			if math.Abs(m[k]-want) > 1e-12 {
				t.Fatalf("zero diagonal %v: m at step %d: got %.15g, want %.15g", zero, k+1, m[k], want)
			}
		}
		if got := nu[len(nu)-1]; math.Abs(got-static) > 1e-12 {
			t.Errorf("zero diagonal %v: static ν: got %.15g, want bI₀/(1+bJ₀_eff) = %.15g", zero, got, static)
		}
	}
}

// Realization 0 of a batch (one GEMM per step) equals the same network run alone (a GEMV):
// the batch layout mixes nothing between realizations. Without noise, with a shared path.
func TestBatchEqualsSingle(t *testing.T) {
	const n = 30
	rng := newRNG(8)
	J := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for k := 0; k < n; k++ {
			J.Set(i, k, -2.0/n+rng.NormFloat64()*1.5/math.Sqrt(n))
		}
	}
	win := mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		win.Set(i, 0, 1+0.1*rng.NormFloat64())
		win.Set(i, 1, 0.5)
	}
	wout := mat.NewDense(1, n, nil)
	off := make([]float64, n)
	for i := 0; i < n; i++ {
		wout.Set(0, i, 1+0.2*rng.NormFloat64())
		off[i] = 0.1 * rng.NormFloat64()
	}
	path := Path{make([]float64, 600), make([]float64, 600)}
	for k := range path[0] {
		path[0][k] = 1 + math.Sin(float64(k)/20)
		path[1][k] = math.Cos(float64(k) / 7)
	}
	nw := Network{J: J, Win: win, Wout: wout, Phi: mustPhi(t, "relu"), B: 2, Offset: off}
	h0 := make([]float64, 3*n)
	for k := range h0 {
		h0[k] = rng.NormFloat64()
	}
	proj := [][]float64{win.RawMatrix().Data[:n]}
	batch, _ := record(t, nw, path, Settings{DT: 0.05, BurnIn: 100, Steps: 500, Realizations: 3, H0: h0, Project: proj}, newRNG(9))
	single, _ := record(t, nw, path, Settings{DT: 0.05, BurnIn: 100, Steps: 500, H0: h0[:n], Project: proj}, newRNG(9))
	for k := range single.Rate[0] {
		for name, pair := range map[string][2]float64{
			"rate":    {batch.Rate[0][k], single.Rate[0][k]},
			"mean":    {batch.Mean[0][k], single.Mean[0][k]},
			"readout": {batch.Readout[0][0][k], single.Readout[0][0][k]},
			"proj":    {batch.Proj[0][0][k], single.Proj[0][0][k]},
		} {
			// GEMM and GEMV sum in different orders: rounding only.
			if math.Abs(pair[0]-pair[1]) > 1e-12*(1+math.Abs(pair[1])) {
				t.Fatalf("%s at record %d: batch %.15g, single %.15g", name, k, pair[0], pair[1])
			}
		}
	}
	if batch.Rate[1][499] == batch.Rate[0][499] {
		t.Errorf("realizations 0 and 1 from different starts ended identical")
	}
}

// Same seed, same records bit for bit; another seed differs; float32 stays close to
// float64 (the relative rounding of float32 is 6e-8; over 1000 stable steps 1e-4 is ample).
func TestDeterminism(t *testing.T) {
	ou := tasks.OU{Channels: 1, DT: 0.01, TauS: 1, I0: 1, I1: 0.2}
	nw := Network{J: meanCoupling(t, 20, 5, 1, true), Phi: mustPhi(t, "relu"), B: 5}
	s := Settings{DT: 0.01, Sigma: 0.3, BurnIn: 50, Steps: 1000, Realizations: 2, Stride: 3}
	run := func(seed uint64, f32 bool) *Recording {
		s := s
		s.Float32 = f32
		rc, _ := record(t, nw, NewOU(ou, 2, rand.New(rand.NewPCG(seed, 1))), s, rand.New(rand.NewPCG(seed, 2)))
		return rc
	}
	a, b, c := run(1, false), run(1, false), run(2, false)
	if len(a.Rate[0]) != 333 {
		t.Fatalf("records: got %d, want ⌊1000/3⌋ = 333", len(a.Rate[0]))
	}
	same := true
	for r := range a.Rate {
		for k := range a.Rate[r] {
			if a.Rate[r][k] != b.Rate[r][k] || a.Input[r][0][k] != b.Input[r][0][k] {
				t.Fatalf("same seed, record %d of realization %d: %v vs %v", k, r, a.Rate[r][k], b.Rate[r][k])
			}
			same = same && a.Rate[r][k] == c.Rate[r][k]
		}
	}
	if same {
		t.Errorf("seeds 1 and 2 gave identical rates")
	}
	f := run(1, true)
	for k := range a.Rate[0] {
		if d := math.Abs(f.Rate[0][k] - a.Rate[0][k]); d > 1e-4 {
			t.Fatalf("float32 vs float64 rate at record %d: %v vs %v", k, f.Rate[0][k], a.Rate[0][k])
		}
	}
	if a.Time[0] != 3*0.01 || a.Layout.Interval != 0.03 {
		t.Errorf("record times: got t₀ = %v, interval %v, want 0.03, 0.03", a.Time[0], a.Layout.Interval)
	}
}

// An unstable network (linear φ, J = 2·I: every mode grows by 1 + Δt per step) is reported
// as a blow-up, not returned as records.
func TestBlowUp(t *testing.T) {
	J := mat.NewDense(3, 3, []float64{2, 0, 0, 0, 2, 0, 0, 0, 2})
	nw := Network{J: J, Phi: mustPhi(t, "linear"), B: 1}
	_, _, err := Record(context.Background(), nw, constInput(1), Settings{DT: 0.1, Steps: 100000}, newRNG(1))
	var bu *BlowUpError
	if !errors.As(err, &bu) {
		t.Fatalf("got error %v, want a *BlowUpError", err)
	}
	// h grows like (1.1)^n: it passes 1e6 after about log(1e6)/log(1.1) ≈ 145 steps.
	if bu.Step < 100 || bu.Step > 200 {
		t.Errorf("blow-up at step %d, want about 145", bu.Step)
	}
}

// Cancellation stops the run with the context's error.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := Record(ctx, idle(t), constInput(0), Settings{DT: 0.1, Steps: 5000}, newRNG(1))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// A caller-supplied path shorter than the simulation is an error, not a silent zero.
func TestShortPath(t *testing.T) {
	_, _, err := Record(context.Background(), idle(t), Path{make([]float64, 10)}, Settings{DT: 0.1, BurnIn: 5, Steps: 10}, newRNG(1))
	if err == nil {
		t.Errorf("a 10-sample path for 15 steps: got no error")
	}
}

// The O(N) path for a constant coupling (the g = 0 Gaussian J, with and without its
// diagonal) gives the records of the dense product, to rounding.
func TestConstantCouplingPath(t *testing.T) {
	ou := tasks.OU{Channels: 1, DT: 0.01, TauS: 1, I0: 1, I1: 0.2}
	for _, zero := range []bool{false, true} {
		nw := Network{J: meanCoupling(t, 16, 4, 1, zero), Phi: mustPhi(t, "relu"), B: 4}
		if ok, _, _ := ConstantCoupling(nw.J); !ok {
			t.Fatalf("zero diagonal %v: the constant J was not detected", zero)
		}
		s := Settings{DT: 0.01, Sigma: 0.3, BurnIn: 10, Steps: 2000, Realizations: 2}
		fast, _ := record(t, nw, NewOU(ou, 2, newRNG(1)), s, newRNG(2))
		detectConstant = false
		dense, _ := record(t, nw, NewOU(ou, 2, newRNG(1)), s, newRNG(2))
		detectConstant = true
		for r := range fast.Rate {
			for k, v := range fast.Rate[r] {
				// Two summation orders of 16 terms of size ≤ 1 over 2000 contracting steps.
				if math.Abs(v-dense.Rate[r][k]) > 1e-12 {
					t.Fatalf("zero diagonal %v, record %d: O(N) path %.15g, dense %.15g", zero, k, v, dense.Rate[r][k])
				}
			}
		}
	}
	J := meanCoupling(t, 16, 4, 1, true)
	J.Set(3, 5, J.At(3, 5)*(1+1e-15))
	if ok, _, _ := ConstantCoupling(J); ok {
		t.Errorf("a J with one different entry was taken for a constant one")
	}
}
