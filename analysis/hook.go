package analysis

import (
	"fmt"

	"github.com/balnet/balnet/train"
)

// Due reports whether the analysis is recorded at epoch: at epoch 0 (before any update) and
// every s.Every epochs; never when s.Every ≤ 0.
func Due(s Settings, epoch int) bool {
	return s.Every > 0 && epoch%s.Every == 0
}

// Hook returns a training hook that, at every epoch where Due holds, computes the Record
// of the trainer (Analyze, reference Options) and hands it to emit. An analysis or emit
// error stops training. The hook does not change the trainer's state: parameters, Adam
// moments, relaxed initial state and random streams are only read.
func Hook(s Settings, emit func(*Record) error) train.Hook {
	return HookWith(s, Options{}, emit)
}

// HookWith is Hook with the given Options.
func HookWith(s Settings, o Options, emit func(*Record) error) train.Hook {
	return func(t *train.Trainer, ev train.Event) error {
		if !Due(s, ev.Epoch) {
			return nil
		}
		r, err := AnalyzeWith(t, s, o)
		if err != nil {
			return err
		}
		if err := emit(r); err != nil {
			return fmt.Errorf("analysis at epoch %d: %w", ev.Epoch, err)
		}
		return nil
	}
}
