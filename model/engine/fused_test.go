package engine

import (
	"fmt"
	"github.com/balnet/balnet/model"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

// fusedTable is the full cross product of issue 3's configurations: every nonlinearity,
// S = 1..3, both tasks (targets y = I with R = S, and y = A·I with R ≠ S), zero diagonal on
// and off, activity regularization on and off, at a small size (N = 6, T = 8, B = 3,
// burn-in 2) so that the 120 graphs build quickly. gradTable adds the larger sizes.
func fusedTable() []gradCase {
	var cs []gradCase
	for _, phi := range model.Nonlinearities {
		for s := 1; s <= 3; s++ {
			for _, linear := range []bool{false, true} {
				r := s
				if linear {
					r = s%3 + 1
				}
				for _, zeroDiag := range []bool{false, true} {
					for _, reg := range []float64{0, 1e-2} {
						cs = append(cs, gradCase{phi: phi, n: 6, s: s, r: r, steps: 8, burnIn: 2, trials: 3,
							actReg: reg, linear: linear, zeroDiag: zeroDiag, sigma: 0.3, dt: 0.2})
					}
				}
			}
		}
	}
	return cs
}

func (c gradCase) fullName() string { return fmt.Sprintf("%v/zd=%t", c, c.zeroDiag) }

func runEngine(t *testing.T, e Engine, f batchFixture) (float64, [3][]float64) {
	t.Helper()
	loss, err := e.Run(f.h0.RawMatrix().Data, f.input, f.noise, f.target)
	if err != nil {
		t.Fatal(err)
	}
	g, err := e.GradData()
	if err != nil {
		t.Fatal(err)
	}
	var out [3][]float64
	for k := range 3 {
		if !g.IsFloat32() {
			out[k] = append([]float64(nil), g.F64[k]...)
			continue
		}
		out[k] = make([]float64, len(g.F32[k]))
		for i, v := range g.F32[k] {
			out[k][i] = float64(v)
		}
	}
	return loss, out
}

var paramNames = [3]string{"J", "W_in", "W_out"}

// mustEngine builds the named engine for the fixture in dtype.
func mustEngine(t *testing.T, name string, dtype tensor.Dtype, f batchFixture) Engine {
	t.Helper()
	e, err := New(name, f.sp, dtype, f.p)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// compareEngines runs both engines on the fixture and checks that got's loss and gradients
// equal want's within tol (gradients relative to their largest element, checkGradient). It
// returns got's loss.
func compareEngines(t *testing.T, got, want Engine, f batchFixture, tol float64) float64 {
	t.Helper()
	loss, grads := runEngine(t, got, f)
	wantLoss, wantGrads := runEngine(t, want, f)
	if !scalar.EqualWithinRel(loss, wantLoss, tol) {
		t.Errorf("loss: got %.17g, want %.17g", loss, wantLoss)
	}
	for k := range grads {
		checkGradient(t, paramNames[k], grads[k], wantGrads[k], tol)
	}
	return loss
}

// TestFusedMatchesGraph: in float64 the fused op and the plain unrolled graph give the same
// loss and gradients to 1e-10 relative (issue 3). The two differ only in the order of
// floating-point operations (rounding 1e-16) amplified by at most T = 30 contracting steps.
// A gradient element is judged relative to its gradient's largest element (checkGradient).
func TestFusedMatchesGraph(t *testing.T) {
	const tol = 1e-10
	// N = 200 crosses the tiles of the pure-Go products (fused_blas.go).
	large := gradCase{phi: "relu", n: 200, s: 2, r: 1, steps: 6, burnIn: 2, trials: 3, actReg: 1e-2,
		linear: true, zeroDiag: true, sigma: 0.3, dt: 0.2}
	for _, c := range append(append(fusedTable(), gradTable()...), large) {
		t.Run(c.fullName(), func(t *testing.T) {
			f := newFixture(t, c, 3)
			compareEngines(t, mustEngine(t, "fused", tensor.Float64, f), mustEngine(t, "graph", tensor.Float64, f), f, tol)
		})
	}
}

// TestFusedBias: with a non-zero (untrained) bias the fused engine still matches the graph
// (1e-10, as in TestFusedMatchesGraph) and the simulator's loss (1e-12 relative).
func TestFusedBias(t *testing.T) {
	for _, c := range gradTable()[4:12] {
		t.Run(c.fullName(), func(t *testing.T) {
			f := newFixture(t, c, 13)
			for i := range f.p.Bias {
				f.p.Bias[i] = 0.3 - 0.1*float64(i%7)
			}
			got := compareEngines(t, mustEngine(t, "fused", tensor.Float64, f), mustEngine(t, "graph", tensor.Float64, f), f, 1e-10)
			if sim := f.simLoss(); !scalar.EqualWithinRel(got, sim, 1e-12) {
				t.Errorf("loss: got %.17g, want %.17g (simulator)", got, sim)
			}
		})
	}
}

// TestFusedGradientFiniteDifference: the fused gradients equal central finite differences
// of the plain simulator to 1e-6 relative (tolerance and step as in
// TestGraphGradientFiniteDifference).
func TestFusedGradientFiniteDifference(t *testing.T) {
	const delta, tol = 1e-6, 1e-6
	cases := gradTable()
	if testing.Short() {
		cases = cases[:8]
	}
	for _, c := range cases {
		t.Run(c.fullName(), func(t *testing.T) {
			f := newFixture(t, c, 4)
			fu, err := NewFused(f.sp, tensor.Float64, f.p)
			if err != nil {
				t.Fatal(err)
			}
			loss, grads := runEngine(t, fu, f)
			if want := f.simLoss(); !scalar.EqualWithinRel(loss, want, 1e-12) {
				t.Errorf("loss: got %.17g, want %.17g", loss, want)
			}
			for k, m := range []*mat.Dense{f.p.J, f.p.Win, f.p.Wout} {
				checkGradient(t, paramNames[k], grads[k], finiteDifference(f, m.RawMatrix().Data, delta), tol)
			}
		})
	}
}

// TestFusedFloat32: the float32 engine agrees with the float64 one to 1e-4 relative in the
// loss and in every gradient (relative to its largest element). float32 rounding
// (ε = 6e-8) accumulated over at most 30 steps and sums of at most a few hundred terms
// stays well below that.
func TestFusedFloat32(t *testing.T) {
	const tol = 1e-4
	for _, c := range gradTable() {
		t.Run(c.fullName(), func(t *testing.T) {
			f := newFixture(t, c, 5)
			f32, f64 := mustEngine(t, "fused", tensor.Float32, f), mustEngine(t, "fused", tensor.Float64, f)
			compareEngines(t, f32, f64, f, tol)
			final, want32 := f32.FinalState(), f64.FinalState()
			for i := range final {
				if !scalar.EqualWithinAbsOrRel(final[i], want32[i], 1e-5, 1e-5) {
					t.Fatalf("float32 h_T[%d]: got %.9g, want %.9g", i, final[i], want32[i])
				}
			}
		})
	}
}

// TestFusedFinalState: FinalState is the simulator's h_T (float64, 1e-12 relative as in
// TestGraphMatchesSimulator).
func TestFusedFinalState(t *testing.T) {
	for _, c := range gradTable() {
		t.Run(c.fullName(), func(t *testing.T) {
			f := newFixture(t, c, 6)
			fu, err := NewFused(f.sp, tensor.Float64, f.p)
			if err != nil {
				t.Fatal(err)
			}
			runEngine(t, fu, f)
			want := model.Simulate(f.sp, f.p, f.h0, f.input, f.noise).H[c.steps].RawMatrix().Data
			got := fu.FinalState()
			if len(got) != len(want) {
				t.Fatalf("len(FinalState): got %d, want %d", len(got), len(want))
			}
			for i := range want {
				if !scalar.EqualWithinAbsOrRel(got[i], want[i], 1e-14, 1e-12) {
					t.Fatalf("h_T[%d]: got %.17g, want %.17g", i, got[i], want[i])
				}
			}
		})
	}
}

// TestFusedReuse: the machine is reused across runs without accumulating gradients, a new
// batch gives the gradients of a freshly built engine, and writing to ParamData changes the
// next run.
func TestFusedReuse(t *testing.T) {
	c := gradCase{phi: "tanh", n: 7, s: 2, r: 1, steps: 12, burnIn: 3, trials: 2, actReg: 1e-2,
		linear: true, zeroDiag: true, sigma: 0.3, dt: 0.2}
	for _, dtype := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dtype.String(), func(t *testing.T) {
			f1, f2 := newFixture(t, c, 7), newFixture(t, c, 8)
			f2.p = f1.p.Clone()
			e, err := NewFused(f1.sp, dtype, f1.p)
			if err != nil {
				t.Fatal(err)
			}
			loss1, grad1 := runEngine(t, e, f1)
			loss1b, grad1b := runEngine(t, e, f1)
			if loss1b != loss1 {
				t.Errorf("second run loss: got %.17g, want %.17g", loss1b, loss1)
			}
			for k := range grad1 {
				checkGradient(t, paramNames[k]+" (second run)", grad1b[k], grad1[k], 0)
			}
			loss2, grad2 := runEngine(t, e, f2)
			fresh, err := NewFused(f2.sp, dtype, f2.p)
			if err != nil {
				t.Fatal(err)
			}
			want2, wantGrad2 := runEngine(t, fresh, f2)
			if loss2 != want2 {
				t.Errorf("new batch loss: got %.17g, want %.17g", loss2, want2)
			}
			for k := range grad2 {
				checkGradient(t, paramNames[k]+" (new batch)", grad2[k], wantGrad2[k], 0)
			}

			// Change W_out through ParamData: the next run must equal a fresh engine's.
			if d := e.ParamData(); d.IsFloat32() {
				d.F32[2][0] += 0.5
			} else {
				d.F64[2][0] += 0.5
			}
			f2.p.Wout.RawMatrix().Data[0] += 0.5
			loss3, _ := runEngine(t, e, f2)
			fresh3, err := NewFused(f2.sp, dtype, f2.p)
			if err != nil {
				t.Fatal(err)
			}
			want3, _ := runEngine(t, fresh3, f2)
			if loss3 != want3 {
				t.Errorf("loss after a ParamData update: got %.17g, want %.17g", loss3, want3)
			}
		})
	}
}

