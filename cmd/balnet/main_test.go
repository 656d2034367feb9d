package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fast makes a training run take well under a second.
var fast = []string{"--set", "network.n=12", "--set", "sim.steps=12", "--set", "sim.burn_in=2",
	"--set", "sim.relax=5", "--set", "train.batch=3", "--set", "train.test_every=4", "--epochs", "8", "--quiet"}

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestBadInput: every invalid value or argument exits 2 with a message naming the key, the
// value and what is allowed, and creates no run directory (issue 2).
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	badYAML := filepath.Join(dir, "bad.yaml")
	unknown := filepath.Join(dir, "unknown.yaml")
	os.WriteFile(badYAML, []byte("network: [1, 2\n"), 0o644)
	os.WriteFile(unknown, []byte("network:\n  n: 10\n  gg: 3\n"), 0o644)
	occupied := filepath.Join(dir, "occupied")
	os.MkdirAll(occupied, 0o755)
	os.WriteFile(filepath.Join(occupied, "metrics.csv"), []byte("x"), 0o644)

	cases := []struct {
		args []string
		want []string // substrings of the message: key, value, what is allowed
	}{
		{[]string{"--set", "network.n=0"}, []string{"network.n", "0", "≥ 1"}},
		{[]string{"--set", "network.n=-5"}, []string{"network.n", "-5", "≥ 1"}},
		{[]string{"--set", "sim.dt=0"}, []string{"sim.dt", "0", "> 0"}},
		{[]string{"--set", "sim.dt=-0.1"}, []string{"sim.dt", "-0.1", "> 0"}},
		{[]string{"--set", "sim.steps=10"}, []string{"sim.burn_in", "10", "smaller than sim.steps = 10"}},
		{[]string{"--set", "train.batch=0"}, []string{"train.batch", "0", "≥ 1"}},
		{[]string{"--set", "train.lr=0"}, []string{"train.lr", "0", "> 0"}},
		{[]string{"--set", "train.lr=-1e-3"}, []string{"train.lr", "-0.001", "> 0"}},
		{[]string{"--set", "task.signals=0"}, []string{"task.signals", "0", "≥ 1"}},
		{[]string{"--set", "network.win.std=-0.1"}, []string{"network.win.std", "-0.1", "≥ 0"}},
		{[]string{"--set", "network.wout.std=-1"}, []string{"network.wout.std", "-1", "≥ 0"}},
		{[]string{"--set", "network.nonlinearity=softplus"}, []string{"network.nonlinearity", "softplus", "relu, sigmoid, tanh, linear, threshquad"}},
		{[]string{"--set", "network.init=uniform"}, []string{"network.init", "uniform", "gaussian, ei"}},
		{[]string{"--set", "task.kind=copy"}, []string{"task.kind", "copy", "ou, linear"}},
		{[]string{"--set", "dtype=float16"}, []string{"dtype", "float16", "float32, float64"}},
		{[]string{"--set", "network.density=0"}, []string{"network.density", "0", "(0, 1]"}},
		{[]string{"--set", "network.density=1.2"}, []string{"network.density", "1.2", "(0, 1]"}},
		{[]string{"--set", "network.dale=true"}, []string{"network.dale", "true", "network.init = ei"}},
		{[]string{"--set", "network.init=ei", "--set", "network.dale=true", "--set", "network.ei.ii=0.5"}, []string{"network.ei.ii", "0.5", "≤ 0"}},
		{[]string{"--set", "task.target=offset"}, []string{"task.target", "offset", "full, fluctuation"}},
		{[]string{"--set", "network.gg=1"}, []string{"network.gg", "unknown key", "zero_diagonal"}},
		{[]string{"--set", "network.n=ten"}, []string{"network.n", "ten", "integer"}},
		{[]string{"--set", "network.n"}, []string{"--set", "network.n", "key=value"}},
		{[]string{"--config", filepath.Join(dir, "missing.yaml")}, []string{"--config", "missing.yaml", "cannot read"}},
		{[]string{"--config", badYAML}, []string{"--config", "bad.yaml", "YAML"}},
		{[]string{"--config", unknown}, []string{"network.gg", "unknown key"}},
		{[]string{"--epochs", "-3"}, []string{"--epochs", "-3", "≥ 0"}},
		{[]string{"--seed", "-1"}, []string{"seed", "-1"}},
		{[]string{"--frobnicate"}, []string{"frobnicate"}},
		{[]string{"extra"}, []string{"positional", "extra"}},
		{[]string{"--out", occupied}, []string{"--out", occupied, "new or empty directory"}},
		{[]string{"--set", "sim.init_state=random"}, []string{"sim.init_state", "random", "relax, zero, fixed_point"}},
		{[]string{"--set", "train.on_diverge=retry"}, []string{"train.on_diverge", "retry", "stop, rollback"}},
		{[]string{"--set", "train.clip_norm=-1"}, []string{"train.clip_norm", "-1", "≥ 0"}},
		{[]string{"--set", "train.backoff=0"}, []string{"train.backoff", "0", "(0, 1)"}},
		{[]string{"--set", "train.backoff=1"}, []string{"train.backoff", "1", "(0, 1)"}},
		{[]string{"--set", "train.max_rollbacks=-1"}, []string{"train.max_rollbacks", "-1", "≥ 0"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out := filepath.Join(dir, "run")
			args := append([]string{"train", "--out", out}, c.args...)
			code, _, stderr := runCmd(t, args...)
			if code != 2 {
				t.Errorf("exit status: got %d, want 2 (stderr %q)", code, stderr)
			}
			if !strings.HasPrefix(stderr, "balnet: ") {
				t.Errorf("stderr: got %q, want it to start with \"balnet: \"", stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr: got %q, want it to mention %q", stderr, w)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("run directory %s was created", out)
			}
		})
	}
	if code, _, _ := runCmd(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command: got exit %d, want 2", code)
	}
	if b, _ := os.ReadFile(filepath.Join(occupied, "metrics.csv")); string(b) != "x" {
		t.Errorf("occupied run directory was modified: metrics.csv = %q", b)
	}
}

