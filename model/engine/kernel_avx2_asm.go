//go:build goexperiment.simd && amd64

package engine

import (
	"simd/archsimd"
	"unsafe"

	"github.com/balnet/balnet/model/engine/internal/microkernel"
)

// The AVX2 micro-kernels of the full register blocks run their inner loop in assembly
// (package microkernel) and store α·acc + β·C with archsimd, as the generated archsimd
// kernels do. They replace kern5x2GoAVX2F32, kern4x2GoAVX2F32 and the others of kernel_avx2_*.go, which
// compute the same fused multiply-adds in the same order and so the same bits
// (TestAVX2AsmMatchesArchsimd): with archsimd's only fused multiply-add, VFMADD213, Go's
// register allocator adds a register copy before every second multiply-add and moves all
// accumulators back at the end of every iteration, and the loop ran at 30–36 GFLOP/s
// against 59–75 in assembly (4 × 16 float32 block, k = 100, measured 2026-12-02).

// kern5x2AVX2F32 is the micro-kernel of gemmAVX2F32 for a 5 × 2·8 block (the first cols columns stored).
func kern5x2AVX2F32(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, ab *[2][8]float32, bmode int, cols int) {
	var acc [10][8]float32
	microkernel.Acc5x2F32(k, a, unsafe.Add(a, ars), unsafe.Add(a, 2*ars), unsafe.Add(a, 3*ars), unsafe.Add(a, 4*ars), als, b, ldb, &acc, c, ldc)
	putRowsAVX2F32(c, ldc, acc[:], 5, ab, bmode, cols)
}

// kern5x2AVX2F64 is the micro-kernel of gemmAVX2F64 for a 5 × 2·4 block (the first cols columns stored).
func kern5x2AVX2F64(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, ab *[2][4]float64, bmode int, cols int) {
	var acc [10][4]float64
	microkernel.Acc5x2F64(k, a, unsafe.Add(a, ars), unsafe.Add(a, 2*ars), unsafe.Add(a, 3*ars), unsafe.Add(a, 4*ars), als, b, ldb, &acc, c, ldc)
	putRowsAVX2F64(c, ldc, acc[:], 5, ab, bmode, cols)
}

// kern4x2AVX2F32 is the micro-kernel of gemmAVX2F32 for a 4 × 2·8 block (mr ≤ 4 rows and the first cols columns
// stored; the last valid row of op(A) stands in for the others).
func kern4x2AVX2F32(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, mr int, ab *[2][8]float32, bmode int, cols int) {
	a0, a1, a2, a3 := rowsAVX2F32(a, ars, mr)
	var acc [8][8]float32
	microkernel.Acc4x2F32(k, a0, a1, a2, a3, als, b, ldb, &acc, c, ldc)
	putRowsAVX2F32(c, ldc, acc[:], mr, ab, bmode, cols)
}

// kern3x2AVX2F32 is the micro-kernel of gemmAVX2F32 for a 3 × 2·8 block (the first cols columns stored).
func kern3x2AVX2F32(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, ab *[2][8]float32, bmode int, cols int) {
	var acc [6][8]float32
	microkernel.Acc3x2F32(k, a, unsafe.Add(a, ars), unsafe.Add(a, 2*ars), als, b, ldb, &acc, c, ldc)
	putRowsAVX2F32(c, ldc, acc[:], 3, ab, bmode, cols)
}

// kern4x2AVX2F64 is the micro-kernel of gemmAVX2F64 for a 4 × 2·4 block (mr ≤ 4 rows and the first cols columns
// stored).
func kern4x2AVX2F64(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, mr int, ab *[2][4]float64, bmode int, cols int) {
	a0, a1, a2, a3 := rowsAVX2F64(a, ars, mr)
	var acc [8][4]float64
	microkernel.Acc4x2F64(k, a0, a1, a2, a3, als, b, ldb, &acc, c, ldc)
	putRowsAVX2F64(c, ldc, acc[:], mr, ab, bmode, cols)
}

// kern3x2AVX2F64 is the micro-kernel of gemmAVX2F64 for a 3 × 2·4 block (the first cols columns stored).
func kern3x2AVX2F64(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, ab *[2][4]float64, bmode int, cols int) {
	var acc [6][4]float64
	microkernel.Acc3x2F64(k, a, unsafe.Add(a, ars), unsafe.Add(a, 2*ars), als, b, ldb, &acc, c, ldc)
	putRowsAVX2F64(c, ldc, acc[:], 3, ab, bmode, cols)
}

// putRowsAVX2F32 stores the first rows rows of a block accumulated by the assembly (row r in
// acc[2r], acc[2r+1]) into C at c with stride ldc, with putRowAVX2F32.
func putRowsAVX2F32(c unsafe.Pointer, ldc uintptr, acc [][8]float32, rows int, ab *[2][8]float32, bmode, cols int) {
	for r := range rows {
		putRowAVX2F32(c, archsimd.LoadFloat32x8(&acc[2*r]), archsimd.LoadFloat32x8(&acc[2*r+1]), ab, bmode, cols)
		c = unsafe.Add(c, ldc)
	}
	archsimd.ClearAVXUpperBits()
}

// putRowsAVX2F64 is putRowsAVX2F32 for float64.
func putRowsAVX2F64(c unsafe.Pointer, ldc uintptr, acc [][4]float64, rows int, ab *[2][4]float64, bmode, cols int) {
	for r := range rows {
		putRowAVX2F64(c, archsimd.LoadFloat64x4(&acc[2*r]), archsimd.LoadFloat64x4(&acc[2*r+1]), ab, bmode, cols)
		c = unsafe.Add(c, ldc)
	}
	archsimd.ClearAVXUpperBits()
}
