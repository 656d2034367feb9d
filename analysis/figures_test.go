package analysis

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/train"
)

// Regression tests for the training figures of the final appendix ([F] Figs. 8–12,
// docs/science.md §2.1), each at the smallest size and epoch count that shows the
// phenomenon. The measurements behind the thresholds are in README ("Constraints and the
// remaining training figures"); every threshold leaves a margin below the measured value.

// fig9Like is the unroll of Figs. 9–11: Δt = 0.05, 100 steps (t_sim = 5τ).
func fig9Like(phi model.Nonlinearity, g float64) train.Config {
	cfg := train.DefaultConfig()
	cfg.Network.Nonlinearity, cfg.Network.G = phi, g
	cfg.Sim.DT, cfg.Sim.Steps = 0.05, 100
	return cfg
}

// TestFig11PaperSettingExplodes: with the threshold-quadratic φ = max(x, 0)² at the
// paper's g = √2 (b = 1), the initial network's forward dynamics blow up within the 100
// steps of one trial even from h = 0 and without noise, for every seed tried; no learning
// rate can help, since the test loss at epoch 0 is already infinite. At g = 0.6 the same
// trial stays bounded (measured max h over seeds 1–3: 1.7 without noise, 4.7 with). At
// g = √2 the first of seeds 1–3 to exceed h = 10⁶ from h = 0 without noise did so at step 60
// (step 45 with noise, 36 from a standard-normal start).
func TestFig11PaperSettingExplodes(t *testing.T) {
	maxState := func(cfg train.Config, noisy bool) float64 {
		tr := newTrainer(t, cfg)
		h0 := mat.NewDense(cfg.Network.N, cfg.Train.Batch, nil) // h = 0
		var noise []float64
		if noisy {
			noise = tr.TestNoise()
		}
		traj := model.Simulate(tr.Spec(), tr.Params(), h0, tr.TestBatch().Input, noise)
		m := 0.0
		for _, h := range traj.H {
			v := mat.Max(h)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return math.Inf(1)
			}
			m = math.Max(m, v)
		}
		return m
	}
	for seed := uint64(1); seed <= 3; seed++ {
		paper := fig9Like(model.ThreshQuad, math.Sqrt2)
		paper.Seed = seed
		if got := maxState(paper, false); got < 1e6 {
			t.Errorf("seed %d, g = √2: max h over one noise-free trial from h = 0: got %.3g, want a blow-up (> 1e6)", seed, got)
		}
		mild := fig9Like(model.ThreshQuad, 0.6)
		mild.Seed = seed
		if got := maxState(mild, true); got > 100 {
			t.Errorf("seed %d, g = 0.6: max h over one noisy trial from h = 0: got %.3g, want bounded (< 100)", seed, got)
		}
	}
}

// blockMean returns the mean of the off-diagonal entries of J from population `from` onto
// population `onto` (true = excitatory, the first ⌊N/2⌋ units), times N/2: in units of the
// E–I block means J_xy/(N/2) of the reference code (docs/science.md §1.5 item 11).
func blockMean(J *mat.Dense, onto, from bool) float64 {
	n, _ := J.Dims()
	ne := n / 2
	var sum float64
	var count int
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j && (i < ne) == onto && (j < ne) == from {
				sum += J.At(i, j)
				count++
			}
		}
	}
	return sum / float64(count) * float64(n) / 2
}

// TestFig8EISignLoss ([F] Fig. 8): trained from the E–I initialization (g = 0.01, the
// reference unroll) without constraints, the network loses its E–I structure: excitatory
// columns acquire negative entries and the E→E block turns inhibitory. With network.dale
// the signs are kept (no flipped entry) and training instead pins excitatory entries at
// zero, silencing E→E.
//
// Measured (N = 100, batch 4, 1500 epochs; seeds 1 / 2): without Dale 34% / 34% of the
// entries flipped, E→E block mean ·N/2 0.999 → −0.48 / −0.53; with Dale E→E 0.999 →
// 0.007 / 0.001 and 45% / 62% of the excitatory-column entries exactly 0. At N = 40 the
// flips are 5% after 1500 epochs, too few to test. The full-size runs are in README.
func TestFig8EISignLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two E–I networks for 1500 epochs")
	}
	cfg := train.DefaultConfig()
	cfg.Network.Init, cfg.Network.G = model.InitEI, 0.01
	cfg.Train.Batch, cfg.Train.Epochs = 4, 1500
	free := newTrainer(t, cfg)
	run(t, free)
	J := free.Params().J
	flipped, _ := model.SignFlips(J)
	if flipped < 0.15 {
		t.Errorf("without Dale: got %.3f of the entries with the sign opposite to their column's population, want ≥ 0.15", flipped)
	}
	if got := blockMean(J, true, true); got > 0 {
		t.Errorf("without Dale: E→E block mean ·N/2: got %.3f (initially 1), want < 0 (inhibitory)", got)
	}

	cfg.Network.Dale = true
	dale := newTrainer(t, cfg)
	run(t, dale)
	J = dale.Params().J
	if flipped, _ := model.SignFlips(J); flipped != 0 {
		t.Errorf("with Dale: got %.3f of the entries flipped, want 0", flipped)
	}
	if got := blockMean(J, true, true); got > 0.1 {
		t.Errorf("with Dale: E→E block mean ·N/2: got %.3f (initially 1), want < 0.1 (silenced)", got)
	}
	n := cfg.Network.N
	zeros := 0
	for i := 0; i < n; i++ {
		for j := 0; j < n/2; j++ {
			if i != j && J.At(i, j) == 0 {
				zeros++
			}
		}
	}
	if frac := float64(zeros) / float64(n*(n/2)-n/2); frac < 0.2 {
		t.Errorf("with Dale: got %.3f of the excitatory-column entries pinned at 0, want ≥ 0.2", frac)
	}
}

