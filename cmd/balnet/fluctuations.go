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

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/plots"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/sim"
	"github.com/balnet/balnet/train"
)

// The PCG stream constants of balnet fluctuations: rand.NewPCG(fluctuations.seed, stream).
const (
	fluctH0Stream    uint64 = 0x666c756300000001 // "fluc" + 1: the initial state
	fluctProbeStream uint64 = 0x666c756300000002 // the Rademacher probes
	fluctNoiseStream uint64 = 0x666c756300000003 // the private noise ζ
)

// cmdFluctuations measures the macroscopic fluctuations of a network with low-rank
// structure Jˢ = L·S·Rᵀ (docs/science.md §6.4–§6.6):
//
//	balnet fluctuations [--config FILE] [--set key=value]... [--out DIR] [--no-plots] [--quiet]
//	balnet fluctuations RUN_DIR [--epoch E] [--set fluctuations.key=value]... [--out DIR] [--no-plots] [--quiet]
//
// The first form builds the network from a configuration whose default is the §6.5 check
// (config.FluctuationsDefault): J = g·Z/√N + L·S·Rᵀ, driven by the structure's constant
// input κ·I₀·√N·u along span(L). The second loads a trained network from a checkpoint
// (default: the latest) and takes L, R, θ_k from the rank-D SVD of Jˢ = J − (J_init −
// E[J_init]) (§6.6, as analysis.AnalyzeWith does); it is driven by its constant task input
// I₀ on every channel through W_in, with its own bias and noise σ. Both record x = Lᵀφ,
// Rᵀφ, y_w = Pᵀφ and random probes, and write modes.csv, fluctuations-summary.csv,
// projections.npz, config.yaml and the figures into DIR (default ./fluctuations, or
// RUN_DIR/fluctuations/epoch-E). Every input is checked before anything is simulated or
// written.
func cmdFluctuations(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fluctuations", flag.ContinueOnError)
	mf := addMeasureFlags(fs, "§6.5", "")
	epoch := fs.Int("epoch", -1, "checkpoint epoch of RUN_DIR (default: the latest)")
	file, out, noPlots, quiet := mf.file, mf.out, mf.noPlots, mf.quiet
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	sets := mf.sets
	var job fluctJob
	switch len(pos) {
	case 0:
		if *epoch != -1 {
			return usagef("fluctuations: --epoch needs a run directory (balnet fluctuations RUN_DIR --epoch E)")
		}
		cfg, err := loadConfigFrom(config.FluctuationsDefault(), *file, sets, nil, nil)
		if err != nil {
			return err
		}
		if err := checkMemory(config.FluctuationsEstimate(cfg), *mf.maxMemory); err != nil {
			return err
		}
		if cfg.Network.Init != model.InitLowRank {
			return &config.Error{Key: "network.init", Value: strconv.Quote(string(cfg.Network.Init)),
				Allowed: "lowrank for a constructed network (a trained one: balnet fluctuations RUN_DIR)"}
		}
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(train.StreamInit)))
		p, err := model.NewParams(cfg.Network, cfg.Task.Signals, cfg.Outputs(), rng)
		if err != nil {
			return &config.Error{Key: "network", Allowed: err.Error()}
		}
		train.Constrain(cfg.Config, p.J) // network.density, network.dale as in a run
		st, err := model.NewLowRank(cfg.Network)
		if err != nil {
			return &config.Error{Key: "network.lowrank", Allowed: err.Error()}
		}
		phi, err := model.Lookup(cfg.Network.Nonlinearity)
		if err != nil {
			return &config.Error{Key: "network.nonlinearity", Allowed: err.Error()}
		}
		d := len(st.S)
		A := mat.NewDense(d, d, nil)
		A.Mul(st.L.T(), st.R)
		job = fluctJob{cfg: cfg, epoch: -1, out: *out, L: st.L, R: st.R, S: st.S, A: A,
			nw:    sim.Network{J: p.J, Phi: phi, Tau: cfg.Network.Tau, B: cfg.Network.B, Offset: st.External(cfg.Task.I0)},
			input: 0}
		if job.out == "" {
			job.out = "fluctuations"
		}
	case 1:
		if *file != "" {
			return usagef("fluctuations RUN_DIR: --config does not apply (the run's configuration is used; override fluctuations.* keys with --set)")
		}
		d := rundir.Dir(pos[0])
		run, cfg, err := measuredRun(d, "fluctuations", sets, *epoch)
		if err != nil {
			return err
		}
		if err := checkMemory(config.FluctuationsEstimate(cfg).WithCheckpoint(run), *mf.maxMemory); err != nil {
			return err
		}
		_, ts, err := d.Load(run, *epoch, false, stderr)
		if err != nil {
			return err
		}
		in, err := rundir.StateInput(cfg, ts)
		if err != nil {
			return err
		}
		job, err = trainedFluctJob(cfg, in)
		if err != nil {
			return err
		}
		job.out = *out
		if job.out == "" {
			job.out = filepath.Join(pos[0], "fluctuations", fmt.Sprintf("epoch-%08d", ts.Epoch))
		}
		unlock, err := lockIfInside(job.out, pos[0])
		if err != nil {
			return err
		}
		defer unlock()
	default:
		return usagef("fluctuations takes at most one run directory, got %d arguments %q", len(pos), pos)
	}
	if fi, err := os.Stat(job.out); err == nil && !fi.IsDir() {
		return usagef("--out %s is a file, not a directory", job.out)
	}
	job.progress = infoProgress(stderr, *quiet)
	job.stderr = stderr
	res, err := job.run(ctx)
	if err != nil {
		return err
	}
	if err := res.write(job.out, !*noPlots); err != nil {
		return err
	}
	f := res.f
	for k := range f.Gamma {
		fmt.Fprintf(stdout, "mode %d: θ = %.2f°, amplitude/√c_φ = %.4f (tan θ = %.4f, ratio %.4f)\n",
			k+1, f.Theta[k]*180/math.Pi, f.Amplitude[k]/math.Sqrt(f.CPhi), math.Tan(f.Theta[k]), res.ratio(k))
	}
	if job.epoch >= 0 {
		for _, k := range unresolvedModes(job.cfg.Network.G, job.S, f.Gamma) {
			floor := 2 * job.cfg.Network.G / (job.S[k] - 2*job.cfg.Network.G)
			fmt.Fprintf(stderr, "balnet: warning: mode %d: 1 − γ² = %.3g is not well above the perturbation floor (2g/(s_k − 2g))² = %.3g of the random part, s_k = %.4g (docs/science.md §6.6 item 4): its θ is not resolved\n",
				k+1, 1-f.Gamma[k]*f.Gamma[k], floor*floor, job.S[k])
		}
	}
	fmt.Fprintf(stdout, "c_φ = %.4g, std(Rᵀδφ) = %.4g, ν = %.4g\n", f.CPhi, res.rowStd(), res.nu)
	fmt.Fprintf(stdout, "wrote %s\n", job.out)
	return nil
}

