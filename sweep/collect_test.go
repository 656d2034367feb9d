package sweep

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestCollectCurves: summary rows take the last row of each run's CSV files, and the curves
// are the mean and sample sd over seeds of the finished runs (hand-computed: for test
// losses 1 and 3, mean 2 and sd √2).
func TestCollectCurves(t *testing.T) {
	s := mustParse(t, "grid: {network.b: [1, 2], sim.sigma: [0.5, 1]}\nseeds: 2\n")
	l := Layout(t.TempDir())
	runs := s.Runs()
	if err := Prepare(l, s, runs); err != nil {
		t.Fatal(err)
	}
	// loss of run i: i+1 (so the two seeds at a grid point hold 2k+1 and 2k+2) except run 0.
	for i, r := range runs {
		dir := l.Run(r)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		loss := float64(i + 1)
		if i == 0 {
			loss = 3 // seeds of the first point: 3 and 2
		}
		metrics := "epoch,train_loss,test_loss,wall_seconds\n0,,9,0.1\n10,0.5," + FormatValue(loss) + ",0.2\n20,0.5,77,0.3" // torn last line
		if err := os.WriteFile(filepath.Join(dir, "metrics.csv"), []byte(metrics), 0o644); err != nil {
			t.Fatal(err)
		}
		state := Done
		if i == 7 {
			state = Diverged
		}
		if err := WriteStatus(l.Status(r), Status{State: state, Attempts: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(l.Run(runs[1]), "analysis.csv"), []byte("epoch,balance\n10,0.25\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := Collect(l, s, runs)
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"id", "dir", "network.b", "sim.sigma", "seed", "status", "epoch", "train_loss", "test_loss", "analysis_epoch", "balance"}
	if !reflect.DeepEqual(sum.Header, wantHeader) {
		t.Errorf("header: got %v, want %v", sum.Header, wantHeader)
	}
	if got, want := sum.Rows[1], []string{runs[1].ID, runs[1].Dir, "1", "0.5", "2", "done", "10", "0.5", "2", "10", "0.25"}; !reflect.DeepEqual(got, want) {
		t.Errorf("row 1: got %v, want %v", got, want)
	}
	if got := sum.Rows[0][sum.Column("balance")]; got != "" {
		t.Errorf("balance of a run without analysis.csv: got %q, want empty", got)
	}
	curves, err := sum.Curves(s, "sim.sigma", "test_loss", "network.b")
	if err != nil {
		t.Fatal(err)
	}
	// b=1: σ=0.5 → runs 0,1 (3, 2); σ=1 → runs 2,3 (3, 4). b=2: σ=0.5 → 5, 6; σ=1 → run 6
	// (7) alone, run 7 diverged and left out.
	want := []Curve{
		{Label: "network.b=1", X: []float64{0.5, 1}, Mean: []float64{2.5, 3.5}, SD: []float64{math.Sqrt(0.5), math.Sqrt(0.5)}, N: []int{2, 2}},
		{Label: "network.b=2", X: []float64{0.5, 1}, Mean: []float64{5.5, 7}, SD: []float64{math.Sqrt(0.5), 0}, N: []int{2, 1}},
	}
	for k := range want {
		g, w := curves[k], want[k]
		if g.Label != w.Label || !reflect.DeepEqual(g.X, w.X) || !reflect.DeepEqual(g.N, w.N) {
			t.Errorf("curve %d: got %+v, want %+v", k, g, w)
			continue
		}
		for i := range w.Mean {
			// Tolerance: a few ulps of the summation.
			if math.Abs(g.Mean[i]-w.Mean[i]) > 1e-12 || math.Abs(g.SD[i]-w.SD[i]) > 1e-12 {
				t.Errorf("curve %d point %d: got %g ± %g, want %g ± %g", k, i, g.Mean[i], g.SD[i], w.Mean[i], w.SD[i])
			}
		}
	}
	for _, bad := range [][3]string{{"network.c", "test_loss", ""}, {"sim.sigma", "nope", ""}, {"sim.sigma", "test_loss", "sim.sigma"}, {"sim.sigma", "seed", ""}} {
		if _, err := sum.Curves(s, bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("Curves(%q, %q, %q): got no error", bad[0], bad[1], bad[2])
		}
	}
}
