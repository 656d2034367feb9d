package sim_test

import (
	"context"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/info"
	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/sim"
	"github.com/balnet/balnet/tasks"
)

// The recorded OU input has the spectrum of Eq. 15 — exactly, at finite Δt, the spectrum
// of the sampled AR(1) process, one-sided density 2Δt·c²/|1 − ρe^{−iω}|², which tends to
// Eq. 15's 2τ_S I₁²/(1+(2πτ_S f)²) for f ≪ 1/Δt (τ_S = 1, where the two OU conventions
// agree). The Welch estimate (L = 512, Δf = 1/8) is compared in 2 ≤ f ≤ 16, where the
// window's smoothing of the f⁻² spectrum biases it by < 0.2%. Each bin has relative std
// ≈ 1/√K_eff ≈ 0.047; the mean ratio over the ≈ 113 bins (correlated in pairs) has std
// ≈ 0.006: tolerance 3%. Eq. 15 itself differs from the AR(1) spectrum by O((πfΔt)²) < 6%
// at f = 16, Δt = 1/64, so it is checked at f ≤ 4 (< 0.4%).
func TestOUSpectrum(t *testing.T) {
	const dt = 1.0 / 64
	ou := tasks.OU{Channels: 1, DT: dt, TauS: 1, I0: 1, I1: 0.2}
	linear, _ := model.Lookup("linear")
	nw := sim.Network{J: mat.NewDense(1, 1, nil), Phi: linear}
	rc, _, err := sim.Record(context.Background(), nw, sim.NewOU(ou, 1, rand.New(rand.NewPCG(11, 1))),
		sim.Settings{DT: dt, Steps: 1 << 17}, rand.New(rand.NewPCG(11, 2)))
	if err != nil {
		t.Fatal(err)
	}
	x := rc.Input[0][0]
	sp, err := info.Estimate(x, x, info.Welch{FS: 1 / dt, NPerSeg: 512})
	if err != nil {
		t.Fatal(err)
	}
	rho, c := ou.Decay(), ou.InnovationStd()
	p := info.Params{TauS: 1, I1: ou.I1}
	var ratio, ratio15 float64
	var n, n15 int
	for i, f := range sp.F {
		if f < 2 || f > 16 {
			continue
		}
		d := 1 - complex(rho, 0)*cmplx.Exp(complex(0, -2*math.Pi*f*dt))
		want := 2 * dt * c * c / (real(d)*real(d) + imag(d)*imag(d))
		ratio += sp.Pxx[i] / want
		n++
		if f <= 4 {
			ratio15 += sp.Pxx[i] / p.SignalPSD(f)
			n15++
		}
	}
	if r := ratio / float64(n); math.Abs(r-1) > 0.03 {
		t.Errorf("Welch PSD of the OU input / AR(1) spectrum: mean %.4f over %d bins, want 1 within 3%%", r, n)
	}
	// Fewer bins (17): std ≈ 0.016, tolerance 5 std.
	if r := ratio15 / float64(n15); math.Abs(r-1) > 0.08 {
		t.Errorf("Welch PSD of the OU input / Eq. 15: mean %.4f over %d bins, want 1 within 8%%", r, n15)
	}
}

// A simulated g = 0 network at b = 10 (the Fig. 5 parameters, N = 64, Δt = 2⁻¹², 2¹⁸
// recorded steps) matches the exact linear coherence of the Euler network as the Welch
// estimator sees it (info.Linear.WelchCoherence): in every bin above the first two (which
// the constant detrend alters), Ĉ is within 6 std of its mean C + (1 − C)²/K_eff, with
// variance 2C(1 − C)²/K_eff + (1 − C)⁴/K_eff² (Carter's first-order moments plus the
// 1/K² variance of the null distribution Beta(1, K−1), which dominates where C ≲ 1/K;
// 1023 bins: a false failure has probability ≈ 2e-6 for Gaussian tails; the longer upper
// tail of the null distribution is bounded separately below). Checked on seeds 5–9. ReLU units are all active, so the network is exactly linear.
func TestLinearNetworkCoherence(t *testing.T) {
	if testing.Short() {
		t.Skip("0.5 s simulation")
	}
	const n, b, dt = 64, 10.0, 1.0 / 4096
	st := model.DefaultSettings()
	st.N, st.B, st.J0, st.ZeroDiagonal = n, b, 1, false
	J, _ := model.MeanCoupling(st)
	relu, _ := model.Lookup("relu")
	nw := sim.Network{J: J, Phi: relu, B: b}
	ou := tasks.OU{Channels: 1, DT: dt, TauS: 1, I0: 1, I1: 0.125}
	s := sim.Settings{DT: dt, Sigma: 0.1, BurnIn: 8 * 4096, Steps: 1 << 18}
	rc, res, err := sim.Record(context.Background(), nw, sim.NewOU(ou, 1, rand.New(rand.NewPCG(5, 1))), s, rand.New(rand.NewPCG(5, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if res.MinActive != 1 {
		t.Fatalf("fraction of active units fell to %v: the network is not linear", res.MinActive)
	}
	w := info.Welch{FS: 1 / dt}
	x, y := rc.Input[0][0], rc.Rate[0]
	sp, err := info.Estimate(x, y, w)
	if err != nil {
		t.Fatal(err)
	}
	null, err := info.NullCoherence(x, y, w)
	if err != nil {
		t.Fatal(err)
	}
	keff := 1 / null
	lin := info.Linear{N: n, B: b, Coupling: b, Sigma: 0.1, TauS: 1, I1: 0.125, DT: dt}
	want := lin.WelchCoherence(w)
	bad := 0
	for i, c := range sp.Coherence() {
		if i < 2 {
			continue
		}
		m := want[i] + (1-want[i])*(1-want[i])/keff
		u := 1 - want[i]
		sd := math.Sqrt(2*want[i]*u*u/keff + u*u*u*u/(keff*keff))
		// Where C ≲ 1/K the upper tail is that of the null Beta(1, K_eff−1):
		// P(Ĉ > c) = (1 − c)^{K_eff−1}, 1e-9 per bin at c = −ln(1e-9)/K_eff.
		up := max(6*sd, -math.Log(1e-9)/keff)
		if c-m > up || m-c > 6*sd {
			bad++
			if bad < 5 {
				t.Errorf("f = %v: Ĉ = %.6f, want %.6f ± %.6f", sp.F[i], c, m, 6*sd)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d bins outside 6 std", bad, len(want)-2)
	}
}
