package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/sweep"
)

// The sweep tests need a real balnet binary: the pool's children and SLURM's tasks are
// separate processes started from a path. It is built once, on first use, into a
// temporary directory that TestMain removes.
var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func balnetBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "balnet-sweep-test-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "balnet")
		// The same build as this test binary (the environment carries CGO_ENABLED and
		// GOEXPERIMENT, the tags must be passed): an OpenBLAS test run with children of the
		// default build compared two builds whose products round differently.
		args := []string{"build", "-o", binPath}
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, st := range bi.Settings {
				if st.Key == "-tags" && st.Value != "" {
					args = append(args, "-tags", st.Value)
				}
			}
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// useBinary makes the in-process sweep command start the built binary.
func useBinary(t *testing.T) string {
	bin := balnetBinary(t)
	old := sweepExecutable
	sweepExecutable = func() (string, error) { return bin, nil }
	t.Cleanup(func() { sweepExecutable = old })
	return bin
}

// tinySet are the fixed settings of the tiny test trainings (network.n = 12, 12 steps).
const tinySet = `  network.n: 12
  sim.steps: 12
  sim.burn_in: 2
  sim.relax: 5
  train.batch: 3
  train.test_every: 4
`

// tinySpec is a 2 × 2-seed sweep of tiny trainings of the given length.
func tinySpec(t *testing.T, epochs, every int) string {
	t.Helper()
	spec := fmt.Sprintf("command: train\nset:\n%s  train.epochs: %d\n  train.checkpoint_every: %d\n  analysis.every: %d\ngrid:\n  network.g: [0.02, 0.04]\nseeds: 2\n",
		tinySet, epochs, every, every)
	path := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(path, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// csvWithout reads a CSV file and drops the named column (wall-clock time).
func csvWithout(t *testing.T, path, drop string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(readFile(t, path))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == drop {
			col = i
		}
	}
	if col < 0 {
		return recs
	}
	out := make([][]string, len(recs))
	for i, r := range recs {
		out[i] = append(append([]string{}, r[:col]...), r[col+1:]...)
	}
	return out
}

// checkSameRun fails unless two run directories hold the same training: metrics.csv
// (wall time aside), analysis.csv and the exported final parameters identical, and every
// epoch once in each CSV.
func checkSameRun(t *testing.T, got, want string) {
	t.Helper()
	for _, f := range []string{"metrics.csv", "analysis.csv"} {
		g, w := csvWithout(t, filepath.Join(got, f), "wall_seconds"), csvWithout(t, filepath.Join(want, f), "wall_seconds")
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s/%s differs from %s:\ngot  %q\nwant %q", got, f, want, g, w)
		}
		seen := map[string]bool{}
		for _, r := range g[1:] {
			if seen[r[0]] {
				t.Errorf("%s/%s: epoch %s appears twice", got, f, r[0])
			}
			seen[r[0]] = true
		}
	}
	npz := func(dir string) []byte {
		out := filepath.Join(t.TempDir(), "p.npz")
		mustRun(t, "export", dir, "--out", out)
		return readFile(t, out)
	}
	if !bytes.Equal(npz(got), npz(want)) {
		t.Errorf("%s: exported parameters differ from %s", got, want)
	}
}

// manifest reads DIR/manifest.csv as maps by column name.
func manifest(t *testing.T, dir string) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(dir, "manifest.csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		rows = append(rows, m)
	}
	return rows
}

// referenceSweep is an uninterrupted 2 × 2-seed sweep of 60 epochs on 2 workers, shared
// by the tests that compare against it.
var (
	refOnce sync.Once
	refDir  string
	refSpec string
)

