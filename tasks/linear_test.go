package tasks

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestLinearTargets checks y(t) = A·I(t), offset included (the choice documented on
// Linear), against mat.Mul, bit for bit, and against the explicit sum.
func TestLinearTargets(t *testing.T) {
	const steps, s, r, trials = 6, 3, 2, 4
	ou := OU{Channels: s, DT: 0.05, TauS: 0.1, I0: 1, I1: 0.1} // Fig. 12 Δt, docs/science.md §2.1
	l := NewLinear(ou, r, rand.New(rand.NewPCG(3, 4)))
	if got, want := l.Signals(), s; got != want {
		t.Errorf("Signals: got %d, want %d", got, want)
	}
	if got, want := l.Outputs(), r; got != want {
		t.Errorf("Outputs: got %d, want %d", got, want)
	}
	b := NewBatch(steps, s, r, trials)
	l.Sample(b, rand.New(rand.NewPCG(5, 6)))

	// The inputs are exactly the OU signals for the same generator state.
	in := make([]float64, steps*s*trials)
	ou.Fill(in, steps, trials, rand.New(rand.NewPCG(5, 6)))
	for i := range in {
		if b.Input[i] != in[i] {
			t.Fatalf("input %d: got %v, want OU.Fill's %v", i, b.Input[i], in[i])
		}
	}
	for k := range steps {
		var want mat.Dense
		want.Mul(l.A, mat.NewDense(s, trials, b.InputAt(k)))
		got := mat.NewDense(r, trials, b.TargetAt(k))
		if !mat.Equal(got, &want) {
			t.Errorf("step %d: got targets\n%v\nwant A·I\n%v", k, mat.Formatted(got), mat.Formatted(&want))
		}
		for i := range r {
			for tr := range trials {
				var y float64
				for j := range s {
					y += l.A.At(i, j) * b.Input[(k*s+j)*trials+tr]
				}
				if got := b.Target[(k*r+i)*trials+tr]; math.Abs(got-y) > 1e-14 {
					t.Errorf("step %d, output %d, trial %d: got %v, want Σ_j A_ij I_j = %v", k, i, tr, got, y)
				}
			}
		}
	}
	// Reference start: y(0) = I₀·Σ_j A_ij exactly up to rounding.
	for i := range r {
		want := ou.I0 * (l.A.At(i, 0) + l.A.At(i, 1) + l.A.At(i, 2))
		if got := b.TargetAt(0)[i*trials]; math.Abs(got-want) > 1e-15 {
			t.Errorf("output %d at t = 0: got %v, want I₀·Σ_j A_ij = %v", i, got, want)
		}
	}
}

// TestLinearDraw checks A_rs ~ N(0, 1/S) (docs/science.md §2.2, variance 1/n_in) on a large
// draw and the row-major draw order.
//
// Tolerance: for n iid N(0, v) entries the mean has standard error √(v/n) and Σa²/n has
// standard error v·√(2/n); with S = 50, n = 10⁵ these are 0.0014 and 0.0045·v. The test
// allows 5 standard errors.
func TestLinearDraw(t *testing.T) {
	const s, r = 50, 2000
	const n, nsd = s * r, 5
	l := NewLinear(OU{Channels: s}, r, rand.New(rand.NewPCG(9, 10)))
	if rows, cols := l.A.Dims(); rows != r || cols != s {
		t.Fatalf("A: got %d×%d, want %d×%d", rows, cols, r, s)
	}
	var sum, sum2 float64
	for _, a := range l.A.RawMatrix().Data {
		sum += a
		sum2 += a * a
	}
	v := 1.0 / s
	if got, se := sum/n, math.Sqrt(v/n); math.Abs(got) > nsd*se {
		t.Errorf("mean of A: got %.3g, want 0 ± %.2g", got, nsd*se)
	}
	if got, se := sum2/n, v*math.Sqrt(2.0/n); math.Abs(got-v) > nsd*se {
		t.Errorf("variance of A: got %.5g, want 1/S = %.5g ± %.2g", got, v, nsd*se)
	}

	small := NewLinear(OU{Channels: 3}, 2, rand.New(rand.NewPCG(11, 12)))
	rng := rand.New(rand.NewPCG(11, 12))
	for i := range 2 {
		for j := range 3 {
			if got, want := small.A.At(i, j), (1/math.Sqrt(3))*rng.NormFloat64(); got != want {
				t.Errorf("A[%d,%d]: got %v, want draw %d times 1/√S = %v", i, j, got, 3*i+j, want)
			}
		}
	}
}
