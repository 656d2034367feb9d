package info

import (
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
)

// DefaultNPerSeg is the segment length L = 2¹¹ of the paper's estimator (docs/science.md §4.1).
const DefaultNPerSeg = 2048

// Welch configures the Welch estimator, which replicates scipy.signal.csd, welch and
// coherence (docs/science.md §4.1) with their defaults otherwise: a periodic Hann window,
// constant detrend per segment, one-sided density scaling, mean over full segments only
// (no padding, no boundary extension), nfft = nperseg.
type Welch struct {
	// FS is the sampling frequency f_s = 1/Δt_record (required, > 0).
	FS float64
	// NPerSeg is the segment length L (0 means DefaultNPerSeg; at least 8).
	NPerSeg int
	// NOverlap is the overlap of consecutive segments (0 means L/2, integer division, as
	// scipy; −1 means none; at most L−1).
	NOverlap int
}

func (w Welch) nperseg() int {
	if w.NPerSeg == 0 {
		return DefaultNPerSeg
	}
	return w.NPerSeg
}

func (w Welch) noverlap() int {
	switch w.NOverlap {
	case 0:
		return w.nperseg() / 2
	case -1:
		return 0
	}
	return w.NOverlap
}

// Segments returns the number of full segments K = ⌊(n − noverlap)/(L − noverlap)⌋ of a
// record of n samples (K = 255 for n = 2¹⁸, L = 2¹¹), or 0 when n < L.
func (w Welch) Segments(n int) int {
	l, o := w.nperseg(), w.noverlap()
	if n < l {
		return 0
	}
	return (n - o) / (l - o)
}

// Check returns an error when the settings cannot estimate spectra of n samples.
func (w Welch) Check(n int) error {
	l, o := w.nperseg(), w.noverlap()
	switch {
	case !(w.FS > 0) || math.IsInf(w.FS, 0):
		return fmt.Errorf("info: sampling frequency %g, want a finite number > 0", w.FS)
	case l < 8:
		return fmt.Errorf("info: nperseg = %d, want at least 8", l)
	case o < 0 || o >= l:
		return fmt.Errorf("info: noverlap = %d, want 0 ≤ noverlap < nperseg = %d", o, l)
	case n < l:
		return fmt.Errorf("info: nperseg = %d is larger than the %d samples", l, n)
	}
	return nil
}

// Freqs returns the one-sided frequency grid f_k = k·f_s/L, k = 0 … ⌊L/2⌋.
func (w Welch) Freqs() []float64 {
	l := w.nperseg()
	f := make([]float64, l/2+1)
	for k := range f {
		f[k] = float64(k) * w.FS / float64(l)
	}
	return f
}

// DF returns the frequency resolution Δf = f_s/L.
func (w Welch) DF() float64 { return w.FS / float64(w.nperseg()) }

// Hann returns the periodic ("DFT-even") Hann window of length l, scipy's
// get_window('hann', l): w[n] = 0.5 − 0.5·cos(2πn/l).
func Hann(l int) []float64 {
	w := make([]float64, l)
	for n := range w {
		w[n] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(n)/float64(l))
	}
	return w
}

// Spectra are Welch estimates of the auto- and cross-spectral densities of two signals x
// and y on the grid F, from K segments.
type Spectra struct {
	F   []float64
	Pxx []float64    // one-sided PSD of x (scipy.signal.welch)
	Pyy []float64    // one-sided PSD of y
	Pxy []complex128 // one-sided CSD, conj(X)·Y (scipy.signal.csd(x, y))
	K   int          // segments averaged
	DF  float64      // f_s/L
}

