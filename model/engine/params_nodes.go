package engine

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// paramNodes are the Gorgonia nodes of J, W_in and W_out of an engine, in that order.
type paramNodes [3]*G.Node

// data returns the nodes' backing arrays ([]float32 or []float64, row-major).
func (ps paramNodes) data() [3]any {
	var d [3]any
	for i, n := range ps {
		d[i] = n.Value().Data()
	}
	return d
}

// grads returns the backing arrays of the nodes' gradients after a run.
func (ps paramNodes) grads() ([3]any, error) {
	var d [3]any
	for i, n := range ps {
		v, err := n.Grad()
		if err != nil {
			return d, fmt.Errorf("model: gradient of %s: %w", n.Name(), err)
		}
		d[i] = v.Data()
	}
	return d, nil
}

// zeroGrads zeroes the gradients, which Gorgonia otherwise accumulates across runs.
func (ps paramNodes) zeroGrads() {
	for _, n := range ps {
		if v, err := n.Grad(); err == nil && v != nil {
			v.(tensor.Tensor).Zero()
		}
	}
}

// ParamData returns the backing arrays of J, W_in and W_out ([]float32 or []float64,
// row-major). Writing to them changes the parameters of the next Run.
func (gr *Graph) ParamData() [3]any { return gr.params.data() }

// GradData returns the backing arrays of ∂l/∂J, ∂l/∂W_in and ∂l/∂W_out after a Run.
func (gr *Graph) GradData() ([3]any, error) { return gr.params.grads() }

// ParamData returns the backing arrays of J, W_in and W_out ([]float32 or []float64,
// row-major). Writing to them changes the parameters of the next Run.
func (f *Fused) ParamData() [3]any { return f.params.data() }

// GradData returns the backing arrays of ∂l/∂J, ∂l/∂W_in and ∂l/∂W_out after a Run.
func (f *Fused) GradData() ([3]any, error) { return f.params.grads() }
