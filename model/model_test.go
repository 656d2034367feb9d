package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// TestUncoupledStationaryVariance: an uncoupled unit (J = 0, I = 0) has the discrete
// stationary variance σ²Δt/(1−(1−Δt)²) = σ²/(2−Δt), 0.5556 for σ = 1, Δt = 0.2
// (docs/science.md §1.1, §7.2).
func TestUncoupledStationaryVariance(t *testing.T) {
	const n, trials, steps = 200, 200, 100 // 4·10⁴ samples; transient 0.8^200 ≈ 4e-20
	net := DefaultSettings()
	net.N = n
	sp, err := NewSpec(net, SimSettings{DT: 0.2, Steps: steps, Sigma: 1, BurnIn: 0}, 1, 1, trials, 0)
	if err != nil {
		t.Fatal(err)
	}
	p := &Params{J: mat.NewDense(n, n, nil), Win: mat.NewDense(n, 1, nil), Wout: mat.NewDense(1, n, nil), Bias: make([]float64, n)}
	rng := rand.New(rand.NewPCG(1, 1))
	noise := make([]float64, sp.NoiseLen())
	for i := range noise {
		noise[i] = rng.NormFloat64()
	}
	tr := Simulate(sp, p, mat.NewDense(n, trials, nil), make([]float64, sp.InputLen()), noise)
	got := stat.Variance(tr.H[steps].RawMatrix().Data, nil)
	want := 1 / (2 - 0.2)
	// The sample variance of m = 4·10⁴ Gaussian samples has std want·√(2/m) ≈ 0.0039;
	// allow 4.5 standard errors.
	if tol := 4.5 * want * math.Sqrt(2.0/(n*trials)); math.Abs(got-want) > tol {
		t.Errorf("stationary variance: got %.5f, want %.5f ± %.5f", got, want, tol)
	}
}

// TestInitialCoupling: with a zero diagonal, N·mean(J_init) = −b·J₀·(N−1)/N up to the
// random part, and eig(J_init) has one outlier near it (docs/science.md §1.2, §7.3: −0.9931
// measured for the defaults).
func TestInitialCoupling(t *testing.T) {
	net := DefaultSettings() // N = 100, g = 0.032, b = J₀ = 1
	p, err := NewParams(net, 1, 1, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	n := float64(net.N)
	for i := 0; i < net.N; i++ {
		if p.J.At(i, i) != 0 {
			t.Fatalf("J[%d][%d]: got %g, want 0", i, i, p.J.At(i, i))
		}
	}
	got := n * mat.Sum(p.J) / (n * n)
	want := -net.B * net.J0 * (n - 1) / n
	// N·mean(J) − want = (1/N)·Σ of N(N−1) iid N(0, g²/N) terms: std g·√(N−1)/N ≈ 0.0032.
	if tol := 5 * net.G * math.Sqrt(n-1) / n; math.Abs(got-want) > tol {
		t.Errorf("N·mean(J): got %.5f, want %.5f ± %.5f", got, want, tol)
	}
	var eig mat.Eigen
	if !eig.Factorize(p.J, mat.EigenNone) {
		t.Fatal("eigendecomposition failed")
	}
	minRe := math.Inf(1)
	for _, v := range eig.Values(nil) {
		minRe = math.Min(minRe, real(v))
	}
	// The outlier sits at N·mean(J) up to O(g/√N) corrections from the bulk.
	if tol := 3 * net.G / math.Sqrt(n); math.Abs(minRe-got) > tol {
		t.Errorf("outlier eigenvalue: got %.5f, want %.5f ± %.5f", minRe, got, tol)
	}
}

// TestEIMeanCoupling: the E–I block means reduce to (N/2)·[[J_EE, J_EI], [J_IE, J_II]]
// with eigenvalues −0.4 ± 0.2i for the reference code's scaling (docs/science.md §2.3).
func TestEIMeanCoupling(t *testing.T) {
	net := DefaultSettings()
	net.Init, net.ZeroDiagonal, net.N = "ei", false, 10
	m, err := MeanCoupling(net)
	if err != nil {
		t.Fatal(err)
	}
	var eig mat.Eigen
	if !eig.Factorize(m, mat.EigenNone) {
		t.Fatal("eigendecomposition failed")
	}
	var found int
	for _, v := range eig.Values(nil) {
		if math.Abs(real(v)+0.4) < 1e-9 && math.Abs(math.Abs(imag(v))-0.2) < 1e-9 {
			found++
		}
	}
	if found != 2 {
		t.Errorf("eigenvalues %v: got %d of −0.4 ± 0.2i, want 2", eig.Values(nil), found)
	}
}

// TestRelaxReachesFixedPoint: the noise-free relaxation ends at a fixed point
// h* = J φ(h*) + bias + (b/S)·W_in·I₀ of the dynamics (docs/science.md §1.5 item 8).
func TestRelaxReachesFixedPoint(t *testing.T) {
	net := DefaultSettings()
	sp, err := NewSpec(net, DefaultSimSettings(), 1, 1, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 1))
	p, err := NewParams(net, 1, 1, rng)
	if err != nil {
		t.Fatal(err)
	}
	h := mat.NewDense(net.N, 3, nil)
	for i := range h.RawMatrix().Data {
		h.RawMatrix().Data[i] = rng.NormFloat64()
	}
	Relax(sp, p, h, 1, 100)
	phi := mat.NewDense(net.N, 3, nil)
	applyPhi(phi, sp.Phi.F, h)
	var rhs mat.Dense
	rhs.Mul(p.J, phi)
	for i := 0; i < net.N; i++ {
		for k := 0; k < 3; k++ {
			want := rhs.At(i, k) + p.Bias[i] + sp.InputGain()*p.Win.At(i, 0)
			if d := math.Abs(h.At(i, k) - want); d > 1e-9 {
				t.Fatalf("h*[%d][%d]: got %.12g, want %.12g (fixed-point residual %g)", i, k, h.At(i, k), want, d)
			}
		}
	}
}

