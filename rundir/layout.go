package rundir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
)

// The layout of a run directory: names relative to it.
const (
	// ConfigFile is the resolved configuration the run was (or is being) trained with.
	ConfigFile = "config.yaml"
	// MetricsFile has one row per test interval (columns: MetricsHeader).
	MetricsFile = "metrics.csv"
	// AnalysisFile has one row per analysis (columns: analysis.Header).
	AnalysisFile = "analysis.csv"
	// RecomputedFile is where balnet analyze writes its rows by default.
	RecomputedFile = "analysis-recomputed.csv"
	// CheckpointsDir holds epoch-%08d.ckpt files and the "latest" pointer (package
	// checkpoints).
	CheckpointsDir = checkpoints.DirName
	// SpectraDir holds one epoch-%08d.npz per analysis (analysis.Record.Arrays).
	SpectraDir = "spectra"
	// FiguresDir is the default output directory of the figures.
	FiguresDir = "figures"
)

// MetricsHeader is the header of metrics.csv: the epoch, the mean training loss since the
// previous row (empty at epoch 0), the test loss, and the wall-clock seconds since the
// process that wrote the row started training.
var MetricsHeader = []string{"epoch", "train_loss", "test_loss", "wall_seconds"}

// Dir is the path of a run directory. It is a distinct type so that a run directory and
// the checkpoint directory inside it (CheckpointDir) cannot be passed for one another.
type Dir string

// String returns the path.
func (d Dir) String() string { return string(d) }

// Path returns the path of name (one of the layout constants) inside d.
func (d Dir) Path(name string) string { return filepath.Join(string(d), name) }

// CheckpointDir returns the directory of d's checkpoints, d/checkpoints, the directory
// argument of package checkpoints' file-level functions (List, Latest, WriteEpoch, ...).
func (d Dir) CheckpointDir() string { return d.Path(CheckpointsDir) }

// CheckpointPath returns the path of the checkpoint of epoch.
func (d Dir) CheckpointPath(epoch int) string {
	return filepath.Join(d.CheckpointDir(), checkpoints.FileName(epoch))
}

// Checkpoints returns the epochs of d's checkpoint files, ascending (by name only; see
// checkpoints.List).
func (d Dir) Checkpoints() ([]int, error) { return checkpoints.List(d.CheckpointDir()) }

// SpectraName returns the name of the spectra file of epoch, "epoch-%08d.npz".
func SpectraName(epoch int) string { return checkpoints.EpochName(epoch, ".npz") }

// ParseSpectraName returns the epoch of a spectra file name, and whether name is one:
// exactly what SpectraName returns for some epoch (temporary files are not).
func ParseSpectraName(name string) (int, bool) { return checkpoints.ParseEpochName(name, ".npz") }

// SpectraPath returns the path of the spectra file of epoch.
func (d Dir) SpectraPath(epoch int) string {
	return filepath.Join(d.Path(SpectraDir), SpectraName(epoch))
}

// SpectraFile is a spectra file found in a run directory.
type SpectraFile struct {
	Epoch int
	Path  string
}

// Spectra returns d's spectra files sorted by epoch. A missing spectra directory holds
// none (no error).
func (d Dir) Spectra() ([]SpectraFile, error) {
	dir := d.Path(SpectraDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var files []SpectraFile
	for _, e := range entries {
		if epoch, ok := ParseSpectraName(e.Name()); ok && e.Type().IsRegular() {
			files = append(files, SpectraFile{Epoch: epoch, Path: filepath.Join(dir, e.Name())})
		}
	}
	slices.SortFunc(files, func(a, b SpectraFile) int { return a.Epoch - b.Epoch })
	return files, nil
}

// ErrNotRun is wrapped by the errors of functions given a directory that holds no run
// (no config.yaml); the command reports it as a usage error (exit status 2).
var ErrNotRun = errors.New("not a run directory")

// ReadConfig reads d/config.yaml strictly (unknown keys are errors) and validates it. A
// directory without config.yaml gives an error wrapping ErrNotRun.
func ReadConfig(d Dir) (config.Config, error) {
	data, err := os.ReadFile(d.Path(ConfigFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return config.Config{}, fmt.Errorf("%s is %w: no %s", d, ErrNotRun, ConfigFile)
		}
		return config.Config{}, err
	}
	cfg, err := config.Parse(data, config.Default())
	if err != nil {
		return cfg, fmt.Errorf("%s: %w", d.Path(ConfigFile), err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: %w", d.Path(ConfigFile), err)
	}
	return cfg, nil
}

// Errors of CheckNew.
var (
	ErrIsFile   = errors.New("a file, not a directory")
	ErrNotEmpty = errors.New("not empty")
)

// CheckNew returns nil if dir can become a new run directory: it does not exist or is an
// empty directory. Otherwise the error wraps ErrIsFile, ErrNotEmpty or the I/O error.
// Nothing is written.
func CheckNew(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
			return fmt.Errorf("%s: %w", dir, ErrIsFile)
		}
		return err
	case len(entries) > 0:
		return fmt.Errorf("%s: %w", dir, ErrNotEmpty)
	}
	return nil
}

// Remove deletes an existing run directory (train --force), after taking its lock (a
// *LockedError if another process writes to it). It first renames the directory to a
// hidden sibling, so that a crash during the deletion can never leave a half-deleted run
// (checkpoints without their CSV rows) where a new run is about to be written. A missing
// dir is not an error.
func Remove(dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil && fi.IsDir() {
		lock, err := Lock(dir)
		if err != nil {
			return err
		}
		defer lock.Unlock()
	}
	aside, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".replaced-")
	if err != nil {
		return err
	}
	if err := os.Rename(dir, filepath.Join(aside, "old")); err != nil {
		os.Remove(aside)
		return err
	}
	return os.RemoveAll(aside)
}
