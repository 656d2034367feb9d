package analysis

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"

	"github.com/balnet/balnet/info"
	"github.com/balnet/balnet/sim"
	"github.com/balnet/balnet/tasks"
)

// The information-rate measurement of the per-epoch analysis (analysis.info_every;
// docs/science.md §4). At the run's Δt (0.2 for the reference setting) the network is
// simulated for InfoBurnIn τ and then InfoSegments+1 half-segments of InfoNPerSeg records,
// so that the Welch estimate has K = InfoSegments = 40 (half-overlapping) segments of 256 records (51.2τ, Δf = 0.0195/τ at Δt = 0.2): its bias floor is then
// ≈ f_Nyquist·(−log₂(1 − 1/K_eff)) ≈ 0.09 bits/τ (K_eff ≈ 38), well below the rates of a tracking
// network, and one measurement of the reference network (N = 100) costs ≈ 10⁴ Euler steps,
// a few tens of milliseconds.
const (
	InfoNPerSeg  = 256
	InfoSegments = 40
	InfoBurnIn   = 20.0 // τ
	// InfoStream is the PCG stream constant of the measurement's input and noise:
	// rand.NewPCG(seed, InfoStream ^ epoch) draws the OU input and
	// rand.NewPCG(seed, InfoStream ^ epoch ^ 1<<32) the noise.
	InfoStream uint64 = 0x6d692d7261746500 // "mi-rate"
)

// InfoRate measures the information rate of the network of in (docs/science.md §4.1,
// Eq. 14): a simulation with the exact OU input of the task (stationary start) and the
// run's Δt and σ, then R_lb between input channel s and readout s summed over
// s = 1 … min(S, R) (readout), and between input channel s and the population rate ν
// summed over s (rate), in bits/τ, up to the Nyquist frequency. A network that blows up
// gives NaN for both (it is not an analysis error: the training may still be fine at
// its trial length).
func InfoRate(in Input) (readout, rate float64, err error) {
	sp := in.Spec
	nw, err := sim.FromParams(in.Params, in.Network)
	if err != nil {
		return math.NaN(), math.NaN(), err
	}
	ou := tasks.OU{Channels: sp.S, DT: sp.DT, TauS: in.TauS, I0: in.I0, I1: in.I1}
	seed := rand.NewPCG(in.Seed, InfoStream^uint64(in.Epoch))
	noise := rand.NewPCG(in.Seed, InfoStream^uint64(in.Epoch)^1<<32)
	records := (InfoSegments + 1) * InfoNPerSeg / 2
	s := sim.Settings{DT: sp.DT, Sigma: sp.Sigma, BurnIn: int(math.Round(InfoBurnIn / sp.DT)), Steps: records}
	rec, _, err := sim.Record(context.Background(), nw, sim.NewOU(ou, 1, rand.New(seed)), s, rand.New(noise))
	if err != nil {
		var bu *sim.BlowUpError
		if errors.As(err, &bu) {
			return math.NaN(), math.NaN(), nil
		}
		return math.NaN(), math.NaN(), err
	}
	w := info.Welch{FS: 1 / sp.DT, NPerSeg: InfoNPerSeg}
	for c := 0; c < sp.S; c++ {
		x := rec.Input[0][c]
		if c < sp.R {
			sr, err := info.Estimate(x, rec.Readout[0][c], w)
			if err != nil {
				return math.NaN(), math.NaN(), err
			}
			readout += info.RateLB(sr.F, sr.Coherence(), 0)
		}
		sn, err := info.Estimate(x, rec.Rate[0], w)
		if err != nil {
			return math.NaN(), math.NaN(), err
		}
		rate += info.RateLB(sn.F, sn.Coherence(), 0)
	}
	return readout, rate, nil
}

// infoDue reports whether the information rate is measured at epoch.
func infoDue(s Settings, epoch int) bool { return s.InfoEvery > 0 && epoch%s.InfoEvery == 0 }