// TestFusedNodeNames: every node of the fused graph has a unique name (Gorgonia merges
// nodes with equal names).
func TestFusedNodeNames(t *testing.T) {
	f := newFixture(t, gradTable()[5], 9)
	e, err := NewFused(f.sp, tensor.Float64, f.p)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, n := range e.g.AllNodes() {
		if seen[n.Name()] {
			t.Errorf("node name %q: got 2 nodes, want 1", n.Name())
		}
		seen[n.Name()] = true
	}
}

// TestFusedAllocations: a steady-state Run allocates nothing proportional to the number of
// steps T (issue 3): going from T = 5 to T = 200 adds fewer than 10 allocations (a single
// allocation per step would add 195). The slack absorbs the runtime's occasional
// allocations (goroutine stacks of the tape machine).
func TestFusedAllocations(t *testing.T) {
	var counts []float64
	for _, steps := range []int{5, 200} {
		c := gradCase{phi: "relu", n: 10, s: 1, r: 1, steps: steps, burnIn: 2, trials: 3,
			actReg: 1e-4, zeroDiag: true, sigma: 1, dt: 0.2}
		f := newFixture(t, c, 10)
		e, err := NewFused(f.sp, tensor.Float32, f.p)
		if err != nil {
			t.Fatal(err)
		}
		runEngine(t, e, f)
		counts = append(counts, testing.AllocsPerRun(20, func() {
			if _, err := e.Run(f.h0.RawMatrix().Data, f.input, f.noise, f.target); err != nil {
				t.Fatal(err)
			}
		}))
	}
	if counts[1] >= counts[0]+10 {
		t.Errorf("allocations per Run at T=200: got %v, want fewer than %v (T=5: %v)", counts[1], counts[0]+10, counts[0])
	}
	t.Logf("allocations per Run: %v at T=5, %v at T=200", counts[0], counts[1])
}

// TestNewFusedName: "fused" is a registered engine name.
func TestNewFusedName(t *testing.T) {
	f := newFixture(t, gradTable()[1], 11)
	e, err := New("fused", f.sp, tensor.Float64, f.p)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := e.(*Fused); !ok {
		t.Errorf("New(\"fused\"): got %T, want *Fused", e)
	}
	if _, err := NewFused(f.sp, tensor.Int, f.p); err == nil {
		t.Error("NewFused with dtype int: got no error, want one")
	}
}
