package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/balnet/balnet/info"
)

// dmftInfoRun runs balnet dmft --compare 2 for 200τ (Δt = 0.1, 2000 steps, K = 30 Welch
// segments of 128 steps per realization) at g, b, N = 400 and the given seed, and returns
// the summary and dmft-info.csv.
func dmftInfoRun(t *testing.T, g, b float64, seed int) (sh []string, sr []float64, ih []string, ir [][]float64) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := runCmd(t, "dmft", "--out", out, "--compare", "2", "--no-plots", "--quiet",
		"--set", fmt.Sprintf("network.g=%g", g), "--set", fmt.Sprintf("network.b=%g", b), "--set", "network.n=400",
		"--set", "dmft.duration=200", "--set", "dmft.relax=30", "--set", "dmft.band=50", "--set", "dmft.nperseg=128",
		"--set", fmt.Sprintf("dmft.seed=%d", seed))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	sh, rows := readCSV(t, filepath.Join(out, "dmft-summary.csv"))
	ih, ir = readCSV(t, filepath.Join(out, "dmft-info.csv"))
	return sh, rows[0], ih, ir
}

// meanFrom returns the mean of x[from:].
func meanFrom(x []float64, from int) float64 {
	var s float64
	for _, v := range x[from:] {
		s += v
	}
	return s / float64(len(x)-from)
}

// Information from the theory for g = 0 (docs/science.md §5.5), where everything is
// exact: the DMFT with its white finite-size term ζ/√N is the finite-N mean equation of
// the all-active network (docs/science.md §1.4), whose coherence with the input is, for a
// long record, info.Linear.WelchCoherence (the exact linear coherence as the estimator
// sees it, docs/science.md §4.2). Checked for seeds 1–3 (b = 1, N = 400, 2 realizations,
// K = 60 segments):
//
//   - without ζ the coherence is 1 up to the estimator's leakage: its minimum over f is
//     ≥ 0.98 (measured 0.986–0.991 over seeds 1–8);
//   - the mean coherence over f (bins 2 … L/2; bins 0 and 1 are not predicted) of the
//     theory with ζ and of the network are both within 0.05 of the exact one, and within
//     0.04 of each other (measured over seeds 1–8: theory −0.008 … +0.025, network
//     −0.018 … +0.019 from the exact value, which they share through the one input path
//     per seed, sd 0.012; theory − network −0.014 … +0.017, sd 0.010; the bounds are 4 sd);
//   - R_lb of theory and network agree within 8% (measured over seeds 1–8: −2.1% … +3.4%,
//     sd 2%; 8% is 4 sd), and both are far above their bias floors (measured 11–12 bits/τ
//     against floors of 0.19–0.28: ≥ 40×; the check asks for 10× and no flag).
func TestDMFTInformationUncoupled(t *testing.T) {
	if testing.Short() {
		t.Skip("3 × 2 simulations of 2300 steps at N = 400 (about 5 s)")
	}
	lin := info.Linear{N: 400, B: 1, Coupling: 399.0 / 400, Sigma: 0.1, TauS: 1, I1: 0.1, DT: 0.1}
	exact := lin.WelchCoherence(info.Welch{FS: 10, NPerSeg: 128})
	want := meanFrom(exact, 2)
	for seed := 1; seed <= 3; seed++ {
		sh, sr, ih, ir := dmftInfoRun(t, 0, 1, seed)
		coh, nofs, sim := column(t, ih, ir, "coherence_dmft"), column(t, ih, ir, "coherence_dmft_no_fs"), column(t, ih, ir, "coherence_sim")
		low := 1.0
		for _, v := range nofs[1:] {
			low = math.Min(low, v)
		}
		if low < 0.98 {
			t.Errorf("seed %d: coherence without ζ drops to %.4f, want ≥ 0.98 (it is 1 up to leakage)", seed, low)
		}
		ct, cs := meanFrom(coh, 2), meanFrom(sim, 2)
		if math.Abs(ct-want) > 0.05 || math.Abs(cs-want) > 0.05 || math.Abs(ct-cs) > 0.04 {
			t.Errorf("seed %d: mean coherence theory %.4f, network %.4f, want the exact %.4f ± 0.05 and within 0.04 of each other", seed, ct, cs, want)
		}
		get := func(name string) float64 { return column(t, sh, [][]float64{sr}, name)[0] }
		rt, rs := get("rlb_dmft"), get("rlb_sim")
		if math.Abs(rt/rs-1) > 0.08 {
			t.Errorf("seed %d: R_lb theory %.4g, network %.4g bits/τ: more than 8%% apart", seed, rt, rs)
		}
		if get("below_floor_dmft") != 0 || get("below_floor_sim") != 0 || !(rt > 10*get("rlb_floor_dmft")) {
			t.Errorf("seed %d: R_lb %.4g (floor %.3g), %.4g (floor %.3g): flagged below the floor", seed, rt, get("rlb_floor_dmft"), rs, get("rlb_floor_sim"))
		}
		t.Logf("seed %d: min C without ζ %.4f; mean C theory %.4f, network %.4f, exact %.4f; R_lb theory %.3f, network %.3f bits/τ",
			seed, low, ct, cs, want, rt, rs)
	}
}

