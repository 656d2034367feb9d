package checkpoints_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/tasks"
	"github.com/balnet/balnet/train"
)

// fuzzConfig is the small training configuration of the state checkpoints that seed
// FuzzLoadState; decoded states are restored against it.
func fuzzConfig(kind tasks.Kind) train.Config {
	cfg := train.DefaultConfig()
	cfg.Network.N, cfg.Sim.Steps, cfg.Sim.BurnIn, cfg.Sim.Relax = 6, 5, 1, 2
	cfg.Task.Kind, cfg.Task.Signals = kind, 2
	cfg.Train.Epochs, cfg.Train.Batch, cfg.Train.TestEvery = 3, 2, 2
	return cfg
}

// stateCheckpoint returns the encoded checkpoint of a short training run.
func stateCheckpoint(t testing.TB, kind tasks.Kind) []byte {
	t.Helper()
	tr, err := train.New(fuzzConfig(kind))
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := checkpoints.Encode(&buf, checkpoints.FromState([]byte("seed: 1\n"), tr.Snapshot())); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzLoadState: LoadState (ReadFile, then the mapping of sections onto a training state)
// never panics on any file, every error names the file, and a state it accepts is
// either restored by train.Restore or refused with an error, never a panic. Seeds: the
// container goldens under testdata/ and real training checkpoints of both tasks, whole and
// with each section removed; every input is also tried resealed (valid header and
// checksum), so that mutations reach ToState.
func FuzzLoadState(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.ckpt"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds under testdata/ (%v)", err)
	}
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, kind := range []tasks.Kind{tasks.KindOU, tasks.KindLinear} {
		data := stateCheckpoint(f, kind)
		f.Add(data)
		file, err := checkpoints.Decode(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range file.Names() {
			g := &checkpoints.File{Sections: append([]checkpoints.Section(nil), file.Sections...)}
			g.Remove(name)
			var buf bytes.Buffer
			if err := checkpoints.Encode(&buf, g); err != nil {
				f.Fatal(err)
			}
			f.Add(buf.Bytes())
		}
	}
	cfgs := []train.Config{fuzzConfig("ou"), fuzzConfig("linear")}
	path := filepath.Join(f.TempDir(), "state.ckpt")
	check := func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, s, err := checkpoints.LoadState(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Errorf("LoadState: got error %q, want it to name %s", err, path)
			}
			return
		}
		if s.Epoch < 0 || s.Adam.Step < 0 || s.LossCount < 0 {
			t.Errorf("LoadState accepted negative counts: epoch %d, Adam step %d, loss count %d", s.Epoch, s.Adam.Step, s.LossCount)
		}
		for _, cfg := range cfgs {
			train.Restore(cfg, s) // an error is fine; a panic is not
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data)
		if sealed := reseal(data); sealed != nil {
			check(t, sealed)
		}
	})
}

// TestLoadStateRefusesNegativeCounts: a checkpoint whose checksum is valid but whose epoch,
// Adam step or loss count is negative (a crafted or buggy file: no run writes one) is
// refused with ErrCorrupt naming the section and the file, rather than resumed (which
// would drop every CSV row and then fail to name a checkpoint of a negative epoch).
func TestLoadStateRefusesNegativeCounts(t *testing.T) {
	good := stateCheckpoint(t, "linear")
	for _, name := range []string{"epoch", "adam_step", "loss_count"} {
		t.Run(name, func(t *testing.T) {
			file, err := checkpoints.Decode(bytes.NewReader(good), int64(len(good)))
			if err != nil {
				t.Fatal(err)
			}
			file.PutInt(name, -3)
			path := filepath.Join(t.TempDir(), "bad.ckpt")
			if err := checkpoints.WriteFile(path, file); err != nil {
				t.Fatal(err)
			}
			_, _, err = checkpoints.LoadState(path)
			if !errors.Is(err, checkpoints.ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), name) {
				t.Errorf("got error %v, want ErrCorrupt naming %s and section %s", err, path, name)
			}
		})
	}
	// The untouched checkpoint loads, so the refusals above are the negative values'.
	path := filepath.Join(t.TempDir(), "good.ckpt")
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, s, err := checkpoints.LoadState(path); err != nil {
		t.Errorf("good checkpoint: got error %v, want none", err)
	} else if s.Epoch != 3 {
		t.Errorf("good checkpoint: got epoch %d, want 3", s.Epoch)
	}
}
