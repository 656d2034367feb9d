package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/plots"
	"github.com/balnet/balnet/train"
)

// runDir is an open run directory (DESIGN.md, "Run directory").
type runDir struct {
	path    string
	cfg     config.Config
	yaml    []byte // cfg.YAML(), as stored in every checkpoint
	metrics *checkpoints.CSVAppender
	anal    *checkpoints.CSVAppender // analysis.csv; nil when analysis.every = 0
	start   time.Time
	saved   int // epoch of the last checkpoint written by this process, −1 if none
}

// metricsHeader is the header of metrics.csv: the epoch, the mean training loss since the
// previous row (empty at epoch 0), the test loss, and the wall-clock seconds since this
// process started training.
var metricsHeader = []string{"epoch", "train_loss", "test_loss", "wall_seconds"}

// createRunDir makes a new run directory and writes config.yaml and the CSV headers.
func createRunDir(dir string, cfg config.Config) (*runDir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := checkpoints.WriteFileAtomic(filepath.Join(dir, "config.yaml"), cfg.YAML(), 0o644); err != nil {
		return nil, err
	}
	return openRunDir(dir, cfg)
}

// openRunDir opens the CSV files of a run directory for appending.
func openRunDir(dir string, cfg config.Config) (*runDir, error) {
	m, err := checkpoints.OpenCSV(filepath.Join(dir, "metrics.csv"), metricsHeader)
	if err != nil {
		return nil, err
	}
	rd := &runDir{path: dir, cfg: cfg, yaml: cfg.YAML(), metrics: m, start: time.Now(), saved: -1}
	if cfg.Analysis.Every > 0 {
		header := analysis.Header(cfg.Analysis, cfg.Task.Signals, cfg.Outputs())
		if rd.anal, err = checkpoints.OpenCSV(filepath.Join(dir, "analysis.csv"), header); err != nil {
			m.Close()
			return nil, err
		}
	}
	return rd, nil
}

func (rd *runDir) Close() error {
	if rd.anal != nil {
		rd.anal.Close()
	}
	return rd.metrics.Close()
}

// hooks are the run directory's training hooks, in the order that keeps the files
// consistent: the CSV rows of an epoch are durable before its checkpoint is written.
func (rd *runDir) hooks() []train.Hook {
	hooks := []train.Hook{rd.metricsHook()}
	if rd.anal != nil {
		hooks = append(hooks, analysis.Hook(rd.cfg.Analysis, rd.recordAnalysis))
	}
	return append(hooks, rd.checkpointHook())
}

// recordAnalysis appends the record's analysis.csv row and writes its spectra file.
func (rd *runDir) recordAnalysis(r *analysis.Record) error {
	if err := writeSpectra(rd.path, r); err != nil {
		return err
	}
	return rd.anal.Append(r.Row())
}

// SpectraDir is where the per-analysis arrays go: spectra/epoch-%08d.npz.
const SpectraDir = "spectra"

// writeSpectra writes the record's arrays (analysis.Record.Arrays) as
// RUN_DIR/spectra/epoch-%08d.npz, atomically.
func writeSpectra(runDir string, r *analysis.Record) error {
	dir := filepath.Join(runDir, SpectraDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var arrays []checkpoints.NamedArray
	for _, a := range r.Arrays() {
		arrays = append(arrays, checkpoints.NamedArray{Name: a.Name, Shape: a.Shape, Data: a.Data})
	}
	path := filepath.Join(dir, fmt.Sprintf("epoch-%08d.npz", r.Epoch))
	return checkpoints.WriteAtomic(path, 0o644, func(w io.Writer) error { return checkpoints.WriteNPZ(w, arrays) })
}

// metricsHook appends a metrics.csv row at every tested epoch.
func (rd *runDir) metricsHook() train.Hook {
	return func(_ *train.Trainer, ev train.Event) error {
		if !ev.Tested {
			return nil
		}
		return rd.metrics.Append([]string{
			strconv.Itoa(ev.Epoch), formatFloat(ev.MeanTrainLoss), formatFloat(ev.TestLoss),
			strconv.FormatFloat(time.Since(rd.start).Seconds(), 'f', 3, 64),
		})
	}
}

// checkpointHook saves a checkpoint every train.checkpoint_every epochs and at the end
// (also at the end of a run of 0 epochs, so that it can be exported and resumed).
func (rd *runDir) checkpointHook() train.Hook {
	return func(t *train.Trainer, ev train.Event) error {
		if !ev.Final && (ev.Epoch == 0 || ev.Epoch%rd.cfg.Train.CheckpointEvery != 0) {
			return nil
		}
		return rd.save(t)
	}
}

// save writes the trainer's state as a checkpoint (unless this epoch is already saved).
func (rd *runDir) save(t *train.Trainer) error {
	if t.Epoch() == rd.saved {
		return nil
	}
	if _, err := checkpoints.SaveState(rd.path, rd.yaml, t.Snapshot(), rd.cfg.Train.Keep); err != nil {
		return fmt.Errorf("saving the checkpoint of epoch %d: %w", t.Epoch(), err)
	}
	rd.saved = t.Epoch()
	return nil
}

// finish handles the end of a training run: an interruption is saved and reported; a
// finished run gets its figures (unless plot is false). A failed figure is a warning, not a
// failed run.
func (rd *runDir) finish(t *train.Trainer, err error, plot bool, say func(format string, args ...any)) error {
	if errors.Is(err, train.ErrInterrupted) {
		if serr := rd.save(t); serr != nil {
			return fmt.Errorf("%s: interrupted, and %w", rd.path, serr)
		}
		say("interrupted at epoch %d; checkpoint saved. Continue with:\n  balnet resume %s\n", t.Epoch(), rd.path)
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", rd.path, err)
	}
	say("done: epoch %d in %s\n", t.Epoch(), rd.path)
	if plot {
		if perr := plots.All(rd.path, "", io.Discard); perr != nil {
			say("warning: figures: %v\n", perr)
		} else {
			say("figures: %s\n", filepath.Join(rd.path, "figures"))
		}
	}
	return nil
}

// formatFloat writes the shortest representation that reads back exactly; NaN is written
// as an empty field.
func formatFloat(v float64) string {
	if v != v {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
