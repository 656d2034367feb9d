// Package balnet trains, analyzes and explains balanced recurrent rate networks
// (Engelken & Goedeke, NeurIPS 2022; Landau & Sompolinsky 2021).
//
// The work is done by small packages with one-way imports (layering_test.go keeps them so):
//
//	tasks        OU signals and the linear task y = A·I
//	model         parameters, initializations, nonlinearities, Spec, the plain simulator
//	model/engine  the Gorgonia engines (graph, fused op): loss and gradient of a batch
//	train         the training loop, Adam with saveable state, hooks, Snapshot/Restore
//	analysis      spectra, balance, subnetworks, low-rank alignment (a plain Input)
//	checkpoints   versioned checksummed checkpoint files, atomic writes, CSV, .npz
//	config        the YAML configuration and its validation
//	rundir        the run directory: layout, lock, hooks that fill it, resume repair
//	plots         figures from a run directory
//	cmd/balnet    the command: flags and wiring only
//
// The science — equations, output columns, the choices where the papers are ambiguous —
// is docs/science.md; code comments cite it by section ("docs/science.md §1.5").
package balnet
