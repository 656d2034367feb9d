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
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/info"
	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/plots"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/sim"
	"github.com/balnet/balnet/tasks"
	"github.com/balnet/balnet/train"
)

// The PCG stream constants of balnet info's simulation: rand.NewPCG(info.seed, stream).
// They are far from the trainer's streams 1…5 (train.Stream) and the analysis' k-means.
const (
	infoInputStream uint64 = 0x696e666f00000001 // "info" + 1: the OU input
	infoNoiseStream uint64 = 0x696e666f00000002 // the private noise ζ
)

// cmdInfo measures the information rate between the common input and the population
// rate or a readout (docs/science.md §4):
//
//	balnet info [--config FILE] [--set key=value]... [--out DIR] [--no-plots] [--quiet]
//	balnet info RUN_DIR [--epoch E] [--set info.key=value]... [--out DIR] [--no-plots] [--quiet]
//
// The first form builds the network from a configuration whose default is the Fig. 5
// setting (config.InfoDefault); the second loads a trained network from a checkpoint
// (default: the latest) and accepts overrides of the info section only. It writes into DIR
// (default ./info for the first form, RUN_DIR/info/epoch-E for the second) info.csv,
// info-summary.csv, signals.npz, config.yaml and the figures. Every input is checked
// before anything is simulated or written.
func cmdInfo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	mf := addMeasureFlags(fs, "Fig. 5", "")
	epoch := fs.Int("epoch", -1, "checkpoint epoch of RUN_DIR (default: the latest)")
	file, out, noPlots, quiet := mf.file, mf.out, mf.noPlots, mf.quiet
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	sets := mf.sets
	var job infoJob
	switch len(pos) {
	case 0:
		if *epoch != -1 {
			return usagef("info: --epoch needs a run directory (balnet info RUN_DIR --epoch E)")
		}
		cfg, err := loadConfigFrom(config.InfoDefault(), *file, sets, nil, nil)
		if err != nil {
			return err
		}
		if err := checkMemory(config.InfoEstimate(cfg), *mf.maxMemory); err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(train.StreamInit)))
		p, err := model.NewParams(cfg.Network, cfg.Task.Signals, cfg.Outputs(), rng)
		if err != nil {
			return &config.Error{Key: "network", Allowed: err.Error()}
		}
		train.Constrain(cfg.Config, p.J) // network.density, network.dale as in a run
		job = infoJob{cfg: cfg, params: p, epoch: -1, out: *out}
		if job.out == "" {
			job.out = "info"
		}
	case 1:
		if *file != "" {
			return usagef("info RUN_DIR: --config does not apply (the run's configuration is used; override info.* keys with --set)")
		}
		d := rundir.Dir(pos[0])
		run, cfg, err := measuredRun(d, "info", sets, *epoch)
		if err != nil {
			return err
		}
		if err := checkMemory(config.InfoEstimate(cfg).WithCheckpoint(run), *mf.maxMemory); err != nil {
			return err
		}
		_, st, err := d.Load(run, *epoch, false, stderr)
		if err != nil {
			return err
		}
		job = infoJob{cfg: cfg, params: st.Params, epoch: st.Epoch, out: *out}
		if job.out == "" {
			job.out = filepath.Join(pos[0], "info", fmt.Sprintf("epoch-%08d", st.Epoch))
		}
		unlock, err := lockIfInside(job.out, pos[0])
		if err != nil {
			return err
		}
		defer unlock()
	default:
		return usagef("info takes at most one run directory, got %d arguments %q", len(pos), pos)
	}
	if fi, err := os.Stat(job.out); err == nil && !fi.IsDir() {
		return usagef("--out %s is a file, not a directory", job.out)
	}
	job.progress = infoProgress(stderr, *quiet)
	res, err := job.run(ctx)
	if err != nil {
		return err
	}
	if err := res.write(job.out, !*noPlots); err != nil {
		return err
	}
	for _, ch := range res.channels {
		r := ch.rate
		fmt.Fprintf(stdout, "%s: R_lb = %.4f bits/τ (Eq. 21: %.4f, with f_cut: %.4f; Eq. 22: %.4f) K = %d, Δf = %.4g/τ, f_cut = %.4g/τ, bias floor %.3g bits/τ",
			ch.label, r.RLB, ch.eq21, ch.eq21cut, ch.eq22, r.K, r.DF, r.FCut, r.Floor)
		if res.cfg.Info.BiasCorrection {
			fmt.Fprintf(stdout, ", bias-corrected %.4f", r.Corrected)
		}
		fmt.Fprintln(stdout)
		if r.BelowFloor() {
			fmt.Fprintf(stderr, "balnet: warning: %s: R_lb = %.3g bits/τ is within twice the estimator's bias floor %.3g bits/τ (what independent signals give): it says little; record longer or use info.bias_correction\n",
				ch.label, r.RLB, r.Floor)
		}
	}
	fmt.Fprintf(stdout, "wrote %s\n", job.out)
	return nil
}