func referenceSweep(t *testing.T) (dir, spec string) {
	t.Helper()
	useBinary(t)
	refOnce.Do(func() {
		base, err := os.MkdirTemp(binDir, "ref-")
		if err != nil {
			t.Fatal(err)
		}
		refSpec = filepath.Join(base, "spec.yaml")
		if err := os.WriteFile(refSpec, readFile(t, tinySpec(t, 60, 20)), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(base, "sweep")
		mustRun(t, "sweep", refSpec, "--out", dir, "--workers", "2")
		refDir = dir
	})
	if refDir == "" {
		t.Fatal("the reference sweep failed in an earlier test")
	}
	return refDir, refSpec
}

// TestSweepEqualsTrain: every run of a 2 × 2-seed sweep on 2 workers equals the same run
// made directly with balnet train; status and collect report it.
func TestSweepEqualsTrain(t *testing.T) {
	dir, _ := referenceSweep(t)
	for _, row := range manifest(t, dir) {
		if row["status"] != "done" || row["attempts"] != "1" || row["exit_status"] != "0" {
			t.Errorf("manifest row %v: want done after 1 attempt with exit status 0", row)
		}
		direct := filepath.Join(t.TempDir(), "run")
		args := append([]string{"train", "--out", direct, "--seed", row["seed"], "--set", "network.g=" + row["network.g"],
			"--set", "train.checkpoint_every=20", "--set", "analysis.every=20"}, tiny(60)...)
		mustRun(t, args...)
		checkSameRun(t, filepath.Join(dir, "runs", row["dir"]), direct)
	}
	out := mustRun(t, "sweep", "status", dir)
	if !strings.Contains(out, "4 runs: 0 pending, 0 running, 4 done, 0 diverged, 0 failed") {
		t.Errorf("status: got %q, want 4 done", out)
	}
	out = mustRun(t, "sweep", "collect", dir, "--y", "balance")
	recs, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(dir, "summary.csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[0][2] != "network.g" || recs[0][3] != "seed" || recs[0][4] != "status" {
		t.Fatalf("summary.csv: got %d rows, header %v", len(recs), recs[0])
	}
	// The final figures are the last rows of the runs' files.
	for _, r := range recs[1:] {
		m := csvWithout(t, filepath.Join(dir, "runs", r[1], "metrics.csv"), "wall_seconds")
		last := m[len(m)-1]
		if r[5] != "60" || r[7] != last[2] { // epoch, test_loss
			t.Errorf("summary row %v: want epoch 60 and test_loss %s", r, last[2])
		}
	}
	for _, ext := range []string{".png", ".svg"} {
		if _, err := os.Stat(filepath.Join(dir, "figures", "balance-vs-network.g"+ext)); err != nil {
			t.Errorf("collect: %v (output %q)", err, out)
		}
	}
}

// startSweep starts "balnet sweep SPEC --out DIR args..." as a real process.
func startSweep(t *testing.T, spec, dir string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(balnetBinary(t), append([]string{"sweep", spec, "--out", dir, "--quiet"}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// waitRunning waits until some run of the sweep in dir is running and has written a
// checkpoint, and returns its status.
func waitRunning(t *testing.T, dir string) sweep.Status {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(filepath.Join(dir, "status"))
		for _, e := range entries {
			st, err := sweep.ReadStatus(filepath.Join(dir, "status", e.Name()))
			if err != nil || st.State != sweep.Running {
				continue
			}
			run := filepath.Join(dir, "runs", strings.TrimSuffix(e.Name(), ".json"))
			if eps, _ := checkpoints.List(checkpoints.Dir(run)); len(eps) > 0 {
				return st
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no run of %s got running with a checkpoint within 60 s", dir)
	return sweep.Status{}
}

// waitGone waits until no process recorded in the sweep's status files is alive.
func waitGone(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		live := false
		entries, _ := os.ReadDir(filepath.Join(dir, "status"))
		for _, e := range entries {
			st, _ := sweep.ReadStatus(filepath.Join(dir, "status", e.Name()))
			if st.State == sweep.Running && st.PID > 0 && syscall.Kill(st.PID, 0) == nil {
				live = true
			}
		}
		if !live {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("processes of %s still alive after 30 s", dir)
}

// TestSweepInterrupted: a sweep interrupted by SIGINT, by SIGKILL of the pool, or by
// SIGKILL of one child, and run again, ends with the run directories of an uninterrupted
// sweep (each epoch once in every CSV).
func TestSweepInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: three interrupted sweeps")
	}
	useBinary(t)
	// Runs long enough (2000 epochs, checkpoints every 100) to be hit in the middle.
	spec := tinySpec(t, 2000, 100)
	ref := filepath.Join(t.TempDir(), "ref")
	mustRun(t, "sweep", spec, "--out", ref, "--workers", "2")

	check := func(t *testing.T, dir string) {
		t.Helper()
		for _, row := range manifest(t, dir) {
			if row["status"] != "done" {
				t.Errorf("after the rerun: run %s is %s, want done", row["id"], row["status"])
			}
			checkSameRun(t, filepath.Join(dir, "runs", row["dir"]), filepath.Join(ref, "runs", row["dir"]))
		}
	}
	t.Run("SIGINT", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "sweep")
		cmd, out := startSweep(t, spec, dir, "--workers", "2")
		waitRunning(t, dir)
		cmd.Process.Signal(os.Interrupt)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("interrupted sweep: got %v, want exit 0\n%s", err, out)
		}
		if !strings.Contains(out.String(), "Continue with:\n  balnet sweep "+spec+" --out "+dir) {
			t.Errorf("interrupted sweep output: got %q, want the command to continue", out)
		}
		rows := manifest(t, dir)
		unfinished := 0
		for _, row := range rows {
			switch row["status"] {
			case "pending":
				unfinished++
			case "done":
			default:
				t.Errorf("manifest after SIGINT: run %s is %s, want done or pending", row["id"], row["status"])
			}
		}
		if unfinished == 0 {
			t.Errorf("manifest after SIGINT: every run done; the interrupt came too late to test anything")
		}
		mustRun(t, "sweep", spec, "--out", dir)
		check(t, dir)
	})
	t.Run("SIGKILL pool", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "sweep")
		cmd, _ := startSweep(t, spec, dir, "--workers", "2")
		waitRunning(t, dir)
		cmd.Process.Kill()
		cmd.Wait()
		waitGone(t, dir) // the children got SIGTERM from the kernel and checkpointed
		stopped := 0
		for _, name := range []string{"network.g=0.02,seed=1", "network.g=0.02,seed=2", "network.g=0.04,seed=1", "network.g=0.04,seed=2"} {
			st, err := sweep.ReadStatus(filepath.Join(dir, "status", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			switch st.State {
			case sweep.Pending:
				if st.Attempts > 0 { // started, then stopped by SIGTERM (not merely never started)
					stopped++
				}
			case sweep.Running:
				t.Errorf("run %s after the pool's SIGKILL: still running, want its child to have stopped as pending", name)
			}
		}
		if stopped == 0 {
			t.Errorf("after the pool's SIGKILL: no started run stopped by SIGTERM as pending; the kill came too late, or the children were not told")
		}
		mustRun(t, "sweep", spec, "--out", dir)
		check(t, dir)
	})
	t.Run("SIGKILL child", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "sweep")
		cmd, out := startSweep(t, spec, dir, "--workers", "2", "--retries", "1")
		st := waitRunning(t, dir)
		if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("sweep with a killed child: got %v, want exit 0 after the retry\n%s", err, out)
		}
		retried := 0
		for _, row := range manifest(t, dir) {
			if row["attempts"] == "2" {
				retried++
			}
		}
		if retried != 1 {
			t.Errorf("manifest: %d runs with 2 attempts, want the killed one\n%s", retried, readFile(t, filepath.Join(dir, "manifest.csv")))
		}
		check(t, dir)
	})
}

