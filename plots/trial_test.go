package plots

import (
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/tasks"
)

// handTrajectory is a trajectory of N = 2 neurons, R = 2 readouts, B = 2 trials and
// T = 2 steps with h_i(ti) = 100·ti + 10·i + trial and x̂_r(ti) = ti + r/4 + trial/8,
// and a batch whose target is y_r(step t) = −(t + r/4 + trial/8)
// (all exact in binary).
func handTrajectory() (*model.Trajectory, *tasks.Batch) {
	const n, r, b, T = 2, 2, 2, 2
	tr := &model.Trajectory{}
	for ti := 0; ti <= T; ti++ {
		h := mat.NewDense(n, b, nil)
		out := mat.NewDense(r, b, nil)
		for k := range b {
			for i := range n {
				h.Set(i, k, float64(100*ti+10*i+k))
			}
			for q := range r {
				out.Set(q, k, float64(ti)+float64(q)/4+float64(k)/8)
			}
		}
		tr.H = append(tr.H, h)
		tr.Out = append(tr.Out, out)
	}
	batch := tasks.NewBatch(T, 1, r, b)
	for t := range T {
		y := batch.TargetAt(t)
		for q := range r {
			for k := range b {
				y[q*b+k] = -(float64(t) + float64(q)/4 + float64(k)/8)
			}
		}
	}
	return tr, batch
}

func TestTraceSeries(t *testing.T) {
	tr, batch := handTrajectory()
	got, err := TraceSeries(tr, batch, 1, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	// state ti = 1, 2 at t/τ = 0.5, 1; its target is that of step ti−1.
	want := Traces{
		Time:    []float64{0.5, 1},
		Target:  [][]float64{{-0.125, -1.125}, {-0.375, -1.375}},
		Readout: [][]float64{{1.125, 2.125}, {1.375, 2.375}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := TraceSeries(tr, batch, 2, 0.5); err == nil {
		t.Errorf("trial 2 of 2: got no error")
	}
	short := &model.Trajectory{H: tr.H[:2], Out: tr.Out[:2]}
	if _, err := TraceSeries(short, batch, 0, 0.5); err == nil {
		t.Errorf("short trajectory: got no error")
	}
}

func TestActivitySeries(t *testing.T) {
	tr, _ := handTrajectory()
	time, h, err := ActivitySeries(tr, 1, []int{1, 0}, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0, 0.2, 0.4}; !reflect.DeepEqual(time, want) {
		t.Errorf("time: got %v, want %v", time, want)
	}
	if want := [][]float64{{11, 111, 211}, {1, 101, 201}}; !reflect.DeepEqual(h, want) {
		t.Errorf("h: got %v, want %v", h, want)
	}
	if _, _, err := ActivitySeries(tr, 0, []int{2}, 0.2); err == nil {
		t.Errorf("neuron 2 of 2: got no error")
	}
	if _, _, err := ActivitySeries(tr, 2, []int{0}, 0.2); err == nil {
		t.Errorf("trial 2 of 2: got no error")
	}
}

func TestExampleNeurons(t *testing.T) {
	order := []int{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}
	cases := []struct {
		n     int
		order []int
		k     int
		want  []int
	}{
		// positions round(j·9/4) = 0, 2, 5 (4.5 rounds up), 7, 9
		{10, nil, 5, []int{0, 2, 5, 7, 9}},
		{10, order, 5, []int{9, 7, 4, 2, 0}},
		{3, nil, 5, []int{0, 1, 2}},
		{10, order, 1, []int{9}},
		{10, nil, 0, nil},
	}
	for _, c := range cases {
		if got := ExampleNeurons(c.n, c.order, c.k); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ExampleNeurons(%d, %v, %d): got %v, want %v", c.n, c.order, c.k, got, c.want)
		}
	}
}
