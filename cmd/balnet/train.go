package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/balnet/balnet/config"
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
	if *force {
		if err := removeRun(dir); err != nil {
			return err
		}
	}
	rd, err := createRunDir(dir, cfg)
	if err != nil {
		return err
	}
	defer rd.Close()
	fmt.Fprintf(stdout, "training %d epochs into %s\n", cfg.Train.Epochs, dir)
	hooks := append(rd.hooks(), progressHook(stderr, *quiet, t.Epoch(), cfg.Train.Epochs))
	return rd.finish(t, t.Run(ctx, hooks...), !*noPlots, func(f string, a ...any) { fmt.Fprintf(stdout, f, a...) })
}

// checkNewRunDir refuses an existing non-empty directory (or a file) as a new run's
// directory, before anything is written.
func checkNewRunDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
			return &config.Error{Key: "--out", Value: dir, Allowed: "a new or empty directory (this is a file)"}
		}
		return usagef("--out %s: %v", dir, err)
	case len(entries) > 0:
		return &config.Error{Key: "--out", Value: dir, Allowed: "a new or empty directory (this one holds a run or other files; choose another, resume it with balnet resume, or replace it with --force)"}
	}
	return nil
}

// removeRun deletes an existing run directory for --force. It first renames the directory
// to a hidden sibling, so that a crash during the deletion can never leave a half-deleted
// run (checkpoints without their CSV rows) where the new run is about to be written.
func removeRun(dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
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