// TestSweepDivergedAndFailed: a diverging run is recorded diverged and never retried; a
// failing run is retried and recorded failed with its log; the others finish; a rerun
// retries the failed run only.
func TestSweepDivergedAndFailed(t *testing.T) {
	bin := useBinary(t)
	// A balnet that fails for run 2 before doing anything (as a crashing binary would).
	wrapper := filepath.Join(t.TempDir(), "balnet-failing")
	script := "#!/bin/sh\nif [ \"$5\" = 2 ]; then echo 'injected failure' >&2; exit 3; fi\nexec " + bin + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	sweepExecutable = func() (string, error) { return wrapper, nil }
	spec := filepath.Join(t.TempDir(), "spec.yaml")
	body := fmt.Sprintf("set:\n%s  train.epochs: 12\ngrid:\n  train.lr: [0.001, 1e30, 0.002]\n", tinySet)
	if err := os.WriteFile(spec, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "sweep")
	code, stdout, stderr := runCmd(t, "sweep", spec, "--out", dir, "--workers", "2", "--retries", "2")
	if code != 1 || !strings.Contains(stderr, "1 runs failed") || !strings.Contains(stderr, "train.lr=0.002,seed=1") {
		t.Errorf("sweep: got exit %d, stderr %q; want 1 naming the failed run", code, stderr)
	}
	want := map[string][2]string{ // status, attempts
		"train.lr=0.001,seed=1": {"done", "1"},
		"train.lr=1e30,seed=1":  {"diverged", "1"},
		"train.lr=0.002,seed=1": {"failed", "3"},
	}
	check := func() {
		for _, row := range manifest(t, dir) {
			if w := want[row["id"]]; row["status"] != w[0] || row["attempts"] != w[1] {
				t.Errorf("run %s: got %s after %s attempts, want %s after %s\n%s", row["id"], row["status"], row["attempts"], w[0], w[1], stdout)
			}
		}
	}
	check()
	if log := string(readFile(t, filepath.Join(dir, "logs", "train.lr=0.002,seed=1.log"))); strings.Count(log, "injected failure") != 3 || !strings.Contains(log, "exit status 3") {
		t.Errorf("log of the failed run: got %q, want 3 attempts with their exit status", log)
	}
	if log := string(readFile(t, filepath.Join(dir, "logs", "train.lr=1e30,seed=1.log"))); !strings.Contains(log, "diverged at epoch") {
		t.Errorf("log of the diverged run: got %q, want the divergence", log)
	}
	// Again with a working binary: the failed run is retried and finishes; the diverged run
	// is not retried.
	sweepExecutable = func() (string, error) { return bin, nil }
	mustRun(t, "sweep", spec, "--out", dir)
	want["train.lr=0.002,seed=1"] = [2]string{"done", "4"}
	check()
	out := mustRun(t, "sweep", "status", dir)
	if !strings.Contains(out, "2 done, 1 diverged") || !strings.Contains(out, "diverged  train.lr=1e30,seed=1") {
		t.Errorf("status: got %q, want 2 done and the diverged run listed", out)
	}
}

