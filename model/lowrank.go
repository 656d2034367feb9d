package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// LowRankStructures are the values of LowRankSettings.Structure.
var LowRankStructures = []string{"angles", "ei", "outdegree", "misaligned"}

// LowRankScalings are the values of LowRankSettings.Scaling.
var LowRankScalings = []string{"strong", "balance"}

// LowRankSettings configure Init "lowrank" (configuration section network.lowrank;
// docs/science.md §6.2–§6.7): J = g·Z/√N + Jˢ with the rank-D structure Jˢ = L·S·Rᵀ of
// LowRank.
type LowRankSettings struct {
	// Structure is "angles" (principal angles ThetaDeg, strengths Strength), "ei" (the E–I
	// block means of network.ei, rank 2), "outdegree" ((κ·s/N)·1·kᵀ with out-degree weights
	// k of coefficient of variation CVk, rank 1: tan θ = CV_k) or "misaligned" (the 2018
	// coherent-chaos structure, every θ_k = 90°). "" means "angles".
	Structure string `yaml:"structure"`
	// Scaling is "strong" (κ = √N: s_k = O(√N), external input O(√N) per unit, §6.2) or
	// "balance" (κ = b: the Engelken model −(bJ₀/N)11ᵀ is the rank-one, θ = 0 case).
	// "" means "strong".
	Scaling string `yaml:"scaling"`
	// Rank is D, 1 ≤ D ≤ N/2 (2 for structure ei).
	Rank int `yaml:"rank"`
	// Strength lists s_k ≥ 0 (length D): the singular values of Jˢ are κ·s_k.
	Strength []float64 `yaml:"strength"`
	// ThetaDeg lists the principal angles θ_k ∈ [0°, 90°] (length D) between span(L) and
	// span(R), for structure angles.
	ThetaDeg []float64 `yaml:"theta_deg"`
	// CVk is the coefficient of variation (1/N normalization) of the out-degree weights
	// k_j = 1 ± CV_k of structure outdegree, 0 ≤ CV_k < 1 (so that every k_j > 0).
	CVk float64 `yaml:"cv_k"`
	// Excitatory flips the sign of the structure: by default R_k = −(cos θ_k L_k + sin θ_k P_k),
	// an inhibitory (balancing) structure whose nonzero eigenvalues are −κ s_k cos θ_k for
	// diagonal S·Aᵀ; with Excitatory they are +κ s_k cos θ_k.
	Excitatory bool `yaml:"excitatory"`
	// Input lists the coefficients c_k (length D, or empty for c = e_1, the uniform
	// direction) of the external-input direction in the input basis B of the structure
	// (LowRank.Basis, a basis of span(L)).
	Input []float64 `yaml:"input"`
	// InputOff adds a component of this size along a unit vector orthogonal to span(L) and
	// span(R) to the (normalized) input direction before renormalizing: input that balance
	// cannot cancel (§6.4 item 1). 0 keeps the input in span(L).
	InputOff float64 `yaml:"input_off"`
}

// DefaultLowRankSettings is the §6.5 structure: rank one, strength 1 (= J₀), θ = 30°,
// strong-coupling scaling.
func DefaultLowRankSettings() LowRankSettings {
	return LowRankSettings{Structure: "angles", Scaling: "strong", Rank: 1,
		Strength: []float64{1}, ThetaDeg: []float64{30}}
}

// LowRank is a constructed rank-D structure Jˢ = L·S·Rᵀ (docs/science.md §6.2–§6.3).
type LowRank struct {
	// L and R (N×D) have orthonormal columns; S holds the singular values κ·s_k ≥ 0.
	L, R *mat.Dense
	S    []float64
	// Gamma holds the designed singular values cos θ_k of A = LᵀR (in column order, not
	// sorted).
	Gamma []float64
	// Kappa is the scale κ (√N or b).
	Kappa float64
	// Basis (N×D, orthonormal columns spanning span(L)) is the basis of LowRankSettings.Input.
	Basis *mat.Dense
	// Input is the unit external-input direction u (length N); the external drive is
	// h_ext = κ·I₀·√N·u, so that a uniform u gives κ·I₀ per unit.
	Input []float64
}

// Structured returns Jˢ = L·diag(S)·Rᵀ (N×N).
func (lr *LowRank) Structured() *mat.Dense {
	n, d := lr.L.Dims()
	var ls mat.Dense
	ls.Mul(lr.L, mat.NewDiagDense(d, lr.S))
	js := mat.NewDense(n, n, nil)
	js.Mul(&ls, lr.R.T())
	return js
}

// External returns the constant external drive h_ext = κ·I₀·√N·u (length N).
func (lr *LowRank) External(i0 float64) []float64 {
	out := make([]float64, len(lr.Input))
	c := lr.Kappa * i0 * math.Sqrt(float64(len(lr.Input)))
	for i, v := range lr.Input {
		out[i] = c * v
	}
	return out
}

