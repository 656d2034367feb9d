package analysis

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
)

// Input is everything the analysis of a network at one epoch reads, as plain values: no
// trainer, no training engine. rundir.AnalysisInput builds it from a live trainer and
// rundir.StateInput from a checkpoint; a caller with parameters of its own (a constructed
// network, another package's simulation) fills it directly.
type Input struct {
	// Epoch is the number of completed training updates; Seed the run's seed. Together
	// they seed the k-means generator (KMeansStream).
	Epoch int
	Seed  uint64
	// Network are the network settings (J₀ for the balance, the mean coupling and g for
	// the structure-rank threshold); Spec the unroll of the test batch (φ, Δt, sizes).
	Network model.Settings
	Spec    model.Spec
	// Float32 says the parameters were trained in float32: Init is then rounded to float32
	// as the trainer holds it, so that b_rel = 1 exactly at epoch 0.
	Float32 bool
	// Params are the parameters analysed; Init those at epoch 0 (J_init).
	Params, Init *model.Params
	// TestInput and TestNoise are the fixed test batch's input (step-major S×B blocks) and
	// standard-normal noise (N×B blocks); H0 the relaxed initial state (N×B) it starts
	// from. Test trial 1 (column 0) at the last step is the linearization state.
	TestInput, TestNoise []float64
	H0                   *mat.Dense
	// I0 is the constant input of the fixed-point relaxation and of the drift residual
	// (task.i0), Relax its duration in units of τ (sim.relax).
	I0, Relax float64
	// TauS and I1 are the OU input's τ_S and I₁ (task.tau_s, task.i1), for InfoRate.
	TauS, I1 float64
}

// check returns an error if the shapes of in do not fit together.
func (in *Input) check() error {
	sp := in.Spec
	switch {
	case in.Params == nil || in.Init == nil || in.H0 == nil:
		return fmt.Errorf("analysis: input without parameters, initial parameters or initial state")
	case len(in.TestInput) != sp.InputLen() || len(in.TestNoise) != sp.NoiseLen():
		return fmt.Errorf("analysis: test batch of %d inputs and %d noise values, want %d and %d", len(in.TestInput), len(in.TestNoise), sp.InputLen(), sp.NoiseLen())
	}
	for _, p := range []*model.Params{in.Params, in.Init} {
		if n, s, r := p.Dims(); n != sp.N || s != sp.S || r != sp.R {
			return fmt.Errorf("analysis: parameters N=%d S=%d R=%d, spec N=%d S=%d R=%d", n, s, r, sp.N, sp.S, sp.R)
		}
	}
	if r, c := in.H0.Dims(); r != sp.N || c != sp.Trials {
		return fmt.Errorf("analysis: initial state %d×%d, want %d×%d", r, c, sp.N, sp.Trials)
	}
	return nil
}

// TestTrajectory simulates the fixed test batch with in.Params from in.H0 with the plain
// float64 simulator (model.Simulate).
func (in *Input) TestTrajectory() *model.Trajectory {
	return model.Simulate(in.Spec, in.Params, in.H0, in.TestInput, in.TestNoise)
}
