package model

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Constraints are the structural constraints on J that hold at initialization and through
// training (network.zero_diagonal, network.density, network.dale):
//
//   - a fixed set of entries held at exactly zero, the masked entries: the diagonal with
//     ZeroDiagonal (docs/science.md §1.2, §7.12) and, with Density < 1, every entry of a
//     random connectivity mask;
//   - with Dale, the sign of every column (Dale's law): the first ⌊N/2⌋ columns (the
//     excitatory units of the E–I initialization, MeanCoupling) have J_ij ≥ 0, the others
//     J_ij ≤ 0.
//
// The trainer keeps the zeros by masking the gradient of J (a zero gradient leaves Adam's
// moments at zero and the entry unchanged) and the signs by the Euclidean projection onto
// the sign constraints after every Adam step,
//
//	J_ij ← max(J_ij, 0) for j < ⌊N/2⌋,   J_ij ← min(J_ij, 0) for j ≥ ⌊N/2⌋,
//
// which never makes a zero nonzero, so both hold together.
type Constraints struct {
	N int
	// Zero lists the masked entries as row-major indices i·N+j, in increasing order.
	Zero []int
	// Excitatory is the number ⌊N/2⌋ of sign-constrained excitatory columns; 0 without Dale.
	Excitatory int
	// Dale is set when the column signs are constrained.
	Dale bool
}

// NewConstraints returns the constraints of s. The connectivity mask (Density < 1; 0
// means 1, no mask) is drawn from rng, which must be a stream of its own: one
// rng.Float64() per entry of J in row-major order, the diagonal included, and entry (i, j)
// is kept when that draw u satisfies u < Density, so every entry is kept independently
// with probability Density. With Density 1 (or 0) nothing is drawn and rng may be nil.
// The mask depends only on s and rng's state, so the same seed redraws it exactly
// (resume rebuilds it instead of storing it).
//
// The mask does not rescale J: with density p the mean coupling of the Gaussian
// initialization becomes −p·b·J₀/N and the variance p·g²/N, so the initial balance is
// p·bJ₀ and the bulk radius g√p (docs/science.md §3.1, §3.2).
func NewConstraints(s Settings, rng *rand.Rand) *Constraints {
	n := s.N
	c := &Constraints{N: n, Dale: s.Dale}
	if s.Dale {
		c.Excitatory = n / 2
	}
	dense := s.Density == 0 || s.Density >= 1
	if !dense { // the expected count and 5% more, so that the list is not regrown (memory estimate)
		c.Zero = make([]int, 0, int(float64(n*n)*(1-s.Density)*1.05)+n+64)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			masked := s.ZeroDiagonal && i == j
			if !dense && !(rng.Float64() < s.Density) {
				masked = true
			}
			if masked {
				c.Zero = append(c.Zero, i*n+j)
			}
		}
	}
	return c
}

// Apply enforces the constraints on the N×N matrix J in place: masked entries are set to
// zero and, with Dale, entries of the wrong sign are projected to zero. NewParams's J
// becomes the constrained initial J of a run this way (an E–I initialization with large g
// has entries of the wrong sign, which the projection zeroes).
func (c *Constraints) Apply(J *mat.Dense) {
	raw := J.RawMatrix()
	if raw.Rows != c.N || raw.Cols != c.N || raw.Stride != c.N {
		panic(fmt.Sprintf("model: Constraints.Apply: J is %d×%d (stride %d), want a contiguous %d×%d", raw.Rows, raw.Cols, raw.Stride, c.N, c.N))
	}
	MaskZero(raw.Data, c.Zero)
	if c.Dale {
		ProjectSigns(raw.Data, c.N, c.Excitatory)
	}
}

// Check returns an error naming the first entry of the N×N matrix J that violates the
// constraints: a nonzero masked entry, or (with Dale) an entry of the wrong sign.
func (c *Constraints) Check(J mat.Matrix) error {
	r, cols := J.Dims()
	if r != c.N || cols != c.N {
		return fmt.Errorf("J is %d×%d, want %d×%d", r, cols, c.N, c.N)
	}
	for _, k := range c.Zero {
		if v := J.At(k/c.N, k%c.N); v != 0 {
			return fmt.Errorf("masked entry J[%d][%d] = %g, want 0 (network.zero_diagonal / network.density)", k/c.N, k%c.N, v)
		}
	}
	if c.Dale {
		if i, j, v, ok := firstSignViolation(J, c.Excitatory); !ok {
			return fmt.Errorf("J[%d][%d] = %g has the wrong sign for a%s column (network.dale)", i, j, v, popName(j < c.Excitatory))
		}
	}
	return nil
}

func popName(exc bool) string {
	if exc {
		return "n excitatory"
	}
	return "n inhibitory"
}

func firstSignViolation(J mat.Matrix, ne int) (i, j int, v float64, ok bool) {
	n, _ := J.Dims()
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := J.At(i, j)
			if j < ne && v < 0 || j >= ne && v > 0 {
				return i, j, v, false
			}
		}
	}
	return 0, 0, 0, true
}

// MaskZero sets the entries of the row-major matrix data at the given indices to zero.
func MaskZero[T float32 | float64](data []T, zero []int) {
	for _, k := range zero {
		data[k] = 0
	}
}

// ProjectSigns projects the row-major N×N matrix data onto Dale's sign constraints in
// place: J_ij ← max(J_ij, 0) for columns j < ne, J_ij ← min(J_ij, 0) for j ≥ ne. It is the
// Euclidean projection onto the set of matrices with those column signs.
func ProjectSigns[T float32 | float64](data []T, n, ne int) {
	for i := 0; i < n; i++ {
		row := data[i*n : (i+1)*n]
		for j := 0; j < ne; j++ {
			if row[j] < 0 {
				row[j] = 0
			}
		}
		for j := ne; j < n; j++ {
			if row[j] > 0 {
				row[j] = 0
			}
		}
	}
}

// SignFlips measures how far J has left Dale's law relative to the E–I split with the
// first ne = ⌊N/2⌋ units excitatory (docs/science.md §2.1, Fig. 8): the fraction of the
// nonzero off-diagonal entries whose sign is the opposite of their column's population
// (negative in an excitatory column, positive in an inhibitory one), and the fraction of
// columns whose mean has the opposite sign. Both are 0 for a J that obeys Dale's law.
func SignFlips(J mat.Matrix) (entries, columns float64) {
	n, _ := J.Dims()
	ne := n / 2
	var flipped, nonzero, cols int
	for j := 0; j < n; j++ {
		var sum float64
		for i := 0; i < n; i++ {
			v := J.At(i, j)
			sum += v
			if i == j || v == 0 {
				continue
			}
			nonzero++
			if j < ne && v < 0 || j >= ne && v > 0 {
				flipped++
			}
		}
		if j < ne && sum < 0 || j >= ne && sum > 0 {
			cols++
		}
	}
	if nonzero > 0 {
		entries = float64(flipped) / float64(nonzero)
	}
	return entries, float64(cols) / float64(n)
}
