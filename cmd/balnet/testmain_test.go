package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/balnet/balnet/checkpoints"
)

// subprocessEnv makes the test binary behave as the balnet command: TestMain calls main,
// which reads os.Args and exits. Tests that need a real process (signals, SIGKILL) re-execute
// os.Args[0] with it, so no separate build is needed.
const subprocessEnv = "BALNET_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(subprocessEnv) == "1" {
		main() // exits
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir) // the balnet binary of the sweep tests
	}
	os.Exit(code)
}

// balnetCommand returns the command that runs "balnet args..." in a child process (the test
// binary in its balnet role).
func balnetCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), subprocessEnv+"=1")
	return cmd
}

// interruptAfter is a context whose Err reports cancellation from its (n+1)-th call on.
// train.Run checks ctx.Err once before every epoch, so a run given interruptAfter(n) is
// interrupted exactly like a SIGINT arriving during epoch n: epoch n is finished, a
// checkpoint of epoch n is saved, and the command exits 0. It makes the SIGINT path
// deterministic inside the test process.
type interruptAfter struct {
	context.Context
	left atomic.Int64
}

func newInterruptAfter(n int) *interruptAfter {
	c := &interruptAfter{Context: context.Background()}
	c.left.Store(int64(n))
	return c
}

func (c *interruptAfter) Err() error {
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// runCtx is runCmd with a context.
func runCtx(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// mustRun runs a balnet command in the test process and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("balnet %s: got exit status %d, want 0\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout
}

// tiny returns the arguments of a tiny training run (network.n = 12, sim.steps = 12) of
// the given total epochs, with test_every 4, and the extra settings.
func tiny(epochs int, sets ...string) []string {
	args := []string{"--set", "network.n=12", "--set", "sim.steps=12", "--set", "sim.burn_in=2",
		"--set", "sim.relax=5", "--set", "train.batch=3", "--set", "train.test_every=4", "--quiet", "--no-plots",
		"--epochs", strconv.Itoa(epochs)}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return args
}

// dirSnapshot is every entry of a directory tree: its relative path, its mode, its
// modification time (which any write, and for a directory any file created or removed in
// it, changes) and, for files, its bytes.
type dirSnapshot map[string]string

// snapshot records the tree under dir.
func snapshot(t *testing.T, dir string) dirSnapshot {
	t.Helper()
	s := dirSnapshot{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		entry := info.Mode().String() + " " + info.ModTime().Format(time.RFC3339Nano)
		if d.Type().IsRegular() {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			entry += "\n" + string(b)
		}
		s[rel] = entry
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkUnchanged fails unless the tree under dir is still the snapshot before.
func checkUnchanged(t *testing.T, dir string, before dirSnapshot) {
	t.Helper()
	after := snapshot(t, dir)
	if reflect.DeepEqual(before, after) {
		return
	}
	names := func(s dirSnapshot) []string {
		var n []string
		for k := range s {
			n = append(n, k)
		}
		sort.Strings(n)
		return n
	}
	if b, a := names(before), names(after); !reflect.DeepEqual(b, a) {
		t.Errorf("run directory listing changed:\ngot  %q\nwant %q", a, b)
		return
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed:\nbefore %.80q\nafter  %.80q", k, v, after[k])
		}
	}
}

// checkpointEpochs lists the epochs of the checkpoint files of a run directory.
func checkpointEpochs(t *testing.T, dir string) []int {
	t.Helper()
	epochs, err := checkpoints.List(checkpoints.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	return epochs
}

// readFile returns the content of a file, failing the test if it cannot be read.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
