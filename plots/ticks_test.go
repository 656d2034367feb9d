package plots

import (
	"math"
	"strconv"
	"testing"
)

// TestNiceTicksLabelTheirValues: every labelled tick reads back as its own value, for axis
// ranges that need 0 to 3 decimals (the range 1.0009…3.6228 of a trained run's mean weights
// gave ticks 1.2, 2.4, 3.6 that were labelled "1", "2", "4").
func TestNiceTicksLabelTheirValues(t *testing.T) {
	ranges := [][2]float64{{1.0009, 3.6228}, {0, 10000}, {0.995, 1.005}, {-0.08, 0.08}, {-9, 1},
		{0.0101, 0.1847}, {-4.88, -0.77}, {2, 2.5}, {0, 1.2}}
	for _, r := range ranges {
		labelled := 0
		for _, tk := range (niceTicks{}).Ticks(r[0], r[1]) {
			if tk.Label == "" {
				continue
			}
			labelled++
			got, err := strconv.ParseFloat(tk.Label, 64)
			if err != nil || math.Abs(got-tk.Value) > 1e-9*math.Max(1, math.Abs(tk.Value)) {
				t.Errorf("range %v: tick at %v labelled %q, want a label that reads back as %v", r, tk.Value, tk.Label, tk.Value)
			}
		}
		if labelled < 2 {
			t.Errorf("range %v: got %d labelled ticks, want at least 2", r, labelled)
		}
	}
}
