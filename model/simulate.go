package model

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Trajectory is the outcome of Simulate for one batch: H[ti] is the N×B state at index
// ti = 0..T (H[0] is the initial state) and Out[ti] the R×B readout W_out·φ(h_ti)/N.
type Trajectory struct {
	H   []*mat.Dense
	Out []*mat.Dense
}

// Simulate integrates the dynamics of the package doc with the plain gonum simulator (no
// automatic differentiation) from the N×B initial state h0, for the step-major input
// (S×B blocks) and standard-normal noise ζ (N×B blocks; nil means no noise):
//
//	h_{t+1} = h_t + (Δt/τ)(−h_t + J φ(h_t) + bias + (b/S)·W_in·I_t) + σ√(Δt/τ)·ζ_t.
//
// The order of the floating-point operations matches the Gorgonia graph, so that the two
// agree to rounding in float64.
func Simulate(sp Spec, p *Params, h0 mat.Matrix, input, noise []float64) *Trajectory {
	checkBatch(sp, p, h0, input, noise)
	n, b := sp.N, sp.Trials
	tr := &Trajectory{H: make([]*mat.Dense, sp.Steps+1), Out: make([]*mat.Dense, sp.Steps+1)}
	tr.H[0] = mat.DenseCopyOf(h0)
	phi := mat.NewDense(n, b, nil)
	rec := mat.NewDense(n, b, nil)
	drive := mat.NewDense(n, b, nil)
	applyPhi(phi, sp.Phi.F, tr.H[0])
	tr.Out[0] = readout(sp, p, phi)
	leak, scale, gain := sp.Leak(), sp.NoiseScale(), sp.InputGain()
	for t := 0; t < sp.Steps; t++ {
		h := tr.H[t]
		rec.Mul(p.J, phi)
		drive.Mul(p.Win, mat.NewDense(sp.S, b, input[t*sp.S*b:(t+1)*sp.S*b]))
		next := mat.NewDense(n, b, nil)
		for i := 0; i < n; i++ {
			for k := 0; k < b; k++ {
				dh := -h.At(i, k) + rec.At(i, k) + gain*drive.At(i, k) + p.Bias[i]
				v := h.At(i, k) + leak*dh
				if noise != nil {
					v += scale * noise[(t*n+i)*b+k]
				}
				next.Set(i, k, v)
			}
		}
		tr.H[t+1] = next
		applyPhi(phi, sp.Phi.F, next)
		tr.Out[t+1] = readout(sp, p, phi)
	}
	return tr
}

// Loss is the training loss of a simulated batch (package doc; docs/science.md §1.5 item 4):
//
//	l = Σ_{ti=max(burn_in,1)}^{T} [ Σ (x̂(ti) − y(ti))² + λ_act Σ h(ti)² ] / (B·T·R),
//
// with the step-major targets (R×B blocks; block t is the target of state t+1).
func Loss(sp Spec, tr *Trajectory, target []float64) float64 {
	rb := sp.R * sp.Trials
	var sum float64
	for ti := sp.FirstCounted(); ti <= sp.Steps; ti++ {
		out := tr.Out[ti].RawMatrix().Data
		y := target[(ti-1)*rb : ti*rb]
		var se, act float64
		for k, o := range out {
			d := o - y[k]
			se += d * d
		}
		for _, h := range tr.H[ti].RawMatrix().Data {
			act += h * h
		}
		sum += se + sp.ActivityReg*act
	}
	return sum / sp.LossNorm()
}

// Relax integrates the noise-free dynamics under the constant input I_s = i0 for
// round(duration/Δt) steps, in place on the N×B state h (docs/science.md §1.5 item 8):
//
//	h ← h + (Δt/τ)(−h + J φ(h) + bias + (b/S)·W_in·i0·1_S).
func Relax(sp Spec, p *Params, h *mat.Dense, i0, duration float64) {
	n, b := h.Dims()
	steps := int(math.Round(duration / sp.DT))
	drive := Drive(sp, p, i0)
	phi := mat.NewDense(n, b, nil)
	rec := mat.NewDense(n, b, nil)
	for range steps {
		relaxStep(sp, p, h, phi, rec, drive)
	}
}

// relaxStep is one step of Relax on the N×B state h, with phi and rec as scratch, and
// returns the new max |h_ik| (NaN if some element is NaN).
func relaxStep(sp Spec, p *Params, h, phi, rec *mat.Dense, drive []float64) float64 {
	n, b := h.Dims()
	leak := sp.Leak()
	applyPhi(phi, sp.Phi.F, h)
	rec.Mul(p.J, phi)
	worst := 0.0
	for i := 0; i < n; i++ {
		for k := 0; k < b; k++ {
			v := h.At(i, k)
			v += leak * (-v + rec.At(i, k) + drive[i])
			h.Set(i, k, v)
			if a := math.Abs(v); !(a <= worst) { // NaN sticks
				worst = a
			}
		}
	}
	return worst
}

// Derivative returns φ′ applied to column col of the N×B state h: the diagonal of the
// linearization J·diag(φ′(h)) (docs/science.md §3.1).
func Derivative(phi Phi, h mat.Matrix, col int) []float64 {
	n, _ := h.Dims()
	d := make([]float64, n)
	for i := range d {
		d[i] = phi.D(h.At(i, col))
	}
	return d
}

func applyPhi(dst *mat.Dense, f func(float64) float64, h mat.Matrix) {
	dst.Apply(func(_, _ int, v float64) float64 { return f(v) }, h)
}

func readout(sp Spec, p *Params, phi *mat.Dense) *mat.Dense {
	out := mat.NewDense(sp.R, sp.Trials, nil)
	out.Mul(p.Wout, phi)
	out.Scale(1/float64(sp.N), out)
	return out
}

func checkBatch(sp Spec, p *Params, h0 mat.Matrix, input, noise []float64) {
	n, s, r := p.Dims()
	hr, hc := h0.Dims()
	switch {
	case n != sp.N || s != sp.S || r != sp.R:
		panic("model: parameter dimensions do not match the spec")
	case hr != sp.N || hc != sp.Trials:
		panic("model: initial state is not N×B")
	case len(input) != sp.InputLen():
		panic("model: input length is not T·S·B")
	case noise != nil && len(noise) != sp.NoiseLen():
		panic("model: noise length is not T·N·B")
	}
}
