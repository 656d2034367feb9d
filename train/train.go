package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/model/engine"
	"github.com/balnet/balnet/tasks"
)

// Config is everything a training run needs: the configuration file without its analysis
// section.
type Config struct {
	Seed    uint64            `yaml:"seed"`
	DType   DType             `yaml:"dtype"`
	Network model.Settings    `yaml:"network"`
	Task    tasks.Settings    `yaml:"task"`
	Sim     model.SimSettings `yaml:"sim"`
	Train   Settings          `yaml:"train"`
}

// DefaultConfig returns the reference setting of docs/science.md §1.6.
func DefaultConfig() Config {
	return Config{
		Seed: 1, DType: Float32,
		Network: model.DefaultSettings(), Task: tasks.DefaultSettings(),
		Sim: model.DefaultSimSettings(), Train: DefaultSettings(),
	}
}

// Outputs returns the number of readouts R (task.outputs, or S when it is 0).
func (c Config) Outputs() int {
	if c.Task.Outputs == 0 {
		return c.Task.Signals
	}
	return c.Task.Outputs
}

// Stream identifies one of the run's random streams: rand.NewPCG(seed, stream).
type Stream int

const (
	StreamInit  Stream = iota + 1 // initial parameters, then the linear task's A
	StreamTask                    // training inputs
	StreamNoise                   // training noise ζ
	StreamTest                    // the fixed test batch and its noise
	StreamRelax                   // random starts of the initial-state relaxation
	numStreams  = int(StreamRelax)
)

var streamNames = [...]string{StreamInit: "init", StreamTask: "task", StreamNoise: "noise", StreamTest: "test", StreamRelax: "relax", StreamMask: "mask"}

func (s Stream) String() string { return streamNames[s] }

// Event is what hooks see after an epoch.
type Event struct {
	Epoch     int     // completed updates
	TrainLoss float64 // the loss of this epoch's training batch (before its update); NaN at epoch 0
	Tested    bool    // the test loss was evaluated at this epoch
	TestLoss  float64 // valid when Tested
	// MeanTrainLoss is the mean training loss of the epochs since the previous test; valid
	// when Tested, NaN when there were none.
	MeanTrainLoss float64
	Final         bool // the last epoch of this Run
}

// Hook is called after every epoch (and once for epoch 0 when a run starts). An error
// stops training and is returned by Run.
type Hook func(t *Trainer, ev Event) error

// ErrInterrupted is returned by Run when its context is cancelled; the epoch in progress
// was completed and its hooks were called.
var ErrInterrupted = errors.New("training interrupted")

// DivergedError reports a non-finite loss or parameter (and the other divergences of
// guard.go and initstate.go).
type DivergedError struct {
	Epoch int
	What  string
	// LRIndependent is set when the divergence does not depend on the learning rate of
	// the epoch's update (a non-finite training loss or gradient, an overflowing Adam
	// moment): a rollback must go back further than the previous epoch.
	LRIndependent bool
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("training diverged at epoch %d: %s", e.Epoch, e.What)
}

// Trainer owns one training run.
type Trainer struct {
	cfg   Config
	spec  model.Spec
	task  tasks.Task
	graph engine.Engine
	opt   optimizer
	init  *model.Params // the initial parameters (J_init, …)
	cons  *model.Constraints

	src [numStreams + 1]*rand.PCG
	rng [numStreams + 1]*rand.Rand

	batch, test *tasks.Batch
	noise       []float64          // training noise, step-major N×B blocks (nil with noiseBuf)
	noiseBuf    engine.NoiseBuffer // the engine's own noise node, when it is a NoiseWriter
	testNoise   []float64
	h0          *mat.Dense // relaxed initial state, N×B

	epoch     int
	evaluated bool    // epoch 0 was evaluated
	lossSum   float64 // training losses since the last test
	lossCount int

	g guard // divergence guard (guard.go)
}