// balanceGrows trains cfg and returns the empirical balance (Record.Balance) at epoch 0 and
// at the end, and the real part of the most negative eigenvalue of J at both.
func balanceGrows(t *testing.T, cfg train.Config) (b0, b1, l0, l1 float64) {
	t.Helper()
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
	return before.Balance, after.Balance, real(before.JOutliers[0]), real(after.JOutliers[0])
}

// TestFig9SigmoidTightensBalance ([F] Fig. 9): a sigmoid network at g = √2 (Δt = 0.05, 100
// steps) becomes more tightly balanced: after a short initial drop the balance grows and
// the outlier of J moves out. Batch 4, lr 3e-3, 1000 epochs to fit the test budget.
//
// Measured (seeds 1 / 2): balance 1.141 → 2.449 / 0.867 → 2.410 (2.1× / 2.8×; 3.7 / 3.8 at
// 1500 epochs), outlier of J −1.478 → −2.499 / −1.497 → −2.532.
func TestFig9SigmoidTightensBalance(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a sigmoid network for 1000 epochs")
	}
	cfg := fig9Like(model.Sigmoid, math.Sqrt2)
	cfg.Train.Batch, cfg.Train.LR, cfg.Train.Epochs = 4, 3e-3, 1000
	b0, b1, l0, l1 := balanceGrows(t, cfg)
	if b1 < 1.6*b0 {
		t.Errorf("balance: got %.3f → %.3f, want at least 1.6× growth", b0, b1)
	}
	if l1 > l0-0.6 {
		t.Errorf("outlier of J: got %.3f → %.3f, want it at least 0.6 more negative", l0, l1)
	}
}

// TestFig10LinearTightensBalance ([F] Fig. 10, docs/science.md §1.5 item 15): a linear
// network at g = √2 (Δt = 0.05, 100 steps) trains and becomes more tightly balanced, as the
// final appendix shows (the submission's "fails" is not reproduced). It needs a start that
// is not relaxed under the unstable initial J (sim.relax = 0, issue 13). To fit the test
// budget it runs at batch 4 and lr 3e-3 for 1500 epochs.
//
// Measured (seeds 1 / 2): balance 1.141 → 2.122 / 0.867 → 2.276 (1.9× / 2.6×), outlier of
// J −1.478 → −2.100 / −1.497 → −2.264. At the paper's batch 10 and lr 1e-3 the balance
// first drops (0.31 at epoch 1000) and passes its initial value only after 2000 epochs.
// With the paper's batch 10, lr 1e-3 and 30000 epochs (README) the balance reaches 17.8.
func TestFig10LinearTightensBalance(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a linear network for 1500 epochs")
	}
	cfg := fig9Like(model.Linear, math.Sqrt2)
	cfg.Sim.Relax = 0
	cfg.Train.Batch, cfg.Train.LR, cfg.Train.Epochs = 4, 3e-3, 1500
	b0, b1, l0, l1 := balanceGrows(t, cfg)
	if b1 < 1.4*b0 {
		t.Errorf("balance: got %.3f → %.3f, want at least 1.4× growth", b0, b1)
	}
	if l1 > l0-0.3 {
		t.Errorf("outlier of J: got %.3f → %.3f, want it at least 0.3 more negative", l0, l1)
	}
}

// TestFig11ThreshQuadTrains ([F] Fig. 11 at g = 0.5 instead of the paper's √2, whose initial
// network explodes: TestFig11PaperSettingExplodes): the threshold-quadratic network trains;
// after an initial drop its balance grows past its initial value and the mean input weight
// grows (the phenomenology of Fig. 9). Batch 4, lr 3e-3, 1500 epochs. g = 0.6 trains at the
// paper's batch 10 and lr 1e-3 but diverged at epoch 13 for seed 2 at this batch and lr.
//
// Measured (seeds 1 / 2): balance 1.043 → minimum 0.555 (epoch 250) → 1.653, and 0.946 →
// 0.531 → 1.482 (final/initial 1.58 / 1.57, final/minimum 2.98 / 2.79); mean W_in 1.00 →
// 1.48 / 1.42.
func TestFig11ThreshQuadTrains(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a threshold-quadratic network for 1500 epochs")
	}
	cfg := fig9Like(model.ThreshQuad, 0.5)
	cfg.Train.Batch, cfg.Train.LR, cfg.Train.Epochs = 4, 3e-3, 1500
	tr := newTrainer(t, cfg)
	balance := func() float64 { // −N·mean(J)/J₀ (docs/science.md §3.2)
		J := tr.Params().J
		n, _ := J.Dims()
		return -mat.Sum(J) / float64(n) / cfg.Network.J0
	}
	b0, bmin := balance(), math.Inf(1)
	run(t, tr, func(_ *train.Trainer, ev train.Event) error {
		if ev.Epoch%50 == 0 {
			bmin = math.Min(bmin, balance())
		}
		return nil
	})
	b1 := balance()
	if b1 < 1.3*b0 || b1 < 2*bmin {
		t.Errorf("balance: got %.3f → minimum %.3f → %.3f, want the end ≥ 1.3× the start and ≥ 2× the minimum", b0, bmin, b1)
	}
	if got := mat.Sum(tr.Params().Win) / float64(cfg.Network.N); got < 1.2 {
		t.Errorf("mean W_in: got %.3f (initially 1), want ≥ 1.2", got)
	}
}
