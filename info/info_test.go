package info

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

func white(n int, rng *rand.Rand) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// scipy's hann(8) (docs/science.md §7.7).
func TestHann(t *testing.T) {
	want := []float64{0, 0.1464466094067262, 0.5, 0.8535533905932737, 1, 0.8535533905932737, 0.5, 0.1464466094067262}
	for i, v := range Hann(8) {
		if math.Abs(v-want[i]) > 1e-15 {
			t.Errorf("hann(8)[%d]: got %v, want %v", i, v, want[i])
		}
	}
}

// y = x gives C ≡ 1 (to rounding) and gain 1; y = 3x gives gain 3.
func TestIdentical(t *testing.T) {
	x := white(1<<14, rand.New(rand.NewPCG(1, 1)))
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = 3 * v
	}
	sp, err := Estimate(x, y, Welch{FS: 2, NPerSeg: 512})
	if err != nil {
		t.Fatal(err)
	}
	g := sp.Gain()
	for i, c := range sp.Coherence() {
		if math.Abs(c-1) > 1e-12 || math.Abs(g[i]-3) > 1e-12 {
			t.Fatalf("f = %v: C = %v, gain %v, want 1 and 3", sp.F[i], c, g[i])
		}
	}
}

// Two independent white signals cut into K disjoint segments: Ĉ ~ Beta(1, K−1) in every
// bin, mean 1/K, std ≈ 1/K. Averaged over the 1023 inner bins of L = 2048 (neighbouring
// Hann bins correlate: the squared correlation of adjacent coefficients is 4/9, so the
// variance of the mean is about (1 + 2·4/9)/1023 times that of one bin), the std of the
// mean is ≈ 0.043/K; the tolerance is 5 of those. With the default 50% overlap the mean is
// larger (docs/science.md §4.4 measured 0.00419 for K = 255): between 1/K and the
// numerator's value (1 + 2ρ²)/K, ρ = 1/3 the overlap correlation of Hann segments, and
// NullCoherence estimates it from the data within the same statistical tolerance.
func TestIndependentFloor(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	const L = 2048
	meanC := func(c []float64) float64 {
		var s float64
		for _, v := range c[1 : len(c)-1] {
			s += v
		}
		return s / float64(len(c)-2)
	}
	x, y := white(256*L, rng), white(256*L, rng)
	sp, err := Estimate(x, y, Welch{FS: 1, NPerSeg: L, NOverlap: -1})
	if err != nil {
		t.Fatal(err)
	}
	K := float64(sp.K)
	if sp.K != 256 {
		t.Fatalf("disjoint segments: K = %d, want 256", sp.K)
	}
	if got := meanC(sp.Coherence()); math.Abs(got*K-1) > 5*0.043 {
		t.Errorf("disjoint segments: mean Ĉ·K = %.4f, want 1 within %.3f", got*K, 5*0.043)
	}
	x, y = white(1<<18, rng), white(1<<18, rng)
	w := Welch{FS: 4096}
	sp, err = Estimate(x, y, w)
	if err != nil {
		t.Fatal(err)
	}
	K = float64(sp.K)
	got := meanC(sp.Coherence()) * K
	if sp.K != 255 || got < 1-5*0.043 || got > (1+2.0/9)+5*0.043 {
		t.Errorf("50%% overlap: K = %d, mean Ĉ·K = %.4f, want K = 255 and 1 ≤ mean·K ≤ 11/9", sp.K, got)
	}
	null, err := NullCoherence(x, y, w)
	if err != nil {
		t.Fatal(err)
	}
	// Both are means over the same bins of two nearly independent estimates: 5·√2 std.
	if math.Abs(null*K-got) > 5*math.Sqrt2*0.043 {
		t.Errorf("NullCoherence·K = %.4f, want the direct mean %.4f", null*K, got)
	}
	// The raw R_lb of independent signals sits at the floor f_cut·(−log₂(1 − 1/K_eff));
	// bias correction brings it to zero within the scatter. The density of one bin has std
	// ≈ 1/(K ln 2) bits per unit frequency; over 1025 bins (correlated as above) the
	// integral's std is ≈ f_cut/(K ln 2)·√(1.9/1025) = 0.5 bits; tolerance 5 of those.
	_, r, err := Information(x, y, w, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.RLB-r.Floor) > 2.5 || math.Abs(r.Corrected) > 2.5 {
		t.Errorf("independent signals: R_lb = %.2f (floor %.2f), corrected %.2f, want the floor and 0 within 2.5", r.RLB, r.Floor, r.Corrected)
	}
	if !r.BelowFloor() {
		t.Errorf("independent signals: R_lb = %.2f not reported as below its floor %.2f", r.RLB, r.Floor)
	}
}

