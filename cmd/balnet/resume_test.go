package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/model/engine"
	"github.com/balnet/balnet/rundir"
)

// splitSets are the settings of the resume tests besides the tiny network: checkpoints
// every 3 epochs and analyses every 2, so that a run of 10 epochs has checkpoints,
// tests (every 4) and analyses at different epochs.
var splitSets = []string{"train.checkpoint_every=3", "analysis.every=2"}

// compareRuns fails unless the run directory got holds what the uninterrupted run want
// holds: the same config.yaml, metrics.csv (wall_seconds aside), analysis.csv, spectra,
// final state, and the same bytes in every checkpoint written after epoch from.
func compareRuns(t *testing.T, want, got string, from int) {
	t.Helper()
	if w, g := readFile(t, filepath.Join(want, "config.yaml")), readFile(t, filepath.Join(got, "config.yaml")); !bytes.Equal(w, g) {
		t.Errorf("config.yaml: got\n%s\nwant\n%s", g, w)
	}
	if w, g := metricsWithoutWallTime(t, want), metricsWithoutWallTime(t, got); w != g {
		t.Errorf("metrics.csv (without wall_seconds): got\n%s\nwant\n%s", g, w)
	}
	checkEachEpochOnce(t, filepath.Join(got, "metrics.csv"))
	if _, err := os.Stat(filepath.Join(want, "analysis.csv")); err == nil {
		if w, g := readFile(t, filepath.Join(want, "analysis.csv")), readFile(t, filepath.Join(got, "analysis.csv")); !bytes.Equal(w, g) {
			t.Errorf("analysis.csv: got\n%s\nwant\n%s", g, w)
		}
		checkEachEpochOnce(t, filepath.Join(got, "analysis.csv"))
	}
	wantSpectra, gotSpectra := spectraFiles(want), spectraFiles(got)
	if len(wantSpectra) != len(gotSpectra) {
		t.Errorf("spectra: got %d files, want %d", len(gotSpectra), len(wantSpectra))
	}
	for _, e := range wantSpectra {
		w := readFile(t, filepath.Join(want, rundir.SpectraDir, e.Name()))
		if g, err := os.ReadFile(filepath.Join(got, rundir.SpectraDir, e.Name())); err != nil || !bytes.Equal(w, g) {
			t.Errorf("spectra/%s: got %d bytes (%v), want the %d bytes of the uninterrupted run", e.Name(), len(g), err, len(w))
		}
	}

	wantPath, err := checkpoints.LatestState(want)
	if err != nil {
		t.Fatal(err)
	}
	gotPath, err := checkpoints.LatestState(got)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(gotPath) != filepath.Base(wantPath) {
		t.Errorf("latest checkpoint: got %s, want %s", filepath.Base(gotPath), filepath.Base(wantPath))
	}
	wantCfg, wantState, err := checkpoints.LoadState(wantPath)
	if err != nil {
		t.Fatal(err)
	}
	gotCfg, gotState, err := checkpoints.LoadState(gotPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotCfg, wantCfg) {
		t.Errorf("configuration in the final checkpoint: got\n%s\nwant\n%s", gotCfg, wantCfg)
	}
	if !reflect.DeepEqual(gotState, wantState) {
		t.Errorf("final state (parameters, Adam, streams, ...) differs from the uninterrupted run's: got epoch %d, Adam step %d, J[0,1] %v; want epoch %d, Adam step %d, J[0,1] %v",
			gotState.Epoch, gotState.Adam.Step, gotState.Params.J.At(0, 1), wantState.Epoch, wantState.Adam.Step, wantState.Params.J.At(0, 1))
	}
	for _, e := range checkpointEpochs(t, want) {
		if e <= from {
			continue
		}
		w := readFile(t, checkpoints.StatePath(want, e))
		if g, err := os.ReadFile(checkpoints.StatePath(got, e)); err != nil || !bytes.Equal(g, w) {
			t.Errorf("checkpoint of epoch %d: got %d bytes (%v), want the %d bytes of the uninterrupted run", e, len(g), err, len(w))
		}
	}
}

// spectraFiles lists the spectra files of a run, without temporary files that a crash
// left (they are hidden and never read).
func spectraFiles(run string) []os.DirEntry {
	entries, _ := os.ReadDir(filepath.Join(run, rundir.SpectraDir))
	return slices.DeleteFunc(entries, func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), ".") })
}

// checkEachEpochOnce fails unless the epochs (first column) of a CSV file strictly increase.
func checkEachEpochOnce(t *testing.T, path string) {
	t.Helper()
	b := readFile(t, path)
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Errorf("%s: got a last line without newline (torn)", filepath.Base(path))
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	last := -1
	for _, line := range lines[1:] {
		e, err := strconv.Atoi(line[:strings.IndexByte(line+",", ',')])
		if err != nil {
			t.Errorf("%s: row %q: %v", filepath.Base(path), line, err)
			continue
		}
		if e <= last {
			t.Errorf("%s: got epoch %d after epoch %d, want each epoch exactly once, ascending", filepath.Base(path), e, last)
		}
		last = e
	}
}

