package engine

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// fusedKernel is what the fused ops run: a fusedWork of either element type.
type fusedKernel interface {
	// forwardValues runs the unroll for the op inputs (J, W_in, W_out, h0, input, noise,
	// target) and returns the loss as a scalar Value of the kernel's dtype.
	forwardValues(in []G.Value) (G.Value, error)
	// backwardValues runs BPTT for the same inputs and the incoming gradient γ of the loss
	// and returns γ·∂l/∂J; gradValue then returns γ·∂l/∂W_in (1) and γ·∂l/∂W_out (2).
	backwardValues(in []G.Value, gamma G.Value) (G.Value, error)
	gradValue(k int) G.Value
	// id distinguishes the ops of different engines (Gorgonia merges equal nodes by hash).
	id() string
	dims() (n, s, r int)
}

// fusedLossOp is the whole Euler–Maruyama unroll and its loss as one Gorgonia op:
//
//	l = fused(J, W_in, W_out, h0, I, ζ, y)     (7 matrices → scalar; see fusedWork.forward)
//
// It is differentiable with respect to J, W_in and W_out (SymDiff): the gradient node is a
// fusedBPTTOp, which returns ∂l/∂J and leaves ∂l/∂W_in and ∂l/∂W_out for two fusedGradOp
// nodes that read them (Gorgonia ops have a single output).
type fusedLossOp struct{ k fusedKernel }

// fusedBPTTOp is backpropagation through time for a fusedLossOp. Its inputs are those of
// the loss op followed by the loss node (so that it runs after the forward pass) and the
// incoming gradient; its output is ∂l/∂J (N×N).
type fusedBPTTOp struct{ k fusedKernel }

// fusedGradOp returns the gradient with respect to W_in (which = 1) or W_out (which = 2)
// computed by the fusedBPTTOp that is its only input.
type fusedGradOp struct {
	k     fusedKernel
	which int
}

const fusedArity = 7

func matrixType() G.TensorType { return G.TensorType{Dims: 2, Of: hm.TypeVariable('a')} }

func (op fusedLossOp) Arity() int { return fusedArity }
func (op fusedLossOp) Type() hm.Type {
	m := matrixType()
	return hm.NewFnType(m, m, m, m, m, m, m, hm.TypeVariable('a'))
}
func (op fusedLossOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}
func (op fusedLossOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != fusedArity {
		return nil, fmt.Errorf("model: %v got %d inputs, want %d", op, len(in), fusedArity)
	}
	return op.k.forwardValues(in)
}
func (op fusedLossOp) ReturnsPtr() bool      { return true }
func (op fusedLossOp) CallsExtern() bool     { return false }
func (op fusedLossOp) OverwritesInput() int  { return -1 }
func (op fusedLossOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op fusedLossOp) Hashcode() uint32      { return opHash(op) }
func (op fusedLossOp) String() string        { return "fused_loss_" + op.k.id() }

// DiffWRT: the loss is differentiable with respect to the parameters J, W_in and W_out,
// not the batch.
func (op fusedLossOp) DiffWRT(int) []bool {
	return []bool{true, true, true, false, false, false, false}
}

// SymDiff adds the BPTT node and the two nodes that read its other gradients.
func (op fusedLossOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != fusedArity {
		return nil, fmt.Errorf("model: %v differentiated with %d inputs, want %d", op, len(inputs), fusedArity)
	}
	children := append(append(G.Nodes{}, inputs...), output, grad)
	dJ, err := G.ApplyOp(fusedBPTTOp(op), children...)
	if err != nil {
		return nil, err
	}
	dWin, err := G.ApplyOp(fusedGradOp{op.k, 1}, dJ)
	if err != nil {
		return nil, err
	}
	dWout, err := G.ApplyOp(fusedGradOp{op.k, 2}, dJ)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dJ, dWin, dWout, nil, nil, nil, nil}, nil
}

func (op fusedBPTTOp) Arity() int { return fusedArity + 2 }
func (op fusedBPTTOp) Type() hm.Type {
	m, a := matrixType(), hm.TypeVariable('a')
	return hm.NewFnType(m, m, m, m, m, m, m, a, a, m)
}
func (op fusedBPTTOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	n, _, _ := op.k.dims()
	return tensor.Shape{n, n}, nil
}
func (op fusedBPTTOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != fusedArity+2 {
		return nil, fmt.Errorf("model: %v got %d inputs, want %d", op, len(in), fusedArity+2)
	}
	return op.k.backwardValues(in[:fusedArity], in[fusedArity+1])
}
func (op fusedBPTTOp) ReturnsPtr() bool      { return true }
func (op fusedBPTTOp) CallsExtern() bool     { return false }
func (op fusedBPTTOp) OverwritesInput() int  { return -1 }
func (op fusedBPTTOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op fusedBPTTOp) Hashcode() uint32      { return opHash(op) }
func (op fusedBPTTOp) String() string        { return "fused_bptt_" + op.k.id() }

