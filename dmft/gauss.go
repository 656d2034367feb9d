package dmft

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/integrate/quad"

	"github.com/balnet/balnet/model"
)

// Integrals are the Gaussian averages the mean-field equations need (docs/science.md §5.2),
// for h = m + √c·z with z standard normal, and for a pair (h₁, h₂) jointly Gaussian with
// means m₁, m₂, variances c₁₁, c₂₂ and covariance c₁₂.
type Integrals interface {
	// Mean returns E[φ(h)]: the population rate ν = E[φ(m + √c z)].
	Mean(m, c float64) float64
	// Slope returns E[φ′(h)], the gain ∂ν/∂m (the active fraction χ for ReLU).
	Slope(m, c float64) float64
	// Second returns E[φ(h)²], the equal-time q(t,t)/g².
	Second(m, c float64) float64
	// Corr returns E[φ(h₁)φ(h₂)], the two-time q(t,s)/g² of Eq. 10.
	Corr(m1, m2, c11, c22, c12 float64) float64
	// SlopeCorr returns E[φ′(h₁)φ′(h₂)], the kernel of the perturbation (Lyapunov) part.
	SlopeCorr(m1, m2, c11, c22, c12 float64) float64
}

// NewIntegrals returns the integrals for the nonlinearity called name: the ReLU closed
// forms for "relu" (with quadrature, the adaptive quadrature of tolerance tol for the
// two-time integrals instead), and a two-dimensional Gauss–Hermite rule with hermite
// points per dimension for the others.
func NewIntegrals(name model.Nonlinearity, tol float64, hermite int, quadrature bool) (Integrals, error) {
	if name == model.ReLU {
		return ReLU{Tol: tol, Quadrature: quadrature}, nil
	}
	phi, err := model.Lookup(name)
	if err != nil {
		return nil, err
	}
	return NewHermite(phi, hermite), nil
}

// PhiN returns the standard normal density φ_N(x) = e^{−x²/2}/√(2π).
func PhiN(x float64) float64 { return math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi) }

// Phi returns the standard normal CDF Φ(x) = erfc(−x/√2)/2 (`stepgaussintegral`):
// Φ(x) = E[Θ(x + z)].
func Phi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// G returns G(x) = E[relu(x + z)] = x·Φ(x) + φ_N(x) (`relugauss`, docs/science.md §5.2).
func G(x float64) float64 { return x*Phi(x) + PhiN(x) }

// G2 returns G₂(x) = E[relu(x + z)²] = x·φ_N(x) + (1 + x²)·Φ(x) (`relugauss2`).
func G2(x float64) float64 { return x*PhiN(x) + (1+x*x)*Phi(x) }

// ReLU holds the Gaussian integrals of φ = relu (docs/science.md §5.2). The two-time
// integrals are closed forms in the bivariate normal CDF (see Corr and SlopeCorr) unless
// Quadrature selects the one-dimensional form of §5.2 by adaptive quadrature (the
// reference code's route, kept as an independent check), with relative and absolute
// tolerance Tol; 0 means 1e-10.
type ReLU struct {
	Tol        float64
	Quadrature bool
}

func (r ReLU) tol() float64 {
	if r.Tol == 0 {
		return 1e-10
	}
	return r.Tol
}

func relu(x float64) float64 { return math.Max(x, 0) }

func stepFn(x float64) float64 {
	if x > 0 {
		return 1
	}
	return 0
}

// Mean returns ν = √c·G(m/√c), and relu(m) for c = 0.
func (ReLU) Mean(m, c float64) float64 {
	if c <= 0 {
		return relu(m)
	}
	s := math.Sqrt(c)
	return s * G(m/s)
}

// Slope returns χ = Φ(m/√c), and Θ(m) for c = 0.
func (ReLU) Slope(m, c float64) float64 {
	if c <= 0 {
		return stepFn(m)
	}
	return Phi(m / math.Sqrt(c))
}

