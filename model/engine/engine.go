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
	// accumulate across runs.
	Run(h0, input, noise, target []float64) (float64, error)
	// ParamData returns the backing arrays of J, W_in and W_out in the engine's dtype.
	ParamData() Arrays
	// GradData returns the backing arrays of ∂l/∂J, ∂l/∂W_in, ∂l/∂W_out of the last Run.
	GradData() (Arrays, error)
	// FinalState returns a float64 copy of the state h_T of the last Run (N×B row-major).
	FinalState() []float64
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
