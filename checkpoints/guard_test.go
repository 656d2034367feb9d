package checkpoints

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/balnet/balnet/train"
)

// guardState returns the state of a small run with on_diverge rollback after 4 epochs
// (checkpoints every 2: rollback targets 4 and 2), with a learning rate and rollback count
// set as a run with rollbacks has them.
func guardState(t *testing.T) (train.Config, *train.State) {
	t.Helper()
	cfg := train.DefaultConfig()
	cfg.Network.N, cfg.Sim.Steps, cfg.Sim.BurnIn, cfg.Sim.Relax = 8, 6, 1, 2
	cfg.Train.Epochs, cfg.Train.Batch, cfg.Train.TestEvery, cfg.Train.CheckpointEvery = 4, 2, 2, 2
	cfg.Train.OnDiverge = train.DivergeRollback
	tr, err := train.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := tr.Snapshot()
	s.LR, s.Rollbacks = 2.5e-4, 2
	return cfg, s
}

// TestGuardStateRoundTrip: the learning rate, the rollback count and the rollback targets
// survive a checkpoint exactly.
func TestGuardStateRoundTrip(t *testing.T) {
	_, want := guardState(t)
	if !reflect.DeepEqual(want.Targets, []int{4, 2}) {
		t.Fatalf("targets: got %v, want [4 2]", want.Targets)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, FromState([]byte("seed: 1\n"), want)); err != nil {
		t.Fatal(err)
	}
	f, err := Decode(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := ToState(f)
	if err != nil {
		t.Fatal(err)
	}
	if got.LR != want.LR || got.Rollbacks != want.Rollbacks || !reflect.DeepEqual(got.Targets, want.Targets) {
		t.Errorf("got lr %v, rollbacks %d, targets %v; want %v, %d, %v", got.LR, got.Rollbacks, got.Targets, want.LR, want.Rollbacks, want.Targets)
	}
}

// TestStateSchema1Loads: a checkpoint of schema 1 (written before lr, rollbacks and
// rollback_targets existed) still loads, as a run at train.lr without rollbacks, and
// restores to a trainer with train.lr.
func TestStateSchema1Loads(t *testing.T) {
	cfg, s := guardState(t)
	f := FromState([]byte("seed: 1\n"), s)
	for _, name := range []string{"lr", "rollbacks", "rollback_targets"} {
		if !f.Remove(name) {
			t.Fatalf("section %s missing", name)
		}
	}
	f.PutString("schema", "balnet.train.State/1")
	_, got, err := ToState(f)
	if err != nil {
		t.Fatal(err)
	}
	if got.LR != 0 || got.Rollbacks != 0 || got.Targets != nil {
		t.Errorf("schema 1: got lr %v, rollbacks %d, targets %v; want 0, 0, none", got.LR, got.Rollbacks, got.Targets)
	}
	tr, err := train.Restore(cfg, got)
	if err != nil {
		t.Fatal(err)
	}
	if tr.LR() != cfg.Train.LR || tr.Rollbacks() != 0 {
		t.Errorf("restored: got lr %v, %d rollbacks; want train.lr = %v, 0", tr.LR(), tr.Rollbacks(), cfg.Train.LR)
	}
	f.PutString("schema", "balnet.train.State/3")
	if _, _, err := ToState(f); err == nil {
		t.Error("schema 3: got no error, want ErrVersion")
	}
}
