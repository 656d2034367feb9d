package tasks

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTargets: task.target full (and "", the zero value) keeps the targets of the reference
// code bit for bit (OU: y = I; linear: the same bits as NewLinear without a target), and
// fluctuation builds them from δI = I − I₀ with the same inputs: OU y = I − I₀ exactly,
// linear y = Σ_s A_rs (I_s − I₀) against the explicit sum. Tolerance 1e-14: A·I − I₀·A·1
// and A·(I − I₀) differ by a few roundings of numbers of order 1.
func TestTargets(t *testing.T) {
	const steps, s, trials, dt = 7, 3, 4, 0.05
	base := Settings{Kind: KindOU, Signals: s, TauS: 0.1, I0: 1, I1: 0.1}
	sample := func(kind Kind, target Target) *Batch {
		set := base
		set.Kind, set.Target = kind, target
		task, err := New(set, dt, rand.New(rand.NewPCG(3, 4)))
		if err != nil {
			t.Fatal(err)
		}
		b := NewBatch(steps, s, s, trials)
		task.Sample(b, rand.New(rand.NewPCG(5, 6)))
		return b
	}
	same := func(a, b []float64) bool {
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				return false
			}
		}
		return len(a) == len(b)
	}
	for _, kind := range Kinds {
		full, zero, fluct := sample(kind, TargetFull), sample(kind, ""), sample(kind, TargetFluctuation)
		if !same(full.Target, zero.Target) || !same(full.Input, zero.Input) {
			t.Errorf("%s: target full differs from the default (\"\")", kind)
		}
		if !same(full.Input, fluct.Input) {
			t.Errorf("%s: the inputs depend on the target", kind)
		}
		if kind == KindOU {
			if !same(full.Target, full.Input) {
				t.Error("ou full: target is not the input")
			}
			for i, v := range fluct.Target {
				if want := full.Input[i] - base.I0; v != want {
					t.Fatalf("ou fluctuation: target %d: got %v, want I − I₀ = %v", i, v, want)
				}
			}
			continue
		}
		lin := NewLinear(OU{Channels: s, DT: dt, TauS: 0.1, I0: 1, I1: 0.1}, s, rand.New(rand.NewPCG(3, 4)))
		ref := NewBatch(steps, s, s, trials)
		lin.Sample(ref, rand.New(rand.NewPCG(5, 6)))
		if !same(full.Target, ref.Target) {
			t.Error("linear full: targets differ from NewLinear's without a target")
		}
		for k := range steps {
			for r := range s {
				for tr := range trials {
					var y float64
					for j := range s {
						y += lin.A.At(r, j) * (fluct.Input[(k*s+j)*trials+tr] - base.I0)
					}
					if got := fluct.Target[(k*s+r)*trials+tr]; math.Abs(got-y) > 1e-14 {
						t.Errorf("linear fluctuation: step %d, output %d, trial %d: got %v, want Σ_j A_rj δI_j = %v", k, r, tr, got, y)
					}
				}
			}
		}
		// Reference start δI(0) = 0: the first fluctuation target is 0 up to rounding.
		for r := range s {
			if got := fluct.TargetAt(0)[r*trials]; math.Abs(got) > 1e-15 {
				t.Errorf("linear fluctuation: output %d at t = 0: got %v, want 0", r, got)
			}
		}
	}
	set := base
	set.Target = "offset"
	if _, err := New(set, dt, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("unknown target: got no error")
	}
}