// Estimate computes the Welch spectra of x and y (equal lengths) exactly as scipy does:
// for each full segment s of length L, starting every L − noverlap samples,
//
//	X_s = rfft(w·(x_s − mean x_s)),  P_xy = (1/K) Σ_s c_k·conj(X_s)·Y_s / (f_s Σ w²),
//
// with c_k = 2 except at f = 0 and, for even L, at the Nyquist frequency (c_k = 1).
func Estimate(x, y []float64, w Welch) (*Spectra, error) {
	if len(x) != len(y) {
		return nil, fmt.Errorf("info: signals of %d and %d samples, want equal lengths", len(x), len(y))
	}
	if err := w.Check(len(x)); err != nil {
		return nil, err
	}
	l, o := w.nperseg(), w.noverlap()
	k := w.Segments(len(x))
	win := Hann(l)
	var ss float64
	for _, v := range win {
		ss += v * v
	}
	scale := 1 / (w.FS * ss)
	nf := l/2 + 1
	sp := &Spectra{F: w.Freqs(), Pxx: make([]float64, nf), Pyy: make([]float64, nf),
		Pxy: make([]complex128, nf), K: k, DF: w.DF()}
	fft := fourier.NewFFT(l)
	seg := make([]float64, l)
	cx, cy := make([]complex128, nf), make([]complex128, nf)
	prep := func(src []float64, dst []complex128) {
		var m float64
		for _, v := range src {
			m += v
		}
		m /= float64(l)
		for i, v := range src {
			seg[i] = win[i] * (v - m)
		}
		fft.Coefficients(dst, seg)
	}
	for s := 0; s < k; s++ {
		a := s * (l - o)
		prep(x[a:a+l], cx)
		prep(y[a:a+l], cy)
		for i := 0; i < nf; i++ {
			X, Y := cx[i], cy[i]
			sp.Pxx[i] += real(X)*real(X) + imag(X)*imag(X)
			sp.Pyy[i] += real(Y)*real(Y) + imag(Y)*imag(Y)
			sp.Pxy[i] += cmplx.Conj(X) * Y
		}
	}
	for i := 0; i < nf; i++ {
		c := 2.0
		if i == 0 || (l%2 == 0 && i == nf-1) {
			c = 1
		}
		f := c * scale / float64(k)
		sp.Pxx[i] *= f
		sp.Pyy[i] *= f
		sp.Pxy[i] *= complex(f, 0)
	}
	return sp, nil
}

// EstimateAll averages the Welch spectra of several independent realizations (x[r], y[r]
// of equal lengths): the mean over all their segments, so K is the total count. For one
// realization it is Estimate.
func EstimateAll(x, y [][]float64, w Welch) (*Spectra, error) {
	if len(x) == 0 || len(x) != len(y) {
		return nil, fmt.Errorf("info: %d and %d realizations, want the same number ≥ 1", len(x), len(y))
	}
	var sum *Spectra
	for r := range x {
		sp, err := Estimate(x[r], y[r], w)
		if err != nil {
			return nil, err
		}
		if sum == nil {
			sum = sp
			continue
		}
		if sp.K != sum.K {
			return nil, fmt.Errorf("info: realizations of different lengths")
		}
		for i := range sp.F {
			sum.Pxx[i] += sp.Pxx[i]
			sum.Pyy[i] += sp.Pyy[i]
			sum.Pxy[i] += sp.Pxy[i]
		}
	}
	k := complex(float64(len(x)), 0)
	for i := range sum.F {
		sum.Pxx[i] /= real(k)
		sum.Pyy[i] /= real(k)
		sum.Pxy[i] /= k
	}
	sum.K *= len(x)
	return sum, nil
}

// Coherence returns the magnitude-squared coherence C(f) = |P_xy|²/(P_xx·P_yy)
// (scipy.signal.coherence). A bin where P_xx or P_yy is zero gives NaN, as in scipy.
func (sp *Spectra) Coherence() []float64 {
	c := make([]float64, len(sp.F))
	for i, p := range sp.Pxy {
		c[i] = (real(p)*real(p) + imag(p)*imag(p)) / sp.Pxx[i] / sp.Pyy[i]
	}
	return c
}

// Gain returns the dynamic gain G(f) = |P_xy|/P_xx of y with respect to x
// (docs/science.md §4.1).
func (sp *Spectra) Gain() []float64 {
	g := make([]float64, len(sp.F))
	for i, p := range sp.Pxy {
		g[i] = cmplx.Abs(p) / sp.Pxx[i]
	}
	return g
}