// unresolvedModes returns the modes k whose angle §6.6 item 4 does not resolve: a γ_k < 1 of
// a trained matrix is meaningful only if 1 − γ_k² ≫ (2g/(s_k − 2g))², the Davis–Kahan scale
// of the random part of bulk edge 2g against the mode's own singular value s_k (taken here
// as a factor 4 above it); a mode with s_k ≤ 2g is inside the bulk and never resolved.
func unresolvedModes(g float64, s, gamma []float64) []int {
	var ks []int
	for k, gk := range gamma {
		floor := 2 * g / (s[k] - 2*g)
		if s[k] <= 2*g || 1-gk*gk < 4*floor*floor {
			ks = append(ks, k)
		}
	}
	return ks
}

// trainedFluctJob applies the §6.6 recipe to a trained network: Jˢ = J − (J_init −
// E[J_init]), D = RankAbove(σ(Jˢ), AlignThreshold, MaxAlignRank), L, R from Align(Jˢ, D).
func trainedFluctJob(cfg config.Config, in analysis.Input) (fluctJob, error) {
	init := mat.DenseCopyOf(in.Init.J)
	if in.Float32 {
		r, c := init.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				init.Set(i, j, float64(float32(init.At(i, j))))
			}
		}
	}
	mean, err := model.MeanCoupling(in.Network)
	if err != nil {
		return fluctJob{}, err
	}
	var js mat.Dense
	js.Sub(in.Params.J, init)
	js.Add(&js, mean)
	sv, err := analysis.SingularValues(&js)
	if err != nil {
		return fluctJob{}, err
	}
	th, err := analysis.AlignThreshold(in.Network)
	if err != nil {
		return fluctJob{}, err
	}
	d := analysis.RankAbove(sv, th, analysis.MaxAlignRank)
	if d == 0 {
		return fluctJob{}, fmt.Errorf("fluctuations: epoch %d: no singular value of the structured part J − (J_init − E[J_init]) above the threshold %.4g (largest %.4g): there is no low-rank structure to analyse (docs/science.md §6.6)", in.Epoch, th, sv[0])
	}
	al, err := analysis.AlignSV(&js, sv, d)
	if err != nil {
		return fluctJob{}, err
	}
	nw, err := sim.FromParams(in.Params, in.Network)
	if err != nil {
		return fluctJob{}, err
	}
	return fluctJob{cfg: cfg, epoch: in.Epoch, L: al.L, R: al.R, S: al.S, A: al.A, nw: nw, input: cfg.Task.I0,
		sigma: cfg.Sim.Sigma}, nil
}

