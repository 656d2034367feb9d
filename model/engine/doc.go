// Package engine computes the loss of one unrolled batch of the dynamics of package model
// and its gradient with respect to J, W_in and W_out, with Gorgonia. Two engines implement
// Engine: "graph" (NewGraph), the plain unrolled Gorgonia graph and the reference
// implementation, and "fused" (NewFused, the default), a graph of one fused recurrent op
// whose forward and backward passes are hand-written BLAS loops (fused_kernel.go) and agree
// with the graph to rounding. Both are built once and reused for every batch.
//
// Extension point: a SIMD kernel path belongs in the fused op's kernel (fusedWork in
// fused_kernel.go: forward, advance, backward and their element-wise helpers), selected at
// build or run time, with its results compared against the graph engine as fused_test.go
// does for the present kernel.
//
// This is the only package of balnet that imports Gorgonia; train uses it, analysis and
// plots never do.
package engine