// metricsWithoutWallTime returns metrics.csv without its last (wall_seconds) column.
func metricsWithoutWallTime(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "metrics.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		rows = append(rows, line[:strings.LastIndex(line, ",")])
	}
	return strings.Join(rows, "\n")
}

// TestTrainDeterministic: the same seed gives byte-identical metrics.csv (wall time aside);
// another seed gives different numbers. The resolved configuration is written.
func TestTrainDeterministic(t *testing.T) {
	dir := t.TempDir()
	var got []string
	for i, seed := range []string{"7", "7", "8"} {
		out := filepath.Join(dir, "run"+string(rune('a'+i)))
		code, _, stderr := runCmd(t, append([]string{"train", "--out", out, "--seed", seed}, fast...)...)
		if code != 0 {
			t.Fatalf("exit status: got %d, want 0 (stderr %q)", code, stderr)
		}
		got = append(got, metricsWithoutWallTime(t, out))
	}
	if got[0] != got[1] {
		t.Errorf("metrics.csv differs between two runs with seed 7:\n%s\n---\n%s", got[0], got[1])
	}
	if got[0] == got[2] {
		t.Error("metrics.csv is identical for seeds 7 and 8")
	}
	if rows := strings.Count(got[0], "\n") + 1; rows != 4 { // header, epochs 0, 4, 8
		t.Errorf("metrics.csv rows: got %d, want 4:\n%s", rows, got[0])
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "runa", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"seed: 7", "\"n\": 12", "epochs: 8", "outputs: 1"} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("config.yaml: want it to contain %q:\n%s", want, cfg)
		}
	}
}

// TestConfigCommand: balnet config prints the default, which reads back as the default.
func TestConfigCommand(t *testing.T) {
	code, stdout, _ := runCmd(t, "config")
	if code != 0 {
		t.Fatalf("exit status: got %d, want 0", code)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "default.yaml")
	os.WriteFile(file, []byte(stdout), 0o644)
	out := filepath.Join(dir, "run")
	code, _, stderr := runCmd(t, append([]string{"train", "--config", file, "--out", out}, fast...)...)
	if code != 0 {
		t.Fatalf("train with the printed default: exit %d, stderr %q", code, stderr)
	}
}

// TestAnalyzeEqualsLive: the analysis recomputed from the checkpoints by balnet analyze
// equals the rows recorded live at the same epochs (issue 5).
func TestAnalyzeEqualsLive(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "run")
	args := append([]string{"train", "--out", out, "--set", "analysis.every=4", "--set", "train.checkpoint_every=4",
		"--set", "task.signals=2"}, fast...)
	if code, _, stderr := runCmd(t, args...); code != 0 {
		t.Fatalf("train: exit %d, stderr %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, "analyze", out); code != 0 {
		t.Fatalf("analyze: exit %d, stderr %q", code, stderr)
	}
	live := readLines(t, filepath.Join(out, "analysis.csv"))
	recomputed := readLines(t, filepath.Join(out, "analysis-recomputed.csv"))
	if live[0] != recomputed[0] {
		t.Fatalf("headers differ:\n%s\n%s", live[0], recomputed[0])
	}
	byEpoch := map[string]string{}
	for _, row := range live[1:] {
		byEpoch[strings.SplitN(row, ",", 2)[0]] = row
	}
	if len(recomputed) != 3 { // header and the checkpoints of epochs 4 and 8
		t.Fatalf("recomputed rows: got %d, want 2:\n%s", len(recomputed)-1, strings.Join(recomputed, "\n"))
	}
	for _, row := range recomputed[1:] {
		epoch := strings.SplitN(row, ",", 2)[0]
		if byEpoch[epoch] != row {
			t.Errorf("epoch %s:\nlive       %s\nrecomputed %s", epoch, byEpoch[epoch], row)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "spectra", "epoch-00000008.npz")); err != nil {
		t.Errorf("spectra file: %v", err)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// TestDivergenceExitsOne: a non-finite loss stops training with exit 1 and a message naming
// the epoch; what was written before stays valid (issue 2).
func TestDivergenceExitsOne(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	args := append([]string{"train", "--out", out, "--set", "train.lr=1e30", "--set", "train.test_every=1"}, fast...)
	code, _, stderr := runCmd(t, args...)
	if code != 1 {
		t.Fatalf("exit status: got %d, want 1 (stderr %q)", code, stderr)
	}
	if !strings.Contains(stderr, "diverged at epoch") {
		t.Errorf("stderr: got %q, want it to name the epoch of divergence", stderr)
	}
	rows := readLines(t, filepath.Join(out, "metrics.csv"))
	if len(rows) < 2 || rows[0] != "epoch,train_loss,test_loss,wall_seconds" || !strings.HasPrefix(rows[1], "0,,") {
		t.Errorf("metrics.csv after divergence: got %q, want the header and the epoch-0 row", rows)
	}
	for _, row := range rows[1:] {
		if strings.Contains(row, "Inf") || strings.Contains(row, "NaN") {
			t.Errorf("metrics.csv row %q: want only finite values", row)
		}
	}
}
