package engine

import (
	"github.com/balnet/balnet/model"
	"math"
	"runtime"

	"gonum.org/v1/gonum/blas"
)

// fusedWork holds the preallocated buffers of one fused unroll in element type T and runs
// its forward pass and its backpropagation through time with BLAS products.
//
// Layout. Everything is trial-major: an N-vector of one trial is a contiguous row, and a
// time block is B consecutive rows, so that a whole trajectory is one row-major matrix with
// the long dimension N contiguous. With a = Δt/τ, g = b/S, s = σ√(Δt/τ) and rows indexed by
// (t, k) = t·B + k:
//
//	h  (T+1)·B × N   block t: h_t,  t = 0..T (block 0 is the initial state)
//	p  (T+1)·B × N   block t: φ(h_t)
//	e  (T−F+1)·B × R block ti−F: x̂_ti − y_ti for the counted states ti = F..T
//	d  T·B × N       block t: δ_{t+1} = ∂l/∂h_{t+1}
//
// where F = max(burn_in, 1) is the first counted state. The graph inputs are trial-major
// too: h0 B×N, input T·B×S, noise T·B×N (already multiplied by s) and target T·B×R, with
// block t belonging to Euler step t (state t+1).
type fusedWork[T float32 | float64] struct {
	n, s, r, b, steps, first int
	leak, gain, norm, reg    float64 // a = Δt/τ, g = b/S, Z = B·T·R, λ_act
	phi                      model.Nonlinearity
	gemm                     gemmFunc[T]

	bias                  []T // N, the untrained bias
	winT                  []T // S×N, W_inᵀ
	h, p, e, d            []T
	dJ, dWin, dWinT, dOut []T
	loss                  float64

	// jt is a copy of Jᵀ (N×N) made by the forward pass, so that a product with J or Jᵀ can
	// take whichever operand form the BLAS runs fastest.
	jt []T
	// On a SIMD path (nr > 0, the panel width of its packed B, kernelGemm) jt is not used:
	// the forward pass packs Jᵀ and the backward pass J into pk (packB), so that each of
	// the 2·T step products reads B from contiguous panels, and the backward pass packs
	// φ(h_0..h_{T−1}) into pp for ∂l/∂J. Packing changes no bits (gemmPacked).
	nr     int
	pk, pp []T
	// native selects the product forms for gonum's pure-Go BLAS, whose kernels are fast for
	// long dot products (C = A·Bᵀ) and slower for the rank-1 updates of C = Aᵀ·B: it keeps
	// transposed copies so that every product is of the first form:
	//
	//	pt N×(T+1)·B φ(h)ᵀ;  dt N×T·B δᵀ;  it S×T·B Iᵀ;  et R×(T−F+1)·B eᵀ.
	//
	// OpenBLAS packs its operands itself and needs no copies, and the SIMD kernels
	// (kernel.go) run the plain and the Aᵀ·B forms directly.
	native         bool
	pt, dt, it, et []T

	hasBias bool // some bias is non-zero (it is zero unless set by hand)
}

