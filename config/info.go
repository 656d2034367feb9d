package config

import (
	"fmt"
	"math"
	"strconv"
)

// Info configures the information-rate measurement of balnet info (section "info";
// docs/science.md §4): a long simulation of the network, recorded at a stride, and the
// Welch coherence between the input and the population rate or a readout.
type Info struct {
	// DT is the Euler step of the simulation in units of τ; 0 means sim.dt (a trained
	// network should be simulated at the Δt it was trained at).
	DT float64 `yaml:"dt"`
	// Duration is the recorded time t_sim in units of τ (after the burn-in).
	Duration float64 `yaml:"duration"`
	// BurnIn is the time integrated before recording, in units of τ; it must be shorter
	// than Duration.
	BurnIn float64 `yaml:"burn_in"`
	// Stride records every Stride-th Euler step (≥ 1); f_s = 1/(Stride·Δt).
	Stride int `yaml:"stride"`
	// NPerSeg is the Welch segment length L (≥ 8, at most the number of records).
	NPerSeg int `yaml:"nperseg"`
	// FCut is the upper limit f_cut of the R_lb integral (Eq. 14); 0 means the Nyquist
	// frequency f_s/2, which is also the largest allowed value.
	FCut float64 `yaml:"f_cut"`
	// Realizations is the number of independent realizations simulated side by side; their
	// Welch spectra are averaged (K = realizations × segments).
	Realizations int `yaml:"realizations"`
	// Signal is the response compared with the input: "readout" (readout r against input
	// channel r) or "rate" (the population rate ν against every input channel).
	Signal string `yaml:"signal"`
	// BiasCorrection adds the bias-corrected R_lb (info.CorrectBias); off by default so
	// that the paper's estimator is reproduced.
	BiasCorrection bool `yaml:"bias_correction"`
	// Seed seeds the simulation's input and noise streams (the network comes from the
	// top-level seed, or from the checkpoint).
	Seed uint64 `yaml:"seed"`
	// DType is the precision of the simulation: float64 or float32.
	DType string `yaml:"dtype"`
}

// Signals are the accepted values of info.signal.
var Signals = []string{"readout", "rate"}

// DefaultInfo returns the info section of the training default: the information rate of
// a trained network at its own Δt (0.2 for the reference setting), readout against
// input, over 2048τ (10240 steps at Δt = 0.2) in segments of 256 records (51.2τ,
// Δf ≈ 0.02/τ), K = 79.
func DefaultInfo() Info {
	return Info{DT: 0, Duration: 2048, BurnIn: 20, Stride: 1, NPerSeg: 256, FCut: 0,
		Realizations: 1, Signal: "readout", Seed: 1, DType: "float64"}
}

// InfoDefault returns the embedded default of balnet info: the Fig. 5 setting of
// docs/science.md §2.1 and §4.3 at b = 1 — N = 64, g = 0, J₀ = I₀ = 1, τ_S = τ = 1,
// σ = 0.1, I₁ = 1/8, Δt = 2⁻¹²τ, t_sim = 2⁶τ (2¹⁸ recorded steps) after 8τ of burn-in,
// nperseg 2¹¹, the population rate against the input. W_in = 1 exactly (std 0) and the
// diagonal of J is kept (J = −b/N everywhere, as in the paper's mean-field network): with
// a zero diagonal the residual modes have eigenvalue +b/N, unstable for b > N.
func InfoDefault() Config {
	c := Default()
	c.Network.N, c.Network.G, c.Network.B, c.Network.J0 = 64, 0, 1, 1
	c.Network.ZeroDiagonal = false
	c.Network.Win.Std = 0
	c.Task.TauS, c.Task.I0, c.Task.I1 = 1, 1, 0.125
	c.Sim.DT, c.Sim.Sigma = 1.0/4096, 0.1
	c.Info = Info{DT: 0, Duration: 64, BurnIn: 8, Stride: 1, NPerSeg: 2048, FCut: 0,
		Realizations: 1, Signal: "rate", Seed: 0, DType: "float64"}
	return c
}

// InfoDT returns the simulation step of the info section: info.dt, or sim.dt when it is 0.
func (c Config) InfoDT() float64 {
	if c.Info.DT == 0 {
		return c.Sim.DT
	}
	return c.Info.DT
}

// InfoSteps returns the number of Euler steps of the burn-in and of the recording,
// round(burn_in/Δt) and round(duration/Δt), and the number of records.
func (c Config) InfoSteps() (burnIn, steps, records int) {
	dt := c.InfoDT()
	burnIn = int(math.Round(c.Info.BurnIn / dt))
	steps = int(math.Round(c.Info.Duration / dt))
	return burnIn, steps, steps / max(c.Info.Stride, 1)
}

// validateInfo checks the info section (called by Validate).
func (c Config) validateInfo() error {
	in := c.Info
	checks := []error{
		nonNegative("info.dt", in.DT),
		positive("info.duration", in.Duration),
		nonNegative("info.burn_in", in.BurnIn),
		intAtLeast("info.stride", in.Stride, 1),
		intAtLeast("info.nperseg", in.NPerSeg, 8),
		nonNegative("info.f_cut", in.FCut),
		intAtLeast("info.realizations", in.Realizations, 1),
		oneOf("info.signal", in.Signal, Signals),
		oneOf("info.dtype", in.DType, []string{"float32", "float64"}),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	dt := c.InfoDT()
	_, _, records := c.InfoSteps()
	nyquist := 1 / (2 * float64(in.Stride) * dt)
	switch {
	case in.BurnIn >= in.Duration:
		return &Error{Key: "info.burn_in", Value: fmt.Sprint(in.BurnIn),
			Allowed: fmt.Sprintf("must be shorter than info.duration = %g", in.Duration)}
	case records < in.NPerSeg:
		return &Error{Key: "info.nperseg", Value: strconv.Itoa(in.NPerSeg),
			Allowed: fmt.Sprintf("at most the %d recorded samples (info.duration/(Δt·info.stride) = %g/(%g·%d))",
				records, in.Duration, dt, in.Stride)}
	case in.FCut > nyquist*(1+1e-12):
		return &Error{Key: "info.f_cut", Value: fmt.Sprint(in.FCut),
			Allowed: fmt.Sprintf("at most the Nyquist frequency 1/(2·info.stride·Δt) = %g (0 means Nyquist)", nyquist)}
	case in.Signal == "readout" && c.Outputs() != c.Task.Signals:
		return &Error{Key: "info.signal", Value: strconv.Quote(in.Signal),
			Allowed: fmt.Sprintf("readout pairs readout r with input r and needs task.outputs = task.signals = %d; use rate", c.Task.Signals)}
	}
	return nil
}