// TestPhiDerivatives: every φ′ equals the central difference of φ away from kinks.
func TestPhiDerivatives(t *testing.T) {
	for _, name := range Nonlinearities {
		phi, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []float64{-2.1, -0.3, 0.4, 1.7} {
			const h = 1e-6
			want := (phi.F(x+h) - phi.F(x-h)) / (2 * h)
			if got := phi.D(x); math.Abs(got-want) > 1e-8 {
				t.Errorf("%s′(%g): got %.10g, want %.10g", name, x, got, want)
			}
		}
	}
	if _, err := Lookup("softplus"); err == nil {
		t.Error("Lookup(softplus): got nil error, want an error naming the allowed values")
	}
}

// TestStabilityBound: docs/science.md §1.6 gives 1 − 2/Δt = −9, −39, −199 for Δt = 0.2, 0.05,
// 0.01 and the deadbeat eigenvalue λ* = 1 − 1/Δt = −4 for Δt = 0.2.
func TestStabilityBound(t *testing.T) {
	for _, c := range []struct{ dt, bound, deadbeat float64 }{
		{0.2, -9, -4},
		{0.05, -39, -19},
		{0.01, -199, -99},
	} {
		if got := (Spec{DT: c.dt, Tau: 1}).StabilityBound(); math.Abs(got-c.bound) > 1e-12 {
			t.Errorf("StabilityBound(Δt = %v): got %v, want %v", c.dt, got, c.bound)
		}
		if got := (Spec{DT: c.dt, Tau: 1}).DeadbeatEigenvalue(); math.Abs(got-c.deadbeat) > 1e-12 {
			t.Errorf("DeadbeatEigenvalue(Δt = %v): got %v, want %v", c.dt, got, c.deadbeat)
		}
		// At the bound the Euler factor 1 + Δt(λ − 1) is −1; at λ* it is 0.
		if f := 1 + c.dt*((Spec{DT: c.dt, Tau: 1}).StabilityBound()-1); math.Abs(f+1) > 1e-12 {
			t.Errorf("Euler factor at the bound for Δt = %v: got %v, want -1", c.dt, f)
		}
		if f := 1 + c.dt*((Spec{DT: c.dt, Tau: 1}).DeadbeatEigenvalue()-1); math.Abs(f) > 1e-12 {
			t.Errorf("Euler factor at λ* for Δt = %v: got %v, want 0", c.dt, f)
		}
	}
}
