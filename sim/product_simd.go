//go:build goexperiment.simd && amd64

package sim

import (
	"math"
	"simd/archsimd"
	"unsafe"
)

// The AVX2 kernel of cols32 (product.go), offered on CPUs with AVX2 and FMA.
func init() {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		cols32Kernel, Cols32Path = cols32AVX2, "avx2"
	}
}

func ld32x4(s []float32, i int) archsimd.Float64x4 {
	return archsimd.LoadFloat32x4((*[4]float32)(unsafe.Pointer(&s[i]))).ConvertToFloat64()
}

func ld64x4(s []float64, i int) archsimd.Float64x4 {
	return archsimd.LoadFloat64x4((*[4]float64)(unsafe.Pointer(&s[i])))
}

func st64x4(v archsimd.Float64x4, s []float64, i int) {
	v.Store((*[4]float64)(unsafe.Pointer(&s[i])))
}

// cols32AVX2 is cols32 with AVX2: four columns at a time (four sequential streams of Jᵀ
// rows), each element of y updated by four fused multiply-adds in the order of the columns
// (y ← J_a·v_a + y, then b, c, d), four elements per vector; the last len(y) mod 4
// elements and the last len(idx) mod 4 columns with math.FMA in the same order. Every
// element of y thus sees the same sequence of correctly rounded fused multiply-adds as in
// cols32Go: the same bits.
func cols32AVX2(y []float64, at []float32, lda int, idx []int32, v []float64) {
	clear(y)
	m := len(y)
	m4 := m &^ 3
	k := 0
	for ; k+4 <= len(idx); k += 4 {
		ca := at[int(idx[k])*lda : int(idx[k])*lda+m]
		cb := at[int(idx[k+1])*lda : int(idx[k+1])*lda+m]
		cc := at[int(idx[k+2])*lda : int(idx[k+2])*lda+m]
		cd := at[int(idx[k+3])*lda : int(idx[k+3])*lda+m]
		va, vb, vc, vd := archsimd.BroadcastFloat64x4(v[k]), archsimd.BroadcastFloat64x4(v[k+1]),
			archsimd.BroadcastFloat64x4(v[k+2]), archsimd.BroadcastFloat64x4(v[k+3])
		for i := 0; i < m4; i += 4 {
			s := ld64x4(y, i)
			s = ld32x4(ca, i).MulAdd(va, s)
			s = ld32x4(cb, i).MulAdd(vb, s)
			s = ld32x4(cc, i).MulAdd(vc, s)
			s = ld32x4(cd, i).MulAdd(vd, s)
			st64x4(s, y, i)
		}
		archsimd.ClearAVXUpperBits() // scalar float code follows
		for i := m4; i < m; i++ {
			s := math.FMA(float64(ca[i]), v[k], y[i])
			s = math.FMA(float64(cb[i]), v[k+1], s)
			s = math.FMA(float64(cc[i]), v[k+2], s)
			y[i] = math.FMA(float64(cd[i]), v[k+3], s)
		}
	}
	for ; k < len(idx); k++ {
		col := at[int(idx[k])*lda : int(idx[k])*lda+m]
		a := v[k]
		va := archsimd.BroadcastFloat64x4(a)
		for i := 0; i < m4; i += 4 {
			st64x4(ld32x4(col, i).MulAdd(va, ld64x4(y, i)), y, i)
		}
		archsimd.ClearAVXUpperBits()
		for i := m4; i < m; i++ {
			y[i] = math.FMA(float64(col[i]), a, y[i])
		}
	}
}
