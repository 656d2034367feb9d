package tasks

import "fmt"

// Batch holds the inputs and targets of Trials independent trials of Steps Euler steps.
//
// The layout is step-major so that each step's data is one contiguous row-major block:
//
//	Input[(t*Signals+s)*Trials+b]  input of channel s, trial b, used by Euler step t
//	Target[(t*Outputs+r)*Trials+b] target of readout r, trial b, for the state of step t
//
// Step t = 0, …, Steps−1 is the step that produces state index t+1; it uses input t and is
// compared with target t, as in the reference code (docs/science.md §1.1).
type Batch struct {
	Steps, Signals, Outputs, Trials int

	Input  []float64 // Steps×Signals×Trials
	Target []float64 // Steps×Outputs×Trials
}

// NewBatch returns a zeroed batch of the given shape. It panics if a size is negative.
func NewBatch(steps, signals, outputs, trials int) *Batch {
	if steps < 0 || signals < 0 || outputs < 0 || trials < 0 {
		panic(fmt.Sprintf("tasks: negative batch shape steps=%d signals=%d outputs=%d trials=%d",
			steps, signals, outputs, trials))
	}
	return &Batch{
		Steps:   steps,
		Signals: signals,
		Outputs: outputs,
		Trials:  trials,
		Input:   make([]float64, steps*signals*trials),
		Target:  make([]float64, steps*outputs*trials),
	}
}

// InputAt returns the Signals×Trials row-major input block of step t. The slice aliases
// b.Input.
func (b *Batch) InputAt(t int) []float64 {
	n := b.Signals * b.Trials
	return b.Input[t*n : (t+1)*n : (t+1)*n]
}

// TargetAt returns the Outputs×Trials row-major target block of step t. The slice aliases
// b.Target.
func (b *Batch) TargetAt(t int) []float64 {
	n := b.Outputs * b.Trials
	return b.Target[t*n : (t+1)*n : (t+1)*n]
}

// checkShape panics unless b has the given numbers of signals and outputs and buffers of
// the length its shape implies.
func (b *Batch) checkShape(signals, outputs int) {
	if b.Signals != signals || b.Outputs != outputs {
		panic(fmt.Sprintf("tasks: batch has %d signals and %d outputs, task needs %d and %d",
			b.Signals, b.Outputs, signals, outputs))
	}
	if b.Steps < 0 || b.Trials < 0 ||
		len(b.Input) != b.Steps*b.Signals*b.Trials || len(b.Target) != b.Steps*b.Outputs*b.Trials {
		panic(fmt.Sprintf("tasks: batch buffers (input %d, target %d) do not match shape %d×%d×%d / %d×%d×%d",
			len(b.Input), len(b.Target), b.Steps, b.Signals, b.Trials, b.Steps, b.Outputs, b.Trials))
	}
}
