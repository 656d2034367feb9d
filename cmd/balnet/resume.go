package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/train"
)

// cmdResume continues a run from its latest checkpoint to N total epochs:
//
//	balnet resume RUN_DIR [--epochs N] [--fallback] [--quiet]
//
// The result is bit-identical to a run that never stopped. Rows of metrics.csv and
// analysis.csv written after the checkpoint are dropped first (they are written again).
func cmdResume(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("resume", flag.ContinueOnError)
	epochs := fs.Int("epochs", -1, "new total number of epochs (default: train.epochs of the run)")
	fallback := fs.Bool("fallback", false, "if the latest checkpoint is damaged, resume from the newest valid one")
	quiet := fs.Bool("quiet", false, "no progress bar: one line per test interval")
	noPlots := fs.Bool("no-plots", false, "do not draw the figures at the end")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	dir, err := oneRunDir("resume", pos)
	if err != nil {
		return err
	}
	cfg, err := readRunConfig(dir)
	if err != nil {
		return err
	}
	path, state, err := loadCheckpoint(dir, cfg, -1, *fallback, stderr)
	if err != nil {
		return err
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "epochs" })
	if given {
		if *epochs < state.Epoch {
			return &config.Error{Key: "--epochs", Value: fmt.Sprint(*epochs),
				Allowed: fmt.Sprintf("the new total epoch count, at least the checkpoint's epoch %d", state.Epoch)}
		}
		cfg.Train.Epochs = *epochs
	}
	t, err := train.Restore(cfg.Config, state)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	// Nothing was changed so far; from here on the run directory is repaired and continued.
	if given {
		if err := checkpoints.WriteFileAtomic(filepath.Join(dir, "config.yaml"), cfg.YAML(), 0o644); err != nil {
			return err
		}
	}
	if err := truncateRows(dir, cfg, state.Epoch); err != nil {
		return err
	}
	for _, d := range []string{dir, filepath.Join(dir, SpectraDir)} { // left by a crash
		if _, err := checkpoints.CleanTemps(d); err != nil {
			return err
		}
	}
	rd, err := openRunDir(dir, cfg)
	if err != nil {
		return err
	}
	defer rd.Close()
	rd.saved = state.Epoch
	if state.Epoch == cfg.Train.Epochs {
		if err := rd.complete(t, path); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "resuming %s at epoch %d of %d\n", dir, state.Epoch, cfg.Train.Epochs)
	hooks := append(rd.hooks(), progressHook(stderr, *quiet, t.Epoch(), cfg.Train.Epochs))
	return rd.finish(t, t.Run(ctx, hooks...), !*noPlots, func(f string, a ...any) { fmt.Fprintf(stdout, f, a...) })
}

// complete ends a resumed run whose checkpoint, at path, is already at the last epoch (so
// that Run trains nothing) as an uninterrupted run ends: with the final test row of
// metrics.csv (read-only when the epoch is not a multiple of train.test_every) and a final
// checkpoint holding the run's configuration. A finished run has both and is left alone;
// a run interrupted at epoch E and resumed with --epochs E gets them.
func (rd *runDir) complete(t *train.Trainer, path string) error {
	e := t.Epoch()
	if e%rd.cfg.Train.TestEvery != 0 {
		last, err := lastEpoch(filepath.Join(rd.path, "metrics.csv"))
		if err != nil {
			return err
		}
		if last < e {
			ev, err := t.FinalTest()
			if err != nil {
				return fmt.Errorf("%s: %w", rd.path, err)
			}
			if err := rd.metricsHook()(t, ev); err != nil {
				return err
			}
		}
	}
	f, err := checkpoints.ReadFile(path)
	if err != nil {
		return err
	}
	if stored, err := f.Bytes("config"); err != nil || !bytes.Equal(stored, rd.yaml) {
		rd.saved = -1 // saved with another train.epochs: save it again with this one
		return rd.save(t)
	}
	return nil
}

// lastEpoch returns the epoch of the last row of a CSV file whose first column is the
// epoch (after truncateRows: every line complete), or −1 if it has no row.
func lastEpoch(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 2 {
		return -1, nil
	}
	field, _, _ := strings.Cut(lines[len(lines)-1], ",")
	e, err := strconv.Atoi(strings.TrimSpace(field))
	if err != nil {
		return 0, fmt.Errorf("%s: last row: epoch %q is not an integer", path, field)
	}
	return e, nil
}

