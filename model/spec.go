package model

import (
	"fmt"
	"math"
)

// Spec is everything fixed about one unrolled batch of trials: the sizes, the dynamics'
// constants and the loss. It is built once per run by NewSpec.
type Spec struct {
	Phi    Phi
	N      int // units
	S      int // input signals
	R      int // readouts
	Trials int // batch size B
	Steps  int // Euler steps T
	BurnIn int // first counted state index (see SimSettings.BurnIn)

	Tau, B, DT, Sigma float64
	ActivityReg       float64 // λ_act
}

// NewSpec combines the network and unroll settings with the task's sizes.
func NewSpec(net Settings, sim SimSettings, signals, outputs, trials int, activityReg float64) (Spec, error) {
	phi, err := Lookup(net.Nonlinearity)
	if err != nil {
		return Spec{}, err
	}
	sp := Spec{
		Phi: phi, N: net.N, S: signals, R: outputs, Trials: trials, Steps: sim.Steps,
		BurnIn: sim.BurnIn, Tau: net.Tau, B: net.B, DT: sim.DT, Sigma: sim.Sigma,
		ActivityReg: activityReg,
	}
	if sp.N <= 0 || sp.S <= 0 || sp.R <= 0 || sp.Trials <= 0 || sp.Steps <= 0 || sp.BurnIn < 0 || sp.BurnIn >= sp.Steps+1 {
		return Spec{}, fmt.Errorf("model: invalid sizes N=%d S=%d R=%d B=%d T=%d burn_in=%d", sp.N, sp.S, sp.R, sp.Trials, sp.Steps, sp.BurnIn)
	}
	return sp, nil
}

// Leak is Δt/τ, the weight of the drift in one Euler step.
func (sp Spec) Leak() float64 { return sp.DT / sp.Tau }

// NoiseScale is σ√(Δt/τ), the std of the noise added in one Euler step (docs/science.md §1.1).
func (sp Spec) NoiseScale() float64 { return sp.Sigma * math.Sqrt(sp.DT/sp.Tau) }

// InputGain is b/S, the factor of W_in·I in the drive.
func (sp Spec) InputGain() float64 { return sp.B / float64(sp.S) }

// FirstCounted is the first state index ti that contributes to the loss: max(BurnIn, 1).
func (sp Spec) FirstCounted() int { return max(sp.BurnIn, 1) }

// LossNorm is B·T·R, the normalization of the loss (docs/science.md §1.5 item 4: the sum over
// the counted window is divided by the full T, as in the reference code).
func (sp Spec) LossNorm() float64 { return float64(sp.Trials * sp.Steps * sp.R) }

// InputLen, NoiseLen and TargetLen are the lengths of the step-major arrays of one batch.
func (sp Spec) InputLen() int  { return sp.Steps * sp.S * sp.Trials }
func (sp Spec) NoiseLen() int  { return sp.Steps * sp.N * sp.Trials }
func (sp Spec) TargetLen() int { return sp.Steps * sp.R * sp.Trials }

// StabilityBound returns the most negative real eigenvalue of M = J·diag(φ′) for which
// the Euler map of the spec is stable (docs/science.md §1.6). Along a real mode with
// eigenvalue λ the map multiplies the mode by 1 + (Δt/τ)(λ − 1) per step, and
// |1 + (Δt/τ)(λ − 1)| < 1 holds for 1 − 2τ/Δt < λ < 1. It is −9 for Δt = 0.2τ, −39 for
// 0.05τ and −199 for 0.01τ.
func (sp Spec) StabilityBound() float64 { return 1 - 2/sp.Leak() }

// DeadbeatEigenvalue returns λ* = 1 − τ/Δt, the eigenvalue whose mode the Euler map sends
// to zero in one step, 1 + (Δt/τ)(λ* − 1) = 0 (perfect one-step tracking,
// docs/science.md §1.6). It is −4 for Δt = 0.2τ.
func (sp Spec) DeadbeatEigenvalue() float64 { return 1 - 1/sp.Leak() }
