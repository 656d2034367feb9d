package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/train"
)

// runDir is an open run directory (DESIGN.md, "Run directory").
type runDir struct {
	path    string
	cfg     config.Config
	yaml    []byte // cfg.YAML(), as stored in every checkpoint
	metrics *checkpoints.CSVAppender
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
	return &runDir{path: dir, cfg: cfg, yaml: cfg.YAML(), metrics: m, start: time.Now(), saved: -1}, nil
}

func (rd *runDir) Close() error { return rd.metrics.Close() }

// hooks are the run directory's training hooks, in the order that keeps the files
// consistent: the CSV rows of an epoch are durable before its checkpoint is written.
func (rd *runDir) hooks() []train.Hook {
	return []train.Hook{rd.metricsHook(), rd.checkpointHook()}
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

// checkpointHook saves a checkpoint every train.checkpoint_every epochs and at the end.
func (rd *runDir) checkpointHook() train.Hook {
	return func(t *train.Trainer, ev train.Event) error {
		if ev.Epoch == 0 || (ev.Epoch%rd.cfg.Train.CheckpointEvery != 0 && !ev.Final) {
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

// finish handles the end of a training run: an interruption is saved and reported.
func (rd *runDir) finish(t *train.Trainer, err error, say func(format string, args ...any)) error {
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
