package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/dmft"
	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/plots"
	"github.com/balnet/balnet/sim"
	"github.com/balnet/balnet/tasks"
)

// The PCG streams of balnet dmft: rand.NewPCG(dmft.seed, stream). The couplings and the
// noise of realization k use stream + k.
const (
	dmftInputStream    uint64 = 0x646d667400000001 // "dmft" + 1: the OU input path
	dmftCouplingStream uint64 = 0x646d667400010000 // + k: the couplings of realization k
	dmftNoiseStream    uint64 = 0x646d667400020000 // + k: the noise of realization k
)

// dmftRunaway is the factor by which the simulated Var_i h_i may exceed the theory's
// largest c(t,t) before the network counts as running away from the balanced state.
const dmftRunaway = 10

// cmdDMFT solves the non-stationary mean-field theory (docs/science.md §5) for the
// configured network driven by one input path and, with --compare K, simulates K network
// realizations driven by the same path:
//
//	balnet dmft [--config FILE] [--set key=value]... [--out DIR] [--compare K] [--no-plots] [--quiet]
//
// The embedded default (config.DMFTDefault) is the information setting of
// docs/science.md §2.1 — g = 2, τ_S = τ = 1, σ = 0.1, I₀ = J₀ = 1, I₁ = 0.1, an OU path from
// dmft.seed, N = 2000 for --compare — with b = 4 instead of b = 1: for ReLU and g = 2 the
// static balanced solution needs x + b·J₀·G(x) > 0 (§5.3 item 4), i.e. b > 1.772 (J₀ = 1), and at
// b = 1 both the theory and the network run away. Such a case is detected (no static
// solution, a blow-up or runaway of c(t,t) or m in the theory, a blow-up or runaway of the
// simulation) and reported with exit status 1, and nothing is written. The grid is
// Δt = 0.1τ (the simulation uses the same Euler step, so theory and network are the same
// discretization and agree step by step), 50τ of path after 30τ of relaxation at I₀, and a
// band of 100 steps (10τ, beyond the decay of the chaotic autocorrelation at g = 2).
//
// It writes into DIR (default ./dmft): dmft.csv (t, input, m, nu, c_tt and with --compare
// sim_nu_mean, sim_nu_sd, sim_c_tt), autocorr.csv (lag, c_dmft, c_sim), dmft-info.csv (the
// coherence of I and ν per frequency, see dmftJob.information), dmft-summary.csv (RMS and
// maximum relative differences of ν and c(t,t), NaN without --compare; the static
// solution, NaN where it does not apply; R_lb of theory and network with their bias
// floors), the figures dmft-nu, dmft-ctt, dmft-autocorr and dmft-coherence, and
// config.yaml. The curves of ν and c are the N → ∞ limit (no finite-size term); the
// information uses the theory with its finite-size term ζ/√N. The network's c(t,t) is
// Var_i h_i (sim.Frame.Var) and its c(τ′) is (1/N)Σ_i h̃_i(t)h̃_i(t+τ′) with h̃ = h − m,
// averaged over t and realizations. An R_lb below twice its bias floor is flagged in the
// summary and on stdout.
func cmdDMFT(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dmft", flag.ContinueOnError)
	mf := addMeasureFlags(fs, "DMFT", "dmft")
	compare := fs.Int("compare", 0, "simulate `K` network realizations driven by the same input")
	file, out, noPlots, quiet := mf.file, mf.out, mf.noPlots, mf.quiet
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	sets := mf.sets
	if len(pos) > 0 {
		return usagef("dmft takes no positional arguments, got %q", pos)
	}
	cfg, err := loadConfigFrom(config.DMFTDefault(), *file, sets, nil, nil)
	if err != nil {
		return err
	}
	if *compare < 0 {
		return &config.Error{Key: "--compare", Value: strconv.Itoa(*compare), Allowed: "an integer ≥ 0 (network realizations)"}
	}
	if fi, err := os.Stat(*out); err == nil && !fi.IsDir() {
		return usagef("--out %s is a file, not a directory", *out)
	}
	phi, err := dmft.NewIntegrals(cfg.Network.Nonlinearity, cfg.DMFT.Tol, 0, cfg.DMFT.Integrals == "quadrature")
	if err != nil {
		return &config.Error{Key: "network.phi", Value: strconv.Quote(string(cfg.Network.Nonlinearity)), Allowed: err.Error()}
	}
	res, err := dmftJob{cfg: cfg, phi: phi, k: *compare, progress: infoProgress(stderr, *quiet)}.run(ctx)
	if err != nil {
		return err
	}
	if err := res.write(*out, !*noPlots); err != nil {
		return err
	}
	if *compare > 0 {
		fmt.Fprintf(stdout, "dmft: ν RMS relative difference %.4g (max %.4g), c(t,t) %.4g (max %.4g) against %d realizations of N = %d\n",
			res.nuRMS, res.nuMax, res.cRMS, res.cMax, *compare, cfg.Network.N)
	}
	res.info.report(stdout, cfg.Network.N)
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}

