package main

import (
	"encoding/binary"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/balnet/balnet/checkpoints"
)

// copyTree copies the directory tree src to dst (which must not exist).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// damageSets: checkpoints at epochs 2, 4, 6 and 8 of 8.
var damageSets = []string{"train.checkpoint_every=2"}

// TestResumeRefusesDamage: a truncated, bit-flipped, wrong-version or foreign-configuration
// latest checkpoint is refused by resume: exit 1, a message naming the file and what is
// wrong, and nothing in the run directory changed (every file's bytes and mode, and the
// listing). With --fallback, resume says which files it refused and which older
// checkpoint it used, and the result equals the uninterrupted run.
func TestResumeRefusesDamage(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	mustRun(t, append([]string{"train", "--out", ref}, tiny(8, damageSets...)...)...)
	if got := checkpointEpochs(t, ref); len(got) != 4 || got[3] != 8 {
		t.Fatalf("reference run: got checkpoints %v, want [2 4 6 8]", got)
	}
	foreign := filepath.Join(dir, "foreign")
	mustRun(t, append([]string{"train", "--out", foreign, "--seed", "99"}, tiny(8, damageSets...)...)...)

	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
		want   string // what is wrong, as the message says it
	}{
		{"truncated", func(t *testing.T, path string) {
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, info.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, "truncated"},
		{"bit-flipped", func(t *testing.T, path string) {
			b := readFile(t, path)
			b[len(b)/2] ^= 0x08
			writeFile(t, path, b)
		}, "checksum mismatch"},
		{"wrong version", func(t *testing.T, path string) {
			b := readFile(t, path)
			binary.LittleEndian.PutUint32(b[8:12], checkpoints.Version+1)
			writeFile(t, path, b)
		}, "unsupported format version"},
		{"foreign configuration", func(t *testing.T, path string) {
			writeFile(t, path, readFile(t, checkpoints.StatePath(foreign, 8)))
		}, "belongs to another configuration"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := filepath.Join(t.TempDir(), "run")
			copyTree(t, ref, run)
			damaged := checkpoints.StatePath(run, 8)
			c.damage(t, damaged)
			before := snapshot(t, run)

			code, stdout, stderr := runCmd(t, "resume", run, "--quiet", "--no-plots")
			if code != 1 {
				t.Errorf("resume: got exit status %d, want 1 (stdout %q, stderr %q)", code, stdout, stderr)
			}
			for _, want := range []string{damaged, c.want} {
				if !strings.Contains(stderr, want) {
					t.Errorf("resume: got stderr %q, want it to mention %q", stderr, want)
				}
			}
			checkUnchanged(t, run, before)

			// --epochs does not get past the damage either, nor change config.yaml.
			if code, _, stderr := runCmd(t, "resume", run, "--epochs", "12", "--quiet", "--no-plots"); code != 1 || !strings.Contains(stderr, damaged) {
				t.Errorf("resume --epochs 12: got exit status %d, stderr %q; want 1 and a message naming %s", code, stderr, damaged)
			}
			checkUnchanged(t, run, before)

			code, stdout, stderr = runCmd(t, "resume", run, "--fallback", "--quiet", "--no-plots")
			if code != 0 {
				t.Fatalf("resume --fallback: got exit status %d, want 0 (stdout %q, stderr %q)", code, stdout, stderr)
			}
			older := checkpoints.StatePath(run, 6)
			for _, want := range []string{"refused " + damaged, c.want, "falling back to " + older + " (epoch 6)"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("resume --fallback: got stderr %q, want it to mention %q", stderr, want)
				}
			}
			if !strings.Contains(stdout, "resuming "+run+" at epoch 6 of 8") {
				t.Errorf("resume --fallback: got stdout %q, want \"resuming %s at epoch 6 of 8\"", stdout, run)
			}
			compareRuns(t, ref, run, 6)
		})
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestResumeFallbackAllDamaged: when no checkpoint is usable, --fallback fails (exit 1)
// naming every refused file, and changes nothing.
func TestResumeFallbackAllDamaged(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run")
	mustRun(t, append([]string{"train", "--out", run}, tiny(4, damageSets...)...)...)
	for _, e := range checkpointEpochs(t, run) {
		if err := os.Truncate(checkpoints.StatePath(run, e), 30); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, run)
	code, _, stderr := runCmd(t, "resume", run, "--fallback", "--quiet", "--no-plots")
	if code != 1 {
		t.Errorf("got exit status %d, want 1 (stderr %q)", code, stderr)
	}
	for _, e := range []int{2, 4} {
		if want := "refused " + checkpoints.StatePath(run, e); !strings.Contains(stderr, want) {
			t.Errorf("got stderr %q, want it to mention %q", stderr, want)
		}
	}
	if !strings.Contains(stderr, "no checkpoint") {
		t.Errorf("got stderr %q, want it to say \"no checkpoint\"", stderr)
	}
	checkUnchanged(t, run, before)
}

