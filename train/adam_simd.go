//go:build goexperiment.simd && amd64

package train

import (
	"simd/archsimd"
	"unsafe"
)

func init() {
	if archsimd.X86.AVX2() {
		adamF32 = adamAVX2
	}
}

// adamAVX2 is adamLoop for float32 on the first 8·⌊len(p)/8⌋ elements, eight at a time:
// the same multiplications, additions, divisions and square roots in the same order (the
// square root of a float32 rounded once is the float32 of the float64 square root), so the
// same bits (TestAdamSIMDMatchesScalar). A moment that is not finite makes its lane of
// 0·m (or 0·v) NaN, which the sums keep.
func adamAVX2(p, g, m, v []float32, c adamConsts[float32]) (n int, badM, badV bool) {
	n = len(p) &^ 7
	if n == 0 {
		return 0, false, false
	}
	g, m, v = g[:n], m[:n], v[:n]
	b1, ob1 := archsimd.BroadcastFloat32x8(c.b1), archsimd.BroadcastFloat32x8(c.ob1)
	b2, ob2 := archsimd.BroadcastFloat32x8(c.b2), archsimd.BroadcastFloat32x8(c.ob2)
	c1, c2 := archsimd.BroadcastFloat32x8(c.c1), archsimd.BroadcastFloat32x8(c.c2)
	lr, eps := archsimd.BroadcastFloat32x8(c.lr), archsimd.BroadcastFloat32x8(c.eps)
	var zero, sm, sv archsimd.Float32x8
	for i := 0; i < n; i += 8 {
		gi := ld8(g, i)
		mi := b1.Mul(ld8(m, i)).Add(ob1.Mul(gi))
		vi := b2.Mul(ld8(v, i)).Add(ob2.Mul(gi).Mul(gi))
		st8(mi, m, i)
		st8(vi, v, i)
		st8(ld8(p, i).Sub(lr.Mul(mi.Div(c1)).Div(vi.Div(c2).Sqrt().Add(eps))), p, i)
		sm, sv = sm.Add(zero.Mul(mi)), sv.Add(zero.Mul(vi))
	}
	badM, badV = sm.IsNaN().ToBits() != 0, sv.IsNaN().ToBits() != 0
	archsimd.ClearAVXUpperBits() // scalar float code follows
	return n, badM, badV
}

func ld8(s []float32, i int) archsimd.Float32x8 {
	return archsimd.LoadFloat32x8((*[8]float32)(unsafe.Pointer(&s[i])))
}
func st8(v archsimd.Float32x8, s []float32, i int) { v.Store((*[8]float32)(unsafe.Pointer(&s[i]))) }
