package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/rundir"
)

// fig10Sets is the Fig. 10 setting of issue 13: linear φ, g = √2, Δt = 0.05, 100 steps.
var fig10Sets = []string{"--set", "network.nonlinearity=linear", "--set", "network.g=1.4142135623730951",
	"--set", "sim.dt=0.05", "--set", "sim.steps=100", "--quiet", "--no-plots", "--epochs", "10"}

// TestFig10UnstableStart: in the Fig. 10 setting the default relaxation of the initial
// state diverges; balnet train stops before training with exit 1, a message naming what
// diverged, the evidence (max |h|, the leading eigenvalue of the linearization) and what
// to change, and writes nothing.
func TestFig10UnstableStart(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	code, _, stderr := runCmd(t, append([]string{"train", "--out", out}, fig10Sets...)...)
	if code != 1 {
		t.Fatalf("exit status: got %d, want 1 (stderr %q)", code, stderr)
	}
	for _, want := range []string{"balnet: unstable start (nothing trained)", "relaxation", "diverged", "max |h| grew from",
		"leading eigenvalue λ = ", "linearly unstable", "--set sim.init_state=zero", "network.g"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr: got %q, want it to mention %q", stderr, want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("run directory %s was created", out)
	}
}

// rollbackSets force a divergence (lr = 3.2, see train's divergeCfg: rollbacks at epoch 4
// to epoch 3 with lr 1.6 and to epoch 0 with lr 0.8) in a run of checkpoints every 3
// epochs and analyses every 2, all checkpoints kept.
var rollbackSets = append(slices.Clone(splitSets), "train.lr=3.2", "train.on_diverge=rollback", "train.keep=50")

// readEvents returns the rows of events.csv (without the header).
func readEvents(t *testing.T, run string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(run, rundir.EventsFile)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], rundir.EventsHeader) {
		t.Fatalf("events.csv header: got %v, want %v", rows[0], rundir.EventsHeader)
	}
	return rows[1:]
}

// TestRollbackRun: a run forced to diverge rolls back to its checkpoints, lowers the
// learning rate by train.backoff each time, continues to the end (exit 0), records every
// event in events.csv and on stderr, and leaves each epoch once in metrics.csv. Resumed
// after an interruption at any point of its history (also right after a rollback), and
// resumed from any of its checkpoints, it equals the run that never stopped bit for bit.
func TestRollbackRun(t *testing.T) {
	dir := t.TempDir()
	straight := filepath.Join(dir, "straight")
	code, _, stderr := runCmd(t, append([]string{"train", "--out", straight}, tiny(12, rollbackSets...)...)...)
	if code != 0 {
		t.Fatalf("train: exit %d, stderr %q", code, stderr)
	}
	events := readEvents(t, straight)
	want := [][]string{{"4", "rollback", "3", "1.6"}, {"4", "rollback", "0", "0.8"}}
	if len(events) != len(want) {
		t.Fatalf("events.csv: got %d rows %v, want %d", len(events), events, len(want))
	}
	for i, w := range want {
		e := events[i]
		if e[0] != w[0] || e[2] != w[1] || e[3] != w[2] || e[4] != w[3] || !strings.Contains(e[1], "diverged") {
			t.Errorf("events.csv row %d: got %v, want epoch %s, what diverged, action %s, to %s, lr %s", i, e, w[0], w[1], w[2], w[3])
		}
	}
	for _, w := range []string{"rolled back to epoch 3 with lr 1.6 (rollback 1 of at most 3)", "rolled back to epoch 0 with lr 0.8 (rollback 2 of at most 3)"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr: got %q, want %q", stderr, w)
		}
	}
	checkEachEpochOnce(t, filepath.Join(straight, "metrics.csv"))
	checkEachEpochOnce(t, filepath.Join(straight, "analysis.csv"))
	_, final, err := checkpoints.LoadState(filepath.Join(checkpoints.Dir(straight), checkpoints.FileName(12)))
	if err != nil {
		t.Fatal(err)
	}
	if final.LR != 0.8 || final.Rollbacks != 2 {
		t.Errorf("final checkpoint: got lr %v, %d rollbacks; want 0.8, 2", final.LR, final.Rollbacks)
	}
	sameEvents := func(t *testing.T, got string) {
		t.Helper()
		if w, g := readFile(t, filepath.Join(straight, rundir.EventsFile)), readFile(t, filepath.Join(got, rundir.EventsFile)); !bytes.Equal(w, g) {
			t.Errorf("events.csv: got\n%s\nwant\n%s", g, w)
		}
	}

	// Interrupted after k loop iterations (epochs and retried epochs; 14 in all), resumed.
	for k := 0; k <= 15; k++ {
		if testing.Short() && k != 5 && k != 9 {
			continue
		}
		t.Run(fmt.Sprintf("interrupted-%d", k), func(t *testing.T) {
			run := filepath.Join(dir, fmt.Sprintf("interrupted%d", k))
			code, stdout, stderr := runCtx(t, newInterruptAfter(k), append([]string{"train", "--out", run}, tiny(12, rollbackSets...)...)...)
			if code != 0 {
				t.Fatalf("interrupted train: exit %d (stdout %q, stderr %q)", code, stdout, stderr)
			}
			mustRun(t, "resume", run, "--quiet", "--no-plots")
			compareRuns(t, straight, run, -1)
			sameEvents(t, run)
		})
	}

	// Resumed from each checkpoint of the finished run: the directory as it was when that
	// checkpoint was the latest, except for files the resumed run writes again.
	for _, c := range checkpointEpochs(t, straight) {
		if testing.Short() && c != 3 {
			continue
		}
		t.Run(fmt.Sprintf("from-%d", c), func(t *testing.T) {
			run := filepath.Join(dir, fmt.Sprintf("from%d", c))
			copyTree(t, straight, run)
			ckdir := checkpoints.Dir(run)
			for _, e := range checkpointEpochs(t, run) {
				if e > c {
					os.Remove(filepath.Join(ckdir, checkpoints.FileName(e)))
				}
			}
			f, err := checkpoints.ReadEpoch(ckdir, c)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := checkpoints.WriteEpoch(ckdir, c, f); err != nil { // the pointer names c
				t.Fatal(err)
			}
			mustRun(t, "resume", run, "--epochs", "12", "--quiet", "--no-plots")
			compareRuns(t, straight, run, -1)
			sameEvents(t, run)
		})
	}
}

// TestRollbacksExhausted: with train.max_rollbacks 1 the forced divergence stops the run
// after one rollback with exit 1, naming the limit; events.csv holds the rollback and the
// stop.
func TestRollbacksExhausted(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run")
	code, _, stderr := runCmd(t, append([]string{"train", "--out", run}, tiny(12, append(slices.Clone(rollbackSets), "train.max_rollbacks=1")...)...)...)
	if code != 1 || !strings.Contains(stderr, "training diverged at epoch 4") || !strings.Contains(stderr, "train.max_rollbacks = 1") {
		t.Fatalf("got exit %d, stderr %q; want 1 and the divergence naming train.max_rollbacks = 1", code, stderr)
	}
	events := readEvents(t, run)
	if len(events) != 2 || events[0][2] != "rollback" || events[1][2] != "stop" {
		t.Errorf("events.csv: got %v, want a rollback and a stop", events)
	}
}
