package dmft

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/integrate/quad"

	"github.com/balnet/balnet/model"
)

// Exactness of the G7K15 rule (degree 3·7+1 = 22 for the Kronrod part) and convergence of
// the adaptive scheme on a smooth, a kinked and a peaked integrand.
func TestAdaptive(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		name string
		f    func(float64) float64
		a, b float64
		brk  float64
		want float64
	}{
		{"x^21", func(x float64) float64 { return math.Pow(x, 21) }, 0, 1, nan, 1.0 / 22},
		{"sin", math.Sin, 0, math.Pi, nan, 2},
		{"|x-0.3| no break", func(x float64) float64 { return math.Abs(x - 0.3) }, 0, 1, nan, (0.09 + 0.49) / 2},
		{"|x-0.3| break", func(x float64) float64 { return math.Abs(x - 0.3) }, 0, 1, 0.3, (0.09 + 0.49) / 2},
		{"gauss", PhiN, -9, 9, nan, 1 - 2*Phi(-9)},
		{"narrow", func(x float64) float64 { return 100 * PhiN(100*(x-0.7)) }, 0, 1, nan, 1},
	} {
		got := adaptive(c.f, c.a, c.b, 1e-12, 1e-12, c.brk)
		// The tolerance 1e-10 leaves two decades above the requested 1e-12 for the
		// |K15 − G7| error estimate, which is conservative for smooth integrands.
		if !scalar.EqualWithinAbsOrRel(got, c.want, 1e-10, 1e-10) {
			t.Errorf("%s: got %.15g, want %.15g", c.name, got, c.want)
		}
	}
}

// docs/science.md §7.8: G(0) = 1/√(2π) = 0.398942, G₂(0) = 0.5, and the closed forms at
// other points against their defining integrals.
func TestReLUMoments(t *testing.T) {
	if got := G(0); !scalar.EqualWithinAbs(got, 0.398942, 5e-7) {
		t.Errorf("G(0): got %.7f, want 0.398942", got)
	}
	if got := G2(0); got != 0.5 {
		t.Errorf("G₂(0): got %v, want 0.5", got)
	}
	for _, x := range []float64{-3, -0.40523, 0, 0.7, 2.5} {
		g := quad.Fixed(func(z float64) float64 { return relu(x+z) * PhiN(z) }, -x, 12, 200, nil, 0)
		g2 := quad.Fixed(func(z float64) float64 { return relu(x+z) * relu(x+z) * PhiN(z) }, -x, 12, 200, nil, 0)
		p := quad.Fixed(PhiN, -x, 12, 200, nil, 0)
		// 200-point Gauss–Legendre on a smooth integrand: error far below 1e-12.
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"G", G(x), g}, {"G₂", G2(x), g2}, {"Φ", Phi(x), p}} {
			if !scalar.EqualWithinAbs(c.got, c.want, 1e-12) {
				t.Errorf("%s(%v): got %.15g, want %.15g", c.name, x, c.got, c.want)
			}
		}
	}
}

// arcCos is the m = 0 arc-cosine kernel E[relu z₁ relu z₂] = (√(1−ρ²) + ρ(π − arccos ρ))/(2π).
func arcCos(rho float64) float64 {
	return (math.Sqrt(1-rho*rho) + rho*(math.Pi-math.Acos(rho))) / (2 * math.Pi)
}

func TestReLUCorrArcCosine(t *testing.T) {
	r := ReLU{}
	for _, c := range []struct{ rho, want float64 }{
		{0, 0.159155}, {0.5, 0.304499}, {0.9, 0.454769}, {1, 0.500000}, // docs/science.md §5.2
	} {
		got := r.Corr(0, 0, 1, 1, c.rho)
		if !scalar.EqualWithinAbs(got, c.want, 5e-7) { // the six printed digits
			t.Errorf("ρ = %v: got %.7f, want %.6f", c.rho, got, c.want)
		}
		if want := arcCos(c.rho); !scalar.EqualWithinAbs(got, want, 1e-10) { // quadrature tolerance
			t.Errorf("ρ = %v: got %.12f, want closed form %.12f", c.rho, got, want)
		}
		// Scaling: variances 4 and 9 multiply the m = 0 kernel by √(4·9) = 6.
		if got, want := r.Corr(0, 0, 4, 9, 6*c.rho), 6*arcCos(c.rho); !scalar.EqualWithinAbs(got, want, 1e-9) {
			t.Errorf("scaled ρ = %v: got %.12f, want %.12f", c.rho, got, want)
		}
	}
	for _, rho := range []float64{-1, -0.6, 0, 0.3, 0.99, 1} {
		want := 0.25 + math.Asin(rho)/(2*math.Pi) // Sheppard's formula for E[Θ(z₁)Θ(z₂)]
		if got := r.SlopeCorr(0, 0, 1, 1, rho); !scalar.EqualWithinAbs(got, want, 1e-10) {
			t.Errorf("E[φ′φ′] at ρ = %v: got %.12f, want %.12f", rho, got, want)
		}
	}
}

