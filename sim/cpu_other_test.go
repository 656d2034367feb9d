//go:build !unix

package sim

import "math"

// cpuSeconds is not measured on this system.
func cpuSeconds() float64 { return math.NaN() }
