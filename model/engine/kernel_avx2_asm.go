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

// kern5x2AVX2F32 is the micro-kernel of gemmAVX2F32 for a full 5 × 2·8 block.
func kern5x2AVX2F32(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, ab *[2][8]float32, bmode int, cols int) {
	var acc [10][8]float32
	microkernel.Acc5x2F32(k, a, unsafe.Add(a, ars), unsafe.Add(a, 2*ars), unsafe.Add(a, 3*ars), unsafe.Add(a, 4*ars), als, b, ldb, &acc, c, ldc)
	for r := range 5 {
		putRowAVX2F32(c, archsimd.LoadFloat32x8(&acc[2*r]), archsimd.LoadFloat32x8(&acc[2*r+1]), ab, bmode, cols)
		c = unsafe.Add(c, ldc)
	}
	archsimd.ClearAVXUpperBits()
}

// kern5x2AVX2F64 is the micro-kernel of gemmAVX2F64 for a full 5 × 2·4 block.
func kern5x2AVX2F64(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, ab *[2][4]float64, bmode int, cols int) {
	var acc [10][4]float64
	microkernel.Acc5x2F64(k, a, unsafe.Add(a, ars), unsafe.Add(a, 2*ars), unsafe.Add(a, 3*ars), unsafe.Add(a, 4*ars), als, b, ldb, &acc, c, ldc)
	for r := range 5 {
		putRowAVX2F64(c, archsimd.LoadFloat64x4(&acc[2*r]), archsimd.LoadFloat64x4(&acc[2*r+1]), ab, bmode, cols)
		c = unsafe.Add(c, ldc)
	}
	archsimd.ClearAVXUpperBits()
}

// kern4x2AVX2F32 is the micro-kernel of gemmAVX2F32 for a 4 × 2·8 block (mr ≤ 4 rows
// stored; the last valid row of op(A) stands in for the others).
func kern4x2AVX2F32(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, mr int, ab *[2][8]float32, bmode int, cols int) {
	a0, a1, a2, a3 := rowsAVX2F32(a, ars, mr)
	var acc [8][8]float32
	microkernel.Acc4x2F32(k, a0, a1, a2, a3, als, b, ldb, &acc, c, ldc)
	for r := range mr {
		putRowAVX2F32(c, archsimd.LoadFloat32x8(&acc[2*r]), archsimd.LoadFloat32x8(&acc[2*r+1]), ab, bmode, cols)
		c = unsafe.Add(c, ldc)
	}
	archsimd.ClearAVXUpperBits()
}

// kern3x2AVX2F32 is the micro-kernel of gemmAVX2F32 for a full 3 × 2·8 block.
func kern3x2AVX2F32(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, ab *[2][8]float32, bmode int, cols int) {
	var acc [6][8]float32
	microkernel.Acc3x2F32(k, a, unsafe.Add(a, ars), unsafe.Add(a, 2*ars), als, b, ldb, &acc, c, ldc)
	for r := range 3 {
		putRowAVX2F32(c, archsimd.LoadFloat32x8(&acc[2*r]), archsimd.LoadFloat32x8(&acc[2*r+1]), ab, bmode, cols)
		c = unsafe.Add(c, ldc)
	}
	archsimd.ClearAVXUpperBits()
}

// kern4x2AVX2F64 is the micro-kernel of gemmAVX2F64 for a 4 × 2·4 block (mr ≤ 4 rows
// stored).
func kern4x2AVX2F64(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, mr int, ab *[2][4]float64, bmode int, cols int) {
	a0, a1, a2, a3 := rowsAVX2F64(a, ars, mr)
	var acc [8][4]float64
	microkernel.Acc4x2F64(k, a0, a1, a2, a3, als, b, ldb, &acc, c, ldc)
	for r := range mr {
		putRowAVX2F64(c, archsimd.LoadFloat64x4(&acc[2*r]), archsimd.LoadFloat64x4(&acc[2*r+1]), ab, bmode, cols)
		c = unsafe.Add(c, ldc)
	}
	archsimd.ClearAVXUpperBits()
}

// kern3x2AVX2F64 is the micro-kernel of gemmAVX2F64 for a full 3 × 2·4 block.
func kern3x2AVX2F64(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, ab *[2][4]float64, bmode int, cols int) {
	var acc [6][4]float64
	microkernel.Acc3x2F64(k, a, unsafe.Add(a, ars), unsafe.Add(a, 2*ars), als, b, ldb, &acc, c, ldc)
	for r := range 3 {
		putRowAVX2F64(c, archsimd.LoadFloat64x4(&acc[2*r]), archsimd.LoadFloat64x4(&acc[2*r+1]), ab, bmode, cols)
		c = unsafe.Add(c, ldc)
	}
	archsimd.ClearAVXUpperBits()
}