// q(ρ = 1) = c·G₂(x) for equal means and variances, the general ρ = 1 closed form
// √(c₁c₂)·[x₁x₂Φ(x₁) + x₂φ_N(x₁) + Φ(x₁)] (x₁ ≤ x₂), and q(ρ = 0) = √c₁G(x₁)·√c₂G(x₂).
func TestReLUCorrLimits(t *testing.T) {
	r := ReLU{}
	for _, m := range []float64{-2, -0.4, 0, 0.3, 1.5} {
		for _, c := range []float64{0.5, 1, 20} {
			x := m / math.Sqrt(c)
			if got, want := r.Corr(m, m, c, c, c), c*G2(x); !scalar.EqualWithinAbsOrRel(got, want, 1e-9, 1e-9) {
				t.Errorf("ρ = 1, m = %v, c = %v: got %.12g, want c·G₂(x) = %.12g", m, c, got, want)
			}
			if got, want := r.Second(m, c), c*G2(x); got != want {
				t.Errorf("Second: got %v, want %v", got, want)
			}
			m2, c2 := 0.5*m-0.3, 2*c
			x2 := m2 / math.Sqrt(c2)
			want := math.Sqrt(c) * G(x) * math.Sqrt(c2) * G(x2)
			if got := r.Corr(m, m2, c, c2, 0); !scalar.EqualWithinAbsOrRel(got, want, 1e-9, 1e-9) {
				t.Errorf("ρ = 0, m = %v, c = %v: got %.12g, want the product %.12g", m, c, got, want)
			}
			if got, want := r.SlopeCorr(m, m2, c, c2, 0), Phi(x)*Phi(x2); !scalar.EqualWithinAbsOrRel(got, want, 1e-9, 1e-9) {
				t.Errorf("E[φ′φ′] ρ = 0: got %.12g, want %.12g", got, want)
			}
			x1, xx := math.Min(x, x2), math.Max(x, x2)
			want = math.Sqrt(c*c2) * (x1*xx*Phi(x1) + xx*PhiN(x1) + Phi(x1))
			if got := r.Corr(m, m2, c, c2, math.Sqrt(c*c2)); !scalar.EqualWithinAbsOrRel(got, want, 1e-9, 1e-9) {
				t.Errorf("ρ = 1, unequal means %v, %v: got %.12g, want %.12g", m, m2, got, want)
			}
		}
	}
}

// Price's theorem: ∂E[φ(h₁)φ(h₂)]/∂c₁₂ = E[φ′(h₁)φ′(h₂)]. A central difference of Corr
// checks Corr and SlopeCorr against each other at nonzero means and general ρ.
func TestReLUPrice(t *testing.T) {
	r := ReLU{Tol: 1e-13}
	for _, p := range [][5]float64{{-0.5, 0.3, 1, 2, 0.4}, {-1.8, -1.8, 20, 20, 12}, {0.7, -0.2, 0.5, 1.5, -0.6}} {
		m1, m2, c11, c22, c12 := p[0], p[1], p[2], p[3], p[4]
		const h = 1e-4
		fd := (r.Corr(m1, m2, c11, c22, c12+h) - r.Corr(m1, m2, c11, c22, c12-h)) / (2 * h)
		// Truncation O(h²·q‴) ≈ 1e-8 plus rounding 1e-13/h = 1e-9.
		if got := r.SlopeCorr(m1, m2, c11, c22, c12); !scalar.EqualWithinAbs(got, fd, 1e-7) {
			t.Errorf("%v: E[φ′φ′] = %.10f, ∂q/∂c₁₂ = %.10f", p, got, fd)
		}
	}
}

func lookup(t *testing.T, name model.Nonlinearity) model.Phi {
	t.Helper()
	phi, err := model.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return phi
}

// The Gauss–Hermite path: exact for the linear φ (E[h₁h₂] = m₁m₂ + c₁₂), close to the
// ReLU closed forms, and equal to a fine 1-D Legendre reference for tanh.
func TestHermite(t *testing.T) {
	lin := NewHermite(lookup(t, "linear"), 0)
	if got, want := lin.Corr(0.3, -1.2, 2, 0.5, 0.7), 0.3*-1.2+0.7; !scalar.EqualWithinAbs(got, want, 1e-12) {
		t.Errorf("linear: got %v, want %v", got, want)
	}
	gh := NewHermite(lookup(t, "relu"), 200)
	r := ReLU{}
	for _, p := range [][5]float64{{0, 0, 1, 1, 0.5}, {-0.5, 0.3, 1, 2, 0.4}, {-1.8, -1.8, 20, 20, 12}, {0.7, -0.2, 0.5, 1.5, -0.6}} {
		got, want := gh.Corr(p[0], p[1], p[2], p[3], p[4]), r.Corr(p[0], p[1], p[2], p[3], p[4])
		// The kink of relu makes Gauss–Hermite converge only as O(1/n) (measured: error
		// 0.0034 at n = 48, 0.0016 at n = 100 for E[relu z]); at n = 200 the relative error
		// over these points is below 1e-3 (measured), and 2e-3 is the bound used.
		if !scalar.EqualWithinAbsOrRel(got, want, 2e-3, 2e-3) {
			t.Errorf("relu %v: Hermite %.8f, closed form %.8f", p, got, want)
		}
		if got, want := gh.Mean(p[0], p[2]), r.Mean(p[0], p[2]); !scalar.EqualWithinAbsOrRel(got, want, 2e-3, 2e-3) {
			t.Errorf("relu mean %v: Hermite %.8f, closed form %.8f", p, got, want)
		}
	}
	th := NewHermite(lookup(t, "tanh"), 100)
	m, c := 0.4, 2.0
	want := quad.Fixed(func(z float64) float64 { v := math.Tanh(m + math.Sqrt(c)*z); return v * v * PhiN(z) }, -12, 12, 400, nil, 0)
	if got := th.Second(m, c); !scalar.EqualWithinAbs(got, want, 1e-7) { // analytic φ: fast convergence (measured 1e-5 at n = 48)
		t.Errorf("tanh E[φ²]: got %.12f, want %.12f", got, want)
	}
	if got, want := th.Corr(m, m, c, c, c), th.Second(m, c); !scalar.EqualWithinAbs(got, want, 1e-8) {
		t.Errorf("tanh ρ = 1: got %.12f, want E[φ²] = %.12f", got, want)
	}
}
