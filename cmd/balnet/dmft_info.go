package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/balnet/balnet/dmft"
	"github.com/balnet/balnet/info"
)

// dmftZetaStream + r seeds the finite-size term ζ/√N of the theory's realization r:
// rand.NewPCG(dmft.seed, dmftZetaStream + r).
const dmftZetaStream uint64 = 0x646d667400030000

// dmftStatRelax is the shortest relaxation, in τ, of the stationary solution that the
// finite-size term is built from: near the edge of the balanced state (b = 4 at g = 2) the
// mean relaxes slowly, and 30τ leave a drift of 1% (measured).
const dmftStatRelax = 200

// dmftInfo is the information the input path carries about ν(t), in the theory and in the
// simulated networks (docs/science.md §4.1 estimator, §5.5 finite-size term).
type dmftInfo struct {
	f                    []float64
	coh, cohNoFS, cohSim []float64 // theory with ζ/√N, theory without (N → ∞), network (nil without --compare)
	rate, rateSim        info.Rate // R_lb with its bias floor; rateSim zero without --compare
	hasSim               bool
	realizations         int             // finite-size realizations of the theory
	fs                   dmft.FiniteSize // the finite-size term used
}

// information estimates the coherence and R_lb between the input path and ν(t) of the
// theory with its finite-size fluctuations, of the theory without them and of the
// simulated networks (out.simNuAll), with the Welch estimator of docs/science.md §4.1
// (segments of dmft.nperseg grid steps, f_s = 1/Δt, f_cut = Nyquist) and the bias floor of
// info.NullCoherenceAll.
//
// The finite-size theory is the mean equation with ζ/√N (Eq. 13, dmft.FiniteSize: the
// white part σ√Δt·ε/√N, exact for g = 0, and for g > 0 the coloured recurrent part matched
// to the stationary q(τ′) and its quenched offset), solved for R = max(K, 1) independent
// draws of ζ on the same input path — as many as the network realizations, so that both
// estimates average the same number of segments. Without ζ, ν(t) is a deterministic
// functional of I(t) and the coherence is 1 up to the estimator's own leakage and the
// response's nonlinearity (docs/science.md §5.5).
func (j dmftJob) information(ctx context.Context, p dmft.Problem, grid dmft.Grid, input []float64, out *dmftResult) error {
	c := j.cfg
	sg := grid
	sg.Relax = math.Max(grid.Relax, dmftStatRelax)
	stat, err := dmft.Stationary(ctx, p, sg)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("dmft: finite-size term: %w (the stationary solution relaxes for max(dmft.relax, %gτ): set dmft.relax longer)", err, float64(dmftStatRelax))
	}
	fs := dmft.NewFiniteSize(p, stat)
	R := max(j.k, 1)
	dt := c.DMFT.DT
	xs, ys := make([][]float64, R), make([][]float64, R)
	for r := 0; r < R; r++ {
		zeta := fs.Increments(p, c.Network.N, dt, len(input)-1, rand.New(rand.NewPCG(c.DMFT.Seed, dmftZetaStream+uint64(r))))
		res, err := dmft.Solve(ctx, p, grid, input, zeta)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return fmt.Errorf("dmft: finite-size realization %d: %w", r+1, err)
		}
		xs[r], ys[r] = input, res.Nu
	}
	w := info.Welch{FS: 1 / dt, NPerSeg: c.DMFT.NPerSeg}
	sp, rate, err := info.InformationAll(xs, ys, w, 0, false)
	if err != nil {
		return err
	}
	nofs, err := info.Estimate(input, out.th.Nu, w)
	if err != nil {
		return err
	}
	di := &dmftInfo{f: sp.F, coh: sp.Coherence(), cohNoFS: nofs.Coherence(), rate: rate, realizations: R, fs: fs}
	if out.simNuAll != nil {
		sx := make([][]float64, len(out.simNuAll))
		for r := range sx {
			sx[r] = input
		}
		ssp, srate, err := info.InformationAll(sx, out.simNuAll, w, 0, false)
		if err != nil {
			return err
		}
		di.cohSim, di.rateSim, di.hasSim = ssp.Coherence(), srate, true
	}
	out.info = di
	return nil
}

