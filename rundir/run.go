package rundir

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/train"
)

// Run is a run directory open for writing by a training (train, resume): its CSV files
// open for appending, and the training hooks that fill it.
type Run struct {
	Dir     Dir
	cfg     config.Config
	yaml    []byte // cfg.YAML(), as stored in every checkpoint
	lock    *DirLock
	metrics *checkpoints.CSVAppender
	anal    *checkpoints.CSVAppender // analysis.csv; nil when analysis.every = 0
	start   time.Time
	saved   int // epoch of the last checkpoint written by this process, −1 if none
}

// Create makes the new run directory dir (CheckNew should have accepted it), takes its
// lock, writes config.yaml atomically and opens metrics.csv and analysis.csv with their
// headers. Close releases the lock.
func Create(dir string, cfg config.Config) (*Run, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	lock, err := Lock(dir)
	if err != nil {
		return nil, err
	}
	d := Dir(dir)
	if err := checkpoints.WriteFileAtomic(d.Path(ConfigFile), cfg.YAML(), 0o644); err != nil {
		lock.Unlock()
		return nil, err
	}
	r, err := Open(d, cfg)
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	r.lock = lock
	return r, nil
}

// Open opens the CSV files of the existing run directory d for appending. The caller holds
// d's lock (Lock) and has repaired the files for a resume (Repair).
func Open(d Dir, cfg config.Config) (*Run, error) {
	m, err := checkpoints.OpenCSV(d.Path(MetricsFile), MetricsHeader)
	if err != nil {
		return nil, err
	}
	r := &Run{Dir: d, cfg: cfg, yaml: cfg.YAML(), metrics: m, start: time.Now(), saved: -1}
	if cfg.Analysis.Every > 0 {
		header := analysis.Header(cfg.Analysis, cfg.Task.Signals, cfg.Outputs())
		if r.anal, err = checkpoints.OpenCSV(d.Path(AnalysisFile), header); err != nil {
			m.Close()
			return nil, err
		}
	}
	return r, nil
}

// Close closes the CSV files (their rows are durable already) and releases the lock taken
// by Create.
func (r *Run) Close() error {
	if r.anal != nil {
		r.anal.Close()
	}
	err := r.metrics.Close()
	r.lock.Unlock()
	return err
}

// Saved records that the checkpoint of epoch is on disk already (a resume starts from it),
// so that the checkpoint hook does not write it again.
func (r *Run) Saved(epoch int) { r.saved = epoch }

// Hooks are the run directory's training hooks, in the order that keeps the files
// consistent: the CSV rows of an epoch are durable before its checkpoint is written.
func (r *Run) Hooks() []train.Hook {
	hooks := []train.Hook{r.metricsHook()}
	if r.anal != nil {
		hooks = append(hooks, AnalysisHook(r.cfg.Analysis, analysis.Options{}, r.recordAnalysis))
	}
	return append(hooks, r.checkpointHook())
}

// recordAnalysis appends the record's analysis.csv row and writes its spectra file.
func (r *Run) recordAnalysis(rec *analysis.Record) error {
	if err := r.Dir.WriteSpectra(rec); err != nil {
		return err
	}
	return r.anal.Append(rec.Row())
}

// WriteSpectra writes the record's arrays (analysis.Record.Arrays) as
// d/spectra/epoch-%08d.npz, atomically.
func (d Dir) WriteSpectra(rec *analysis.Record) error {
	if err := os.MkdirAll(d.Path(SpectraDir), 0o755); err != nil {
		return err
	}
	var arrays []checkpoints.NamedArray
	for _, a := range rec.Arrays() {
		arrays = append(arrays, checkpoints.NamedArray{Name: a.Name, Shape: a.Shape, Data: a.Data})
	}
	return checkpoints.WriteAtomic(d.SpectraPath(rec.Epoch), 0o644, func(w io.Writer) error { return checkpoints.WriteNPZ(w, arrays) })
}

// metricsHook appends a metrics.csv row at every tested epoch.
func (r *Run) metricsHook() train.Hook {
	return func(_ *train.Trainer, ev train.Event) error {
		if !ev.Tested {
			return nil
		}
		return r.metrics.Append([]string{
			strconv.Itoa(ev.Epoch), analysis.FormatFloat(ev.MeanTrainLoss), analysis.FormatFloat(ev.TestLoss),
			strconv.FormatFloat(time.Since(r.start).Seconds(), 'f', 3, 64),
		})
	}
}

// checkpointHook saves a checkpoint every train.checkpoint_every epochs and at the end
// (also at the end of a run of 0 epochs, so that it can be exported and resumed).
func (r *Run) checkpointHook() train.Hook {
	return func(t *train.Trainer, ev train.Event) error {
		if !ev.Final && (ev.Epoch == 0 || ev.Epoch%r.cfg.Train.CheckpointEvery != 0) {
			return nil
		}
		return r.Save(t)
	}
}

// Save writes the trainer's state as a checkpoint (unless this epoch is already saved) and
// prunes all but the train.keep newest.
func (r *Run) Save(t *train.Trainer) error {
	if t.Epoch() == r.saved {
		return nil
	}
	if _, err := checkpoints.SaveState(string(r.Dir), r.yaml, t.Snapshot(), r.cfg.Train.Keep); err != nil {
		return fmt.Errorf("saving the checkpoint of epoch %d: %w", t.Epoch(), err)
	}
	r.saved = t.Epoch()
	return nil
}

// Complete ends a resumed run whose checkpoint, at path, is already at the last epoch (so
// that Run trains nothing) as an uninterrupted run ends: with the final test row of
// metrics.csv (read-only when the epoch is not a multiple of train.test_every) and a final
// checkpoint holding the run's configuration. A finished run has both and is left alone;
// a run interrupted at epoch E and resumed with --epochs E gets them.
func (r *Run) Complete(t *train.Trainer, path string) error {
	e := t.Epoch()
	if e%r.cfg.Train.TestEvery != 0 {
		last, err := checkpoints.LastEpoch(r.Dir.Path(MetricsFile))
		if err != nil {
			return err
		}
		if last < e {
			ev, err := t.FinalTest()
			if err != nil {
				return fmt.Errorf("%s: %w", r.Dir, err)
			}
			if err := r.metricsHook()(t, ev); err != nil {
				return err
			}
		}
	}
	f, err := checkpoints.ReadFile(path)
	if err != nil {
		return err
	}
	if stored, err := f.Bytes("config"); err != nil || !bytes.Equal(stored, r.yaml) {
		r.saved = -1 // saved with another train.epochs: save it again with this one
		return r.Save(t)
	}
	return nil
}
