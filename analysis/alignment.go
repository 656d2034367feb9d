package analysis

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// ErrRank is returned (wrapped) by Align for a rank outside 1…N.
var ErrRank = errors.New("analysis: alignment rank out of range")

// Alignment is the low-rank alignment analysis of a structured coupling Jˢ ≈ L·S·Rᵀ
// (Landau & Sompolinsky 2021; docs/science.md §6.3, §6.6).
type Alignment struct {
	// Rank is the number D of retained singular triplets.
	Rank int
	// S holds the top D singular values s_1 ≥ … ≥ s_D of Jˢ.
	S []float64
	// L and R (N×D, orthonormal columns) are the left and right singular vectors:
	// span(L) is the column space and span(R) the row space of the structure.
	L, R *mat.Dense
	// A = LᵀR (D×D) is the alignment matrix.
	A *mat.Dense
	// Gamma holds the singular values γ_1 ≥ … ≥ γ_D of A, clamped to [0, 1]:
	// γ_k = cos θ_k.
	Gamma []float64
	// Theta holds the principal angles θ_k = arccos γ_k between span(L) and span(R),
	// ascending, in radians.
	Theta []float64
	// EFRatio = ‖J_EF‖_F/‖Jˢ‖_F with Jˢ = L·S·Rᵀ the rank-D part:
	// 0 for complete alignment, 1 for a purely feedforward structure.
	EFRatio float64
	// EigSA holds the eigenvalues of S·Aᵀ, sorted as by Eigenvalues. They are the nonzero
	// eigenvalues of L·S·Rᵀ, since eig(XY) \ {0} = eig(YX) \ {0} with X = L, Y = S·Rᵀ and
	// S·Rᵀ·L = S·Aᵀ.
	EigSA []complex128
}

// Align computes the alignment analysis of the top-rank singular triplets of the square
// matrix Js (docs/science.md §6.6 step 3):
//
//	Jˢ ≈ L·S·Rᵀ  (truncated SVD, mat.SVD),
//	A = LᵀR = U_A·Γ·V_Aᵀ,  γ_k = cos θ_k,
//	R_⊥ = (I − LLᵀ)R = R − L·A,
//	‖J_EF‖_F² = Σ_k s_k²·‖R_⊥ e_k‖² = Σ_k s_k²·(1 − (AᵀA)_kk),
//	‖Jˢ‖_F²  = Σ_k s_k².
//
// ‖J_EF‖_F is computed from R_⊥ rather than from 1 − (AᵀA)_kk to avoid cancellation when the
// alignment is nearly complete. Js is typically J − J̃_init or J itself, and rank is chosen with
// RankAbove (§6.6 steps 1–2). Singular vectors are determined only up to a sign (and a
// rotation within degenerate singular values); Gamma, Theta, EFRatio and EigSA are invariant.
//
// From N = LanczosMinN on, the top triplets come from a verified Lanczos bidiagonalization
// (topSingular) rather than from the thin SVD of all N triplets, which it falls back to when
// the verification fails; below it, and in the fallback, Align uses mat.SVD with SVDThin.
//
// Align panics if Js is not square and returns an error wrapping ErrRank if rank is not in
// 1…N, or ErrNoConvergence if an SVD fails.
func Align(Js mat.Matrix, rank int) (*Alignment, error) {
	n, c := Js.Dims()
	if n != c {
		panic(mat.ErrSquare)
	}
	if rank < 1 || rank > n {
		return nil, fmt.Errorf("align %d×%d matrix at rank %d: %w", n, n, rank, ErrRank)
	}
	var sv []float64
	if n >= LanczosMinN {
		var err error
		if sv, err = SingularValues(Js); err != nil {
			return nil, fmt.Errorf("align: %w", err)
		}
	}
	return AlignSV(Js, sv, rank)
}

// LanczosMinN is the size from which Align and AlignSV compute the top singular triplets by
// Lanczos bidiagonalization (topSingular): at N = 1000 and D = 2 it takes 0.1 s where the thin
// SVD takes 3 s; below N = 256 the thin SVD is cheap, and the reference setting (N = 100)
// keeps its bits.
const LanczosMinN = 256