// infoColumns of dmft-info.csv and the R_lb columns of dmft-summary.csv.
var (
	dmftInfoColumns    = []string{"f", "coherence_dmft", "coherence_dmft_no_fs", "coherence_sim", "mi_density_dmft", "mi_density_sim"}
	dmftInfoSumColumns = []string{"rlb_dmft", "rlb_floor_dmft", "below_floor_dmft", "rlb_sim", "rlb_floor_sim", "below_floor_sim",
		"k_segments_dmft", "k_segments_sim", "df", "f_cut", "zeta_v", "zeta_tau_c", "zeta_q_inf"}
)

// rows returns the rows of dmft-info.csv (NaN for the simulation without --compare).
func (d *dmftInfo) rows(ff func(float64) string) [][]string {
	dens, densSim := info.MIDensity(d.coh), make([]float64, len(d.f))
	sim := make([]float64, len(d.f))
	for i := range sim {
		sim[i], densSim[i] = math.NaN(), math.NaN()
	}
	if d.hasSim {
		sim, densSim = d.cohSim, info.MIDensity(d.cohSim)
	}
	rows := make([][]string, len(d.f))
	for i, f := range d.f {
		rows[i] = []string{ff(f), ff(d.coh[i]), ff(d.cohNoFS[i]), ff(sim[i]), ff(dens[i]), ff(densSim[i])}
	}
	return rows
}

// summary returns the R_lb columns of dmft-summary.csv: R_lb, its bias floor and whether
// it lies below twice the floor (1) or not (0), for the theory and the network (NaN
// without --compare; NaN R_lb counts as below), the segments K, Δf, f_cut and the finite-size term's coloured
// variance, correlation time and static variance.
func (d *dmftInfo) summary(ff func(float64) string) []string {
	flag := func(r info.Rate) string {
		if uninformative(r) {
			return "1"
		}
		return "0"
	}
	nan := ff(math.NaN())
	sim := []string{nan, nan, nan, nan}
	if d.hasSim {
		sim = []string{ff(d.rateSim.RLB), ff(d.rateSim.Floor), flag(d.rateSim), fmt.Sprint(d.rateSim.K)}
	}
	return []string{ff(d.rate.RLB), ff(d.rate.Floor), flag(d.rate), sim[0], sim[1], sim[2], fmt.Sprint(d.rate.K), sim[3],
		ff(d.rate.DF), ff(d.rate.FCut), ff(d.fs.V), ff(d.fs.TauC), ff(d.fs.QInf)}
}

// uninformative reports an R_lb below twice its bias floor, or undefined (NaN: an input
// without fluctuations).
func uninformative(r info.Rate) bool { return r.BelowFloor() || math.IsNaN(r.RLB) }

// report prints R_lb of the theory and the network and flags estimates below their bias
// floor (docs/science.md §4.4: there the estimate says little about the signals).
func (d *dmftInfo) report(w interface{ Write([]byte) (int, error) }, n int) {
	fmt.Fprintf(w, "dmft: R_lb %.4g bits/τ from the theory with ζ/√N (N = %d, %d realization(s), K = %d, bias floor %.3g)",
		d.rate.RLB, n, d.realizations, d.rate.K, d.rate.Floor)
	if d.hasSim {
		fmt.Fprintf(w, ", %.4g bits/τ from the network (K = %d, bias floor %.3g)", d.rateSim.RLB, d.rateSim.K, d.rateSim.Floor)
	}
	fmt.Fprintln(w)
	for _, c := range []struct {
		name string
		r    info.Rate
		ok   bool
	}{{"theory", d.rate, true}, {"network", d.rateSim, d.hasSim}} {
		if c.ok && math.IsNaN(c.r.RLB) {
			fmt.Fprintf(w, "dmft: warning: the %s's R_lb is undefined: the input path has no fluctuations (task.i1 = 0?)\n", c.name)
		} else if c.ok && c.r.BelowFloor() {
			fmt.Fprintf(w, "dmft: warning: the %s's R_lb = %.3g bits/τ is below twice its bias floor %.3g: it says little about the input (lengthen dmft.duration or add realizations)\n",
				c.name, c.r.RLB, c.r.Floor)
		}
	}
}