// NewLowRank builds the structure of Init "lowrank" for the network settings s. It is
// deterministic (a function of the settings only), so MeanCoupling can return it and
// J − (J_init − MeanCoupling) recovers it exactly (§6.6 step 1).
//
// Structure angles, with the orthonormal vectors e_0 = 1/√N, q_1, q_2, … (modified
// Gram–Schmidt, twice, of ±1 square waves sign cos(πk(i+½)/N)):
//
//	L_1 = e_0, L_k = q_{k−1} (k = 2…D),  P_k = q_{D−1+k} ⊥ span(L),
//	R_k = ∓(cos θ_k L_k + sin θ_k P_k),  S = κ·diag(s_k),
//
// so A = LᵀR = ∓diag(cos θ_k) has singular values exactly cos θ_k, R has orthonormal
// columns, L·S·Rᵀ is an SVD of Jˢ, and its nonzero eigenvalues are eig(S·Aᵀ) = ∓κ s_k cos θ_k
// (§6.3). For D = 1 and θ = 0 it is −(κs/N)·11ᵀ: with balance scaling and s = J₀ the
// Engelken mean coupling. Structure outdegree is angles with D = 1 and tan θ = CV_k:
// Jˢ = ∓(κs/N)·1·kᵀ, k = 1 + CV_k·q_1 √N (a ±1 pattern, mean 1, CV exactly CV_k).
// Structure misaligned is angles with every θ_k = 90° (for D = 1 the 2018 model ξ = 1, ν = ±1).
// Structure ei is κ·M with M the E–I block means of MeanCoupling's Init "ei": with the
// population indicators P = [1_E/√N_E, 1_I/√N_I] and K = diag(√N_x)·m·diag(√N_y)
// = U Σ Vᵀ, L = P·U, R = P·V, S = κΣ; eig(Jˢ) \ {0} = eig(K).
func NewLowRank(s Settings) (*LowRank, error) {
	lr := s.LowRank
	n := s.N
	d := lr.Rank
	if lr.Structure == "ei" {
		d = 2
	}
	if d < 1 || 2*d > n {
		return nil, fmt.Errorf("model: low-rank rank D = %d for N = %d (allowed: 1 ≤ D ≤ N/2)", d, n)
	}
	var kappa float64
	switch lr.Scaling {
	case "", "strong":
		kappa = math.Sqrt(float64(n))
	case "balance":
		kappa = s.B
	default:
		return nil, fmt.Errorf("model: unknown low-rank scaling %q (allowed: strong, balance)", lr.Scaling)
	}
	sign := -1.0
	if lr.Excitatory {
		sign = 1
	}
	out := &LowRank{Kappa: kappa}
	var nb int // basis vectors needed beyond e_0
	switch lr.Structure {
	case "", "angles", "outdegree", "misaligned":
		nb = 2*d - 1
	case "ei":
		nb = 0
	default:
		return nil, fmt.Errorf("model: unknown low-rank structure %q (allowed: angles, ei, outdegree, misaligned)", lr.Structure)
	}
	if lr.InputOff != 0 {
		nb++
	}
	if nb+1 > n {
		return nil, fmt.Errorf("model: low-rank structure of rank %d with input_off needs N ≥ %d, have %d", d, nb+1, n)
	}
	q, err := squareWaveBasis(n, nb)
	if err != nil {
		return nil, err
	}
	e0 := make([]float64, n)
	for i := range e0 {
		e0[i] = 1 / math.Sqrt(float64(n))
	}

	if lr.Structure == "ei" {
		if err := out.buildEI(s, kappa); err != nil {
			return nil, err
		}
	} else {
		theta := make([]float64, d)
		strength := lr.Strength
		switch lr.Structure {
		case "outdegree":
			if d != 1 {
				return nil, fmt.Errorf("model: low-rank structure outdegree has rank 1, not %d", d)
			}
			theta[0] = math.Atan(lr.CVk)
		case "misaligned":
			for k := range theta {
				theta[k] = math.Pi / 2
			}
		default:
			if len(lr.ThetaDeg) != d {
				return nil, fmt.Errorf("model: %d low-rank angles for rank %d", len(lr.ThetaDeg), d)
			}
			for k, t := range lr.ThetaDeg {
				theta[k] = t * math.Pi / 180
			}
		}
		if len(strength) != d {
			return nil, fmt.Errorf("model: %d low-rank strengths for rank %d", len(strength), d)
		}
		out.L, out.R = mat.NewDense(n, d, nil), mat.NewDense(n, d, nil)
		out.S, out.Gamma = make([]float64, d), make([]float64, d)
		for k := 0; k < d; k++ {
			lk := e0
			if k > 0 {
				lk = q[k-1]
			}
			pk := q[d-1+k]
			c, sn := math.Cos(theta[k]), math.Sin(theta[k])
			if lr.Structure == "misaligned" || theta[k] == math.Pi/2 {
				c, sn = 0, 1
			}
			if theta[k] == 0 {
				c, sn = 1, 0
			}
			for i := 0; i < n; i++ {
				out.L.Set(i, k, lk[i])
				out.R.Set(i, k, sign*(c*lk[i]+sn*pk[i]))
			}
			out.S[k] = kappa * strength[k]
			if lr.Structure == "outdegree" {
				out.S[k] /= c // N·mean(Jˢ) = ∓κ·s whatever CV_k
			}
			out.Gamma[k] = c
		}
		out.Basis = out.L
	}

	// The input direction u: Basis·c normalized, plus InputOff along a vector ⊥ L, R.
	_, db := out.Basis.Dims()
	c := lr.Input
	if len(c) == 0 {
		c = make([]float64, db)
		c[0] = 1
	}
	if len(c) != db {
		return nil, fmt.Errorf("model: low-rank input has %d coefficients, want D = %d", len(c), db)
	}
	u := make([]float64, n)
	for k, ck := range c {
		floats.AddScaled(u, ck, mat.Col(nil, k, out.Basis))
	}
	nu := floats.Norm(u, 2)
	if !(nu > 0) {
		return nil, fmt.Errorf("model: low-rank input direction %v is zero", c)
	}
	floats.Scale(1/nu, u)
	if lr.InputOff != 0 {
		floats.AddScaled(u, lr.InputOff, q[nb-1])
		floats.Scale(1/floats.Norm(u, 2), u)
	}
	out.Input = u
	return out, nil
}

