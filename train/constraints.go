package train

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/model/engine"
)

// StreamMask is the stream of the connectivity mask of network.density
// (model.NewConstraints): rand.NewPCG(seed, StreamMask). It is used once, by New, and its
// state is not part of a checkpoint: Restore redraws the same mask from the seed and checks
// the saved J against it.
const StreamMask = Stream(numStreams + 1)

// newConstraints draws the constraints of cfg (model.Constraints) from their own stream.
func newConstraints(cfg Config) *model.Constraints {
	return model.NewConstraints(cfg.Network, rand.New(rand.NewPCG(cfg.Seed, uint64(StreamMask))))
}

// maskGrads zeroes the gradient of every masked entry of J (model.Constraints) before the
// Adam step, so that its moments stay zero and its value, zero, never changes
// (docs/science.md §1.2, §7.12).
func maskGrads(c *model.Constraints, grads engine.Arrays) {
	if grads.IsFloat32() {
		model.MaskZero(grads.F32[0], c.Zero)
	} else {
		model.MaskZero(grads.F64[0], c.Zero)
	}
}

// project projects J onto Dale's column signs after the Adam step (network.dale;
// model.ProjectSigns); it does nothing without Dale. The projection never makes a zero
// nonzero, so the masked entries stay 0.
func project(c *model.Constraints, params engine.Arrays) {
	if !c.Dale {
		return
	}
	if params.IsFloat32() {
		model.ProjectSigns(params.F32[0], c.N, c.Excitatory)
	} else {
		model.ProjectSigns(params.F64[0], c.N, c.Excitatory)
	}
}

// Constrain applies the constraints of cfg to J in place exactly as New does to the initial
// J (model.Constraints.Apply with the mask drawn from StreamMask), so that an untrained
// network built from the seed elsewhere (balnet info, balnet fluctuations) is the J_init of
// a run of cfg.
func Constrain(cfg Config, J *mat.Dense) { newConstraints(cfg).Apply(J) }