// New prepares a run: parameters, task, the fixed test batch and the graph. The whole
// configuration is validated by package config (every key, with the key named in the
// error); New itself returns an error, never a panic, for the values that would break the
// loop: train.test_every and train.batch below 1, train.epochs below 0. Invalid network,
// task and unroll settings are errors of model, tasks and model/engine.
func New(cfg Config) (*Trainer, error) {
	switch {
	case cfg.Train.TestEvery < 1:
		return nil, fmt.Errorf("train: test_every = %d, want at least 1", cfg.Train.TestEvery)
	case cfg.Train.Batch < 1:
		return nil, fmt.Errorf("train: batch = %d, want at least 1", cfg.Train.Batch)
	case cfg.Train.Epochs < 0:
		return nil, fmt.Errorf("train: epochs = %d, want at least 0", cfg.Train.Epochs)
	case cfg.Sim.InitState != "" && !slices.Contains(model.InitStates, cfg.Sim.InitState):
		return nil, fmt.Errorf("train: sim.init_state = %q, want one of %v", cfg.Sim.InitState, model.InitStates)
	case cfg.Train.OnDiverge != "" && !slices.Contains(OnDiverges, cfg.Train.OnDiverge):
		return nil, fmt.Errorf("train: on_diverge = %q, want one of %v", cfg.Train.OnDiverge, OnDiverges)
	}
	t := &Trainer{cfg: cfg}
	for s := StreamInit; s <= StreamRelax; s++ {
		t.src[s] = rand.NewPCG(cfg.Seed, uint64(s))
		t.rng[s] = rand.New(t.src[s])
	}
	S, R, B := cfg.Task.Signals, cfg.Outputs(), cfg.Train.Batch
	p, err := model.NewParams(cfg.Network, S, R, t.rng[StreamInit])
	if err != nil {
		return nil, err
	}
	t.cons = newConstraints(cfg)
	t.cons.Apply(p.J)
	t.init = p
	if t.task, err = tasks.New(cfg.Task, cfg.Sim.DT, t.rng[StreamInit]); err != nil {
		return nil, err
	}
	if t.spec, err = model.NewSpec(cfg.Network, cfg.Sim, S, R, B, cfg.Train.ActivityReg); err != nil {
		return nil, err
	}
	dtype, err := Dtype(cfg.DType)
	if err != nil {
		return nil, err
	}
	if cfg.Train.Engine == "fused" && cfg.Train.Threads > 1 {
		t.graph, err = engine.NewFusedThreads(t.spec, dtype, p, cfg.Train.Threads)
	} else {
		t.graph, err = engine.New(cfg.Train.Engine, t.spec, dtype, p)
	}
	if err != nil {
		return nil, err
	}
	sizes := []int{t.spec.N * t.spec.N, t.spec.N * S, R * t.spec.N}
	if dtype == tensor.Float32 {
		t.opt = &adam32{newAdam[float32](cfg.Train, sizes)}
	} else {
		t.opt = &adam64{newAdam[float64](cfg.Train, sizes)}
	}
	t.batch = tasks.NewBatch(cfg.Sim.Steps, S, R, B)
	if nw, ok := t.graph.(engine.NoiseWriter); ok {
		t.noiseBuf = nw.NoiseBuffer() // the noise is drawn straight into the engine's node
	} else {
		t.noise = make([]float64, t.spec.NoiseLen())
	}
	t.test, t.testNoise = testData(cfg, t.task, t.rng[StreamTest])
	t.h0 = mat.NewDense(t.spec.N, B, nil)
	return t, nil
}

// testData draws the fixed test batch of a run and its noise from the test stream: the
// batch (train.batch trials) first, then the standard-normal noise, step-major N×B blocks.
func testData(cfg Config, task tasks.Task, rng *rand.Rand) (*tasks.Batch, []float64) {
	T, B := cfg.Sim.Steps, cfg.Train.Batch
	test := tasks.NewBatch(T, task.Signals(), task.Outputs(), B)
	noise := make([]float64, T*cfg.Network.N*B)
	task.Sample(test, rng)
	normals(noise, rng)
	return test, noise
}

// TestData returns the fixed test batch of a run of cfg and its noise, exactly as New draws
// them, without building the training engine: the analysis of a checkpoint needs them and
// nothing else of the trainer. A is the linear task's matrix as the checkpoint holds it
// (State.A; nil for other tasks, or to draw it from the seed as New does).
func TestData(cfg Config, A *mat.Dense) (*tasks.Batch, []float64, error) {
	init := rand.New(rand.NewPCG(cfg.Seed, uint64(StreamInit)))
	// The initial parameters are drawn from the init stream before the task's A.
	if _, err := model.NewParams(cfg.Network, cfg.Task.Signals, cfg.Outputs(), init); err != nil {
		return nil, nil, err
	}
	task, err := tasks.New(cfg.Task, cfg.Sim.DT, init)
	if err != nil {
		return nil, nil, err
	}
	if lin, ok := task.(*tasks.Linear); ok && A != nil {
		if r, c := A.Dims(); r != task.Outputs() || c != task.Signals() {
			return nil, nil, fmt.Errorf("task matrix A is %d×%d, want %d×%d", r, c, task.Outputs(), task.Signals())
		}
		lin.A.Copy(A)
	}
	batch, noise := testData(cfg, task, rand.New(rand.NewPCG(cfg.Seed, uint64(StreamTest))))
	return batch, noise, nil
}