// newFusedWork allocates the buffers of the unroll of sp with the products of the named
// kernel path (see KernelPaths), each large product spread over up to threads goroutines
// (splitColumns).
func newFusedWork[T float32 | float64](sp model.Spec, bias []float64, path string, threads int) (*fusedWork[T], error) {
	gemm, nr, err := kernelGemm[T](path)
	if err != nil {
		return nil, err
	}
	simd := nr > 0
	if path == "openblas" {
		// OpenBLAS's sgemm rounds differently for different widths of C (measured:
		// TestFusedThreadsBitExact failed at N = 520 in float32), so column blocks would
		// change the bits with the thread count: its products stay whole, on one core.
		threads = 1
	}
	gemm, stop := splitColumns(gemm, threads)
	n, s, r, b, steps := sp.N, sp.S, sp.R, sp.Trials, sp.Steps
	w := &fusedWork[T]{
		n: n, s: s, r: r, b: b, steps: steps, first: sp.FirstCounted(),
		leak: sp.Leak(), gain: sp.InputGain(), norm: sp.LossNorm(), reg: sp.ActivityReg,
		phi: sp.Phi.Name, gemm: gemm,
		bias: make([]T, n), winT: make([]T, s*n),
		h: make([]T, (steps+1)*b*n), p: make([]T, (steps+1)*b*n),
		d:  make([]T, steps*b*n),
		dJ: make([]T, n*n), dWin: make([]T, n*s), dWinT: make([]T, s*n), dOut: make([]T, r*n),
	}
	w.e = make([]T, w.counted()*r)
	if w.nr = nr; simd {
		w.pk, w.pp = make([]T, packedLen(n, n, nr)), make([]T, packedLen(steps*b, n, nr))
	} else {
		w.jt = make([]T, n*n)
	}
	if w.native = !simd && BLASName() == "gonum"; w.native {
		w.pt, w.dt = make([]T, n*(steps+1)*b), make([]T, n*steps*b)
		w.it, w.et = make([]T, s*steps*b), make([]T, r*w.counted())
	}
	for i, v := range bias {
		w.bias[i] = T(v)
		w.hasBias = w.hasBias || v != 0
	}
	// The helper goroutines of the products end when the work is garbage.
	runtime.AddCleanup(w, func(stop func()) { stop() }, stop)
	return w, nil
}

// counted is the number (T−F+1)·B of rows that enter the loss.
func (w *fusedWork[T]) counted() int { return (w.steps - w.first + 1) * w.b }

// forward integrates the unroll and returns the loss (package doc):
//
//	h_{t+1} = (1−a)·h_t + a·J·φ(h_t) + a·(bias + g·W_in·I_t) + s·ζ_t,   t = 0..T−1,
//	l = (1/Z) Σ_{ti=F}^{T} [ ‖W_out·φ(h_ti)/N − y_ti‖² + λ_act‖h_ti‖² ].
//
// The input drive of all steps is one product, a·g·I·W_inᵀ, written straight into the state
// blocks 1..T; each step then adds the leak, bias and noise and accumulates a·φ(h_t)·Jᵀ into
// its block with one Gemm. The readout of all counted states is one more product.
func (w *fusedWork[T]) forward(J, win, wout, h0, in, noise, target []T) float64 {
	n, b, s, r := w.n, w.b, w.s, w.r
	nb := n * b
	a := T(w.leak)
	copy(w.h[:nb], h0)
	for i := 0; i < n; i++ {
		for k := 0; k < s; k++ {
			w.winT[k*n+i] = win[i*s+k]
		}
	}
	w.gemm(blas.NoTrans, blas.NoTrans, w.steps*b, n, s, a*T(w.gain), in, s, w.winT, n, 0, w.h[nb:], n)
	if w.hasBias {
		for row := b; row < (w.steps+1)*b; row++ {
			hr := w.h[row*n : (row+1)*n]
			for i, v := range w.bias {
				hr[i] += a * v
			}
		}
	}
	var act float64
	w.advance(0, noise, &act)
	// h_{t+1} += a·φ(h_t)·Jᵀ: gonum's kernels are fastest with dot products against the
	// rows of J (C = A·Bᵀ), OpenBLAS with the plain product by a copy of Jᵀ (measured).
	jt, tJ := J, blas.Trans
	switch {
	case w.nr > 0:
		packB(w.pk, J, n, n, n, w.nr, true)
		jt, tJ = w.pk, packedB
	case !w.native:
		scatterT(w.jt, n, 0, J, n, n)
		jt, tJ = w.jt, blas.NoTrans
	default:
		scatterT(w.jt, n, 0, J, n, n)
	}
	for t := 0; t < w.steps; t++ {
		w.gemm(blas.NoTrans, tJ, b, n, n, a, w.p[t*nb:], n, jt, n, 1, w.h[(t+1)*nb:(t+2)*nb], n)
		w.advance(t+1, noise, &act)
	}

	// Readout error of the counted states F..T: e = φ(h)·W_outᵀ/N − y.
	rows := w.counted()
	w.gemm(blas.NoTrans, blas.Trans, rows, r, n, T(1/float64(n)), w.p[w.first*nb:], n, wout, n, 0, w.e, r)
	y := target[(w.first-1)*b*r:]
	var se float64
	for i := range w.e {
		w.e[i] -= y[i]
		se += float64(w.e[i]) * float64(w.e[i])
	}
	w.loss = (se + w.reg*act) / w.norm
	return w.loss
}

