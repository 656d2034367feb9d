package tasks

import "math/rand/v2"

// Target says what the targets of a task are built from: the type of task.target.
//
// docs/science.md §1.5 item 1 and §2.2 leave it open: the reference code tracks the full
// signal I = I₀ + δI, offset included, while the paper writes the target as I(t) and, for the
// linear transformation ([F] Fig. 12), y = A·I without saying whether the offset is part
// of it. Full is the reference code's reading and the default; Fluctuation builds the
// targets from δI = I − I₀ alone.
type Target string

// The targets.
const (
	TargetFull        Target = "full"        // y from I = I₀ + δI (the reference code); "" means full
	TargetFluctuation Target = "fluctuation" // y from δI = I − I₀
)

// Targets lists the accepted targets.
var Targets = []Target{TargetFull, TargetFluctuation}

// Fluctuation is the tracking task on the fluctuations of the signals: the inputs are the
// signals of OU, I_s(t) = I₀ + δI_s(t), and the target of readout s is
//
//	y_s(t) = I_s(t) − I₀ = δI_s(t).
type Fluctuation struct{ OU }

var _ Task = Fluctuation{}

// Sample fills dst as OU.Sample does and subtracts I₀ from every target.
func (f Fluctuation) Sample(dst *Batch, rng *rand.Rand) {
	f.OU.Sample(dst, rng)
	for i := range dst.Target {
		dst.Target[i] -= f.I0
	}
}
