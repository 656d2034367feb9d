package sim

import (
	"context"
	"math/rand/v2"
)

// Recording is a Sink that keeps every record in memory, one series per observable:
// Input[r][s][k] is channel s of realization r at record k, and likewise Rate[r][k],
// Mean[r][k], Active[r][k], Readout[r][j][k] and Proj[r][p][k]. Time[k] is the time of
// record k since recording started. Its memory is O(R·(S + 3 + Readouts + Projections)·
// Records), independent of N.
type Recording struct {
	Layout  Layout
	Time    []float64
	Input   [][][]float64
	Rate    [][]float64
	Mean    [][]float64
	Active  [][]float64
	Readout [][][]float64
	Proj    [][][]float64
}

// Start allocates the series.
func (rc *Recording) Start(l Layout) error {
	rc.Layout = l
	k := l.Records
	rc.Time = make([]float64, k)
	series := func(m int) [][]float64 {
		out := make([][]float64, m)
		for i := range out {
			out[i] = make([]float64, k)
		}
		return out
	}
	rc.Input, rc.Readout, rc.Proj = make([][][]float64, l.Realizations), make([][][]float64, l.Realizations), make([][][]float64, l.Realizations)
	rc.Rate, rc.Mean, rc.Active = series(l.Realizations), series(l.Realizations), series(l.Realizations)
	for r := 0; r < l.Realizations; r++ {
		rc.Input[r] = series(l.Channels)
		rc.Readout[r] = series(l.Readouts)
		rc.Proj[r] = series(l.Projections)
	}
	return nil
}

// Record copies the frame into the series.
func (rc *Recording) Record(f *Frame) error {
	k, l := f.Index, rc.Layout
	rc.Time[k] = f.Time
	for r := 0; r < l.Realizations; r++ {
		for s := 0; s < l.Channels; s++ {
			rc.Input[r][s][k] = f.Input[r*l.Channels+s]
		}
		rc.Rate[r][k], rc.Mean[r][k], rc.Active[r][k] = f.Rate[r], f.Mean[r], f.Active[r]
		for j := 0; j < l.Readouts; j++ {
			rc.Readout[r][j][k] = f.Readout[r*l.Readouts+j]
		}
		for p := 0; p < l.Projections; p++ {
			rc.Proj[r][p][k] = f.Proj[r*l.Projections+p]
		}
	}
	return nil
}

// Record runs the simulation of Run into a new Recording.
func Record(ctx context.Context, nw Network, in Input, s Settings, rng *rand.Rand) (*Recording, *Result, error) {
	rc := new(Recording)
	res, err := Run(ctx, nw, in, s, rng, rc)
	if err != nil {
		return nil, nil, err
	}
	return rc, res, nil
}