// TestResumeBitIdentical: 2k epochs straight equal k epochs, a checkpoint, a resume and k
// more, bit for bit (metrics.csv without wall_seconds, analysis.csv, spectra, the final
// checkpoint's state and the bytes of every later checkpoint), for float32 and float64,
// S = 1 and 2, both tasks and every engine of engine.Names. k = 5 is a multiple of
// neither test_every (4) nor checkpoint_every (3). The first k epochs end either by an
// interruption (the SIGINT path: ctx cancelled during epoch 5, checkpoint saved, exit 0;
// resume continues to the configured 10) or as a complete run of 5 epochs (with its
// read-only final test row, which resume --epochs 10 drops and recomputes as a normal one).
func TestResumeBitIdentical(t *testing.T) {
	const k = 5
	for _, engine := range engine.Names {
		for _, dtype := range []string{"float32", "float64"} {
			for _, signals := range []int{1, 2} {
				for _, kind := range []string{"ou", "linear"} {
					name := fmt.Sprintf("%s/%s/S=%d/%s", engine, dtype, signals, kind)
					t.Run(name, func(t *testing.T) {
						sets := append(slices.Clone(splitSets), "train.engine="+engine, "dtype="+dtype,
							"task.signals="+strconv.Itoa(signals), "task.kind="+kind)
						dir := t.TempDir()
						straight := filepath.Join(dir, "straight")
						mustRun(t, append([]string{"train", "--out", straight}, tiny(2*k, sets...)...)...)

						interrupted := filepath.Join(dir, "interrupted")
						code, stdout, stderr := runCtx(t, newInterruptAfter(k), append([]string{"train", "--out", interrupted}, tiny(2*k, sets...)...)...)
						if code != 0 || !strings.Contains(stdout, fmt.Sprintf("interrupted at epoch %d", k)) {
							t.Fatalf("interrupted train: got exit %d, stdout %q, stderr %q; want 0 and \"interrupted at epoch %d\"", code, stdout, stderr, k)
						}
						if got, want := checkpointEpochs(t, interrupted), []int{3, k}; !slices.Equal(got, want) {
							t.Errorf("checkpoints after the interruption: got %v, want %v", got, want)
						}
						mustRun(t, "resume", interrupted, "--quiet", "--no-plots")
						compareRuns(t, straight, interrupted, k)

						shorter := filepath.Join(dir, "shorter")
						mustRun(t, append([]string{"train", "--out", shorter}, tiny(k, sets...)...)...)
						mustRun(t, "resume", shorter, "--epochs", strconv.Itoa(2*k), "--quiet", "--no-plots")
						compareRuns(t, straight, shorter, k)
					})
				}
			}
		}
	}
}

// TestResumeAtEveryEpoch: for one configuration of each engine, an interruption after
// every k = 0, ..., 10 of 10 epochs (multiples of test_every, of checkpoint_every, of
// both, of neither, the start and the end), and a complete run of k epochs extended by
// resume --epochs 10 (k = 0: a run of 0 epochs, which saves its checkpoint of epoch 0),
// both equal the uninterrupted run. And the run interrupted at k, resumed with --epochs k,
// equals the uninterrupted run of k epochs. k = 10 resumes a finished run,
// which must change nothing (10 is not a multiple of test_every: its final row stays).
func TestResumeAtEveryEpoch(t *testing.T) {
	const total = 10
	for _, engine := range engine.Names {
		t.Run(engine, func(t *testing.T) {
			sets := append(slices.Clone(splitSets), "train.engine="+engine, "dtype=float64", "task.kind=linear")
			dir := t.TempDir()
			straight := filepath.Join(dir, "straight")
			mustRun(t, append([]string{"train", "--out", straight}, tiny(total, sets...)...)...)
			for k := 0; k <= total; k++ {
				t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
					interrupted := filepath.Join(dir, fmt.Sprintf("interrupted%d", k))
					code, stdout, stderr := runCtx(t, newInterruptAfter(k), append([]string{"train", "--out", interrupted}, tiny(total, sets...)...)...)
					if code != 0 {
						t.Fatalf("interrupted train: got exit %d, want 0 (stdout %q, stderr %q)", code, stdout, stderr)
					}
					if k < total && !strings.Contains(stdout, fmt.Sprintf("interrupted at epoch %d", k)) {
						t.Errorf("stdout: got %q, want \"interrupted at epoch %d\"", stdout, k)
					}
					mustRun(t, "resume", interrupted, "--quiet", "--no-plots")
					compareRuns(t, straight, interrupted, k)

					shorter := filepath.Join(dir, fmt.Sprintf("shorter%d", k))
					mustRun(t, append([]string{"train", "--out", shorter}, tiny(k, sets...)...)...)

					// Interrupted at k and resumed with --epochs k: nothing left to train, but
					// the run must end as a run of k epochs does, with its final test row and
					// a final checkpoint holding train.epochs = k.
					cut := filepath.Join(dir, fmt.Sprintf("cut%d", k))
					if code, stdout, stderr := runCtx(t, newInterruptAfter(k), append([]string{"train", "--out", cut}, tiny(total, sets...)...)...); code != 0 {
						t.Fatalf("interrupted train: got exit %d, want 0 (stdout %q, stderr %q)", code, stdout, stderr)
					}
					mustRun(t, "resume", cut, "--epochs", strconv.Itoa(k), "--quiet", "--no-plots")
					compareRuns(t, shorter, cut, k-1)
					mustRun(t, "resume", shorter, "--epochs", strconv.Itoa(total), "--quiet", "--no-plots")
					compareRuns(t, straight, shorter, k)
				})
			}
			// Resuming the finished run again changes nothing.
			before := snapshot(t, straight)
			stdout := mustRun(t, "resume", straight, "--quiet", "--no-plots")
			if !strings.Contains(stdout, "done: epoch 10") {
				t.Errorf("resume of a finished run: got stdout %q, want \"done: epoch 10\"", stdout)
			}
			checkUnchanged(t, straight, before)
		})
	}
}
