// Package engine computes the loss of one unrolled batch of the dynamics of package model
// and its gradient with respect to J, W_in and W_out, with Gorgonia. Two engines implement
// Engine: "graph" (NewGraph), the plain unrolled Gorgonia graph and the reference
// implementation, and "fused" (NewFused, the default), a graph of one fused recurrent op
// whose forward and backward passes are hand-written BLAS loops (fused_kernel.go) and agree
// with the graph to rounding. Both are built once and reused for every batch.
//
// The products of the fused op run on a kernel path (kernel.go, KernelPaths): in a build
// with GOEXPERIMENT=simd (the Makefile's) register-blocked AVX2 or AVX-512 kernels
// (kernel_avx*.go, generated from kernel_simd.go.tmpl by scripts/gen-kernels.sh; on AVX2
// with assembly inner loops, package internal/microkernel), chosen at run time from the
// CPU's features, with J and φ(h) packed into contiguous panels once per pass; else gonum's
// pure-Go BLAS, or OpenBLAS in a build with the openblas tag. Each path agrees with the others to rounding and with itself bit for
// bit (kernel_fused_test.go), and NewFusedThreads spreads a big network's products over
// several cores with the same bits.
//
// This is the only package of balnet that imports Gorgonia; train uses it, analysis and
// plots never do.
package engine
