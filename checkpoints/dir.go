package checkpoints

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Names inside a run directory.
const (
	// DirName is the checkpoint directory inside a run directory.
	DirName = "checkpoints"
	// PointerName is the file, inside the checkpoint directory, that holds the file
	// name of the latest durable checkpoint followed by a newline.
	PointerName = "latest"
)

// Dir returns the checkpoint directory of the run directory runDir.
func Dir(runDir string) string { return filepath.Join(runDir, DirName) }

// FileName returns the name of the checkpoint of epoch: "epoch-%08d.ckpt". Names of
// epochs below 10⁸ sort like their epochs. It panics if epoch is negative.
func FileName(epoch int) string { return EpochName(epoch, ".ckpt") }

// ParseFileName returns the epoch of a checkpoint file name, and whether name is one:
// exactly what FileName returns for some epoch.
func ParseFileName(name string) (epoch int, ok bool) { return ParseEpochName(name, ".ckpt") }

// EpochName returns the name of a per-epoch file: "epoch-%08d" and the extension ext (the
// checkpoints' ".ckpt", the spectra's ".npz"). It panics if epoch is negative.
func EpochName(epoch int, ext string) string {
	if epoch < 0 {
		panic(fmt.Sprintf("checkpoints: negative epoch %d", epoch))
	}
	return fmt.Sprintf("epoch-%08d%s", epoch, ext)
}

// ParseEpochName returns the epoch of a per-epoch file name with extension ext, and
// whether name is one: exactly what EpochName returns for some epoch (temporary files
// and other spellings of the number are not).
func ParseEpochName(name, ext string) (epoch int, ok bool) {
	digits, ok := strings.CutPrefix(name, "epoch-")
	if !ok {
		return 0, false
	}
	if digits, ok = strings.CutSuffix(digits, ext); !ok || digits == "" {
		return 0, false
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	epoch, err := strconv.Atoi(digits)
	if err != nil || EpochName(epoch, ext) != name {
		return 0, false
	}
	return epoch, true
}

// Checkpoint is a checkpoint file found in a checkpoint directory and verified.
type Checkpoint struct {
	Epoch int
	Path  string
	File  *File
}

// Refusal says why LatestValid passed over a checkpoint file.
type Refusal struct {
	Epoch int
	Path  string
	Err   error // from ReadFile: wraps ErrChecksum, ErrTruncated, ... or an I/O error
}

func (r Refusal) String() string { return fmt.Sprintf("epoch %d refused: %v", r.Epoch, r.Err) }

// WriteEpoch saves f as the checkpoint of epoch in the checkpoint directory dir
// (creating it if needed) and then points PointerName at it. Both writes are atomic
// and durable (WriteAtomic), and the pointer is only updated once the checkpoint is on
// stable storage: a crash at any point leaves the pointer naming a complete checkpoint
// (the new one or the previous one). An existing checkpoint of the same epoch is
// replaced. It returns the checkpoint's path.
//
// When dir does not exist yet, there is no previous checkpoint to fall back on: dir is
// then created with the checkpoint and the pointer in it at once (createWith), so that a
// crash leaves either no checkpoint directory or one whose pointer names a checkpoint,
// never a checkpoint without a pointer (which Latest refuses).
func WriteEpoch(dir string, epoch int, f *File) (string, error) {
	name := FileName(epoch)
	path := filepath.Join(dir, name)
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := createWith(dir, name, f); err != nil {
			return "", err
		}
		return path, nil
	}
	if err := mkdirDurable(dir, 0o755); err != nil {
		return "", err
	}
	if err := WriteFile(path, f); err != nil {
		return "", err
	}
	if err := WriteFileAtomic(filepath.Join(dir, PointerName), []byte(name+"\n"), 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// createWith creates the directory dir holding the checkpoint f, called name, and the
// pointer naming it, atomically: both are written durably into a new hidden directory
// ".BASE.tmp-…" next to dir, which is then renamed to dir, and the parent directory is
// fsynced. A crash leaves no dir or the complete one (and maybe a stale temporary
// directory, which the next call removes).
func createWith(dir, name string, f *File) (err error) {
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := mkdirDurable(parent, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() && isTemp(e.Name(), base) {
			os.RemoveAll(filepath.Join(parent, e.Name())) // left by a crash
		}
	}
	tmp := filepath.Join(parent, fmt.Sprintf(".%s%s%s", base, tempMarker, tempSuffix()))
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := WriteFile(filepath.Join(tmp, name), f); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(tmp, PointerName), []byte(name+"\n"), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	if err := syncDir(parent); err != nil {
		return &fs.PathError{Op: "fsync directory of", Path: dir, Err: err}
	}
	return nil
}

// ReadEpoch reads and verifies the checkpoint of epoch in dir (see ReadFile).
func ReadEpoch(dir string, epoch int) (*File, error) {
	return ReadFile(filepath.Join(dir, FileName(epoch)))
}

// List returns the epochs of the checkpoint files in dir, ascending. It only looks at
// names (see ParseFileName), not contents. A directory that does not exist holds no
// checkpoints: List returns nil and no error.
func List(dir string) ([]int, error) {
	entries, err := readDir(dir)
	if err != nil {
		return nil, err
	}
	return epochsOf(entries), nil
}

// readDir is os.ReadDir, except that a missing directory is empty.
func readDir(dir string) ([]fs.DirEntry, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return entries, err
}

// epochsOf returns the epochs of the checkpoint files among entries, ascending.
func epochsOf(entries []fs.DirEntry) []int {
	var epochs []int
	for _, e := range entries {
		if epoch, ok := ParseFileName(e.Name()); ok && e.Type().IsRegular() {
			epochs = append(epochs, epoch)
		}
	}
	slices.Sort(epochs)
	return epochs
}

// pointer reads the pointer file of dir and returns the epoch it names.
func pointer(dir string) (int, error) {
	path := filepath.Join(dir, PointerName)
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	if len(b) > 64 {
		b = b[:64]
	}
	epoch, ok := ParseFileName(strings.TrimSpace(string(b)))
	if !ok {
		return 0, &fs.PathError{Op: "read pointer", Path: path, Err: fmt.Errorf("checkpoints: %w: content %q is not a checkpoint file name", ErrCorrupt, b)}
	}
	return epoch, nil
}

// Latest returns the checkpoint named by the pointer file of dir, read and verified.
//
// It wraps ErrNoCheckpoint if dir holds no checkpoint at all (or does not exist). Any
// other failure (a pointer missing although checkpoint files exist, a pointer naming a
// missing or damaged file) is returned as such: Latest never silently falls back to an
// older checkpoint; LatestValid does, when the user asks for it.
func Latest(dir string) (*Checkpoint, error) {
	epoch, err := pointer(dir)
	if errors.Is(err, fs.ErrNotExist) {
		epochs, lerr := List(dir)
		if lerr != nil {
			return nil, lerr
		}
		if len(epochs) == 0 {
			return nil, fmt.Errorf("checkpoints: %s: %w", dir, ErrNoCheckpoint)
		}
		return nil, fmt.Errorf("checkpoints: %d checkpoint files (newest: epoch %d) but no pointer: %w", len(epochs), epochs[len(epochs)-1], err)
	}
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, FileName(epoch))
	f, err := ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: latest checkpoint (epoch %d): %w", epoch, err)
	}
	return &Checkpoint{Epoch: epoch, Path: path, File: f}, nil
}

