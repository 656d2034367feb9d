package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/plots"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/sim"
	"github.com/balnet/balnet/sweep"
	"github.com/balnet/balnet/train"
)

// sweepExecutable is the balnet binary that sweep runs as child processes and SLURM
// tasks: this very executable (tests substitute a freshly built binary).
var sweepExecutable = os.Executable

// cmdSweep dispatches balnet sweep SPEC --out DIR [...] and its subcommands status,
// collect and run-task.
func cmdSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "status":
			return cmdSweepStatus(args[1:], stdout)
		case "collect":
			return cmdSweepCollect(args[1:], stdout)
		case "run-task":
			return cmdSweepRunTask(ctx, args[1:], stdout)
		}
	}
	return cmdSweepRun(ctx, args, stdout, stderr)
}

type sbatchArgs []string

func (s *sbatchArgs) String() string     { return strings.Join(*s, " ") }
func (s *sbatchArgs) Set(v string) error { *s = append(*s, v); return nil }

// cmdSweepRun creates or continues a sweep and runs it on a local pool or submits it as a
// SLURM job array:
//
//	balnet sweep SPEC.yaml --out DIR [--workers K] [--retries R] [--force]
//	balnet sweep SPEC.yaml --out DIR --slurm [--partition P] [--time T] [--mem M]
//	             [--max-parallel K] [--sbatch-arg ARG]... [--dry-run]
func cmdSweepRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	out := fs.String("out", "", "sweep `directory` (required)")
	workers := fs.Int("workers", 0, "runs at once on this machine (default: the number of cores)")
	retries := fs.Int("retries", 1, "further attempts of a failed run")
	force := fs.Bool("force", false, "replace a sweep directory that holds another spec")
	quiet := fs.Bool("quiet", false, "no progress bar: one line per finished run")
	useSlurm := fs.Bool("slurm", false, "submit the runs as a SLURM job array instead")
	var sl sweep.Slurm
	fs.StringVar(&sl.Partition, "partition", "", "SLURM partition")
	fs.StringVar(&sl.Time, "time", "", "SLURM time limit per run, e.g. 2:00:00")
	fs.StringVar(&sl.Mem, "mem", "", "SLURM memory per run, e.g. 2G")
	fs.IntVar(&sl.MaxParallel, "max-parallel", 0, "at most K SLURM tasks at once (default: no limit)")
	fs.Var((*sbatchArgs)(&sl.Args), "sbatch-arg", "a further sbatch option, e.g. --account=lab (repeatable)")
	dryRun := fs.Bool("dry-run", false, "with --slurm: write the job script, do not submit it")
	maxMemory := memoryFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	switch {
	case len(pos) != 1:
		return usagef("sweep takes one spec file (or status, collect, run-task), got %d arguments %q", len(pos), pos)
	case *out == "":
		return usagef("sweep: --out DIR is required")
	case *workers < 0:
		return usagef("sweep: --workers = %d is invalid: an integer ≥ 1 (0: the number of cores)", *workers)
	case *retries < 0:
		return usagef("sweep: --retries = %d is invalid: an integer ≥ 0", *retries)
	case sl.MaxParallel < 0:
		return usagef("sweep: --max-parallel = %d is invalid: an integer ≥ 1", sl.MaxParallel)
	case *dryRun && !*useSlurm:
		return usagef("sweep: --dry-run goes with --slurm")
	case !*useSlurm && (given["partition"] || given["time"] || given["mem"] || given["max-parallel"] || given["sbatch-arg"]):
		return usagef("sweep: --partition, --time, --mem, --max-parallel and --sbatch-arg go with --slurm")
	case *useSlurm && given["workers"]:
		return usagef("sweep: --workers is for the local pool; with --slurm use --max-parallel")
	}
	specFile := pos[0]
	data, err := os.ReadFile(specFile)
	if err != nil {
		return usagef("sweep: %s: cannot read it: %v", specFile, errors.Unwrap(err))
	}
	spec, err := sweep.Parse(data, filepath.Dir(specFile))
	if err != nil {
		return specErr(specFile, err)
	}
	if *useSlurm && !*dryRun {
		if _, err := exec.LookPath("sbatch"); err != nil {
			return sweep.ErrNoSbatch
		}
	}
	l := sweep.Layout(*out)
	runs, replace, err := sweep.Check(l, spec, *force)
	if err != nil {
		return err
	}
	if !*useSlurm {
		if err := checkSweepMemory(spec, runs, *workers, *maxMemory); err != nil {
			return err
		}
	}
	exe, err := sweepExecutable()
	if err != nil {
		return fmt.Errorf("sweep: cannot find the balnet executable: %w", err)
	}
	// One balnet sweep at a time writes a sweep directory: it holds the directory's lock.
	if replace {
		if err := sweep.Remove(l); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	lock, err := rundir.Lock(*out)
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if err := sweep.Prepare(l, spec, runs); err != nil {
		return err
	}
	st, err := sweep.Statuses(l, runs)
	if err != nil {
		return err
	}
	again := fmt.Sprintf("balnet sweep %s --out %s", specFile, *out)
	if *useSlurm {
		sl.Executable = exe
		return submitSweep(l, runs, st, sl, *dryRun, stdout)
	}
	fmt.Fprintf(stdout, "sweep of %d runs into %s\n", len(runs), *out)
	abs, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	pool := &sweep.Pool{Layout: l, Spec: spec, Runs: runs, Workers: *workers, Retries: *retries,
		Command: func(r sweep.Run) *exec.Cmd {
			return exec.Command(exe, "sweep", "run-task", abs, "--index", strconv.Itoa(r.Index))
		},
	}
	if f, ok := stderr.(*os.File); ok && !*quiet && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(1, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription("runs"),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
		pool.Progress = func(ended, total int) { bar.ChangeMax(total); _ = bar.Set(ended) }
	} else {
		pool.Log = stdout
	}
	res, err := pool.Run(ctx)
	if err != nil {
		return err
	}
	counts := sweep.Counts(res.Statuses)
	fmt.Fprintf(stdout, "%s\n", countLine(len(runs), counts))
	if res.Interrupted {
		fmt.Fprintf(stdout, "interrupted: every running run saved its checkpoint. Continue with:\n  %s\n", again)
		return nil
	}
	var failed []string
	for i, s := range res.Statuses {
		if s.State == sweep.Failed {
			failed = append(failed, fmt.Sprintf("%s (%s; log %s)", runs[i].ID, s.Message, l.Log(runs[i])))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d runs failed:\n  %s\nrun the same command again to retry them: %s", len(failed), strings.Join(failed, "\n  "), again)
	}
	if counts[sweep.Diverged] > 0 {
		fmt.Fprintf(stdout, "warning: %d runs diverged (recorded, not retried): balnet sweep status %s\n", counts[sweep.Diverged], *out)
	}
	if n := counts[sweep.Pending] + counts[sweep.Running]; n > 0 {
		fmt.Fprintf(stdout, "%d runs are not finished (another process holds them): balnet sweep status %s\n", n, *out)
	}
	return nil
}

// specErr adds the spec file to an error of its parsing: configuration errors keep exit
// status 2, and a spec that is not YAML at all is a usage error too.
func specErr(file string, err error) error {
	if _, ok := config.AsError(err); ok {
		return fmt.Errorf("sweep %s: %w", file, err)
	}
	return usageError{fmt.Errorf("sweep %s: %w", file, err)}
}

// submitSweep writes the job array of the runs that are neither finished nor queued and,
// unless dryRun, submits it with sbatch and records the job.
func submitSweep(l sweep.Layout, runs []sweep.Run, st []sweep.Status, sl sweep.Slurm, dryRun bool, stdout io.Writer) error {
	var jobs []string
	for _, s := range st {
		if j, _, ok := strings.Cut(s.Job, "_"); ok && !slices.Contains(jobs, j) {
			jobs = append(jobs, j)
		}
	}
	queued, _, err := sweep.Squeue(jobs)
	if err != nil {
		return err
	}
	var todo []sweep.Run
	var idx []int
	for i, r := range runs {
		if st[i].State == sweep.Done || st[i].State == sweep.Diverged {
			continue
		}
		if q, ok := queued[st[i].Job]; ok {
			fmt.Fprintf(stdout, "%s: already in the queue as %s (%s)\n", r.ID, st[i].Job, q)
			continue
		}
		todo = append(todo, r)
		idx = append(idx, r.Index)
	}
	if len(todo) == 0 {
		fmt.Fprintf(stdout, "nothing to submit: every run is finished or queued (balnet sweep status %s)\n", l)
		return nil
	}
	script, err := sl.WriteScript(l, idx)
	if err != nil {
		return err
	}
	if dryRun {
		fmt.Fprintf(stdout, "wrote %s (%d runs); submit it with:\n  sbatch %s\n", script, len(todo), script)
		return nil
	}
	id, err := sweep.Submit(script)
	if err != nil {
		return err
	}
	if err := sweep.RecordJob(l, todo, id); err != nil {
		return err
	}
	if _, err := sweep.WriteManifest(l, mustSpec(l), runs); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "submitted job array %s (%d runs, script %s)\nwatch it with: balnet sweep status %s\n", id, len(todo), script, l)
	return nil
}

