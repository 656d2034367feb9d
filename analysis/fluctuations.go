package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// FluctuationProbes returns the projection vectors whose series vᵀφ(t) Fluctuations reads
// (docs/science.md §6.4), in this order: the D columns of L (x = Lᵀφ), the D columns of R
// (Rᵀφ), the D unit vectors P_k = R_⊥e_k/‖R_⊥e_k‖ of the row space outside the column space
// (zero vectors where R_⊥e_k = 0; y = R_⊥ᵀφ = diag‖R_⊥e_k‖·Pᵀφ), and probes Rademacher
// vectors w with iid entries ±1/√N drawn from rng. For any covariance C of φ,
// E_w[wᵀCw] = tr(C)/N = c_φ, so the mean variance of the probe projections estimates
// c_φ = (1/N)Σ_i Var_t φ_i without recording the N unit trajectories.
func FluctuationProbes(L, R *mat.Dense, probes int, rng *rand.Rand) [][]float64 {
	n, d := L.Dims()
	var out [][]float64
	for k := 0; k < d; k++ {
		out = append(out, mat.Col(nil, k, L))
	}
	for k := 0; k < d; k++ {
		out = append(out, mat.Col(nil, k, R))
	}
	al := &Alignment{L: L, R: R, A: mat.NewDense(d, d, nil)}
	al.A.Mul(L.T(), R)
	rp := al.RPerp()
	for k := 0; k < d; k++ {
		v := mat.Col(nil, k, rp)
		if nv := floats.Norm(v, 2); nv > 1e-12 {
			floats.Scale(1/nv, v)
		} else {
			floats.Scale(0, v)
		}
		out = append(out, v)
	}
	s := 1 / math.Sqrt(float64(n))
	for p := 0; p < probes; p++ {
		w := make([]float64, n)
		for i := range w {
			w[i] = s
			if rng.IntN(2) == 0 {
				w[i] = -s
			}
		}
		out = append(out, w)
	}
	return out
}

// Fluctuations is the macroscopic-fluctuation analysis of recorded projections
// (docs/science.md §6.4–§6.5).
type Fluctuations struct {
	// Gamma and Theta are the singular values γ_k = cos θ_k of A = LᵀR (decreasing) and
	// the principal angles θ_k (radians); U (D×D) holds the left singular vectors u_k.
	Gamma, Theta []float64
	U            *mat.Dense
	// CovX is the covariance of x = Lᵀφ over time (D×D).
	CovX *mat.SymDense
	// CPhi is c_φ = (1/N)Σ_i Var_t φ_i, estimated from the probe projections.
	CPhi float64
	// Amplitude[k] is std_t(u_kᵀx), the amplitude of macroscopic mode L·u_k.
	Amplitude []float64
	// Predicted[k] is tan θ_k·√c_φ (§6.4 item 2), +Inf for θ = 90°.
	Predicted []float64
	// RowStd[k] is std_t((Rᵀφ)_k), which balance keeps O(N^{-1/2}) (§6.4 item 2).
	RowStd []float64
	// PerpStd[k] is std_t(P_kᵀφ), the unit-normalized row-space projection outside span(L)
	// (the y_w of §6.5; ≈ √c_φ); 0 where θ_k = 0.
	PerpStd []float64
	// MeanX is the time average of x = Lᵀφ.
	MeanX []float64
}

// AnalyzeFluctuations computes Fluctuations from series[p][t] = v_pᵀφ(t) of the vectors of
// FluctuationProbes(L, R, probes, ·), with L, R (N×D) the structure:
//
//	Cov(x), x = Lᵀφ;   A = LᵀR = U Γ Vᵀ;   amplitude_k = √(u_kᵀ Cov(x) u_k);
//	c_φ ≈ mean_p Var_t(w_pᵀφ);   prediction_k = tan θ_k·√c_φ.
//
// It panics if the number of series does not match.
func AnalyzeFluctuations(L, R *mat.Dense, series [][]float64) (*Fluctuations, error) {
	_, d := L.Dims()
	if len(series) < 3*d+1 {
		panic(fmt.Sprintf("analysis: %d series, want 3D + probes = %d + at least 1", len(series), 3*d))
	}
	A := mat.NewDense(d, d, nil)
	A.Mul(L.T(), R)
	var svd mat.SVD
	if !svd.Factorize(A, mat.SVDFull) {
		return nil, fmt.Errorf("fluctuations: SVD of the alignment matrix: %w", ErrNoConvergence)
	}
	f := &Fluctuations{Gamma: svd.Values(nil), U: new(mat.Dense)}
	svd.UTo(f.U)
	T := len(series[0])
	if T < 2 {
		return nil, fmt.Errorf("fluctuations: %d records, want at least 2", T)
	}
	x := mat.NewDense(T, d, nil)
	for k := 0; k < d; k++ {
		x.SetCol(k, series[k])
		f.MeanX = append(f.MeanX, stat.Mean(series[k], nil))
	}
	f.CovX = mat.NewSymDense(d, nil)
	stat.CovarianceMatrix(f.CovX, x, nil)
	probes := series[3*d:]
	for _, p := range probes {
		f.CPhi += stat.Variance(p, nil) / float64(len(probes))
	}
	for k := 0; k < d; k++ {
		g := math.Min(f.Gamma[k], 1)
		f.Gamma[k] = g
		f.Theta = append(f.Theta, math.Acos(g))
		u := f.U.ColView(k)
		f.Amplitude = append(f.Amplitude, math.Sqrt(math.Max(mat.Inner(u, f.CovX, u), 0)))
		pred := math.Inf(1)
		if g > 0 {
			pred = math.Sqrt(1-g*g) / g * math.Sqrt(f.CPhi)
		}
		f.Predicted = append(f.Predicted, pred)
		f.RowStd = append(f.RowStd, stat.StdDev(series[d+k], nil))
		f.PerpStd = append(f.PerpStd, stat.StdDev(series[2*d+k], nil))
	}
	return f, nil
}