// TestResumeUsageErrors: resume of something that is not a run directory, or with a
// total epoch count below the checkpoint's, exits 2; a run directory without checkpoints
// exits 1. None of them changes anything.
func TestResumeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	mustRun(t, append([]string{"train", "--out", run}, tiny(8, damageSets...)...)...)
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	noCheckpoints := filepath.Join(dir, "nockpt")
	copyTree(t, run, noCheckpoints)
	if err := os.RemoveAll(checkpoints.Dir(noCheckpoints)); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"resume", empty}, 2, []string{empty, "not a run directory"}},
		{[]string{"resume", filepath.Join(dir, "missing")}, 2, []string{"missing", "not a run directory"}},
		{[]string{"resume"}, 2, []string{"one run directory"}},
		{[]string{"resume", run, empty}, 2, []string{"one run directory"}},
		{[]string{"resume", run, "--epochs", "7"}, 2, []string{"--epochs", "7", "at least the checkpoint's epoch 8"}},
		{[]string{"resume", run, "--epochs", "0"}, 2, []string{"--epochs", "0", "epoch 8"}},
		{[]string{"resume", run, "--epochs", "many"}, 2, []string{"epochs"}},
		{[]string{"resume", run, "--frobnicate"}, 2, []string{"frobnicate"}},
		{[]string{"resume", noCheckpoints}, 1, []string{checkpoints.Dir(noCheckpoints), "no checkpoint"}},
		{[]string{"resume", noCheckpoints, "--fallback"}, 1, []string{checkpoints.Dir(noCheckpoints), "no checkpoint"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args[1:], " "), func(t *testing.T) {
			before := snapshot(t, dir)
			code, _, stderr := runCmd(t, append(c.args, "--quiet", "--no-plots")...)
			if code != c.code {
				t.Errorf("got exit status %d, want %d (stderr %q)", code, c.code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("got stderr %q, want it to mention %q", stderr, w)
				}
			}
			checkUnchanged(t, dir, before)
		})
	}
}

// TestTrainRefusesExistingRun: train --out on an existing run exits 2 and changes nothing;
// with --force the directory is replaced by the new run, nothing of the old one left.
func TestTrainRefusesExistingRun(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	mustRun(t, append([]string{"train", "--out", run}, tiny(12, damageSets...)...)...)
	writeFile(t, filepath.Join(run, "notes.txt"), []byte("mine"))
	before := snapshot(t, run)
	for _, args := range [][]string{
		append([]string{"train", "--out", run}, tiny(12, damageSets...)...),
		append([]string{"train", "--out", run, "--seed", "5"}, tiny(4)...),
	} {
		code, _, stderr := runCmd(t, args...)
		if code != 2 {
			t.Errorf("train --out an existing run: got exit status %d, want 2 (stderr %q)", code, stderr)
		}
		for _, w := range []string{"--out", run, "--force"} {
			if !strings.Contains(stderr, w) {
				t.Errorf("got stderr %q, want it to mention %q", stderr, w)
			}
		}
		checkUnchanged(t, run, before)
	}
	// A bad configuration with --force is refused before anything is removed.
	if code, _, _ := runCmd(t, append(append([]string{"train", "--out", run, "--force"}, tiny(4)...), "--set", "network.n=0")...); code != 2 {
		t.Errorf("train --force with network.n=0: got exit status %d, want 2", code)
	}
	checkUnchanged(t, run, before)

	mustRun(t, append([]string{"train", "--out", run, "--force", "--seed", "5"}, tiny(4, damageSets...)...)...)
	fresh := filepath.Join(dir, "fresh")
	mustRun(t, append([]string{"train", "--out", fresh, "--seed", "5"}, tiny(4, damageSets...)...)...)
	if _, err := os.Stat(filepath.Join(run, "notes.txt")); !os.IsNotExist(err) {
		t.Errorf("after --force: got notes.txt still there (%v), want the old directory replaced", err)
	}
	if got, want := checkpointEpochs(t, run), checkpointEpochs(t, fresh); len(got) != len(want) || got[len(got)-1] != 4 {
		t.Errorf("after --force: got checkpoints %v, want %v", got, want)
	}
	compareRuns(t, fresh, run, 0)
}
