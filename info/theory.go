package info

import (
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
)

// Params are the parameters of the closed forms of appendix D (docs/science.md §4.2), in
// the convention of the paper's spectra: the OU amplitude I₁ enters through the signal
// spectrum 2τ_S I₁²/(1+(2πτ_S f)²). For the reference (Julia) OU at τ_S ≠ 1 use
// I₁_paper = I₁_Julia/√τ_S (docs/science.md §4.2 "Convention"); at τ_S = τ = 1 they coincide.
type Params struct {
	N     int     // units
	B     float64 // balance b
	Sigma float64 // noise σ
	Tau   float64 // τ (0 means 1)
	TauS  float64 // τ_S (0 means 1)
	I1    float64 // OU amplitude I₁
	// FCut is the band limit f_cut of Eqs. 15–16 (0 means none).
	FCut float64
}

func (p Params) tau() float64 {
	if p.Tau == 0 {
		return 1
	}
	return p.Tau
}

func (p Params) tauS() float64 {
	if p.TauS == 0 {
		return 1
	}
	return p.TauS
}

func (p Params) inBand(f float64) bool { return p.FCut <= 0 || f <= p.FCut }

// SignalPSD is Eq. 15: S_signal(f) = 2τ_S I₁²/(1+(2πτ_S f)²) for f ≤ f_cut, else 0.
func (p Params) SignalPSD(f float64) float64 {
	if !p.inBand(f) {
		return 0
	}
	x := 2 * math.Pi * p.tauS() * f
	return 2 * p.tauS() * p.I1 * p.I1 / (1 + x*x)
}

// NoisePSD is Eq. 16: S_noise(f) = 2σ²τ for f ≤ f_cut, else 0.
func (p Params) NoisePSD(f float64) float64 {
	if !p.inBand(f) {
		return 0
	}
	return 2 * p.Sigma * p.Sigma * p.tau()
}

// GainLeak is Eq. 17, the gain of a leaky unit: G_leak(f) = 1/√(1+4π²f²τ²).
func (p Params) GainLeak(f float64) float64 {
	x := 2 * math.Pi * f * p.tau()
	return 1 / math.Sqrt(1+x*x)
}

// GainEff is Eq. 18, the gain of the balanced population: G_eff(f) = 1/√(1+4π²f²τ²/b²).
func (p Params) GainEff(f float64) float64 {
	x := 2 * math.Pi * f * p.tau() / p.B
	return 1 / math.Sqrt(1+x*x)
}

// Coherence is Eq. 19: C(f) = S_signal/(S_signal + S_noise/(N b²)); 0 outside the band.
func (p Params) Coherence(f float64) float64 {
	s := p.SignalPSD(f)
	if s == 0 {
		return 0
	}
	return s / (s + p.NoisePSD(f)/(float64(p.N)*p.B*p.B))
}

// Density is Eq. 20: r_lb(f) = log₂(1 + N b² S_signal/S_noise).
func (p Params) Density(f float64) float64 {
	s := p.SignalPSD(f)
	if s == 0 {
		return 0
	}
	return math.Log2(1 + float64(p.N)*p.B*p.B*s/p.NoisePSD(f))
}

// q is N τ_S I₁² b²/(σ²τ), the zero-frequency signal-to-noise ratio N b² S_signal(0)/S_noise.
func (p Params) q() float64 {
	return float64(p.N) * p.tauS() * p.I1 * p.I1 * p.B * p.B / (p.Sigma * p.Sigma * p.tau())
}

// Rate21 is Eq. 21, the integral of Eq. 20 over all frequencies (f_cut ignored),
//
//	R_lb = (√(N τ_S I₁² b²/(σ²τ) + 1) − 1)/(2τ_S ln 2),
//
// from ∫₀^∞ ln(1 + a/(1+x²)) dx = π(√(1+a) − 1). 6.5281, 71.4170, 720.6265 bits/τ at
// b = 1, 10, 100 for the Fig. 5 parameters (docs/science.md §4.3).
func (p Params) Rate21() float64 {
	return (math.Sqrt(p.q()+1) - 1) / (2 * p.tauS() * math.Ln2)
}

