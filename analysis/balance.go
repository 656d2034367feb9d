package analysis

import "gonum.org/v1/gonum/mat"

// MeanCoupling returns the mean of all entries of J, diagonal included:
//
//	mean(J) = (1/(N·M)) Σ_ij J_ij.
func MeanCoupling(J mat.Matrix) float64 {
	r, c := J.Dims()
	return mat.Sum(J) / float64(r*c)
}

// Balance returns the empirical balance parameter in units of b (docs/science.md §3.2),
//
//	b_emp = −N·mean(J)/J₀ = −(1/(N·J₀)) Σ_ij J_ij,
//
// where N is the number of rows of the square matrix J and the zero diagonal is included in
// the mean, as in the paper's |(1/N)Σ_ij J_ij|. The sign is kept, so an inhibition-dominated
// (balanced) network gives b_emp > 0. At initialization J = −(bJ₀/N)(11ᵀ − I) + J̃ gives
// b_emp ≈ b(N−1)/N (§1.2). The outlier eigenvalue of J is ≈ −b_emp·J₀.
//
// Balance panics if J is not square.
func Balance(J mat.Matrix, j0 float64) float64 {
	n, c := J.Dims()
	if n != c {
		panic(mat.ErrSquare)
	}
	return -float64(n) * MeanCoupling(J) / j0
}
