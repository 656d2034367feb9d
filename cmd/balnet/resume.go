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
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("resume takes one run directory, got %d arguments", len(pos))
	}
	dir := pos[0]
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
	rd, err := openRunDir(dir, cfg)
	if err != nil {
		return err
	}
	defer rd.Close()
	rd.saved = state.Epoch
	fmt.Fprintf(stdout, "resuming %s at epoch %d of %d\n", dir, state.Epoch, cfg.Train.Epochs)
	hooks := append(rd.hooks(), progressHook(stderr, *quiet, t.Epoch(), cfg.Train.Epochs))
	return rd.finish(t, t.Run(ctx, hooks...), func(f string, a ...any) { fmt.Fprintf(stdout, f, a...) })
}

// truncateRows drops the CSV rows a resumed run writes again: rows after the checkpoint's
// epoch, and a metrics row at that epoch when it was the read-only final test of a shorter run
// (epochs that are not a multiple of train.test_every).
func truncateRows(dir string, cfg config.Config, epoch int) error {
	keep := epoch
	if epoch%cfg.Train.TestEvery != 0 {
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
// valid one, saying which it used and why newer ones were refused) and checks that it
// belongs to the run's configuration (train.epochs aside).
func loadCheckpoint(dir string, cfg config.Config, epoch int, fallback bool, stderr io.Writer) (string, *train.State, error) {
	var path string
	switch {
	case epoch >= 0:
		path = checkpoints.StatePath(dir, epoch)
	case fallback:
		c, refused, err := checkpoints.LatestValid(checkpoints.Dir(dir))
		for _, r := range refused {
			fmt.Fprintf(stderr, "balnet: refused %s: %v\n", r.Path, r.Err)
		}
		if err != nil {
			return "", nil, err
		}
		if len(refused) > 0 {
			fmt.Fprintf(stderr, "balnet: falling back to %s (epoch %d)\n", c.Path, c.Epoch)
		}
		path = c.Path
	default:
		p, err := checkpoints.LatestState(dir)
		if err != nil {
			return "", nil, fmt.Errorf("%w (balnet resume --fallback uses the newest valid checkpoint)", err)
		}
		path = p
	}
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
