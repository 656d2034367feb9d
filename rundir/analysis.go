package rundir

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/train"
)

// AnalysisInput returns the analysis input of a trainer's current state: copies of its
// parameters, initial parameters and relaxed initial state, and its fixed test batch. It
// only reads the trainer.
func AnalysisInput(t *train.Trainer) analysis.Input {
	cfg := t.Config()
	return analysis.Input{
		Epoch: t.Epoch(), Seed: cfg.Seed, Network: cfg.Network, Spec: t.Spec(),
		Float32: cfg.DType == train.Float32,
		Params:  t.Params(), Init: t.InitialParams(),
		TestInput: t.TestBatch().Input, TestNoise: t.TestNoise(), H0: t.InitialState(),
		I0: cfg.Task.I0, Relax: cfg.Sim.Relax, TauS: cfg.Task.TauS, I1: cfg.Task.I1,
	}
}

// StateInput returns the analysis input of a checkpoint's training state s of a run with
// configuration cfg, without building the training engine: the test batch is redrawn from
// the seed (train.TestData) and the parameters are those of s. It equals AnalysisInput of
// the trainer that wrote s (the analysis of a checkpoint reproduces the live one exactly).
func StateInput(cfg config.Config, s *train.State) (analysis.Input, error) {
	if s == nil || s.Params == nil || s.Init == nil || s.H0 == nil {
		return analysis.Input{}, fmt.Errorf("the checkpoint holds no parameters")
	}
	sp, err := model.NewSpec(cfg.Network, cfg.Sim, cfg.Task.Signals, cfg.Outputs(), cfg.Train.Batch, cfg.Train.ActivityReg)
	if err != nil {
		return analysis.Input{}, err
	}
	batch, noise, err := train.TestData(cfg.Config, s.A)
	if err != nil {
		return analysis.Input{}, err
	}
	return analysis.Input{
		Epoch: s.Epoch, Seed: cfg.Seed, Network: cfg.Network, Spec: sp,
		Float32: cfg.DType == train.Float32,
		Params:  s.Params.Clone(), Init: s.Init.Clone(),
		TestInput: batch.Input, TestNoise: noise, H0: mat.DenseCopyOf(s.H0),
		I0: cfg.Task.I0, Relax: cfg.Sim.Relax, TauS: cfg.Task.TauS, I1: cfg.Task.I1,
	}, nil
}

// AnalysisHook returns a training hook that, at every epoch where analysis.Due holds,
// computes the Record of the trainer (AnalysisInput, Options o) and hands it to emit. An
// analysis or emit error stops training. The hook does not change the trainer's state:
// parameters, Adam moments, relaxed initial state and random streams are only read.
func AnalysisHook(s analysis.Settings, o analysis.Options, emit func(*analysis.Record) error) train.Hook {
	return func(t *train.Trainer, ev train.Event) error {
		if !analysis.Due(s, ev.Epoch) {
			return nil
		}
		r, err := analysis.AnalyzeWith(AnalysisInput(t), s, o)
		if err != nil {
			return err
		}
		if err := emit(r); err != nil {
			return fmt.Errorf("analysis at epoch %d: %w", ev.Epoch, err)
		}
		return nil
	}
}
