package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/train"
)

// cmdResume continues a run from its latest checkpoint to N total epochs:
//
//	balnet resume RUN_DIR [--epochs N] [--fallback] [--quiet]
//
// The result is bit-identical to a run that never stopped. Rows of metrics.csv and
// analysis.csv written after the checkpoint are dropped first (they are written again).
// It holds the run directory's lock (rundir.Lock) throughout.
func cmdResume(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("resume", flag.ContinueOnError)
	epochs := fs.Int("epochs", -1, "new total number of epochs (default: train.epochs of the run)")
	fallback := fs.Bool("fallback", false, "if the latest checkpoint is damaged, resume from the newest valid one")
	quiet := fs.Bool("quiet", false, "no progress bar: one line per test interval")
	noPlots := fs.Bool("no-plots", false, "do not draw the figures at the end")
	maxMemory := memoryFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	dir, err := oneRunDir("resume", pos)
	if err != nil {
		return err
	}
	d := rundir.Dir(dir)
	cfg, err := rundir.ReadConfig(d)
	if err != nil {
		return err
	}
	if err := checkMemory(config.TrainEstimate(cfg).WithCheckpoint(cfg), *maxMemory); err != nil {
		return err
	}
	lock, err := rundir.Lock(dir)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	path, state, err := d.Load(cfg, -1, *fallback, stderr)
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
	if err := d.LoadRollbackTargets(cfg, t, stderr); err != nil {
		return err
	}
	// Nothing was changed so far; from here on the run directory is repaired and continued.
	if given {
		if err := checkpoints.WriteFileAtomic(d.Path(rundir.ConfigFile), cfg.YAML(), 0o644); err != nil {
			return err
		}
	}
	if err := d.Repair(cfg, state.Epoch); err != nil {
		return err
	}
	if given || state.Epoch < cfg.Train.Epochs { // a finished run resumed again stays unchanged
		if err := d.AppendResume(session(append([]string{"resume"}, args...)), state.Epoch); err != nil {
			return err
		}
	}
	if err := d.TruncateEvents(state.Rollbacks); err != nil {
		return err
	}
	r, err := rundir.Open(d, cfg)
	if err != nil {
		return err
	}
	defer r.Close()
	r.Saved(state.Epoch)
	if state.Epoch == cfg.Train.Epochs {
		if err := r.Complete(t, path); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "resuming %s at epoch %d of %d\n", dir, state.Epoch, cfg.Train.Epochs)
	hooks := append(r.Hooks(), progressHook(stderr, *quiet, t.Epoch(), cfg.Train.Epochs))
	t.OnDivergence(r.DivergenceHook(), divergenceReport(stderr, cfg.Train.MaxRollbacks))
	return finish(r, t, t.Run(ctx, hooks...), !*noPlots, func(f string, a ...any) { fmt.Fprintf(stdout, f, a...) })
}
