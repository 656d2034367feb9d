package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/rundir"
)

// tempNames returns the temporary files of atomic writes (".NAME.tmp-…") under a run
// directory, by path relative to it.
func tempNames(run string) map[string]bool {
	names := map[string]bool{}
	for _, sub := range []string{".", checkpoints.DirName, rundir.SpectraDir} {
		entries, _ := os.ReadDir(filepath.Join(run, sub))
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp-") {
				names[filepath.Join(sub, e.Name())] = true
			}
		}
	}
	return names
}

// Phases of a SIGKILL, told apart by what the killed process left behind.
const (
	phaseFinished     = "finished before the kill"
	phaseNoConfig     = "before config.yaml was written"
	phaseNoCheckpoint = "before the first checkpoint"
	phaseFirst        = "during the first checkpoint's write (its temporary directory left)"
	phaseCheckpoint   = "during a checkpoint write (its temporary file left)"
	phasePointer      = "during the latest-pointer update (its temporary file left)"
	phaseRenamed      = "after a checkpoint's rename, before the pointer named it"
	phaseSpectra      = "during a spectra/*.npz write (its temporary file left)"
	phaseCSV          = "during resume's CSV truncation or config rewrite (temporary file left)"
	phaseTornRow      = "in the middle of a CSV row (torn last line)"
	phaseTraining     = "while training (no write in progress)"
	phaseResumeStart  = "in a resume before its first checkpoint (start-up, CSV repair, first epoch)"
)

// classify says where a kill landed, from the run directory it left: temporary files that
// the killed process created (not those it found, listed in old), checkpoints newer than
// the pointer, torn CSV rows.
func classify(run string, old map[string]bool) string {
	if _, err := os.Stat(filepath.Join(run, "config.yaml")); err != nil {
		return phaseNoConfig
	}
	ckdir := checkpoints.Dir(run)
	epochs, _ := checkpoints.List(ckdir)
	for name := range tempNames(run) {
		if old[name] {
			continue
		}
		base := filepath.Base(name)
		switch {
		case strings.HasPrefix(base, "."+checkpoints.DirName+".tmp-"):
			return phaseFirst
		case strings.HasPrefix(name, checkpoints.DirName) && strings.HasPrefix(base, "."+checkpoints.PointerName):
			return phasePointer
		case strings.HasPrefix(name, checkpoints.DirName):
			return phaseCheckpoint
		case strings.HasPrefix(name, rundir.SpectraDir):
			return phaseSpectra
		default:
			return phaseCSV
		}
	}
	if len(epochs) == 0 {
		return phaseNoCheckpoint
	}
	if b, err := os.ReadFile(filepath.Join(ckdir, checkpoints.PointerName)); err == nil {
		if p, ok := checkpoints.ParseFileName(strings.TrimSpace(string(b))); ok && p < epochs[len(epochs)-1] {
			return phaseRenamed
		}
	}
	for _, csv := range []string{"metrics.csv", "analysis.csv"} {
		if b, err := os.ReadFile(filepath.Join(run, csv)); err == nil && len(b) > 0 && b[len(b)-1] != '\n' {
			return phaseTornRow
		}
	}
	return phaseTraining
}

// pointerEpoch returns the epoch the run's latest pointer names, or −1.
func pointerEpoch(run string) int {
	b, err := os.ReadFile(filepath.Join(checkpoints.Dir(run), checkpoints.PointerName))
	if err != nil {
		return -1
	}
	e, ok := checkpoints.ParseFileName(strings.TrimSpace(string(b)))
	if !ok {
		return -1
	}
	return e
}

// waitStatus interprets the end of a child process: killed by SIGKILL, or finished; a
// process that finished must have exited 0.
func waitStatus(t *testing.T, err error, stderr *bytes.Buffer, args []string) (killed bool) {
	t.Helper()
	if err == nil {
		return false
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
	}
	t.Fatalf("balnet %s: got %v, want exit status 0 or death by SIGKILL\nstderr: %s", strings.Join(args, " "), err, stderr.String())
	return false
}

// killer runs balnet child processes and sends them SIGKILL at random moments spread over
// their whole life, whatever the load of the machine: either a random delay into
// start-up (the creation of the run directory and the first checkpoint, for a fresh
// train), or a random delay into the epoch after a randomly chosen checkpoint (watched
// through the latest pointer). It keeps running estimates of both durations.
type killer struct {
	rng     *rand.Rand
	total   int
	startup time.Duration // time from start to the process's first checkpoint
	epoch   time.Duration // time of one epoch (training, rows, checkpoint)
}

