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
package train
