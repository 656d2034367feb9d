package plots

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/train"
)

// Figures lists the figures of Render, in the order they are drawn.
var Figures = []string{
	"loss", "traces", "spectrum", "outliers", "balance", "weights",
	"connectivity", "subnetworks", "activity", "alignment", "summary",
}

// Report says what Render drew and why it left figures out.
type Report struct {
	// Drawn lists the figures written, in order, and Files their PNG and SVG paths.
	Drawn []string
	Files []string
	// Skipped maps each figure not drawn to the reason.
	Skipped map[string]string
	// Notes are remarks on figures drawn with part of their data, and on files read
	// with torn or malformed lines.
	Notes []string
}

// All draws every figure of the run directory runDir into outDir (runDir/figures when
// outDir is empty) and writes one line per figure to log: the files written, or why the
// figure was skipped. It is an error only if runDir is not a directory or no figure
// could be drawn.
func All(runDir, outDir string, log io.Writer) error {
	_, err := Render(runDir, outDir, log)
	return err
}

// AllContext is All that stops before the next figure once ctx is cancelled (Ctrl-C):
// every figure written is complete (atomic writes), and the error wraps ctx's cause.
func AllContext(ctx context.Context, runDir, outDir string, log io.Writer) error {
	_, err := render(ctx, runDir, outDir, log, loadLatestState)
	return err
}

// Render is All, returning the report.
func Render(runDir, outDir string, log io.Writer) (*Report, error) {
	return render(context.Background(), runDir, outDir, log, loadLatestState)
}

func render(ctx context.Context, runDir, outDir string, log io.Writer, load stateLoader) (*Report, error) {
	if log == nil {
		log = io.Discard
	}
	info, err := os.Stat(runDir)
	if err != nil {
		return nil, fmt.Errorf("run directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("run directory %s is not a directory", runDir)
	}
	if outDir == "" {
		outDir = filepath.Join(runDir, rundir.FiguresDir)
	}
	r := loadRun(runDir, load)
	rep := &Report{Skipped: map[string]string{}, Notes: r.notes}
	for _, n := range r.notes {
		fmt.Fprintf(log, "plot: %s\n", n)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return rep, err
	}
	for _, name := range Figures {
		if ctx.Err() != nil {
			return rep, fmt.Errorf("plot interrupted before figure %s: %w", name, context.Cause(ctx))
		}
		f, notes, err := r.build(name)
		if err == nil {
			var files []string
			files, err = writeFigure(outDir, name, f)
			rep.Files = append(rep.Files, files...)
			if err == nil {
				rep.Drawn = append(rep.Drawn, name)
				msg := fmt.Sprintf("%s: %s", name, strings.Join(files, ", "))
				if len(notes) > 0 {
					msg += " (" + strings.Join(notes, "; ") + ")"
					for _, n := range notes {
						rep.Notes = append(rep.Notes, name+": "+n)
					}
				}
				fmt.Fprintln(log, msg)
				continue
			}
		}
		rep.Skipped[name] = err.Error()
		fmt.Fprintf(log, "%s: skipped, %v\n", name, err)
	}
	if len(rep.Drawn) == 0 {
		return rep, fmt.Errorf("no figure could be drawn from %s", runDir)
	}
	return rep, nil
}

// run is what a run directory holds, each part with the error that kept it out.
type run struct {
	dir string

	cfg    *config.Config
	cfgErr error

	metrics, analysis       *Table
	metricsErr, analysisErr error

	first, last *Spectra // the first and last readable spectra files
	spectraErr  error

	state    *trained
	stateErr error

	notes []string
}

// loadRun reads everything a figure may need; what cannot be read is recorded with the
// reason.
func loadRun(dir string, load stateLoader) *run {
	r := &run{dir: dir}
	r.metrics, r.metricsErr = r.table(rundir.MetricsFile)
	r.analysis, r.analysisErr = r.table(rundir.AnalysisFile)
	r.loadSpectra()

	// config.yaml is the run's configuration as it stands (a resume may have raised
	// train.epochs); the checkpoint holds the one its state was written with, which is
	// the one to simulate it with.
	r.cfg, r.cfgErr = parseConfig(os.ReadFile(filepath.Join(dir, rundir.ConfigFile)))
	if r.cfgErr != nil {
		r.cfgErr = fmt.Errorf("%s: %w", rundir.ConfigFile, r.cfgErr)
		if errors.Is(r.cfgErr, fs.ErrNotExist) {
			r.cfgErr = fmt.Errorf("no %s in %s", rundir.ConfigFile, dir)
		}
	}
	ckptYAML, st, desc, loadErr := safeLoad(load, dir)
	simCfg := r.cfg
	if loadErr == nil {
		if c, err := parseConfig(ckptYAML, nil); err == nil {
			simCfg = c
		}
		if r.cfg == nil && simCfg != nil {
			r.cfg = simCfg
			r.notes = append(r.notes, fmt.Sprintf("%v; using the configuration saved in %s", r.cfgErr, desc))
		}
	}
	switch {
	case loadErr != nil:
		r.stateErr = fmt.Errorf("no checkpoint: %w", loadErr)
	case simCfg == nil:
		r.stateErr = fmt.Errorf("cannot simulate the checkpoint: %w", r.cfgErr)
	default:
		r.state, r.stateErr = simulate(*simCfg, st)
		if r.state != nil {
			r.state.desc = desc
		}
		if r.stateErr != nil {
			r.stateErr = fmt.Errorf("checkpoint %s: %w", desc, r.stateErr)
		}
	}
	return r
}

// parseConfig parses a configuration file's content onto the default and resolves it.
func parseConfig(data []byte, err error) (*config.Config, error) {
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, errors.New("empty configuration")
	}
	c, err := config.Parse(data, config.Default())
	if err != nil {
		return nil, err
	}
	c = c.Resolved()
	return &c, nil
}

