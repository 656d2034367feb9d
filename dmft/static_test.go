package dmft

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// docs/science.md §5.3 item 4 reference values (N = 5000 public-code scaling b = √N,
// J₀ = I₀ = 1), printed to the digits given there.
func TestStaticBalanced(t *testing.T) {
	b := math.Sqrt(5000)
	for _, c := range []struct {
		g, x, c0, m0 float64
		tx, tc, tm   float64 // half a unit of the last printed digit
	}{
		{math.Sqrt2, 0, math.NaN(), math.NaN(), 1e-12, 0, 0},
		{1.6, -0.15075, 9.4118, -0.4625, 5e-6, 5e-5, 5e-5},
		{2, -0.40523, 20.125, -1.818, 5e-6, 5e-4, 5e-4},
	} {
		s, err := StaticBalanced(c.g, b, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if !scalar.EqualWithinAbs(s.X, c.x, c.tx) {
			t.Errorf("g = %v: x got %.6f, want %.5f", c.g, s.X, c.x)
		}
		if !math.IsNaN(c.c0) && (!scalar.EqualWithinAbs(s.C0, c.c0, c.tc) || !scalar.EqualWithinAbs(s.M0, c.m0, c.tm)) {
			t.Errorf("g = %v: c₀, m₀ got %.5f, %.5f, want %v, %v", c.g, s.C0, s.M0, c.c0, c.m0)
		}
		if got := c.g * c.g * G2(s.X); !scalar.EqualWithinAbs(got, 1, 1e-12) {
			t.Errorf("g = %v: g²G₂(x) got %v, want 1", c.g, got)
		}
	}
}

// Chaos onset at g_c = √2: g²Φ(x(g)) − 1 is negative below, zero at and positive above.
func TestChaosOnset(t *testing.T) {
	if got := StaticGain(math.Sqrt2); !scalar.EqualWithinAbs(got, 1, 1e-12) {
		t.Errorf("g²Φ(x) at √2: got %v, want 1", got)
	}
	for _, g := range []float64{0.8, 1.2, 1.41} {
		if got := StaticGain(g); !(got < 1) {
			t.Errorf("g = %v: g²Φ(x) = %v, want < 1 (stable static solution)", g, got)
		}
	}
	for _, g := range []float64{1.42, 1.6, 2, 3} {
		if got := StaticGain(g); !(got > 1) {
			t.Errorf("g = %v: g²Φ(x) = %v, want > 1 (chaos)", g, got)
		}
	}
}
