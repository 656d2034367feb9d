package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/train"
)

// cmdAnalyze recomputes the analysis from the saved checkpoints of a run:
//
//	balnet analyze RUN_DIR [--out FILE]
//
// For every checkpoint it restores the trainer and writes the analysis row (same columns as
// analysis.csv) to FILE (default RUN_DIR/analysis-recomputed.csv) and the spectra file
// RUN_DIR/spectra/epoch-%08d.npz. The live analysis.csv is never modified. A checkpoint
// written at an epoch the live run also analysed gives a row identical to the live one.
func cmdAnalyze(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	out := fs.String("out", "", "output CSV `file` (default RUN_DIR/analysis-recomputed.csv)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	dir, err := oneRunDir("analyze", pos)
	if err != nil {
		return err
	}
	cfg, err := readRunConfig(dir)
	if err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join(dir, "analysis-recomputed.csv")
	}
	epochs, err := checkpoints.List(checkpoints.Dir(dir))
	if err != nil {
		return err
	}
	if len(epochs) == 0 {
		return fmt.Errorf("%s: no checkpoints to analyse", dir)
	}
	var rows [][]string
	for _, epoch := range epochs {
		_, state, err := loadCheckpoint(dir, cfg, epoch, false, stderr)
		if err != nil {
			return err
		}
		t, err := train.Restore(cfg.Config, state)
		if err != nil {
			return fmt.Errorf("%s: %w", checkpoints.StatePath(dir, epoch), err)
		}
		r, err := analysis.Analyze(t, cfg.Analysis)
		if err != nil {
			return fmt.Errorf("analysing epoch %d: %w", epoch, err)
		}
		if err := writeSpectra(dir, r); err != nil {
			return err
		}
		rows = append(rows, r.Row())
	}
	header := analysis.Header(cfg.Analysis, cfg.Task.Signals, cfg.Outputs())
	err = checkpoints.WriteAtomic(*out, 0o644, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		cw.Write(header)
		cw.WriteAll(rows) // flushes; the first error is returned by Error
		return cw.Error()
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "analysed %d checkpoints (epochs %v) into %s\n", len(epochs), epochs, *out)
	return nil
}
