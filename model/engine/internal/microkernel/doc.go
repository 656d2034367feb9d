// Package microkernel holds the assembly inner loops of the AVX2 product kernels of
// model/engine (kernel_avx2_asm.go): for a row block of 5, 4 or 3 rows of op(A) and a
// two-vector panel of B, acc_rj = Σ_l op(A)_rl·B_lj over l = 0..k−1 in order, one fused
// multiply-add per vector and row, accumulated in registers and stored to out, or scaled
// by α and stored (or added) to C directly.
//
// They are assembly because simd/archsimd offers only the VFMADD213 form of the fused
// multiply-add, which overwrites a multiplicand: Go's register allocator then copies a
// multiplicand before every second multiply-add and moves every accumulator back at the
// end of every iteration, and the archsimd loop ran at half the rate (model/engine's
// TestAVX2AsmMatchesArchsimd checks that both give the same bits). They live in their own
// package because a package that uses cgo (model/engine in the OpenBLAS build) cannot
// contain Go assembly. The functions exist in builds with GOEXPERIMENT=simd on amd64; the
// caller checks the CPU's AVX2 and FMA (archsimd.X86) before using them. avx2_amd64.s is
// written by scripts/gen-microkernels.py (go generate).
package microkernel

//go:generate python3 ../../../../scripts/gen-microkernels.py
