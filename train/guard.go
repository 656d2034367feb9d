package train

import (
	"errors"
	"fmt"
	"math"

	"github.com/balnet/balnet/model/engine"
)

// OnDiverge is what a divergence does: the type of train.on_diverge.
type OnDiverge string

// The divergence policies. The empty string means DivergeStop.
const (
	DivergeStop     OnDiverge = "stop"     // end the run with the *DivergedError
	DivergeRollback OnDiverge = "rollback" // restore the last checkpointed state, lower lr, continue
)

// OnDiverges lists the accepted policies.
var OnDiverges = []OnDiverge{DivergeStop, DivergeRollback}

// Divergence is what a DivergeHook sees: a divergence detected at Epoch (What: the
// quantity and its value, as in DivergedError) and what the guard did about it. Action is
// DivergeRollback when the state of epoch To was restored and the learning rate lowered to
// LR; it is DivergeStop when the run ends with the error (To is then the epoch of the
// divergence and LR the unchanged learning rate). Rollbacks counts the rollbacks of the
// run including this one.
type Divergence struct {
	Epoch     int
	What      string
	Action    OnDiverge
	To        int
	LR        float64
	Rollbacks int
}

// DivergeHook is called at every divergence, before Run continues (rollback) or returns
// the error (stop). An error of the hook stops training and is returned by Run.
type DivergeHook func(t *Trainer, d Divergence) error

// guard is the trainer's state of the divergence guard.
type guard struct {
	hooks     []DivergeHook
	good      *State // the last checkpointed state (on_diverge rollback only)
	rollbacks int
	started   *Event // the epoch-0 event computed by Start, not yet passed to the hooks
}

// OnDivergence registers hooks called at every divergence (see Divergence).
func (t *Trainer) OnDivergence(hooks ...DivergeHook) { t.g.hooks = append(t.g.hooks, hooks...) }

// LR returns the current learning rate: train.lr times train.backoff per rollback.
func (t *Trainer) LR() float64 { return t.opt.learningRate() }

// Rollbacks returns the number of rollbacks so far.
func (t *Trainer) Rollbacks() int { return t.g.rollbacks }

// Start prepares epoch 0 of a new run: it makes the initial state (sim.init_state) and
// evaluates the test loss, so that an unstable start (*UnstableStartError) or a non-finite
// test loss is reported before anything is written. Run does the same when Start was not
// called; the result is the same bits either way. Start does nothing for a run whose epoch
// 0 was evaluated already.
func (t *Trainer) Start() error {
	if t.evaluated || t.g.started != nil {
		return nil
	}
	ev, err := t.evaluate(true)
	if err != nil {
		return err
	}
	t.g.started = &ev
	return nil
}

// start returns the epoch-0 event: the one Start computed, or a new evaluation.
func (t *Trainer) start() (Event, error) {
	if ev := t.g.started; ev != nil {
		t.g.started = nil
		return *ev, nil
	}
	return t.evaluate(true)
}

// markGood keeps the trainer's state as the rollback target after the hooks of epoch 0
// and of every multiple of train.checkpoint_every: the epochs whose state the run
// directory checkpoints, so that the target is the last checkpoint, bit for bit.
func (t *Trainer) markGood() {
	s := t.cfg.Train
	if s.OnDiverge != DivergeRollback {
		return
	}
	if t.epoch == 0 || s.CheckpointEvery > 0 && t.epoch%s.CheckpointEvery == 0 {
		t.g.good = t.Snapshot()
	}
}