// The chaotic case (g = 2, b = 8, N = 400, seed 1): the finite-size heuristic of
// docs/science.md §5.5 (dmft.FiniteSize: white noise plus an OU process matched to the
// stationary q(τ′) − q(∞), and the quenched offset) is not exact, and the theory's R_lb is
// above the network's: measured over seeds 1–8 by +14% … +31% (mean +20%, sd 5%), the mean
// coherence (bins ≥ 1) by +0.014 … +0.031 (mean 0.019, sd 0.005). The bounds, 45% and 0.06 (mean + 5 sd), keep the measured
// agreement from silently degrading.
func TestDMFTInformationChaotic(t *testing.T) {
	if testing.Short() {
		t.Skip("2 simulations of 2300 steps at N = 400 and 3 chaotic DMFT solutions (about 3 s)")
	}
	sh, sr, ih, ir := dmftInfoRun(t, 2, 8, 1)
	get := func(name string) float64 { return column(t, sh, [][]float64{sr}, name)[0] }
	rt, rs := get("rlb_dmft"), get("rlb_sim")
	ct, cs := meanFrom(column(t, ih, ir, "coherence_dmft"), 2), meanFrom(column(t, ih, ir, "coherence_sim"), 2)
	t.Logf("R_lb theory %.3f, network %.3f bits/τ (%+.1f%%); mean coherence %.4f, %.4f; ζ: v = %.4g, τ_c = %.3g, q(∞) = %.4g",
		rt, rs, 100*(rt/rs-1), ct, cs, get("zeta_v"), get("zeta_tau_c"), get("zeta_q_inf"))
	if math.Abs(rt/rs-1) > 0.45 || math.Abs(ct-cs) > 0.06 {
		t.Errorf("R_lb theory %.4g, network %.4g bits/τ, mean coherence %.4f, %.4f: beyond 45%% and 0.06", rt, rs, ct, cs)
	}
	if !(get("zeta_v") > 0 && get("zeta_tau_c") > 0) {
		t.Errorf("g = 2 needs a coloured finite-size part: v = %v, τ_c = %v", get("zeta_v"), get("zeta_tau_c"))
	}
}

// An input too weak to be seen (I₁ = 10⁻⁴, g = 0) gives R_lb within twice the bias floor,
// which balnet dmft flags in the summary and on stdout.
func TestDMFTInformationBelowFloor(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCmd(t, append([]string{"dmft", "--out", out, "--compare", "1", "--no-plots",
		"--set", "network.g=0", "--set", "task.i1=1e-4"}, dmftSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	h, rows := readCSV(t, filepath.Join(out, "dmft-summary.csv"))
	for _, k := range []string{"below_floor_dmft", "below_floor_sim"} {
		if v := column(t, h, rows, k)[0]; v != 1 {
			t.Errorf("%s = %v, want 1", k, v)
		}
	}
	if !strings.Contains(stdout, "warning: the theory's R_lb") || !strings.Contains(stdout, "warning: the network's R_lb") {
		t.Errorf("stdout lacks the bias-floor warnings: %q", stdout)
	}
}

// An input without fluctuations (task.i1 = 0) leaves the coherence undefined: R_lb is NaN,
// flagged as uninformative, with a warning.
func TestDMFTInformationNoSignal(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCmd(t, append([]string{"dmft", "--out", out, "--no-plots", "--set", "task.i1=0"}, dmftSmall...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	h, rows := readCSV(t, filepath.Join(out, "dmft-summary.csv"))
	if r, f := column(t, h, rows, "rlb_dmft")[0], column(t, h, rows, "below_floor_dmft")[0]; !math.IsNaN(r) || f != 1 {
		t.Errorf("rlb_dmft = %v, below_floor_dmft = %v; want NaN and 1", r, f)
	}
	if !strings.Contains(stdout, "R_lb is undefined") {
		t.Errorf("stdout lacks the warning: %q", stdout)
	}
}
