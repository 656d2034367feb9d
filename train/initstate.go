package train

import (
	"fmt"
	"math"
	"math/cmplx"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
)

// Thresholds of the relaxation check (relaxDiverged). scale = 1 + max|h_start| + max|d| is
// the size of the state a bounded network keeps: its fixed point, or its chaotic attractor,
// is of the order of the drive d and of the random start. A relaxation diverges when
// max|h| leaves relaxLimit·scale (the Euler map blew up: the reference Fig. 10 setting
// reaches 10¹⁷) or when it ends above relaxGrowth·scale after growing by relaxGrowth over
// its second half (exponential growth, e.g. e^{(Re λ−1)·50τ} > 100 for Re λ > 1.09 with
// the default 100τ). A chaotic or slowly converging network does neither.
const (
	relaxLimit  = 1e6
	relaxGrowth = 1e2
)

// UnstableStartError reports that the run cannot start: the initial state of epoch 0
// (sim.init_state) diverged or was not found, or the test trials blow up from it. What
// says what happened, Evidence the numbers (max |h|, the leading eigenvalue of the
// linearization J·diag(φ′)), Change what to change. Nothing was trained.
type UnstableStartError struct {
	What, Evidence, Change string
}

func (e *UnstableStartError) Error() string {
	return fmt.Sprintf("unstable start (nothing trained): %s; %s. Change: %s", e.What, e.Evidence, e.Change)
}

// initState makes the initial state of every trial, h0 (N×B), with the current
// parameters (sim.init_state; docs/science.md §1.5 item 8):
//
//	relax        h0 ~ N(0, 1) from the relax stream, then round(sim.relax/Δt) noise-free
//	             Euler steps under the constant input I₀ (model.Relax): the reference code
//	zero         h0 = 0
//	fixed_point  every column is the fixed point h* of model.FixedPoint (Newton)
//
// A relaxation that diverges (relaxDiverged) and a Newton that fails are errors: an
// *UnstableStartError at epoch 0, a *DivergedError later (which on_diverge rollback can
// undo).
func (t *Trainer) initState() error {
	p := t.Params()
	i0 := t.cfg.Task.I0
	switch t.cfg.Sim.InitState {
	case model.InitZero:
		t.h0.Zero()
		return nil
	case model.InitFixedPoint:
		res, err := model.FixedPoint(t.spec, p, i0, model.FixedPointSettings{})
		if err != nil {
			return t.startFailed(fmt.Sprintf("the fixed point under constant input I₀ = %g was not found: %v", i0, err), p, res.H,
				"--set sim.init_state=relax (the reference relaxation) or --set sim.init_state=zero")
		}
		for k := 0; k < t.spec.Trials; k++ {
			t.h0.SetCol(k, res.H)
		}
		return nil
	case "", model.InitRelax:
		normals(t.h0.RawMatrix().Data, t.rng[StreamRelax])
		start := mat.Col(nil, 0, t.h0)
		d := model.Drive(t.spec, p, i0)
		scale := 1 + model.MaxAbs(t.h0.RawMatrix().Data) + model.MaxAbs(d)
		c := model.RelaxWatched(t.spec, p, t.h0, i0, t.cfg.Sim.Relax, relaxLimit*scale)
		what := relaxDiverged(c, scale)
		if what == "" {
			return nil
		}
		h := mat.Col(nil, 0, t.h0)
		if math.IsNaN(model.MaxAbs(h)) || math.IsInf(model.MaxAbs(h), 0) {
			h = start
		}
		what = fmt.Sprintf("the initial-state relaxation (sim.init_state = relax: %gτ = %d noise-free steps of Δt = %g under constant input I₀ = %g) diverged: %s",
			t.cfg.Sim.Relax, c.Asked, t.spec.DT, i0, what)
		change := fmt.Sprintf("--set sim.init_state=zero (every trial starts at h = 0 and lasts only T·Δt = %gτ), --set sim.init_state=fixed_point, a shorter sim.relax, or a smaller network.g (the bulk radius of J·diag(φ′) is about g·√χ, docs/science.md §7.3)",
			float64(t.spec.Steps)*t.spec.DT)
		if t.spec.Phi.Name == model.ThreshQuad {
			change = "a smaller network.g or a nonlinearity that grows at most linearly (threshquad's φ = max(h,0)² makes the gain grow with h, so large states blow up in finite time); --set sim.init_state=zero avoids the relaxation, but the trials themselves may blow up"
		}
		return t.startFailed(what, p, h, change)
	}
	return fmt.Errorf("train: unknown sim.init_state %q (allowed: %v)", t.cfg.Sim.InitState, model.InitStates)
}