// diverged handles an error of an epoch: a *DivergedError is reported to the divergence
// hooks and, with on_diverge rollback and rollbacks left, undone: the state of the last
// checkpoint is restored with the learning rate multiplied by train.backoff. It returns
// true when training continues, otherwise the error to return.
func (t *Trainer) diverged(err error) (bool, error) {
	var d *DivergedError
	if !errors.As(err, &d) {
		return false, err
	}
	s := t.cfg.Train
	ev := Divergence{Epoch: d.Epoch, What: d.What, Action: DivergeStop, To: d.Epoch, LR: t.LR(), Rollbacks: t.g.rollbacks}
	if s.OnDiverge != DivergeRollback || t.g.good == nil || t.g.rollbacks >= s.MaxRollbacks {
		if s.OnDiverge == DivergeRollback {
			err = fmt.Errorf("%w (no rollback left: %d done, train.max_rollbacks = %d)", err, t.g.rollbacks, s.MaxRollbacks)
		}
		for _, h := range t.g.hooks {
			if herr := h(t, ev); herr != nil {
				return false, errors.Join(err, herr)
			}
		}
		return false, err
	}
	backoff := s.Backoff
	if backoff <= 0 || backoff >= 1 {
		backoff = 0.5
	}
	lr := t.LR() * backoff
	if err := t.load(t.g.good); err != nil {
		return false, fmt.Errorf("rolling back after %w: %w", d, err)
	}
	t.g.rollbacks++
	t.opt.setLR(lr)
	ev.Action, ev.To, ev.LR, ev.Rollbacks = DivergeRollback, t.epoch, lr, t.g.rollbacks
	for _, h := range t.g.hooks {
		if err := h(t, ev); err != nil {
			return false, err
		}
	}
	return true, nil
}

// gradients checks the gradients of an epoch and clips them (train.clip_norm): a NaN or
// infinite element is a *DivergedError naming the parameter. Clipping is PyTorch's
// clip_grad_norm_ with the 2-norm over all parameters,
//
//	‖g‖ = (Σ_k Σ_i g_ki²)^½,   g ← g · c/(‖g‖ + 10⁻⁶)   when c/(‖g‖ + 10⁻⁶) < 1,
//
// with the norm summed in float64 (PyTorch sums in the parameters' dtype) and the product
// done in the parameters' dtype. It returns the norm before clipping and the largest |g|
// of every parameter, the evidence of an overflow message.
func (t *Trainer) gradients(grads engine.Arrays, epoch int) (norm float64, peak [3]float64, err error) {
	var sum float64
	for k := range 3 {
		var s, m float64
		if grads.IsFloat32() {
			s, m = sumSquares(grads.F32[k])
		} else {
			s, m = sumSquares(grads.F64[k])
		}
		if math.IsNaN(s) || math.IsInf(m, 0) {
			return math.NaN(), peak, &DivergedError{Epoch: epoch, What: fmt.Sprintf("the gradient of %s has a non-finite element", engine.ArrayNames[k])}
		}
		sum += s
		peak[k] = m
	}
	norm = math.Sqrt(sum)
	if c := t.cfg.Train.ClipNorm; c > 0 {
		if coef := c / (norm + 1e-6); coef < 1 {
			if grads.IsFloat32() {
				for k := range 3 {
					scale(grads.F32[k], float32(coef))
				}
			} else {
				for k := range 3 {
					scale(grads.F64[k], coef)
				}
			}
		}
	}
	return norm, peak, nil
}

// sumSquares returns Σ x² and max |x| in float64 (NaN and ±Inf propagate).
func sumSquares[T float32 | float64](x []T) (sum, peak float64) {
	for _, v := range x {
		f := float64(v)
		sum += f * f
		if a := math.Abs(f); !(a <= peak) {
			peak = a
		}
	}
	return sum, peak
}

func scale[T float32 | float64](x []T, c T) {
	for i := range x {
		x[i] *= c
	}
}

// momentError is the divergence of an Adam moment that left the range of the dtype.
func (t *Trainer) momentError(epoch, k int, moment string, norm float64, peak [3]float64) error {
	name := engine.ArrayNames[k]
	limit := math.MaxFloat64
	if t.cfg.DType == Float32 {
		limit = math.MaxFloat32
	}
	what := fmt.Sprintf("Adam's first moment m of %s is not finite (gradient norm %.3g, max |∂l/∂%s| = %.3g)", name, norm, name, peak[k])
	if moment == "v" {
		what = fmt.Sprintf("Adam's second moment v of %s overflowed %s to +Inf (max |∂l/∂%s| = %.3g, so (1−β₂)·g² exceeds %.3g; gradient norm %.3g): every update of those elements would be zero. "+
			"The gradients are that large because the unrolled trajectories blow up (see sim.init_state, network.g); train.clip_norm bounds them",
			name, t.cfg.DType, name, peak[k], limit, norm)
	}
	return &DivergedError{Epoch: epoch, What: what}
}