// safeLoad calls load, turning a panic into an error.
func safeLoad(load stateLoader, dir string) (cfgYAML []byte, s *train.State, desc string, err error) {
	defer func() {
		if v := recover(); v != nil {
			cfgYAML, s, err = nil, nil, fmt.Errorf("reading the checkpoint failed: %v", v)
		}
	}()
	return load(dir)
}

// missing words a file error for the messages: "no metrics.csv in RUN_DIR".
func missing(err error, name, dir string) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no %s in %s", name, dir)
	}
	return err
}

// table reads a CSV file of the run directory and notes torn or skipped lines.
func (r *run) table(name string) (*Table, error) {
	t, err := ReadTable(filepath.Join(r.dir, name))
	if err != nil {
		return nil, missing(err, name, r.dir)
	}
	if t.Torn {
		r.notes = append(r.notes, fmt.Sprintf("%s: ignored a torn last line (a row still being written)", name))
	}
	if t.Dropped > 0 {
		r.notes = append(r.notes, fmt.Sprintf("%s: ignored %d malformed line(s)", name, t.Dropped))
	}
	if t.Len() == 0 {
		return nil, fmt.Errorf("%s has no rows yet", name)
	}
	return t, nil
}

// loadSpectra reads the first and the last readable spectra files; unreadable files
// (being written, damaged) are passed over with a note.
func (r *run) loadSpectra() {
	dir := filepath.Join(r.dir, rundir.SpectraDir)
	files, err := rundir.Dir(r.dir).Spectra()
	if err != nil {
		r.spectraErr = err
		return
	}
	if len(files) == 0 {
		r.spectraErr = fmt.Errorf("no spectra files in %s", dir)
		return
	}
	read := func(f rundir.SpectraFile) *Spectra {
		sp, err := ReadSpectra(f.Path)
		if err != nil {
			r.notes = append(r.notes, fmt.Sprintf("ignored %v", err))
			return nil
		}
		return sp
	}
	for i := len(files) - 1; i >= 0 && r.last == nil; i-- {
		r.last = read(files[i])
		if r.last != nil {
			for k := 0; k <= i && r.first == nil; k++ {
				if k == i {
					r.first = r.last
				} else {
					r.first = read(files[k])
				}
			}
		}
	}
	if r.last == nil {
		r.spectraErr = fmt.Errorf("no readable spectra file in %s", dir)
	}
}

// dt returns Δt/τ of the run's configuration.
func (r *run) dt() (float64, bool) {
	if r.cfg == nil || r.cfg.Sim.DT <= 0 {
		return 0, false
	}
	return dtOverTau(*r.cfg), true
}

// order returns the cluster order of the last spectra file if it fits n neurons.
func (r *run) order(n int) ([]int, int) {
	if r.last != nil && len(r.last.Order) == n {
		return r.last.Order, r.last.Epoch
	}
	return nil, -1
}

// labels returns the k-means labels on W_in of the last spectra file if they fit n
// neurons.
func (r *run) labels(n int) ([]int, int) {
	if r.last != nil && len(r.last.LabelsWin) == n {
		return r.last.LabelsWin, r.last.Epoch
	}
	return nil, -1
}
