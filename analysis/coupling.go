package analysis

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Coupling returns the mean coupling within clusters, between clusters and overall for the
// cluster labels a_i of the neurons of the square matrix J (docs/science.md §3.3):
//
//	within  = mean{J_ij : a_i = a_j, i ≠ j},
//	between = mean{J_ij : a_i ≠ a_j},
//	overall = mean{J_ij : i ≠ j}.
//
// The diagonal i = j is excluded from within and overall: it is held at zero during training
// (§1.2), so including it only dilutes the within-cluster mean. The reference code includes
// it; use CouplingWithDiagonal for that convention. A mean over an empty set is NaN (for
// example between when all labels are equal).
//
// Coupling panics if J is not square or len(labels) differs from its size.
func Coupling(J mat.Matrix, labels []int) (within, between, overall float64) {
	return coupling(J, labels, false)
}

// CouplingWithDiagonal is Coupling with the diagonal pairs i = j included in within and
// overall, the convention of the reference code (docs/science.md §3.3):
//
//	within  = mean{J_ij : a_i = a_j},
//	between = mean{J_ij : a_i ≠ a_j},
//	overall = mean(J).
//
// For S equal blocks of value α within and β between and a zero diagonal this gives
// within = α·(N²/S − N)/(N²/S), e.g. α·4900/5000 for N = 100, S = 2.
func CouplingWithDiagonal(J mat.Matrix, labels []int) (within, between, overall float64) {
	return coupling(J, labels, true)
}

func coupling(J mat.Matrix, labels []int, diagonal bool) (within, between, overall float64) {
	n, c := J.Dims()
	if n != c {
		panic(mat.ErrSquare)
	}
	if len(labels) != n {
		panic(mat.ErrShape)
	}
	var sumIn, sumOut float64
	var nIn, nOut int
	for i := range n {
		for j := range n {
			switch {
			case i == j && !diagonal:
			case labels[i] == labels[j]:
				sumIn += J.At(i, j)
				nIn++
			default:
				sumOut += J.At(i, j)
				nOut++
			}
		}
	}
	return mean(sumIn, nIn), mean(sumOut, nOut), mean(sumIn+sumOut, nIn+nOut)
}

// mean returns sum/count, or NaN for count = 0.
func mean(sum float64, count int) float64 {
	if count == 0 {
		return math.NaN()
	}
	return sum / float64(count)
}

// SortByCluster returns the stable permutation p that groups the neurons by label: labels[p[0]]
// ≤ labels[p[1]] ≤ …, neurons with equal labels keeping their original order (Julia's
// sortperm(labels)). Display J reordered as J[p[i], p[j]].
func SortByCluster(labels []int) []int {
	p := make([]int, len(labels))
	for i := range p {
		p[i] = i
	}
	slices.SortStableFunc(p, func(a, b int) int { return cmp.Compare(labels[a], labels[b]) })
	return p
}
