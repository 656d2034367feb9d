package info

import (
	"fmt"
	"math"
)

// MIDensity returns the mutual-information rate density of a Gaussian channel with
// coherence c, r(f) = −log₂(1 − C(f)) (docs/science.md §4.1), in bits per unit time per
// unit frequency. C = 1 gives +Inf.
func MIDensity(c []float64) []float64 {
	r := make([]float64, len(c))
	for i, v := range c {
		r[i] = -math.Log2(1 - v)
	}
	return r
}

// RateLB returns the lower bound on the mutual-information rate, Eq. 14,
//
//	R_lb = −∫₀^{f_cut} log₂(1 − C(f)) df,
//
// by the trapezoidal rule over the grid points f ≤ fcut (no interpolation at f_cut), as
// the reference does with numpy.trapz on the Welch grid. fcut ≤ 0 means no cutoff.
func RateLB(f, c []float64, fcut float64) float64 {
	r := MIDensity(c)
	var sum float64
	for i := 1; i < len(f); i++ {
		if fcut > 0 && f[i] > fcut {
			break
		}
		sum += 0.5 * (f[i] - f[i-1]) * (r[i] + r[i-1])
	}
	return sum
}

// Rate is an information-rate estimate with what is needed to judge it: the number
// of segments K, the resolution Δf and the cutoff f_cut, and the bias floor of the raw
// estimator (docs/science.md §4.4).
type Rate struct {
	RLB  float64 // R_lb of Eq. 14 from the raw coherence
	K    int     // segments
	KEff float64 // effective number of independent segments, 1/NullCoherence
	DF   float64 // Δf = f_s/L
	FCut float64 // upper integration limit actually used
	// Floor is the R_lb that independent signals would give on average:
	// −log₂(1 − 1/K_eff)·f_cut.
	Floor float64
	// Corrected is R_lb of the bias-corrected coherence (NaN unless asked for).
	Corrected float64
}

// BelowFloor reports whether the estimate is within twice its bias floor, where it says
// little about the signals.
func (r Rate) BelowFloor() bool { return r.RLB < 2*r.Floor }

// Information estimates the information rate between x (the input) and y (the
// response): Welch spectra, coherence, R_lb up to fcut (0 means Nyquist f_s/2), the bias
// floor from NullCoherence, and with correct also R_lb of the bias-corrected coherence
// (CorrectBias).
func Information(x, y []float64, w Welch, fcut float64, correct bool) (*Spectra, Rate, error) {
	return InformationAll([][]float64{x}, [][]float64{y}, w, fcut, correct)
}

// InformationAll is Information for several independent realizations, whose spectra are
// averaged (EstimateAll).
func InformationAll(x, y [][]float64, w Welch, fcut float64, correct bool) (*Spectra, Rate, error) {
	if fcut < 0 || fcut > w.FS/2*(1+1e-12) {
		return nil, Rate{}, fmt.Errorf("info: f_cut = %g, want 0 (Nyquist) or up to the Nyquist frequency %g", fcut, w.FS/2)
	}
	sp, err := EstimateAll(x, y, w)
	if err != nil {
		return nil, Rate{}, err
	}
	if fcut == 0 {
		fcut = w.FS / 2
	}
	c := sp.Coherence()
	null, err := NullCoherenceAll(x, y, w)
	if err != nil {
		return nil, Rate{}, err
	}
	keff := 1 / null
	r := Rate{RLB: RateLB(sp.F, c, fcut), K: sp.K, KEff: keff, DF: sp.DF, FCut: fcut,
		Floor: -math.Log2(1-1/keff) * fcut, Corrected: math.NaN()}
	if correct {
		r.Corrected = RateLB(sp.F, CorrectBias(c, keff), fcut)
	}
	return sp, r, nil
}
