package rundir

import (
	"bytes"
	"fmt"
	"io"
	"slices"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/train"
)

// Load reads the checkpoint of epoch (−1: the one the latest pointer names; with
// fallback, the newest usable one, saying on warn which it used and why newer ones were
// refused) and checks that it belongs to the run's configuration cfg (train.epochs
// aside). It returns the checkpoint's path and the training state. Nothing is written.
func (d Dir) Load(cfg config.Config, epoch int, fallback bool, warn io.Writer) (string, *train.State, error) {
	switch {
	case epoch >= 0:
		return d.loadState(d.CheckpointPath(epoch), cfg)
	case fallback:
		return d.loadNewestUsable(cfg, warn)
	}
	c, err := checkpoints.Latest(d.CheckpointDir())
	if err != nil {
		return "", nil, fmt.Errorf("%w (balnet resume --fallback uses the newest valid checkpoint)", err)
	}
	return d.loadState(c.Path, cfg)
}

// loadNewestUsable tries the checkpoint files of the run newest first (by epoch, whatever
// the pointer says) and returns the first that reads, verifies, decodes and belongs to the
// run's configuration. Every file passed over is reported on warn with the reason, and so
// is the fallback. A damaged file and a checkpoint of another configuration are equally
// unusable: both are passed over.
func (d Dir) loadNewestUsable(cfg config.Config, warn io.Writer) (string, *train.State, error) {
	ckdir := d.CheckpointDir()
	epochs, err := d.Checkpoints()
	if err != nil {
		return "", nil, err
	}
	var newest error
	for i, epoch := range slices.Backward(epochs) {
		path, state, err := d.loadState(d.CheckpointPath(epoch), cfg)
		if err == nil {
			if i < len(epochs)-1 {
				fmt.Fprintf(warn, "balnet: falling back to %s (epoch %d)\n", path, epoch)
			}
			return path, state, nil
		}
		fmt.Fprintf(warn, "balnet: refused %s: %v\n", d.CheckpointPath(epoch), err)
		if newest == nil {
			newest = err
		}
	}
	if newest == nil {
		return "", nil, fmt.Errorf("checkpoints: %s: %w", ckdir, checkpoints.ErrNoCheckpoint)
	}
	return "", nil, fmt.Errorf("checkpoints: %s: %w: none of %d checkpoint files is usable (newest: %v)", ckdir, checkpoints.ErrNoCheckpoint, len(epochs), newest)
}

// loadState reads the checkpoint at path and checks that it belongs to the run's
// configuration (train.epochs aside).
func (d Dir) loadState(path string, cfg config.Config) (string, *train.State, error) {
	stored, state, err := checkpoints.LoadState(path)
	if err != nil {
		return "", nil, err
	}
	theirs, err := config.Parse(stored, config.Default())
	if err != nil {
		return "", nil, fmt.Errorf("%s: its configuration does not parse: %w", path, err)
	}
	theirs.Train.Epochs = cfg.Train.Epochs
	if !bytes.Equal(theirs.YAML(), cfg.YAML()) {
		return "", nil, fmt.Errorf("%s: the checkpoint belongs to another configuration than %s", path, d.Path(ConfigFile))
	}
	return path, state, nil
}

// Repair prepares d for resuming at the checkpoint of epoch with configuration cfg: it
// drops the CSV rows the resumed run writes again (TruncateRows) and removes the temporary
// files of interrupted atomic writes from d and d/spectra (the checkpoint directory's are
// removed by checkpoints.Prune). The caller holds d's lock.
func (d Dir) Repair(cfg config.Config, epoch int) error {
	if err := d.TruncateRows(cfg, epoch); err != nil {
		return err
	}
	for _, dir := range []string{string(d), d.Path(SpectraDir)} { // left by a crash
		if _, err := checkpoints.CleanTemps(dir); err != nil {
			return err
		}
	}
	return nil
}

// TruncateRows drops the CSV rows a resumed run writes again: rows after the checkpoint's
// epoch, and a metrics row at that epoch when it was the read-only final test of a shorter
// run (epochs that are not a multiple of train.test_every) that this run continues. When
// the checkpoint is already at the run's last epoch nothing is trained, so such a final
// row is the run's own and is kept. After it each epoch appears once in the CSV files.
func (d Dir) TruncateRows(cfg config.Config, epoch int) error {
	keep := epoch
	if epoch%cfg.Train.TestEvery != 0 && epoch < cfg.Train.Epochs {
		keep = epoch - 1
	}
	if err := checkpoints.TruncateCSV(d.Path(MetricsFile), keep); err != nil {
		return err
	}
	// Analyses happen only at multiples of analysis.every, never at a read-only final test.
	return checkpoints.TruncateCSV(d.Path(AnalysisFile), epoch)
}
