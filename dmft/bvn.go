package dmft

import (
	"math"

	"gonum.org/v1/gonum/integrate/quad"
)

// bvnNodes holds the half Gauss–Legendre rules of BVN: for the 6-, 12- and 20-point rules
// on [−1, 1], the negative nodes x_i and their weights w_i (the rule is symmetric).
var bvnNodes = func() (r [3]struct{ x, w []float64 }) {
	for i, n := range [3]int{6, 12, 20} {
		x, w := make([]float64, n), make([]float64, n)
		quad.Legendre{}.FixedLocations(x, w, -1, 1)
		for j := range x {
			if x[j] < 0 {
				r[i].x = append(r[i].x, x[j])
				r[i].w = append(r[i].w, w[j])
			}
		}
	}
	return r
}()

// BVN returns the upper orthant probability P(z₁ > h, z₂ > k) of a standard bivariate
// normal pair with correlation ρ, so that the CDF is Φ₂(x₁, x₂; ρ) = BVN(−x₁, −x₂, ρ).
//
// It is Genz's BVND (A. Genz, "Numerical computation of rectangular bivariate and
// trivariate normal and t probabilities", Statistics and Computing 14:251–260, 2004; the
// Drezner–Wesolowsky method refined), which is accurate to about 1e-15 absolute:
//
//   - |ρ| < 0.925: Plackett's identity ∂Φ₂/∂ρ = φ₂ integrated in θ = arcsin ρ,
//     P = Φ(−h)Φ(−k) + (1/4π)∫₀^{arcsin ρ} exp(−(h² + k² − 2hk·sin θ)/(2cos²θ)) dθ,
//     by a 6-, 12- or 20-point Gauss–Legendre rule for |ρ| < 0.3, < 0.75 and above;
//   - |ρ| ≥ 0.925: the same integral taken from ρ = ±1 (where P is Φ(−max(h, k)) or
//     max(0, Φ(−h) − Φ(k))) in the variable x = √(1 − r²), with the singular part of the
//     integrand subtracted and integrated in closed form (Genz's Eq. 3 expansion), and the
//     20-point rule for the smooth remainder.
//
// gonum (v0.17) has no bivariate normal CDF (stat/distmv offers densities and sampling
// only), hence this implementation; the Legendre nodes are gonum's quad.Legendre.
func BVN(h, k, rho float64) float64 {
	var rule struct{ x, w []float64 }
	switch ar := math.Abs(rho); {
	case ar < 0.3:
		rule = bvnNodes[0]
	case ar < 0.75:
		rule = bvnNodes[1]
	default:
		rule = bvnNodes[2]
	}
	hk := h * k
	var bvn float64
	if math.Abs(rho) < 0.925 {
		hs := (h*h + k*k) / 2
		asr := math.Asin(rho)
		for i, x := range rule.x {
			sn := math.Sin(asr * (x + 1) / 2)
			bvn += rule.w[i] * math.Exp((sn*hk-hs)/(1-sn*sn))
			sn = math.Sin(asr * (1 - x) / 2)
			bvn += rule.w[i] * math.Exp((sn*hk-hs)/(1-sn*sn))
		}
		return bvn*asr/(4*math.Pi) + Phi(-h)*Phi(-k)
	}
	if rho < 0 {
		k, hk = -k, -hk
	}
	if math.Abs(rho) < 1 {
		as := (1 - rho) * (1 + rho)
		a := math.Sqrt(as)
		bs := (h - k) * (h - k)
		c := (4 - hk) / 8
		d := (12 - hk) / 16
		if e := -(bs/as + hk) / 2; e > -100 {
			bvn = a * math.Exp(e) * (1 - c*(bs-as)*(1-d*bs/5)/3 + c*d*as*as/5)
		}
		if -hk < 100 {
			b := math.Sqrt(bs)
			bvn -= math.Exp(-hk/2) * math.Sqrt(2*math.Pi) * Phi(-b/a) * b * (1 - c*bs*(1-d*bs/5)/3)
		}
		a /= 2
		for i, x := range rule.x {
			for _, sg := range [2]float64{-1, 1} {
				xs := a * (sg*x + 1) * a * (sg*x + 1)
				rs := math.Sqrt(1 - xs)
				if e := -(bs/xs + hk) / 2; e > -100 {
					bvn += a * rule.w[i] * math.Exp(e) * (math.Exp(-hk*(1-rs)/(2*(1+rs)))/rs - (1 + c*xs*(1+d*xs)))
				}
			}
		}
		bvn = -bvn / (2 * math.Pi)
	}
	if rho > 0 {
		return bvn + Phi(-math.Max(h, k))
	}
	bvn = -bvn
	if k > h {
		if h < 0 {
			bvn += Phi(k) - Phi(h)
		} else {
			bvn += Phi(-h) - Phi(-k)
		}
	}
	return bvn
}
