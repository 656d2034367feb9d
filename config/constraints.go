package config

import (
	"fmt"
	"strconv"

	"github.com/balnet/balnet/model"
)

// validateDale checks network.dale: Dale's law keeps the sign of the E and I columns of
// the E–I initialization (model.Constraints), so it needs network.init = ei and block means
// of the signs it keeps (excitatory columns ee, ie ≥ 0; inhibitory columns ei, ii ≤ 0).
func validateDale(n model.Settings) error {
	if !n.Dale {
		return nil
	}
	if n.Init != model.InitEI {
		return &Error{Key: "network.dale", Value: "true",
			Allowed: fmt.Sprintf("false with network.init = %s (Dale's law needs the E and I populations of network.init = ei)", n.Init)}
	}
	blocks := []struct {
		key  string
		v    float64
		exc  bool
		name string
	}{
		{"network.ei.ee", n.EI.EE, true, "E→E"},
		{"network.ei.ie", n.EI.IE, true, "E→I"},
		{"network.ei.ei", n.EI.EI, false, "I→E"},
		{"network.ei.ii", n.EI.II, false, "I→I"},
	}
	for _, b := range blocks {
		if b.exc && b.v < 0 || !b.exc && b.v > 0 {
			want := "≥ 0"
			if !b.exc {
				want = "≤ 0"
			}
			return &Error{Key: b.key, Value: strconv.FormatFloat(b.v, 'g', -1, 64),
				Allowed: fmt.Sprintf("%s with network.dale (the %s block mean must have its column's sign)", want, b.name)}
		}
	}
	return nil
}
