//go:build goexperiment.simd && amd64

package engine

import (
	"simd/archsimd"
	"unsafe"
)

// The element-wise updates of the fused op for relu in float32 (the default), with AVX2:
// the same operations in the same order as the scalar loops of phiStep and reluDeriv
// (multiplications and additions, no fused multiply-add), so they give the same bits
// except in lanes holding a NaN state (where the scalar relu′ mask keeps the sign of the
// NaN and this one does not; such a run has already diverged).
func init() {
	if archsimd.X86.AVX2() {
		reluStepF32, reluDerivF32 = reluStepAVX2, reluDerivAVX2
	}
}

func ld8(s []float32, i int) archsimd.Float32x8 {
	return archsimd.LoadFloat32x8((*[8]float32)(unsafe.Pointer(&s[i])))
}
func st8(v archsimd.Float32x8, s []float32, i int) { v.Store((*[8]float32)(unsafe.Pointer(&s[i]))) }

// reluStepAVX2 is phiStep for relu on the first 8·⌊len(h)/8⌋ elements, p = max(h, 0) and
// next += keep·h + z, and returns how many it did.
func reluStepAVX2(p, h, next, z []float32, keep float32) int {
	n := len(h) &^ 7
	p, next, z = p[:n], next[:n], z[:n]
	vk := archsimd.BroadcastFloat32x8(keep)
	var zero archsimd.Float32x8
	for i := 0; i < n; i += 8 {
		v := ld8(h, i)
		st8(v.Masked(v.Greater(zero).Or(v.IsNaN())), p, i) // Go's max(v, 0): NaN stays NaN
		st8(ld8(next, i).Add(vk.Mul(v).Add(ld8(z, i))), next, i)
	}
	archsimd.ClearAVXUpperBits() // scalar float code follows (see kcAVX2F32)
	return n
}

// reluDerivAVX2 is reluDeriv on the first 8·⌊len(h)/8⌋ elements,
// blk ← step(h) ⊙ blk + keep·later + reg·h, and returns how many it did.
func reluDerivAVX2(blk, h, later []float32, keep, reg float32) int {
	n := len(h) &^ 7
	blk, later = blk[:n], later[:n]
	vk, vr := archsimd.BroadcastFloat32x8(keep), archsimd.BroadcastFloat32x8(reg)
	var zero archsimd.Float32x8
	for i := 0; i < n; i += 8 {
		v := ld8(h, i)
		b := ld8(blk, i).Masked(v.Greater(zero))
		st8(b.Add(vk.Mul(ld8(later, i))).Add(vr.Mul(v)), blk, i)
	}
	archsimd.ClearAVXUpperBits()
	return n
}
