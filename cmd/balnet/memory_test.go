package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/balnet/balnet/sweep"
)

// allocatedBytes is the process's MemStats.TotalAlloc.
func allocatedBytes() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// TestOversizedRunsRefused: the three oversized runs of issue 13 (each ended in a Go
// "fatal error: out of memory") exit 2 before allocating anything: the message gives the
// estimate and names the key that drives it with its value, nothing is written, and the
// command allocates less than 16 MiB (the smallest of them would need 763 MiB for its batch
// noise alone, the largest 1.5 TiB).
func TestOversizedRunsRefused(t *testing.T) {
	for _, c := range []struct{ set, key string }{
		{"network.n=100000", "network.n = 100000"},
		{"sim.steps=100000000", "sim.steps = 100000000"},
		{"train.batch=100000000", "train.batch = 100000000"},
	} {
		t.Run(c.set, func(t *testing.T) {
			for _, cmd := range []string{"train", "config"} {
				out := filepath.Join(t.TempDir(), "run")
				args := []string{"train", "--set", c.set, "--out", out, "--quiet"}
				if cmd == "config" {
					args = []string{"config", "--estimate", "--set", c.set}
				}
				before := allocatedBytes()
				code, stdout, stderr := runCmd(t, args...)
				alloc := allocatedBytes() - before
				if alloc > 16<<20 {
					t.Errorf("%s: allocated %d bytes, want under 16 MiB: the check must come before allocation", cmd, alloc)
				}
				if cmd == "config" { // the estimate is printed and says it does not fit
					if code != 0 || !strings.Contains(stdout, "does NOT fit") || !strings.Contains(stdout, "total: ") {
						t.Errorf("config --estimate: exit %d, stdout %q; want 0 and the verdict", code, stdout)
					}
					continue
				}
				if code != 2 {
					t.Errorf("exit status: got %d, want 2 (stderr %q)", code, stderr)
				}
				for _, w := range []string{"balnet: ", "needs an estimated", "TiB", c.key, "available memory"} {
					if !strings.Contains(stderr, w) {
						t.Errorf("stderr %q does not mention %q", stderr, w)
					}
				}
				if _, err := os.Stat(out); !os.IsNotExist(err) {
					t.Errorf("run directory %s was created", out)
				}
			}
		})
	}
}

// TestMaxMemory: --max-memory below the estimate refuses the run (exit 2, the flag named,
// nothing written) for every command that computes; above it the run trains; malformed
// sizes are refused naming --max-memory and the value.
func TestMaxMemory(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1)) // an accepted run lowers the soft limit
	dir := t.TempDir()
	out := filepath.Join(dir, "small")
	code, _, stderr := runCmd(t, append([]string{"train", "--out", out, "--max-memory", "8MiB"}, tiny(4)...)...)
	if code != 2 || !strings.Contains(stderr, "--max-memory 8MiB") || !strings.Contains(stderr, "network.n = 12") {
		t.Errorf("train under 8MiB: exit %d, stderr %q; want 2 naming --max-memory 8MiB and the keys", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("refused run wrote %s", out)
	}
	mustRun(t, append([]string{"train", "--out", out, "--max-memory", "1GiB"}, tiny(4)...)...)
	for _, args := range [][]string{
		{"resume", out, "--epochs", "8", "--max-memory", "8MiB"},
		{"analyze", out, "--max-memory", "8MiB"},
		{"info", "--set", "network.n=12", "--max-memory", "8MiB", "--out", filepath.Join(dir, "info")},
		{"info", out, "--max-memory", "8MiB", "--out", filepath.Join(dir, "info")},
		{"dmft", "--max-memory", "8MiB", "--compare", "2", "--out", filepath.Join(dir, "dmft")},
		{"fluctuations", "--max-memory", "8MiB", "--out", filepath.Join(dir, "fl")},
	} {
		before := snapshot(t, out)
		code, _, stderr := runCmd(t, args...)
		if code != 2 || !strings.Contains(stderr, "needs an estimated") || !strings.Contains(stderr, "--max-memory 8MiB") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and the estimate against --max-memory", args, code, stderr)
		}
		checkUnchanged(t, out, before)
		for _, d := range []string{"info", "dmft", "fl"} {
			if _, err := os.Stat(filepath.Join(dir, d)); !os.IsNotExist(err) {
				t.Errorf("%q wrote %s", args, d)
			}
		}
	}
	for _, bad := range []string{"", "0", "-1GiB", "lots", "2XB", "1e400", "NaN", "0.5", "GiB"} {
		args := append([]string{"train", "--out", filepath.Join(dir, "bad"), "--max-memory", bad}, tiny(4)...)
		code, _, stderr := runCmd(t, args...)
		if bad == "" { // the default: the machine's available memory
			if code != 0 {
				t.Errorf("--max-memory \"\": exit %d, stderr %q; want the default budget", code, stderr)
			}
			os.RemoveAll(filepath.Join(dir, "bad"))
			continue
		}
		if code != 2 || !strings.Contains(stderr, "--max-memory") || !strings.Contains(stderr, bad) || !strings.Contains(stderr, "GiB") {
			t.Errorf("--max-memory %q: exit %d, stderr %q; want 2 naming the flag, the value and the form", bad, code, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "bad")); !os.IsNotExist(err) {
			t.Errorf("--max-memory %q: wrote the run directory", bad)
		}
	}
}

