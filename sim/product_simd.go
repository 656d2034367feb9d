//go:build goexperiment.simd && amd64

package sim

import (
	"simd/archsimd"
	"unsafe"
)

// The AVX2 kernel of matvec32 (product.go), offered on CPUs with AVX2 and FMA.
func init() {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		matvec32Kernel, Matvec32Path = matvec32AVX2, "avx2"
	}
}

func ld32x4(s []float32, i int) archsimd.Float64x4 {
	return archsimd.LoadFloat32x4((*[4]float32)(unsafe.Pointer(&s[i]))).ConvertToFloat64()
}

func ld64x4(s []float64, i int) archsimd.Float64x4 {
	return archsimd.LoadFloat64x4((*[4]float64)(unsafe.Pointer(&s[i])))
}

// matvec32AVX2 is matvec32 with AVX2: per row, two vector partial sums acc₀ (columns
// 8m … 8m+3) and acc₁ (8m+4 … 8m+7), each updated with a fused multiply-add of the widened
// float32 couplings and the float64 state, then a = acc₀ + acc₁, s = (a₀ + a₁) + (a₂ + a₃),
// then the last len(x) mod 8 columns in order (multiply, add). Rows are taken four at a time
// (one load of x for four rows) and then one at a time, with the same operations for every
// row, so the result of a row does not depend on which rows are computed with it.
func matvec32AVX2(y []float64, a []float32, lda int, x []float64) {
	n := len(x)
	n8 := n &^ 7
	m := len(y)
	i := 0
	var t [4][4]float64
	for ; i+4 <= m; i += 4 {
		r0, r1, r2, r3 := a[i*lda:i*lda+n], a[(i+1)*lda:(i+1)*lda+n], a[(i+2)*lda:(i+2)*lda+n], a[(i+3)*lda:(i+3)*lda+n]
		var a00, a01, a10, a11, a20, a21, a30, a31 archsimd.Float64x4
		for j := 0; j < n8; j += 8 {
			x0, x1 := ld64x4(x, j), ld64x4(x, j+4)
			a00 = ld32x4(r0, j).MulAdd(x0, a00)
			a01 = ld32x4(r0, j+4).MulAdd(x1, a01)
			a10 = ld32x4(r1, j).MulAdd(x0, a10)
			a11 = ld32x4(r1, j+4).MulAdd(x1, a11)
			a20 = ld32x4(r2, j).MulAdd(x0, a20)
			a21 = ld32x4(r2, j+4).MulAdd(x1, a21)
			a30 = ld32x4(r3, j).MulAdd(x0, a30)
			a31 = ld32x4(r3, j+4).MulAdd(x1, a31)
		}
		a00.Add(a01).Store(&t[0])
		a10.Add(a11).Store(&t[1])
		a20.Add(a21).Store(&t[2])
		a30.Add(a31).Store(&t[3])
		archsimd.ClearAVXUpperBits() // scalar float code follows
		for k, row := range [4][]float32{r0, r1, r2, r3} {
			s := (t[k][0] + t[k][1]) + (t[k][2] + t[k][3])
			for j := n8; j < n; j++ {
				s += float64(row[j]) * x[j]
			}
			y[i+k] = s
		}
	}
	for ; i < m; i++ {
		row := a[i*lda : i*lda+n]
		var a0, a1 archsimd.Float64x4
		for j := 0; j < n8; j += 8 {
			a0 = ld32x4(row, j).MulAdd(ld64x4(x, j), a0)
			a1 = ld32x4(row, j+4).MulAdd(ld64x4(x, j+4), a1)
		}
		a0.Add(a1).Store(&t[0])
		archsimd.ClearAVXUpperBits()
		s := (t[0][0] + t[0][1]) + (t[0][2] + t[0][3])
		for j := n8; j < n; j++ {
			s += float64(row[j]) * x[j]
		}
		y[i] = s
	}
}
