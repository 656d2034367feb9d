package dmft

import (
	"errors"
	"fmt"
	"math"
)

// Static is the static balanced solution of the noise-free ReLU network.
type Static struct {
	X  float64 // x = m/√c, the root of g²·G₂(x) = 1
	C0 float64 // c₀ = (b·I₀/(x + b·J₀·G(x)))²
	M0 float64 // m₀ = x·√c₀
}

// StaticBalanced returns the static balanced solution of docs/science.md §5.3 item 4 for
// ReLU, with the balance b in place of the public code's √N:
//
//	g²·G₂(x) = 1,   c₀ = (b·I₀/(x + b·J₀·G(x)))²,   m₀ = x·√c₀.
//
// The first equation is the self-consistency c = q = g²·c·G₂(m/√c) of a time-independent
// h̃; the second is the stationary mean equation 0 = −m − bJ₀ν + bI₀ with ν = √c·G(x).
// G₂ increases monotonically from 0 to ∞, so the root is unique and found by bisection. It
// is stable while g²·Φ(x) < 1, i.e. for g < √2 (see StaticGain). g must be > 0 and the
// denominator x + bJ₀G(x) must be positive.
func StaticBalanced(g, b, j0, i0 float64) (Static, error) {
	if !(g > 0) {
		return Static{}, fmt.Errorf("dmft: static solution needs g > 0, got %v", g)
	}
	x := staticX(g)
	den := x + b*j0*G(x)
	if !(den > 0) {
		return Static{}, errors.New("dmft: no static balanced solution: x + b·J₀·G(x) ≤ 0")
	}
	c0 := math.Pow(b*i0/den, 2)
	return Static{X: x, C0: c0, M0: x * math.Sqrt(c0)}, nil
}

// StaticGain returns g²·Φ(x) = g²·E[φ′²] at the static solution x: the slope of the
// variance map c ↦ g²c·G₂ linearized for fluctuations. The static solution loses
// stability (chaos onset) where it crosses 1, at g_c = √2 with x = 0.
func StaticGain(g float64) float64 {
	return g * g * Phi(staticX(g))
}

// staticX returns the root of g²·G₂(x) = 1 by bisection on [−40, 40].
func staticX(g float64) float64 {
	target := 1 / (g * g)
	lo, hi := -40.0, 40.0
	for i := 0; i < 200 && hi-lo > 1e-15; i++ {
		mid := 0.5 * (lo + hi)
		if G2(mid) < target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return 0.5 * (lo + hi)
}
