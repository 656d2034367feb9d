package checkpoints_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/balnet/balnet/checkpoints"
)

// dirNames returns the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func checkContent(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s: got content %q, want %q", filepath.Base(path), got, want)
	}
}

func TestWriteFileAtomicReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "latest")
	if err := os.WriteFile(path, []byte("old content"), 0o644); err != nil {
		t.Fatal(err)
	}
	// 0600 is the same under any usual umask (022, 027, 077).
	if err := checkpoints.WriteFileAtomic(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	checkContent(t, path, "new")
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("got mode %v, want %v", got, os.FileMode(0o600))
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"latest"}) {
		t.Errorf("got directory %q, want only [latest]", got)
	}
}

func TestWriteFileAtomicCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.txt")
	if err := checkpoints.WriteFileAtomic(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	checkContent(t, path, "")
}

// TestWriteAtomicRenameFails: the target is a directory, so the final rename fails;
// the directory and its content must be intact and the temporary file gone.
func TestWriteAtomicRenameFails(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "epoch-00001000.ckpt")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	inside := filepath.Join(target, "keep")
	if err := os.WriteFile(inside, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := checkpoints.WriteFileAtomic(target, []byte("new"), 0o644)
	if err == nil {
		t.Fatal("got no error renaming a file over a directory, want one")
	}
	var le *os.LinkError
	if !errors.As(err, &le) || le.New != target {
		t.Errorf("got error %v, want an *os.LinkError naming %s", err, target)
	}
	checkContent(t, inside, "precious")
	if got := dirNames(t, dir); !slices.Equal(got, []string{"epoch-00001000.ckpt"}) {
		t.Errorf("got directory %q, want only the target (no temporary file)", got)
	}
}

// TestWriteAtomicWriteFails: an error in the middle of writing leaves the old file and
// no temporary file, and is returned wrapped.
func TestWriteAtomicWriteFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "metrics.csv")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	errDisk := errors.New("disk full")
	err := checkpoints.WriteAtomic(path, 0o644, func(w io.Writer) error {
		if _, err := io.WriteString(w, strings.Repeat("partial ", 1<<16)); err != nil {
			return err
		}
		return errDisk
	})
	if !errors.Is(err, errDisk) || !strings.Contains(err.Error(), path) {
		t.Errorf("got error %v, want one wrapping %v and naming %s", err, errDisk, path)
	}
	checkContent(t, path, "old")
	if got := dirNames(t, dir); !slices.Equal(got, []string{"metrics.csv"}) {
		t.Errorf("got directory %q, want only [metrics.csv]", got)
	}
}

// TestWriteFileInvalidKeepsOld: WriteFile of a File that cannot be encoded fails
// without touching the old checkpoint.
func TestWriteFileInvalidKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.ckpt")
	if err := checkpoints.WriteFile(path, sampleFile()); err != nil {
		t.Fatal(err)
	}
	bad := &checkpoints.File{Sections: []checkpoints.Section{{Name: "a", Shape: []int{3}, Data: []float64{1}}}}
	if err := checkpoints.WriteFile(path, bad); err == nil {
		t.Fatal("got no error writing an invalid File, want one")
	}
	got, err := checkpoints.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkSameFile(t, got, sampleFile())
	if got := dirNames(t, dir); !slices.Equal(got, []string{"x.ckpt"}) {
		t.Errorf("got directory %q, want only [x.ckpt]", got)
	}
}

func TestWriteFileAtomicMissingDir(t *testing.T) {
	dir := t.TempDir()
	err := checkpoints.WriteFileAtomic(filepath.Join(dir, "no", "such", "file"), []byte("x"), 0o644)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got error %v, want one wrapping os.ErrNotExist", err)
	}
}

// TestCleanTemps removes exactly the temporary files of interrupted atomic writes.
func TestCleanTemps(t *testing.T) {
	dir := t.TempDir()
	keep := []string{"metrics.csv", ".hidden", ".metrics.csv.tmp-short", "epoch-00000001.npz"}
	temps := []string{".metrics.csv.tmp-0123456789abcdef", ".epoch-00000002.npz.tmp-fedcba9876543210"}
	for _, name := range append(append([]string{}, keep...), temps...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := checkpoints.CleanTemps(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != len(temps) {
		t.Errorf("removed: got %v, want %v", removed, temps)
	}
	for _, name := range keep {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: got %v, want it kept", name, err)
		}
	}
	for _, name := range temps {
		if _, err := os.Stat(filepath.Join(dir, name)); !os.IsNotExist(err) {
			t.Errorf("%s: got %v, want it removed", name, err)
		}
	}
	if removed, err := checkpoints.CleanTemps(filepath.Join(dir, "missing")); err != nil || removed != nil {
		t.Errorf("missing directory: got %v, %v, want nil, nil", removed, err)
	}
}