// LatestValid returns the newest checkpoint file of dir that reads and verifies,
// trying the files newest first by epoch, whatever the pointer says. The refusals list
// the newer files it passed over, newest first, with the reason for each: the caller
// reports them, so the user knows which checkpoint a fallback resumed from and why.
//
// If no file verifies, the error wraps ErrNoCheckpoint and the refusals cover every
// file. LatestValid is for an explicit fallback; a normal resume uses Latest.
func LatestValid(dir string) (*Checkpoint, []Refusal, error) {
	epochs, err := List(dir)
	if err != nil {
		return nil, nil, err
	}
	var refused []Refusal
	for _, epoch := range slices.Backward(epochs) {
		path := filepath.Join(dir, FileName(epoch))
		f, err := ReadFile(path)
		if err == nil {
			return &Checkpoint{Epoch: epoch, Path: path, File: f}, refused, nil
		}
		refused = append(refused, Refusal{Epoch: epoch, Path: path, Err: err})
	}
	if len(refused) == 0 {
		return nil, nil, fmt.Errorf("checkpoints: %s: %w", dir, ErrNoCheckpoint)
	}
	return nil, refused, fmt.Errorf("checkpoints: %s: %w: none of %d checkpoint files verifies (newest: %v)", dir, ErrNoCheckpoint, len(refused), refused[0].Err)
}

// Prune removes the checkpoint files of dir except the keep newest (by epoch) and the
// one the pointer names, which is always kept. It also removes temporary files left in
// dir by an interrupted WriteEpoch, so it must not run concurrently with a WriteEpoch
// on the same directory. It returns the epochs removed, ascending. keep must be at
// least 1.
func Prune(dir string, keep int) (removed []int, err error) {
	if keep < 1 {
		return nil, fmt.Errorf("checkpoints: prune %s: keep = %d, want at least 1", dir, keep)
	}
	entries, err := readDir(dir)
	if err != nil {
		return nil, err
	}
	epochs := epochsOf(entries)
	latest, perr := pointer(dir)
	var errs []error
	for _, epoch := range epochs[:max(len(epochs)-keep, 0)] {
		if perr == nil && epoch == latest {
			continue
		}
		if err := os.Remove(filepath.Join(dir, FileName(epoch))); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, epoch)
	}
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, ".")
		if !ok {
			continue
		}
		target, _, ok := strings.Cut(rest, tempMarker)
		if !ok || !isTemp(name, target) {
			continue
		}
		if _, ok := ParseFileName(target); ok || target == PointerName {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return removed, errors.Join(errs...)
}
