package engine

import (
	"fmt"
	"github.com/balnet/balnet/model"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

// gradCase is one configuration of the gradient table.
type gradCase struct {
	phi       model.Nonlinearity
	n, s, r   int
	steps     int
	burnIn    int
	trials    int
	actReg    float64
	linear    bool // targets y = A·I (linear-transformation task) instead of y = I
	zeroDiag  bool
	sigma, dt float64
}

func (c gradCase) String() string {
	task := "ou"
	if c.linear {
		task = "linear"
	}
	return fmt.Sprintf("%s/N=%d/S=%d/R=%d/T=%d/%s/reg=%g", c.phi, c.n, c.s, c.r, c.steps, task, c.actReg)
}

// batchFixture is a random parameter set and batch for a gradCase, with the state shifted so
// that units sit in the interesting range of every nonlinearity.
type batchFixture struct {
	sp                   model.Spec
	p                    *model.Params
	h0                   *mat.Dense
	input, noise, target []float64
}

func newFixture(t testing.TB, c gradCase, seed uint64) batchFixture {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	net := model.DefaultSettings()
	net.N, net.Nonlinearity, net.ZeroDiagonal = c.n, c.phi, c.zeroDiag
	net.G = 0.5
	sim := model.SimSettings{DT: c.dt, Steps: c.steps, Sigma: c.sigma, BurnIn: c.burnIn, Relax: 1}
	sp, err := model.NewSpec(net, sim, c.s, c.r, c.trials, c.actReg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := model.NewParams(net, c.s, c.r, rng)
	if err != nil {
		t.Fatal(err)
	}
	h0 := mat.NewDense(c.n, c.trials, nil)
	for i := range h0.RawMatrix().Data {
		h0.RawMatrix().Data[i] = 0.5 + rng.NormFloat64()
	}
	f := batchFixture{sp: sp, p: p, h0: h0,
		input: make([]float64, sp.InputLen()), noise: make([]float64, sp.NoiseLen()),
		target: make([]float64, sp.TargetLen())}
	for i := range f.input {
		f.input[i] = 1 + 0.3*rng.NormFloat64()
	}
	for i := range f.noise {
		f.noise[i] = rng.NormFloat64()
	}
	a := mat.NewDense(c.r, c.s, nil)
	for i := range a.RawMatrix().Data {
		a.RawMatrix().Data[i] = rng.NormFloat64() / math.Sqrt(float64(c.s))
	}
	for tt := 0; tt < c.steps; tt++ {
		in := mat.NewDense(c.s, c.trials, f.input[tt*c.s*c.trials:(tt+1)*c.s*c.trials])
		y := mat.NewDense(c.r, c.trials, f.target[tt*c.r*c.trials:(tt+1)*c.r*c.trials])
		if c.linear {
			y.Mul(a, in)
		} else {
			y.Copy(in)
		}
	}
	return f
}

func (f batchFixture) simLoss() float64 {
	return model.Loss(f.sp, model.Simulate(f.sp, f.p, f.h0, f.input, f.noise), f.target)
}

// gradTable spans N = 1..20, T = 1..30, every nonlinearity, S = 1..3 and both tasks
// (issue 2), with and without activity regularization and a zero diagonal.
func gradTable() []gradCase {
	var cs []gradCase
	sizes := []struct{ n, steps, burnIn int }{{1, 1, 0}, {3, 5, 1}, {7, 12, 3}, {20, 30, 6}}
	for i, phi := range model.Nonlinearities {
		for j, sz := range sizes {
			s := 1 + (i+j)%3
			linear := (i+j)%2 == 1
			r := s
			if linear {
				r = 1 + (i+2*j)%3
			}
			cs = append(cs, gradCase{phi: phi, n: sz.n, s: s, r: r, steps: sz.steps, burnIn: sz.burnIn,
				trials: 2, actReg: []float64{0, 1e-2}[j%2], linear: linear, zeroDiag: sz.n > 1,
				sigma: 0.3, dt: 0.2})
		}
	}
	return cs
}

// TestGraphMatchesSimulator: with the same noise, the Gorgonia graph and the plain simulator
// give the same loss and final state to 1e-12 relative in float64 (issue 2).
func TestGraphMatchesSimulator(t *testing.T) {
	for _, c := range gradTable() {
		t.Run(c.String(), func(t *testing.T) {
			f := newFixture(t, c, 1)
			gr, err := NewGraph(f.sp, tensor.Float64, f.p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := gr.Run(f.h0.RawMatrix().Data, f.input, f.noise, f.target)
			if err != nil {
				t.Fatal(err)
			}
			tr := model.Simulate(f.sp, f.p, f.h0, f.input, f.noise)
			if want := model.Loss(f.sp, tr, f.target); !scalar.EqualWithinRel(got, want, 1e-12) {
				t.Errorf("loss: got %.17g, want %.17g", got, want)
			}
			final := tr.H[c.steps].RawMatrix().Data
			for i, v := range gr.FinalState() {
				if !scalar.EqualWithinAbsOrRel(v, final[i], 1e-14, 1e-12) {
					t.Fatalf("h_T[%d]: got %.17g, want %.17g", i, v, final[i])
				}
			}
		})
	}
}

// TestGraphGradientFiniteDifference: Gorgonia's gradients of the loss with respect to J,
// W_in and W_out equal central finite differences of the plain simulator to 1e-6 relative
// (issue 2). With step δ = 1e-6 the truncation error is O(δ²) and the rounding error
// O(ε/δ) ≈ 1e-10 relative, far below the tolerance.
func TestGraphGradientFiniteDifference(t *testing.T) {
	const delta, tol = 1e-6, 1e-6
	for _, c := range gradTable() {
		t.Run(c.String(), func(t *testing.T) {
			f := newFixture(t, c, 2)
			gr, err := NewGraph(f.sp, tensor.Float64, f.p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := gr.Run(f.h0.RawMatrix().Data, f.input, f.noise, f.target); err != nil {
				t.Fatal(err)
			}
			grads, err := gr.GradData()
			if err != nil {
				t.Fatal(err)
			}
			for k, m := range []*mat.Dense{f.p.J, f.p.Win, f.p.Wout} {
				got := grads.F64[k]
				want := finiteDifference(f, m.RawMatrix().Data, delta)
				checkGradient(t, []string{"J", "W_in", "W_out"}[k], got, want, tol)
			}
		})
	}
}

// finiteDifference returns the central difference of the simulator loss with respect to
// every element of x (a parameter's backing array).
func finiteDifference(f batchFixture, x []float64, delta float64) []float64 {
	g := make([]float64, len(x))
	for i := range x {
		orig := x[i]
		x[i] = orig + delta
		up := f.simLoss()
		x[i] = orig - delta
		down := f.simLoss()
		x[i] = orig
		g[i] = (up - down) / (2 * delta)
	}
	return g
}

// checkGradient compares element-wise with a tolerance relative to the gradient's largest
// element, so that tiny elements are not judged by their own (meaningless) relative error.
func checkGradient(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	var scale float64
	for _, v := range want {
		scale = math.Max(scale, math.Abs(v))
	}
	if scale == 0 {
		scale = 1
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*scale {
			t.Errorf("∂l/∂%s[%d]: got %.12g, want %.12g (scale %.3g)", name, i, got[i], want[i], scale)
			return
		}
	}
}
