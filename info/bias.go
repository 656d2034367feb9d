package info

import "math"

// NullCoherence estimates the mean coherence E[Ĉ] that the estimator returns for two
// independent signals with the spectra of x and y: the coherence of x with y circularly
// shifted by half the record (so that the paired segments are far apart in time),
// averaged over the frequency bins 1 … ⌊L/2⌋−1. For a record much longer than the
// signals' correlation time the shifted pair is independent, and for Gaussian signals the
// null mean does not depend on frequency, so the average over ≈ L/2 bins estimates it to a
// few percent. Without overlap it is 1/K exactly (Ĉ ~ Beta(1, K−1)); with the default 50%
// overlap of Hann segments it is about 1.07/K (0.00419 for K = 255, docs/science.md §4.4).
func NullCoherence(x, y []float64, w Welch) (float64, error) {
	return NullCoherenceAll([][]float64{x}, [][]float64{y}, w)
}

// NullCoherenceAll is NullCoherence for the spectra of several realizations averaged by
// EstimateAll (each y[r] shifted against its own x[r]).
func NullCoherenceAll(x, y [][]float64, w Welch) (float64, error) {
	sh := make([][]float64, len(y))
	for r, v := range y {
		n := len(v)
		s := make([]float64, n)
		copy(s, v[n/2:])
		copy(s[n-n/2:], v[:n/2])
		sh[r] = s
	}
	sp, err := EstimateAll(x, sh, w)
	if err != nil {
		return 0, err
	}
	c := sp.Coherence()
	var sum float64
	var cnt int
	for _, v := range c[1 : len(c)-1] {
		if v == v { // not NaN
			sum += v
			cnt++
		}
	}
	return sum / float64(cnt), nil
}

// CorrectBias returns the bias-corrected coherence (off by default; docs/science.md §4.4).
// To first order in 1/K the magnitude-squared coherence estimate has the mean
// (Carter, Knapp & Nuttall 1973)
//
//	E[Ĉ] ≈ C + (1 − C)²/K_eff,
//
// where K_eff is the effective number of independent segments, K_eff = 1/E[Ĉ | C = 0]
// (K for disjoint segments; see NullCoherence for overlapping ones). Solving for C with
// u = 1 − C gives u²/K_eff − u + (1 − Ĉ) = 0, whose root continuous with u = 1 − Ĉ at
// K_eff → ∞ is
//
//	1 − C = (K_eff/2)·(1 − √(1 − 4(1 − Ĉ)/K_eff)),
//
// not clipped at 0: bins below the null mean give a slightly negative C and density, so
// that the integral stays unbiased (clipping would leave a positive floor). The
// correction removes the ≈ f_cut·(−log₂(1 − 1/K_eff)) floor of R_lb (11.6 bits/τ at the
// Fig. 5 setting) but leaves the statistical scatter; it needs K_eff ≥ 4 (NaN otherwise).
func CorrectBias(c []float64, keff float64) []float64 {
	out := make([]float64, len(c))
	for i, v := range c {
		if keff < 4 {
			out[i] = math.NaN()
			continue
		}
		u := keff / 2 * (1 - math.Sqrt(1-4*(1-v)/keff))
		out[i] = 1 - u
	}
	return out
}