// relaxDiverged returns what diverged in the watched relaxation c whose bounded size is
// scale (see relaxLimit), or "" when it did not.
func relaxDiverged(c model.RelaxCheck, scale float64) string {
	switch {
	case math.IsNaN(c.MaxEnd) || math.IsInf(c.MaxEnd, 0):
		return fmt.Sprintf("max |h| became %v after %d of %d steps (from %.3g)", c.MaxEnd, c.Steps, c.Asked, c.MaxStart)
	case c.MaxEnd > relaxLimit*scale:
		return fmt.Sprintf("max |h| grew from %.3g to %.3g after %d of %d steps (a bounded state stays of order %.3g; stopped there)", c.MaxStart, c.MaxEnd, c.Steps, c.Asked, scale)
	case c.MaxEnd > relaxGrowth*scale && c.MaxEnd > relaxGrowth*c.MaxHalf:
		return fmt.Sprintf("max |h| grew from %.3g to %.3g, by %.3g over the second half of the %d steps, and is still growing (residual max|F(h)| = %.3g)",
			c.MaxStart, c.MaxEnd, c.MaxEnd/c.MaxHalf, c.Asked, c.Residual)
	}
	return ""
}

// startFailed returns the error of an initial state that failed at the current epoch:
// an *UnstableStartError at epoch 0 (with the leading eigenvalue of the linearization at
// h as evidence), a *DivergedError later.
func (t *Trainer) startFailed(what string, p *model.Params, h []float64, change string) error {
	evidence := t.eigenEvidence(p, h)
	if t.epoch > 0 {
		return &DivergedError{Epoch: t.epoch, What: what + "; " + evidence}
	}
	return &UnstableStartError{What: what, Evidence: evidence, Change: change}
}

// eigenEvidence describes the leading eigenvalue λ of J·diag(φ′(h)): continuous-time
// stability needs Re λ < 1, and the Euler map multiplies its mode by |1 + (Δt/τ)(λ − 1)|
// per step (docs/science.md §1.6).
func (t *Trainer) eigenEvidence(p *model.Params, h []float64) string {
	if h == nil || math.IsNaN(model.MaxAbs(h)) || math.IsInf(model.MaxAbs(h), 0) {
		return "no finite state to linearize at"
	}
	lam, err := model.LeadingEigenvalue(t.spec, p, h)
	if err != nil {
		return err.Error()
	}
	factor := cmplx.Abs(1 + complex(t.spec.Leak(), 0)*(lam-1))
	verdict := "below 1: linearly stable there"
	if real(lam) >= 1 {
		verdict = "≥ 1: the noise-free dynamics is linearly unstable there"
	}
	return fmt.Sprintf("the linearization J·diag(φ′(h)) at trial 1's state has leading eigenvalue λ = %.4g%+.4gi (Re λ %s; the Euler map multiplies its mode by %.4g per step)",
		real(lam), imag(lam), verdict, factor)
}

// testDiverged returns the error of a non-finite test loss: at epoch 0 an
// *UnstableStartError naming where the test trials blow up from the initial state, later
// a *DivergedError.
func (t *Trainer) testDiverged(loss float64) error {
	if t.epoch > 0 {
		return &DivergedError{Epoch: t.epoch, What: fmt.Sprintf("test loss is %v", loss)}
	}
	p := t.Params()
	tr := model.Simulate(t.spec, p, t.h0, t.test.Input, t.testNoise)
	// The blow-up: the first step whose max |h| exceeds 10¹⁵; the linearization is taken at
	// the first state above 10³ (still finite: where the growth shows), in its worst trial.
	step, peak := 0, 0.0
	at := mat.Col(nil, 0, t.h0)
	found := false
	for ti, h := range tr.H {
		m := model.MaxAbs(h.RawMatrix().Data)
		step, peak = ti, m
		if !found && m > 1e3 && !math.IsInf(m, 0) {
			found = true
			_, b := h.Dims()
			worst, col := 0.0, 0
			for k := range b {
				if c := model.MaxAbs(mat.Col(nil, k, h)); c > worst {
					worst, col = c, k
				}
			}
			at = mat.Col(nil, col, h)
		}
		if !(m <= 1e15) {
			break
		}
	}
	name := initStateName(t.cfg.Sim.InitState)
	what := fmt.Sprintf("the test loss at epoch 0 is %v: the test trials blow up from the initial state (sim.init_state = %s): max |h| reaches %.3g at step %d of %d (float64 simulation)",
		loss, name, peak, step, t.spec.Steps)
	change := "a smaller network.g or a smaller sim.dt"
	if t.spec.Phi.Name == model.ThreshQuad {
		change += ", or a nonlinearity that grows at most linearly (threshquad's φ = max(h,0)² makes the gain grow with h, so large states blow up in finite time)"
	}
	if name != model.InitZero {
		change += ", or --set sim.init_state=zero"
	}
	return &UnstableStartError{What: what, Evidence: strings.Replace(t.eigenEvidence(p, at), "at trial 1's state", "at the first test state with max |h| > 10³", 1), Change: change}
}

func initStateName(s model.InitState) model.InitState {
	if s == "" {
		return model.InitRelax
	}
	return s
}