// Rate21Cut is Eq. 21 with the band limit: the integral of Eq. 20 from 0 to f_cut,
//
//	R_lb = [X ln((X²+A²)/(X²+1)) + 2A·atan(X/A) − 2·atan X]/(2πτ_S ln 2),
//
// with X = 2πτ_S f_cut and A = √(1+q), from ∫ ln(x²+a²) dx = x ln(x²+a²) − 2x + 2a·atan(x/a).
// It tends to Rate21 as f_cut → ∞; FCut = 0 returns Rate21.
func (p Params) Rate21Cut() float64 {
	if p.FCut <= 0 {
		return p.Rate21()
	}
	x := 2 * math.Pi * p.tauS() * p.FCut
	a := math.Sqrt(1 + p.q())
	v := x*math.Log((x*x+a*a)/(x*x+1)) + 2*a*math.Atan(x/a) - 2*math.Atan(x)
	return v / (2 * math.Pi * p.tauS() * math.Ln2)
}

// Rate22 is Eq. 22, the large-SNR limit of Eq. 21, written dimensionally correct
// (docs/science.md §4.2): R_lb ≈ b·I₁√N/(2σ√(τ_S τ)·ln 2). 7.21348·b bits/τ for Fig. 5.
func (p Params) Rate22() float64 {
	return p.B * p.I1 * math.Sqrt(float64(p.N)) / (2 * p.Sigma * math.Sqrt(p.tauS()*p.tau()) * math.Ln2)
}

// Linear is the g = 0 network with every unit active (docs/science.md §4.2 "Exactness"),
// simulated with the Euler–Maruyama step at Δt and recorded at every step. Its population
// rate obeys exactly the scalar recursion
//
//	ν_{n+1} = a·ν_n + Δt·b·w̄·I_n + σ√Δt·ζ̄_n,   a = 1 − (Δt/τ)(1 + c),
//
// where c = −N·(column sum of J)/N is the mean-mode coupling strength (bJ₀, or
// bJ₀(N−1)/N with a zero diagonal), w̄ the mean input weight (divided by S), and ζ̄ the mean
// of N independent standard normals (variance 1/N). With x_k = I_k and y_k = ν_{k+1}
// (the input of a step paired with the state it produced, as the simulator records them),
// y = H·x + H_ζ·ζ̄ with the Euler transfer functions
//
//	H(ω) = Δt·b·w̄/(τ(1 − a e^{−iω})),   H_ζ(ω) = σ√(Δt/τ)/(1 − a e^{−iω}),   ω = 2πfΔt,
//
// and the input is the exact AR(1) sample of the OU process (reference convention),
// S_x(ω) = c_I²/|1 − ρ e^{−iω}|², ρ = e^{−Δt/τ_S}, c_I² = Var·(1 − ρ²), Var = I₁²/(2τ_S).
// The spectra are two-sided per sample; every scale factor cancels in the coherence.
type Linear struct {
	N        int
	B        float64 // balance b (the input gain b·w̄)
	Coupling float64 // c: the mean mode decays at rate (1 + c)/τ
	WinMean  float64 // w̄ (0 means 1)
	Sigma    float64
	Tau      float64 // 0 means 1
	TauS     float64 // > 0
	I1       float64 // reference (Julia) convention: Var(I) = I₁²/(2τ_S)
	DT       float64 // Euler step = recording interval
}

func (l Linear) tau() float64 {
	if l.Tau == 0 {
		return 1
	}
	return l.Tau
}

func (l Linear) wbar() float64 {
	if l.WinMean == 0 {
		return 1
	}
	return l.WinMean
}

