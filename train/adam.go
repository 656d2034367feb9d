package train

import "math"

// AdamState is the saveable state of Adam: the step count and the first and second moment
// estimates of every parameter (in parameter order J, W_in, W_out, row-major). Values are
// stored as float64, which holds float32 moments exactly.
type AdamState struct {
	Step int
	M, V [][]float64
}

// adam is Adam (Kingma & Ba 2015) in the form of Flux 0.11 and PyTorch, for parameters of
// element type T:
//
//	m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²,
//	θ ← θ − η · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
//
// The arithmetic is done in T, as the reference code does in Float32. A masked element
// (the diagonal of J with zero_diagonal) gets a zero gradient, so its moments stay zero and
// its value never changes: the diagonal stays exactly zero (docs/science.md §1.2, §7.12).
type adam[T float32 | float64] struct {
	lr, beta1, beta2, eps float64
	step                  int
	m, v                  [][]T
}

func newAdam[T float32 | float64](s Settings, sizes []int) *adam[T] {
	a := &adam[T]{lr: s.LR, beta1: s.Beta1, beta2: s.Beta2, eps: s.Eps}
	for _, n := range sizes {
		a.m = append(a.m, make([]T, n))
		a.v = append(a.v, make([]T, n))
	}
	return a
}

// update applies one Adam step to params given their gradients. It returns the first
// moment that left the range of T, as a parameter index k and "m" or "v" (an infinite or
// NaN m, or a v that overflowed to +Inf: with v = +Inf the step of that element is
// silently zero), or k = −1 when every moment is finite.
func (a *adam[T]) update(params, grads [][]T) (k int, moment string) {
	a.step++
	t := float64(a.step)
	b1, b2 := T(a.beta1), T(a.beta2)
	c1 := T(1 - math.Pow(a.beta1, t))
	c2 := T(1 - math.Pow(a.beta2, t))
	lr, eps := T(a.lr), T(a.eps)
	limit := math.MaxFloat64
	if _, ok := any(T(0)).(float32); ok {
		limit = math.MaxFloat32
	}
	big := T(limit)
	k = -1
	for j, p := range params {
		g, m, v := grads[j], a.m[j], a.v[j]
		badM, badV := false, false
		for i := range p {
			m[i] = b1*m[i] + (1-b1)*g[i]
			v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
			p[i] -= lr * (m[i] / c1) / (T(math.Sqrt(float64(v[i]/c2))) + eps)
			badM = badM || !(m[i] <= big && m[i] >= -big)
			badV = badV || !(v[i] <= big)
		}
		if k < 0 && (badM || badV) {
			k, moment = j, "v"
			if badM {
				moment = "m"
			}
		}
	}
	return k, moment
}

func (a *adam[T]) state() AdamState {
	s := AdamState{Step: a.step}
	for k := range a.m {
		s.M = append(s.M, widen(a.m[k]))
		s.V = append(s.V, widen(a.v[k]))
	}
	return s
}

func (a *adam[T]) restore(s AdamState) {
	a.step = s.Step
	for k := range a.m {
		narrow(a.m[k], s.M[k])
		narrow(a.v[k], s.V[k])
	}
}

func widen[T float32 | float64](x []T) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func narrow[T float32 | float64](dst []T, src []float64) {
	for i, v := range src {
		dst[i] = T(v)
	}
}

func (a *adam[T]) setLR(lr float64)      { a.lr = lr }
func (a *adam[T]) learningRate() float64 { return a.lr }