// TestSweepBadInput: every invalid spec or option exits 2 naming the key, and writes
// nothing; --slurm without sbatch exits 1 saying so.
func TestSweepBadInput(t *testing.T) {
	useBinary(t)
	base := t.TempDir()
	for _, tc := range []struct{ name, spec, key string }{
		{"unknown grid key", "grid: {network.bee: [1, 2]}", "grid.network.bee"},
		{"empty list", "grid: {network.b: []}", "grid.network.b"},
		{"num < 1", "grid: {network.b: {from: 1, to: 4, num: 0}}", "grid.network.b.num"},
		{"log range through 0", "grid: {sim.sigma: {from: 0, to: 1, num: 4, log: true}}", "grid.sim.sigma"},
		{"seeds 0", "seeds: 0", "seeds"},
		{"negative seed", "seeds: [3, -1]", "seeds"},
		{"unknown command", "command: dance", "command"},
		{"invalid value", "grid: {network.n: [12, 0]}", "grid.network.n"},
	} {
		spec := filepath.Join(base, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
		if err := os.WriteFile(spec, []byte(tc.spec+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(base, "out-"+strings.ReplaceAll(tc.name, " ", "_"))
		code, _, stderr := runCmd(t, "sweep", spec, "--out", out)
		if code != 2 || !strings.Contains(stderr, tc.key) {
			t.Errorf("%s: got exit %d, stderr %q; want 2 naming %s", tc.name, code, stderr, tc.key)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: %s was written", tc.name, out)
		}
	}
	// A directory holding another spec: refused, untouched; replaced with --force.
	dir := filepath.Join(base, "sweep")
	spec := tinySpec(t, 8, 4)
	mustRun(t, "sweep", spec, "--out", dir, "--slurm", "--dry-run")
	before := snapshot(t, dir)
	other := filepath.Join(base, "other.yaml")
	if err := os.WriteFile(other, []byte(strings.Replace(string(readFile(t, spec)), "0.04", "0.05", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, "sweep", other, "--out", dir)
	if code != 2 || !strings.Contains(stderr, "--out") || !strings.Contains(stderr, "another spec") {
		t.Errorf("another spec: got exit %d, stderr %q; want 2 naming --out", code, stderr)
	}
	checkUnchanged(t, dir, before)
	mustRun(t, "sweep", other, "--out", dir, "--force", "--slurm", "--dry-run")
	if !strings.Contains(string(readFile(t, filepath.Join(dir, "sweep.yaml"))), "0.05") {
		t.Errorf("--force: the new spec was not written")
	}
	// --slurm without sbatch on PATH.
	t.Setenv("PATH", t.TempDir())
	fresh := filepath.Join(base, "fresh")
	code, _, stderr = runCmd(t, "sweep", spec, "--out", fresh, "--slurm")
	if code != 1 || !strings.Contains(stderr, "sbatch is not on PATH") {
		t.Errorf("--slurm without sbatch: got exit %d, stderr %q; want 1 saying so", code, stderr)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("--slurm without sbatch: %s was written", fresh)
	}
}

// TestSweepDryRun: --slurm --dry-run writes one job array over the runs, one CPU each,
// and submits nothing.
func TestSweepDryRun(t *testing.T) {
	bin := useBinary(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	out := mustRun(t, "sweep", tinySpec(t, 8, 4), "--out", dir, "--slurm", "--dry-run", "--max-parallel", "2",
		"--partition", "short", "--time", "0:10:00", "--mem", "1G", "--sbatch-arg", "--account=lab")
	script := string(readFile(t, filepath.Join(dir, "slurm", "sweep.sbatch")))
	abs, _ := filepath.Abs(dir)
	for _, want := range []string{
		"#SBATCH --array=0-3%2\n", "#SBATCH --cpus-per-task=1\n", "#SBATCH --partition=short\n",
		"#SBATCH --time=0:10:00\n", "#SBATCH --mem=1G\n", "#SBATCH --account=lab\n",
		"#SBATCH --output=" + filepath.Join(abs, "slurm", "logs", "%A_%a.out") + "\n",
		"exec '" + bin + "' sweep run-task '" + abs + "' --index \"$SLURM_ARRAY_TASK_ID\"\n",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("sweep.sbatch: want %q in\n%s", want, script)
		}
	}
	if !strings.Contains(out, "sbatch "+filepath.Join(dir, "slurm", "sweep.sbatch")) {
		t.Errorf("dry run output: got %q, want the sbatch command", out)
	}
	for _, row := range manifest(t, dir) {
		if row["status"] != "pending" || row["job"] != "" {
			t.Errorf("after a dry run: run %s is %s (job %q), want pending without a job", row["id"], row["status"], row["job"])
		}
	}
}

// TestSweepLocks: a second balnet sweep on a sweep directory that another holds, and a
// second process on one run, exit 1 naming the holder's pid and change nothing.
func TestSweepLocks(t *testing.T) {
	useBinary(t)
	dir := filepath.Join(t.TempDir(), "sweep")
	spec := tinySpec(t, 8, 4)
	mustRun(t, "sweep", spec, "--out", dir, "--slurm", "--dry-run")
	pid := strconv.Itoa(os.Getpid())

	lock, err := rundir.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	code, _, stderr := runCmd(t, "sweep", spec, "--out", dir)
	if code != 1 || !strings.Contains(stderr, dir) || !strings.Contains(stderr, pid) {
		t.Errorf("second sweep on a locked directory: got exit %d, stderr %q; want 1 naming %s and pid %s", code, stderr, dir, pid)
	}
	checkUnchanged(t, dir, before)
	lock.Unlock()

	if err := os.MkdirAll(filepath.Join(dir, "locks", "network.g=0.02,seed=1"), 0o755); err != nil {
		t.Fatal(err)
	}
	runLock, err := rundir.Lock(filepath.Join(dir, "locks", "network.g=0.02,seed=1"))
	if err != nil {
		t.Fatal(err)
	}
	defer runLock.Unlock()
	before = snapshot(t, dir)
	code, _, stderr = runCmd(t, "sweep", "run-task", dir, "--index", "0")
	if code != 1 || !strings.Contains(stderr, "network.g=0.02,seed=1") || !strings.Contains(stderr, pid) {
		t.Errorf("run-task on a locked run: got exit %d, stderr %q; want 1 naming the run and pid %s", code, stderr, pid)
	}
	checkUnchanged(t, dir, before)
}

// TestSweepInfo: a sweep of balnet info over the balance b: every run equals the same run
// made directly with balnet info (info.csv and info-summary.csv byte for byte), its seed
// is the simulation's seed, and collect reports r_lb, which grows with b (Eq. 21: the
// information rate is about linear in b at high signal-to-noise ratio).
func TestSweepInfo(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes (-short)")
	}
	// A short Fig. 5 network: 2¹⁴ recorded steps of 2⁻⁸τ, nperseg 2⁸ (K = 127).
	dir := sweepMatchesDirect(t, "info", "network.b", "[1, 10]", "3",
		map[string]string{"sim.dt": "0.00390625", "info.duration": "64", "info.burn_in": "4", "info.nperseg": "256"},
		[]string{"info.seed=3"}, "info.csv", "info-summary.csv")
	mustRun(t, "sweep", "collect", dir, "--x", "network.b", "--y", "r_lb")
	recs, col := summaryTable(t, dir)
	b, r := col("network.b"), col("r_lb")
	col("r_eq21")
	rate := map[string]float64{}
	for _, rec := range recs[1:] {
		v, err := strconv.ParseFloat(rec[r], 64)
		if err != nil {
			t.Fatalf("summary row %v: r_lb %q", rec, rec[r])
		}
		rate[rec[b]] = v
	}
	if !(rate["10"] > 3*rate["1"]) {
		t.Errorf("r_lb: got %v, want b = 10 well above b = 1", rate)
	}
	if _, err := os.Stat(filepath.Join(dir, "figures", "r_lb-vs-network.b.png")); err != nil {
		t.Errorf("collect figure: %v", err)
	}
}

// TestSweepFluctuations: a sweep of balnet fluctuations over θ (docs/science.md §6.4): every
// run equals the same run made directly with balnet fluctuations (modes.csv and
// fluctuations-summary.csv byte for byte), its seed is fluctuations.seed, collect reports
// mode 1 (tan θ exactly as swept) and draws the amplitude–angle figure.
func TestSweepFluctuations(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes (-short)")
	}
	// The §6.5 network shrunk to N = 200 and 10τ (about 0.1 s per run).
	dir := sweepMatchesDirect(t, "fluctuations", "network.lowrank.theta_deg", "[15, 45]", "2",
		map[string]string{"network.n": "200", "fluctuations.dt": "0.02", "fluctuations.duration": "10", "fluctuations.burn_in": "2"},
		[]string{"fluctuations.seed=2"}, "modes.csv", "fluctuations-summary.csv")
	mustRun(t, "sweep", "collect", dir)
	recs, col := summaryTable(t, dir)
	th, tn, amp := col("network.lowrank.theta_deg"), col("tan_theta"), col("amplitude_over_sqrt_cphi")
	col("c_phi")
	col("rt_dphi_std")
	for _, rec := range recs[1:] {
		deg, _ := strconv.ParseFloat(rec[th], 64)
		tan, err := strconv.ParseFloat(rec[tn], 64)
		if err != nil || math.Abs(tan-math.Tan(deg*math.Pi/180)) > 1e-12 {
			t.Errorf("summary row %v: tan_theta %q, want tan %g°", rec, rec[tn], deg)
		}
		if a, err := strconv.ParseFloat(rec[amp], 64); err != nil || !(a > 0) {
			t.Errorf("summary row %v: amplitude_over_sqrt_cphi %q, want > 0", rec, rec[amp])
		}
	}
	for _, f := range []string{"amplitude-vs-tan-theta.png", "amplitude-vs-tan-theta.svg", "amplitude_over_sqrt_cphi-vs-network.lowrank.theta_deg.png"} {
		if _, err := os.Stat(filepath.Join(dir, "figures", f)); err != nil {
			t.Errorf("collect figure: %v", err)
		}
	}
}

// sweepMatchesDirect runs a sweep of command over key ∈ values (a YAML list) with one seed
// and the settings set, with two workers, and checks that every run is done with that seed
// and that its files equal, byte for byte, those of the same run made directly with
// command --set … (set, the grid value, seed and the extra settings). It returns the
// sweep's directory.
func sweepMatchesDirect(t *testing.T, command, key, values, seed string, set map[string]string, extra []string, files ...string) string {
	t.Helper()
	useBinary(t)
	keys := slices.Sorted(maps.Keys(set))
	var spec strings.Builder
	fmt.Fprintf(&spec, "command: %s\nset:\n", command)
	for _, k := range keys {
		fmt.Fprintf(&spec, "  %s: %s\n", k, set[k])
	}
	fmt.Fprintf(&spec, "grid:\n  %s: %s\nseeds: [%s]\n", key, values, seed)
	path := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(path, []byte(spec.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "sweep")
	mustRun(t, "sweep", path, "--out", dir, "--workers", "2")
	rows := manifest(t, dir)
	if len(rows) != strings.Count(values, ",")+1 {
		t.Fatalf("manifest: got %d runs, want one per value of %s", len(rows), values)
	}
	for _, row := range rows {
		if row["status"] != "done" || row["seed"] != seed {
			t.Errorf("manifest row %v: want done with seed %s", row, seed)
		}
		direct := filepath.Join(t.TempDir(), "direct")
		args := []string{command, "--no-plots", "--quiet", "--out", direct, "--set", key + "=" + row[key], "--set", "seed=" + seed}
		for _, kv := range extra {
			args = append(args, "--set", kv)
		}
		for _, k := range keys {
			args = append(args, "--set", k+"="+set[k])
		}
		mustRun(t, args...)
		for _, f := range files {
			if got, want := readFile(t, filepath.Join(dir, "runs", row["dir"], f)), readFile(t, filepath.Join(direct, f)); !bytes.Equal(got, want) {
				t.Errorf("%s of run %s differs from the direct balnet %s run", f, row["id"], command)
			}
		}
	}
	return dir
}

// summaryTable reads DIR/summary.csv and returns its records and the index of a named
// column (failing the test when the header has none).
func summaryTable(t *testing.T, dir string) ([][]string, func(string) int) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(readFile(t, filepath.Join(dir, "summary.csv")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs, func(name string) int {
		for i, h := range recs[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("summary.csv header %v has no %s", recs[0], name)
		return -1
	}
}
