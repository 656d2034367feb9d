package engine

import (
	"fmt"
	"github.com/balnet/balnet/model"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Float is the element type of a graph: float32 or float64.
type Float interface{ ~float32 | ~float64 }

// Graph is the Gorgonia expression graph of one unrolled batch, built once per run. Its
// inputs (initial state, per-step input, noise and target blocks) are nodes whose backing
// arrays are refilled before every Run, and its tape machine is reused with Reset.
//
// Every node of the graph has a unique name: Gorgonia merges nodes with equal names.
type Graph struct {
	spec  model.Spec
	dtype tensor.Dtype
	g     *G.ExprGraph
	vm    G.VM

	params  paramNodes
	h0      *G.Node
	inputs  []*G.Node // per step, S×B
	noise   []*G.Node // per step, N×B, already scaled by σ√(Δt/τ)
	targets []*G.Node // per step, R×B
	final   G.Value   // h_T, read during the forward pass
	loss    *G.Node
}

// NewGraph builds the graph for sp in the given dtype (tensor.Float32 or tensor.Float64)
// with the parameter values of p. The graph owns its copies of the parameters: use
// ParamData to read or update them in place.
func NewGraph(sp model.Spec, dtype tensor.Dtype, p *model.Params) (*Graph, error) {
	if dtype != tensor.Float32 && dtype != tensor.Float64 {
		return nil, fmt.Errorf("model: unsupported dtype %v (allowed: float32, float64)", dtype)
	}
	gr := &Graph{spec: sp, dtype: dtype, g: G.NewGraph()}
	n, s, r, b := sp.N, sp.S, sp.R, sp.Trials
	gr.params[0] = gr.matrix("J", n, n, p.J.RawMatrix().Data)
	gr.params[1] = gr.matrix("W_in", n, s, p.Win.RawMatrix().Data)
	gr.params[2] = gr.matrix("W_out", r, n, p.Wout.RawMatrix().Data)
	bias := make([]float64, n*b)
	for i := 0; i < n; i++ {
		for k := 0; k < b; k++ {
			bias[i*b+k] = p.Bias[i]
		}
	}
	biasNode := gr.matrix("bias", n, b, bias)
	gr.h0 = gr.matrix("h_000", n, b, nil)

	leak := gr.scalar("dt_over_tau", sp.Leak())
	gain := gr.scalar("b_over_S", sp.InputGain())
	invN := gr.scalar("one_over_N", 1/float64(n))
	reg := gr.scalar("lambda_act", sp.ActivityReg)
	J, Win, Wout := gr.params[0], gr.params[1], gr.params[2]

	h := gr.h0
	ph, err := gr.phi(h)
	if err != nil {
		return nil, err
	}
	var terms G.Nodes
	for t := 0; t < sp.Steps; t++ {
		in := gr.matrix(fmt.Sprintf("input_%03d", t), s, b, nil)
		nz := gr.matrix(fmt.Sprintf("noise_%03d", t), n, b, nil)
		y := gr.matrix(fmt.Sprintf("target_%03d", t), r, b, nil)
		gr.inputs, gr.noise, gr.targets = append(gr.inputs, in), append(gr.noise, nz), append(gr.targets, y)

		// dh = −h + J·φ(h) + (b/S)·W_in·I_t + bias, in this order (see model.Simulate).
		dh := G.Must(G.Add(G.Must(G.Neg(h)), G.Must(G.Mul(J, ph))))
		dh = G.Must(G.Add(dh, G.Must(G.Mul(gain, G.Must(G.Mul(Win, in))))))
		dh = G.Must(G.Add(dh, biasNode))
		h = G.Must(G.Add(G.Must(G.Add(h, G.Must(G.Mul(leak, dh)))), nz))
		if ph, err = gr.phi(h); err != nil {
			return nil, err
		}
		if t+1 < sp.FirstCounted() {
			continue
		}
		out := G.Must(G.Mul(G.Must(G.Mul(Wout, ph)), invN))
		se := G.Must(G.Sum(G.Must(G.Square(G.Must(G.Sub(out, y))))))
		act := G.Must(G.Sum(G.Must(G.Square(h))))
		terms = append(terms, G.Must(G.Add(se, G.Must(G.Mul(reg, act)))))
	}
	G.Read(h, &gr.final)
	total := terms[0]
	for _, tm := range terms[1:] {
		total = G.Must(G.Add(total, tm))
	}
	gr.loss = G.Must(G.Div(total, gr.scalar("loss_norm", sp.LossNorm())))
	if _, err := G.Grad(gr.loss, gr.params[:]...); err != nil {
		return nil, fmt.Errorf("model: differentiating the graph: %w", err)
	}
	gr.vm = G.NewTapeMachine(gr.g, G.BindDualValues(gr.params[:]...))
	return gr, nil
}

// phi appends φ(x) to the graph.
func (gr *Graph) phi(x *G.Node) (*G.Node, error) {
	switch gr.spec.Phi.Name {
	case model.ReLU:
		return G.Rectify(x)
	case model.Sigmoid:
		return G.Sigmoid(x)
	case model.Tanh:
		return G.Tanh(x)
	case model.Linear:
		return x, nil
	case model.ThreshQuad:
		r, err := G.Rectify(x)
		if err != nil {
			return nil, err
		}
		return G.Square(r)
	}
	return nil, fmt.Errorf("model: no graph form for nonlinearity %q", gr.spec.Phi.Name)
}

// matrix adds an r×c matrix node holding a copy of init (zeros when init is nil).
func (gr *Graph) matrix(name string, r, c int, init []float64) *G.Node {
	var backing any
	switch gr.dtype {
	case tensor.Float32:
		v := make([]float32, r*c)
		for i := range init {
			v[i] = float32(init[i])
		}
		backing = v
	default:
		v := make([]float64, r*c)
		copy(v, init)
		backing = v
	}
	t := tensor.New(tensor.WithShape(r, c), tensor.WithBacking(backing))
	return G.NewMatrix(gr.g, gr.dtype, G.WithShape(r, c), G.WithName(name), G.WithValue(t))
}

func (gr *Graph) scalar(name string, v float64) *G.Node {
	var val any = v
	if gr.dtype == tensor.Float32 {
		val = float32(v)
	}
	return G.NewConstant(val, G.WithName(name))
}

// Dtype returns the element type of the graph.
func (gr *Graph) Dtype() tensor.Dtype { return gr.dtype }

// FinalState returns a float64 copy of the N×B state h_T of the last Run (row-major).
func (gr *Graph) FinalState() []float64 {
	switch d := gr.final.Data().(type) {
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out
	case []float64:
		return append([]float64(nil), d...)
	}
	return nil
}

// Run evaluates the loss and its gradient for one batch: the N×B initial state h0
// (row-major), the step-major input, standard-normal noise ζ and target. The gradients are
// zeroed first, so they never accumulate across runs.
func (gr *Graph) Run(h0, input, noise, target []float64) (float64, error) {
	sp := gr.spec
	if len(h0) != sp.N*sp.Trials || len(input) != sp.InputLen() || len(noise) != sp.NoiseLen() || len(target) != sp.TargetLen() {
		panic("model: batch arrays do not match the graph's spec")
	}
	fill(gr.h0, h0, 1)
	sb, nb, rb := sp.S*sp.Trials, sp.N*sp.Trials, sp.R*sp.Trials
	scale := sp.NoiseScale()
	for t := 0; t < sp.Steps; t++ {
		fill(gr.inputs[t], input[t*sb:(t+1)*sb], 1)
		fill(gr.noise[t], noise[t*nb:(t+1)*nb], scale)
		fill(gr.targets[t], target[t*rb:(t+1)*rb], 1)
	}
	gr.params.zeroGrads()
	defer gr.vm.Reset()
	if err := gr.vm.RunAll(); err != nil {
		return math.NaN(), fmt.Errorf("model: running the graph: %w", err)
	}
	switch v := gr.loss.Value().Data().(type) {
	case float32:
		return float64(v), nil
	case float64:
		return v, nil
	}
	return math.NaN(), fmt.Errorf("model: loss has unexpected type %T", gr.loss.Value().Data())
}

// fill copies scale·src into the node's backing array, converting to its dtype.
func fill(n *G.Node, src []float64, scale float64) {
	switch d := n.Value().Data().(type) {
	case []float32:
		for i, v := range src {
			d[i] = float32(scale * v)
		}
	case []float64:
		for i, v := range src {
			d[i] = scale * v
		}
	}
}
