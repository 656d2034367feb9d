package tasks

import (
	"fmt"
	"math/rand/v2"
)

// Task generates batches of inputs and targets.
type Task interface {
	// Signals returns the number S of input channels.
	Signals() int
	// Outputs returns the number R of targets.
	Outputs() int
	// Sample overwrites dst.Input and dst.Target completely with a fresh batch drawn from
	// rng. It panics if dst does not have Signals() signals and Outputs() outputs.
	Sample(dst *Batch, rng *rand.Rand)
}

var (
	_ Task = OU{}
	_ Task = (*Linear)(nil)
	_ Task = Fluctuation{}
)

// New returns the task described by s with sampling step dt: an OU for Kind "ou" (a
// Fluctuation with Target "fluctuation"), a *Linear for Kind "linear". Outputs 0 means Signals. rng is used only for kind "linear",
// to draw A (see NewLinear). New returns an error for an unknown kind and for shapes or
// time constants the generators cannot use.
func New(s Settings, dt float64, rng *rand.Rand) (Task, error) {
	if s.Kind != KindOU && s.Kind != KindLinear {
		return nil, fmt.Errorf("tasks: unknown kind %q, want \"ou\" or \"linear\"", s.Kind)
	}
	if s.Signals < 1 {
		return nil, fmt.Errorf("tasks: signals = %d, want at least 1", s.Signals)
	}
	outputs := s.Outputs
	if outputs == 0 {
		outputs = s.Signals
	}
	if outputs < 0 {
		return nil, fmt.Errorf("tasks: outputs = %d, want at least 0", s.Outputs)
	}
	if !(s.TauS >= 0) { // also catches NaN
		return nil, fmt.Errorf("tasks: tau_s = %g, want at least 0", s.TauS)
	}
	if s.Target != "" && s.Target != TargetFull && s.Target != TargetFluctuation {
		return nil, fmt.Errorf("tasks: unknown target %q, want \"full\" or \"fluctuation\"", s.Target)
	}
	if !(dt > 0) {
		return nil, fmt.Errorf("tasks: dt = %g, want a positive step", dt)
	}
	ou := OU{Channels: s.Signals, DT: dt, TauS: s.TauS, I0: s.I0, I1: s.I1, Stationary: s.Stationary}
	if s.Kind == KindLinear {
		lin := NewLinear(ou, outputs, rng)
		lin.Target = s.Target
		return lin, nil
	}
	if outputs != s.Signals {
		return nil, fmt.Errorf("tasks: kind ou with outputs = %d and signals = %d, want outputs equal to signals (or 0)",
			s.Outputs, s.Signals)
	}
	if s.Target == TargetFluctuation {
		return Fluctuation{ou}, nil
	}
	return ou, nil
}