// DType is the floating-point type of training: the type of the configuration's dtype.
type DType string

// The training dtypes.
const (
	Float32 DType = "float32"
	Float64 DType = "float64"
)

// DTypes lists the accepted dtypes.
var DTypes = []DType{Float32, Float64}

// Dtype converts the configuration's dtype to Gorgonia's.
func Dtype(name DType) (tensor.Dtype, error) {
	switch name {
	case Float32:
		return tensor.Float32, nil
	case Float64:
		return tensor.Float64, nil
	}
	return tensor.Dtype{}, fmt.Errorf("unknown dtype %q (allowed: float32, float64)", name)
}

// Run trains until cfg.Train.Epochs epochs are complete, calling the hooks after every
// epoch (and for epoch 0 when the run is new). It returns ErrInterrupted, after finishing
// the current epoch, when ctx is cancelled.
func (t *Trainer) Run(ctx context.Context, hooks ...Hook) error {
	call := func(ev Event) error {
		for _, h := range hooks {
			if err := h(t, ev); err != nil {
				return err
			}
		}
		return nil
	}
	total := t.cfg.Train.Epochs
	if !t.evaluated {
		ev, err := t.start()
		if err != nil {
			return err
		}
		t.evaluated = true
		ev.Final = total == 0
		if err := call(ev); err != nil {
			return err
		}
		t.markGood()
	}
	for t.epoch < total {
		if ctx.Err() != nil {
			return fmt.Errorf("%w at epoch %d: %w", ErrInterrupted, t.epoch, context.Cause(ctx))
		}
		loss, err := t.step()
		if err != nil {
			if again, err := t.diverged(err); again {
				continue
			} else {
				return err
			}
		}
		ev := Event{Epoch: t.epoch, TrainLoss: loss, Final: t.epoch == total}
		if t.epoch%t.cfg.Train.TestEvery == 0 || ev.Final {
			tev, err := t.evaluate(t.epoch%t.cfg.Train.TestEvery == 0)
			if err != nil {
				if again, err := t.diverged(err); again {
					continue
				} else {
					return err
				}
			}
			ev.Tested, ev.TestLoss, ev.MeanTrainLoss = true, tev.TestLoss, tev.MeanTrainLoss
		}
		if err := call(ev); err != nil {
			return err
		}
		t.markGood()
	}
	return nil
}

// step performs one epoch: a fresh batch and noise, forward and backward, the Adam update
// with the constraints of J (masked entries: maskGrads; Dale's law: project).
func (t *Trainer) step() (float64, error) {
	t.task.Sample(t.batch, t.rng[StreamTask])
	switch nb := t.noiseBuf; {
	case nb.F32 != nil:
		normalsTo(nb.F32, t.src[StreamNoise], nb.N, nb.Trials, nb.Scale)
	case nb.F64 != nil:
		normalsTo(nb.F64, t.src[StreamNoise], nb.N, nb.Trials, nb.Scale)
	default:
		normalsPCG(t.noise, t.src[StreamNoise])
	}
	loss, err := t.graph.Run(t.h0.RawMatrix().Data, t.batch.Input, t.noise, t.batch.Target)
	if err != nil {
		return loss, fmt.Errorf("epoch %d: %w", t.epoch+1, err)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, &DivergedError{Epoch: t.epoch + 1, What: fmt.Sprintf("training loss is %v", loss), LRIndependent: true}
	}
	grads, err := t.graph.GradData()
	if err != nil {
		return loss, err
	}
	maskGrads(t.cons, grads)
	norm, peak, err := t.gradients(grads, t.epoch+1)
	if err != nil {
		return loss, err
	}
	if k, moment := t.opt.update(t.graph.ParamData(), grads); k >= 0 {
		return loss, t.momentError(t.epoch+1, k, moment, norm, peak)
	}
	project(t.cons, t.graph.ParamData())
	t.epoch++
	if name, ok := finite(t.graph.ParamData()); !ok {
		return loss, &DivergedError{Epoch: t.epoch, What: name + " has a non-finite element"}
	}
	t.lossSum += loss
	t.lossCount++
	return loss, nil
}

