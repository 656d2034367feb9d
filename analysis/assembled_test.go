package analysis

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
)

// constructedRun is an analysis input built by hand, with every quantity of the assembled
// record known in closed form (docs/science.md §3). N = 20 units, S = R = 2, B = 2 trials:
//
//   - W_in rows are (1, 0) for units 0–9 and (0, 1) for units 10–19: the input-weight
//     clusters are the two halves;
//   - J_ij = −a when i and j have the same parity, −c otherwise, and J_ii = d ≠ 0: the
//     columns of J cluster by parity, not by halves, and the diagonal is visible;
//   - H0 = 0, no noise, every input zero except the last step's (block T−1, which
//     produces h_T), (+1, −1) for trial 1 and (−1, +1) for trial 2. With φ = relu and
//     φ(0) = 0 the state stays 0 until h_T = (Δt/τ)(b/S)·W_in·I: +0.25 on the first half
//     and −0.25 on the second for trial 1 (Δt = 0.5, b = 1, S = 2), the opposite for trial 2.
type constructedRun struct {
	in      Input
	a, c, d float64
}

func newConstructedRun(t *testing.T) constructedRun {
	t.Helper()
	const n, s, trials, steps = 20, 2, 2, 4
	run := constructedRun{a: 2, c: 0.2, d: 0.5}
	net := model.DefaultSettings()
	net.N = n
	sp, err := model.NewSpec(net, model.SimSettings{DT: 0.5, Steps: steps, Sigma: 0, BurnIn: 1, Relax: 1}, s, s, trials, 0)
	if err != nil {
		t.Fatal(err)
	}
	J := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			switch {
			case i == j:
				J.Set(i, j, run.d)
			case i%2 == j%2:
				J.Set(i, j, -run.a)
			default:
				J.Set(i, j, -run.c)
			}
		}
	}
	win := mat.NewDense(n, s, nil)
	for i := range n {
		win.Set(i, i/(n/2), 1)
	}
	wout := mat.NewDense(s, n, nil)
	wout.Apply(func(_, _ int, _ float64) float64 { return 1 }, wout)
	p := &model.Params{J: J, Win: win, Wout: wout, Bias: make([]float64, n)}
	input := make([]float64, sp.InputLen())
	last := input[(steps-1)*s*trials:] // S×B block: input[s·B + trial]
	last[0*trials+0], last[1*trials+0] = 1, -1
	last[0*trials+1], last[1*trials+1] = -1, 1
	run.in = Input{
		Epoch: 3, Seed: 1, Network: net, Spec: sp, Params: p, Init: p.Clone(),
		TestInput: input, TestNoise: make([]float64, sp.NoiseLen()), H0: mat.NewDense(n, trials, nil),
		I0: 0, Relax: 1,
	}
	return run
}

// TestAssembledRecord pins the three documented choices of the assembled record, each of
// which a wrong choice changes by far more than the tolerance 1e-12 (round-off of sums of
// 400 terms of size ≤ 2):
//
//   - couplings exclude the diagonal: j_within = (40·(−a) + 50·(−c))/90 over the 90
//     ordered pairs i ≠ j inside a half (40 of equal parity, 50 not); with the diagonal it
//     would be (40·(−a) + 50·(−c) + 10·d)/100. j_between = −(a + c)/2 (100 + 100 pairs),
//     j_overall = (180·(−a) + 200·(−c))/380. The balance includes it (documented):
//     −N·mean(J)/J₀ with mean(J) = (180·(−a) + 200·(−c) + 20·d)/400;
//   - the clusters of the coupling means are those of the rows of W_in (the halves); the
//     columns of J give the parity partition (LabelsJ), whose ARI with the halves is
//     (40 − 90·90/190)/(90 − 90·90/190) = −1/18 (4 cells of 5: Σ C(5,2) = 40, rows and
//     columns Σ C(10,2) = 90, C(20,2) = 190);
//   - the linearization state is test trial 1 at the last step: h_i = +0.25 for i < 10,
//     −0.25 otherwise, so χ = 1/2 (trial 2 would activate the other half, step T−1 none).
func TestAssembledRecord(t *testing.T) {
	run := newConstructedRun(t)
	a, c, d := run.a, run.c, run.d
	r, err := Analyze(run.in, Settings{Outliers: 2, Clusters: 2})
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-12
	for _, q := range []struct {
		name      string
		got, want float64
	}{
		{"j_within", r.Within, (40*(-a) + 50*(-c)) / 90},
		{"j_between", r.Between, -(a + c) / 2},
		{"j_overall", r.Overall, (180*(-a) + 200*(-c)) / 380},
		{"balance", r.Balance, -20 * (180*(-a) + 200*(-c) + 20*d) / 400},
		{"balance_rel", r.BalanceRel, 1},
		{"cluster_ari", r.ARI, -1.0 / 18},
		{"active fraction χ", r.ActiveFraction, 0.5},
	} {
		if math.Abs(q.got-q.want) > tol {
			t.Errorf("%s: got %.15g, want %.15g", q.name, q.got, q.want)
		}
	}
	for i, l := range r.LabelsWin {
		if same := l == r.LabelsWin[0]; same != (i < 10) {
			t.Fatalf("labels_win %v: want the halves 0–9 and 10–19", r.LabelsWin)
		}
	}
	for i, l := range r.LabelsJ {
		if same := l == r.LabelsJ[0]; same != (i%2 == 0) {
			t.Fatalf("labels_j %v: want the parity classes", r.LabelsJ)
		}
	}
	want := make([]float64, 20)
	for i := range want {
		want[i] = 0.25
		if i >= 10 {
			want[i] = -0.25
		}
	}
	if !slices.Equal(r.State, want) {
		t.Errorf("linearization state: got %v, want %v (test trial 1, last step)", r.State, want)
	}
}
