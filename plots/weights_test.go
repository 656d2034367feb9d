package plots

import (
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
)

func TestBinEdges(t *testing.T) {
	cases := []struct {
		name string
		bins int
		sets [][]float64
		want []float64
	}{
		{"two sets", 4, [][]float64{{0, 1}, {2, nan}}, []float64{0, 0.5, 1, 1.5, 2}},
		{"all equal", 2, [][]float64{{3, 3}}, []float64{2.5, 3, 3.5}},
		{"no finite value", 2, [][]float64{{nan}, nil}, nil},
		{"no bins", 0, [][]float64{{1, 2}}, nil},
	}
	for _, c := range cases {
		if got := BinEdges(c.bins, c.sets...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestHistogram(t *testing.T) {
	edges := []float64{0, 0.5, 1, 1.5, 2}
	values := []float64{0, 0.49, 0.5, 1.99, 2, 2.5, -1, nan}
	// [0, 0.5): 0, 0.49; [0.5, 1): 0.5; [1.5, 2]: 1.99 and the last edge 2; 2.5 and −1
	// are outside; NaN is not counted.
	want := []float64{2, 1, 0, 2}
	if got := Histogram(values, edges); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := Histogram(values, []float64{1}); got != nil {
		t.Errorf("one edge: got %v, want nil", got)
	}
}

func TestStepXY(t *testing.T) {
	x, y := stepXY([]float64{0, 1, 2}, []float64{3, 4})
	if wantX := []float64{0, 0, 1, 1, 2, 2}; !reflect.DeepEqual(x, wantX) {
		t.Errorf("x: got %v, want %v", x, wantX)
	}
	if wantY := []float64{0, 3, 3, 4, 4, 0}; !reflect.DeepEqual(y, wantY) {
		t.Errorf("y: got %v, want %v", y, wantY)
	}
}

// handParams has N = 4, S = R = 2, W_in,is = 10i + s and W_out,ri = −(10i + r).
func handParams() *model.Params {
	p := &model.Params{J: mat.NewDense(4, 4, nil), Win: mat.NewDense(4, 2, nil), Wout: mat.NewDense(2, 4, nil), Bias: make([]float64, 4)}
	for i := range 4 {
		for s := range 2 {
			p.Win.Set(i, s, float64(10*i+s))
			p.Wout.Set(s, i, -float64(10*i+s))
		}
	}
	return p
}

func TestClusterPoints(t *testing.T) {
	got, err := ClusterPoints(handParams(), []int{1, 0, 1, 0}, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []Cluster{
		{Label: 0, X: []float64{11, 31}, Y: []float64{-11, -31}},
		{Label: 1, X: []float64{1, 21}, Y: []float64{-1, -21}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := ClusterPoints(handParams(), []int{0, 0}, 0); err == nil {
		t.Errorf("2 labels for 4 neurons: got no error")
	}
	if _, err := ClusterPoints(handParams(), []int{0, 0, 0, 0}, 2); err == nil {
		t.Errorf("signal 2 of 2: got no error")
	}
}

func TestSortedMatrix(t *testing.T) {
	j := mat.NewDense(3, 3, []float64{
		0, 1, 2,
		10, 11, 12,
		20, 21, 22,
	})
	// S_ab = J_{order[a], order[b]}
	want := mat.NewDense(3, 3, []float64{
		22, 20, 21,
		2, 0, 1,
		12, 10, 11,
	})
	if got := SortedMatrix(j, []int{2, 0, 1}); !mat.Equal(got, want) {
		t.Errorf("got %v, want %v", mat.Formatted(got), mat.Formatted(want))
	}
	if got := SortedMatrix(j, nil); !mat.Equal(got, j) {
		t.Errorf("nil order: got %v, want J", mat.Formatted(got))
	}
	if got := MaxAbs(mat.NewDense(1, 2, []float64{-3, 2}), want); got != 22 {
		t.Errorf("MaxAbs: got %v, want 22", got)
	}
	if got := Values(mat.NewDense(2, 2, []float64{1, 2, 3, 4})); !reflect.DeepEqual(got, []float64{1, 2, 3, 4}) {
		t.Errorf("Values: got %v, want [1 2 3 4]", got)
	}
}
