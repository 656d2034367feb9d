package analysis

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Reference parameters of the authors' code (docs/science.md §1.6): b = J₀ = 1, g = 0.032.
const (
	refB  = 1.0
	refJ0 = 1.0
	refG  = 0.032
)

// newRand returns the deterministic test generator for the given seed.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// balancedCoupling returns J = −(b·J₀/N)·11ᵀ + J̃ with J̃_ij ~ N(0, g²/N) iid (docs/science.md
// §1.2), with the diagonal set to zero if zeroDiag.
func balancedCoupling(n int, b, j0, g float64, zeroDiag bool, rng *rand.Rand) *mat.Dense {
	J := mat.NewDense(n, n, nil)
	mean := -b * j0 / float64(n)
	std := g / math.Sqrt(float64(n))
	for i := range n {
		for j := range n {
			if zeroDiag && i == j {
				continue
			}
			J.Set(i, j, mean+std*rng.NormFloat64())
		}
	}
	return J
}

// orthonormal returns an n×d matrix with orthonormal columns spanning a random subspace
// (thin Q of the QR factorization of a Gaussian matrix).
func orthonormal(n, d int, rng *rand.Rand) *mat.Dense {
	g := mat.NewDense(n, d, nil)
	for i := range n {
		for j := range d {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q mat.Dense
	qr.QTo(&q)
	return mat.DenseCopyOf(q.Slice(0, n, 0, d))
}

// lowRank returns L·diag(s)·Rᵀ.
func lowRank(L, R *mat.Dense, s []float64) *mat.Dense {
	var ls, js mat.Dense
	ls.Mul(L, mat.NewDiagDense(len(s), s))
	js.Mul(&ls, R.T())
	return &js
}

// blockLabels returns labels 0…S−1 for S consecutive equal blocks of n/S neurons.
func blockLabels(n, s int) []int {
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i / (n / s)
	}
	return labels
}

// blockMatrix returns J_ij = α if labels equal, β otherwise, and 0 on the diagonal
// (docs/science.md §3.3 constructed test).
func blockMatrix(labels []int, alpha, beta float64) *mat.Dense {
	n := len(labels)
	J := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			switch {
			case i == j:
			case labels[i] == labels[j]:
				J.Set(i, j, alpha)
			default:
				J.Set(i, j, beta)
			}
		}
	}
	return J
}

// closeTo reports |a − b| ≤ tol.
func closeTo(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// cclose reports |a − b| ≤ tol for complex numbers.
func cclose(a, b complex128, tol float64) bool {
	return math.Hypot(real(a-b), imag(a-b)) <= tol
}