// Spectra returns S_xx, S_yy and S_xy = conj(X)·Y (two-sided, per sample) at ω = 2πfΔt.
func (l Linear) Spectra(f float64) (sxx, syy float64, sxy complex128) {
	w := 2 * math.Pi * f * l.DT
	z := cmplx.Exp(complex(0, -w))
	a := 1 - l.DT/l.tau()*(1+l.Coupling)
	rho := math.Exp(-l.DT / l.TauS)
	v := l.I1 * l.I1 / (2 * l.TauS)
	den := 1 - complex(a, 0)*z
	h := complex(l.DT*l.B*l.wbar()/l.tau(), 0) / den
	hz := complex(l.Sigma*math.Sqrt(l.DT/l.tau()), 0) / den
	in := 1 - complex(rho, 0)*z
	sxx = v * (1 - rho*rho) / (real(in)*real(in) + imag(in)*imag(in))
	hh := real(h)*real(h) + imag(h)*imag(h)
	noise := (real(hz)*real(hz) + imag(hz)*imag(hz)) / float64(l.N)
	return sxx, hh*sxx + noise, h * complex(sxx, 0)
}

// Coherence returns the exact coherence of the recorded pair (I, ν) at f:
// |S_xy|²/(S_xx S_yy) = |H|²S_x/(|H|²S_x + |H_ζ|²/N). Both paths share the Euler pole, so
// it is (Δt b w̄)² S_x/((Δt b w̄)² S_x + σ²Δt τ/N), exact at any Δt up to Nyquist; its
// continuous-time limit is Eq. 19.
func (l Linear) Coherence(f float64) float64 {
	sxx, syy, sxy := l.Spectra(f)
	return (real(sxy)*real(sxy) + imag(sxy)*imag(sxy)) / (sxx * syy)
}

// WelchCoherence returns the coherence the Welch estimator w converges to for this
// network as the record grows (K → ∞): the ratio |E P_xy|²/(E P_xx · E P_yy) of the
// expected Welch spectra, each the true spectrum smoothed by the window's spectral kernel,
//
//	E P(ω_k) ∝ Σ_m |W(ω_k − θ_m)|² S(θ_m),
//
// evaluated on a grid of M = 32·L frequencies θ_m (|W|² from the FFT of the zero-padded
// Hann window). The smoothing mixes the phases of H, so this, unlike Coherence, depends on
// the Euler pole; it is what a long simulation must match (docs/science.md §4.4: the
// resolution Δf = f_s/L is coarse against the OU corner at small Δt). The constant detrend
// is not modelled: it removes the segment mean, which changes bins 0 and 1 (the Hann
// window's DFT is non-zero there), so those two are returned as NaN (not predicted).
func (l Linear) WelchCoherence(w Welch) []float64 {
	L := w.nperseg()
	m := 32 * L
	win := Hann(L)
	pad := make([]complex128, m)
	for i, v := range win {
		pad[i] = complex(v, 0)
	}
	fft := fourier.NewCmplxFFT(m)
	W := fft.Coefficients(nil, pad)
	k2 := make([]float64, m)
	for i, v := range W {
		k2[i] = real(v)*real(v) + imag(v)*imag(v)
	}
	sx, sy := make([]float64, m), make([]float64, m)
	sc := make([]complex128, m)
	fs := 1 / l.DT
	for i := 0; i < m; i++ {
		sx[i], sy[i], sc[i] = l.Spectra(float64(i) * fs / float64(m))
	}
	// Circular convolutions E(θ_c) = Σ_j |W|²(θ_c − θ_j)·S(θ_j) by FFT; the common scale of
	// the unnormalized transforms cancels in the ratio.
	K := fft.Coefficients(nil, toComplex(k2))
	conv := func(s []complex128) []complex128 {
		t := fft.Coefficients(nil, s)
		for i := range t {
			t[i] *= K[i]
		}
		return fft.Sequence(nil, t)
	}
	ex, ey, exy := conv(toComplex(sx)), conv(toComplex(sy)), conv(sc)
	out := make([]float64, L/2+1)
	for k := range out {
		c := k * (m / L) // ω_k on the fine grid
		x, y, xy := real(ex[c]), real(ey[c]), exy[c]
		out[k] = (real(xy)*real(xy) + imag(xy)*imag(xy)) / (x * y)
	}
	for k := 0; k < 2 && k < len(out); k++ {
		out[k] = math.NaN()
	}
	return out
}

func toComplex(v []float64) []complex128 {
	out := make([]complex128, len(v))
	for i, x := range v {
		out[i] = complex(x, 0)
	}
	return out
}
