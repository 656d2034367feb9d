package analysis

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// The top singular triplets of an N×N matrix without its full SVD.
//
// Align needs only the D ≤ MaxAlignRank largest singular triplets of Jˢ, but a thin SVD
// (mat.SVD with SVDThin) computes all N of them, and at N = 1000 its vector accumulation
// (Dbdsqr/Dlasr) was half of a whole per-checkpoint analysis. gonum has no truncated SVD, so
// topSingular runs Golub–Kahan–Lanczos bidiagonalization with full reorthogonalization
// (Golub & Van Loan, Matrix Computations, 4th ed., §10.4; Larsen's PROPACK without restarts)
// and accepts its Ritz triplets only when they are verified: each residual is small and each
// Ritz value equals the singular value of the (cheap, vector-free) full SVD. Anything else —
// a multiple singular value that a single Krylov sequence cannot resolve, slow convergence,
// an invariant subspace found early — falls back to the thin SVD, so the result is always
// that of a converged SVD.

// lanczosTol bounds the residuals ‖Aᵀũ_i − σ̃_i·ṽ_i‖ of the accepted triplets relative to σ_1,
// and valueTol the difference of the Ritz values from the singular values of the full SVD
// (whose own error is ~ε·σ_1). With A·ṽ_i = σ̃_i·ũ_i exact in the Lanczos relation, a
// residual r bounds the angle of each singular vector to r/gap (Wedin), so at the structure's
// gaps of O(σ_1) the vectors are accurate to ~1e-12.
const (
	lanczosTol = 1e-12
	valueTol   = 1e-10
)

// topSingular returns the rank largest singular values s and the left and right singular
// vectors L, R (N×rank, orthonormal columns) of the square matrix a, given sv, all singular
// values of a in decreasing order (SingularValues). It runs the Golub–Kahan–Lanczos recursion
//
//	β₀ = 0, ‖v₁‖ = 1:  α_j·u_j = A·v_j − β_{j−1}·u_{j−1},   β_j·v_{j+1} = Aᵀ·u_j − α_j·v_j,
//
// so that A·V_k = U_k·B_k and Aᵀ·U_k = V_k·B_kᵀ + β_k·v_{k+1}·e_kᵀ with B_k upper bidiagonal
// (α on the diagonal, β above). With the SVD B_k = X·Σ·Yᵀ the Ritz triplets (σ_i, U_k·x_i,
// V_k·y_i) satisfy A·ṽ_i = σ_i·ũ_i exactly and ‖Aᵀ·ũ_i − σ_i·ṽ_i‖ = β_k·|X_{k,i}|. Both
// Krylov bases are reorthogonalized twice at every step ("twice is enough"). The start
// vector is drawn from a fixed PCG stream, so the result is deterministic. ok is false when
// the triplets could not be verified within min(N, 4·rank + 80) steps; the caller then uses
// the full SVD.
func topSingular(a mat.Matrix, sv []float64, rank int) (s []float64, l, r *mat.Dense, ok bool) {
	n, _ := a.Dims()
	if rank < 1 || rank > n || len(sv) < rank || sv[0] == 0 {
		return nil, nil, nil, false
	}
	kmax := min(n, 4*rank+80)
	if kmax <= rank+1 {
		return nil, nil, nil, false // small matrices: the full SVD is cheap and exact
	}
	// Rows of us and vs are the Lanczos vectors u_j and v_j.
	us := mat.NewDense(kmax, n, nil)
	vs := mat.NewDense(kmax+1, n, nil)
	alpha := make([]float64, 0, kmax)
	beta := make([]float64, 0, kmax)

	rng := rand.New(rand.NewPCG(0x6b61, 0x6e637a6f)) // fixed: the start vector only
	v := vs.RawRowView(0)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	floats.Scale(1/floats.Norm(v, 2), v)

	p := mat.NewVecDense(n, nil)
	q := mat.NewVecDense(n, nil)
	coef := make([]float64, kmax+1)
	small := math.Sqrt(float64(n)) * 1e-14 * sv[0] // a breakdown: an invariant subspace
	for k := 1; k <= kmax; k++ {
		// α_k·u_k = A·v_k − β_{k−1}·u_{k−1}, reorthogonalized against u_1…u_{k−1}.
		p.MulVec(a, mat.NewVecDense(n, vs.RawRowView(k-1)))
		if k > 1 {
			floats.AddScaled(p.RawVector().Data, -beta[k-2], us.RawRowView(k-2))
		}
		reorthogonalize(p.RawVector().Data, us, k-1, coef)
		ak := floats.Norm(p.RawVector().Data, 2)
		if ak <= small {
			return nil, nil, nil, false
		}
		alpha = append(alpha, ak)
		copy(us.RawRowView(k-1), p.RawVector().Data)
		floats.Scale(1/ak, us.RawRowView(k-1))

		// β_k·v_{k+1} = Aᵀ·u_k − α_k·v_k, reorthogonalized against v_1…v_k.
		q.MulVec(a.T(), mat.NewVecDense(n, us.RawRowView(k-1)))
		floats.AddScaled(q.RawVector().Data, -ak, vs.RawRowView(k-1))
		reorthogonalize(q.RawVector().Data, vs, k, coef)
		bk := floats.Norm(q.RawVector().Data, 2)
		beta = append(beta, bk)

		if k >= rank && (k%8 == 0 || k == kmax || bk <= small) {
			if s, l, r, ok = ritz(us, vs, alpha, beta, sv, rank); ok {
				return s, l, r, true
			}
		}
		if bk <= small || k == kmax {
			return nil, nil, nil, false
		}
		copy(vs.RawRowView(k), q.RawVector().Data)
		floats.Scale(1/bk, vs.RawRowView(k))
	}
	return nil, nil, nil, false
}