func mustSpec(l sweep.Layout) *sweep.Spec {
	s, _, err := sweep.Load(l)
	if err != nil {
		panic(err) // Prepare has just written it
	}
	return s
}

func countLine(n int, counts map[string]int) string {
	parts := []string{}
	for _, s := range sweep.States {
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
	}
	return fmt.Sprintf("%d runs: %s", n, strings.Join(parts, ", "))
}

// cmdSweepStatus prints the counts of a sweep's runs by state and every unfinished run,
// with its SLURM state when squeue is available:
//
//	balnet sweep status DIR
func cmdSweepStatus(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sweep status", flag.ContinueOnError)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("sweep status takes one sweep directory, got %q", pos)
	}
	l := sweep.Layout(pos[0])
	spec, runs, err := sweep.Load(l)
	if err != nil {
		return err
	}
	st, err := sweep.WriteManifest(l, spec, runs)
	if err != nil {
		return err
	}
	var jobs []string
	for _, s := range st {
		if j, _, ok := strings.Cut(s.Job, "_"); ok && !slices.Contains(jobs, j) {
			jobs = append(jobs, j)
		}
	}
	queued, haveSqueue, err := sweep.Squeue(jobs)
	if err != nil {
		fmt.Fprintf(stdout, "warning: %v\n", err)
	}
	fmt.Fprintln(stdout, countLine(len(runs), sweep.Counts(st)))
	for i, r := range runs {
		s := st[i]
		if s.State == sweep.Done {
			continue
		}
		line := fmt.Sprintf("  %-9s %s  attempts %d", s.State, r.ID, s.Attempts)
		if s.Message != "" {
			line += "  " + s.Message
		}
		if s.Job != "" {
			line += "  job " + s.Job
			if haveSqueue && len(jobs) > 0 {
				if q, ok := queued[s.Job]; ok {
					line += " (" + strings.ToLower(q) + ")"
				} else if s.State == sweep.Running || s.State == sweep.Pending {
					line += " (not in the queue any more)"
				}
			}
		}
		fmt.Fprintln(stdout, line)
	}
	return nil
}

