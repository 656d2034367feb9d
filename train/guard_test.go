package train

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/model/engine"
)

// TestAdamOverflowReported: a float32 gradient of 1e21 makes (1−β₂)·g² = 1e39 overflow
// float32 (max 3.4e38), so v = +Inf and Adam's step m̂/(√v̂ + ε) is exactly 0: the silent
// non-training of issue 13. update must report it (parameter 0, moment v); a gradient of
// 1e19 ((1−β₂)·g² = 1e35) is in range and moves the parameter.
func TestAdamOverflowReported(t *testing.T) {
	s := Settings{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	a := newAdam[float32](s, []int{1, 1})
	p := [][]float32{{0.5}, {0.25}}
	k, moment := a.update(p, [][]float32{{1e21}, {0.1}})
	if k != 0 || moment != "v" {
		t.Errorf("gradient 1e21: got k = %d, moment %q; want 0, \"v\"", k, moment)
	}
	if !math.IsInf(float64(a.v[0][0]), 1) || p[0][0] != 0.5 {
		t.Errorf("gradient 1e21: got v = %g and θ = %g, want +Inf and the unchanged 0.5 (the silent zero step)", a.v[0][0], p[0][0])
	}
	b := newAdam[float32](s, []int{1})
	q := [][]float32{{0.5}}
	if k, _ := b.update(q, [][]float32{{1e19}}); k != -1 || q[0][0] == 0.5 {
		t.Errorf("gradient 1e19: got k = %d, θ = %g; want −1 and a moved parameter", k, q[0][0])
	}
	c := newAdam[float64](s, []int{1})
	if k, moment := c.update([][]float64{{0.5}}, [][]float64{{math.Inf(-1)}}); k != 0 || moment != "m" {
		t.Errorf("gradient −Inf (float64): got k = %d, moment %q; want 0, \"m\"", k, moment)
	}
}

// TestGradientOverflowIsDivergence: the same overflow inside the trainer (a constructed
// gradient of 1e21 on J) is a *DivergedError naming the epoch, J and the second moment,
// and a NaN gradient is one naming the parameter.
func TestGradientOverflowIsDivergence(t *testing.T) {
	tr, err := New(small(Float32))
	if err != nil {
		t.Fatal(err)
	}
	grads := engine.Arrays{}
	for k, n := range []int{400, 20, 20} {
		grads.F32[k] = make([]float32, n)
	}
	grads.F32[0][1] = 1e21
	norm, peak, err := tr.gradients(grads, 7)
	if err != nil {
		t.Fatal(err)
	}
	k, moment := tr.opt.update(tr.graph.ParamData(), grads)
	var d *DivergedError
	if err := tr.momentError(7, k, moment, norm, peak); !errors.As(err, &d) || d.Epoch != 7 || !d.LRIndependent ||
		!strings.Contains(d.What, "second moment v of J overflowed float32") || !strings.Contains(d.What, "1e+21") {
		t.Errorf("got %v, want a divergence at epoch 7 naming J's second moment and the gradient 1e+21", err)
	}
	grads.F32[2][3] = float32(math.NaN())
	if _, _, err := tr.gradients(grads, 8); !errors.As(err, &d) || d.Epoch != 8 || !strings.Contains(d.What, "gradient of W_out") {
		t.Errorf("NaN gradient: got %v, want a divergence at epoch 8 naming W_out", err)
	}
}

// TestClipNormHandComputed: with train.clip_norm c, two Adam steps equal the textbook
// recursion on the clipped gradients g·c/(‖g‖ + 10⁻⁶) (PyTorch clip_grad_norm_), with ‖g‖
// the 2-norm over all three parameters, evaluated here by hand. Step 1 has ‖g‖ = 13 > c = 2
// (clipped), step 2 ‖g‖ = 1 < c (unchanged).
func TestClipNormHandComputed(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Train.ClipNorm, cfg.Train.LR = 2, 0.01
	tr := &Trainer{cfg: cfg}
	a := newAdam[float64](cfg.Train, []int{2, 1, 1})
	params := [3][]float64{{1, 2}, {3}, {4}}
	steps := [][3][]float64{{{3, 0}, {4}, {12}}, {{0.6, 0}, {0}, {-0.8}}}
	want := [3][]float64{{1, 2}, {3}, {4}}
	var m, v [4]float64
	for n, g := range steps {
		norm := math.Sqrt(g[0][0]*g[0][0] + g[0][1]*g[0][1] + g[1][0]*g[1][0] + g[2][0]*g[2][0])
		coef := 1.0
		if 2/(norm+1e-6) < 1 {
			coef = 2 / (norm + 1e-6)
		}
		flat := []float64{g[0][0] * coef, g[0][1] * coef, g[1][0] * coef, g[2][0] * coef}
		c1, c2 := 1-math.Pow(0.9, float64(n+1)), 1-math.Pow(0.999, float64(n+1))
		for i, gi := range flat {
			m[i] = 0.9*m[i] + 0.1*gi
			v[i] = 0.999*v[i] + 0.001*gi*gi
			step := 0.01 * (m[i] / c1) / (math.Sqrt(v[i]/c2) + 1e-8)
			switch i {
			case 0, 1:
				want[0][i] -= step
			case 2:
				want[1][0] -= step
			case 3:
				want[2][0] -= step
			}
		}
		grads := engine.Arrays{F64: [3][]float64{append([]float64(nil), g[0]...), append([]float64(nil), g[1]...), append([]float64(nil), g[2]...)}}
		got, _, err := tr.gradients(grads, n+1)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-norm) > 1e-12*norm {
			t.Errorf("step %d: gradient norm: got %v, want %v", n+1, got, norm)
		}
		if k, _ := a.update(params[:], grads.F64[:]); k >= 0 {
			t.Fatalf("step %d: moment %d reported non-finite", n+1, k)
		}
	}
	for k := range params {
		for i := range params[k] {
			// Both sides are the same float64 formulas in a different order: rounding only.
			if d := math.Abs(params[k][i] - want[k][i]); d > 1e-15 {
				t.Errorf("parameter %d[%d]: got %.17g, want %.17g", k, i, params[k][i], want[k][i])
			}
		}
	}
}

