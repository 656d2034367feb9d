// Package tasks generates the inputs and targets balnet networks are trained on.
//
// Two tasks are provided (docs/science.md §1.3, §2.2):
//
//   - OU: S independent Ornstein–Uhlenbeck signals I_k(t) sampled with the exact
//     AR(1) discretization; the tracking target is the signal itself, offset included
//     (as in the reference code, docs/science.md §1.5 item 1).
//   - Linear: the same signals, with targets y = A·I for a fixed random R×S matrix A.
//
// Target "fluctuation" (task.target) builds either task's targets from δI = I − I₀ instead
// of I (Fluctuation, Linear.Target).
//
// Batches are laid out step-major so that the S×B input of step t is one contiguous
// row-major block (see Batch). Every draw comes from an explicit *rand.Rand, so a batch is
// a deterministic function of the generator's state.
package tasks
