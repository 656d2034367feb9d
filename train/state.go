package train

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/model/engine"
	"github.com/balnet/balnet/tasks"
)

// State is everything needed to continue a run bit for bit: with the run's Config,
// Restore(cfg, t.Snapshot()) behaves exactly like t.
type State struct {
	Epoch     int
	Evaluated bool          // epoch 0 was evaluated (its hooks ran)
	Params    *model.Params // current parameters (float32 values are held exactly)
	Init      *model.Params // parameters at epoch 0
	Adam      AdamState
	H0        *mat.Dense        // relaxed initial state, N×B
	Streams   map[string][]byte // PCG state of every stream, by Stream.String()
	LossSum   float64           // sum of the training losses since the last test
	LossCount int
	A         *mat.Dense // the linear task's matrix (nil for other tasks)
	// LR is the current learning rate (train.lr times train.backoff per rollback); 0, as in
	// a checkpoint written before rollbacks existed, means train.lr.
	LR float64
	// Rollbacks counts the rollbacks of the run so far (train.on_diverge rollback).
	Rollbacks int
	// Targets are the epochs of the trainer's rollback targets, newest first (see
	// Trainer.RollbackTargets); empty unless on_diverge is rollback.
	Targets []int
}

// Snapshot returns a deep copy of the trainer's state.
func (t *Trainer) Snapshot() *State {
	s := &State{
		Epoch: t.epoch, Evaluated: t.evaluated, Params: t.Params(), Init: t.init.Clone(),
		Adam: t.opt.state(), H0: mat.DenseCopyOf(t.h0), Streams: map[string][]byte{},
		LossSum: t.lossSum, LossCount: t.lossCount, LR: t.LR(), Rollbacks: t.g.rollbacks,
		Targets: slices.Clone(t.g.epochs),
	}
	for k := StreamInit; k <= StreamRelax; k++ {
		b, err := t.src[k].MarshalBinary()
		if err != nil {
			panic(err) // PCG.MarshalBinary never fails
		}
		s.Streams[k.String()] = b
	}
	if lin, ok := t.task.(*tasks.Linear); ok {
		s.A = mat.DenseCopyOf(lin.A)
	}
	return s
}

// Restore rebuilds a trainer for cfg and puts it in state s.
func Restore(cfg Config, s *State) (*Trainer, error) {
	t, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := t.load(s); err != nil {
		return nil, err
	}
	lr := s.LR
	if lr == 0 {
		lr = cfg.Train.LR
	}
	t.opt.setLR(lr)
	t.g.rollbacks = s.Rollbacks
	t.restoreTargets(s)
	return t, nil
}

// load puts the trainer in state s, except for the learning rate and the rollback count
// (Restore and a rollback set them).
func (t *Trainer) load(s *State) error {
	if err := t.check(s); err != nil {
		return fmt.Errorf("restoring epoch %d: %w", s.Epoch, err)
	}
	d := t.graph.ParamData()
	for k, m := range []*mat.Dense{s.Params.J, s.Params.Win, s.Params.Wout} {
		copyNarrow(d, k, m.RawMatrix().Data)
	}
	t.init = s.Init.Clone()
	t.opt.restore(s.Adam)
	t.h0.Copy(s.H0)
	for k := StreamInit; k <= StreamRelax; k++ {
		if err := t.src[k].UnmarshalBinary(s.Streams[k.String()]); err != nil {
			return fmt.Errorf("restoring random stream %s: %w", k, err)
		}
	}
	if lin, ok := t.task.(*tasks.Linear); ok {
		lin.A.Copy(s.A)
	}
	t.epoch, t.evaluated, t.lossSum, t.lossCount = s.Epoch, s.Evaluated, s.LossSum, s.LossCount
	t.g.started = nil
	return nil
}

// check verifies that s has the shapes of t's configuration.
func (t *Trainer) check(s *State) error {
	want, got := t.init, s.Params
	if got == nil || s.Init == nil || s.H0 == nil {
		return fmt.Errorf("state is missing parameters or the initial state")
	}
	for _, pair := range [][2]*model.Params{{want, got}, {want, s.Init}} {
		wn, ws, wr := pair[0].Dims()
		gn, gs, gr := pair[1].Dims()
		if wn != gn || ws != gs || wr != gr {
			return fmt.Errorf("parameter shapes N=%d S=%d R=%d do not match the configuration's N=%d S=%d R=%d", gn, gs, gr, wn, ws, wr)
		}
	}
	if r, c := s.H0.Dims(); r != t.spec.N || c != t.spec.Trials {
		return fmt.Errorf("initial state is %d×%d, want %d×%d", r, c, t.spec.N, t.spec.Trials)
	}
	for _, p := range []struct {
		name string
		m    *model.Params
	}{{"initial", s.Init}, {"current", s.Params}} {
		if err := t.cons.Check(p.m.J); err != nil { // the mask is redrawn from the seed
			return fmt.Errorf("%s J does not satisfy the configuration's constraints: %w", p.name, err)
		}
	}
	if len(s.Adam.M) != 3 || len(s.Adam.V) != 3 {
		return fmt.Errorf("Adam state has %d/%d moments, want 3", len(s.Adam.M), len(s.Adam.V))
	}
	for k, n := range []int{t.spec.N * t.spec.N, t.spec.N * t.spec.S, t.spec.R * t.spec.N} {
		if len(s.Adam.M[k]) != n || len(s.Adam.V[k]) != n {
			return fmt.Errorf("Adam moment %d has length %d/%d, want %d", k, len(s.Adam.M[k]), len(s.Adam.V[k]), n)
		}
	}
	if _, ok := t.task.(*tasks.Linear); ok {
		if s.A == nil {
			return fmt.Errorf("state of a linear task has no matrix A")
		}
		if r, c := s.A.Dims(); r != t.spec.R || c != t.spec.S {
			return fmt.Errorf("task matrix A is %d×%d, want %d×%d", r, c, t.spec.R, t.spec.S)
		}
	}
	return nil
}

// copyNarrow copies src into parameter k of d, in d's dtype.
func copyNarrow(d engine.Arrays, k int, src []float64) {
	if d.IsFloat32() {
		narrow(d.F32[k], src)
	} else {
		copy(d.F64[k], src)
	}
}