// Second returns c·G₂(m/√c), and relu(m)² for c = 0.
func (ReLU) Second(m, c float64) float64 {
	if c <= 0 {
		return relu(m) * relu(m)
	}
	return c * G2(m/math.Sqrt(c))
}

// epsilon is the float64 machine epsilon 2⁻⁵².
const epsilon = 0x1p-52

// tailCut is the half-width L, in standard deviations, beyond which the Gaussian weight
// of the one-dimensional integrals is dropped: φ_N(9) = 1.0e-18.
const tailCut = 9

// pair reduces a Gaussian pair to the standardized form of docs/science.md §5.2:
// x_i = m_i/√c_ii, ρ = c₁₂/√(c₁₁c₂₂) clamped to [−1, 1] (and set to ±1 within 4 ulps of
// it, where Φ₂, whose slope in ρ diverges there, would amplify the rounding of the ratio),
// s = √max(1 − ρ², 0).
func pair(m1, m2, c11, c22, c12 float64) (s1, s2, x1, x2, rho, s float64) {
	s1, s2 = math.Sqrt(c11), math.Sqrt(c22)
	x1, x2 = m1/s1, m2/s2
	rho = math.Max(-1, math.Min(1, c12/(s1*s2)))
	if 1-math.Abs(rho) <= 4*epsilon { // rounding of c₁₂/√(c₁₁c₂₂) at |ρ| = 1
		rho = math.Copysign(1, rho)
	}
	s = math.Sqrt(math.Max(1-rho*rho, 0))
	return
}

// limits returns the integration range [max(−x₂, −L), …+L] of the z-integral and the kink
// z* = −x₁/ρ of relu(x₁ + ρz) as a breakpoint when the bracket is nearly a kink (s < 1/2).
func limits(x1, x2, rho, s float64) (lo, hi, brk float64) {
	lo = math.Max(-x2, -tailCut)
	hi = math.Max(lo, 0) + tailCut
	brk = math.NaN()
	if s < 0.5 && rho != 0 {
		brk = -x1 / rho
	}
	return
}

// Corr returns q(t,s)/g² = E[relu(h₁)relu(h₂)] in closed form (docs/science.md §5.2):
// with x_i = m_i/√c_ii, ρ = c₁₂/√(c₁₁c₂₂), s = √(1 − ρ²) and Φ₂ the bivariate normal CDF
// (BVN),
//
//	q/g² = √(c₁₁c₂₂)·[(x₁x₂ + ρ)·Φ₂(x₁, x₂; ρ) + x₂φ_N(x₁)Φ((x₂ − ρx₁)/s)
//	                  + x₁φ_N(x₂)Φ((x₁ − ρx₂)/s) + s·φ_N(x₁)φ_N((x₂ − ρx₁)/s)].
//
// It follows from the truncated moments of the standard pair (z₁, z₂) on
// A = {z₁ > −x₁, z₂ > −x₂} (Rosenbaum 1961), E[z₁; A] = φ_N(x₁)Φ((x₂−ρx₁)/s) +
// ρφ_N(x₂)Φ((x₁−ρx₂)/s) and E[z₁z₂; A] = ρΦ₂ − ρx₁φ_N(x₁)Φ((x₂−ρx₁)/s) −
// ρx₂φ_N(x₂)Φ((x₁−ρx₂)/s) + s·φ_N(x₁)φ_N((x₂−ρx₁)/s), expanded in
// E[(x₁+z₁)(x₂+z₂); A]. For s = 0 the Φ((…)/s) are steps (½ at 0): ρ = 1 gives
// (x₁x₂ + 1)Φ(x₁) + x₂φ_N(x₁) for x₁ ≤ x₂, ρ = −1 gives (x₁x₂ − 1)·max(Φ(x₁) + Φ(x₂) − 1, 0)
// + x₂φ_N(x₁) + x₁φ_N(x₂) when x₁ + x₂ > 0 (else 0). A zero variance makes that h
// deterministic: the result is relu(m)·Mean of the other. With Quadrature, corrQuad.
func (r ReLU) Corr(m1, m2, c11, c22, c12 float64) float64 {
	if c11 <= 0 || c22 <= 0 {
		return r.Mean(m1, c11) * r.Mean(m2, c22)
	}
	if r.Quadrature {
		return r.corrQuad(m1, m2, c11, c22, c12)
	}
	s1, s2, x1, x2, rho, s := pair(m1, m2, c11, c22, c12)
	if s == 0 && rho < 0 && x1+x2 <= 0 {
		return 0
	}
	p1, p2 := PhiN(x1), PhiN(x2)
	u1, u2 := ratio(x2-rho*x1, s), ratio(x1-rho*x2, s)
	v := (x1*x2+rho)*BVN(-x1, -x2, rho) + x2*p1*Phi(u1) + x1*p2*Phi(u2)
	if s > 0 {
		v += s * p1 * PhiN(u1)
	}
	return s1 * s2 * v
}

