// Package balnet trains, analyzes and explains balanced recurrent rate networks
// (Engelken & Goedeke, NeurIPS 2022; Landau & Sompolinsky 2021).
//
// The work is done by small packages with one-way imports (layering_test.go keeps them so):
//
//	tasks        OU signals and the linear task y = A·I
//	model        parameters, nonlinearities, the plain simulator, the Gorgonia engines
//	train        the training loop, Adam with saveable state, hooks, Snapshot/Restore
//	analysis     spectra, balance, subnetworks, low-rank alignment of a trained J
//	checkpoints  run directory, checkpoints, exact resume, .npz
//	config       the YAML configuration
//	plots        figures from a run directory
//	cmd/balnet   the command: flags and wiring only
//
// The science is in SCIENCE.md and the architecture in DESIGN.md (in ../shared).
package balnet
