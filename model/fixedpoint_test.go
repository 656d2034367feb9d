package model

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// netSpec returns parameters and a spec of net with S = R = 1 and B trials, drawn from seed.
func netSpec(t *testing.T, net Settings, trials int, seed uint64) (Spec, *Params) {
	t.Helper()
	p, err := NewParams(net, 1, 1, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	sp, err := NewSpec(net, SimSettings{DT: 0.2, Steps: 10, Sigma: 1}, 1, 1, trials, 0)
	if err != nil {
		t.Fatal(err)
	}
	return sp, p
}

// residualOf returns max_i |−h + J·φ(h) + (b/S)·W_in·i0 + bias|, computed here with gonum
// (independently of Drift and Drive).
func residualOf(sp Spec, p *Params, h []float64, i0 float64) float64 {
	n := len(h)
	phi := mat.NewVecDense(n, nil)
	for i, v := range h {
		phi.SetVec(i, sp.Phi.F(v))
	}
	var f, in mat.VecDense
	f.MulVec(p.J, phi)
	in.MulVec(p.Win, mat.NewVecDense(1, []float64{i0}))
	worst := 0.0
	for i := range n {
		worst = math.Max(worst, math.Abs(-h[i]+f.AtVec(i)+sp.B*in.AtVec(i)+p.Bias[i]))
	}
	return worst
}

// TestRelaxWatchedEqualsRelax: RelaxWatched with an infinite limit leaves the state bit
// for bit as Relax does (sim.init_state relax keeps the bits of the reference relaxation).
func TestRelaxWatchedEqualsRelax(t *testing.T) {
	for _, phi := range []Nonlinearity{ReLU, Tanh, Linear} {
		net := DefaultSettings()
		net.N, net.Nonlinearity, net.G = 30, phi, 0.5
		sp, p := netSpec(t, net, 4, 3)
		rng := rand.New(rand.NewPCG(5, 5))
		h := mat.NewDense(30, 4, nil)
		h.Apply(func(_, _ int, _ float64) float64 { return rng.NormFloat64() }, h)
		a, b := mat.DenseCopyOf(h), mat.DenseCopyOf(h)
		Relax(sp, p, a, 1, 20)
		c := RelaxWatched(sp, p, b, 1, 20, math.Inf(1))
		if c.Steps != 100 || c.Asked != 100 {
			t.Errorf("%s: steps: got %d of %d, want 100 of 100", phi, c.Steps, c.Asked)
		}
		for i, v := range a.RawMatrix().Data {
			if w := b.RawMatrix().Data[i]; math.Float64bits(v) != math.Float64bits(w) {
				t.Fatalf("%s: element %d: got %v, want Relax's %v", phi, i, w, v)
			}
		}
	}
}

// TestRelaxWatchedStopsAtLimit: an unstable linear network (J = 2·I, Re λ = 2 > 1) grows by
// 1 + Δt(λ − 1) = 1.2 per step; the watch stops at the first step above the limit.
func TestRelaxWatchedStopsAtLimit(t *testing.T) {
	net := DefaultSettings()
	net.N, net.Nonlinearity, net.G, net.B, net.Win = 3, Linear, 0, 1, Gaussian{}
	sp, p := netSpec(t, net, 1, 1)
	p.J = mat.NewDense(3, 3, []float64{2, 0, 0, 0, 2, 0, 0, 0, 2})
	h := mat.NewDense(3, 1, []float64{1, -1, 0.5})
	c := RelaxWatched(sp, p, h, 0, 100, 1e3)
	// 1.2^k > 1e3 first at k = ⌈ln 1e3 / ln 1.2⌉ = 38.
	if c.Steps != 38 || c.Asked != 500 {
		t.Errorf("steps: got %d of %d, want 38 of 500", c.Steps, c.Asked)
	}
	if want := math.Pow(1.2, 38); math.Abs(c.MaxEnd-want) > 1e-9*want {
		t.Errorf("max |h|: got %.12g, want 1.2^38 = %.12g", c.MaxEnd, want)
	}
}

// TestFixedPointUniform: for g = 0, equal input weights and ReLU with every unit active,
// the zero-diagonal balanced network has the closed-form fixed point
// h* = b·I₀·w/(1 + b·J₀·(N−1)/N) on every unit (docs/science.md §1.2, §7.6; 0.502513 for the
// defaults).
func TestFixedPointUniform(t *testing.T) {
	net := DefaultSettings()
	net.G, net.Win = 0, Gaussian{Mean: 1}
	sp, p := netSpec(t, net, 1, 1)
	res, err := FixedPoint(sp, p, 1, FixedPointSettings{})
	if err != nil {
		t.Fatal(err)
	}
	want := 1 / (1 + 0.99)
	for i, v := range res.H {
		if math.Abs(v-want) > 1e-12 {
			t.Fatalf("h*[%d]: got %.15g, want %.15g", i, v, want)
		}
	}
}

// TestFixedPointRandom: for random networks (linear up to g = √2, ReLU up to g = 1.2, tanh)
// Newton's result is a zero of the drift to the requested tolerance (checked here with
// gonum, not with Drift). For ReLU at the chaotic g = √2 it converged for 4 of seeds 1–5
// and at g = 2 for none (measured; FixedPoint then returns ErrNoFixedPoint, the documented
// limit), so those are not asserted.
func TestFixedPointRandom(t *testing.T) {
	cases := []struct {
		phi Nonlinearity
		g   float64
	}{{Linear, 0.5}, {Linear, math.Sqrt2}, {ReLU, 0.5}, {ReLU, 1.2}, {Tanh, 0.5}}
	for _, c := range cases {
		net := DefaultSettings()
		net.Nonlinearity, net.G = c.phi, c.g
		sp, p := netSpec(t, net, 1, 2)
		res, err := FixedPoint(sp, p, 1, FixedPointSettings{})
		if err != nil {
			t.Errorf("%s g=%g: %v", c.phi, c.g, err)
			continue
		}
		// Tolerance: FixedPoint's default 1e-10·(1 + max|d|), d ≈ b·w_in·I₀ ≈ 1.
		if r := residualOf(sp, p, res.H, 1); r > 2.1e-10 {
			t.Errorf("%s g=%g: residual max|F(h*)|: got %.3g after %d steps, want ≤ 2.1e-10", c.phi, c.g, r, res.Iter)
		}
	}
}

// TestFixedPointNone: threshquad with uniform excitatory coupling c/N·11ᵀ and drive 1 has
// the scalar fixed-point equation h = 1 + c·h² (all units equal), without real solution for
// c > 1/4: Newton must fail with ErrNoFixedPoint, not return a point.
func TestFixedPointNone(t *testing.T) {
	net := DefaultSettings()
	net.N, net.Nonlinearity, net.G, net.Win, net.ZeroDiagonal = 10, ThreshQuad, 0, Gaussian{Mean: 1}, false
	sp, p := netSpec(t, net, 1, 1)
	p.J.Apply(func(_, _ int, _ float64) float64 { return 1.0 / 10 }, p.J) // c = 1
	_, err := FixedPoint(sp, p, 1, FixedPointSettings{})
	if !errors.Is(err, ErrNoFixedPoint) {
		t.Fatalf("got error %v, want one wrapping ErrNoFixedPoint", err)
	}
}

// TestLeadingEigenvalue: for g = 0 and ReLU with all units active, J·diag(φ′) = J has the
// eigenvalues −b·J₀·(N−1)/N (uniform mode) and +b·J₀/N (its complement, docs/science.md
// §1.2): the leading one is +0.01 for N = 100.
func TestLeadingEigenvalue(t *testing.T) {
	net := DefaultSettings()
	net.G = 0
	sp, p := netSpec(t, net, 1, 1)
	h := make([]float64, 100)
	for i := range h {
		h[i] = 1
	}
	lam, err := LeadingEigenvalue(sp, p, h)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(real(lam)-0.01) > 1e-12 || math.Abs(imag(lam)) > 1e-12 {
		t.Errorf("leading eigenvalue: got %v, want 0.01", lam)
	}
}
