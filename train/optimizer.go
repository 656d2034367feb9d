package train

import "github.com/balnet/balnet/model/engine"

// optimizer is Adam for the dtype of the engine: the parameters and gradients are the
// engine's backing arrays.
type optimizer interface {
	update(params, grads engine.Arrays) (k int, moment string)
	state() AdamState
	setLR(lr float64)
	learningRate() float64
	restore(AdamState)
}

type adam32 struct{ *adam[float32] }

func (a *adam32) update(params, grads engine.Arrays) (int, string) {
	return a.adam.update(params.F32[:], grads.F32[:])
}

type adam64 struct{ *adam[float64] }

func (a *adam64) update(params, grads engine.Arrays) (int, string) {
	return a.adam.update(params.F64[:], grads.F64[:])
}
