package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/plots"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/train"
)

// finish handles the end of a training run: an interruption is saved and reported; a
// finished run gets its figures (unless plot is false). A failed figure is a warning, not a
// failed run.
func finish(r *rundir.Run, t *train.Trainer, err error, plot bool, say func(format string, args ...any)) error {
	if errors.Is(err, train.ErrInterrupted) {
		if serr := r.Save(t); serr != nil {
			return fmt.Errorf("%s: interrupted, and %w", r.Dir, serr)
		}
		say("interrupted at epoch %d; checkpoint saved. Continue with:\n  balnet resume %s\n", t.Epoch(), r.Dir)
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", r.Dir, err)
	}
	say("done: epoch %d in %s\n", t.Epoch(), r.Dir)
	if plot {
		if perr := plots.All(string(r.Dir), "", io.Discard); perr != nil {
			say("warning: figures: %v\n", perr)
		} else {
			say("figures: %s\n", r.Dir.Path(rundir.FiguresDir))
		}
	}
	return nil
}

// inside reports whether path is dir or lies under it (lexically, after Abs).
func inside(path, dir string) bool {
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return true // when in doubt, lock
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// checkEpoch refuses an --epoch that names no checkpoint of d (-1 means the latest).
func checkEpoch(d rundir.Dir, epoch int) error {
	if epoch < -1 {
		return usagef("--epoch = %d is invalid: a checkpoint epoch ≥ 0", epoch)
	}
	if epoch >= 0 {
		if _, err := os.Stat(d.CheckpointPath(epoch)); err != nil {
			epochs, _ := d.Checkpoints()
			return usagef("--epoch = %d is invalid: no checkpoint of that epoch (available: %v)", epoch, epochs)
		}
	}
	return nil
}

// measuredRun reads the configuration of the run directory d for a command that measures
// its trained network (info, fluctuations): run is the configuration as trained (what
// rundir.Dir.Load checks the checkpoint against); cfg is run with the --set overrides, which
// may only touch the command's own section ("info.", "fluctuations."), validated; and
// --epoch must name a checkpoint.
func measuredRun(d rundir.Dir, section string, sets []string, epoch int) (run, cfg config.Config, err error) {
	if run, err = rundir.ReadConfig(d); err != nil {
		return run, cfg, err
	}
	cfg = run
	for _, s := range sets {
		if !strings.HasPrefix(strings.TrimSpace(s), section+".") {
			return run, cfg, &config.Error{Key: "--set", Value: strconv.Quote(s),
				Allowed: "only " + section + ".* keys with a run directory (the network is the checkpoint's)"}
		}
		if err := cfg.Set(s); err != nil {
			return run, cfg, fmt.Errorf("--set: %w", err)
		}
	}
	if err := cfg.Validate(); err != nil {
		return run, cfg, err
	}
	return run, cfg, checkEpoch(d, epoch)
}

// lockIfInside takes the lock of the run directory dir when path lies inside it (a command
// writing into the run: one writer at a time) and returns its release (a no-op otherwise).
func lockIfInside(path, dir string) (unlock func(), err error) {
	if !inside(path, dir) {
		return func() {}, nil
	}
	lock, err := rundir.Lock(dir)
	if err != nil {
		return nil, err
	}
	return func() { lock.Unlock() }, nil
}