// infoJob is one information-rate measurement: a configuration, the network's parameters
// and where the results go.
type infoJob struct {
	cfg      config.Config
	params   *model.Params
	epoch    int // checkpoint epoch, −1 for a configured network
	out      string
	progress func(step, total int)
}

// infoChannel is the result for one input channel.
type infoChannel struct {
	label               string
	sp                  *info.Spectra
	coh, dens, gain     []float64
	corrected           []float64 // nil unless bias correction is on
	theory, eq19, eq20  []float64 // theory nil where the exact linear form does not apply
	gainEq18            []float64
	rate                info.Rate
	eq21, eq21cut, eq22 float64
	exact               bool
}

type infoResult struct {
	cfg      config.Config
	epoch    int
	rec      *sim.Recording
	sim      *sim.Result
	channels []infoChannel
	elapsed  time.Duration
}

// progressSink forwards the simulator's progress to a callback.
type progressSink struct {
	*sim.Recording
	f func(step, total int)
}

func (p progressSink) Progress(step, total int) { p.f(step, total) }

// run simulates the network and estimates the information rate of every channel.
func (j infoJob) run(ctx context.Context) (*infoResult, error) {
	c := j.cfg
	start := time.Now()
	dt := c.InfoDT()
	burn, steps, _ := c.InfoSteps()
	nw, err := sim.FromParams(j.params, c.Network)
	if err != nil {
		return nil, err
	}
	S, R := c.Task.Signals, c.Info.Realizations
	ou := tasks.OU{Channels: S, DT: dt, TauS: c.Task.TauS, I0: c.Task.I0, I1: c.Task.I1}
	in := sim.NewOU(ou, R, rand.New(rand.NewPCG(c.Info.Seed, infoInputStream)))
	s := sim.Settings{DT: dt, Sigma: c.Sim.Sigma, BurnIn: burn, Steps: steps, Stride: c.Info.Stride,
		Realizations: R, Float32: c.Info.DType == "float32"}
	sink := progressSink{Recording: new(sim.Recording), f: j.progress}
	var sinkI sim.Sink = sink.Recording
	if j.progress != nil {
		sinkI = sink
	}
	res, err := sim.Run(ctx, nw, in, s, rand.New(rand.NewPCG(c.Info.Seed, infoNoiseStream)), sinkI)
	if err != nil {
		var bu *sim.BlowUpError
		if errors.As(err, &bu) {
			return nil, fmt.Errorf("info: %w (the network is unstable at these settings; with network.zero_diagonal the residual modes have eigenvalue b·J₀/N)", err)
		}
		return nil, err
	}
	rec := sink.Recording
	out := &infoResult{cfg: c, epoch: j.epoch, rec: rec, sim: res}
	fsRec := 1 / (float64(c.Info.Stride) * dt)
	w := info.Welch{FS: fsRec, NPerSeg: c.Info.NPerSeg}
	tauS := c.Task.TauS
	if tauS == 0 {
		tauS = 1
	}
	theory := info.Params{N: c.Network.N, B: c.Network.B, Sigma: c.Sim.Sigma, Tau: c.Network.Tau,
		TauS: tauS, I1: c.Task.I1 / math.Sqrt(tauS)}
	lin, exact := j.linear(nw, res, dt)
	for ch := 0; ch < S; ch++ {
		xs, ys := make([][]float64, R), make([][]float64, R)
		for r := 0; r < R; r++ {
			xs[r] = rec.Input[r][ch]
			if c.Info.Signal == "rate" {
				ys[r] = rec.Rate[r]
			} else {
				ys[r] = rec.Readout[r][ch]
			}
		}
		sp, rate, err := info.InformationAll(xs, ys, w, c.Info.FCut, c.Info.BiasCorrection)
		if err != nil {
			return nil, err
		}
		ic := infoChannel{label: fmt.Sprintf("input %d vs %s", ch+1, c.Info.Signal), sp: sp, rate: rate}
		if c.Info.Signal == "readout" {
			ic.label = fmt.Sprintf("input %d vs readout %d", ch+1, ch+1)
		}
		ic.coh = sp.Coherence()
		ic.dens = info.MIDensity(ic.coh)
		ic.gain = sp.Gain()
		if c.Info.BiasCorrection {
			ic.corrected = info.CorrectBias(ic.coh, rate.KEff)
		}
		static := c.Network.B / (1 + c.Network.B*c.Network.J0)
		for _, f := range sp.F {
			ic.eq19 = append(ic.eq19, theory.Coherence(f))
			ic.eq20 = append(ic.eq20, theory.Density(f))
			ic.gainEq18 = append(ic.gainEq18, static*theory.GainEff(f))
		}
		if exact && S == 1 {
			ic.theory, ic.exact = lin.WelchCoherence(w), true
		}
		ic.eq21, ic.eq22 = theory.Rate21(), theory.Rate22()
		cut := theory
		cut.FCut = rate.FCut
		ic.eq21cut = cut.Rate21Cut()
		out.channels = append(out.channels, ic)
	}
	out.elapsed = time.Since(start)
	return out, nil
}