// TestConfigEstimateCommand: balnet config --estimate prints the breakdown (every phase,
// the total) for each command; --for and --compare are checked; without --estimate the
// resolved configuration is printed.
func TestConfigEstimateCommand(t *testing.T) {
	for _, cmd := range []string{"train", "analyze", "info", "dmft", "fluctuations"} {
		code, stdout, stderr := runCmd(t, "config", "--estimate", "--for", cmd, "--compare", "1")
		if code != 0 {
			t.Fatalf("%s: exit %d, stderr %q", cmd, code, stderr)
		}
		for _, w := range []string{"memory estimate of balnet " + cmd, "resident", "total: ", "budget: "} {
			if !strings.Contains(stdout, w) {
				t.Errorf("%s: stdout %q does not mention %q", cmd, stdout, w)
			}
		}
	}
	code, stdout, _ := runCmd(t, "config", "--set", "network.n=37")
	if code != 0 || !strings.Contains(stdout, "\"n\": 37") {
		t.Errorf("config --set network.n=37: exit %d, stdout %q", code, stdout)
	}
	for _, c := range []struct{ args, want []string }{
		{[]string{"--for", "plot", "--estimate"}, []string{"--for", "plot", "train, analyze, info, dmft, fluctuations"}},
		{[]string{"--estimate", "--compare", "-1"}, []string{"--compare", "-1", "≥ 0"}},
		{[]string{"--estimate", "--max-memory", "x"}, []string{"--max-memory", "x"}},
		{[]string{"--estimate", "--set", "network.n=1.5"}, []string{"network.n", "1.5", "integer"}},
		{[]string{"extra"}, []string{"config", "extra"}},
	} {
		code, _, stderr := runCmd(t, append([]string{"config"}, c.args...)...)
		if code != 2 {
			t.Errorf("config %q: exit %d, want 2 (stderr %q)", c.args, code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("config %q: stderr %q does not mention %q", c.args, stderr, w)
			}
		}
	}
}

// TestNonIntegerKeyNamed: network.n=1.5 is refused naming network.n (issue 13: it was
// truncated to 1 and answered with an analysis.outliers error), by --set and in a file.
func TestNonIntegerKeyNamed(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	os.WriteFile(file, []byte("network:\n  n: 1.5\n"), 0o644)
	for _, args := range [][]string{{"--set", "network.n=1.5"}, {"--config", file}} {
		out := filepath.Join(dir, "run")
		code, _, stderr := runCmd(t, append([]string{"train", "--out", out}, args...)...)
		if code != 2 || !strings.Contains(stderr, "network.n = 1.5") || !strings.Contains(stderr, "integer") || strings.Contains(stderr, "outliers") {
			t.Errorf("%q: exit %d, stderr %q; want 2 naming network.n = 1.5 as not an integer", args, code, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%q wrote the run directory", args)
		}
	}
}

// TestSweepMemory: a local sweep whose workers would run its largest runs side by side in
// more memory than --max-memory is refused before the sweep directory is written (exit 2,
// the workers and the estimate named); one worker fits, as does --slurm (each task is
// sized by SLURM's --mem).
func TestSweepMemory(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "grid.yaml")
	os.WriteFile(spec, []byte("command: train\nset:\n  train.epochs: 0\ngrid:\n  network.n: [12, 300]\nseeds: 1\n"), 0o644)
	out := filepath.Join(dir, "sweep")
	// The runs' estimates (balnet config --estimate): 33.3 MiB for N = 12 and 50.3 MiB for
	// N = 300, each with the 32 MiB of its own runtime: two side by side need about 83 MiB.
	code, _, stderr := runCmd(t, "sweep", spec, "--out", out, "--workers", "2", "--max-memory", "64MiB", "--quiet")
	if code != 2 || !strings.Contains(stderr, "2 workers") || !strings.Contains(stderr, "--max-memory 64MiB") || !strings.Contains(stderr, "lower --workers") {
		t.Errorf("sweep with 2 workers under 64MiB: exit %d, stderr %q; want 2 naming the workers and the budget", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("refused sweep wrote %s", out)
	}
	if err := checkSweepMemoryOf(t, spec, 1, "64MiB"); err != nil {
		t.Errorf("one worker under 64MiB: got %v, want it to fit", err)
	}
	if code, _, stderr := runCmd(t, "sweep", spec, "--out", out, "--max-memory", "x"); code != 2 || !strings.Contains(stderr, "--max-memory") {
		t.Errorf("--max-memory x: exit %d, stderr %q; want 2 naming the flag", code, stderr)
	}
}

// checkSweepMemoryOf runs checkSweepMemory on the spec file with the given workers.
func checkSweepMemoryOf(t *testing.T, file string, workers int, maxMemory string) error {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sweep.Parse(data, filepath.Dir(file))
	if err != nil {
		t.Fatal(err)
	}
	return checkSweepMemory(s, s.Runs(), workers, maxMemory)
}