// advance finishes state block t once J·φ(h_{t−1}) has been added to it: it sets
// p_t = φ(h_t), adds the leak and noise of the next step to block t+1 (which already holds
// its input drive), h_{t+1} += (1−a)·h_t + s·ζ_t, and adds ‖h_t‖² to act when t is counted.
// One pass over the block does all of it while the block is in cache.
func (w *fusedWork[T]) advance(t int, noise []T, act *float64) {
	nb := w.n * w.b
	h, p := w.h[t*nb:(t+1)*nb], w.p[t*nb:(t+1)*nb]
	if t < w.steps {
		phiStep(w.phi, p, h, w.h[(t+1)*nb:(t+2)*nb], noise[t*nb:(t+1)*nb], 1-T(w.leak))
	} else {
		applyPhiT(w.phi, p, h)
	}
	if w.reg != 0 && t >= w.first {
		var sum float64
		for _, v := range h {
			sum += float64(v) * float64(v)
		}
		*act += sum
	}
	if w.native {
		scatterT(w.pt, (w.steps+1)*w.b, t*w.b, p, w.b, w.n)
	}
}

// backward runs backpropagation through time for the trajectory of the last forward pass
// and leaves ∂l/∂J, ∂l/∂W_in and ∂l/∂W_out, multiplied by the incoming gradient γ = ∂L/∂l,
// in dJ, dWin and dOut.
//
// With δ_t = ∂l/∂h_t (the total derivative through all later states) and the direct term
//
//	e_t = (2/Z)·[ φ′(h_t) ⊙ (W_outᵀ·(x̂_t − y_t))/N + λ_act·h_t ]   for t ≥ F, else 0,
//
// the recursion runs from δ_T = e_T down to δ_1 (δ_0 is not needed):
//
//	δ_t = e_t + (1−a)·δ_{t+1} + a·φ′(h_t) ⊙ (Jᵀ·δ_{t+1}),
//
// because ∂h_{t+1}/∂h_t = (1−a)·I + a·J·diag(φ′(h_t)). The parameter gradients are then
// sums over all steps, each computed as one product over the whole trajectory:
//
//	∂l/∂J     = a   Σ_{t=0}^{T−1} δ_{t+1}·φ(h_t)ᵀ
//	∂l/∂W_in  = a·g Σ_{t=0}^{T−1} δ_{t+1}·I_tᵀ
//	∂l/∂W_out = (2/(Z·N)) Σ_{t=F}^{T} (x̂_t − y_t)·φ(h_t)ᵀ.
//
// In the loop, block t−1 of d first holds the readout part of e_t (one product E·W_out for
// all counted t), gets a·δ_{t+1}·J added by one Gemm per step (the trial-major form of
// a·Jᵀ·δ_{t+1}), and is then turned into δ_t element-wise.
func (w *fusedWork[T]) backward(J, wout, in []T, gamma float64) {
	n, b, s, r := w.n, w.b, w.s, w.r
	nb := n * b
	a := T(w.leak)
	c := 2 * gamma / w.norm
	cOut := T(c / float64(n))
	cReg := T(c * w.reg)
	off := (w.first - 1) * nb
	clear(w.d[:off])
	w.gemm(blas.NoTrans, blas.NoTrans, w.counted(), n, r, cOut, w.e, r, wout, n, 0, w.d[off:], n)
	keep := 1 - a
	bt := w.steps * b
	jb, tJ := J, blas.NoTrans
	if w.nr > 0 {
		packB(w.pk, J, n, n, n, w.nr, false)
		jb, tJ = w.pk, packedB
	}
	for t := w.steps; t >= 1; t-- {
		blk := w.d[(t-1)*nb : t*nb]
		var later []T // δ_{t+1}
		if t < w.steps {
			later = w.d[t*nb : (t+1)*nb]
			if w.native {
				w.gemm(blas.NoTrans, blas.Trans, b, n, n, a, later, n, w.jt, n, 1, blk, n)
			} else {
				w.gemm(blas.NoTrans, tJ, b, n, n, a, later, n, jb, n, 1, blk, n)
			}
		}
		reg := cReg
		if t < w.first {
			reg = 0
		}
		derivStep(w.phi, blk, w.h[t*nb:(t+1)*nb], w.p[t*nb:(t+1)*nb], later, keep, reg)
		if w.native {
			scatterT(w.dt, bt, (t-1)*b, blk, b, n)
		}
	}
	if w.native {
		ldp := (w.steps + 1) * b
		rows := w.counted()
		scatterT(w.it, bt, 0, in, bt, s)
		scatterT(w.et, rows, 0, w.e, rows, r)
		w.gemm(blas.NoTrans, blas.Trans, n, n, bt, a, w.dt, bt, w.pt, ldp, 0, w.dJ, n)
		w.gemm(blas.NoTrans, blas.Trans, n, s, bt, a*T(w.gain), w.dt, bt, w.it, bt, 0, w.dWin, s)
		w.gemm(blas.NoTrans, blas.Trans, r, n, rows, cOut, w.et, rows, w.pt[w.first*b:], ldp, 0, w.dOut, n)
		return
	}
	if w.nr > 0 {
		packB(w.pp, w.p, n, bt, n, w.nr, false)
		w.gemm(blas.Trans, packedB, n, n, bt, a, w.d, n, w.pp, n, 0, w.dJ, n)
	} else {
		w.gemm(blas.Trans, blas.NoTrans, n, n, bt, a, w.d, n, w.p, n, 0, w.dJ, n)
	}
	w.gemm(blas.Trans, blas.NoTrans, s, n, bt, a*T(w.gain), in, s, w.d, n, 0, w.dWinT, n)
	for k := 0; k < s; k++ {
		for i := 0; i < n; i++ {
			w.dWin[i*s+k] = w.dWinT[k*n+i]
		}
	}
	w.gemm(blas.Trans, blas.NoTrans, r, n, w.counted(), cOut, w.e, r, w.p[w.first*nb:], n, 0, w.dOut, n)
}

