package plots

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/tasks"
	"github.com/balnet/balnet/train"
)

// stateLoader loads the latest checkpoint of a run directory: the configuration it was
// written with, its training state and a description for messages (its path).
type stateLoader func(runDir string) (cfgYAML []byte, s *train.State, desc string, err error)

// loadLatestState is the checkpoint loader of Render: the checkpoint the run's "latest"
// pointer names (checkpoints.LatestState), or, if that one cannot be used, the newest
// checkpoint that verifies (checkpoints.LatestValid), since plotting only reads. It tries
// twice, because a training still running may prune the checkpoint between the two
// reads.
func loadLatestState(runDir string) (cfgYAML []byte, s *train.State, desc string, err error) {
	dir := checkpoints.Dir(runDir)
	for range 2 {
		path, perr := checkpoints.LatestState(runDir)
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

// simulate restores the trainer of state s and simulates its fixed test batch twice
// (train.Trainer.TestTrajectory): with the final parameters from the state's relaxed
// initial state H0, and with the initial parameters s.Init from the state reached by
// relaxing the initial network noise-free for sim.relax (model.Relax, SCIENCE.md §1.5
// item 8) from H0. Both use the same test inputs and noise.
func simulate(cfg config.Config, s *train.State) (tr *trained, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("simulating the test batch: %v", r)
		}
	}()
	if s == nil || s.Params == nil || s.Init == nil || s.H0 == nil {
		return nil, fmt.Errorf("the checkpoint holds no parameters")
	}
	after, err := train.Restore(cfg.Config, s)
	if err != nil {
		return nil, err
	}
	tr = &trained{epoch: s.Epoch, init: s.Init, final: after.Params(), batch: after.TestBatch()}
	tr.after = after.TestTrajectory()

	s0 := *s
	s0.Params = s.Init
	s0.H0 = mat.DenseCopyOf(s.H0)
	model.Relax(after.Spec(), s.Init, s0.H0, cfg.Task.I0, cfg.Sim.Relax)
	before, err := train.Restore(cfg.Config, &s0)
	if err != nil {
		return nil, err
	}
	tr.before = before.TestTrajectory()
	return tr, nil
}
