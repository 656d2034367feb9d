package rundir

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/train"
)

// EventsFile has one row per divergence of the run (columns: EventsHeader); it exists
// only once a run has diverged.
const EventsFile = "events.csv"

// EventsHeader is the header of events.csv: the epoch at which the divergence was
// detected, what diverged (train.DivergedError.What), the action (stop or rollback), the
// epoch the run continued from (the divergence epoch for stop) and the learning rate
// after the event.
var EventsHeader = []string{"epoch", "what", "action", "to_epoch", "lr"}

// DivergenceHook returns the training's divergence hook (train.Trainer.OnDivergence): it
// appends the event's row to events.csv (durably, as every CSV row) and, for a rollback to
// epoch E, makes the directory look as it did at E: the rows of metrics.csv and
// analysis.csv after E are dropped (TruncateRows; the continued run writes them again) and
// so are the spectra files after E.
func (r *Run) DivergenceHook() train.DivergeHook {
	return func(_ *train.Trainer, d train.Divergence) error {
		ev, err := checkpoints.OpenCSV(r.Dir.Path(EventsFile), EventsHeader)
		if err != nil {
			return err
		}
		err = ev.Append([]string{strconv.Itoa(d.Epoch), d.What, string(d.Action), strconv.Itoa(d.To), analysis.FormatFloat(d.LR)})
		if cerr := ev.Close(); err == nil {
			err = cerr
		}
		if err != nil || d.Action != train.DivergeRollback {
			return err
		}
		return r.rewind(d.To)
	}
}

// rewind drops what the run wrote after epoch (a rollback): CSV rows and spectra files.
// The appenders are reopened on the truncated files.
func (r *Run) rewind(epoch int) error {
	if r.anal != nil {
		r.anal.Close()
		r.anal = nil
	}
	r.metrics.Close()
	if err := r.Dir.TruncateRows(r.cfg, epoch); err != nil {
		return err
	}
	spectra, err := r.Dir.Spectra()
	if err != nil {
		return err
	}
	for _, s := range spectra {
		if s.Epoch > epoch {
			if err := os.Remove(s.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	fresh, err := Open(r.Dir, r.cfg)
	if err != nil {
		return err
	}
	r.metrics, r.anal = fresh.metrics, fresh.anal
	r.saved = min(r.saved, epoch)
	return nil
}

// TruncateEvents prepares events.csv for a resume from a checkpoint whose state has
// counted rollbacks rollbacks: the rows are in the order of the run's history, and the
// first rollbacks of them are the rollbacks before the checkpoint; the rows after them
// (a later rollback, or the stop that ended the run) are dropped, since the resumed run
// meets those divergences again. The file is rewritten atomically, and only if something is
// dropped; a missing file is left so.
func (d Dir) TruncateEvents(rollbacks int) error {
	path := d.Path(EventsFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	whole := data[:bytes.LastIndexByte(data, '\n')+1] // complete lines only (a crash may tear the last)
	rd := csv.NewReader(bytes.NewReader(whole))
	keep := 0
	for row := 0; row <= rollbacks; row++ { // the header and rollbacks rows
		if _, err := rd.Read(); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		keep = int(rd.InputOffset())
	}
	if keep == len(data) {
		return nil
	}
	return checkpoints.WriteFileAtomic(path, data[:keep], 0o644)
}

// LoadRollbackTargets gives the trainer t, restored from a checkpoint of d, the rollback
// targets it needs (train.Trainer.RollbackTargets): the checkpoints of those epochs, and
// the epoch-0 state recomputed from the seed (train.EpochZero). A target whose checkpoint
// is gone (pruned by train.keep) or unusable is reported on warn and dropped, with the
// older ones: the run then continues, but a divergence may roll back differently from the
// run that never stopped. Nothing is written.
func (d Dir) LoadRollbackTargets(cfg config.Config, t *train.Trainer, warn io.Writer) error {
	for _, epoch := range t.RollbackTargets() {
		var s *train.State
		var err error
		if epoch == 0 {
			if s, err = train.EpochZero(cfg.Config); err != nil {
				return fmt.Errorf("recomputing the rollback target of epoch 0: %w", err)
			}
		} else if _, s, err = d.Load(cfg, epoch, false, warn); err != nil {
			fmt.Fprintf(warn, "balnet: warning: rollback target of epoch %d: %v; a divergence may roll back differently than in the run that never stopped\n", epoch, err)
			s = nil
		}
		if err := t.SetRollbackTarget(epoch, s); err != nil {
			return err
		}
		if s == nil {
			return nil
		}
	}
	return nil
}
