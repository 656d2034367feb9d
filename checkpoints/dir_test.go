package checkpoints_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/balnet/balnet/checkpoints"
)

func TestFileName(t *testing.T) {
	for _, tc := range []struct {
		epoch int
		name  string
	}{
		{0, "epoch-00000000.ckpt"},
		{1000, "epoch-00001000.ckpt"},
		{100000, "epoch-00100000.ckpt"},
		{123456789, "epoch-123456789.ckpt"},
	} {
		if got := checkpoints.FileName(tc.epoch); got != tc.name {
			t.Errorf("FileName(%d): got %q, want %q", tc.epoch, got, tc.name)
		}
		if got, ok := checkpoints.ParseFileName(tc.name); !ok || got != tc.epoch {
			t.Errorf("ParseFileName(%q): got %d, %v, want %d, true", tc.name, got, ok, tc.epoch)
		}
	}
	for _, name := range []string{"", "latest", "epoch-1000.ckpt", "epoch-0001000.ckpt", "epoch-000001000.ckpt",
		"epoch-00001000.ckpt.tmp", ".epoch-00001000.ckpt.tmp-0123456789abcdef", "epoch-+0001000.ckpt",
		"epoch--0001000.ckpt", "epoch-0000100a.ckpt", "epoch-00001000.CKPT", "epoch-99999999999999999999.ckpt"} {
		if got, ok := checkpoints.ParseFileName(name); ok {
			t.Errorf("ParseFileName(%q): got %d, true, want false", name, got)
		}
	}
}

// epochFile is a small checkpoint that records its epoch.
func epochFile(epoch int) *checkpoints.File {
	f := sampleFile()
	f.PutInt("epoch", int64(epoch))
	return f
}

func writeEpochs(t *testing.T, dir string, epochs ...int) {
	t.Helper()
	for _, e := range epochs {
		path, err := checkpoints.WriteEpoch(dir, e, epochFile(e))
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(dir, checkpoints.FileName(e)); path != want {
			t.Errorf("WriteEpoch: got path %s, want %s", path, want)
		}
	}
}

