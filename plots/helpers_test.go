package plots

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/train"
)

// fixtureN is the number of neurons of testdata/run/config.yaml.
const fixtureN = 8

// copyFixture copies testdata/run, or the listed files of it, into a new temporary run
// directory.
func copyFixture(t *testing.T, files ...string) string {
	t.Helper()
	if len(files) == 0 {
		files = []string{rundir.ConfigFile, rundir.MetricsFile, rundir.AnalysisFile}
	}
	dir := t.TempDir()
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join("testdata", "run", f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, f), data)
	}
	return dir
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// spectraArrays returns the arrays of a spectra file of N = 8 neurons in two clusters
// {0, 2, 4, 6} and {1, 3, 5, 7}; shift moves the real parts of the eigenvalues.
func spectraArrays(shift float64) []checkpoints.NamedArray {
	eig := []float64{
		-0.9 + shift, 0, 0.1, 0.05, 0.1, -0.05, 0.05, 0.08,
		0.05, -0.08, -0.02, 0, 0.08, 0, 0.03, 0.02,
	}
	lin := make([]float64, len(eig))
	for i, v := range eig {
		lin[i] = 0.5 * v
	}
	return []checkpoints.NamedArray{
		{Name: "j_eig", Shape: []int{fixtureN, 2}, Data: eig},
		{Name: "lin_eig", Shape: []int{fixtureN, 2}, Data: lin},
		{Name: "labels_win", Shape: []int{fixtureN}, Data: []float64{0, 1, 0, 1, 0, 1, 0, 1}},
		{Name: "labels_j", Shape: []int{fixtureN}, Data: []float64{1, 0, 1, 0, 1, 0, 1, 0}},
		{Name: "order", Shape: []int{fixtureN}, Data: []float64{0, 2, 4, 6, 1, 3, 5, 7}},
	}
}

// writeSpectra writes RUN_DIR/spectra/epoch-%08d.npz.
func writeSpectra(t *testing.T, runDir string, epoch int, arrays []checkpoints.NamedArray) string {
	t.Helper()
	path := filepath.Join(runDir, rundir.SpectraDir, rundir.SpectraName(epoch))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := checkpoints.WriteNPZ(f, arrays); err != nil {
		t.Fatal(err)
	}
	return path
}

// trainedLoader returns a loader that trains the configuration of testdata/run for a
// few epochs and hands back the snapshot, as checkpoints.LoadState would.
func trainedLoader(t *testing.T, epochs int) stateLoader {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "run", rundir.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data, config.Default())
	if err != nil {
		t.Fatal(err)
	}
	short := cfg.Config
	short.Train.Epochs = epochs
	tr, err := train.New(short)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := tr.Snapshot()
	return func(string) ([]byte, *train.State, string, error) {
		return data, s, "test checkpoint", nil
	}
}

// failingLoader is a loader for a run without checkpoints.
func failingLoader(string) ([]byte, *train.State, string, error) {
	return nil, nil, "", os.ErrNotExist
}

// quiet discards log output.
var quiet io.Writer = io.Discard