// truncateRows drops the CSV rows a resumed run writes again: rows after the checkpoint's
// epoch, and a metrics row at that epoch when it was the read-only final test of a shorter run
// (epochs that are not a multiple of train.test_every) that this run continues. When the
// checkpoint is already at the run's last epoch nothing is trained, so such a final row is
// the run's own and is kept.
func truncateRows(dir string, cfg config.Config, epoch int) error {
	keep := epoch
	if epoch%cfg.Train.TestEvery != 0 && epoch < cfg.Train.Epochs {
		keep = epoch - 1
	}
	if err := checkpoints.TruncateCSV(filepath.Join(dir, "metrics.csv"), keep); err != nil {
		return err
	}
	// Analyses happen only at multiples of analysis.every, never at a read-only final test.
	return checkpoints.TruncateCSV(filepath.Join(dir, "analysis.csv"), epoch)
}

// readRunConfig reads RUN_DIR/config.yaml strictly.
func readRunConfig(dir string) (config.Config, error) {
	data, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return config.Config{}, usagef("%s is not a run directory: no config.yaml", dir)
		}
		return config.Config{}, err
	}
	cfg, err := config.Parse(data, config.Default())
	if err != nil {
		return cfg, fmt.Errorf("%s: %w", filepath.Join(dir, "config.yaml"), err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: %w", filepath.Join(dir, "config.yaml"), err)
	}
	return cfg, nil
}

// loadCheckpoint reads the checkpoint of epoch (−1: the latest; with fallback, the newest
// usable one, saying which it used and why newer ones were refused) and checks that it
// belongs to the run's configuration (train.epochs aside).
func loadCheckpoint(dir string, cfg config.Config, epoch int, fallback bool, stderr io.Writer) (string, *train.State, error) {
	switch {
	case epoch >= 0:
		return loadRunState(dir, checkpoints.StatePath(dir, epoch), cfg)
	case fallback:
		return loadNewestUsable(dir, cfg, stderr)
	}
	path, err := checkpoints.LatestState(dir)
	if err != nil {
		return "", nil, fmt.Errorf("%w (balnet resume --fallback uses the newest valid checkpoint)", err)
	}
	return loadRunState(dir, path, cfg)
}

// loadNewestUsable tries the checkpoint files of the run newest first (by epoch, whatever
// the pointer says) and returns the first that reads, verifies, decodes and belongs to the
// run's configuration. Every file passed over is reported on stderr with the reason, and so
// is the fallback. A damaged file and a checkpoint of another configuration are equally
// unusable: both are passed over.
func loadNewestUsable(dir string, cfg config.Config, stderr io.Writer) (string, *train.State, error) {
	ckdir := checkpoints.Dir(dir)
	epochs, err := checkpoints.List(ckdir)
	if err != nil {
		return "", nil, err
	}
	var newest error
	for i, epoch := range slices.Backward(epochs) {
		path, state, err := loadRunState(dir, checkpoints.StatePath(dir, epoch), cfg)
		if err == nil {
			if i < len(epochs)-1 {
				fmt.Fprintf(stderr, "balnet: falling back to %s (epoch %d)\n", path, epoch)
			}
			return path, state, nil
		}
		fmt.Fprintf(stderr, "balnet: refused %s: %v\n", checkpoints.StatePath(dir, epoch), err)
		if newest == nil {
			newest = err
		}
	}
	if newest == nil {
		return "", nil, fmt.Errorf("checkpoints: %s: %w", ckdir, checkpoints.ErrNoCheckpoint)
	}
	return "", nil, fmt.Errorf("checkpoints: %s: %w: none of %d checkpoint files is usable (newest: %v)", ckdir, checkpoints.ErrNoCheckpoint, len(epochs), newest)
}

// loadRunState reads the checkpoint at path and checks that it belongs to the run's
// configuration (train.epochs aside).
func loadRunState(dir, path string, cfg config.Config) (string, *train.State, error) {
	stored, state, err := checkpoints.LoadState(path)
	if err != nil {
		return "", nil, err
	}
	theirs, err := config.Parse(stored, config.Default())
	if err != nil {
		return "", nil, fmt.Errorf("%s: its configuration does not parse: %w", path, err)
	}
	theirs.Train.Epochs = cfg.Train.Epochs
	if !bytes.Equal(theirs.YAML(), cfg.YAML()) {
		return "", nil, fmt.Errorf("%s: the checkpoint belongs to another configuration than %s", path, filepath.Join(dir, "config.yaml"))
	}
	return path, state, nil
}