// linear returns the exact linear description of the simulated network
// (info.Linear, docs/science.md §4.2 "Exactness") when it applies: a constant coupling
// (g = 0), no offsets, linear φ or ReLU with every unit active throughout, every step
// recorded, and the population rate as the response.
func (j infoJob) linear(nw sim.Network, res *sim.Result, dt float64) (info.Linear, bool) {
	c := j.cfg
	ok, cm, diagCorr := sim.ConstantCoupling(nw.J)
	phiOK := nw.Phi.Name == "linear" || (nw.Phi.Name == "relu" && res.MinActive == 1)
	if !ok || !phiOK || nw.Offset != nil || c.Info.Stride != 1 || c.Info.Signal != "rate" || c.Task.TauS <= 0 {
		return info.Linear{}, false
	}
	n := nw.N()
	var wbar float64
	for i := 0; i < n; i++ {
		wbar += nw.Win.At(i, 0)
	}
	wbar /= float64(n)
	return info.Linear{N: n, B: c.Network.B, Coupling: -(cm*float64(n) - diagCorr), WinMean: wbar,
		Sigma: c.Sim.Sigma, Tau: c.Network.Tau, TauS: c.Task.TauS, I1: c.Task.I1, DT: dt}, true
}

var infoColumns = []string{"channel", "f", "coherence", "mi_density", "gain", "coherence_theory", "coherence_eq19"}

var summaryColumns = []string{"channel", "r_lb", "r_eq21", "r_eq21_cut", "r_eq22", "k_segments", "df", "f_cut",
	"n", "b", "sigma", "g", "i1", "tau_s", "dt", "duration", "realizations", "seed",
	"r_floor", "k_eff", "min_active", "epoch"}