func (op fusedGradOp) Arity() int { return 1 }
func (op fusedGradOp) Type() hm.Type {
	m := matrixType()
	return hm.NewFnType(m, m)
}
func (op fusedGradOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	n, s, r := op.k.dims()
	if op.which == 1 {
		return tensor.Shape{n, s}, nil
	}
	return tensor.Shape{r, n}, nil
}
func (op fusedGradOp) Do(in ...G.Value) (G.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("model: %v got %d inputs, want 1", op, len(in))
	}
	return op.k.gradValue(op.which), nil
}
func (op fusedGradOp) ReturnsPtr() bool      { return true }
func (op fusedGradOp) CallsExtern() bool     { return false }
func (op fusedGradOp) OverwritesInput() int  { return -1 }
func (op fusedGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op fusedGradOp) Hashcode() uint32      { return opHash(op) }
func (op fusedGradOp) String() string {
	return [3]string{"", "fused_grad_W_in_", "fused_grad_W_out_"}[op.which] + op.k.id()
}

func opHash(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// fusedValues binds a fusedWork to Gorgonia values: the op outputs wrap the work's own
// buffers, so that running the ops allocates nothing proportional to the unroll.
type fusedValues[T float32 | float64] struct {
	*fusedWork[T]
	name    string
	loss    G.Value // *G.F32 or *G.F64, updated in place
	setLoss func(float64)
	grads   [3]*tensor.Dense // dJ, dW_in, dW_out
}

func newFusedValues[T float32 | float64](w *fusedWork[T], name string) *fusedValues[T] {
	fv := &fusedValues[T]{fusedWork: w, name: name}
	switch any(T(0)).(type) {
	case float32:
		v := G.NewF32(0)
		fv.loss, fv.setLoss = v, func(x float64) { *v = G.F32(x) }
	default:
		v := G.NewF64(0)
		fv.loss, fv.setLoss = v, func(x float64) { *v = G.F64(x) }
	}
	fv.grads[0] = tensor.New(tensor.WithShape(w.n, w.n), tensor.WithBacking(w.dJ))
	fv.grads[1] = tensor.New(tensor.WithShape(w.n, w.s), tensor.WithBacking(w.dWin))
	fv.grads[2] = tensor.New(tensor.WithShape(w.r, w.n), tensor.WithBacking(w.dOut))
	return fv
}

func (fv *fusedValues[T]) id() string          { return fv.name }
func (fv *fusedValues[T]) dims() (n, s, r int) { return fv.n, fv.s, fv.r }

func (fv *fusedValues[T]) forwardValues(in []G.Value) (G.Value, error) {
	var x [fusedArity][]T
	if err := fv.slices(x[:], in); err != nil {
		return nil, err
	}
	fv.setLoss(fv.forward(x[0], x[1], x[2], x[3], x[4], x[5], x[6]))
	return fv.loss, nil
}

func (fv *fusedValues[T]) backwardValues(in []G.Value, gamma G.Value) (G.Value, error) {
	var x [fusedArity][]T
	if err := fv.slices(x[:], in); err != nil {
		return nil, err
	}
	var g float64
	switch v := gamma.(type) {
	case *G.F32:
		g = float64(*v)
	case *G.F64:
		g = float64(*v)
	default:
		return nil, fmt.Errorf("model: incoming gradient of the fused loss is %T, want a scalar", gamma)
	}
	fv.backward(x[0], x[2], x[4], g)
	return fv.grads[0], nil
}

func (fv *fusedValues[T]) gradValue(k int) G.Value { return fv.grads[k] }

// slices extracts the backing arrays of the op inputs and checks their lengths (a wrong
// length is a programmer error: the graph was built for this spec).
func (fv *fusedValues[T]) slices(dst [][]T, in []G.Value) error {
	n, s, r, bt := fv.n, fv.s, fv.r, fv.steps*fv.b
	want := [fusedArity]int{n * n, n * s, r * n, fv.b * n, bt * s, bt * n, bt * r}
	for i, v := range in {
		d, ok := v.Data().([]T)
		if !ok {
			return fmt.Errorf("model: fused op input %d holds %T, want %T", i, v.Data(), dst[i])
		}
		if len(d) != want[i] {
			panic(fmt.Sprintf("model: fused op input %d has %d elements, want %d", i, len(d), want[i]))
		}
		dst[i] = d
	}
	return nil
}
