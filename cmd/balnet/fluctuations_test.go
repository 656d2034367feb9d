package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/balnet/balnet/checkpoints"
)

// smallFluct turns the §6.5 default (N = 3000, 200τ) into a run of about half a second:
// N = 300, Δt = 0.02, 40τ recorded every 5 steps after 10τ.
var smallFluct = []string{"--set", "network.n=300", "--set", "fluctuations.dt=0.02", "--set", "fluctuations.duration=40",
	"--set", "fluctuations.burn_in=10", "--set", "fluctuations.stride=5", "--quiet"}

// csvRows reads a CSV written by the command: its header and its rows split at commas.
func csvRows(t *testing.T, path string) (header string, rows [][]string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(readText(t, path)), "\n")
	for _, l := range lines[1:] {
		rows = append(rows, strings.Split(l, ","))
	}
	return lines[0], rows
}

func parseF(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

// balnet fluctuations on the (shrunk) §6.5 default writes every output with its header:
// one mode with γ = cos 30° exactly, and an amplitude ratio to tan θ·√c_φ that is finite
// and plausible. At N = 300 and 40τ the ratio scatters: 0.40 … 1.40 over the seeds 1…6
// (measured with this command), so [0.2, 3] only excludes a broken measurement (the
// 15% check of §6.5 at N = 2000 is analysis.TestFluctuationsAngle).
func TestFluctuationsConfigured(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCmd(t, append([]string{"fluctuations", "--out", out}, smallFluct...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "mode 1: θ = 30.00°") {
		t.Errorf("stdout does not report mode 1 at θ = 30°: %q", stdout)
	}
	for _, name := range []string{"modes.csv", "fluctuations-summary.csv", "projections.npz", "config.yaml",
		"fluct-amplitude.png", "fluct-amplitude.svg", "fluct-traces.png", "fluct-traces.svg", "fluct-spectrum.png", "fluct-spectrum.svg"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	h, rows := csvRows(t, filepath.Join(out, "modes.csv"))
	if h != "mode,gamma,theta_deg,tan_theta,amplitude,amplitude_over_sqrt_cphi,ratio_to_prediction" || len(rows) != 1 {
		t.Fatalf("modes.csv: header %q, %d rows; want the 7 columns and one mode", h, len(rows))
	}
	m := rows[0]
	if g := parseF(t, m[1]); math.Abs(g-math.Sqrt(3)/2) > 1e-12 {
		t.Errorf("gamma = %v, want cos 30° to 1e-12", g)
	}
	if th := parseF(t, m[2]); math.Abs(th-30) > 1e-9 {
		t.Errorf("theta_deg = %v, want 30", th)
	}
	amp, over, ratio := parseF(t, m[4]), parseF(t, m[5]), parseF(t, m[6])
	if !(ratio > 0.2 && ratio < 3) {
		t.Errorf("ratio_to_prediction = %v, want a finite value in [0.2, 3]", ratio)
	}
	if math.Abs(over/math.Tan(math.Pi/6)-ratio) > 1e-12*ratio {
		t.Errorf("amplitude_over_sqrt_cphi/tan θ = %v differs from ratio_to_prediction %v", over/math.Tan(math.Pi/6), ratio)
	}
	h, srows := csvRows(t, filepath.Join(out, "fluctuations-summary.csv"))
	if !strings.HasPrefix(h, "n,g,d,c_phi,rt_dphi_std,nu,") || len(srows) != 1 {
		t.Fatalf("fluctuations-summary.csv: header %q, %d rows", h, len(srows))
	}
	s := srows[0]
	if s[0] != "300" || s[1] != "2" || s[2] != "1" {
		t.Errorf("summary n, g, d = %v, want 300, 2, 1", s[:3])
	}
	cphi := parseF(t, s[3])
	if !(cphi > 0) || math.Abs(over-amp/math.Sqrt(cphi)) > 1e-12*over {
		t.Errorf("c_φ = %v: amplitude/√c_φ = %v, modes.csv says %v", cphi, amp/math.Sqrt(cphi), over)
	}
	if nu := parseF(t, s[5]); !(nu > 0) {
		t.Errorf("nu = %v, want > 0 (ReLU rates driven by √N·I₀)", nu)
	}
	f, err := os.Open(filepath.Join(out, "projections.npz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	arrays, err := checkpoints.ReadNPZ(f, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]int{}
	for _, a := range arrays {
		got[a.Name] = a.Shape
	}
	// 40τ/(0.02·5) = 400 records; 16 probes by default.
	want := map[string][]int{"t": {400}, "x": {1, 400}, "rt_phi": {1, 400}, "y_w": {1, 400}, "probes": {16, 400}}
	for name, shape := range want {
		if g := got[name]; len(g) != len(shape) || (len(g) > 0 && (g[0] != shape[0] || g[len(g)-1] != shape[len(shape)-1])) {
			t.Errorf("projections.npz %s: shape %v, want %v", name, g, shape)
		}
	}
	if y := readText(t, filepath.Join(out, "config.yaml")); !strings.Contains(y, "fluctuations:") || !strings.Contains(y, "theta_deg:") {
		t.Errorf("config.yaml lacks the fluctuations section or the structure")
	}
}

// Same seeds give bit-identical CSVs; another fluctuations.seed gives other numbers.
func TestFluctuationsDeterministic(t *testing.T) {
	get := func(args ...string) string {
		out := filepath.Join(t.TempDir(), "o")
		code, _, stderr := runCmd(t, append(append([]string{"fluctuations", "--out", out, "--no-plots"}, smallFluct...), args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		return readText(t, filepath.Join(out, "modes.csv")) + readText(t, filepath.Join(out, "fluctuations-summary.csv"))
	}
	a, b := get(), get()
	if a != b {
		t.Errorf("two runs with the same seeds differ:\n%s\n%s", a, b)
	}
	if c := get("--set", "fluctuations.seed=2"); c == a {
		t.Errorf("fluctuations.seed = 2 gave the numbers of seed 1")
	}
}

// Two modes at θ = 0° and 60° (docs/science.md §6.4): the aligned mode is suppressed, the
// misaligned one is not. Over seeds 1…5 at N = 300, 40τ (measured with this command) the
// θ = 60° amplitude was 3.2–6.7 times the θ = 0° one; the test asks for 2.
func TestFluctuationsTwoModes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o")
	code, _, stderr := runCmd(t, append([]string{"fluctuations", "--out", out, "--no-plots", "--set", "network.lowrank.rank=2",
		"--set", "network.lowrank.theta_deg=[0,60]", "--set", "network.lowrank.strength=[1,1]"}, smallFluct...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, rows := csvRows(t, filepath.Join(out, "modes.csv"))
	if len(rows) != 2 {
		t.Fatalf("%d modes, want 2", len(rows))
	}
	// Modes are ordered by decreasing γ: mode 1 is θ = 0° (up to the rounding of the SVD of
	// A = diag(cos θ_k): γ = 1 − O(1e-16), θ = O(1e-8) rad), whose ratio is undefined (NaN,
	// an empty field).
	if th := parseF(t, rows[0][2]); th > 1e-4 || rows[0][6] != "" {
		t.Errorf("mode 1: θ = %v°, ratio %q; want 0° and NaN (empty)", th, rows[0][6])
	}
	if a0, a60 := parseF(t, rows[0][5]), parseF(t, rows[1][5]); !(a60 > 2*a0) {
		t.Errorf("amplitude/√c_φ: θ = 60° gives %v, θ = 0° %v; want the misaligned mode above twice the aligned one", a60, a0)
	}
}

// Bad input exits 2 naming the key, and nothing is written.
func TestFluctuationsBadInput(t *testing.T) {
	dir := t.TempDir()
	run := trainedRun(t)
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--set", "network.lowrank.theta_deg=[95]"}, []string{"network.lowrank.theta_deg[0]", "95", "[0°, 90°]"}},
		{[]string{"--set", "network.lowrank.theta_deg=[-1]"}, []string{"network.lowrank.theta_deg[0]", "-1"}},
		{[]string{"--set", "network.lowrank.theta_deg=[30,40]"}, []string{"network.lowrank.theta_deg", "30", "40"}},
		{[]string{"--set", "network.lowrank.rank=2"}, []string{"network.lowrank.strength"}},
		{[]string{"--set", "network.lowrank.rank=151"}, []string{"network.lowrank.rank", "151"}},
		{[]string{"--set", "network.lowrank.rank=0"}, []string{"network.lowrank.rank", "0"}},
		{[]string{"--set", "network.lowrank.strength=[-1]"}, []string{"network.lowrank.strength[0]", "-1"}},
		{[]string{"--set", "network.lowrank.input=[1,2]"}, []string{"network.lowrank.input"}},
		{[]string{"--set", "network.init=gaussian"}, []string{"network.init", "lowrank"}},
		{[]string{"--set", "fluctuations.probes=0"}, []string{"fluctuations.probes", "0", "≥ 1"}},
		{[]string{"--set", "fluctuations.duration=0"}, []string{"fluctuations.duration", "0"}},
		{[]string{"--set", "fluctuations.stride=0"}, []string{"fluctuations.stride", "0"}},
		{[]string{"--epoch", "3"}, []string{"--epoch", "run directory"}},
		{[]string{run, "--epoch", "7"}, []string{"--epoch", "7", "no checkpoint", "available"}},
		{[]string{run, "--set", "network.g=3"}, []string{"--set", "network.g=3", "only fluctuations.*"}},
		{[]string{run, "--set", "fluctuations.probes=-2"}, []string{"fluctuations.probes"}},
		{[]string{run, "--config", "x.yaml"}, []string{"--config"}},
		{[]string{filepath.Join(dir, "norun")}, []string{"norun", "not a run directory"}},
	}
	for _, c := range cases {
		out := filepath.Join(dir, "out")
		args := []string{"fluctuations", "--out", out}
		if !strings.HasPrefix(c.args[0], "/") {
			args = append(args, smallFluct...)
		}
		args = append(args, c.args...)
		code, _, stderr := runCmd(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", c.args, code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: message %q does not contain %q", c.args, stderr, w)
			}
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%v: %s was created", c.args, out)
		}
	}
}

// An excitatory structure with outlier +κ·s·cos θ = √300·3·cos 30° ≫ 1 runs away: exit 1,
// the blow-up named, nothing written.
func TestFluctuationsBlowUp(t *testing.T) {
	out := filepath.Join(t.TempDir(), "o")
	code, _, stderr := runCmd(t, append([]string{"fluctuations", "--out", out, "--set", "network.lowrank.excitatory=true",
		"--set", "network.lowrank.strength=[3]"}, smallFluct...)...)
	if code != 1 || !strings.Contains(stderr, "blew up") {
		t.Errorf("exit %d, stderr %q; want 1 and the blow-up reported", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was created", out)
	}
}

// Ctrl-C (a cancelled context) stops the simulation: exit 1 and nothing written.
func TestFluctuationsCancelled(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	if code := run(ctx, append([]string{"fluctuations", "--out", out}, smallFluct...), &o, &e); code != 1 {
		t.Errorf("cancelled: exit %d, want 1 (%s)", code, e.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("cancelled: %s was created", out)
	}
}

// balnet fluctuations RUN_DIR applies the §6.6 recipe to the checkpoint: the default
// output lies in RUN_DIR/fluctuations/epoch-E, the summary names the epoch and N, the
// structure has D ≥ 1 modes (the initial mean −bJ₀/N·11ᵀ survives training: D = 1 at
// epoch 0, docs/science.md §6.6 step 2), γ ≤ 1, and the run is deterministic.
func TestFluctuationsRunDir(t *testing.T) {
	run := trainedRun(t)
	short := []string{"--set", "fluctuations.duration=40", "--set", "fluctuations.burn_in=5", "--quiet"}
	code, _, stderr := runCmd(t, append([]string{"fluctuations", run}, short...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	dir := filepath.Join(run, "fluctuations", "epoch-00000008")
	for _, name := range []string{"modes.csv", "fluctuations-summary.csv", "projections.npz", "config.yaml", "fluct-spectrum.png"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	_, rows := csvRows(t, filepath.Join(dir, "modes.csv"))
	if len(rows) < 1 {
		t.Fatalf("no modes")
	}
	for _, m := range rows {
		if g := parseF(t, m[1]); !(g >= 0 && g <= 1) {
			t.Errorf("gamma = %v, want in [0, 1]", g)
		}
		if a := parseF(t, m[4]); math.IsNaN(a) || math.IsInf(a, 0) {
			t.Errorf("amplitude = %v, want finite", a)
		}
	}
	_, s := csvRows(t, filepath.Join(dir, "fluctuations-summary.csv"))
	if s[0][0] != "12" || s[0][len(s[0])-1] != "8" {
		t.Errorf("summary: n = %s, epoch = %s; want 12 and 8", s[0][0], s[0][len(s[0])-1])
	}
	out := filepath.Join(t.TempDir(), "e4")
	if code, _, stderr := runCmd(t, append([]string{"fluctuations", run, "--epoch", "4", "--out", out, "--no-plots"}, short...)...); code != 0 {
		t.Fatalf("--epoch 4: exit %d: %s", code, stderr)
	}
	out2 := filepath.Join(t.TempDir(), "e4b")
	runCmd(t, append([]string{"fluctuations", run, "--epoch", "4", "--out", out2, "--no-plots"}, short...)...)
	if a, b := readText(t, filepath.Join(out, "modes.csv")), readText(t, filepath.Join(out2, "modes.csv")); a != b {
		t.Errorf("two runs of epoch 4 differ:\n%s\n%s", a, b)
	}
}

// TestUnresolvedModes: §6.6 item 4 judges each mode against its own singular value. With
// g = 0.5 (bulk edge 1), s = (5, 2, 0.9): mode 1's floor is (1/4)² = 0.0625, mode 2's
// (1/1)² = 1, mode 3 lies inside the bulk. 1 − γ² = 0.36 resolves mode 1 (0.36 ≥ 4·0.0625)
// but not mode 2; the smallest s_k as a common floor would have rejected mode 1 too.
func TestUnresolvedModes(t *testing.T) {
	gamma := []float64{0.8, 0.8, 0.1}
	got := unresolvedModes(0.5, []float64{5, 2, 0.9}, gamma)
	if len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("unresolved modes: got %v, want [1 2]", got)
	}
	if got := unresolvedModes(0.5, []float64{5, 2, 0.9}, []float64{0.6, 0.8, 0.1}); len(got) != 2 || got[0] != 1 {
		t.Errorf("1 − γ₁² = 0.64 ≥ 0.25: got unresolved %v, want [1 2]", got)
	}
	if got := unresolvedModes(0.5, []float64{5}, []float64{0.9}); len(got) != 1 {
		t.Errorf("1 − γ² = 0.19 < 0.25 must be unresolved: got %v", got)
	}
}
