package main

import (
	"fmt"
	"io"

	"github.com/balnet/balnet/train"
)

// divergenceReport prints every divergence of a training on w (stderr): what diverged,
// and the rollback or the stop.
func divergenceReport(w io.Writer, maxRollbacks int) train.DivergeHook {
	return func(_ *train.Trainer, d train.Divergence) error {
		if d.Action == train.DivergeRollback {
			_, err := fmt.Fprintf(w, "balnet: epoch %d: training diverged: %s; rolled back to epoch %d with lr %.4g (rollback %d of at most %d)\n",
				d.Epoch, d.What, d.To, d.LR, d.Rollbacks, maxRollbacks)
			return err
		}
		return nil // the error that stops the run is printed by run
	}
}