// y = LTI(x) + independent noise: Ĉ converges to |H|²S_xx/(|H|²S_xx + S_nn). Here x is
// white (S_xx = 1), y_n = u_n + ε_n with u_n = 0.5 u_{n−1} + x_n and white ε of variance 2
// added after the filter (S_nn = 2), so H = 1/(1 − 0.5e^{−iω}) and C = |H|²/(|H|² + 2). The filter is smooth on the scale of Δf = 1/1024, so the window's
// smoothing is negligible (relative curvature ≈ (Δf/0.1)² = 1e-4); the estimate's mean is
// C + (1 − C)²/K_eff (Carter) and its std √2·√C·(1 − C)/√K_eff. Every bin within 6 std
// (with 511 bins a false failure has probability ≈ 1e-6).
func TestLTIPlusNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const n, L = 1 << 18, 1024
	x := white(n, rng)
	y := make([]float64, n)
	var prev float64
	for i := range y {
		prev = 0.5*prev + x[i]
		y[i] = prev + math.Sqrt2*rng.NormFloat64()
	}
	w := Welch{FS: 1, NPerSeg: L}
	sp, err := Estimate(x, y, w)
	if err != nil {
		t.Fatal(err)
	}
	null, err := NullCoherence(x, y, w)
	if err != nil {
		t.Fatal(err)
	}
	keff := 1 / null
	for i, c := range sp.Coherence() {
		if i == 0 || i == len(sp.F)-1 {
			continue
		}
		h := 1 / (1 - 0.5*cmplx.Exp(complex(0, -2*math.Pi*sp.F[i])))
		hh := real(h)*real(h) + imag(h)*imag(h)
		want := hh / (hh + 2)
		mean := want + (1-want)*(1-want)/keff
		sd := math.Sqrt2 * math.Sqrt(want) * (1 - want) / math.Sqrt(keff)
		if math.Abs(c-mean) > 6*sd {
			t.Errorf("f = %.4f: Ĉ = %.4f, want %.4f ± %.4f", sp.F[i], c, mean, 6*sd)
		}
	}
}

// fig5 are the Fig. 5 parameters of docs/science.md §4.3.
func fig5(b float64) Params {
	return Params{N: 64, B: b, Sigma: 0.1, Tau: 1, TauS: 1, I1: 0.125}
}

// Eqs. 21 and 22 give the numbers of docs/science.md §4.3 (4 decimals as printed there).
func TestClosedFormRates(t *testing.T) {
	for _, c := range []struct{ b, eq21, eq22 float64 }{
		{1, 6.5281, 7.2135}, {10, 71.4170, 72.1348}, {100, 720.6265, 721.3475},
	} {
		p := fig5(c.b)
		if got := p.Rate21(); math.Abs(got-c.eq21) > 5e-5 {
			t.Errorf("b = %v: Eq. 21 = %.5f, want %.4f", c.b, got, c.eq21)
		}
		if got := p.Rate22(); math.Abs(got-c.eq22) > 5e-5 {
			t.Errorf("b = %v: Eq. 22 = %.5f, want %.4f", c.b, got, c.eq22)
		}
	}
	// Fig. 1/2 parameters (docs/science.md §4.3): 45.45, 460.94, 4615.90.
	for _, c := range []struct{ b, want float64 }{{1, 45.45}, {10, 460.94}, {100, 4615.90}} {
		p := Params{N: 4096, B: c.b, Sigma: 0.1, TauS: 1, I1: 0.1}
		if got := p.Rate21(); math.Abs(got-c.want) > 0.005 {
			t.Errorf("Fig. 1, b = %v: Eq. 21 = %.3f, want %.2f", c.b, got, c.want)
		}
	}
}

