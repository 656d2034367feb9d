package engine

import (
	"fmt"
	"github.com/balnet/balnet/model"

	"gorgonia.org/tensor"
)

// Engine evaluates the loss of one batch and its gradient with respect to J, W_in and
// W_out. It owns the parameter values in its dtype; the trainer updates them in place
// through ParamData.
type Engine interface {
	// Run evaluates the loss and its gradient for the N×B initial state h0 (row-major) and
	// the step-major input, standard-normal noise ζ and target of one batch. Gradients never
	// accumulate across runs. A NoiseWriter takes noise nil to mean the noise already in
	// its NoiseBuffer.
	Run(h0, input, noise, target []float64) (float64, error)
	// ParamData returns the backing arrays of J, W_in and W_out in the engine's dtype.
	ParamData() Arrays
	// GradData returns the backing arrays of ∂l/∂J, ∂l/∂W_in, ∂l/∂W_out of the last Run.
	GradData() (Arrays, error)
	// FinalState returns a float64 copy of the state h_T of the last Run (N×B row-major).
	FinalState() []float64
}

// A NoiseWriter is an engine whose Run takes the noise in its own buffer: a trainer writes
// the standard-normal deviates of the next batch there (in the buffer's order, multiplied
// by its scale) and calls Run with noise nil. This spares the step-major float64 copy and
// its transposition: drawing straight into the buffer is free beside the generator's own
// dependency chain (train's normalsPCG).
type NoiseWriter interface {
	Engine
	NoiseBuffer() NoiseBuffer
}

// NoiseBuffer is the noise node of an engine: the deviate ζ_t[i, k] of Euler step t,
// neuron i and trial k (element t·N·B + i·B + k of Run's step-major noise argument) is
// stored, multiplied by Scale = σ√(Δt/τ) and rounded to the dtype, at
// F32 or F64[t·B·N + k·N + i] (trial-major: block t is B rows of N). One of F32 and F64
// is nil.
type NoiseBuffer struct {
	F32    []float32
	F64    []float64
	N      int
	Trials int
	Scale  float64
}

// Names lists the accepted names of New.
var Names = []string{"graph", "fused"}

// New returns the engine with the given name: "graph", the plain unrolled Gorgonia
// graph of NewGraph (the reference implementation), or "fused", the graph of one fused
// recurrent op of NewFused (the same loss and gradient, computed with BLAS products).
func New(name string, sp model.Spec, dtype tensor.Dtype, p *model.Params) (Engine, error) {
	switch name {
	case "graph":
		return NewGraph(sp, dtype, p)
	case "fused":
		return NewFused(sp, dtype, p)
	}
	return nil, fmt.Errorf("unknown engine %q (allowed: %v)", name, Names)
}