// write puts the results into dir (created if needed); every file is written atomically.
func (r *infoResult) write(dir string, figures bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	c := r.cfg
	ff := analysis.FormatFloat
	cols := append([]string(nil), infoColumns...)
	scols := append([]string(nil), summaryColumns...)
	if c.Info.BiasCorrection {
		cols = append(cols, "coherence_corrected")
		scols = append(scols, "r_lb_corrected")
	}
	var rows, srows [][]string
	for k, ch := range r.channels {
		for i, f := range ch.sp.F {
			th := math.NaN()
			if ch.theory != nil {
				th = ch.theory[i]
			}
			row := []string{strconv.Itoa(k + 1), ff(f), ff(ch.coh[i]), ff(ch.dens[i]), ff(ch.gain[i]), ff(th), ff(ch.eq19[i])}
			if c.Info.BiasCorrection {
				row = append(row, ff(ch.corrected[i]))
			}
			rows = append(rows, row)
		}
		q := ch.rate
		srow := []string{strconv.Itoa(k + 1), ff(q.RLB), ff(ch.eq21), ff(ch.eq21cut), ff(ch.eq22), strconv.Itoa(q.K), ff(q.DF), ff(q.FCut),
			strconv.Itoa(c.Network.N), ff(c.Network.B), ff(c.Sim.Sigma), ff(c.Network.G), ff(c.Task.I1), ff(c.Task.TauS),
			ff(c.InfoDT()), ff(c.Info.Duration), strconv.Itoa(c.Info.Realizations), strconv.FormatUint(c.Info.Seed, 10),
			ff(q.Floor), ff(q.KEff), ff(r.sim.MinActive), strconv.Itoa(r.epoch)}
		if c.Info.BiasCorrection {
			srow = append(srow, ff(q.Corrected))
		}
		srows = append(srows, srow)
	}
	if err := checkpoints.WriteCSV(filepath.Join(dir, "info.csv"), cols, rows); err != nil {
		return err
	}
	if err := checkpoints.WriteCSV(filepath.Join(dir, "info-summary.csv"), scols, srows); err != nil {
		return err
	}
	if err := r.writeSignals(filepath.Join(dir, "signals.npz")); err != nil {
		return err
	}
	resolved := c
	resolved.Info.DT = c.InfoDT()
	if len(r.channels) > 0 {
		resolved.Info.FCut = r.channels[0].rate.FCut
	}
	if err := checkpoints.WriteFileAtomic(filepath.Join(dir, "config.yaml"), resolved.YAML(), 0o644); err != nil {
		return err
	}
	if !figures {
		return nil
	}
	var curves []plots.InfoCurves
	for _, ch := range r.channels {
		curves = append(curves, plots.InfoCurves{Label: ch.label, F: ch.sp.F, Coherence: ch.coh, Theory: ch.theory,
			Eq19: ch.eq19, Density: ch.dens, Eq20: ch.eq20, Gain: ch.gain, GainEq18: ch.gainEq18})
	}
	title := fmt.Sprintf("N = %d, b = %g, g = %g, σ = %g, I₁ = %g, Δt = %.3g: R_lb = %.3g bits/τ (Eq. 21: %.3g)",
		c.Network.N, c.Network.B, c.Network.G, c.Sim.Sigma, c.Task.I1, c.InfoDT(), r.channels[0].rate.RLB, r.channels[0].eq21)
	_, err := plots.InfoFigures(dir, title, curves)
	return err
}

// writeSignals writes t, I, nu and readout as recorded: I is realizations×channels×T, nu
// realizations×T and readout realizations×readouts×T, with the axes of length 1 dropped.
func (r *infoResult) writeSignals(path string) error {
	l := r.rec.Layout
	T := len(r.rec.Time)
	flat := func(dims []int, get func(a, b int) []float64) checkpoints.NamedArray {
		var data []float64
		for a := 0; a < dims[0]; a++ {
			for b := 0; b < dims[1]; b++ {
				data = append(data, get(a, b)...)
			}
		}
		shape := []int{}
		for _, d := range dims {
			if d != 1 {
				shape = append(shape, d)
			}
		}
		return checkpoints.NamedArray{Shape: append(shape, T), Data: data}
	}
	I := flat([]int{l.Realizations, l.Channels}, func(a, b int) []float64 { return r.rec.Input[a][b] })
	nu := flat([]int{l.Realizations, 1}, func(a, _ int) []float64 { return r.rec.Rate[a] })
	ro := flat([]int{l.Realizations, l.Readouts}, func(a, b int) []float64 { return r.rec.Readout[a][b] })
	I.Name, nu.Name, ro.Name = "I", "nu", "readout"
	if l.Readouts == 0 {
		ro.Shape = []int{l.Realizations, 0}
	}
	arrays := []checkpoints.NamedArray{{Name: "t", Shape: []int{T}, Data: r.rec.Time}, I, nu, ro}
	return checkpoints.WriteAtomic(path, 0o644, func(w io.Writer) error { return checkpoints.WriteNPZ(w, arrays) })
}

// infoProgress returns a progress callback drawing a bar on a terminal, or nil.
func infoProgress(w io.Writer, quiet bool) func(step, total int) {
	f, ok := w.(*os.File)
	if !ok || quiet || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(step, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription("simulating"),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionThrottle(200*time.Millisecond),
				progressbar.OptionClearOnFinish(),
			)
		}
		_ = bar.Set(step)
		if step == total {
			_ = bar.Finish()
		}
	}
}
