package plots

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/train"
)

// partialCase is a run directory with missing or damaged files: the figures that can be
// drawn, and for some skipped figures a text their log line must contain.
type partialCase struct {
	name    string
	setup   func(t *testing.T) string // returns the run directory
	load    stateLoader
	drawn   []string
	skipped map[string]string // figure → part of its log line
	notes   []string          // parts of report notes
	fails   bool              // no figure at all: Render returns an error
}

// analysisFigures are the figures drawn from analysis.csv alone.
var analysisFigures = []string{"outliers", "balance", "weights", "subnetworks", "alignment"}

func partialCases(t *testing.T) []partialCase {
	trained := trainedLoader(t, 2)
	return []partialCase{
		{
			name:  "metrics only",
			setup: func(t *testing.T) string { return copyFixture(t, rundir.MetricsFile) },
			load:  failingLoader,
			drawn: []string{"loss", "summary"},
			skipped: map[string]string{
				"spectrum":     "spectrum: skipped, no spectra files in DIR/spectra",
				"balance":      "balance: skipped, no analysis.csv in DIR",
				"traces":       "traces: skipped, no checkpoint",
				"connectivity": "connectivity: skipped, no checkpoint",
			},
			notes: []string{"summary: no traces panel", "summary: no spectrum panel"},
		},
		{
			name: "torn analysis line, no checkpoint",
			setup: func(t *testing.T) string {
				dir := copyFixture(t)
				f, err := os.OpenFile(filepath.Join(dir, rundir.AnalysisFile), os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if _, err := f.WriteString("4000,3.1,3.5,-3."); err != nil {
					t.Fatal(err)
				}
				return dir
			},
			load:    failingLoader,
			drawn:   append(append([]string{"loss"}, analysisFigures...), "summary"),
			skipped: map[string]string{"activity": "activity: skipped, no checkpoint"},
			notes:   []string{"analysis.csv: ignored a torn last line", "weights: no histograms: no checkpoint"},
		},
		{
			name: "first test interval only",
			setup: func(t *testing.T) string {
				dir := copyFixture(t, rundir.ConfigFile)
				writeFile(t, filepath.Join(dir, rundir.MetricsFile), []byte("epoch,train_loss,test_loss,wall_seconds\n0,,0.5,0.1\n"))
				all, err := os.ReadFile(filepath.Join("testdata", "run", rundir.AnalysisFile))
				if err != nil {
					t.Fatal(err)
				}
				lines := strings.SplitAfter(string(all), "\n")
				writeFile(t, filepath.Join(dir, rundir.AnalysisFile), []byte(lines[0]+lines[1]))
				writeSpectra(t, dir, 0, spectraArrays(0))
				return dir
			},
			load:  trained,
			drawn: Figures,
			notes: []string{"spectrum: one spectra file"},
		},
		{
			name: "header-only CSV files",
			setup: func(t *testing.T) string {
				dir := t.TempDir()
				writeFile(t, filepath.Join(dir, rundir.MetricsFile), []byte("epoch,train_loss,test_loss,wall_seconds\n"))
				writeFile(t, filepath.Join(dir, rundir.AnalysisFile), []byte("epoch,balance,balance_rel\n"))
				return dir
			},
			load:  failingLoader,
			fails: true,
			skipped: map[string]string{
				"loss":    "loss: skipped, metrics.csv has no rows yet",
				"balance": "balance: skipped, analysis.csv has no rows yet",
			},
		},
		{
			name:  "empty run directory",
			setup: func(t *testing.T) string { return t.TempDir() },
			load:  failingLoader,
			fails: true,
			skipped: map[string]string{
				"loss":    "loss: skipped, no metrics.csv in DIR",
				"summary": "summary: skipped, no panel has data",
			},
		},
		{
			name: "analysis without values yet",
			setup: func(t *testing.T) string {
				dir := copyFixture(t, rundir.ConfigFile, rundir.MetricsFile)
				writeFile(t, filepath.Join(dir, rundir.AnalysisFile), []byte(
					"epoch,balance,balance_rel,lin_outlier1_re,j_within,j_between,j_overall,align1,win_mean,wout_mean\n0,,,,,,,,,\n"))
				return dir
			},
			load:  failingLoader,
			drawn: []string{"loss", "summary"},
			skipped: map[string]string{
				"balance":     "balance: skipped, analysis.csv has no balance values yet",
				"subnetworks": "subnetworks: skipped, analysis.csv has no coupling values yet",
				"outliers":    "analysis.csv has no outlier values yet",
			},
		},
		{
			name: "last spectra file damaged",
			setup: func(t *testing.T) string {
				dir := copyFixture(t)
				writeSpectra(t, dir, 0, spectraArrays(0))
				writeFile(t, filepath.Join(dir, rundir.SpectraDir, rundir.SpectraName(3000)), []byte("PK torn"))
				return dir
			},
			load:  failingLoader,
			drawn: append(append([]string{"loss", "spectrum"}, analysisFigures...), "summary"),
			notes: []string{"epoch-00003000.npz", "spectrum: one spectra file"},
		},
		{
			name: "only spectra file damaged",
			setup: func(t *testing.T) string {
				dir := copyFixture(t, rundir.MetricsFile)
				writeFile(t, filepath.Join(dir, rundir.SpectraDir, rundir.SpectraName(0)), nil)
				return dir
			},
			load:    failingLoader,
			drawn:   []string{"loss", "summary"},
			skipped: map[string]string{"spectrum": "spectrum: skipped, no readable spectra file in DIR/spectra"},
		},
		{
			name: "invalid config.yaml, no checkpoint",
			setup: func(t *testing.T) string {
				dir := copyFixture(t, rundir.MetricsFile)
				writeFile(t, filepath.Join(dir, rundir.ConfigFile), []byte("network: {gbar: 1}\n"))
				writeSpectra(t, dir, 0, spectraArrays(0))
				return dir
			},
			load:  failingLoader,
			drawn: []string{"loss", "spectrum", "summary"},
			notes: []string{"stability bound not marked: Δt unknown (config.yaml: network.gbar"},
		},
		{
			name: "no config.yaml, configuration from the checkpoint",
			setup: func(t *testing.T) string {
				dir := copyFixture(t, rundir.MetricsFile, rundir.AnalysisFile)
				writeSpectra(t, dir, 0, spectraArrays(0))
				writeSpectra(t, dir, 3000, spectraArrays(-3))
				return dir
			},
			load:  trained,
			drawn: Figures,
			notes: []string{"no config.yaml in DIR; using the configuration saved in test checkpoint"},
		},
		{
			name:  "loader panics",
			setup: func(t *testing.T) string { return copyFixture(t) },
			load: func(string) ([]byte, *train.State, string, error) {
				panic("corrupt state")
			},
			drawn:   append(append([]string{"loss"}, analysisFigures...), "summary"),
			skipped: map[string]string{"traces": "traces: skipped, no checkpoint: reading the checkpoint failed: corrupt state"},
		},
		{
			name:  "checkpoint of another network",
			setup: func(t *testing.T) string { return copyFixture(t, rundir.ConfigFile, rundir.MetricsFile) },
			load: func(dir string) ([]byte, *train.State, string, error) {
				cfg, s, desc, err := trained(dir)
				if err != nil {
					return nil, nil, "", err
				}
				bad := *s
				bad.H0 = nil // a state that does not restore
				return cfg, &bad, desc, nil
			},
			drawn:   []string{"loss", "summary"},
			skipped: map[string]string{"activity": "activity: skipped, checkpoint test checkpoint: the checkpoint holds no parameters"},
		},
		{
			name: "spectra of another size",
			setup: func(t *testing.T) string {
				dir := copyFixture(t, rundir.ConfigFile, rundir.MetricsFile)
				writeSpectra(t, dir, 0, []checkpoints.NamedArray{
					{Name: "lin_eig", Shape: []int{2, 2}, Data: []float64{-1, 0, 0.1, 0}},
					{Name: "order", Shape: []int{2}, Data: []float64{1, 0}},
				})
				return dir
			},
			load:  trained,
			drawn: []string{"loss", "traces", "spectrum", "weights", "connectivity", "activity", "summary"},
			notes: []string{"connectivity: neurons unsorted"},
		},
	}
}

// TestRenderPartial: a run directory with missing or partial files gives the figures that
// can be drawn and a clear message for each of the others, never a panic.
func TestRenderPartial(t *testing.T) {
	if testing.Short() {
		t.Skip("draws figures")
	}
	for _, c := range partialCases(t) {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			dir := c.setup(t)
			var log strings.Builder
			rep, err := render(context.Background(), dir, t.TempDir(), &log, c.load)
			text := strings.ReplaceAll(log.String(), dir, "DIR")
			if c.fails != (err != nil) {
				t.Errorf("got error %v, want failure %v; log:\n%s", err, c.fails, text)
			}
			if c.fails && (err == nil || !strings.Contains(err.Error(), "no figure could be drawn")) {
				t.Errorf("got error %v, want \"no figure could be drawn\"", err)
			}
			if rep == nil {
				t.Fatalf("no report")
			}
			if !c.fails && !reflect.DeepEqual(rep.Drawn, c.drawn) {
				t.Errorf("drawn: got %v, want %v; log:\n%s", rep.Drawn, c.drawn, text)
			}
			if len(rep.Drawn)+len(rep.Skipped) != len(Figures) {
				t.Errorf("%d drawn + %d skipped, want %d figures", len(rep.Drawn), len(rep.Skipped), len(Figures))
			}
			for name, want := range c.skipped {
				if _, ok := rep.Skipped[name]; !ok {
					t.Errorf("%s: not skipped", name)
				}
				if !strings.Contains(text, want) {
					t.Errorf("log has no %q:\n%s", want, text)
				}
			}
			notes := strings.ReplaceAll(strings.Join(rep.Notes, "\n"), dir, "DIR")
			for _, want := range c.notes {
				if !strings.Contains(notes, want) {
					t.Errorf("notes have no %q:\n%s", want, notes)
				}
			}
		})
	}
}

