package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestMaskDensity: the mask keeps each entry independently with probability density, so the
// number of kept off-diagonal entries of an N = 200 matrix is Binomial(N(N−1), p); the
// diagonal is masked with zero_diagonal; the same stream gives the same mask and another
// stream another one; density 1 masks only the diagonal and draws nothing.
func TestMaskDensity(t *testing.T) {
	const n, p = 200, 0.3
	s := DefaultSettings()
	s.N, s.Density = n, p
	c := NewConstraints(s, rand.New(rand.NewPCG(1, 6)))
	masked := map[int]bool{}
	for _, k := range c.Zero {
		masked[k] = true
	}
	if !slices.IsSorted(c.Zero) {
		t.Error("Zero is not in increasing order")
	}
	kept := 0
	for i := 0; i < n; i++ {
		if !masked[i*n+i] {
			t.Fatalf("diagonal entry %d not masked with zero_diagonal", i)
		}
		for j := 0; j < n; j++ {
			if i != j && !masked[i*n+j] {
				kept++
			}
		}
	}
	m := float64(n * (n - 1))
	mean, sd := m*p, math.Sqrt(m*p*(1-p))
	if math.Abs(float64(kept)-mean) > 5*sd { // 5σ of the binomial: fails by chance with probability < 1e-6
		t.Errorf("kept off-diagonal entries: got %d, want %.0f ± %.0f (5σ of Binomial(%g, %g))", kept, mean, 5*sd, m, p)
	}
	again := NewConstraints(s, rand.New(rand.NewPCG(1, 6)))
	if !slices.Equal(again.Zero, c.Zero) {
		t.Error("the same stream gave a different mask")
	}
	other := NewConstraints(s, rand.New(rand.NewPCG(2, 6)))
	if slices.Equal(other.Zero, c.Zero) {
		t.Error("another seed gave the same mask")
	}
	s.Density = 1
	dense := NewConstraints(s, nil) // nil: nothing may be drawn
	if len(dense.Zero) != n {
		t.Errorf("density 1: got %d masked entries, want the %d diagonal ones", len(dense.Zero), n)
	}
	s.ZeroDiagonal, s.Density = false, 0 // 0 means 1
	if got := NewConstraints(s, nil).Zero; len(got) != 0 {
		t.Errorf("density 0 (= 1) without zero_diagonal: got %d masked entries, want 0", len(got))
	}
}

// TestApplyAndCheck: Apply zeroes the masked entries and projects the column signs (the
// Euclidean projection: wrong-sign entries become 0, the others are unchanged); Check
// accepts the result and names a masked or wrong-sign entry.
func TestApplyAndCheck(t *testing.T) {
	const n = 6
	s := DefaultSettings()
	s.N, s.Init, s.Dale, s.G = n, InitEI, true, 1
	c := NewConstraints(s, nil)
	if c.Excitatory != 3 {
		t.Fatalf("excitatory columns: got %d, want 3", c.Excitatory)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	J := mat.NewDense(n, n, nil)
	for i := range n * n {
		J.RawMatrix().Data[i] = rng.NormFloat64()
	}
	orig := mat.DenseCopyOf(J)
	if err := c.Check(J); err == nil {
		t.Fatal("Check accepted an unconstrained Gaussian matrix")
	}
	c.Apply(J)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v, o := J.At(i, j), orig.At(i, j)
			var want float64
			switch {
			case i == j:
			case j < 3:
				want = math.Max(o, 0)
			default:
				want = math.Min(o, 0)
			}
			if v != want {
				t.Errorf("J[%d][%d]: got %g, want %g (from %g)", i, j, v, want, o)
			}
		}
	}
	if err := c.Check(J); err != nil {
		t.Errorf("Check after Apply: %v", err)
	}
	J.Set(1, 1, 0.5)
	if err := c.Check(J); err == nil {
		t.Error("Check accepted a nonzero diagonal")
	}
	J.Set(1, 1, 0)
	J.Set(0, 4, 0.1)
	if err := c.Check(J); err == nil {
		t.Error("Check accepted a positive entry in an inhibitory column")
	}
}

// TestSignFlips: SignFlips counts wrong-sign off-diagonal entries among the nonzero ones
// and columns whose sum has the wrong sign, on a constructed 4×4 matrix.
func TestSignFlips(t *testing.T) {
	J := mat.NewDense(4, 4, []float64{
		0, 1, -1, -1,
		1, 0, -1, 2, // J[1][3] > 0 in an inhibitory column
		-1, 1, 0, -1, // J[2][0] < 0 in an excitatory column
		1, 1, -1, 0,
	})
	entries, cols := SignFlips(J)
	if want := 2.0 / 12; entries != want {
		t.Errorf("entries: got %g, want %g", entries, want)
	}
	// Column sums: 1, 3, −3, 0: none has the wrong sign.
	if cols != 0 {
		t.Errorf("columns: got %g, want 0", cols)
	}
	J.Set(0, 3, 1) // column 3 sums to 2 > 0
	if _, cols := SignFlips(J); cols != 0.25 {
		t.Errorf("columns after the change: got %g, want 0.25", cols)
	}
}
