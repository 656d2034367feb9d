package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/balnet/balnet/train"
)

// progressHook shows a progress bar with epoch, loss and ETA when w is a terminal and quiet
// is off; otherwise it prints one line per test interval.
func progressHook(w io.Writer, quiet bool, from, total int) train.Hook {
	start, startEpoch := time.Now(), from
	if f, ok := w.(*os.File); ok && !quiet && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("training"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		_ = bar.Set(from)
		return func(_ *train.Trainer, ev train.Event) error {
			if ev.Tested {
				bar.Describe(fmt.Sprintf("test loss %.4g", ev.TestLoss))
			}
			return bar.Set(ev.Epoch)
		}
	}
	return func(_ *train.Trainer, ev train.Event) error {
		if !ev.Tested {
			return nil
		}
		line := fmt.Sprintf("epoch %d/%d  test_loss %.5g", ev.Epoch, total, ev.TestLoss)
		if ev.MeanTrainLoss == ev.MeanTrainLoss { // not NaN: there were training epochs
			line += fmt.Sprintf("  train_loss %.5g", ev.MeanTrainLoss)
		}
		if done := ev.Epoch - startEpoch; done > 0 {
			per := time.Since(start) / time.Duration(done)
			eta := per * time.Duration(total-ev.Epoch)
			line += fmt.Sprintf("  %.3g ms/epoch  ETA %s", per.Seconds()*1e3, eta.Round(time.Second))
		}
		_, err := fmt.Fprintln(w, line)
		return err
	}
}