// scatterT writes the transpose of the r×c row-major src into columns col..col+r−1 of the
// row-major dst with leading dimension ld: dst[j·ld + col + i] = src[i·c + j].
func scatterT[T float32 | float64](dst []T, ld, col int, src []T, r, c int) {
	for i := 0; i < r; i++ {
		for j, v := range src[i*c : (i+1)*c] {
			dst[j*ld+col+i] = v
		}
	}
}

// derivStep turns blk (holding the readout part of e_t plus a·Jᵀδ_{t+1}) into δ_t:
//
//	blk ← φ′(h) ⊙ blk + keep·later + reg·h,
//
// with φ′ taken from h or from p = φ(h); later is nil at t = T (δ_{T+1} = 0).
func derivStep[T float32 | float64](phi model.Nonlinearity, blk, h, p, later []T, keep, reg T) {
	if later == nil {
		keep, later = 0, h // keep·later vanishes; h only supplies a slice of the right length
	}
	blk, h, p, later = blk[:len(h)], h[:len(h)], p[:len(h)], later[:len(h)]
	switch phi {
	case model.ReLU:
		i0 := 0
		if f := reluDerivF32; f != nil {
			if b, ok := any(blk).([]float32); ok {
				i0 = f(b, any(h).([]float32), any(later).([]float32), float32(keep), float32(reg))
			}
		}
		reluDeriv(blk[i0:], h[i0:], later[i0:], keep, reg)
	case model.Sigmoid:
		for i, v := range p {
			blk[i] = blk[i]*(v*(1-v)) + keep*later[i] + reg*h[i]
		}
	case model.Tanh:
		for i, v := range p {
			blk[i] = blk[i]*(1-v*v) + keep*later[i] + reg*h[i]
		}
	case model.ThreshQuad:
		for i, v := range h {
			blk[i] = blk[i]*(2*max(v, 0)) + keep*later[i] + reg*v
		}
	case model.Linear:
		for i, v := range h {
			blk[i] += keep*later[i] + reg*v
		}
	default:
		panic("model: no fused form for nonlinearity " + phi)
	}
}

