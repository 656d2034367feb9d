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
	"github.com/balnet/balnet/config"
)

// small turns the Fig. 5 default into a run of a fraction of a second: N = 16, Δt = 2⁻⁸,
// 16τ recorded (4096 samples) after 1τ, segments of 256.
var small = []string{"--set", "network.n=16", "--set", "sim.dt=0.00390625", "--set", "info.duration=16",
	"--set", "info.burn_in=1", "--set", "info.nperseg=256", "--quiet"}

func readText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// balnet info on a configured network writes every output, with the summary's columns and
// the closed forms of the configured parameters, and a config.yaml that reads back.
func TestInfoConfigured(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCmd(t, append([]string{"info", "--out", out, "--set", "network.b=10", "--set", "info.bias_correction=true"}, small...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "R_lb = ") {
		t.Errorf("stdout does not report R_lb: %q", stdout)
	}
	for _, name := range []string{"info.csv", "info-summary.csv", "signals.npz", "config.yaml",
		"info-coherence.png", "info-coherence.svg", "info-density.png", "info-gain.svg"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	lines := strings.Split(strings.TrimSpace(readText(t, filepath.Join(out, "info-summary.csv"))), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "channel,r_lb,r_eq21,r_eq21_cut,r_eq22,k_segments,df,f_cut,n,b,sigma,g,i1,tau_s,dt,duration,realizations,seed") ||
		!strings.HasSuffix(lines[0], ",r_lb_corrected") {
		t.Fatalf("info-summary.csv: got %q", lines)
	}
	// Eq. 21 at N = 16, b = 10: q = N τ_S I₁² b²/σ² = 16·(1/64)·100/0.01 = 2500, so
	// R = (√2501 − 1)/(2 ln 2) = 35.35324…
	fields := strings.Split(lines[1], ",")
	if eq21, err := strconv.ParseFloat(fields[2], 64); err != nil || math.Abs(eq21-(math.Sqrt(2501)-1)/(2*math.Ln2)) > 1e-12 {
		t.Errorf("r_eq21 = %s, want (√2501 − 1)/(2 ln 2) = 35.35324…", fields[2])
	}
	// K = ⌊(4096 − 128)/128⌋ = 31 segments, Δf = 256/256 = 1, f_cut = Nyquist 128.
	if !strings.Contains(lines[1], ",31,1,128,16,10,") {
		t.Errorf("summary row: want K = 31, Δf = 1, f_cut = 128, n = 16, b = 10 in %q", lines[1])
	}
	csv := strings.Split(strings.TrimSpace(readText(t, filepath.Join(out, "info.csv"))), "\n")
	if csv[0] != "channel,f,coherence,mi_density,gain,coherence_theory,coherence_eq19,coherence_corrected" || len(csv) != 1+129 {
		t.Errorf("info.csv: header %q and %d rows, want 129 frequency rows", csv[0], len(csv)-1)
	}
	f, err := os.Open(filepath.Join(out, "signals.npz"))
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
	for _, name := range []string{"t", "I", "nu", "readout"} {
		if s, ok := got[name]; !ok || s[len(s)-1] != 4096 {
			t.Errorf("signals.npz: %s has shape %v, want …×4096", name, s)
		}
	}
	c, err := config.Parse([]byte(readText(t, filepath.Join(out, "config.yaml"))), config.InfoDefault())
	if err != nil || c.Network.B != 10 || c.Info.DT != 0.00390625 || c.Info.FCut != 128 {
		t.Errorf("config.yaml: err %v, b = %v, info.dt = %v, info.f_cut = %v; want b = 10 and the resolved dt and f_cut", err, c.Network.B, c.Info.DT, c.Info.FCut)
	}
}

// Bad input exits 2 naming the key, its value and what is allowed, and writes nothing.
func TestInfoBadInput(t *testing.T) {
	dir := t.TempDir()
	run := trainedRun(t)
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"--set", "info.nperseg=8192"}, []string{"info.nperseg", "8192", "at most the 4096 recorded samples"}},
		{[]string{"--set", "info.nperseg=4"}, []string{"info.nperseg", "4", "≥ 8"}},
		{[]string{"--set", "info.f_cut=-1"}, []string{"info.f_cut", "-1", "≥ 0"}},
		{[]string{"--set", "info.f_cut=200"}, []string{"info.f_cut", "200", "Nyquist", "128"}},
		{[]string{"--set", "info.stride=0"}, []string{"info.stride", "0", "≥ 1"}},
		{[]string{"--set", "info.burn_in=16"}, []string{"info.burn_in", "16", "shorter than info.duration = 16"}},
		{[]string{"--set", "info.realizations=0"}, []string{"info.realizations", "0", "≥ 1"}},
		{[]string{"--set", "info.signal=spikes"}, []string{"info.signal", "spikes", "readout, rate"}},
		{[]string{"--set", "info.duration=0"}, []string{"info.duration", "0", "> 0"}},
		{[]string{"--epoch", "3"}, []string{"--epoch", "run directory"}},
		{[]string{run, "--epoch", "7"}, []string{"--epoch", "7", "no checkpoint", "available"}},
		{[]string{run, "--set", "network.b=3"}, []string{"--set", "network.b=3", "only info.*"}},
		{[]string{run, "--set", "info.signal=spikes"}, []string{"info.signal", "spikes"}},
		{[]string{run, "--config", "x.yaml"}, []string{"--config"}},
		{[]string{filepath.Join(dir, "norun")}, []string{"norun", "not a run directory"}},
	}
	for _, c := range cases {
		out := filepath.Join(dir, "out")
		args := []string{"info", "--out", out}
		if !strings.HasPrefix(c.args[0], "/") {
			args = append(args, small...)
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

// trainedRun trains a short run (the fast setting of main_test.go, checkpoints at epochs 4
// and 8) and returns its directory.
func trainedRun(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	if code, _, stderr := runCmd(t, append([]string{"train", "--out", dir, "--set", "train.checkpoint_every=4"}, fast...)...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	return dir
}

// balnet info RUN_DIR gives the same numbers twice (determinism) and other numbers for
// another info.seed; the default output lies in RUN_DIR/info/epoch-E.
func TestInfoRunDir(t *testing.T) {
	run := trainedRun(t)
	short := []string{"--set", "info.duration=400", "--set", "info.nperseg=128", "--no-plots", "--quiet"}
	get := func(args ...string) (string, string) {
		out := filepath.Join(t.TempDir(), "o")
		code, _, stderr := runCmd(t, append(append([]string{"info", run, "--out", out}, short...), args...)...)
		if code != 0 {
			t.Fatalf("info %v: exit %d: %s", args, code, stderr)
		}
		return readText(t, filepath.Join(out, "info-summary.csv")), readText(t, filepath.Join(out, "info.csv"))
	}
	s1, c1 := get()
	s2, c2 := get()
	if s1 != s2 || c1 != c2 {
		t.Errorf("two runs with the same seed differ:\n%s\n%s", s1, s2)
	}
	s3, _ := get("--set", "info.seed=2")
	if s3 == s1 {
		t.Errorf("info.seed = 2 gave the numbers of info.seed = 1")
	}
	if !strings.Contains(s1, ",8\n") { // the epoch column: the latest checkpoint, epoch 8
		t.Errorf("summary does not name epoch 8: %q", s1)
	}
	_, c4 := get("--epoch", "4")
	if c4 == c1 {
		t.Errorf("epoch 4 and epoch 8 gave identical spectra")
	}
	code, _, stderr := runCmd(t, append([]string{"info", run}, short...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(run, "info", "epoch-00000008", "info-summary.csv")); err != nil {
		t.Errorf("default output: %v", err)
	}
	if !bytes.Contains([]byte(readText(t, filepath.Join(run, "info", "epoch-00000008", "config.yaml"))), []byte("signal: readout")) {
		t.Errorf("the resolved configuration does not record the readout signal")
	}
}

// Ctrl-C (a cancelled context) stops the simulation: exit 1 and nothing written.
func TestInfoCancelled(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	if code := run(ctx, append([]string{"info", "--out", out}, small...), &o, &e); code != 1 {
		t.Errorf("cancelled: exit %d, want 1 (%s)", code, e.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("cancelled: %s was created", out)
	}
}