// run starts "balnet args..." on the run directory run and kills it; it reports whether
// the kill came before the process finished.
func (k *killer) run(t *testing.T, run string, args ...string) (killed bool) {
	t.Helper()
	cmd := balnetCommand(args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	from := pointerEpoch(run) // the checkpoint a resume starts from
	early := 5                // one kill in 5 lands during start-up ...
	if args[0] == "train" {
		from, early = -1, 2 // ... one in 2 for a fresh train (which starts from nothing)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var delay time.Duration
	target := -1 // kill after the checkpoint of this epoch; −1: during start-up
	if from+1 >= k.total || k.rng.IntN(early) == 0 {
		delay = time.Duration(k.rng.Float64() * 1.2 * float64(k.startup))
	} else {
		target = from + 1 + k.rng.IntN(k.total-from)
		delay = time.Duration(k.rng.Float64() * 1.2 * float64(k.epoch))
	}
	if target >= 0 {
		last, lastAt := from, start
		for last < target {
			select {
			case err := <-done:
				return waitStatus(t, err, &stderr, args)
			case <-time.After(500 * time.Microsecond):
			}
			if seen := pointerEpoch(run); seen > last {
				now := time.Now()
				if last == from {
					k.startup = (k.startup*3 + now.Sub(start)) / 4
				} else {
					k.epoch = (k.epoch*7 + now.Sub(lastAt)/time.Duration(seen-last)) / 8
				}
				last, lastAt = seen, now
			}
		}
	}
	select {
	case err := <-done:
		return waitStatus(t, err, &stderr, args)
	case <-time.After(delay):
	}
	cmd.Process.Kill()
	return waitStatus(t, <-done, &stderr, args)
}

// TestCrashSafety kills training subprocesses with SIGKILL at random moments: a fresh
// train, then resumes of it, several times per run. Checkpoints are written every epoch,
// so many kills land inside a checkpoint write. After every kill, the test resumes (a
// resume that finds no checkpoint must fail cleanly, exit 1 — exit 2 if not even
// config.yaml was written — and change nothing; a fresh train --force follows). At the
// end of each run, resume completes, and the run equals the uninterrupted one bit for bit
// (metrics.csv without wall_seconds, analysis.csv, spectra, every kept checkpoint), with
// every epoch exactly once in the CSV files. The kill moments come from a fixed-seed PCG
// (which checkpoint, which delay after it); where they land depends on timing and is only
// logged, never asserted.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: SIGKILLs about 100 training subprocesses (about 20 s)")
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL and POSIX rename semantics")
	}
	const (
		total    = 26  // not a multiple of test_every (4): the run ends with a read-only test row
		attempts = 100 // child processes started to be killed
		perRun   = 6   // at most, before the run is completed and compared
	)
	sets := tiny(total, "train.checkpoint_every=1", "train.keep=3", "analysis.every=5")
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	mustRun(t, append([]string{"train", "--out", ref}, sets...)...)

	k := &killer{rng: rand.New(rand.NewPCG(20240404, 4)), total: total, startup: 100 * time.Millisecond, epoch: 10 * time.Millisecond}
	phases := map[string]int{}
	leftovers, started, runs := 0, 0, 0
	for ; started < attempts; runs++ {
		run := filepath.Join(dir, fmt.Sprintf("run%02d", runs))
		train := append([]string{"train", "--out", run, "--force"}, sets...)
		next := train
		for n := 0; n < perRun && started < attempts; n++ {
			if next[0] == "resume" && pointerEpoch(run) == total {
				break // the run is complete: nothing left to interrupt
			}
			started++
			old, pointer := tempNames(run), pointerEpoch(run)
			switch {
			case !k.run(t, run, next...):
				phases[phaseFinished]++
			case next[0] == "resume" && pointerEpoch(run) == pointer && classify(run, old) == phaseTraining:
				phases[phaseResumeStart]++
			default:
				phases[classify(run, old)]++
			}
			next = afterKill(t, run, train)
		}
		code, stdout, stderr := runCmd(t, next...)
		if code != 0 {
			t.Fatalf("run %d: balnet %s: got exit status %d, want 0\nstdout: %s\nstderr: %s",
				runs, strings.Join(next, " "), code, stdout, stderr)
		}
		leftovers += len(tempNames(run))
		compareRuns(t, ref, run, -1)
		if t.Failed() {
			t.Fatalf("run %d differs from the uninterrupted run (phases so far: %v)", runs, phases)
		}
	}
	t.Logf("estimated start-up %v, epoch %v", k.startup, k.epoch)
	var lines []string
	for p, n := range phases {
		lines = append(lines, fmt.Sprintf("%4d  %s", n, p))
	}
	sort.Sort(sort.Reverse(sort.StringSlice(lines)))
	t.Logf("%d processes over %d runs; SIGKILL landed:\n%s", attempts, runs, strings.Join(lines, "\n"))
	t.Logf("stale temporary files left in the finished runs (outside checkpoints/, which Prune cleans): %d", leftovers)
}

