package plots

import (
	"fmt"
	"math"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/tasks"
)

// Traces is the target and the readout of every readout r on one trial.
type Traces struct {
	// Time holds t/τ = ti·Δt/τ of the state indices ti = 1…T.
	Time []float64
	// Target[r][ti−1] is the target y_r of state ti and Readout[r][ti−1] the readout
	// x̂_r(ti) = (1/N) Σ_i W_out,ri φ(h_i(ti)).
	Target, Readout [][]float64
}

// TraceSeries returns the target and readout of trial of the batch b simulated as tr
// (docs/science.md §1.1: the Euler step t = 0…T−1 produces state ti = t+1, whose target is
// b.TargetAt(t)); dt is Δt/τ. The initial state ti = 0 has no target and is left out.
func TraceSeries(tr *model.Trajectory, b *tasks.Batch, trial int, dt float64) (Traces, error) {
	if err := checkTrial(tr, b, trial); err != nil {
		return Traces{}, err
	}
	T, R := b.Steps, b.Outputs
	out := Traces{Time: make([]float64, T), Target: make([][]float64, R), Readout: make([][]float64, R)}
	for r := range R {
		out.Target[r] = make([]float64, T)
		out.Readout[r] = make([]float64, T)
	}
	for t := range T {
		out.Time[t] = float64(t+1) * dt
		target := b.TargetAt(t)
		for r := range R {
			out.Target[r][t] = target[r*b.Trials+trial]
			out.Readout[r][t] = tr.Out[t+1].At(r, trial)
		}
	}
	return out, nil
}

func checkTrial(tr *model.Trajectory, b *tasks.Batch, trial int) error {
	if trial < 0 || trial >= b.Trials {
		return fmt.Errorf("trial %d of a batch of %d", trial, b.Trials)
	}
	if len(tr.Out) != b.Steps+1 || len(tr.H) != b.Steps+1 {
		return fmt.Errorf("trajectory of %d states for a batch of %d steps", len(tr.Out), b.Steps)
	}
	if r, c := tr.Out[0].Dims(); r != b.Outputs || c != b.Trials {
		return fmt.Errorf("readout is %d×%d, batch has %d outputs × %d trials", r, c, b.Outputs, b.Trials)
	}
	return nil
}

// ActivitySeries returns h_i(ti) of the given neurons on one trial for ti = 0…T, with the
// time t/τ = ti·Δt/τ; dt is Δt/τ. h[k] is the trace of neurons[k].
func ActivitySeries(tr *model.Trajectory, trial int, neurons []int, dt float64) (time []float64, h [][]float64, err error) {
	if len(tr.H) == 0 {
		return nil, nil, fmt.Errorf("empty trajectory")
	}
	n, b := tr.H[0].Dims()
	if trial < 0 || trial >= b {
		return nil, nil, fmt.Errorf("trial %d of a batch of %d", trial, b)
	}
	for _, i := range neurons {
		if i < 0 || i >= n {
			return nil, nil, fmt.Errorf("neuron %d of %d", i, n)
		}
	}
	time = make([]float64, len(tr.H))
	h = make([][]float64, len(neurons))
	for k := range neurons {
		h[k] = make([]float64, len(tr.H))
	}
	for ti, state := range tr.H {
		time[ti] = float64(ti) * dt
		for k, i := range neurons {
			h[k][ti] = state.At(i, trial)
		}
	}
	return time, h, nil
}

// ExampleNeurons picks k of n neurons evenly spread over the cluster order: the
// neurons at positions p_j = round(j·(n−1)/(k−1)), j = 0…k−1, of order (the identity when
// order is nil), so that the examples span the clusters. It returns all n neurons when
// k ≥ n.
func ExampleNeurons(n int, order []int, k int) []int {
	if order == nil {
		order = make([]int, n)
		for i := range order {
			order[i] = i
		}
	}
	if k <= 0 {
		return nil
	}
	if k >= n {
		return append([]int(nil), order...)
	}
	if k == 1 {
		return []int{order[0]}
	}
	out := make([]int, k)
	for j := range out {
		out[j] = order[int(math.Round(float64(j)*float64(n-1)/float64(k-1)))]
	}
	return out
}
