package config

import (
	"fmt"
	"math"

	"github.com/balnet/balnet/model"
)

// Fluctuations configures balnet fluctuations (section "fluctuations"; docs/science.md
// §6.4–§6.5): a long simulation of the network with the projections x = Lᵀφ, Rᵀφ, y = Pᵀφ
// and random probes wᵀφ recorded.
type Fluctuations struct {
	// DT is the Euler step in units of τ; 0 means sim.dt.
	DT float64 `yaml:"dt"`
	// Duration is the recorded time in units of τ (after the burn-in).
	Duration float64 `yaml:"duration"`
	// BurnIn is the time integrated before recording, in units of τ; shorter than Duration.
	BurnIn float64 `yaml:"burn_in"`
	// Stride records every Stride-th Euler step (≥ 1).
	Stride int `yaml:"stride"`
	// Probes is the number of Rademacher probes w (±1/√N) whose mean variance of wᵀφ
	// estimates c_φ (analysis.FluctuationProbes), ≥ 1.
	Probes int `yaml:"probes"`
	// Seed seeds the initial state, the probes and the noise (the network comes from the
	// top-level seed, or from the checkpoint).
	Seed uint64 `yaml:"seed"`
	// Coupling32 integrates with a float32 copy of J for the coupling product, reading
	// only the columns of active units, and everything else in float64
	// (sim.Settings.Coupling32): a fraction χ/2 of the memory traffic of the memory-bound
	// float64 product. The measured statistics agree with the float64 path (false) to
	// 5.4·10⁻⁴ at N = 1000 and within 5% (less than another initial state changes) for
	// the chaotic N = 3000 default run (README).
	Coupling32 bool `yaml:"coupling32"`
	// Threads is the number of goroutines sharing the coupling product (≥ 1); every value
	// gives the same bits.
	Threads int `yaml:"threads"`
}

// DefaultFluctuations returns the fluctuations section of the training default: 200τ after
// 50τ of burn-in at the run's own Δt, recorded every step, 16 probes.
func DefaultFluctuations() Fluctuations {
	return Fluctuations{DT: 0, Duration: 200, BurnIn: 50, Stride: 1, Probes: 16, Seed: 1, Coupling32: true, Threads: 1}
}

// FluctuationsDefault returns the embedded default of balnet fluctuations: the §6.5 check
// of docs/science.md — ReLU, g = 2, J₀ = I₀ = 1, network.init lowrank with rank one,
// strength 1, θ = 30°, strong-coupling scaling (external input √N·I₀ along span(L)),
// N = 3000, the diagonal kept, no noise (the chaos of g = 2 supplies the microscopic
// fluctuations), Δt = 0.01, 200τ after 50τ of burn-in, recorded every 10 steps.
func FluctuationsDefault() Config {
	c := Default()
	c.Network.N, c.Network.G, c.Network.J0 = 3000, 2, 1
	c.Network.Nonlinearity = model.ReLU
	c.Network.Init = model.InitLowRank
	c.Network.LowRank = model.DefaultLowRankSettings()
	c.Network.ZeroDiagonal = false
	c.Task.I0 = 1
	c.Sim.Sigma = 0
	c.Fluctuations = Fluctuations{DT: 0.01, Duration: 200, BurnIn: 50, Stride: 10, Probes: 16, Seed: 1, Coupling32: true, Threads: 1}
	return c
}

// FluctuationsDT returns fluctuations.dt, or sim.dt when it is 0.
func (c Config) FluctuationsDT() float64 {
	if c.Fluctuations.DT == 0 {
		return c.Sim.DT
	}
	return c.Fluctuations.DT
}

// FluctuationsSteps returns the Euler steps of the burn-in and of the recording.
func (c Config) FluctuationsSteps() (burnIn, steps int) {
	dt := c.FluctuationsDT()
	return int(math.Round(c.Fluctuations.BurnIn / dt)), int(math.Round(c.Fluctuations.Duration / dt))
}

// validateFluctuations checks the fluctuations section (called by Validate).
func (c Config) validateFluctuations() error {
	f := c.Fluctuations
	checks := []error{
		nonNegative("fluctuations.dt", f.DT),
		positive("fluctuations.duration", f.Duration),
		nonNegative("fluctuations.burn_in", f.BurnIn),
		intAtLeast("fluctuations.stride", f.Stride, 1),
		intAtLeast("fluctuations.probes", f.Probes, 1),
		intAtLeast("fluctuations.threads", f.Threads, 1),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	if _, steps := c.FluctuationsSteps(); steps/f.Stride < 2 {
		return &Error{Key: "fluctuations.duration", Value: fmt.Sprint(f.Duration),
			Allowed: fmt.Sprintf("at least 2 records (2·fluctuations.stride·Δt = %g)", 2*float64(f.Stride)*c.FluctuationsDT())}
	}
	return nil
}
