package sim

import (
	"fmt"
	"math/rand/v2"

	"github.com/balnet/balnet/tasks"
)

// Input is the source of the common input I(t) of a simulation. Before Euler step n
// (n = 0, 1, …; the step that produces state index n+1) the simulator calls Next(n, dst),
// which writes the input of that step for every realization and channel:
// dst[r·S + s] = I_s of realization r, len(dst) = R·S. Steps are requested in order, once
// each. An error stops the simulation (for example a caller-supplied path that ran out).
type Input interface {
	// Channels returns the number S of input channels.
	Channels() int
	// Next writes the input of Euler step n into dst.
	Next(n int, dst []float64) error
}

// OU is the exact Ornstein–Uhlenbeck input (docs/science.md §1.3), one independent path
// per realization and channel, in the reference (Julia) convention of tasks.OU:
//
//	I = I₀ + δI,  δI_{n+1} = a·δI_n + c·ε_n,  a = e^{−Δt/τ_S},  c = I₁√((1 − e^{−2Δt/τ_S})/(2τ_S)),
//
// sampled exactly (no numerical integration) with a stationary start δI_0 ~ N(0, I₁²/(2τ_S)).
// The path is a deterministic function of the generator: one standard normal per step,
// realization and channel, drawn in the order n, then r, then s. Step 0 uses the stationary
// draw itself, so every sample I_n is stationary.
type OU struct {
	p    tasks.OU
	rng  *rand.Rand
	r    int
	x    []float64 // δI per realization and channel
	a, c float64
	next int
}

// NewOU returns the exact OU source of the parameters p (p.DT must be the simulation's
// Δt; p.Stationary is ignored: the start is always stationary) for the given number of
// realizations, drawing from rng.
func NewOU(p tasks.OU, realizations int, rng *rand.Rand) *OU {
	if p.Channels < 1 || realizations < 1 {
		panic(fmt.Sprintf("sim: NewOU with %d channels and %d realizations", p.Channels, realizations))
	}
	return &OU{p: p, rng: rng, r: realizations, x: make([]float64, p.Channels*realizations),
		a: p.Decay(), c: p.InnovationStd()}
}

// Channels returns the number of OU channels.
func (o *OU) Channels() int { return o.p.Channels }

// Params returns the OU parameters.
func (o *OU) Params() tasks.OU { return o.p }

// Next draws the input of step n (see OU).
func (o *OU) Next(n int, dst []float64) error {
	if n != o.next {
		return fmt.Errorf("sim: OU input asked for step %d, want step %d (steps in order)", n, o.next)
	}
	if len(dst) != len(o.x) {
		panic(fmt.Sprintf("sim: OU.Next: len(dst) = %d, want R·S = %d", len(dst), len(o.x)))
	}
	sd := o.p.Std()
	for k := range o.x {
		eps := o.rng.NormFloat64()
		if n == 0 {
			o.x[k] = sd * eps
		} else {
			o.x[k] = o.a*o.x[k] + o.c*eps
		}
		dst[k] = o.p.I0 + o.x[k]
	}
	o.next++
	return nil
}

// Path is a caller-supplied input, the same for every realization: Path[s][n] is channel
// s at Euler step n. It must hold at least as many samples as the simulation takes steps
// (burn-in included); a shorter path stops the simulation with an error.
type Path [][]float64

// Channels returns len(p).
func (p Path) Channels() int { return len(p) }

// Next copies step n of every channel into every realization's slot of dst.
func (p Path) Next(n int, dst []float64) error {
	s := len(p)
	for c, ch := range p {
		if n >= len(ch) {
			return fmt.Errorf("sim: input path channel %d has %d samples, the simulation needs step %d", c, len(ch), n)
		}
		for r := c; r < len(dst); r += s {
			dst[r] = ch[n]
		}
	}
	return nil
}

// Func is an input computed by a function of the step: F(n, dst) writes I_s(n·Δt) into
// dst[s] for s = 0..S−1, and the simulator copies it to every realization. For example a
// sinusoid, I(t) = I₀ + I₁ sin(2πf·(n+1)Δt).
type Func struct {
	S int
	F func(n int, dst []float64)
}

// Channels returns S.
func (f Func) Channels() int { return f.S }

// Next evaluates F for step n and copies it to every realization.
func (f Func) Next(n int, dst []float64) error {
	f.F(n, dst[:f.S])
	for r := f.S; r < len(dst); r += f.S {
		copy(dst[r:r+f.S], dst[:f.S])
	}
	return nil
}
