// Package train is the training loop: one Adam step per epoch on a fresh batch, a test loss
// on a fixed held-out batch, and hooks called after every epoch so that metrics, analysis,
// checkpoints and progress plug in without editing the loop.
//
// Epoch e is the state after e completed updates. At epoch 0 and at every multiple of
// test_every the initial state is relaxed again with the current J (docs/science.md §1.5 item 8)
// and the test loss is evaluated; the final epoch is also tested, without relaxing, so that
// a run continued later is identical to one that never stopped.
//
// Randomness comes from five math/rand/v2 PCG streams derived from the seed (see Stream);
// their states are part of State, so a run restored from a State continues bit for bit.
package train