// cmdSweepCollect writes DIR/summary.csv and a sweep figure:
//
//	balnet sweep collect DIR [--x KEY] [--y COLUMN] [--by KEY] [--log-x]
func cmdSweepCollect(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sweep collect", flag.ContinueOnError)
	x := fs.String("x", "", "swept key on the x axis (default: the first numeric swept key)")
	y := fs.String("y", "test_loss", "summary column on the y axis (fluctuations sweeps: amplitude_over_sqrt_cphi)")
	by := fs.String("by", "", "swept key drawn as one line per value (default: another swept key)")
	logX := fs.Bool("log-x", false, "log x axis (default: when the x values span two decades)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("sweep collect takes one sweep directory, got %q", pos)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	l := sweep.Layout(pos[0])
	spec, runs, err := sweep.Load(l)
	if err != nil {
		return err
	}
	sum, err := sweep.Collect(l, spec, runs)
	if err != nil {
		return err
	}
	if !given["y"] && spec.Command == "fluctuations" {
		*y = "amplitude_over_sqrt_cphi"
	}
	// Validate the figure's keys before writing anything.
	if !given["x"] {
		for _, a := range spec.Grid {
			if numeric(a.Values) {
				*x = a.Key
				break
			}
		}
	}
	if !given["by"] && *x != "" {
		for _, a := range spec.Grid {
			if a.Key != *x {
				*by = a.Key
				break
			}
		}
	}
	var curves []sweep.Curve
	if *x != "" {
		if curves, err = sum.Curves(spec, *x, *y, *by); err != nil {
			return err
		}
	} else if given["y"] || given["by"] {
		return usagef("sweep collect: no swept key with numeric values for the x axis (give --x)")
	}
	if _, err := sweep.WriteManifest(l, spec, runs); err != nil {
		return err
	}
	if err := sum.Write(l.Summary()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d runs)\n", l.Summary(), len(sum.Rows))
	if *x == "" {
		return nil
	}
	var mc []plots.MeanCurve
	lo, hi := 0.0, 0.0
	for _, c := range curves {
		mc = append(mc, plots.MeanCurve{Label: c.Label, X: c.X, Mean: c.Mean, SD: c.SD})
		for _, v := range c.X {
			if lo == 0 || v < lo {
				lo = v
			}
			hi = max(hi, v)
		}
	}
	if !given["log-x"] {
		*logX = lo > 0 && hi/lo >= 100
	}
	name := *y + "-vs-" + *x
	if *by != "" {
		name += "-by-" + *by
	}
	title := fmt.Sprintf("%s against %s (mean ± sd over seeds)", *y, *x)
	paths, err := plots.SweepFigure(l.Figures(), name, title, *x, *y, mc, *logX)
	if err != nil {
		fmt.Fprintf(stdout, "warning: figure: %v\n", err)
		return nil
	}
	fmt.Fprintf(stdout, "figure: %s\n", strings.Join(paths, ", "))
	if spec.Command == "fluctuations" && *x == thetaKey {
		if paths, err := fluctSweepFigure(l, spec, sum, *by); err != nil {
			fmt.Fprintf(stdout, "warning: figure: %v\n", err)
		} else {
			fmt.Fprintf(stdout, "figure: %s\n", strings.Join(paths, ", "))
		}
	}
	return nil
}

// thetaKey is the swept angle of a rank-one fluctuation sweep.
const thetaKey = "network.lowrank.theta_deg"

// fluctSweepFigure draws the amplitude–angle curve of a fluctuation sweep over θ
// (docs/science.md §6.4): the measured amplitude/√c_φ of mode 1 (mean ± sd over seeds)
// against tan θ, with the prediction amplitude = tan θ, into DIR/figures/
// amplitude-vs-tan-theta.{png,svg}.
func fluctSweepFigure(l sweep.Layout, spec *sweep.Spec, sum *sweep.Summary, by string) ([]string, error) {
	curves, err := sum.Curves(spec, thetaKey, "amplitude_over_sqrt_cphi", by)
	if err != nil {
		return nil, err
	}
	var mc []plots.MeanCurve
	hi := 0.0
	for _, c := range curves {
		m := plots.MeanCurve{Label: c.Label, Mean: c.Mean, SD: c.SD}
		if m.Label == "" {
			m.Label = "measured (mean ± sd over seeds)"
		}
		m.Mean, m.SD = nil, nil
		for k, th := range c.X {
			if th >= 90 { // tan 90° = ∞: the coherent-chaos point has no place on this axis
				continue
			}
			m.X = append(m.X, math.Tan(th*math.Pi/180))
			m.Mean, m.SD = append(m.Mean, c.Mean[k]), append(m.SD, c.SD[k])
			hi = max(hi, m.X[len(m.X)-1], c.Mean[k])
		}
		mc = append(mc, m)
	}
	if hi > 0 {
		mc = append(mc, plots.MeanCurve{Label: "prediction tan θ (§6.4)", X: []float64{0, hi}, Mean: []float64{0, hi}, SD: []float64{0, 0}})
	}
	return plots.SweepFigure(l.Figures(), "amplitude-vs-tan-theta", "mode amplitude against tan θ across runs",
		"tan θ", "std(uᵀLᵀφ)/√c_φ", mc, false)
}

func numeric(values []string) bool {
	for _, v := range values {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return false
		}
	}
	return true
}