// fluctJob is one fluctuation measurement.
type fluctJob struct {
	cfg      config.Config
	epoch    int // checkpoint epoch, −1 for a constructed network
	out      string
	L, R     *mat.Dense // N×D, orthonormal columns
	S        []float64  // singular values of the structure
	A        *mat.Dense // LᵀR
	nw       sim.Network
	input    float64 // constant input on every channel (through W_in)
	sigma    float64 // noise σ
	progress func(step, total int)
	stderr   io.Writer // warnings
}

type fluctResult struct {
	job     fluctJob
	rec     *sim.Recording
	sim     *sim.Result
	f       *analysis.Fluctuations
	nu      float64
	dt      float64
	figures bool
}

// ratio is amplitude_k/(tan θ_k·√c_φ), NaN (an empty CSV field) where the prediction is not a finite nonzero
// number: θ_k = 90° (coherent chaos, +Inf) or tan θ_k < 10⁻⁶ (complete alignment up to the
// rounding of the SVD of A, where §6.4 predicts only an O(N^{-1/2}) amplitude).
func (r *fluctResult) ratio(k int) float64 {
	p := r.f.Predicted[k]
	if math.IsInf(p, 0) || math.Tan(r.f.Theta[k]) < 1e-6 {
		return math.NaN()
	}
	return r.f.Amplitude[k] / p
}

// rowStd is the root mean square over modes of std_t((Rᵀφ)_k).
func (r *fluctResult) rowStd() float64 {
	var s float64
	for _, v := range r.f.RowStd {
		s += v * v
	}
	return math.Sqrt(s / float64(len(r.f.RowStd)))
}

// run simulates the network with the projections of analysis.FluctuationProbes and
// analyses them.
func (j fluctJob) run(ctx context.Context) (*fluctResult, error) {
	c := j.cfg
	n := j.nw.N()
	dt := c.FluctuationsDT()
	burn, steps := c.FluctuationsSteps()
	h0rng := rand.New(rand.NewPCG(c.Fluctuations.Seed, fluctH0Stream))
	h0 := make([]float64, n)
	for i := range h0 {
		h0[i] = h0rng.NormFloat64()
	}
	probes := analysis.FluctuationProbes(j.L, j.R, c.Fluctuations.Probes, rand.New(rand.NewPCG(c.Fluctuations.Seed, fluctProbeStream)))
	S := c.Task.Signals
	if j.nw.Win == nil {
		S = 1
	}
	in := sim.Func{S: S, F: func(_ int, dst []float64) {
		for i := range dst {
			dst[i] = j.input
		}
	}}
	s := sim.Settings{DT: dt, Sigma: j.sigma, BurnIn: burn, Steps: steps, Stride: c.Fluctuations.Stride, H0: h0, Project: probes,
		Coupling32: c.Fluctuations.Coupling32, Threads: c.Fluctuations.Threads}
	sink := progressSink{Recording: new(sim.Recording), f: j.progress}
	var sinkI sim.Sink = sink.Recording
	if j.progress != nil {
		sinkI = sink
	}
	res, err := sim.Run(ctx, j.nw, in, s, rand.New(rand.NewPCG(c.Fluctuations.Seed, fluctNoiseStream)), sinkI)
	if err != nil {
		var bu *sim.BlowUpError
		if errors.As(err, &bu) {
			return nil, fmt.Errorf("fluctuations: %w (the network is unstable at these settings: the structure's outliers eig(S·Aᵀ) or g put it outside the stable balanced regime)", err)
		}
		return nil, err
	}
	rec := sink.Recording
	f, err := analysis.AnalyzeFluctuations(j.L, j.R, rec.Proj[0])
	if err != nil {
		return nil, err
	}
	out := &fluctResult{job: j, rec: rec, sim: res, f: f, dt: dt}
	for _, v := range rec.Rate[0] {
		out.nu += v / float64(len(rec.Rate[0]))
	}
	for _, v := range append([]float64{f.CPhi, out.nu}, f.Amplitude...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("fluctuations: a non-finite result (c_φ = %g, ν = %g, amplitudes %v): the simulation did not stay bounded", f.CPhi, out.nu, f.Amplitude)
		}
	}
	if f.CPhi < 1e-12 {
		fmt.Fprintf(j.stderr, "balnet: warning: c_φ = %.3g: the network reached a fixed point, there are no fluctuations to compare with tan θ (raise network.g or sim.sigma)\n", f.CPhi)
	}
	return out, nil
}