// evaluate relaxes the initial state with the current J (when relax is set) and computes
// the test loss. With relax, it also closes the interval of the mean training loss.
func (t *Trainer) evaluate(relax bool) (Event, error) {
	if relax {
		if err := t.initState(); err != nil {
			return Event{}, err
		}
	}
	loss, err := t.graph.Run(t.h0.RawMatrix().Data, t.test.Input, t.testNoise, t.test.Target)
	if err != nil {
		return Event{}, fmt.Errorf("test at epoch %d: %w", t.epoch, err)
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return Event{}, t.testDiverged(loss)
	}
	ev := Event{Epoch: t.epoch, TrainLoss: math.NaN(), Tested: true, TestLoss: loss, MeanTrainLoss: math.NaN()}
	if t.lossCount > 0 {
		ev.MeanTrainLoss = t.lossSum / float64(t.lossCount)
	}
	if relax {
		t.lossSum, t.lossCount = 0, 0
	}
	return ev, nil
}

// FinalTest evaluates the test loss at the current epoch as Run does at the last epoch of
// a run when that epoch is not a multiple of train.test_every: without relaxing the
// initial state, read-only. It returns the event Run would pass to the hooks (Final,
// Tested, with the mean training loss since the last test) and changes nothing. A resumed
// run that has no epoch left to train uses it to end exactly as an uninterrupted run.
func (t *Trainer) FinalTest() (Event, error) {
	ev, err := t.evaluate(false)
	ev.Final = true
	return ev, err
}

// Epoch returns the number of completed updates.
func (t *Trainer) Epoch() int { return t.epoch }

// Config returns the run's configuration.
func (t *Trainer) Config() Config { return t.cfg }

// Spec returns the unroll specification.
func (t *Trainer) Spec() model.Spec { return t.spec }

// Task returns the task.
func (t *Trainer) Task() tasks.Task { return t.task }

// Params returns a float64 copy of the current parameters.
func (t *Trainer) Params() *model.Params {
	d := t.graph.ParamData()
	p := t.init.Clone()
	for k, m := range []*mat.Dense{p.J, p.Win, p.Wout} {
		copyWide(m.RawMatrix().Data, d, k)
	}
	return p
}

// InitialParams returns a copy of the parameters at epoch 0.
func (t *Trainer) InitialParams() *model.Params { return t.init.Clone() }

// InitialState returns a copy of the current relaxed initial state (N×B).
func (t *Trainer) InitialState() *mat.Dense { return mat.DenseCopyOf(t.h0) }

// TestTrajectory simulates the fixed test batch with the current parameters and the
// plain float64 simulator, from the current relaxed initial state.
func (t *Trainer) TestTrajectory() *model.Trajectory {
	return model.Simulate(t.spec, t.Params(), t.h0, t.test.Input, t.testNoise)
}

// TestBatch returns the fixed test batch (not a copy: do not modify it).
func (t *Trainer) TestBatch() *tasks.Batch { return t.test }

// TestNoise returns the standard-normal noise of the fixed test batch, step-major N×B
// blocks (not a copy: do not modify it).
func (t *Trainer) TestNoise() []float64 { return t.testNoise }

func normals(dst []float64, rng *rand.Rand) {
	for i := range dst {
		dst[i] = rng.NormFloat64()
	}
}

// finite returns the name of the first parameter with a NaN or infinite element.
func finite(params engine.Arrays) (string, bool) {
	for k := range 3 {
		ok := params.IsFloat32() && allFinite(params.F32[k]) || !params.IsFloat32() && allFinite(params.F64[k])
		if !ok {
			return engine.ArrayNames[k], false
		}
	}
	return "", true
}

func allFinite[T float32 | float64](xs []T) bool {
	for _, v := range xs {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

// copyWide copies parameter k of d into dst, widened to float64.
func copyWide(dst []float64, d engine.Arrays, k int) {
	if d.IsFloat32() {
		for i, v := range d.F32[k] {
			dst[i] = float64(v)
		}
		return
	}
	copy(dst, d.F64[k])
}
