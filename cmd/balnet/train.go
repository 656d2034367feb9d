package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/train"
)

func cmdTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	file := fs.String("config", "", "YAML configuration `file` (default: the embedded default)")
	var sets setFlags
	fs.Var(&sets, "set", "override one key: `key=value` (repeatable)")
	out := fs.String("out", "", "run `directory` (default: runs/YYYYMMDD-HHMMSS)")
	epochs := fs.Int("epochs", 0, "total number of epochs (overrides train.epochs)")
	seed := fs.Uint64("seed", 0, "random seed (overrides seed)")
	quiet := fs.Bool("quiet", false, "no progress bar: one line per test interval")
	noPlots := fs.Bool("no-plots", false, "do not draw the figures at the end")
	force := fs.Bool("force", false, "replace an existing run directory")
	maxMemory := memoryFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("train takes no positional arguments, got %q", pos)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var ep *int
	var sd *uint64
	if given["epochs"] {
		ep = epochs
	}
	if given["seed"] {
		sd = seed
	}
	cfg, err := loadConfig(*file, sets, ep, sd)
	if err != nil {
		return err
	}
	if err := checkMemory(config.TrainEstimate(cfg), *maxMemory); err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("runs", time.Now().Format("20060102-150405"))
	}
	if !*force {
		if err := checkNewRunDir(dir); err != nil {
			return err
		}
	}
	t, err := train.New(cfg.Config)
	if err != nil {
		return err
	}
	if err := t.Start(); err != nil { // an unstable start is reported before anything is written
		return err
	}
	if *force {
		if err := rundir.Remove(dir); err != nil {
			return err
		}
	}
	r, err := rundir.Create(dir, cfg)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.Dir.WriteProvenance(session(append([]string{"train"}, args...))); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "training %d epochs into %s\n", cfg.Train.Epochs, dir)
	hooks := append(r.Hooks(), progressHook(stderr, *quiet, t.Epoch(), cfg.Train.Epochs))
	t.OnDivergence(r.DivergenceHook(), divergenceReport(stderr, cfg.Train.MaxRollbacks))
	return finish(r, t, t.Run(ctx, hooks...), !*noPlots, func(f string, a ...any) { fmt.Fprintf(stdout, f, a...) })
}

// checkNewRunDir refuses an existing non-empty directory (or a file) as a new run's
// directory (rundir.CheckNew), before anything is written.
func checkNewRunDir(dir string) error {
	err := rundir.CheckNew(dir)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, rundir.ErrIsFile):
		return &config.Error{Key: "--out", Value: dir, Allowed: "a new or empty directory (this is a file)"}
	case errors.Is(err, rundir.ErrNotEmpty):
		return &config.Error{Key: "--out", Value: dir, Allowed: "a new or empty directory (this one holds a run or other files; choose another, resume it with balnet resume, or replace it with --force)"}
	}
	return usagef("--out %s: %v", dir, errors.Unwrap(err))
}