type dmftJob struct {
	cfg      config.Config
	phi      dmft.Integrals
	k        int
	progress func(step, total int)
}

type dmftResult struct {
	cfg                      config.Config
	k                        int
	th                       *dmft.Result
	static                   dmft.Static
	hasStatic                bool
	simNu, simSD, simC       []float64 // nil without --compare
	simAC                    []float64
	simNuAll                 [][]float64 // ν(t) of every realization (nil without --compare)
	nuRMS, nuMax, cRMS, cMax float64
	info                     *dmftInfo
}

// path returns the input path of the configuration: steps samples I(t_n), t_n = n·Δt.
func dmftPath(c config.Config, steps int) []float64 {
	d := c.DMFT
	p := make([]float64, steps)
	switch d.Input {
	case "sinusoid":
		for n := range p {
			p[n] = c.Task.I0 + c.Task.I1*math.Sin(2*math.Pi*d.Freq*float64(n)*d.DT)
		}
	default: // "ou"
		tauS := c.Task.TauS
		if tauS <= 0 {
			tauS = 1
		}
		tasks.OU{Channels: 1, DT: d.DT, TauS: tauS, I0: c.Task.I0, I1: c.Task.I1, Stationary: true}.
			Fill(p, steps, 1, rand.New(rand.NewPCG(d.Seed, dmftInputStream)))
	}
	return p
}

// run solves the theory, simulates, checks for the ill-posed case and compares.
func (j dmftJob) run(ctx context.Context) (*dmftResult, error) {
	c := j.cfg
	n := c.Network
	relax, steps := c.DMFTSteps()
	p := dmft.Problem{Phi: j.phi, G: n.G, B: n.B, J0: n.J0, Sigma: c.Sim.Sigma, I0: c.Task.I0, N: n.N, ZeroDiagonal: n.ZeroDiagonal}
	out := &dmftResult{cfg: c, k: j.k}
	j0 := n.J0
	if n.ZeroDiagonal && n.N > 0 {
		j0 *= float64(n.N-1) / float64(n.N)
	}
	if n.Nonlinearity == model.ReLU && n.G > 0 {
		s, err := dmft.StaticBalanced(n.G, n.B, j0, c.Task.I0)
		if err != nil {
			xs, _ := dmft.StaticBalanced(n.G, 1e9, j0, c.Task.I0) // x does not depend on b
			bMin := -xs.X / (j0 * dmft.G(xs.X))
			return nil, fmt.Errorf("dmft: no balanced state for ReLU at g = %g, b = %g, J₀ = %g: the static solution needs x + b·J₀·G(x) > 0 with x = %.5f, i.e. b > %.4g (docs/science.md §5.3 item 4); the theory's c(t,t) and the network run away", n.G, n.B, j0, xs.X, bMin)
		}
		out.static, out.hasStatic = s, true
	}
	input := dmftPath(c, steps)
	grid := dmft.Grid{DT: c.DMFT.DT, Band: c.DMFT.Band, Relax: float64(relax) * c.DMFT.DT}
	th, err := dmft.Solve(ctx, p, grid, input, nil)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: the mean-field theory has no bounded solution at these settings (is the network balanced? b·J₀ must dominate the recurrent fluctuations)", err)
	}
	if err := runaway(th); err != nil {
		return nil, err
	}
	out.th = th
	out.nuRMS, out.nuMax, out.cRMS, out.cMax = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	if j.k > 0 {
		if err := j.simulate(ctx, relax, input, out); err != nil {
			return nil, err
		}
		out.nuRMS, out.nuMax = relDiff(out.simNu, th.Nu)
		out.cRMS, out.cMax = relDiff(out.simC, th.Ctt)
	}
	if err := j.information(ctx, p, grid, input, out); err != nil {
		return nil, err
	}
	return out, nil
}

// runaway reports a theory whose c(t,t) or |m| grows by more than a factor 10 from the
// first to the last tenth of the path beyond what the input explains: the signature of a
// network without a balanced state (Solve itself catches non-finite values).
func runaway(th *dmft.Result) error {
	k := max(len(th.Ctt)/10, 1)
	peak := func(x []float64) float64 {
		var m float64
		for _, v := range x {
			m = math.Max(m, math.Abs(v))
		}
		return m
	}
	last := len(th.Ctt) - k
	for _, s := range []struct {
		name string
		x    []float64
	}{{"c(t,t)", th.Ctt}, {"m", th.M}} {
		a, b := peak(s.x[:k]), peak(s.x[last:])
		if b > 10*math.Max(a, 1) {
			return fmt.Errorf("dmft: the theory runs away: max %s grows from %.4g to %.4g over the path (no balanced state at these settings)", s.name, a, b)
		}
	}
	return nil
}

