package engine

import (
	"fmt"
	"github.com/balnet/balnet/model"
	"math"
	"sync/atomic"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Fused is the engine "fused": a Gorgonia graph whose loss is one custom op running the
// whole Euler–Maruyama unroll, readout and loss (fusedLossOp), and whose gradient is the
// op's own backpropagation through time (fusedBPTTOp), registered with Gorgonia through
// SymDiff and executed by the graph's tape machine. Forward and backward are matrix products
// (the register-blocked AVX2/AVX-512 kernels of kernel.go in a build with GOEXPERIMENT=simd
// on a CPU that has them, else gonum's blas32/blas64, or OpenBLAS in a build with the
// openblas tag; see KernelPaths) on buffers allocated
// once by NewFused, so that a Run allocates nothing proportional to the number of steps T.
//
// The graph has the parameter nodes J (N×N), W_in (N×S) and W_out (R×N), four batch nodes
// holding the trial-major copies of one batch (h0 B×N, input T·B×S, noise T·B×N multiplied
// by σ√(Δt/τ), target T·B×R; see fusedWork), the loss node and the gradient nodes. It is
// built once and its machine is reused with Reset; every node has a unique name.
//
// A Fused built by NewFused runs on the calling goroutine's core only: its products never
// fan out to other goroutines (see sgemm), and with OpenBLAS the library runs one thread;
// NewFusedThreads lets a big network's products use more cores. Several trainings
// therefore run in parallel as separate processes (or goroutines), one per core: at the
// shapes of one step (an N×N by N×B product with B ≈ 10) splitting a product over cores
// costs more in synchronization than it saves.
type Fused struct {
	spec   model.Spec
	dtype  tensor.Dtype
	g      *G.ExprGraph
	vm     G.VM
	params paramNodes
	loss   *G.Node
	batch  fusedBatch
}

// fusedBatch converts a batch into the graph's trial-major batch nodes and reads the final
// state back; it hides the element type.
type fusedBatch interface {
	load(h0, input, noise, target []float64)
	final() []float64
	noiseBuffer() NoiseBuffer
}

var (
	_ Engine      = (*Fused)(nil)
	_ NoiseWriter = (*Fused)(nil)
)

var fusedCount atomic.Int64

// NewFused builds the fused engine for sp in the given dtype (tensor.Float32 or
// tensor.Float64) with the parameter values of p. Like NewGraph, the engine owns its copies
// of the parameters: use ParamData to read or update them in place. It panics when the
// dimensions of p do not match sp.
//
// Its products run on the default kernel path of the build and CPU (KernelName: the SIMD
// kernels where available, else gonum, or OpenBLAS in an openblas build).
func NewFused(sp model.Spec, dtype tensor.Dtype, p *model.Params) (*Fused, error) {
	return newFused(sp, dtype, p, KernelName(), 1)
}

// NewFusedThreads is NewFused with every large product (at least 2²⁰ multiply-adds and
// 256 columns, as at N ≥ 500) spread over up to threads goroutines; the results are the
// same bits as with one (configuration key train.threads). See the note on cores at Fused.
func NewFusedThreads(sp model.Spec, dtype tensor.Dtype, p *model.Params, threads int) (*Fused, error) {
	return newFused(sp, dtype, p, KernelName(), threads)
}

// newFused is NewFusedThreads on the named kernel path (one of KernelPaths).
func newFused(sp model.Spec, dtype tensor.Dtype, p *model.Params, path string, threads int) (*Fused, error) {
	if dtype != tensor.Float32 && dtype != tensor.Float64 {
		return nil, fmt.Errorf("model: unsupported dtype %v (allowed: float32, float64)", dtype)
	}
	switch sp.Phi.Name {
	case model.ReLU, model.Sigmoid, model.Tanh, model.Linear, model.ThreshQuad:
	default:
		return nil, fmt.Errorf("model: no fused form for nonlinearity %q (allowed: %v)", sp.Phi.Name, model.Nonlinearities)
	}
	if n, s, r := p.Dims(); n != sp.N || s != sp.S || r != sp.R || len(p.Bias) != sp.N {
		panic("model: parameter dimensions do not match the spec")
	}
	f := &Fused{spec: sp, dtype: dtype, g: G.NewGraph()}
	name := fmt.Sprintf("%d", fusedCount.Add(1))
	var k fusedKernel
	var batch G.Nodes
	var err error
	if dtype == tensor.Float32 {
		k, f.batch, batch, err = buildFused[float32](f.g, sp, p, name, path, threads, (*[3]*G.Node)(&f.params))
	} else {
		k, f.batch, batch, err = buildFused[float64](f.g, sp, p, name, path, threads, (*[3]*G.Node)(&f.params))
	}
	if err != nil {
		return nil, err
	}
	if f.loss, err = G.ApplyOp(fusedLossOp{k}, append(f.params[:], batch...)...); err != nil {
		return nil, fmt.Errorf("model: building the fused graph: %w", err)
	}
	if _, err := G.Grad(f.loss, f.params[:]...); err != nil {
		return nil, fmt.Errorf("model: differentiating the fused graph: %w", err)
	}
	f.vm = G.NewTapeMachine(f.g, G.BindDualValues(f.params[:]...))
	return f, nil
}

// buildFused adds the parameter nodes and the batch nodes (h0, input, noise, target, the
// op's inputs 3..6) of element type T to g and returns the kernel of the fused ops, the
// batch converter and the batch nodes.
func buildFused[T float32 | float64](g *G.ExprGraph, sp model.Spec, p *model.Params, name, path string, threads int, params *[3]*G.Node) (fusedKernel, fusedBatch, G.Nodes, error) {
	n, s, r, b, bt := sp.N, sp.S, sp.R, sp.Trials, sp.Steps*sp.Trials
	work, err := newFusedWork[T](sp, p.Bias, path, threads)
	if err != nil {
		return nil, nil, nil, err
	}
	params[0], _ = matrixNode[T](g, "J", n, n, p.J.RawMatrix().Data)
	params[1], _ = matrixNode[T](g, "W_in", n, s, p.Win.RawMatrix().Data)
	params[2], _ = matrixNode[T](g, "W_out", r, n, p.Wout.RawMatrix().Data)
	fb := &fusedBatchT[T]{sp: sp, work: work}
	nodes := make(G.Nodes, 4)
	nodes[0], fb.h0 = matrixNode[T](g, "fused_h0", b, n, nil)
	nodes[1], fb.input = matrixNode[T](g, "fused_input", bt, s, nil)
	nodes[2], fb.noise = matrixNode[T](g, "fused_noise", bt, n, nil)
	nodes[3], fb.target = matrixNode[T](g, "fused_target", bt, r, nil)
	return newFusedValues(fb.work, name), fb, nodes, nil
}

// matrixNode adds an r×c matrix node of element type T holding a copy of init (zeros when
// init is nil) and returns it with its backing array.
func matrixNode[T float32 | float64](g *G.ExprGraph, name string, r, c int, init []float64) (*G.Node, []T) {
	v := make([]T, r*c)
	for i, x := range init {
		v[i] = T(x)
	}
	t := tensor.New(tensor.WithShape(r, c), tensor.WithBacking(v))
	return G.NewMatrix(g, t.Dtype(), G.WithShape(r, c), G.WithName(name), G.WithValue(t)), v
}

// fusedBatchT holds the backing arrays of the batch nodes.
type fusedBatchT[T float32 | float64] struct {
	sp                       model.Spec
	h0, input, noise, target []T
	work                     *fusedWork[T]
}

// load copies one batch (N×B initial state, step-major S×B, N×B and R×B blocks) into the
// trial-major batch nodes, multiplying the noise by σ√(Δt/τ); with noise nil the noise
// node keeps what was written to it through NoiseBuffer.
func (fb *fusedBatchT[T]) load(h0, input, noise, target []float64) {
	n, s, r, b := fb.sp.N, fb.sp.S, fb.sp.R, fb.sp.Trials
	for i := 0; i < n; i++ {
		for k, v := range h0[i*b : (i+1)*b] {
			fb.h0[k*n+i] = T(v)
		}
	}
	scale := fb.sp.NoiseScale()
	for t := 0; t < fb.sp.Steps; t++ {
		transposeBlock(fb.input[t*b*s:], input[t*s*b:(t+1)*s*b], s, b, 1)
		if noise != nil {
			transposeBlock(fb.noise[t*b*n:], noise[t*n*b:(t+1)*n*b], n, b, scale)
		}
		transposeBlock(fb.target[t*b*r:], target[t*r*b:(t+1)*r*b], r, b, 1)
	}
}

// transposeBlock sets dst (c×r, row-major) to scale·srcᵀ for the r×c row-major src.
func transposeBlock[T float32 | float64](dst []T, src []float64, r, c int, scale float64) {
	src = src[:r*c]
	for k := 0; k < c; k++ {
		d := dst[k*r : (k+1)*r]
		for i := range d {
			d[i] = T(scale * src[i*c+k])
		}
	}
}

func (fb *fusedBatchT[T]) noiseBuffer() NoiseBuffer {
	nb := NoiseBuffer{N: fb.sp.N, Trials: fb.sp.Trials, Scale: fb.sp.NoiseScale()}
	switch d := any(fb.noise).(type) {
	case []float32:
		nb.F32 = d
	case []float64:
		nb.F64 = d
	}
	return nb
}

// NoiseBuffer returns the fused engine's noise node (NoiseWriter).
func (f *Fused) NoiseBuffer() NoiseBuffer { return f.batch.noiseBuffer() }

// final returns h_T as an N×B row-major float64 matrix.
func (fb *fusedBatchT[T]) final() []float64 {
	n, b := fb.sp.N, fb.sp.Trials
	h := fb.work.h[fb.sp.Steps*b*n:]
	out := make([]float64, n*b)
	for k := 0; k < b; k++ {
		for i, v := range h[k*n : (k+1)*n] {
			out[i*b+k] = float64(v)
		}
	}
	return out
}

// Dtype returns the element type of the engine.
func (f *Fused) Dtype() tensor.Dtype { return f.dtype }

// FinalState returns a float64 copy of the N×B state h_T of the last Run (row-major).
func (f *Fused) FinalState() []float64 { return f.batch.final() }

// Run evaluates the loss and its gradient for one batch: the N×B initial state h0
// (row-major), the step-major input, standard-normal noise ζ and target. The gradients are
// zeroed first, so they never accumulate across runs.
func (f *Fused) Run(h0, input, noise, target []float64) (float64, error) {
	sp := f.spec
	if len(h0) != sp.N*sp.Trials || len(input) != sp.InputLen() || noise != nil && len(noise) != sp.NoiseLen() || len(target) != sp.TargetLen() {
		panic("model: batch arrays do not match the fused engine's spec")
	}
	f.batch.load(h0, input, noise, target)
	f.params.zeroGrads()
	defer f.vm.Reset()
	if err := f.vm.RunAll(); err != nil {
		return math.NaN(), fmt.Errorf("model: running the fused graph: %w", err)
	}
	switch v := f.loss.Value().(type) {
	case *G.F32:
		return float64(*v), nil
	case *G.F64:
		return float64(*v), nil
	}
	return math.NaN(), fmt.Errorf("model: fused loss has unexpected type %T", f.loss.Value())
}
