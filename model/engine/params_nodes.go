package engine

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Arrays are the row-major backing arrays of J, W_in and W_out (or of their gradients), in
// that order, in the engine's dtype: F32 is set for a float32 engine and F64 for a float64
// one, the other is all nil. Writing to a parameter array changes the next Run.
type Arrays struct {
	F32 [3][]float32
	F64 [3][]float64
}

// IsFloat32 reports whether a holds float32 arrays.
func (a Arrays) IsFloat32() bool { return a.F32[0] != nil }

// ArrayNames are the names of the three arrays, for messages: J, W_in, W_out.
var ArrayNames = [3]string{"J", "W_in", "W_out"}

// put stores the backing array of parameter k.
func (a *Arrays) put(k int, data any) {
	switch d := data.(type) {
	case []float32:
		a.F32[k] = d
	case []float64:
		a.F64[k] = d
	default:
		panic(fmt.Sprintf("engine: array of %T, want []float32 or []float64", data))
	}
}

// paramNodes are the Gorgonia nodes of J, W_in and W_out of an engine, in that order.
type paramNodes [3]*G.Node

// data returns the nodes' backing arrays.
func (ps paramNodes) data() Arrays {
	var d Arrays
	for i, n := range ps {
		d.put(i, n.Value().Data())
	}
	return d
}

// grads returns the backing arrays of the nodes' gradients after a run.
func (ps paramNodes) grads() (Arrays, error) {
	var d Arrays
	for i, n := range ps {
		v, err := n.Grad()
		if err != nil {
			return Arrays{}, fmt.Errorf("model: gradient of %s: %w", n.Name(), err)
		}
		d.put(i, v.Data())
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

// ParamData returns the backing arrays of J, W_in and W_out. Writing to them changes the
// parameters of the next Run.
func (gr *Graph) ParamData() Arrays { return gr.params.data() }

// GradData returns the backing arrays of ∂l/∂J, ∂l/∂W_in and ∂l/∂W_out after a Run.
func (gr *Graph) GradData() (Arrays, error) { return gr.params.grads() }

// ParamData returns the backing arrays of J, W_in and W_out. Writing to them changes the
// parameters of the next Run.
func (f *Fused) ParamData() Arrays { return f.params.data() }

// GradData returns the backing arrays of ∂l/∂J, ∂l/∂W_in and ∂l/∂W_out after a Run.
func (f *Fused) GradData() (Arrays, error) { return f.params.grads() }
