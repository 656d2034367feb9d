package train

import (
	"errors"
	"fmt"
	"math"
	"slices"

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
	hooks []DivergeHook
	// snaps are the rollback targets (on_diverge rollback only), newest first, at most
	// two: the states of the last two checkpointed epochs (markGood), epochs[i] their
	// epochs. A restored trainer gets them from its caller (SetRollbackTarget); nil is a
	// target not given yet.
	snaps     []*State
	epochs    []int
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

// isMark reports whether the state of epoch becomes a rollback target: epoch 0 and the
// multiples of train.checkpoint_every, the epochs the run directory checkpoints, so that a
// target is a checkpoint, bit for bit.
func (t *Trainer) isMark(epoch int) bool {
	k := t.cfg.Train.CheckpointEvery
	return epoch == 0 || k > 0 && epoch%k == 0
}

// markGood keeps the trainer's state as the newest rollback target after the hooks of a
// marked epoch (isMark); the previous newest becomes the second, older ones are dropped.
func (t *Trainer) markGood() {
	if t.cfg.Train.OnDiverge != DivergeRollback || !t.isMark(t.epoch) {
		return
	}
	snap := t.Snapshot()
	t.g.snaps = append([]*State{snap}, t.g.snaps[:min(1, len(t.g.snaps))]...)
	t.g.epochs = append([]int{t.epoch}, t.g.epochs[:min(1, len(t.g.epochs))]...)
}

// target returns the index in snaps of the rollback target of d: the newest target at or
// before epoch d.Epoch − 1 (d.Epoch − 2 when the divergence does not depend on the
// learning rate of the epoch's update: retrying that update from d.Epoch − 1 would meet it
// again), or −1. A rollback uses its target up unless it is the oldest (diverged), so that a
// run that diverges again before its next marked epoch goes back to the target before.
func (t *Trainer) target(d *DivergedError) int {
	limit := d.Epoch - 1
	if d.LRIndependent {
		limit--
	}
	for i, e := range t.g.epochs {
		if t.g.snaps[i] == nil {
			return -1
		}
		if e <= limit {
			return i
		}
	}
	return -1
}

// RollbackTargets returns the epochs of the rollback targets (newest first) that a
// restored trainer (Restore, on_diverge rollback) still needs from its caller: checkpoints
// of the run, or epoch 0 (EpochZero). A run continued without them rolls back differently
// from the run that never stopped.
func (t *Trainer) RollbackTargets() []int {
	var need []int
	for i, e := range t.g.epochs {
		if t.g.snaps[i] == nil {
			need = append(need, e)
		}
	}
	return need
}

// SetRollbackTarget gives a restored trainer the state of its rollback target of epoch
// (see RollbackTargets). A nil s (the checkpoint was pruned) drops that target and the
// older ones.
func (t *Trainer) SetRollbackTarget(epoch int, s *State) error {
	i := slices.Index(t.g.epochs, epoch)
	switch {
	case i < 0:
		return fmt.Errorf("train: epoch %d is not a rollback target (targets %v)", epoch, t.g.epochs)
	case s == nil:
		t.g.snaps, t.g.epochs = t.g.snaps[:i], t.g.epochs[:i]
		return nil
	case s.Epoch != epoch:
		return fmt.Errorf("train: rollback target of epoch %d: got the state of epoch %d", epoch, s.Epoch)
	}
	if err := t.check(s); err != nil {
		return fmt.Errorf("train: rollback target of epoch %d: %w", epoch, err)
	}
	t.g.snaps[i] = s
	return nil
}

// restoreTargets sets the rollback targets of a trainer restored to state s: those s
// names (State.Targets), with s itself first when s is a marked epoch saved before its
// markGood (a checkpoint is written by a hook, before markGood; an interruption after it).
func (t *Trainer) restoreTargets(s *State) {
	if t.cfg.Train.OnDiverge != DivergeRollback {
		return
	}
	epochs := slices.Clone(s.Targets)
	if t.isMark(s.Epoch) && (len(epochs) == 0 || epochs[0] != s.Epoch) {
		epochs = append([]int{s.Epoch}, epochs[:min(1, len(epochs))]...)
	}
	t.g.epochs, t.g.snaps = epochs, make([]*State, len(epochs))
	if len(epochs) > 0 && epochs[0] == s.Epoch {
		t.g.snaps[0] = t.Snapshot()
	}
}

// EpochZero returns the state of a new run of cfg after its epoch-0 evaluation: the
// rollback target of epoch 0, which no checkpoint holds (a resumed run needs it, see
// RollbackTargets).
func EpochZero(cfg Config) (*State, error) {
	t, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := t.evaluate(true); err != nil {
		return nil, err
	}
	t.evaluated = true
	return t.Snapshot(), nil
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
	i := t.target(d)
	if s.OnDiverge != DivergeRollback || i < 0 || t.g.rollbacks >= s.MaxRollbacks {
		switch {
		case s.OnDiverge != DivergeRollback:
		case t.g.rollbacks >= s.MaxRollbacks:
			err = fmt.Errorf("%w (no rollback left: %d done, train.max_rollbacks = %d)", err, t.g.rollbacks, s.MaxRollbacks)
		default:
			err = fmt.Errorf("%w (no checkpointed state to roll back to before epoch %d; targets %v)", err, d.Epoch-1, t.g.epochs)
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
	if err := t.load(t.g.snaps[i]); err != nil {
		return false, fmt.Errorf("rolling back after %w: %w", d, err)
	}
	// The target is used up unless it is the oldest: the run continues from it, and a
	// second divergence before the next marked epoch goes back further (the target itself
	// may be the cause), or retries the oldest with the lower learning rate.
	j := min(i+1, len(t.g.snaps)-1)
	t.g.snaps, t.g.epochs = t.g.snaps[j:], t.g.epochs[j:]
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
			return math.NaN(), peak, &DivergedError{Epoch: epoch, LRIndependent: true, What: fmt.Sprintf("the gradient of %s has a non-finite element", engine.ArrayNames[k])}
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
	return &DivergedError{Epoch: epoch, What: what, LRIndependent: true}
}
