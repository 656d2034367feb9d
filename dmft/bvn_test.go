package dmft

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// BVN against Sheppard's formula P(z₁ > 0, z₂ > 0) = ¼ + arcsin(ρ)/(2π), the product at
// ρ = 0, the limits ρ = ±1, the symmetry in (h, k), and the one-dimensional integral
// P(z₁ > h, z₂ > k) = ∫_h^∞ φ_N(z)Φ((ρz − k)/s)dz by the adaptive quadrature (tolerance
// 1e-13) in all three branches of the method (|ρ| < 0.3, < 0.75, < 0.925 and above).
func TestBVN(t *testing.T) {
	for _, rho := range []float64{-1, -0.99, -0.93, -0.8, -0.5, -0.2, 0, 0.1, 0.4, 0.9, 0.95, 0.999, 1} {
		if got, want := BVN(0, 0, rho), 0.25+math.Asin(rho)/(2*math.Pi); !scalar.EqualWithinAbs(got, want, 1e-15) {
			t.Errorf("Sheppard ρ = %v: got %.17g, want %.17g", rho, got, want)
		}
	}
	hs := []float64{-6, -2.5, -0.7, 0, 0.3, 1.1, 3, 7}
	for _, h := range hs {
		for _, k := range hs {
			if got, want := BVN(h, k, 0), Phi(-h)*Phi(-k); !scalar.EqualWithinAbs(got, want, 1e-16) {
				t.Errorf("ρ = 0, (%v, %v): got %v, want %v", h, k, got, want)
			}
			if got, want := BVN(h, k, 1), Phi(-math.Max(h, k)); got != want {
				t.Errorf("ρ = 1, (%v, %v): got %v, want %v", h, k, got, want)
			}
			if got, want := BVN(h, k, -1), math.Max(0, Phi(-h)-Phi(k)); !scalar.EqualWithinAbs(got, want, 1e-16) {
				t.Errorf("ρ = −1, (%v, %v): got %v, want %v", h, k, got, want)
			}
			for _, rho := range []float64{-0.97, -0.6, -0.25, 0.2, 0.5, 0.8, 0.93, 0.9999} {
				got := BVN(h, k, rho)
				if sym := BVN(k, h, rho); !scalar.EqualWithinAbs(got, sym, 1e-15) {
					t.Errorf("symmetry (%v, %v, %v): %v vs %v", h, k, rho, got, sym)
				}
				s := math.Sqrt(1 - rho*rho)
				f := func(z float64) float64 { return PhiN(z) * Phi((rho*z-k)/s) }
				brk := math.NaN()
				if s < 0.5 {
					brk = k / rho // the steep step of Φ((ρz − k)/s), of width s
				}
				want := adaptive(f, math.Max(h, -12), 12, 1e-13, 1e-17, brk)
				// Genz's method is accurate to ~1e-15 absolute; the reference to 1e-13
				// relative (requested) — 2e-14 absolute covers both with margin.
				if !scalar.EqualWithinAbs(got, want, 2e-14) {
					t.Errorf("BVN(%v, %v, %v) = %.16g, quadrature %.16g", h, k, rho, got, want)
				}
			}
		}
	}
}

// The closed forms of Corr and SlopeCorr against the one-dimensional adaptive quadrature
// of docs/science.md §5.2 (the reference code's route, tolerance 1e-12) over means,
// variances and correlations that the DMFT meets (x = m/√c from −4 to 4, |ρ| ≤ 0.999) and
// the limits |ρ| = 1. The bound 1e-10 (absolute or relative) is the default tolerance of the
// quadrature path the closed form replaces, so the closed form is at least as accurate;
// the measured largest difference, 2.8e-13, is logged. Closer to |ρ| = 1 the quadrature itself loses
// accuracy (measured: relative errors up to 2e-4 at ρ = ±(1 − 1e-6), where Φ(μ/s) is a step
// of width 1.4e-3), so there the closed form is checked against its |ρ| = 1 limit instead,
// within the Lipschitz bounds |∂q/∂ρ| = √(c₁₁c₂₂)·E[Θ(h₁)Θ(h₂)] ≤ √(c₁₁c₂₂) (Price's
// theorem) and |Φ₂(ρ) − Φ₂(±1)| ≤ arccos|ρ|/(2π) (Sheppard: the density of ∂Φ₂/∂ρ is at most
// 1/(2π√(1−ρ²)), attained at x₁ = x₂ = 0).
func TestReLUClosedForm(t *testing.T) {
	closed, ref := ReLU{}, ReLU{Quadrature: true, Tol: 1e-12}
	var worst float64
	var where string
	for _, m1 := range []float64{-4, -1.8, -0.4, 0, 0.3, 1.5, 4} {
		for _, m2 := range []float64{-3, -0.5, 0, 0.2, 2} {
			for _, cc := range [][2]float64{{1, 1}, {0.5, 2}, {20, 18}} {
				c11, c22 := cc[0], cc[1]
				for _, rho := range []float64{-1, -0.999999, -0.95, -0.5, 0, 0.2, 0.7, 0.93, 0.999, 0.999999, 1} {
					c12 := rho * math.Sqrt(c11*c22)
					if math.Abs(rho) == 0.999999 {
						one := math.Copysign(1, rho) * math.Sqrt(c11*c22)
						d := 1 - math.Abs(rho)
						if got, want := closed.Corr(m1, m2, c11, c22, c12), closed.Corr(m1, m2, c11, c22, one); math.Abs(got-want) > math.Sqrt(c11*c22)*d*(1+1e-9)+1e-14 {
							t.Errorf("Corr(%v, %v, %v, %v, ρ = %v) = %.12g, limit %.12g: beyond the Lipschitz bound", m1, m2, c11, c22, rho, got, want)
						}
						if got, want := closed.SlopeCorr(m1, m2, c11, c22, c12), closed.SlopeCorr(m1, m2, c11, c22, one); math.Abs(got-want) > math.Acos(1-d)/(2*math.Pi)*(1+1e-6) {
							t.Errorf("SlopeCorr(%v, %v, %v, %v, ρ = %v) = %.12g, limit %.12g: beyond the Sheppard bound", m1, m2, c11, c22, rho, got, want)
						}
						continue
					}
					for _, f := range []struct {
						name      string
						got, want float64
					}{
						{"Corr", closed.Corr(m1, m2, c11, c22, c12), ref.Corr(m1, m2, c11, c22, c12)},
						{"SlopeCorr", closed.SlopeCorr(m1, m2, c11, c22, c12), ref.SlopeCorr(m1, m2, c11, c22, c12)},
					} {
						d := math.Abs(f.got-f.want) / math.Max(1, math.Abs(f.want))
						if d > worst {
							worst, where = d, fmt.Sprintf("%s(%v, %v, %v, %v, ρ = %v)", f.name, m1, m2, c11, c22, rho)
						}
						if !scalar.EqualWithinAbsOrRel(f.got, f.want, 1e-10, 1e-10) {
							t.Errorf("%s(m = %v, %v, c = %v, %v, ρ = %v): closed form %.15g, quadrature %.15g", f.name, m1, m2, c11, c22, rho, f.got, f.want)
						}
					}
				}
			}
		}
	}
	t.Logf("largest difference %.3g at %s", worst, where)
}