// reorthogonalize removes from x its components along the first k rows of basis (orthonormal),
// by classical Gram–Schmidt applied twice: c = B·x, x ← x − Bᵀ·c.
func reorthogonalize(x []float64, basis *mat.Dense, k int, coef []float64) {
	if k == 0 {
		return
	}
	raw := basis.RawMatrix()
	b := blas64.General{Rows: k, Cols: raw.Cols, Stride: raw.Stride, Data: raw.Data}
	xv := blas64.Vector{N: len(x), Data: x, Inc: 1}
	cv := blas64.Vector{N: k, Data: coef[:k], Inc: 1}
	for range 2 {
		blas64.Gemv(blas.NoTrans, 1, b, xv, 0, cv)
		blas64.Gemv(blas.Trans, -1, b, cv, 1, xv)
	}
}

// ritz computes the Ritz triplets of the current bidiagonal B_k and returns the top rank of
// them if they are verified (see topSingular).
func ritz(us, vs *mat.Dense, alpha, beta, sv []float64, rank int) (s []float64, l, r *mat.Dense, ok bool) {
	k := len(alpha)
	b := mat.NewDense(k, k, nil)
	for i := range k {
		b.Set(i, i, alpha[i])
		if i+1 < k {
			b.Set(i, i+1, beta[i])
		}
	}
	var svd mat.SVD
	if !svd.Factorize(b, mat.SVDFull) {
		return nil, nil, nil, false
	}
	sig := svd.Values(nil)
	var x, y mat.Dense
	svd.UTo(&x)
	svd.VTo(&y)
	bk := beta[k-1]
	for i := range rank {
		if math.Abs(bk*x.At(k-1, i)) > lanczosTol*sv[0] || math.Abs(sig[i]-sv[i]) > valueTol*sv[0] {
			return nil, nil, nil, false
		}
	}
	n := us.RawMatrix().Cols
	l = mat.NewDense(n, rank, nil)
	l.Mul(us.Slice(0, k, 0, n).T(), x.Slice(0, k, 0, rank))
	r = mat.NewDense(n, rank, nil)
	r.Mul(vs.Slice(0, k, 0, n).T(), y.Slice(0, k, 0, rank))
	return slices.Clone(sv[:rank]), l, r, true
}
