package train

// optimizer is Adam for the dtype of the graph: the parameters and gradients are the
// graph's backing arrays ([]float32 or []float64).
type optimizer interface {
	update(params, grads [3]any)
	state() AdamState
	restore(AdamState)
}

type adam32 struct{ *adam[float32] }

func (a *adam32) update(params, grads [3]any) {
	a.adam.update(typed[float32](params), typed[float32](grads))
}

type adam64 struct{ *adam[float64] }

func (a *adam64) update(params, grads [3]any) {
	a.adam.update(typed[float64](params), typed[float64](grads))
}

func typed[T float32 | float64](xs [3]any) [][]T {
	out := make([][]T, len(xs))
	for i, x := range xs {
		out[i] = x.([]T)
	}
	return out
}