// relDiff returns the RMS relative difference √(Σ(a−b)²/Σb²) and the largest pointwise
// relative difference max|a−b|/|b|.
func relDiff(a, b []float64) (rms, mx float64) {
	var num, den float64
	for i := range b {
		d := a[i] - b[i]
		num += d * d
		den += b[i] * b[i]
		mx = math.Max(mx, math.Abs(d)/math.Abs(b[i]))
	}
	return math.Sqrt(num / den), mx
}

// dmftSink accumulates ν, Var_i h_i and the two-time correlation of one realization.
type dmftSink struct {
	n, band  int
	nu, c    []float64
	ring     [][]float64 // the last band+1 centred states, ring[k % (band+1)]
	ac       []float64
	acCount  []int
	progress func(step, total int)
	offset   int // steps of the realizations before this one
	all      int // steps of all realizations
}

func (s *dmftSink) Start(sim.Layout) error { return nil }

func (s *dmftSink) Progress(step, _ int) {
	if s.progress != nil {
		s.progress(s.offset+step, s.all)
	}
}

func (s *dmftSink) Record(f *sim.Frame) error {
	s.nu = append(s.nu, f.Rate[0])
	s.c = append(s.c, f.Var[0])
	L := s.band + 1
	cur := s.ring[f.Index%L]
	m := f.Mean[0]
	for i, v := range f.State[:s.n] {
		cur[i] = v - m
	}
	for k := 0; k <= s.band && k <= f.Index; k++ {
		prev := s.ring[(f.Index-k)%L]
		var sum float64
		for i, v := range cur {
			sum += v * prev[i]
		}
		s.ac[k] += sum / float64(s.n)
		s.acCount[k]++
	}
	return nil
}

// simulate runs the K realizations (couplings and noise per realization from the seed)
// on the path: relax steps at I₀, then the path, recording every step of the path.
func (j dmftJob) simulate(ctx context.Context, relax int, input []float64, out *dmftResult) error {
	c := j.cfg
	steps, band := len(input), c.DMFT.Band
	path := make([]float64, relax+steps)
	for i := 0; i < relax; i++ {
		path[i] = c.Task.I0
	}
	copy(path[relax:], input)
	K := j.k
	sumNu, sumNu2, sumC := make([]float64, steps), make([]float64, steps), make([]float64, steps)
	ac, acN := make([]float64, band+1), make([]int, band+1)
	var maxC float64
	for _, v := range out.th.Ctt {
		maxC = math.Max(maxC, v)
	}
	for k := 0; k < K; k++ {
		ns := c.Network
		p, err := model.NewParams(ns, 1, 1, rand.New(rand.NewPCG(c.DMFT.Seed, dmftCouplingStream+uint64(k))))
		if err != nil {
			return &config.Error{Key: "network", Allowed: err.Error()}
		}
		nw, err := sim.FromParams(p, ns)
		if err != nil {
			return err
		}
		nw.Wout = nil
		sink := &dmftSink{n: ns.N, band: band, ring: make([][]float64, band+1), ac: make([]float64, band+1), acCount: make([]int, band+1),
			progress: j.progress, offset: k * len(path), all: K * len(path)}
		for i := range sink.ring {
			sink.ring[i] = make([]float64, ns.N)
		}
		_, err = sim.Run(ctx, nw, sim.Path{path}, sim.Settings{DT: c.DMFT.DT, Sigma: c.Sim.Sigma, BurnIn: relax, Steps: steps, State: true},
			rand.New(rand.NewPCG(c.DMFT.Seed, dmftNoiseStream+uint64(k))), sink)
		if err != nil {
			var bu *sim.BlowUpError
			if errors.As(err, &bu) {
				return fmt.Errorf("dmft: realization %d: %w (the network has no balanced state at these settings)", k+1, err)
			}
			return err
		}
		if v := sink.c[len(sink.c)-1]; !(v <= dmftRunaway*maxC) {
			return fmt.Errorf("dmft: realization %d runs away: Var_i h_i = %.4g at the end, more than %d× the theory's largest c(t,t) = %.4g (no balanced state at these settings, or N too small)", k+1, v, dmftRunaway, maxC)
		}
		out.simNuAll = append(out.simNuAll, sink.nu)
		for i := range sink.nu {
			sumNu[i] += sink.nu[i]
			sumNu2[i] += sink.nu[i] * sink.nu[i]
			sumC[i] += sink.c[i]
		}
		for i := range ac {
			ac[i] += sink.ac[i]
			acN[i] += sink.acCount[i]
		}
	}
	out.simNu, out.simSD, out.simC, out.simAC = make([]float64, steps), make([]float64, steps), make([]float64, steps), make([]float64, band+1)
	for i := range sumNu {
		m := sumNu[i] / float64(K)
		out.simNu[i], out.simC[i] = m, sumC[i]/float64(K)
		if K > 1 {
			out.simSD[i] = math.Sqrt(math.Max(sumNu2[i]-float64(K)*m*m, 0) / float64(K-1))
		}
	}
	for i := range ac {
		out.simAC[i] = ac[i] / float64(acN[i])
	}
	return nil
}