func TestRenderBadDirectories(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	if _, err := render(context.Background(), missing, "", quiet, failingLoader); err == nil {
		t.Errorf("missing run directory: got no error")
	}
	file := filepath.Join(t.TempDir(), "file")
	writeFile(t, file, []byte("x"))
	if _, err := render(context.Background(), file, "", quiet, failingLoader); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file as run directory: got %v, want \"not a directory\"", err)
	}
	dir := copyFixture(t, rundir.MetricsFile)
	if _, err := render(context.Background(), dir, filepath.Join(file, "out"), quiet, failingLoader); err == nil {
		t.Errorf("output directory below a file: got no error")
	}
	if err := All(missing, "", nil); err == nil {
		t.Errorf("All on a missing directory: got no error")
	}
}

// TestRenderNoCheckpoints: the real loader names the missing checkpoint directory.
func TestRenderNoCheckpoints(t *testing.T) {
	dir := copyFixture(t, rundir.ConfigFile, rundir.MetricsFile)
	var log strings.Builder
	if _, err := Render(dir, t.TempDir(), &log); err != nil {
		t.Fatal(err)
	}
	want := "traces: skipped, no checkpoint: no checkpoints in " + filepath.Join(dir, "checkpoints")
	if !strings.Contains(log.String(), want) {
		t.Errorf("log has no %q:\n%s", want, log.String())
	}
}

func TestNearRange(t *testing.T) {
	for _, c := range []struct {
		v, lo, hi float64
		want      bool
	}{
		{-9, -1, 1, true},      // Δt = 0.2: the bound beside the initial unit circle
		{-4, -0.5, 0.05, true}, // deadbeat at epoch 0
		{-9, -0.5, 0.05, false},
		{-199, -10, 1, false}, // Δt = 0.01
		{-39, -10, 1, true},   // Δt = 0.05
	} {
		if got := nearRange(c.v, c.lo, c.hi); got != c.want {
			t.Errorf("nearRange(%v, %v, %v): got %v, want %v", c.v, c.lo, c.hi, got, c.want)
		}
	}
}
