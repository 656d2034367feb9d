package plots

import "testing"

// TestLegendLeft: the legend of a sweep figure goes to the top corner the curves leave
// free: left above a rising curve (the amplitude against tan θ, whose last error bar the
// right-hand legend covered), right above a falling one, in linear and in log x.
func TestLegendLeft(t *testing.T) {
	rising := []MeanCurve{
		{X: []float64{0, 0.27, 0.58, 1, 1.73}, Mean: []float64{0.12, 0.35, 0.8, 1.23, 1.44}, SD: []float64{0.06, 0.09, 0.06, 0.03, 0.66}},
		{X: []float64{0, 1.73}, Mean: []float64{0, 1.73}, SD: []float64{0, 0}},
	}
	if !legendLeft(rising, false) {
		t.Error("rising curves: legend on the right, want left")
	}
	falling := []MeanCurve{{X: []float64{1, 2, 4, 8, 16}, Mean: []float64{5, 4, 3, 2, 1}, SD: []float64{1, 1, 1, 1, 1}}}
	if legendLeft(falling, true) {
		t.Error("falling curve, log x: legend on the left, want right")
	}
	if legendLeft([]MeanCurve{{X: []float64{3}, Mean: []float64{1}, SD: []float64{0}}}, false) {
		t.Error("a single point: want the default, right")
	}
}