// ratio returns a/s, with ±Inf for s = 0 and 0 for a = s = 0 (so that Φ gives ½).
func ratio(a, s float64) float64 {
	if s == 0 {
		switch {
		case a > 0:
			return math.Inf(1)
		case a < 0:
			return math.Inf(-1)
		}
		return 0
	}
	return a / s
}

// corrQuad returns q(t,s)/g² = E[relu(h₁)relu(h₂)] through the one-dimensional form of
// docs/science.md §5.2, with one Gaussian integral done analytically:
//
//	q/g² = √(c₁₁c₂₂) ∫_{−x₂}^{∞} (x₂ + z) [μΦ(μ/s) + s·φ_N(μ/s)] φ_N(z) dz,  μ = x₁ + ρz,
//
// where the bracket is E_w[relu(μ + s·w)]; for s = 0 (|ρ| = 1) it is relu(μ). The
// z-integral is done by adaptive G7K15 quadrature (see adaptive) with rtol = atol = Tol
// on [−x₂, max(−x₂, 0) + 9], breaking at the kink z = −x₁/ρ when s < 1/2. A zero variance
// makes that h deterministic (handled by Corr).
func (r ReLU) corrQuad(m1, m2, c11, c22, c12 float64) float64 {
	s1, s2, x1, x2, rho, s := pair(m1, m2, c11, c22, c12)
	lo, hi, brk := limits(x1, x2, rho, s)
	var f func(z float64) float64
	if s == 0 {
		f = func(z float64) float64 { return (x2 + z) * relu(x1+rho*z) * PhiN(z) }
	} else {
		f = func(z float64) float64 {
			mu := x1 + rho*z
			u := mu / s
			return (x2 + z) * (mu*Phi(u) + s*PhiN(u)) * PhiN(z)
		}
	}
	tol := r.tol()
	return s1 * s2 * adaptive(f, lo, hi, tol, tol, brk)
}

// SlopeCorr returns E[Θ(h₁)Θ(h₂)] = Φ₂(x₁, x₂; ρ) = BVN(−x₁, −x₂, ρ), or with Quadrature
// the one-integral form ∫_{−x₂}^{∞} Φ(μ/s) φ_N(z) dz (μ = x₁ + ρz; Θ(μ) for s = 0) of
// Corr with both relu factors replaced by steps.
func (r ReLU) SlopeCorr(m1, m2, c11, c22, c12 float64) float64 {
	if c11 <= 0 || c22 <= 0 {
		return r.Slope(m1, c11) * r.Slope(m2, c22)
	}
	if !r.Quadrature {
		_, _, x1, x2, rho, _ := pair(m1, m2, c11, c22, c12)
		return BVN(-x1, -x2, rho)
	}
	_, _, x1, x2, rho, s := pair(m1, m2, c11, c22, c12)
	lo, hi, brk := limits(x1, x2, rho, s)
	var f func(z float64) float64
	if s == 0 {
		f = func(z float64) float64 { return stepFn(x1+rho*z) * PhiN(z) }
	} else {
		f = func(z float64) float64 { return Phi((x1+rho*z)/s) * PhiN(z) }
	}
	tol := r.tol()
	return adaptive(f, lo, hi, tol, tol, brk)
}

