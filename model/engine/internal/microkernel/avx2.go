//go:build goexperiment.simd && amd64

package microkernel

import "unsafe"

// Acc5x2F32 accumulates, for the rows at a0..a4 of op(A) (element l of row r at
// ar + l·als) and the panel of B at b (row l, 16 float32, at b + l·ldb), over
// l = 0..k−1 in order, acc_rj += op(A)_rl·B_lj with fused multiply-adds, and stores row r
// to out[2r], out[2r+1]. It prefetches the five rows of 64 bytes at c, c + ldc, … that
// the caller updates next.
//
//go:noescape
func Acc5x2F32(k int, a0, a1, a2, a3, a4 unsafe.Pointer, als uintptr, b unsafe.Pointer, ldb uintptr, out *[10][8]float32, c unsafe.Pointer, ldc uintptr)

// Acc4x2F32 is Acc5x2F32 for four rows.
//
//go:noescape
func Acc4x2F32(k int, a0, a1, a2, a3 unsafe.Pointer, als uintptr, b unsafe.Pointer, ldb uintptr, out *[8][8]float32, c unsafe.Pointer, ldc uintptr)

// Acc3x2F32 is Acc5x2F32 for three rows.
//
//go:noescape
func Acc3x2F32(k int, a0, a1, a2 unsafe.Pointer, als uintptr, b unsafe.Pointer, ldb uintptr, out *[6][8]float32, c unsafe.Pointer, ldc uintptr)

// Acc5x2F64 is Acc5x2F32 for float64: a panel of B is 8 float64.
//
//go:noescape
func Acc5x2F64(k int, a0, a1, a2, a3, a4 unsafe.Pointer, als uintptr, b unsafe.Pointer, ldb uintptr, out *[10][4]float64, c unsafe.Pointer, ldc uintptr)

// Acc4x2F64 is Acc5x2F64 for four rows.
//
//go:noescape
func Acc4x2F64(k int, a0, a1, a2, a3 unsafe.Pointer, als uintptr, b unsafe.Pointer, ldb uintptr, out *[8][4]float64, c unsafe.Pointer, ldc uintptr)

// Acc3x2F64 is Acc5x2F64 for three rows.
//
//go:noescape
func Acc3x2F64(k int, a0, a1, a2 unsafe.Pointer, als uintptr, b unsafe.Pointer, ldb uintptr, out *[6][4]float64, c unsafe.Pointer, ldc uintptr)