// TestClipNormOffBits: a bound that is never reached gives the bits of clip_norm = 0; a
// small bound changes the trained parameters.
func TestClipNormOffBits(t *testing.T) {
	off := mustRun(t, small(Float32)).Params().J
	cfg := small(Float32)
	cfg.Train.ClipNorm = 1e30
	if got := mustRun(t, cfg).Params().J; !mat.Equal(got, off) {
		t.Error("clip_norm = 1e30: J differs from the run without clipping")
	}
	cfg.Train.ClipNorm = 1e-6
	if got := mustRun(t, cfg).Params().J; mat.Equal(got, off) {
		t.Error("clip_norm = 1e-6: J equals the run without clipping")
	}
}

// TestInitStateRelaxBits: sim.init_state relax (the default) gives the initial state of
// the reference relaxation: h₀ ~ N(0, 1) from the relax stream, then model.Relax with the
// initial parameters, computed here independently of the trainer.
func TestInitStateRelaxBits(t *testing.T) {
	cfg := small(Float64)
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Start(); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(StreamRelax)))
	want := mat.NewDense(cfg.Network.N, cfg.Train.Batch, nil)
	want.Apply(func(_, _ int, _ float64) float64 { return rng.NormFloat64() }, want)
	model.Relax(tr.Spec(), tr.InitialParams(), want, cfg.Task.I0, cfg.Sim.Relax)
	if got := tr.InitialState(); !mat.Equal(got, want) {
		t.Error("initial state differs from randn + model.Relax")
	}
	// Start then Run gives the bits of Run alone.
	var a, b []float64
	mustRun(t, cfg, record(&a))
	tr2, _ := New(cfg)
	if err := tr2.Start(); err != nil {
		t.Fatal(err)
	}
	if err := tr2.Run(context.Background(), record(&b)); err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Fatalf("loss %d: got %v after Start, want %v", i, b[i], a[i])
		}
	}
}

