package plots

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/tasks"
	"github.com/balnet/balnet/train"
)

// stateLoader loads the latest checkpoint of a run directory: the configuration it was
// written with, its training state and a description for messages (its path).
type stateLoader func(runDir string) (cfgYAML []byte, s *train.State, desc string, err error)

// loadLatestState is the checkpoint loader of Render: the checkpoint the run's "latest"
// pointer names (checkpoints.Latest), or, if that one cannot be used, the newest
// checkpoint that verifies (checkpoints.LatestValid), since plotting only reads. It tries
// twice, because a training still running may prune the checkpoint between the two
// reads.
func loadLatestState(runDir string) (cfgYAML []byte, s *train.State, desc string, err error) {
	dir := rundir.Dir(runDir).CheckpointDir()
	for range 2 {
		c, perr := checkpoints.Latest(dir)
		var path string
		if perr == nil {
			path = c.Path
		}
		desc = path
		if perr != nil {
			if errors.Is(perr, checkpoints.ErrNoCheckpoint) {
				return nil, nil, "", fmt.Errorf("no checkpoints in %s", dir)
			}
			c, _, verr := checkpoints.LatestValid(dir)
			if verr != nil {
				return nil, nil, "", perr
			}
			path = c.Path
			desc = fmt.Sprintf("%s (the latest pointer failed: %v)", path, perr)
		}
		cfgYAML, s, err = checkpoints.LoadState(path)
		if err == nil {
			return cfgYAML, s, desc, nil
		}
	}
	return nil, nil, "", err
}

// trained is what the checkpoint-based figures draw: parameters before and after
// training and the fixed test batch simulated with each.
type trained struct {
	epoch         int
	desc          string // the checkpoint, for messages
	init, final   *model.Params
	before, after *model.Trajectory // test trajectories with init and final parameters
	batch         *tasks.Batch      // the fixed test batch
}

// simulate simulates the fixed test batch of the run (train.TestData, redrawn from the
// seed) twice with the plain simulator (analysis.Input.TestTrajectory, no training engine):
// with the final parameters from the state's relaxed initial state H0, and with the initial
// parameters s.Init from the state reached by relaxing the initial network noise-free for
// sim.relax (model.Relax, docs/science.md §1.5 item 8) from H0 (with sim.init_state zero
// from h = 0, with fixed_point from the initial network's fixed point). Both use the same
// test inputs and noise.
func simulate(cfg config.Config, s *train.State) (tr *trained, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("simulating the test batch: %v", r)
		}
	}()
	if s == nil || s.Params == nil || s.Init == nil || s.H0 == nil {
		return nil, fmt.Errorf("the checkpoint holds no parameters")
	}
	after, err := rundir.StateInput(cfg, s)
	if err != nil {
		return nil, err
	}
	batch, _, err := train.TestData(cfg.Config, s.A)
	if err != nil {
		return nil, err
	}
	tr = &trained{epoch: s.Epoch, init: s.Init, final: after.Params, batch: batch}
	tr.after = after.TestTrajectory()

	before := after
	before.Params = s.Init.Clone()
	if after.Float32 { // the parameters as a float32 trainer holds them
		for _, m := range []*mat.Dense{before.Params.J, before.Params.Win, before.Params.Wout} {
			m.Apply(func(_, _ int, v float64) float64 { return float64(float32(v)) }, m)
		}
	}
	before.H0 = mat.DenseCopyOf(s.H0)
	switch cfg.Sim.InitState { // as the trainer made the initial state (train.initState)
	case model.InitZero:
		before.H0.Zero()
	case model.InitFixedPoint:
		fp, err := model.FixedPoint(after.Spec, before.Params, cfg.Task.I0, model.FixedPointSettings{})
		if err != nil {
			return nil, fmt.Errorf("the initial network's fixed point: %w", err)
		}
		for k := 0; k < after.Spec.Trials; k++ {
			before.H0.SetCol(k, fp.H)
		}
	default:
		model.Relax(after.Spec, s.Init, before.H0, cfg.Task.I0, cfg.Sim.Relax)
	}
	tr.before = before.TestTrajectory()
	return tr, nil
}
