package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// OU generates Channels independent Ornstein–Uhlenbeck signals (docs/science.md §1.3) in the
// reference (Julia) convention
//
//	τ_S dI = −(I − I₀) dt + I₁ dW,  Var(I) = I₁²/(2τ_S),
//
// sampled every DT with the exact AR(1) discretization of the reference code:
//
//	I_t    = I₀ + δI_t,
//	δI_t+1 = a·δI_t + c·ε_t+1,  a = exp(−Δt/τ_S),  c = I₁·√((1 − exp(−2Δt/τ_S))/(2τ_S)),
//
// with ε iid standard normal. The reference start is δI_0 = 0, so the first sample equals
// I₀ exactly; with Stationary, δI_0 = √Var·ε_0 is drawn from the stationary distribution
// N(0, I₁²/(2τ_S)) instead. TauS = 0 gives white samples, δI_t = I₁·ε_t (a = 0, c = I₁),
// again with δI_0 = 0 in the reference start, as in the reference code.
//
// Order of random draws: one standard normal per sample, taken as
//
//	for each trial b, for each channel s, for each step t = 0, …, steps−1: ε = rng.NormFloat64()
//
// so a batch consumes exactly steps·Channels·trials draws whatever the settings. This is the
// loop order of the reference code (generateInputOutputOUAnalytical in autoencodertask.jl),
// whose generator differs (Xoroshiro128Star, Float32), so its numbers are not reproduced. The
// draw of t = 0 sets δI_0 with Stationary and is discarded otherwise (the reference code
// also draws and discards it), so both starts share the same innovations ε_1, ε_2, ….
//
// As a Task, OU is the tracking task: the target is the signal itself, offset included
// (docs/science.md §1.5 item 1).
type OU struct {
	Channels   int     // number S of independent channels
	DT         float64 // sampling step Δt, in units of τ
	TauS       float64 // correlation time τ_S ≥ 0, in units of τ
	I0         float64 // offset I₀
	I1         float64 // amplitude I₁ (Julia convention)
	Stationary bool    // draw δI_0 from the stationary distribution instead of δI_0 = 0
}

// Decay returns the AR(1) coefficient a = exp(−Δt/τ_S), and 0 for τ_S = 0.
func (o OU) Decay() float64 {
	if o.TauS == 0 {
		return 0
	}
	return math.Exp(-o.DT / o.TauS)
}

// InnovationStd returns the standard deviation c = I₁·√((1 − exp(−2Δt/τ_S))/(2τ_S)) of the
// innovation added each step, and I₁ for τ_S = 0.
func (o OU) InnovationStd() float64 {
	if o.TauS == 0 {
		return o.I1
	}
	return o.I1 * math.Sqrt(-math.Expm1(-2*o.DT/o.TauS)/(2*o.TauS))
}

// Var returns the stationary variance I₁²/(2τ_S) of each channel, which the discretization
// reproduces exactly: c²/(1 − a²) = I₁²/(2τ_S). For τ_S = 0 it returns the variance I₁² of
// the white samples.
func (o OU) Var() float64 {
	if o.TauS == 0 {
		return o.I1 * o.I1
	}
	return o.I1 * o.I1 / (2 * o.TauS)
}

// Std returns √Var.
func (o OU) Std() float64 { return math.Sqrt(o.Var()) }

// Signals returns Channels.
func (o OU) Signals() int { return o.Channels }

// Outputs returns Channels: one tracking readout per signal.
func (o OU) Outputs() int { return o.Channels }

// Fill overwrites dst with steps samples of trials independent realizations of the
// Channels signals, in the layout of Batch.Input: dst[(t*Channels+s)*trials+b] = I_s(t) of
// trial b. The draw order is documented on OU. Fill panics if len(dst) is not
// steps·Channels·trials.
func (o OU) Fill(dst []float64, steps, trials int, rng *rand.Rand) {
	n := o.Channels
	if steps < 0 || trials < 0 || n < 0 || len(dst) != steps*n*trials {
		panic(fmt.Sprintf("tasks: OU.Fill: len(dst) = %d, want steps·channels·trials = %d·%d·%d",
			len(dst), steps, n, trials))
	}
	a, c, sd := o.Decay(), o.InnovationStd(), o.Std()
	for b := 0; b < trials; b++ {
		for s := 0; s < n; s++ {
			var x float64 // δI_t
			for t := 0; t < steps; t++ {
				eps := rng.NormFloat64()
				switch {
				case t > 0:
					x = a*x + c*eps
				case o.Stationary:
					x = sd * eps
				}
				dst[(t*n+s)*trials+b] = o.I0 + x
			}
		}
	}
}

// Sample fills dst.Input with fresh signals (see Fill) and copies them into dst.Target.
// It panics unless dst has Channels signals and Channels outputs.
func (o OU) Sample(dst *Batch, rng *rand.Rand) {
	dst.checkShape(o.Channels, o.Channels)
	o.Fill(dst.Input, dst.Steps, dst.Trials, rng)
	copy(dst.Target, dst.Input)
}

// JuliaI1 returns the amplitude I₁ that gives stationary standard deviation std in the
// reference (Julia) convention τ_S dI = −(I − I₀)dt + I₁ dW, where Var = I₁²/(2τ_S):
// I₁ = std·√(2τ_S). For τ_S = 0 (white samples I₁ε) it returns std.
func JuliaI1(std, tauS float64) float64 {
	if tauS == 0 {
		return std
	}
	return std * math.Sqrt(2*tauS)
}

// PaperI1 returns the amplitude I₁ that gives stationary standard deviation std in the
// convention of the paper's spectra ([F] Eqs. 15–16, ⟨ξ_S(t)ξ_S(t')⟩ = τ_S I₁² δ(t−t')),
// where Var = I₁²/2 whatever τ_S: I₁ = std·√2. The two conventions agree for τ_S = τ = 1;
// to sample such a signal with OU, pass JuliaI1(std, τ_S) as I1.
func PaperI1(std float64) float64 { return std * math.Sqrt2 }