// reluDeriv is the relu case of derivStep, blk ← step(h) ⊙ blk + keep·later + reg·h with
// step(h) = 1 for h > 0, else 0. The signs of h are unpredictable, and a mispredicted
// branch per element costs about three times the whole update, so step(h) is applied as a
// bit mask: for the bits x of h read as a signed integer, (−x & ^x) has its sign bit set
// exactly when x > 0 (h > +0), and an arithmetic shift spreads that bit over the word.
func reluDeriv[T float32 | float64](blk, h, later []T, keep, reg T) {
	switch b := any(blk).(type) {
	case []float32:
		hh, ll := any(h).([]float32), any(later).([]float32)
		k, r := float32(keep), float32(reg)
		b, ll = b[:len(hh)], ll[:len(hh)]
		for i, v := range hh {
			x := int32(math.Float32bits(v))
			mask := uint32((-x & ^x) >> 31)
			b[i] = math.Float32frombits(math.Float32bits(b[i])&mask) + k*ll[i] + r*v
		}
	case []float64:
		hh, ll := any(h).([]float64), any(later).([]float64)
		k, r := float64(keep), float64(reg)
		b, ll = b[:len(hh)], ll[:len(hh)]
		for i, v := range hh {
			x := int64(math.Float64bits(v))
			mask := uint64((-x & ^x) >> 63)
			b[i] = math.Float64frombits(math.Float64bits(b[i])&mask) + k*ll[i] + r*v
		}
	}
}

// reluStepF32 and reluDerivF32, when set (kernel_elem_simd.go), do the relu cases of
// phiStep and derivStep in float32 on a prefix of the elements, with the same bits, and
// return its length.
var (
	reluStepF32  func(p, h, next, z []float32, keep float32) int
	reluDerivF32 func(blk, h, later []float32, keep, reg float32) int
)

// phiStep sets p = φ(h) and next += keep·h + z element-wise.
func phiStep[T float32 | float64](phi model.Nonlinearity, p, h, next, z []T, keep T) {
	p, next, z = p[:len(h)], next[:len(h)], z[:len(h)]
	switch phi {
	case model.ReLU:
		i0 := 0
		if f := reluStepF32; f != nil {
			if pp, ok := any(p).([]float32); ok {
				i0 = f(pp, any(h).([]float32), any(next).([]float32), any(z).([]float32), float32(keep))
			}
		}
		for i := i0; i < len(h); i++ {
			v := h[i]
			p[i] = max(v, 0)
			next[i] += keep*v + z[i]
		}
	case model.Sigmoid:
		for i, v := range h {
			p[i] = T(1 / (1 + math.Exp(-float64(v))))
			next[i] += keep*v + z[i]
		}
	case model.Tanh:
		for i, v := range h {
			p[i] = T(math.Tanh(float64(v)))
			next[i] += keep*v + z[i]
		}
	case model.ThreshQuad:
		for i, v := range h {
			x := max(v, 0)
			p[i] = x * x
			next[i] += keep*v + z[i]
		}
	case model.Linear:
		for i, v := range h {
			p[i] = v
			next[i] += keep*v + z[i]
		}
	default:
		panic("model: no fused form for nonlinearity " + phi)
	}
}

// applyPhiT sets dst = φ(src) element-wise.
func applyPhiT[T float32 | float64](phi model.Nonlinearity, dst, src []T) {
	switch phi {
	case model.ReLU:
		for i, v := range src {
			dst[i] = max(v, 0)
		}
	case model.Sigmoid:
		for i, v := range src {
			dst[i] = T(1 / (1 + math.Exp(-float64(v))))
		}
	case model.Tanh:
		for i, v := range src {
			dst[i] = T(math.Tanh(float64(v)))
		}
	case model.ThreshQuad:
		for i, v := range src {
			v = max(v, 0)
			dst[i] = v * v
		}
	case model.Linear:
		copy(dst, src)
	default:
		panic("model: no fused form for nonlinearity " + phi)
	}
}