// The cutoff form of Eq. 21 equals the quadrature of Eq. 20 up to f_cut; Eq. 20 is
// −log₂(1 − Eq. 19); and without cutoff the quadrature to a large f reaches Eq. 21.
func TestClosedFormCutoff(t *testing.T) {
	for _, b := range []float64{1, 10, 100} {
		for _, fc := range []float64{0.1, 1, 16, 300, 2048} {
			p := fig5(b)
			p.FCut = fc
			// Gauss–Legendre on [0, f_cut] in pieces of width ≤ 0.25 (the integrand's
			// complex singularities lie ≥ 1/(2πτ_S) ≈ 0.16 from the real axis), 16 nodes
			// each: converged far below 1e-9 relative (checked against scipy's quad).
			var q float64
			pieces := int(math.Ceil(fc / 0.25))
			for k := 0; k < pieces; k++ {
				a := fc * float64(k) / float64(pieces)
				q += quad.Fixed(p.Density, a, a+fc/float64(pieces), 16, quad.Legendre{}, 0)
			}
			if got := p.Rate21Cut(); math.Abs(got-q) > 1e-9*q {
				t.Errorf("b = %v, f_cut = %v: Eq. 21 with cutoff = %.10g, quadrature %.10g", b, fc, got, q)
			}
			for _, f := range []float64{0, 0.5, fc} {
				if d, c := p.Density(f), p.Coherence(f); math.Abs(d+math.Log2(1-c)) > 1e-9*d {
					t.Errorf("b = %v, f = %v: Eq. 20 = %v, −log₂(1 − Eq. 19) = %v", b, f, d, -math.Log2(1-c))
				}
			}
		}
		p := fig5(b)
		p.FCut = 1e9
		if got, want := p.Rate21Cut(), p.Rate21(); math.Abs(got-want) > 1e-6*want {
			t.Errorf("b = %v: Eq. 21 with f_cut = 1e9 is %v, want Eq. 21 = %v", b, got, want)
		}
		if p.Density(2e9) != 0 || p.SignalPSD(2e9) != 0 {
			t.Errorf("beyond f_cut the spectra must vanish")
		}
	}
	p := fig5(10)
	if g := p.GainEff(0); g != 1 || math.Abs(p.GainEff(10/(2*math.Pi))-1/math.Sqrt2) > 1e-15 ||
		math.Abs(p.GainLeak(1/(2*math.Pi))-1/math.Sqrt2) > 1e-15 {
		t.Errorf("Eqs. 17/18: the gains must be 1 at f = 0 and 1/√2 at f = 1/(2πτ) and b/(2πτ)")
	}
}

// The exact linear coherence of the Euler network tends to Eq. 19 as Δt → 0 (at fixed f,
// the discrete spectra approach the continuous ones with relative error O(Δt·f)), and at
// any Δt it does not depend on the mean-mode pole.
func TestLinearLimits(t *testing.T) {
	for _, f := range []float64{0.1, 1, 10, 50} {
		want := fig5(10).Coherence(f)
		l := Linear{N: 64, B: 10, Coupling: 10, Sigma: 0.1, TauS: 1, I1: 0.125, DT: 1.0 / (1 << 16)}
		if got := l.Coherence(f); math.Abs(got-want) > 1e-3*want {
			t.Errorf("f = %v: exact linear coherence at Δt = 2⁻¹⁶ is %.6f, Eq. 19 %.6f", f, got, want)
		}
		l.DT = 1.0 / 4096
		c1 := l.Coherence(f)
		l.Coupling = 3
		if c2 := l.Coherence(f); math.Abs(c1-c2) > 1e-12 {
			t.Errorf("f = %v: coherence depends on the pole: %v vs %v", f, c1, c2)
		}
	}
}

// Bad settings are errors, not panics or silent results.
func TestWelchErrors(t *testing.T) {
	x := make([]float64, 100)
	for _, w := range []Welch{{FS: 1, NPerSeg: 200}, {FS: 1, NPerSeg: 4}, {FS: 0, NPerSeg: 16}, {FS: 1, NPerSeg: 16, NOverlap: 16}} {
		if _, err := Estimate(x, x, w); err == nil {
			t.Errorf("%+v on 100 samples: got no error", w)
		}
	}
	if _, _, err := Information(x, x, Welch{FS: 1, NPerSeg: 16}, 0.6, false); err == nil {
		t.Errorf("f_cut above Nyquist: got no error")
	}
}