// AlignSV is Align given sv, all singular values of Js in decreasing order (SingularValues),
// which the caller often has already (Record.StructureSV); sv is ignored (and may be nil)
// when N < LanczosMinN.
func AlignSV(Js mat.Matrix, sv []float64, rank int) (*Alignment, error) {
	n, c := Js.Dims()
	if n != c {
		panic(mat.ErrSquare)
	}
	if rank < 1 || rank > n {
		return nil, fmt.Errorf("align %d×%d matrix at rank %d: %w", n, n, rank, ErrRank)
	}
	al := &Alignment{Rank: rank, A: mat.NewDense(rank, rank, nil)}
	ok := false
	if n >= LanczosMinN {
		if len(sv) != n {
			panic(fmt.Sprintf("analysis: AlignSV with %d singular values of a %d×%d matrix", len(sv), n, n))
		}
		al.S, al.L, al.R, ok = topSingular(Js, sv, rank)
	}
	if !ok {
		var svd mat.SVD
		if !svd.Factorize(Js, mat.SVDThin) {
			return nil, fmt.Errorf("align: SVD of %d×%d matrix: %w", n, n, ErrNoConvergence)
		}
		var u, v mat.Dense
		svd.UTo(&u)
		svd.VTo(&v)
		al.S = svd.Values(nil)[:rank]
		al.L = mat.DenseCopyOf(u.Slice(0, n, 0, rank))
		al.R = mat.DenseCopyOf(v.Slice(0, n, 0, rank))
	}
	al.A.Mul(al.L.T(), al.R)

	var err error
	if al.Gamma, err = SingularValues(al.A); err != nil {
		return nil, fmt.Errorf("align: alignment matrix: %w", err)
	}
	al.Theta = make([]float64, rank)
	for k, g := range al.Gamma {
		al.Gamma[k] = math.Min(g, 1)
		al.Theta[k] = math.Acos(al.Gamma[k])
	}

	al.EFRatio = efRatio(al.S, al.RPerp())

	sa := mat.NewDense(rank, rank, nil)
	sa.Mul(mat.NewDiagDense(rank, al.S), al.A.T())
	if al.EigSA, err = Eigenvalues(sa); err != nil {
		return nil, fmt.Errorf("align: eig(S·Aᵀ): %w", err)
	}
	return al, nil
}

// efRatio returns sqrt(Σ_k s_k²‖R_⊥ e_k‖² / Σ_k s_k²).
func efRatio(s []float64, rPerp *mat.Dense) float64 {
	var ef, total float64
	for k, sk := range s {
		col := mat.Col(nil, k, rPerp)
		ef += sk * sk * floats.Dot(col, col)
		total += sk * sk
	}
	if total == 0 {
		return math.NaN()
	}
	return math.Sqrt(ef / total)
}

// RPerp returns R_⊥ = (I − LLᵀ)·R = R − L·A (N×D), the part of the row space outside the
// column space; R_⊥ᵀR_⊥ = I − AᵀA (docs/science.md §6.3).
func (al *Alignment) RPerp() *mat.Dense {
	var la, rPerp mat.Dense
	la.Mul(al.L, al.A)
	rPerp.Sub(al.R, &la)
	return &rPerp
}

// Structured returns the rank-D reconstruction Jˢ = L·S·Rᵀ (N×N).
func (al *Alignment) Structured() *mat.Dense {
	var ls, js mat.Dense
	ls.Mul(al.L, mat.NewDiagDense(al.Rank, al.S))
	js.Mul(&ls, al.R.T())
	return &js
}

// SRandEF splits Js into its subspace-recurrent and effective-feedforward components with
// respect to the column space span(L) (L with orthonormal columns, docs/science.md §6.3):
//
//	J_SR = Js·L·Lᵀ,           (= L·S·Aᵀ·Lᵀ for Js = L·S·Rᵀ)
//	J_EF = Js·(I − L·Lᵀ) = Js − J_SR,   (= L·S·R_⊥ᵀ)
//
// so that J_SR + J_EF = Js exactly. SRandEF panics if the dimensions do not match.
func SRandEF(Js, L mat.Matrix) (sr, ef *mat.Dense) {
	n, c := Js.Dims()
	if ln, _ := L.Dims(); ln != c {
		panic(mat.ErrShape)
	}
	var jl mat.Dense
	jl.Mul(Js, L)
	sr = mat.NewDense(n, c, nil)
	sr.Mul(&jl, L.T())
	ef = mat.NewDense(n, c, nil)
	ef.Sub(Js, sr)
	return sr, ef
}

// RankAbove returns the number of values in sv strictly greater than threshold, capped at maxRank
// (no cap if maxRank ≤ 0). With the singular values of J and threshold ≈ 2g·(1 + ε), the bulk
// edge of an N×N iid matrix with variance g²/N, it picks the structure rank D (docs/science.md
// §6.6 step 2). sv need not be sorted.
func RankAbove(sv []float64, threshold float64, maxRank int) int {
	var d int
	for _, s := range sv {
		if s > threshold {
			d++
		}
	}
	if maxRank > 0 {
		d = min(d, maxRank)
	}
	return d
}

// SingularValues returns the singular values of m in decreasing order (mat.SVD, no vectors).
func SingularValues(m mat.Matrix) ([]float64, error) {
	var svd mat.SVD
	if !svd.Factorize(m, mat.SVDNone) {
		r, c := m.Dims()
		return nil, fmt.Errorf("singular values of %d×%d matrix: %w", r, c, ErrNoConvergence)
	}
	return svd.Values(nil), nil
}