// Hermite holds Gaussian integrals of any nonlinearity by Gauss–Hermite quadrature: with
// the nodes t_k and weights w_k of ∫e^{−t²}f(t)dt (gonum's quad.Hermite),
//
//	E[f(z)] ≈ Σ_k (w_k/√π) f(√2 t_k),
//	E[φ(h₁)φ(h₂)] ≈ Σ_{k,l} (w_k w_l/π) φ(m₁ + √c₁₁(ρ z_l + s z_k)) φ(m₂ + √c₂₂ z_l),
//
// writing u₁ = ρu₂ + s·w with u₂ = z_l, w = z_k independent (s = √(1 − ρ²)). The rule is
// exact for polynomials and converges fast for smooth φ; for the kinks of relu and
// threshquad it converges only algebraically (use ReLU for relu).
type Hermite struct {
	Phi  model.Phi
	z, w []float64 // nodes √2·t_k and weights w_k/√π of the probabilists' rule
}

// NewHermite returns the n-point (per dimension) rule for phi; n ≤ 0 means 48.
func NewHermite(phi model.Phi, n int) *Hermite {
	if n <= 0 {
		n = 48
	}
	h := &Hermite{Phi: phi, z: make([]float64, n), w: make([]float64, n)}
	quad.Hermite{}.FixedLocations(h.z, h.w, math.Inf(-1), math.Inf(1))
	for k := range h.z {
		h.z[k] *= math.Sqrt2
		h.w[k] /= math.Sqrt(math.Pi)
	}
	return h
}

func (h *Hermite) mean(f func(float64) float64, m, c float64) float64 {
	s := math.Sqrt(math.Max(c, 0))
	var sum float64
	for k, z := range h.z {
		sum += h.w[k] * f(m+s*z)
	}
	return sum
}

// Mean returns E[φ(m + √c z)].
func (h *Hermite) Mean(m, c float64) float64 { return h.mean(h.Phi.F, m, c) }

// Slope returns E[φ′(m + √c z)].
func (h *Hermite) Slope(m, c float64) float64 { return h.mean(h.Phi.D, m, c) }

// Second returns E[φ(m + √c z)²].
func (h *Hermite) Second(m, c float64) float64 {
	return h.mean(func(x float64) float64 { v := h.Phi.F(x); return v * v }, m, c)
}

func (h *Hermite) corr(f func(float64) float64, m1, m2, c11, c22, c12 float64) float64 {
	if c11 <= 0 || c22 <= 0 {
		return h.mean(f, m1, c11) * h.mean(f, m2, c22)
	}
	s1, s2, _, _, rho, s := pair(m1, m2, c11, c22, c12)
	var sum float64
	for l, zl := range h.z {
		var inner float64
		a := m1 + s1*rho*zl
		for k, zk := range h.z {
			inner += h.w[k] * f(a+s1*s*zk)
		}
		sum += h.w[l] * inner * f(m2+s2*zl)
	}
	return sum
}

// Corr returns E[φ(h₁)φ(h₂)].
func (h *Hermite) Corr(m1, m2, c11, c22, c12 float64) float64 {
	return h.corr(h.Phi.F, m1, m2, c11, c22, c12)
}

// SlopeCorr returns E[φ′(h₁)φ′(h₂)].
func (h *Hermite) SlopeCorr(m1, m2, c11, c22, c12 float64) float64 {
	return h.corr(h.Phi.D, m1, m2, c11, c22, c12)
}

// String names the rule.
func (h *Hermite) String() string { return fmt.Sprintf("gauss-hermite(%s, %d)", h.Phi.Name, len(h.z)) }
