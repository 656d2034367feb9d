package checkpoints

import (
	"context"
	"reflect"
	"testing"

	"github.com/balnet/balnet/tasks"
	"github.com/balnet/balnet/train"
)

// TestStateRoundTrip: a training state survives FromState → encode → decode → ToState
// exactly, for both tasks, and restoring from it continues bit for bit.
func TestStateRoundTrip(t *testing.T) {
	for _, kind := range []tasks.Kind{tasks.KindOU, tasks.KindLinear} {
		cfg := train.DefaultConfig()
		cfg.Network.N, cfg.Sim.Steps, cfg.Sim.BurnIn, cfg.Sim.Relax = 8, 6, 1, 2
		cfg.Task.Kind, cfg.Task.Signals, cfg.Task.Outputs = kind, 2, 2
		cfg.Train.Epochs, cfg.Train.Batch, cfg.Train.TestEvery = 3, 2, 2
		tr, err := train.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		want := tr.Snapshot()
		dir := t.TempDir()
		path, err := SaveState(dir, []byte("seed: 1\n"), want, 2)
		if err != nil {
			t.Fatal(err)
		}
		latest, err := LatestState(dir)
		if err != nil || latest != path {
			t.Fatalf("LatestState: got %q, %v, want %q", latest, err, path)
		}
		cfgYAML, got, err := LoadState(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(cfgYAML) != "seed: 1\n" {
			t.Errorf("config: got %q", cfgYAML)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: state differs after the round trip:\ngot  %+v\nwant %+v", kind, got, want)
		}
	}
}
