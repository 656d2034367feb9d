package checkpoints

import (
	"bufio"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// tempMarker separates a target's name from the random suffix of its temporary file:
// the temporary file for DIR/NAME is DIR/.NAME.tmp-XXXXXXXXXXXXXXXX.
const tempMarker = ".tmp-"

// WriteFileAtomic replaces the file at path with data, atomically and durably; see
// WriteAtomic.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return WriteAtomic(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteAtomic replaces the file at path with what write writes, atomically and
// durably. It
//
//  1. creates a hidden temporary file ".NAME.tmp-…" in the directory of path, with mode
//     perm less the umask (as os.WriteFile does for a new file),
//  2. calls write with a buffered writer on it, flushes, fsyncs and closes it,
//  3. renames it over path, and
//  4. fsyncs the directory, so that the rename itself survives a power loss.
//
// If any step before the rename fails, path is left as it was and the temporary file is
// removed. When WriteAtomic returns nil, the new content is on stable storage. The
// replaced file's permissions are not carried over: the new file has perm.
//
// Errors are *fs.PathError (or *os.LinkError for the rename) naming path; an error
// returned by write is wrapped, so errors.Is sees it.
func WriteAtomic(path string, perm fs.FileMode, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := createTemp(dir, filepath.Base(path), perm)
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if err != nil && !renamed {
			tmp.Close() // may be closed already; the error is of no interest then
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := write(bw); err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: err}
	}
	if err := bw.Flush(); err != nil {
		return &fs.PathError{Op: "write", Path: path, Err: err}
	}
	if err := tmp.Sync(); err != nil {
		return &fs.PathError{Op: "fsync", Path: path, Err: err}
	}
	if err := tmp.Close(); err != nil {
		return &fs.PathError{Op: "close", Path: path, Err: err}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err // *os.LinkError naming both files
	}
	renamed = true
	if err := syncDir(dir); err != nil {
		return &fs.PathError{Op: "fsync directory of", Path: path, Err: err}
	}
	return nil
}

// createTemp creates a new file .BASE.tmp-RANDOM in dir. Unlike os.CreateTemp it honours
// perm (less the umask), so the file has its final mode before it is renamed.
func createTemp(dir, base string, perm fs.FileMode) (*os.File, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, fmt.Sprintf(".%s%s%s", base, tempMarker, tempSuffix()))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		return f, err
	}
}

// tempSuffix returns 16 random hex digits for a temporary name. They come from crypto/rand,
// not from a seeded stream: they must differ between processes and never touch the run's
// random streams (and balnet never uses the global math/rand).
func tempSuffix() string {
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		panic(err) // crypto/rand.Read never fails on supported systems
	}
	return hex.EncodeToString(b[:])
}

// isTemp reports whether name is a temporary file of WriteAtomic for target.
func isTemp(name, target string) bool {
	rest, ok := strings.CutPrefix(name, "."+target+tempMarker)
	return ok && len(rest) == 16
}

// syncDir fsyncs directory dir, so that entries created, renamed or removed in it are
// durable. Windows cannot open a directory for syncing (and NTFS journals renames), and
// some file systems refuse fsync on a directory with EINVAL; both are treated as done.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, errors.ErrUnsupported) {
		err = nil
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// mkdirDurable creates dir and any missing parents, like os.MkdirAll, and fsyncs the
// parent of every directory it created, so that the new directories survive a crash.
func mkdirDurable(dir string, perm fs.FileMode) error {
	var missing []string
	for d := filepath.Clean(dir); ; {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if len(missing) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, perm); err != nil {
		return err
	}
	for _, d := range missing {
		if err := syncDir(filepath.Dir(d)); err != nil {
			return &fs.PathError{Op: "fsync directory", Path: filepath.Dir(d), Err: err}
		}
	}
	return nil
}

// CleanTemps removes the temporary files that interrupted atomic writes left in dir (names
// .NAME.tmp-XXXXXXXXXXXXXXXX) and returns their names. It must not run while another
// process writes into dir. A missing directory holds none.
func CleanTemps(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), ".")
		if !ok || e.IsDir() {
			continue
		}
		target, _, ok := strings.Cut(rest, tempMarker)
		if !ok || !isTemp(e.Name(), target) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return removed, err
		}
		removed = append(removed, e.Name())
	}
	return removed, nil
}
