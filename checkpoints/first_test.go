package checkpoints_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/balnet/balnet/checkpoints"
)

// TestWriteEpochFirstCheckpoint: the first checkpoint of a run appears together with its
// pointer (a temporary directory renamed to checkpoints/), so a crash cannot leave a
// checkpoint without a pointer, which Latest refuses. A temporary directory that a crash
// left is not a checkpoint directory, and the next first write removes it.
func TestWriteEpochFirstCheckpoint(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run")
	dir := checkpoints.Dir(run)
	stale := filepath.Join(run, ".checkpoints.tmp-0123456789abcdef")
	if err := os.MkdirAll(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	// What a crash after the checkpoint's rename, before the pointer's, leaves.
	if err := checkpoints.WriteFile(filepath.Join(stale, checkpoints.FileName(1)), epochFile(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := checkpoints.Latest(dir); !errors.Is(err, checkpoints.ErrNoCheckpoint) {
		t.Errorf("Latest with only a stale temporary directory: got error %v, want ErrNoCheckpoint", err)
	}

	writeEpochs(t, dir, 2)
	if got, want := dirNames(t, dir), []string{"epoch-00000002.ckpt", "latest"}; !slices.Equal(got, want) {
		t.Errorf("checkpoint directory: got %q, want %q", got, want)
	}
	if got, want := dirNames(t, run), []string{"checkpoints"}; !slices.Equal(got, want) {
		t.Errorf("run directory: got %q, want %q (the stale temporary directory removed)", got, want)
	}
	c, err := checkpoints.Latest(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkEpoch(t, c, 2)

	// Later checkpoints go into the existing directory.
	writeEpochs(t, dir, 3)
	if got, want := dirNames(t, dir), []string{"epoch-00000002.ckpt", "epoch-00000003.ckpt", "latest"}; !slices.Equal(got, want) {
		t.Errorf("checkpoint directory: got %q, want %q", got, want)
	}
	if c, err := checkpoints.Latest(dir); err != nil || c.Epoch != 3 {
		t.Errorf("Latest: got %v, %v, want epoch 3", c, err)
	}
}
