// Package train is the training loop: one Adam step per epoch on a fresh batch, a test loss
// on a fixed held-out batch, and hooks called after every epoch so that metrics, analysis,
// checkpoints and progress plug in without editing the loop.
//
// Epoch e is the state after e completed updates. At epoch 0 and at every multiple of
// test_every the initial state is relaxed again with the current J (docs/science.md §1.5 item 8)
// and the test loss is evaluated; the final epoch is also tested, without relaxing, so that
// a run continued later is identical to one that never stopped.
//
// Every Adam step keeps the constraints of J (model.Constraints): masked entries (the
// diagonal with zero_diagonal, the connectivity mask of network.density) get a zero
// gradient and stay exactly 0, and with network.dale the columns are projected onto their
// signs after the step.
//
// Randomness comes from five math/rand/v2 PCG streams derived from the seed (see Stream);
// their states are part of State, so a run restored from a State continues bit for bit. A
// sixth, StreamMask, draws the connectivity mask once in New and is not saved: Restore
// redraws it.
//
// # Initial state and divergence
//
// The initial state is sim.init_state (initstate.go): relax (the reference relaxation of
// sim.relax τ from a random start), zero, or fixed_point (model.FixedPoint, Newton). A
// relaxation that diverges or a fixed point that is not found stops the run: an
// *UnstableStartError at epoch 0 (Start reports it before the caller writes anything), a
// *DivergedError later. Non-finite losses, gradients and parameters, and Adam moments that
// leave the dtype's range (a float32 v overflowing to +Inf makes every step zero), are
// *DivergedError too (guard.go); train.clip_norm clips the global gradient norm first.
//
// With train.on_diverge rollback, Run undoes a *DivergedError: it restores the newest of
// its rollback targets (the states of the last two checkpointed epochs, see markGood and
// target) with the learning rate times train.backoff, calls the DivergeHooks
// (OnDivergence) and continues, at most train.max_rollbacks times. The learning rate, the
// rollback count and the targets' epochs are part of State; a restored trainer gets the
// targets' states from its caller (RollbackTargets, SetRollbackTarget, EpochZero), so that
// a run with rollbacks resumed from any checkpoint equals the run that never stopped.
package train
