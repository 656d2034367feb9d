package analysis

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// ErrNoConvergence is returned (wrapped) when a gonum/LAPACK factorization fails to converge.
var ErrNoConvergence = errors.New("analysis: factorization did not converge")

// Eigenvalues returns the eigenvalues of the square matrix m (mat.Eigen, no eigenvectors),
// sorted by real part ascending and, for equal real parts, by imaginary part ascending, so
// that the most negative (most inhibitory) eigenvalue comes first and a complex-conjugate
// pair λ, λ̄ is always listed as (Re λ − i|Im λ|, Re λ + i|Im λ|).
//
// Eigenvalues panics if m is not square.
func Eigenvalues(m mat.Matrix) ([]complex128, error) {
	var eig mat.Eigen
	if ok := eig.Factorize(m, mat.EigenNone); !ok {
		r, c := m.Dims()
		return nil, fmt.Errorf("eigenvalues of %d×%d matrix: %w", r, c, ErrNoConvergence)
	}
	values := eig.Values(nil)
	sortComplex(values)
	return values, nil
}

// sortComplex sorts z in place by real part, then by imaginary part.
func sortComplex(z []complex128) {
	slices.SortFunc(z, func(a, b complex128) int {
		if c := cmp.Compare(real(a), real(b)); c != 0 {
			return c
		}
		return cmp.Compare(imag(a), imag(b))
	})
}

// Linearized stores in dst the coupling matrix linearized around a state h,
//
//	M = J·diag(φ′(h)),  M_ij = J_ij·φ′(h_j),
//
// i.e. column j of J scaled by dphi[j] (docs/science.md §3.1). The continuous-time Jacobian of
// the rate dynamics is −I + M, so stability requires Re λ(M) < 1.
//
// dst may be J itself (in-place scaling). If dst is empty it is resized; otherwise it must
// have the dimensions of J. Linearized panics if len(dphi) differs from the number of
// columns of J, or on a dimension mismatch with dst.
func Linearized(dst *mat.Dense, J mat.Matrix, dphi []float64) {
	r, c := J.Dims()
	if len(dphi) != c {
		panic(fmt.Sprintf("analysis: len(dphi) = %d, want %d columns", len(dphi), c))
	}
	if dst.IsEmpty() {
		dst.ReuseAs(r, c)
	} else if dr, dc := dst.Dims(); dr != r || dc != c {
		panic(mat.ErrShape)
	}
	if dst != J {
		dst.Copy(J)
	}
	for i := range r {
		floats.Mul(dst.RawRowView(i), dphi)
	}
}

// Outliers returns the k eigenvalues of eig with the most negative real parts, in the order
// of Eigenvalues (most negative first). eig is not modified and need not be sorted. If k
// exceeds len(eig), all eigenvalues are returned; k < 0 panics.
//
// For the balanced initial coupling J = −(bJ₀/N)·11ᵀ + J̃ the first outlier is ≈ N·mean(J)
// = −bJ₀ (docs/science.md §3.1); training with S signals produces S of them (§2.2).
func Outliers(eig []complex128, k int) []complex128 {
	if k < 0 {
		panic("analysis: negative number of outliers")
	}
	sorted := slices.Clone(eig)
	sortComplex(sorted)
	return sorted[:min(k, len(sorted))]
}

// BulkRadius estimates the centre c and radius r of the circular-law disk formed by the
// eigenvalues that remain after removing the `exclude` outliers with the most negative real
// parts (see Outliers).
//
// For eigenvalues uniformly distributed on a disk of radius r around c (the circular law for
// an N×N matrix with iid entries of variance g²/N gives r = g, docs/science.md §3.1), the squared
// distance u = |λ − c|² is uniform on [0, r²]; hence both
//
//	E|λ − c|² = r²/2   and   median |λ − c|² = r²/2.
//
// BulkRadius uses the median forms, which are robust to a few remaining outliers (for
// example when `exclude` underestimates their number): the centre is the coordinate-wise
// median c = median(Re λ) + i·median(Im λ), and
//
//	r = sqrt(2 · median_k |λ_k − c|²).
//
// A point mass at the centre biases r low. In particular eig(J·diag(φ′)) for ReLU has one
// exact zero eigenvalue per inactive unit (φ′ = 0); remove them first with NonZero, after
// which the radius of the active bulk is ≈ g·sqrt(χ) (docs/science.md §7 item 3).
//
// If no eigenvalue remains, BulkRadius returns (NaN, NaN).
func BulkRadius(eig []complex128, exclude int) (center complex128, radius float64) {
	if exclude < 0 {
		panic("analysis: negative number of excluded outliers")
	}
	if exclude >= len(eig) {
		return cmplx.NaN(), math.NaN()
	}
	bulk := slices.Clone(eig)
	sortComplex(bulk)
	bulk = bulk[exclude:]

	re := make([]float64, len(bulk))
	im := make([]float64, len(bulk))
	for i, z := range bulk {
		re[i], im[i] = real(z), imag(z)
	}
	center = complex(median(re), median(im))

	d2 := re // reuse: squared distances to the centre
	for i, z := range bulk {
		d := z - center
		d2[i] = real(d)*real(d) + imag(d)*imag(d)
	}
	return center, math.Sqrt(2 * median(d2))
}

// NonZero returns the eigenvalues with |λ| > tol·max_k |λ_k|, dropping the structural zeros
// produced by columns of J·diag(φ′) with φ′ = 0 (inactive ReLU units). A relative tol of
// about 1e-9 separates LAPACK's round-off zeros (≈ 1e-16·‖J‖) from the bulk.
func NonZero(eig []complex128, tol float64) []complex128 {
	var maxAbs float64
	for _, z := range eig {
		maxAbs = math.Max(maxAbs, cmplx.Abs(z))
	}
	out := make([]complex128, 0, len(eig))
	for _, z := range eig {
		if cmplx.Abs(z) > tol*maxAbs {
			out = append(out, z)
		}
	}
	return out
}

// median returns the median of x, reordering x. For an even length it is the mean of the two
// middle values. gonum's stat.Quantile needs a sorted copy and has no "mean of the two
// middle values" rule, so this small helper sorts x in place.
func median(x []float64) float64 {
	slices.Sort(x)
	n := len(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}
