package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/rundir"
)

// cmdAnalyze recomputes the analysis from the saved checkpoints of a run:
//
//	balnet analyze RUN_DIR [--out FILE]
//
// For every checkpoint it analyses the saved parameters (rundir.StateInput: the plain
// simulator, no training engine) and writes the analysis row (same columns as
// analysis.csv) to FILE (default RUN_DIR/analysis-recomputed.csv) and the spectra file
// RUN_DIR/spectra/epoch-%08d.npz. The live analysis.csv is never modified. A checkpoint
// written at an epoch the live run also analysed gives a row identical to the live one.
// It holds the run directory's lock (it writes the spectra files). On Ctrl-C/SIGTERM it
// stops before the next checkpoint and writes no FILE: exit status 1, the spectra files
// written so far are complete.
func cmdAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	out := fs.String("out", "", "output CSV `file` (default RUN_DIR/analysis-recomputed.csv)")
	maxMemory := memoryFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	dir, err := oneRunDir("analyze", pos)
	if err != nil {
		return err
	}
	d := rundir.Dir(dir)
	cfg, err := rundir.ReadConfig(d)
	if err != nil {
		return err
	}
	if err := checkMemory(config.AnalyzeEstimate(cfg), *maxMemory); err != nil {
		return err
	}
	if *out == "" {
		*out = d.Path(rundir.RecomputedFile)
	}
	lock, err := rundir.Lock(dir)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	epochs, err := d.Checkpoints()
	if err != nil {
		return err
	}
	if len(epochs) == 0 {
		return fmt.Errorf("%s: no checkpoints to analyse", dir)
	}
	var rows [][]string
	for _, epoch := range epochs {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("analyze interrupted before epoch %d: %w; %s not written", epoch, context.Cause(ctx), *out)
		}
		_, state, err := d.Load(cfg, epoch, false, stderr)
		if err != nil {
			return err
		}
		in, err := rundir.StateInput(cfg, state)
		if err != nil {
			return fmt.Errorf("%s: %w", d.CheckpointPath(epoch), err)
		}
		r, err := analysis.Analyze(in, cfg.Analysis)
		if err != nil {
			return fmt.Errorf("analysing epoch %d: %w", epoch, err)
		}
		if err := d.WriteSpectra(r); err != nil {
			return err
		}
		rows = append(rows, r.Row())
	}
	header := analysis.Header(cfg.Analysis, cfg.Task.Signals, cfg.Outputs())
	if err := checkpoints.WriteCSV(*out, header, rows); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "analysed %d checkpoints (epochs %v) into %s\n", len(epochs), epochs, *out)
	return nil
}