// buildEI sets L, S, R of the E–I block means (see NewLowRank).
func (lr *LowRank) buildEI(s Settings, kappa float64) error {
	n := s.N
	var div float64
	switch s.EI.Scale {
	case "half":
		div = float64(n) / 2
	case "full":
		div = float64(n)
	default:
		return fmt.Errorf("model: unknown E–I block scale %q (allowed: half, full)", s.EI.Scale)
	}
	ne := n / 2
	sizes := [2]float64{float64(ne), float64(n - ne)}
	m := [2][2]float64{{s.EI.EE, s.EI.EI}, {s.EI.IE, s.EI.II}}
	K := mat.NewDense(2, 2, nil)
	for x := 0; x < 2; x++ {
		for y := 0; y < 2; y++ {
			K.Set(x, y, kappa*m[x][y]/div*math.Sqrt(sizes[x]*sizes[y]))
		}
	}
	var svd mat.SVD
	if !svd.Factorize(K, mat.SVDFull) {
		return fmt.Errorf("model: SVD of the E–I block means failed")
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	P := mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		if i < ne {
			P.Set(i, 0, 1/math.Sqrt(sizes[0]))
		} else {
			P.Set(i, 1, 1/math.Sqrt(sizes[1]))
		}
	}
	lr.L, lr.R = mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	lr.L.Mul(P, &u)
	lr.R.Mul(P, &v)
	lr.S = svd.Values(nil)
	// A = LᵀR = UᵀV is orthogonal: both singular values are 1.
	lr.Gamma = []float64{1, 1}
	lr.Basis = P
	return nil
}

// squareWaveBasis returns m orthonormal vectors of length n orthogonal to the uniform
// vector: modified Gram–Schmidt (two passes, for orthogonality to rounding) of the ±1
// square waves w_k(i) = sign cos(πk(i+½)/n), k = 1, 2, …, skipping any that is (nearly)
// dependent on the previous ones.
func squareWaveBasis(n, m int) ([][]float64, error) {
	e0 := make([]float64, n)
	for i := range e0 {
		e0[i] = 1 / math.Sqrt(float64(n))
	}
	basis := [][]float64{e0}
	for k := 1; len(basis) < m+1 && k < 4*n; k++ {
		w := make([]float64, n)
		for i := range w {
			if math.Cos(math.Pi*float64(k)*(float64(i)+0.5)/float64(n)) >= 0 {
				w[i] = 1
			} else {
				w[i] = -1
			}
		}
		norm0 := floats.Norm(w, 2)
		for pass := 0; pass < 2; pass++ {
			for _, b := range basis {
				floats.AddScaled(w, -floats.Dot(w, b), b)
			}
		}
		if nw := floats.Norm(w, 2); nw > 1e-6*norm0 {
			floats.Scale(1/nw, w)
			basis = append(basis, w)
		}
	}
	if len(basis) < m+1 {
		return nil, fmt.Errorf("model: could not build %d orthonormal directions for N = %d", m, n)
	}
	return basis[1:], nil
}
