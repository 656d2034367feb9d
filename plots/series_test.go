package plots

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/balnet/balnet/rundir"
)

func readFixture(t *testing.T, path ...string) *Table {
	t.Helper()
	tab, err := ReadTable(filepath.Join(append([]string{"testdata"}, path...)...))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// checkSeries compares a series with golden values typed from the fixture by hand.
func checkSeries(t *testing.T, what string, got EpochSeries, epochs []float64, want []Curve) {
	t.Helper()
	if !sameFloats(got.Epoch, epochs) {
		t.Errorf("%s: epochs: got %v, want %v", what, got.Epoch, epochs)
	}
	if len(got.Curves) != len(want) {
		t.Fatalf("%s: got %d curves, want %d", what, len(got.Curves), len(want))
	}
	for k, c := range want {
		if got.Curves[k].Label != c.Label {
			t.Errorf("%s: curve %d: got label %q, want %q", what, k, got.Curves[k].Label, c.Label)
		}
		if !sameFloats(got.Curves[k].Y, c.Y) {
			t.Errorf("%s: curve %q: got %v, want %v", what, c.Label, got.Curves[k].Y, c.Y)
		}
	}
}

var fixtureEpochs = []float64{0, 1000, 2000, 3000}

func TestLossSeries(t *testing.T) {
	s, err := LossSeries(readFixture(t, "run", rundir.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, "loss", s, fixtureEpochs, []Curve{
		{"train", []float64{nan, 0.3, 0.1, 0.05}},
		{"test", []float64{0.5, 0.25, 0.08, 0.04}},
	})
	if got := s.LastEpoch(); got != 3000 {
		t.Errorf("LastEpoch: got %d, want 3000", got)
	}
}

// analysisGolden checks every analysis series of a table holding testdata/run/analysis.csv
// (in any column order).
func analysisGolden(t *testing.T, tab *Table) {
	t.Helper()
	s, err := BalanceSeries(tab)
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, "balance", s, fixtureEpochs, []Curve{
		{"b_emp = −N·mean(J)/J₀", []float64{0.875, 1.5, 2.5, 3}},
		{"b_rel = mean(J)/mean(J_init)", []float64{1, 1.7, 2.9, 3.4}}, // analysis.Header: divided by epoch 0, no |·|
	})

	s, err = OutlierSeries(tab, "lin")
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, "lin outliers", s, fixtureEpochs, []Curve{
		{"Re λ₁", []float64{-0.5, -1.2, -2.5, -3.9}},
		{"Re λ₂", []float64{0.05, -0.3, -0.9, -1.4}},
	})
	s, err = OutlierSeries(tab, "j")
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, "J outliers", s, fixtureEpochs, []Curve{
		{"Re λ₁", []float64{-0.9, -1.6, -2.8, -3.5}},
		{"Re λ₂", []float64{0.1, -0.4, -1.1, -1.5}},
	})

	s, err = WeightMeanSeries(tab)
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, "weights", s, fixtureEpochs, []Curve{
		{"W_in, all", []float64{1, 1.5, 2, 2.5}},
		{"W_in, signal 1", []float64{1.01, 1.6, 2.2, 2.8}},
		{"W_in, signal 2", []float64{0.99, 1.4, 1.8, 2.2}},
		{"W_out, all", []float64{1, 1.2, 1.3, 1.4}},
		{"W_out, readout 1", []float64{1.1, 1.3, 1.4, 1.5}},
		{"W_out, readout 2", []float64{0.9, 1.1, 1.2, 1.3}},
	})

	s, err = CouplingSeries(tab)
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, "coupling", s, fixtureEpochs, []Curve{
		{"within clusters", []float64{-0.11, -0.3, -0.5, -0.6}},
		{"between clusters", []float64{-0.12, -0.1, -0.05, -0.02}},
		{"all pairs", []float64{-0.115, -0.2, -0.28, -0.31}},
	})

	s, err = AlignmentSeries(tab)
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, "alignment", s, fixtureEpochs, []Curve{
		{"γ₁", []float64{0.99, 0.98, 0.97, 0.96}},
		{"γ₂", []float64{nan, 0.6, 0.5, 0.45}},
		{"γ₃", []float64{nan, nan, nan, nan}},
		{"γ₄", []float64{nan, nan, nan, nan}},
		{"‖J_EF‖/‖Jˢ‖", []float64{0.05, 0.3, 0.4, 0.42}},
	})
}

func TestAnalysisSeries(t *testing.T) {
	analysisGolden(t, readFixture(t, "run", rundir.AnalysisFile))
}

// TestAnalysisSeriesByName: the same table with its columns in another order gives the
// same series.
func TestAnalysisSeriesByName(t *testing.T) {
	analysisGolden(t, readFixture(t, "analysis_shuffled.csv"))
}

// TestSingleSignalWeights: with S = R = 1 the per-signal means repeat the overall mean
// and are left out.
func TestSingleSignalWeights(t *testing.T) {
	tab, err := ParseTable([]byte("epoch,win_mean,win_mean1,wout_mean,wout_mean1\n0,1,1,2,2\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := WeightMeanSeries(tab)
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, "weights", s, []float64{0}, []Curve{
		{"W_in, all", []float64{1}},
		{"W_out, all", []float64{2}},
	})
}

func TestSeriesErrors(t *testing.T) {
	metrics := readFixture(t, "run", rundir.MetricsFile)
	for name, f := range map[string]func(*Table) (EpochSeries, error){
		"balance":   BalanceSeries,
		"coupling":  CouplingSeries,
		"alignment": AlignmentSeries,
		"weights":   WeightMeanSeries,
		"outliers":  func(t *Table) (EpochSeries, error) { return OutlierSeries(t, "lin") },
	} {
		if _, err := f(metrics); !errors.Is(err, ErrNoColumn) {
			t.Errorf("%s of metrics.csv: got %v, want ErrNoColumn", name, err)
		}
	}
	empty, err := ParseTable([]byte("epoch,train_loss,test_loss\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LossSeries(empty); !errors.Is(err, ErrNoRows) {
		t.Errorf("loss of a header-only table: got %v, want ErrNoRows", err)
	}
	allNaN, err := ParseTable([]byte("epoch,train_loss,test_loss\n0,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := LossSeries(allNaN)
	if err != nil {
		t.Fatal(err)
	}
	if s.hasFinite() {
		t.Errorf("hasFinite of an all-empty table: got true, want false")
	}
}
