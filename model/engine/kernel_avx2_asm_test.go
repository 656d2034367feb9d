//go:build goexperiment.simd && amd64

package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"simd/archsimd"
	"testing"
	"unsafe"
)

// TestAVX2AsmMatchesArchsimd: the assembly micro-kernels of the AVX2 path (5, 4 and 3 rows)
// give the bits of the archsimd micro-kernels they replace, for both operand forms of op(A)
// (rows strided or adjacent), every stored row count, stored column counts from one to
// the whole panel, every β mode and inner lengths 0, 1, odd, one
// chunk and beyond, in both dtypes.
func TestAVX2AsmMatchesArchsimd(t *testing.T) {
	if !archsimd.X86.AVX2() || !archsimd.X86.FMA() {
		t.Skip("the CPU has no AVX2 with FMA: the assembly kernels are never selected here")
	}
	t.Run("float32", func(t *testing.T) {
		testAsmKernels[float32, [2][8]float32](t, kern4x2AVX2F32, kern4x2GoAVX2F32, kern3x2AVX2F32, kern3x2GoAVX2F32, kern5x2AVX2F32, kern5x2GoAVX2F32, 8)
	})
	t.Run("float64", func(t *testing.T) {
		testAsmKernels[float64, [2][4]float64](t, kern4x2AVX2F64, kern4x2GoAVX2F64, kern3x2AVX2F64, kern3x2GoAVX2F64, kern5x2AVX2F64, kern5x2GoAVX2F64, 4)
	})
}

type kern4Func[T float32 | float64, AB any] func(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, mr int, ab *AB, bmode int, cols int)
type kern3Func[T float32 | float64, AB any] func(k int, a unsafe.Pointer, ars, als uintptr, b unsafe.Pointer, ldb uintptr, c unsafe.Pointer, ldc uintptr, ab *AB, bmode int, cols int)

func testAsmKernels[T float32 | float64, AB [2][8]float32 | [2][4]float64](t *testing.T, asm4, go4 kern4Func[T, AB], asm3, go3, asm5, go5 kern3Func[T, AB], lanes int) {
	rng := rand.New(rand.NewPCG(5, 7))
	es := unsafe.Sizeof(T(0))
	nr := 2 * lanes
	for _, k := range []int{0, 1, 7, 128, 131} {
		for _, transA := range []bool{false, true} {
			for bmode := range 3 {
				for mr := 1; mr <= 5; mr++ {
					for _, cols := range []int{nr, nr - 1, lanes, 1} { // stored columns
						// op(A) is 5×k; stored 5×lda (rows strided) or k×lda (transA, rows adjacent).
						lda := k + 3
						if transA {
							lda = 5 + 2
						}
						a := make([]T, 5*lda+k*lda+1)
						b := make([]T, (k+1)*(nr+5))
						for i := range a {
							a[i] = T(rng.NormFloat64())
						}
						for i := range b {
							b[i] = T(rng.NormFloat64())
						}
						ldb, ldc := nr+5, nr+3
						c0 := make([]T, 5*ldc)
						for i := range c0 {
							c0[i] = T(rng.NormFloat64())
						}
						ars, als := uintptr(lda)*es, es
						if transA {
							ars, als = es, uintptr(lda)*es
						}
						var ab AB
						setAB(&ab, T(rng.NormFloat64()), T(rng.NormFloat64()))
						got, want := append([]T(nil), c0...), append([]T(nil), c0...)
						pa, pb := unsafe.Pointer(&a[0]), unsafe.Pointer(&b[0])
						if mr <= 4 {
							asm4(k, pa, ars, als, pb, uintptr(ldb)*es, unsafe.Pointer(&got[0]), uintptr(ldc)*es, mr, &ab, bmode, cols)
							go4(k, pa, ars, als, pb, uintptr(ldb)*es, unsafe.Pointer(&want[0]), uintptr(ldc)*es, mr, &ab, bmode, cols)
							sameKernelBits(t, "4x2", k, transA, bmode, mr, got, want)
						}
						for _, full := range []struct {
							rows      int
							asm, gold kern3Func[T, AB]
						}{{3, asm3, go3}, {5, asm5, go5}} {
							if mr != full.rows {
								continue
							}
							got, want = append(got[:0], c0...), append(want[:0], c0...)
							full.asm(k, pa, ars, als, pb, uintptr(ldb)*es, unsafe.Pointer(&got[0]), uintptr(ldc)*es, &ab, bmode, cols)
							full.gold(k, pa, ars, als, pb, uintptr(ldb)*es, unsafe.Pointer(&want[0]), uintptr(ldc)*es, &ab, bmode, cols)
							sameKernelBits(t, fmt.Sprintf("%dx2", full.rows), k, transA, bmode, mr, got, want)
						}
					}
				}
			}
		}
	}
}

func setAB[T float32 | float64, AB [2][8]float32 | [2][4]float64](ab *AB, alpha, beta T) {
	switch v := any(ab).(type) {
	case *[2][8]float32:
		for i := range v[0] {
			v[0][i], v[1][i] = float32(alpha), float32(beta)
		}
	case *[2][4]float64:
		for i := range v[0] {
			v[0][i], v[1][i] = float64(alpha), float64(beta)
		}
	}
}

func sameKernelBits[T float32 | float64](t *testing.T, kern string, k int, transA bool, bmode, mr int, got, want []T) {
	t.Helper()
	for i := range got {
		if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) {
			t.Fatalf("%s k=%d transA=%v bmode=%d mr=%d: element %d is %v, archsimd gives %v", kern, k, transA, bmode, mr, i, got[i], want[i])
		}
	}
}
