package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/balnet/balnet/rundir"
)

// TestSecondWriterRefused: while the run directory's lock is held (here by this process,
// as a running train would), every command that writes into the run exits 1 at once with
// a message naming the directory and the holder's pid, and a command that only reads the
// run (export to a file elsewhere, plot --out elsewhere) still works. The lock of a killed
// holder is tested in package rundir.
func TestSecondWriterRefused(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	mustRun(t, append([]string{"train", "--out", run}, tiny(4)...)...)
	lock, err := rundir.Lock(run)
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(os.Getpid())
	for _, args := range [][]string{
		{"resume", run, "--epochs", "8", "--quiet", "--no-plots"},
		{"analyze", run},
		{"analyze", run, "--out", filepath.Join(dir, "a.csv")}, // spectra still go into the run
		{"plot", run},
		{"export", run, "--out", filepath.Join(run, "p.npz")},
		append([]string{"train", "--out", run, "--force"}, tiny(4)...),
	} {
		code, _, stderr := runCmd(t, args...)
		if code != 1 {
			t.Errorf("balnet %s with the run locked: got exit status %d, want 1 (stderr %q)", strings.Join(args, " "), code, stderr)
		}
		for _, want := range []string{run, "locked by process " + pid} {
			if !strings.Contains(stderr, want) {
				t.Errorf("balnet %s: got stderr %q, want it to name %q", strings.Join(args, " "), stderr, want)
			}
		}
	}
	mustRun(t, "export", run, "--out", filepath.Join(dir, "p.npz"))
	mustRun(t, "plot", run, "--out", filepath.Join(dir, "figures"))
	lock.Unlock()
	mustRun(t, "resume", run, "--epochs", "8", "--quiet", "--no-plots")
}