// cmdSweepRunTask executes one run of a sweep — the work of a pool's child process and of a
// SLURM array task:
//
//	balnet sweep run-task DIR --index I
//
// It records the attempt in the run's status file, trains the run (or resumes it from its
// checkpoint when it has one), appends the output to DIR/logs/<run>.log, and records how
// it ended: done, diverged, failed, or pending after an interruption (SIGINT, SIGTERM), its
// checkpoint saved. A finished or diverged run is left alone.
func cmdSweepRunTask(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sweep run-task", flag.ContinueOnError)
	index := fs.Int("index", -1, "the run's index (the SLURM array task id)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("sweep run-task takes one sweep directory, got %q", pos)
	}
	l := sweep.Layout(pos[0])
	spec, runs, err := sweep.Load(l)
	if err != nil {
		return err
	}
	if *index < 0 || *index >= len(runs) {
		return usagef("sweep run-task: --index = %d is invalid: an integer from 0 to %d", *index, len(runs)-1)
	}
	r := runs[*index]
	// One process at a time runs a run (a SLURM requeue may start a second copy).
	if err := os.MkdirAll(l.Lock(r), 0o755); err != nil {
		return err
	}
	lock, err := rundir.Lock(l.Lock(r))
	if err != nil {
		return fmt.Errorf("%s: %w", r.ID, err)
	}
	defer lock.Unlock()
	task, before, err := sweep.Begin(l, r)
	if err != nil {
		return err
	}
	if before.State == sweep.Done || before.State == sweep.Diverged {
		fmt.Fprintf(stdout, "%s: already %s\n", r.ID, before.State)
		return nil
	}
	logf, err := os.OpenFile(l.Log(r), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		task.End(sweep.Failed, 1, err.Error())
		return err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "balnet sweep run-task %s --index %d: attempt %d, pid %d, %s\n", l, r.Index, before.Attempts+1, os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	dir := l.Run(r)
	var cmdArgs []string
	if spec.Command == "info" {
		// An information-rate run has no checkpoint: an interrupted one starts again, and
		// its files are replaced atomically.
		cmdArgs = []string{"info", "--config", l.Config(r), "--out", dir, "--quiet", "--no-plots"}
		err = cmdInfo(ctx, cmdArgs[1:], logf, logf)
	} else if spec.Command == "fluctuations" {
		// Likewise a fluctuation run (docs/science.md §6.5) starts again when interrupted.
		cmdArgs = []string{"fluctuations", "--config", l.Config(r), "--out", dir, "--quiet", "--no-plots"}
		err = cmdFluctuations(ctx, cmdArgs[1:], logf, logf)
	} else if eps, _ := checkpoints.List(checkpoints.Dir(dir)); len(eps) > 0 {
		cmdArgs = []string{"resume", dir, "--quiet", "--no-plots"}
		err = cmdResume(ctx, cmdArgs[1:], logf, logf)
	} else {
		cmdArgs = []string{"train", "--config", l.Config(r), "--out", dir, "--quiet", "--no-plots", "--force"}
		err = cmdTrain(ctx, cmdArgs[1:], logf, logf)
	}
	state, code := sweep.Done, 0
	var div *train.DivergedError
	var blow *sim.BlowUpError
	switch {
	case err == nil && ctx.Err() != nil, err != nil && ctx.Err() != nil && spec.Command != "train":
		state = sweep.Pending
	case errors.As(err, &div), errors.As(err, &blow):
		state, code = sweep.Diverged, 1
	case err != nil:
		state, code = sweep.Failed, 1
		if _, ok := config.AsError(err); ok || errors.As(err, new(usageError)) {
			code = 2
		}
	}
	msg := ""
	if err != nil {
		msg = err.Error()
		fmt.Fprintf(logf, "balnet: %v\n", err)
	}
	if eerr := task.End(state, code, msg); eerr != nil && err == nil {
		err = eerr
	}
	fmt.Fprintf(stdout, "%s: %s\n", r.ID, state)
	if err != nil {
		return fmt.Errorf("%s: %w", r.ID, err)
	}
	return nil
}
