package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/train"
)

// runDir is an open run directory.
type runDir struct {
	path    string
	metrics *os.File
	start   time.Time
}

// metricsHeader is the header of metrics.csv: the epoch, the mean training loss since the
// previous row (empty at epoch 0), the test loss, and the wall-clock seconds since this
// process started training.
const metricsHeader = "epoch,train_loss,test_loss,wall_seconds\n"

func createRunDir(dir string, cfg config.Config) (*runDir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), cfg.YAML(), 0o644); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "metrics.csv"), os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(metricsHeader); err != nil {
		f.Close()
		return nil, err
	}
	return &runDir{path: dir, metrics: f, start: time.Now()}, nil
}

func (rd *runDir) Close() error { return rd.metrics.Close() }

// metricsHook appends a metrics.csv row at every tested epoch and syncs it to disk.
func (rd *runDir) metricsHook() train.Hook {
	return func(_ *train.Trainer, ev train.Event) error {
		if !ev.Tested {
			return nil
		}
		row := strings.Join([]string{
			strconv.Itoa(ev.Epoch), formatFloat(ev.MeanTrainLoss), formatFloat(ev.TestLoss),
			strconv.FormatFloat(time.Since(rd.start).Seconds(), 'f', 3, 64),
		}, ",") + "\n"
		if _, err := rd.metrics.WriteString(row); err != nil {
			return fmt.Errorf("writing metrics.csv: %w", err)
		}
		return rd.metrics.Sync()
	}
}

// formatFloat writes the shortest representation that reads back exactly; NaN is written
// as an empty field.
func formatFloat(v float64) string {
	if v != v {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