// afterKill decides how to continue a killed run: resume when it has a checkpoint; when
// not, resume must fail cleanly without changing anything, and the run starts afresh.
func afterKill(t *testing.T, run string, train []string) []string {
	t.Helper()
	if epochs, _ := checkpoints.List(checkpoints.Dir(run)); len(epochs) > 0 {
		return []string{"resume", run, "--quiet", "--no-plots"}
	}
	_, statErr := os.Stat(run)
	var before dirSnapshot
	if statErr == nil {
		before = snapshot(t, run)
	}
	code, _, stderr := runCmd(t, "resume", run, "--quiet", "--no-plots")
	_, cfgErr := os.Stat(filepath.Join(run, "config.yaml"))
	want, msg := 1, "no checkpoint"
	if cfgErr != nil {
		want, msg = 2, "not a run directory"
	}
	if code != want || !strings.Contains(stderr, msg) || !strings.Contains(stderr, run) {
		t.Errorf("resume of a run killed before its first checkpoint: got exit status %d, stderr %q; want %d and a message naming %s with %q",
			code, stderr, want, run, msg)
	}
	if statErr == nil {
		checkUnchanged(t, run, before)
	} else if _, err := os.Stat(run); err == nil {
		t.Errorf("resume of a missing run directory created %s", run)
	}
	return train
}

// TestSignalInterrupt: SIGINT or SIGTERM during training (a real child process, its
// signal handling that of main) finishes the epoch, writes its checkpoint, prints how to
// resume, and exits 0. Resuming continues bit for bit: the result equals an uninterrupted
// run of the same total.
func TestSignalInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs POSIX signals")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			run := filepath.Join(dir, "run")
			// Far more epochs than the test waits for; checkpoints only at the end.
			sets := []string{"train.checkpoint_every=100000", "analysis.every=3", "task.kind=linear"}
			cmd := balnetCommand(append([]string{"train", "--out", run}, tiny(100000, sets...)...)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait until training is under way (the row of epoch 8 is written), then signal.
			deadline := time.Now().Add(2 * time.Minute)
			for !bytes.Contains(readIfExists(filepath.Join(run, "metrics.csv")), []byte("\n8,")) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("no metrics row of epoch 8 after 2 minutes; stderr: %s", stderr.String())
				}
				time.Sleep(2 * time.Millisecond)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("got %v, want exit status 0\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
			}
			m := regexp.MustCompile(`interrupted at epoch (\d+); checkpoint saved. Continue with:\n  balnet resume (.*)\n`).FindStringSubmatch(stdout.String())
			if m == nil || m[2] != run {
				t.Fatalf("stdout: got %q, want \"interrupted at epoch E; checkpoint saved. Continue with:\\n  balnet resume %s\"", stdout.String(), run)
			}
			epoch, _ := strconv.Atoi(m[1])
			if epoch < 8 {
				t.Errorf("got interrupted at epoch %d, want at least 8", epoch)
			}
			if got := checkpointEpochs(t, run); !slices.Equal(got, []int{epoch}) {
				t.Errorf("checkpoints: got epochs %v, want [%d]", got, epoch)
			}
			if latest, err := checkpoints.LatestState(run); err != nil || latest != checkpoints.StatePath(run, epoch) {
				t.Errorf("latest checkpoint: got %s, %v, want %s", latest, err, checkpoints.StatePath(run, epoch))
			}
			checkEachEpochOnce(t, filepath.Join(run, "metrics.csv"))
			checkEachEpochOnce(t, filepath.Join(run, "analysis.csv"))

			total := epoch + 6
			mustRun(t, "resume", run, "--epochs", strconv.Itoa(total), "--quiet", "--no-plots")
			straight := filepath.Join(dir, "straight")
			mustRun(t, append([]string{"train", "--out", straight}, tiny(total, sets...)...)...)
			compareRuns(t, straight, run, epoch)
		})
	}
}

// readIfExists returns the content of a file, or nil.
func readIfExists(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}