// damage flips one payload byte of the checkpoint of epoch, so its checksum fails.
func damage(t *testing.T, dir string, epoch int) {
	t.Helper()
	path := filepath.Join(dir, checkpoints.FileName(epoch))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x10
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func truncate(t *testing.T, dir string, epoch int) {
	t.Helper()
	path := filepath.Join(dir, checkpoints.FileName(epoch))
	if err := os.Truncate(path, 50); err != nil {
		t.Fatal(err)
	}
}

func checkEpoch(t *testing.T, c *checkpoints.Checkpoint, want int) {
	t.Helper()
	if c.Epoch != want {
		t.Errorf("got epoch %d, want %d", c.Epoch, want)
	}
	if got, err := c.File.Int("epoch"); err != nil || got != int64(want) {
		t.Errorf("got stored epoch %d, %v, want %d", got, err, want)
	}
}

func TestWriteEpochListLatest(t *testing.T) {
	dir := checkpoints.Dir(filepath.Join(t.TempDir(), "run")) // neither exists yet
	writeEpochs(t, dir, 3000, 1000, 2000)
	epochs, err := checkpoints.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1000, 2000, 3000}; !slices.Equal(epochs, want) {
		t.Errorf("List: got %v, want %v", epochs, want)
	}
	// The pointer names the checkpoint written last, not the highest epoch.
	checkContent(t, filepath.Join(dir, checkpoints.PointerName), "epoch-00002000.ckpt\n")
	c, err := checkpoints.Latest(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkEpoch(t, c, 2000)
	if want := filepath.Join(dir, "epoch-00002000.ckpt"); c.Path != want {
		t.Errorf("got path %s, want %s", c.Path, want)
	}
	f, err := checkpoints.ReadEpoch(dir, 3000)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Int("epoch"); got != 3000 {
		t.Errorf("ReadEpoch(3000): got stored epoch %d, want 3000", got)
	}
	if got := dirNames(t, dir); len(got) != 4 {
		t.Errorf("got directory %q, want three checkpoints and the pointer", got)
	}
}

func TestListIgnoresOtherFiles(t *testing.T) {
	dir := t.TempDir()
	writeEpochs(t, dir, 5)
	for _, name := range []string{"notes.txt", ".epoch-00000007.ckpt.tmp-0123456789abcdef", "epoch-7.ckpt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "epoch-00000009.ckpt"), 0o755); err != nil {
		t.Fatal(err)
	}
	epochs, err := checkpoints.List(dir)
	if err != nil || !slices.Equal(epochs, []int{5}) {
		t.Errorf("List: got %v, %v, want [5], nil", epochs, err)
	}
	epochs, err = checkpoints.List(filepath.Join(dir, "missing"))
	if err != nil || len(epochs) != 0 {
		t.Errorf("List of a missing directory: got %v, %v, want [], nil", epochs, err)
	}
}

func TestLatestErrors(t *testing.T) {
	t.Run("missing directory", func(t *testing.T) {
		_, err := checkpoints.Latest(filepath.Join(t.TempDir(), "none"))
		if !errors.Is(err, checkpoints.ErrNoCheckpoint) {
			t.Errorf("got error %v, want ErrNoCheckpoint", err)
		}
	})
	t.Run("empty directory", func(t *testing.T) {
		_, err := checkpoints.Latest(t.TempDir())
		if !errors.Is(err, checkpoints.ErrNoCheckpoint) {
			t.Errorf("got error %v, want ErrNoCheckpoint", err)
		}
	})
	t.Run("no pointer", func(t *testing.T) {
		dir := t.TempDir()
		writeEpochs(t, dir, 1000)
		os.Remove(filepath.Join(dir, checkpoints.PointerName))
		_, err := checkpoints.Latest(dir)
		if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, checkpoints.ErrNoCheckpoint) {
			t.Errorf("got error %v, want fs.ErrNotExist (and not ErrNoCheckpoint: files exist)", err)
		}
	})
	t.Run("garbage pointer", func(t *testing.T) {
		dir := t.TempDir()
		writeEpochs(t, dir, 1000)
		os.WriteFile(filepath.Join(dir, checkpoints.PointerName), []byte("../../etc/passwd\n"), 0o644)
		_, err := checkpoints.Latest(dir)
		if !errors.Is(err, checkpoints.ErrCorrupt) {
			t.Errorf("got error %v, want ErrCorrupt", err)
		}
	})
	t.Run("pointer to missing file", func(t *testing.T) {
		dir := t.TempDir()
		writeEpochs(t, dir, 1000, 2000)
		os.Remove(filepath.Join(dir, checkpoints.FileName(2000)))
		_, err := checkpoints.Latest(dir)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("got error %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("pointer to damaged file", func(t *testing.T) {
		dir := t.TempDir()
		writeEpochs(t, dir, 1000, 2000)
		damage(t, dir, 2000)
		c, err := checkpoints.Latest(dir)
		if !errors.Is(err, checkpoints.ErrChecksum) || c != nil {
			t.Errorf("got %v, error %v, want no checkpoint and ErrChecksum (Latest never falls back)", c, err)
		}
	})
}

func TestLatestValid(t *testing.T) {
	dir := t.TempDir()
	writeEpochs(t, dir, 1000, 2000, 3000, 4000)
	damage(t, dir, 4000)
	truncate(t, dir, 3000)
	c, refused, err := checkpoints.LatestValid(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkEpoch(t, c, 2000)
	if len(refused) != 2 {
		t.Fatalf("got %d refusals %v, want 2", len(refused), refused)
	}
	for i, want := range []struct {
		epoch int
		err   error
	}{{4000, checkpoints.ErrChecksum}, {3000, checkpoints.ErrTruncated}} {
		r := refused[i]
		if r.Epoch != want.epoch || !errors.Is(r.Err, want.err) || r.Path != filepath.Join(dir, checkpoints.FileName(want.epoch)) {
			t.Errorf("refusal %d: got %v (path %s), want epoch %d refused with %v", i, r, r.Path, want.epoch, want.err)
		}
	}

	damage(t, dir, 2000)
	damage(t, dir, 1000)
	c, refused, err = checkpoints.LatestValid(dir)
	if !errors.Is(err, checkpoints.ErrNoCheckpoint) || c != nil || len(refused) != 4 {
		t.Errorf("all damaged: got %v, %d refusals, error %v, want nil, 4, ErrNoCheckpoint", c, len(refused), err)
	}

	_, refused, err = checkpoints.LatestValid(t.TempDir())
	if !errors.Is(err, checkpoints.ErrNoCheckpoint) || len(refused) != 0 {
		t.Errorf("empty: got %d refusals, error %v, want 0, ErrNoCheckpoint", len(refused), err)
	}
}

func TestLatestValidIntact(t *testing.T) {
	dir := t.TempDir()
	writeEpochs(t, dir, 1000, 2000)
	c, refused, err := checkpoints.LatestValid(dir)
	if err != nil || len(refused) != 0 {
		t.Fatalf("got %d refusals, error %v, want none", len(refused), err)
	}
	checkEpoch(t, c, 2000)
}

func TestPrune(t *testing.T) {
	dir := t.TempDir()
	writeEpochs(t, dir, 1000, 3000, 4000, 5000, 6000, 2000) // the pointer names 2000
	temps := []string{".epoch-00007000.ckpt.tmp-0123456789abcdef", ".latest.tmp-fedcba9876543210"}
	others := []string{"notes.txt", ".hidden", ".notes.txt.tmp-0123456789abcdef"}
	for _, name := range append(slices.Clone(temps), others...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := checkpoints.Prune(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1000, 3000, 4000}; !slices.Equal(removed, want) {
		t.Errorf("got removed %v, want %v", removed, want)
	}
	epochs, _ := checkpoints.List(dir)
	if want := []int{2000, 5000, 6000}; !slices.Equal(epochs, want) {
		t.Errorf("got kept %v, want %v (the 2 newest and the pointer's)", epochs, want)
	}
	names := dirNames(t, dir)
	for _, name := range temps {
		if slices.Contains(names, name) {
			t.Errorf("got %s kept, want a stale temporary file removed", name)
		}
	}
	for _, name := range others {
		if !slices.Contains(names, name) {
			t.Errorf("got %s removed, want files that are not ours kept", name)
		}
	}
	if c, err := checkpoints.Latest(dir); err != nil || c.Epoch != 2000 {
		t.Errorf("Latest after Prune: got %v, %v, want epoch 2000", c, err)
	}

	removed, err = checkpoints.Prune(dir, 5)
	if err != nil || len(removed) != 0 {
		t.Errorf("Prune(keep 5) of 3: got removed %v, %v, want none", removed, err)
	}
	if _, err := checkpoints.Prune(dir, 0); err == nil {
		t.Error("Prune(keep 0): got no error, want one")
	}
	if removed, err := checkpoints.Prune(filepath.Join(dir, "missing"), 1); err != nil || len(removed) != 0 {
		t.Errorf("Prune of a missing directory: got %v, %v, want nothing, nil", removed, err)
	}
}