// TestInitStateZeroAndFixedPoint: zero starts every trial at h = 0; fixed_point at a zero
// of the noise-free drift (residual checked here with gonum), the same in every column.
func TestInitStateZeroAndFixedPoint(t *testing.T) {
	cfg := small(Float64)
	cfg.Sim.InitState = model.InitZero
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Start(); err != nil {
		t.Fatal(err)
	}
	if h := tr.InitialState(); mat.Norm(h, math.Inf(1)) != 0 {
		t.Errorf("zero: got max |h₀| = %g, want 0", mat.Norm(h, math.Inf(1)))
	}
	cfg.Sim.InitState = model.InitFixedPoint
	if tr, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	if err := tr.Start(); err != nil {
		t.Fatal(err)
	}
	h := tr.InitialState()
	p := tr.InitialParams()
	phi := mat.NewDense(20, 4, nil)
	phi.Apply(func(_, _ int, v float64) float64 { return tr.Spec().Phi.F(v) }, h)
	var f mat.Dense
	f.Mul(p.J, phi)
	for k := range 4 {
		for i := range 20 {
			r := -h.At(i, k) + f.At(i, k) + tr.Spec().InputGain()*p.Win.At(i, 0)*cfg.Task.I0 + p.Bias[i]
			// FixedPoint's tolerance 1e-10·(1 + max|d|), d ≈ 1.
			if math.Abs(r) > 2.1e-10 || h.At(i, k) != h.At(i, 0) {
				t.Fatalf("fixed_point: unit %d trial %d: residual %g, h %g (trial 1: %g)", i, k, r, h.At(i, k), h.At(i, 0))
			}
		}
	}
}

// fig10 is the Fig. 10 setting of issue 13: linear φ, g = √2, Δt = 0.05, 100 steps.
func fig10() Config {
	c := DefaultConfig()
	c.Network.Nonlinearity, c.Network.G = model.Linear, math.Sqrt2
	c.Sim.DT, c.Sim.Steps = 0.05, 100
	return c
}

// TestUnstableStartFig10: in the Fig. 10 setting the initial linear network is unstable
// (the leading eigenvalue of J, computed here with gonum, has Re λ > 1), the 100τ
// relaxation diverges, and Start reports an *UnstableStartError with max |h|, the
// eigenvalue and the change to make, before any training.
func TestUnstableStartFig10(t *testing.T) {
	cfg := fig10()
	cfg.Train.Batch = 2 // the relaxation's columns are independent: fewer make it cheaper
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var eig mat.Eigen
	if !eig.Factorize(tr.InitialParams().J, mat.EigenNone) {
		t.Fatal("eigendecomposition failed")
	}
	lead := math.Inf(-1)
	for _, v := range eig.Values(nil) {
		lead = math.Max(lead, real(v))
	}
	if lead <= 1 {
		t.Fatalf("leading Re λ of J: got %g, want > 1 (an unstable initial network)", lead)
	}
	err = tr.Start()
	var u *UnstableStartError
	if !errors.As(err, &u) {
		t.Fatalf("got %v, want an *UnstableStartError", err)
	}
	for _, want := range []string{"relaxation", "diverged", "max |h| grew"} {
		if !strings.Contains(u.What, want) {
			t.Errorf("What: got %q, want it to mention %q", u.What, want)
		}
	}
	if !strings.Contains(u.Evidence, "leading eigenvalue λ = ") || !strings.Contains(u.Evidence, "linearly unstable") {
		t.Errorf("Evidence: got %q, want the leading eigenvalue and its verdict", u.Evidence)
	}
	if !strings.Contains(u.Change, "sim.init_state=zero") || !strings.Contains(u.Change, "network.g") {
		t.Errorf("Change: got %q, want sim.init_state=zero and network.g", u.Change)
	}
	if tr.Epoch() != 0 {
		t.Errorf("epoch: got %d, want 0 (nothing trained)", tr.Epoch())
	}
}

// TestZeroTrainsFig10: the same setting with sim.init_state zero trains: the test loss
// falls at least 3× in 100 epochs (measured: 0.435 → 0.093, 4.7×).
func TestZeroTrainsFig10(t *testing.T) {
	if testing.Short() {
		t.Skip("100 epochs of N = 100, T = 100 (about 2 s)")
	}
	cfg := fig10()
	cfg.Sim.InitState = model.InitZero
	cfg.Train.Epochs, cfg.Train.TestEvery = 100, 100
	var losses []float64
	mustRun(t, cfg, func(_ *Trainer, ev Event) error {
		if ev.Tested {
			losses = append(losses, ev.TestLoss)
		}
		return nil
	})
	if len(losses) != 2 || !(losses[0] >= 3*losses[1]) {
		t.Errorf("test losses at epochs 0 and 100: got %v, want a fall of at least 3×", losses)
	}
}

