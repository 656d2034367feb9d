package analysis

import (
	"testing"

	"github.com/balnet/balnet/train"
)

// TestMultiSignalPhenomenology: training the defaults with S = 2 signals (docs/science.md §7.10,
// §2.2) makes a second outlier emerge from the bulk, splits the network into two
// subnetworks with strongly inhibitory within-cluster and weak between-cluster coupling, and
// the clusters of the input weights (the paper's features) agree with those of the columns
// of J (the reference code's).
//
// Measured for this seed (balnet train --set task.signals=2, 30000 epochs): second outlier
// of J −0.02 at epoch 0, −4.67 at 12000, −4.88 at 30000; j_within −0.093 vs j_between
// −0.018 at 12000; ARI 1. The thresholds below leave a wide margin.
func TestMultiSignalPhenomenology(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the reference setting with two signals for 12000 epochs")
	}
	cfg := train.DefaultConfig()
	cfg.Task.Signals = 2
	cfg.Train.Epochs = 12000
	tr := newTrainer(t, cfg)
	before, err := Analyze(inputOf(tr), DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	run(t, tr)
	after, err := Analyze(inputOf(tr), DefaultSettings())
	if err != nil {
		t.Fatal(err)
	}
	if got := real(before.JOutliers[1]); got < -0.5 {
		t.Errorf("second outlier of J at epoch 0: got %.3f, want inside the bulk (> −0.5)", got)
	}
	if got := real(after.JOutliers[1]); got > -2 {
		t.Errorf("second outlier of J after training: got %.3f, want < −2 (a second outlier)", got)
	}
	// Both are negative: within must be at least 3× more inhibitory than between.
	if !(after.Within < 3*after.Between) {
		t.Errorf("coupling within/between clusters: got %.4f/%.4f, want within ≥ 3× more inhibitory", after.Within, after.Between)
	}
	if after.ARI < 0.8 {
		t.Errorf("ARI between W_in and J-column clusters: got %.3f, want ≥ 0.8", after.ARI)
	}
}
