package rundir_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/rundir"
)

// TestTruncateRows: a resume at epoch E keeps the rows up to E; when E is the read-only
// final test of a shorter run (E not a multiple of train.test_every, E below the new total)
// its metrics row is dropped too, because the resumed run writes it again as a training
// row; analysis rows are kept up to E either way.
func TestTruncateRows(t *testing.T) {
	metrics := "epoch,train_loss,test_loss,wall_seconds\n0,,1,0\n4,0.5,0.4,1\n6,0.3,0.3,2\n8,0.2,0.2,3\n"
	analysis := "epoch,balance\n0,1\n4,2\n8,3\n"
	for _, c := range []struct {
		name          string
		epoch, epochs int
		metrics, anal string
	}{
		{"checkpoint at a test", 4, 12, "epoch,train_loss,test_loss,wall_seconds\n0,,1,0\n4,0.5,0.4,1\n", "epoch,balance\n0,1\n4,2\n"},
		{"final test of a shorter run", 6, 12, "epoch,train_loss,test_loss,wall_seconds\n0,,1,0\n4,0.5,0.4,1\n", "epoch,balance\n0,1\n4,2\n"},
		{"the run's own last epoch", 6, 6, "epoch,train_loss,test_loss,wall_seconds\n0,,1,0\n4,0.5,0.4,1\n6,0.3,0.3,2\n", "epoch,balance\n0,1\n4,2\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			d := rundir.Dir(dir)
			write(t, d.Path(rundir.MetricsFile), metrics)
			write(t, d.Path(rundir.AnalysisFile), analysis)
			cfg := config.Default()
			cfg.Train.TestEvery, cfg.Train.Epochs = 4, c.epochs
			if err := d.TruncateRows(cfg, c.epoch); err != nil {
				t.Fatal(err)
			}
			for path, want := range map[string]string{d.Path(rundir.MetricsFile): c.metrics, d.Path(rundir.AnalysisFile): c.anal} {
				if got, _ := os.ReadFile(path); string(got) != want {
					t.Errorf("%s: got %q, want %q", filepath.Base(path), got, want)
				}
			}
		})
	}
}

// TestCheckNew: a missing or empty directory can hold a new run; a non-empty one or a file
// cannot, and the errors say which.
func TestCheckNew(t *testing.T) {
	dir := t.TempDir()
	if err := rundir.CheckNew(filepath.Join(dir, "new")); err != nil {
		t.Errorf("missing directory: got %v, want nil", err)
	}
	if err := rundir.CheckNew(dir); err != nil {
		t.Errorf("empty directory: got %v, want nil", err)
	}
	file := filepath.Join(dir, "f")
	write(t, file, "x")
	if err := rundir.CheckNew(dir); !errors.Is(err, rundir.ErrNotEmpty) {
		t.Errorf("non-empty directory: got %v, want ErrNotEmpty", err)
	}
	if err := rundir.CheckNew(file); !errors.Is(err, rundir.ErrIsFile) {
		t.Errorf("file: got %v, want ErrIsFile", err)
	}
	if _, err := rundir.ReadConfig(rundir.Dir(dir)); !errors.Is(err, rundir.ErrNotRun) {
		t.Errorf("ReadConfig of a directory without config.yaml: got %v, want ErrNotRun", err)
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