// divergeCfg is a small run forced to diverge: lr = 3.2 (Adam's first steps move every
// coupling by about lr), checkpoints every 3 epochs. Measured: the relaxation of epoch 4
// diverges; the first rollback (to epoch 3, lr 1.6) diverges again at 4, the second (to
// epoch 0, lr 0.8) trains to the end.
func divergeCfg() Config {
	c := DefaultConfig()
	c.Network.N = 12
	c.Sim.Steps, c.Sim.BurnIn, c.Sim.Relax = 12, 2, 5
	c.Train.Epochs, c.Train.Batch, c.Train.TestEvery, c.Train.CheckpointEvery = 12, 3, 4, 3
	c.Train.LR, c.Train.OnDiverge = 3.2, DivergeRollback
	return c
}

// TestRollback: the forced divergence rolls back (to the last checkpointed epoch, then,
// when that diverges again, to the one before), lowers lr by train.backoff each time, and
// continues to the end; with on_diverge stop the same run ends with the *DivergedError;
// with max_rollbacks 1 it stops after one rollback.
func TestRollback(t *testing.T) {
	var events []Divergence
	tr, err := New(divergeCfg())
	if err != nil {
		t.Fatal(err)
	}
	tr.OnDivergence(func(_ *Trainer, d Divergence) error { events = append(events, d); return nil })
	if err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].To != 3 || events[0].LR != 1.6 || events[1].To != 0 || events[1].LR != 0.8 ||
		events[0].Action != DivergeRollback || events[1].Rollbacks != 2 || events[0].Epoch != 4 {
		t.Fatalf("events: got %+v, want rollbacks at epoch 4 to 3 (lr 1.6) and to 0 (lr 0.8)", events)
	}
	if tr.Epoch() != 12 || tr.LR() != 0.8 || tr.Rollbacks() != 2 {
		t.Errorf("end: got epoch %d, lr %v, %d rollbacks; want 12, 0.8, 2", tr.Epoch(), tr.LR(), tr.Rollbacks())
	}
	if s := tr.Snapshot(); s.LR != 0.8 || s.Rollbacks != 2 {
		t.Errorf("snapshot: got lr %v, rollbacks %d; want 0.8, 2", s.LR, s.Rollbacks)
	}

	cfg := divergeCfg()
	cfg.Train.OnDiverge = DivergeStop
	events = nil
	tr, _ = New(cfg)
	tr.OnDivergence(func(_ *Trainer, d Divergence) error { events = append(events, d); return nil })
	var d *DivergedError
	if err := tr.Run(context.Background()); !errors.As(err, &d) || d.Epoch != 4 || len(events) != 1 || events[0].Action != DivergeStop {
		t.Errorf("on_diverge stop: got %v and events %+v, want a divergence at epoch 4 and one stop event", err, events)
	}

	cfg = divergeCfg()
	cfg.Train.MaxRollbacks = 1
	tr, _ = New(cfg)
	if err := tr.Run(context.Background()); !errors.As(err, &d) || !strings.Contains(err.Error(), "train.max_rollbacks = 1") || tr.Rollbacks() != 1 {
		t.Errorf("max_rollbacks 1: got %v after %d rollbacks, want the divergence naming train.max_rollbacks = 1 after 1", err, tr.Rollbacks())
	}
}

// TestUnstableStartFig11: the Fig. 11 setting (threshquad, g = √2, Δt = 0.05, 100 steps)
// started at h = 0 has a non-finite test loss at epoch 0 (issue 13: "test loss is NaN" with
// no hint why); Start names where the test trials blow up and the linearization there.
func TestUnstableStartFig11(t *testing.T) {
	cfg := fig10()
	cfg.Network.Nonlinearity, cfg.Sim.InitState, cfg.Train.Batch = model.ThreshQuad, model.InitZero, 2
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var u *UnstableStartError
	if err := tr.Start(); !errors.As(err, &u) {
		t.Fatalf("got %v, want an *UnstableStartError", err)
	}
	for _, want := range []string{"test loss at epoch 0 is", "the test trials blow up", "max |h| reaches", "of 100"} {
		if !strings.Contains(u.What, want) {
			t.Errorf("What: got %q, want it to mention %q", u.What, want)
		}
	}
	if !strings.Contains(u.Evidence, "linearly unstable") || !strings.Contains(u.Change, "threshquad") || strings.Contains(u.Change, "init_state=zero") {
		t.Errorf("got evidence %q and change %q, want an unstable linearization and a hint at threshquad (not at zero, already used)", u.Evidence, u.Change)
	}
}