// write puts the results into dir (created if needed); every file is written atomically.
func (r *dmftResult) write(dir string, figures bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ff := analysis.FormatFloat
	c, th := r.cfg, r.th
	dt := th.DT
	sim := r.simNu != nil
	cols := []string{"t", "input", "m", "nu", "c_tt"}
	if sim {
		cols = append(cols, "sim_nu_mean", "sim_nu_sd", "sim_c_tt")
	}
	rows := make([][]string, len(th.Nu))
	T := make([]float64, len(th.Nu))
	for i := range th.Nu {
		T[i] = float64(i) * dt
		rows[i] = []string{ff(T[i]), ff(th.Input[i]), ff(th.M[i]), ff(th.Nu[i]), ff(th.Ctt[i])}
		if sim {
			rows[i] = append(rows[i], ff(r.simNu[i]), ff(r.simSD[i]), ff(r.simC[i]))
		}
	}
	if err := checkpoints.WriteCSV(filepath.Join(dir, "dmft.csv"), cols, rows); err != nil {
		return err
	}
	lag := make([]float64, len(th.AutoCorr))
	var acRows [][]string
	for k, v := range th.AutoCorr {
		lag[k] = float64(k) * dt
		cs := math.NaN()
		if sim {
			cs = r.simAC[k]
		}
		acRows = append(acRows, []string{ff(lag[k]), ff(v), ff(cs)})
	}
	if err := checkpoints.WriteCSV(filepath.Join(dir, "autocorr.csv"), []string{"lag", "c_dmft", "c_sim"}, acRows); err != nil {
		return err
	}
	st := []float64{math.NaN(), math.NaN(), math.NaN()}
	if r.hasStatic {
		st = []float64{r.static.X, r.static.C0, r.static.M0}
	}
	if err := checkpoints.WriteCSV(filepath.Join(dir, "dmft-summary.csv"),
		append([]string{"nu_rms_rel", "nu_max_rel", "ctt_rms_rel", "ctt_max_rel", "x_static", "c0_static", "m0_static"}, dmftInfoSumColumns...),
		[][]string{append([]string{ff(r.nuRMS), ff(r.nuMax), ff(r.cRMS), ff(r.cMax), ff(st[0]), ff(st[1]), ff(st[2])}, r.info.summary(ff)...)}); err != nil {
		return err
	}
	if err := checkpoints.WriteCSV(filepath.Join(dir, "dmft-info.csv"), dmftInfoColumns, r.info.rows(ff)); err != nil {
		return err
	}
	if err := checkpoints.WriteFileAtomic(filepath.Join(dir, "config.yaml"), c.YAML(), 0o644); err != nil {
		return err
	}
	if !figures {
		return nil
	}
	title := fmt.Sprintf("DMFT: g = %g, b = %g, σ = %g, I₁ = %g, Δt = %g", c.Network.G, c.Network.B, c.Sim.Sigma, c.Task.I1, dt)
	if sim {
		title += fmt.Sprintf(", N = %d: ν RMS rel. diff. %.2g", c.Network.N, r.nuRMS)
	}
	curves := plots.DMFTCurves{T: T, Nu: th.Nu, Ctt: th.Ctt, Lag: lag, CDMFT: th.AutoCorr}
	if sim {
		curves.SimNu, curves.SimNuSD, curves.SimCtt, curves.CSim, curves.Realizing = r.simNu, r.simSD, r.simC, r.simAC, r.k
	}
	if _, err := plots.DMFTFigures(dir, title, curves); err != nil {
		return err
	}
	d := r.info
	ic := plots.DMFTInfoCurves{F: d.f, Coherence: d.coh, NoFS: d.cohNoFS, Sim: d.cohSim, N: c.Network.N, Realizing: d.realizations}
	ititle := fmt.Sprintf("g = %g, b = %g, N = %d: R_lb DMFT+ζ/√N %.3g bits/τ", c.Network.G, c.Network.B, c.Network.N, d.rate.RLB)
	if d.hasSim {
		ititle += fmt.Sprintf(", network %.3g", d.rateSim.RLB)
	}
	_, err := plots.DMFTInfoFigure(dir, ititle, ic)
	return err
}