var modesColumns = []string{"mode", "gamma", "theta_deg", "tan_theta", "amplitude", "amplitude_over_sqrt_cphi", "ratio_to_prediction"}

var fluctSummaryColumns = []string{"n", "g", "d", "c_phi", "rt_dphi_std", "nu",
	"dt", "duration", "burn_in", "stride", "probes", "seed", "sigma", "min_active", "epoch"}

// write puts the results into dir (created if needed); every file is written atomically.
func (r *fluctResult) write(dir string, figures bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	c, f, ff := r.job.cfg, r.f, analysis.FormatFloat
	sq := math.Sqrt(f.CPhi)
	var rows [][]string
	tans := make([]float64, len(f.Gamma))
	amps := make([]float64, len(f.Gamma))
	for k, g := range f.Gamma {
		tans[k], amps[k] = math.Tan(f.Theta[k]), f.Amplitude[k]/sq
		rows = append(rows, []string{strconv.Itoa(k + 1), ff(g), ff(f.Theta[k] * 180 / math.Pi), ff(tans[k]),
			ff(f.Amplitude[k]), ff(amps[k]), ff(r.ratio(k))})
	}
	if err := checkpoints.WriteCSV(filepath.Join(dir, "modes.csv"), modesColumns, rows); err != nil {
		return err
	}
	fl := c.Fluctuations
	srow := []string{strconv.Itoa(r.job.nw.N()), ff(c.Network.G), strconv.Itoa(len(f.Gamma)), ff(f.CPhi), ff(r.rowStd()), ff(r.nu),
		ff(r.dt), ff(fl.Duration), ff(fl.BurnIn), strconv.Itoa(fl.Stride), strconv.Itoa(fl.Probes),
		strconv.FormatUint(fl.Seed, 10), ff(r.job.sigma), ff(r.sim.MinActive), strconv.Itoa(r.job.epoch)}
	if err := checkpoints.WriteCSV(filepath.Join(dir, "fluctuations-summary.csv"), fluctSummaryColumns, [][]string{srow}); err != nil {
		return err
	}
	if err := r.writeProjections(filepath.Join(dir, "projections.npz")); err != nil {
		return err
	}
	resolved := c
	resolved.Fluctuations.DT = r.dt
	if err := checkpoints.WriteFileAtomic(filepath.Join(dir, "config.yaml"), resolved.YAML(), 0o644); err != nil {
		return err
	}
	if !figures {
		return nil
	}
	d := len(f.Gamma)
	eigJ, err := analysis.Eigenvalues(r.job.nw.J)
	if err != nil {
		return fmt.Errorf("fluctuations: eig(J): %w", err)
	}
	sa := mat.NewDense(d, d, nil)
	sa.Mul(mat.NewDiagDense(d, r.job.S), r.job.A.T())
	eigSA, err := analysis.Eigenvalues(sa)
	if err != nil {
		return fmt.Errorf("fluctuations: eig(S·Aᵀ): %w", err)
	}
	proj := r.rec.Proj[0]
	title := fmt.Sprintf("N = %d, g = %g, D = %d, c_φ = %.3g", r.job.nw.N(), c.Network.G, d, f.CPhi)
	if r.job.epoch >= 0 {
		title = fmt.Sprintf("epoch %d: ", r.job.epoch) + title
	}
	_, err = plots.FluctuationFigures(dir, title, plots.FluctuationData{TanTheta: tans, Amplitude: amps,
		T: r.rec.Time, X: proj[:d], Y: proj[2*d : 3*d], EigJ: eigJ, EigSA: eigSA})
	return err
}

// writeProjections writes t (T), x = Lᵀφ (D×T), rt_phi = Rᵀφ (D×T), y_w = Pᵀφ (D×T, the
// unit vectors P_k of FluctuationProbes) and probes = wᵀφ (P×T).
func (r *fluctResult) writeProjections(path string) error {
	proj := r.rec.Proj[0]
	T := len(r.rec.Time)
	d := len(r.f.Gamma)
	block := func(name string, rows [][]float64) checkpoints.NamedArray {
		var data []float64
		for _, s := range rows {
			data = append(data, s...)
		}
		return checkpoints.NamedArray{Name: name, Shape: []int{len(rows), T}, Data: data}
	}
	arrays := []checkpoints.NamedArray{{Name: "t", Shape: []int{T}, Data: r.rec.Time},
		block("x", proj[:d]), block("rt_phi", proj[d:2*d]), block("y_w", proj[2*d:3*d]), block("probes", proj[3*d:])}
	return checkpoints.WriteAtomic(path, 0o644, func(w io.Writer) error { return checkpoints.WriteNPZ(w, arrays) })
}
