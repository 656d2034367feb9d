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
	c := adamConsts[T]{b1: b1, ob1: 1 - b1, b2: b2, ob2: 1 - b2,
		c1: T(1 - math.Pow(a.beta1, t)), c2: T(1 - math.Pow(a.beta2, t)), lr: T(a.lr), eps: T(a.eps)}
	k = -1
	for j, p := range params {
		g, m, v := grads[j], a.m[j], a.v[j]
		i0, badM, badV := 0, false, false
		if f := adamF32; f != nil {
			if p32, ok := any(p).([]float32); ok {
				i0, badM, badV = f(p32, any(g).([]float32), any(m).([]float32), any(v).([]float32), any(c).(adamConsts[float32]))
			}
		}
		bm, bv := adamLoop(p[i0:], g[i0:], m[i0:], v[i0:], c)
		badM, badV = badM || bm, badV || bv
		if k < 0 && (badM || badV) {
			k, moment = j, "v"
			if badM {
				moment = "m"
			}
		}
	}
	return k, moment
}

// adamConsts are the scalars of one Adam step: β₁, 1−β₁, β₂, 1−β₂, the bias corrections
// c₁ = 1−β₁ᵗ and c₂ = 1−β₂ᵗ, η and ε, all rounded to T.
type adamConsts[T float32 | float64] struct{ b1, ob1, b2, ob2, c1, c2, lr, eps T }

// adamF32, when set (adam_simd.go), runs adamLoop for float32 on a prefix of the
// parameters with vector instructions and the same bits, and returns the length of the
// prefix and whether an m or a v in it is not finite.
var adamF32 func(p, g, m, v []float32, c adamConsts[float32]) (n int, badM, badV bool)

// adamLoop is one Adam step of the elements of p, in T, each operation rounded (the
// explicit conversions forbid fused multiply-adds, so that the vector loop of adamF32
// gives the same bits on every amd64 level):
//
//	m ← β₁m + (1−β₁)g,  v ← β₂v + ((1−β₂)g)g,  p ← p − (η(m/c₁)) / (√(v/c₂) + ε).
//
// It reports whether some m is not finite and whether some v is not finite (v overflowed
// to +Inf, which silently makes that element's step zero): float32 moments cannot exceed
// MaxFloat32 but as ±Inf.
func adamLoop[T float32 | float64](p, g, m, v []T, c adamConsts[T]) (badM, badV bool) {
	limit := math.MaxFloat64
	if _, ok := any(T(0)).(float32); ok {
		limit = math.MaxFloat32
	}
	big := T(limit)
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		m[i] = T(c.b1*m[i]) + T(c.ob1*g[i])
		v[i] = T(c.b2*v[i]) + T(c.ob2*g[i]*g[i])
		p[i] -= c.lr * (m[i] / c.c1) / (T(math.Sqrt(float64(v[i]/c.c2))) + c.eps)
		badM = badM || !(m[i] <= big && m[i] >= -big)
		badV = badV || !(v[i] <= big)
	}
	return badM, badV
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
