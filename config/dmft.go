package config

import (
	"fmt"
	"math"
	"strconv"

	"github.com/balnet/balnet/model"
)

// DMFT configures the mean-field solution of balnet dmft (section "dmft";
// docs/science.md §5): the time grid of the two-time scheme, the input path that drives it
// and the theory-versus-simulation comparison.
type DMFT struct {
	// DT is the grid step Δt in units of τ (> 0); the simulation of --compare uses the same
	// step, so theory and network are the same Euler scheme.
	DT float64 `yaml:"dt"`
	// Duration is the length of the driven path in units of τ (> 0).
	Duration float64 `yaml:"duration"`
	// Relax is the time spent at constant input I₀ before the path starts (≥ 0, τ units),
	// in the theory and as the simulation's burn-in.
	Relax float64 `yaml:"relax"`
	// Band is the band width in grid steps: c(t,s) is kept for |t−s| ≤ band·Δt (≥ 1, at
	// most duration/dt).
	Band int `yaml:"band"`
	// Integrals selects how the two-time ReLU integrals q(t,s) are computed: "closed"
	// (the closed form in the bivariate normal CDF, dmft.ReLU.Corr) or "quadrature" (the
	// one-dimensional adaptive quadrature of docs/science.md §5.2, the reference code's
	// route, about 50× slower). Other nonlinearities always use Gauss–Hermite.
	Integrals string `yaml:"integrals"`
	// Tol is the relative and absolute tolerance of the adaptive quadrature of q(t,s)
	// (> 0; used with integrals: quadrature).
	Tol float64 `yaml:"tol"`
	// Input is the kind of common input path: "ou" (an Ornstein–Uhlenbeck path with
	// mean task.i0, std task.i1 and time constant task.tau_s, from the seed) or "sinusoid"
	// (I(t) = task.i0 + task.i1·sin(2π·freq·t)).
	Input string `yaml:"input"`
	// Freq is the sinusoid's frequency in 1/τ (> 0 for input sinusoid).
	Freq float64 `yaml:"freq"`
	// NPerSeg is the Welch segment length L, in grid steps, of the coherence between the
	// input and ν(t) (docs/science.md §4.1; ≥ 8, at most duration/dt).
	NPerSeg int `yaml:"nperseg"`
	// Seed seeds the input path, the simulations' couplings and their noise, and the
	// finite-size term of the theory.
	Seed uint64 `yaml:"seed"`
}

// DMFTInputs are the accepted values of dmft.input.
var DMFTInputs = []string{"ou", "sinusoid"}

// DMFTIntegrals are the accepted values of dmft.integrals.
var DMFTIntegrals = []string{"closed", "quadrature"}

// DefaultDMFT returns the dmft section of the default: Δt = 0.1τ (the error of the Euler
// scheme is O(Δt) in both the theory and the network, so they agree step by step), 50τ of
// path after 30τ at constant input, a band of 100 steps (10τ, where the chaotic
// autocorrelation of g = 2 has reached its plateau), the closed-form integrals (quadrature
// tolerance 1e-6 when quadrature is selected), an OU input from seed 1, and Welch segments
// of 128 steps (12.8τ, Δf = 0.078/τ: 6 segments of the 500-step path per realization).
func DefaultDMFT() DMFT {
	return DMFT{DT: 0.1, Duration: 50, Relax: 30, Band: 100, Integrals: "closed", Tol: 1e-6, Input: "ou", Freq: 0.1, NPerSeg: 128, Seed: 1}
}

// DMFTDefault returns the embedded default of balnet dmft: the information setting of
// docs/science.md §2.1 (g = 2, τ_S = τ = 1, σ = 0.1, I₀ = J₀ = 1, I₁ = 0.1, an OU input from
// the seed) with N = 2000 for the comparison and b = 4 instead of b = 1: for ReLU at g = 2
// a balanced state exists only for x + b·J₀·G(x) > 0, i.e. b > −x/(J₀G(x)) ≈ 1.772
// (x = −0.40523, docs/science.md §5.3 item 4); at b = 1 the theory's c(t,t) and the
// network run away.
func DMFTDefault() Config {
	c := Default()
	c.Network.N, c.Network.G, c.Network.B, c.Network.J0 = 2000, 2, 4, 1
	c.Task.TauS, c.Task.I0, c.Task.I1 = 1, 1, 0.1
	c.Network.Win = model.Gaussian{Mean: 1} // W_in = 1 exactly: the theory's common input b·I
	c.Sim.Sigma = 0.1
	return c
}

// DMFTSteps returns the number of grid steps of the relaxation and of the path,
// round(relax/dt) and round(duration/dt).
func (c Config) DMFTSteps() (relax, steps int) {
	return int(math.Round(c.DMFT.Relax / c.DMFT.DT)), int(math.Round(c.DMFT.Duration / c.DMFT.DT))
}

// validateDMFT checks the dmft section (called by Validate).
func (c Config) validateDMFT() error {
	d := c.DMFT
	checks := []error{
		positive("dmft.dt", d.DT),
		positive("dmft.duration", d.Duration),
		nonNegative("dmft.relax", d.Relax),
		intAtLeast("dmft.band", d.Band, 1),
		oneOf("dmft.integrals", d.Integrals, DMFTIntegrals),
		positive("dmft.tol", d.Tol),
		oneOf("dmft.input", d.Input, DMFTInputs),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	_, steps := c.DMFTSteps()
	switch {
	case steps < 1:
		return &Error{Key: "dmft.duration", Value: fmt.Sprint(d.Duration),
			Allowed: fmt.Sprintf("at least one grid step dmft.dt = %g", d.DT)}
	case d.Band > steps:
		return &Error{Key: "dmft.band", Value: strconv.Itoa(d.Band),
			Allowed: fmt.Sprintf("at most the %d steps of the grid (dmft.duration/dmft.dt = %g/%g)", steps, d.Duration, d.DT)}
	case d.NPerSeg < 8 || d.NPerSeg > steps:
		return &Error{Key: "dmft.nperseg", Value: strconv.Itoa(d.NPerSeg),
			Allowed: fmt.Sprintf("a Welch segment length from 8 to the %d steps of the grid (dmft.duration/dmft.dt = %g/%g)", steps, d.Duration, d.DT)}
	case d.Input == "sinusoid" && !(d.Freq > 0 && !math.IsInf(d.Freq, 0)):
		return &Error{Key: "dmft.freq", Value: fmt.Sprint(d.Freq), Allowed: "a finite frequency > 0 (1/τ) for dmft.input sinusoid"}
	}
	return nil
}
