package sim

import "fmt"

// Settings configure one simulation. The zero value of every field except DT and Steps
// means its documented default.
type Settings struct {
	// DT is the Euler step Δt in units of τ (required, > 0).
	DT float64
	// Sigma is the noise amplitude σ: each step adds σ√(Δt/τ)·ζ, ζ ~ N(0, 1) iid per unit
	// and realization (docs/science.md §1.1).
	Sigma float64
	// BurnIn is the number of Euler steps integrated before recording starts.
	BurnIn int
	// Steps is the number of Euler steps integrated while recording (required, ≥ 1); the
	// simulation takes BurnIn + Steps steps in all.
	Steps int
	// Stride records every Stride-th state (0 means 1): the records are the states
	// n = BurnIn + k·Stride, k = 1 … ⌊Steps/Stride⌋.
	Stride int
	// Realizations is the number R of independent realizations integrated side by side
	// (0 means 1): the same network, independent noise, and an input from the Input source
	// (independent for OU, shared for Path and Func).
	Realizations int
	// Float32 integrates in single precision (state, couplings and products); observables
	// are accumulated in float64 either way.
	Float32 bool
	// Coupling32 keeps a float32 copy of Jᵀ for the coupling product J·φ and does everything
	// else in float64: each coupling is rounded once (relative error ≤ 2⁻²⁴), and only the
	// columns of the units with φ_j ≠ 0 are read, each term widened to float64 and added
	// with a fused multiply-add in the order of j (product.go). The product, memory-bound for
	// large N, streams χ·N²·4 bytes instead of N²·8 (χ the active fraction: about a third of
	// 72 MB per step for the ReLU network of docs/science.md §6.5 at N = 3000). The records
	// differ from the float64 path by the effect of that rounding (for chaotic dynamics the
	// trajectories decorrelate, their statistics agree); every build, with or without
	// GOEXPERIMENT=simd, gives the same bits. Not with Float32.
	Coupling32 bool
	// Threads is the number of goroutines that share the coupling product of one
	// realization, by blocks of rows of J (0 means 1). Every thread count gives the same
	// bits. Only the matrix–vector products of R = 1 or Coupling32 are split; the R×N
	// product of R > 1 realizations in float64 or float32 is gonum's Dgemm/Sgemm.
	Threads int
	// H0 is the initial state: nil (all zeros), N values (the same for every realization)
	// or R·N values (realization-major).
	H0 []float64
	// Project lists vectors v (length N each) whose projections vᵀφ(h) are recorded.
	Project [][]float64
	// State passes the whole state h_n to the sink (Frame.State), e.g. for two-time
	// correlations; off by default (it costs R·N copies per record).
	State bool
	// Limit is the bound on max_i |h_i| beyond which the run is a blow-up (0 means 1e6).
	Limit float64
}

func (s Settings) stride() int       { return max(s.Stride, 1) }
func (s Settings) realizations() int { return max(s.Realizations, 1) }
func (s Settings) threads() int      { return max(s.Threads, 1) }
func (s Settings) limit() float64 {
	if s.Limit == 0 {
		return 1e6
	}
	return s.Limit
}

// Records returns the number of recorded states, ⌊Steps/Stride⌋.
func (s Settings) Records() int { return s.Steps / s.stride() }

func (s Settings) check(n int) error {
	switch {
	case !(s.DT > 0):
		return fmt.Errorf("sim: dt = %g, want > 0", s.DT)
	case !(s.Sigma >= 0):
		return fmt.Errorf("sim: sigma = %g, want ≥ 0", s.Sigma)
	case s.BurnIn < 0:
		return fmt.Errorf("sim: burn-in = %d steps, want ≥ 0", s.BurnIn)
	case s.Steps < 1:
		return fmt.Errorf("sim: steps = %d, want ≥ 1", s.Steps)
	case s.Stride < 0:
		return fmt.Errorf("sim: stride = %d, want ≥ 1 (or 0 for 1)", s.Stride)
	case s.Realizations < 0:
		return fmt.Errorf("sim: realizations = %d, want ≥ 1 (or 0 for 1)", s.Realizations)
	case s.Records() < 1:
		return fmt.Errorf("sim: steps = %d with stride %d records nothing", s.Steps, s.Stride)
	case s.H0 != nil && len(s.H0) != n && len(s.H0) != n*s.realizations():
		return fmt.Errorf("sim: len(H0) = %d, want N = %d or R·N = %d", len(s.H0), n, n*s.realizations())
	case s.Coupling32 && s.Float32:
		return fmt.Errorf("sim: coupling32 with float32: the float32 couplings are for a float64 state")
	case s.Threads < 0:
		return fmt.Errorf("sim: threads = %d, want ≥ 1 (or 0 for 1)", s.Threads)
	case !(s.Limit >= 0):
		return fmt.Errorf("sim: limit = %g, want ≥ 0", s.Limit)
	}
	return nil
}
