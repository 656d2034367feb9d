package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// naiveGemm is the definition C ← α·op(A)·op(B) + β·C, row-major.
func naiveGemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for l := 0; l < k; l++ {
				ia, ib := i*lda+l, l*ldb+j
				if tA != blas.NoTrans {
					ia = l*lda + i
				}
				if tB != blas.NoTrans {
					ib = j*ldb + l
				}
				x, y := a[ia], b[ib]
				s += x * y
			}
			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
		}
	}
}

// TestGemmTiles: the serial tiling of gonum's products (sgemm, dgemm) equals the
// definition for shapes that cross the tile boundaries (tileM = 64, tileN = 192), every
// combination of transposes, β ≠ 0 and leading dimensions larger than the rows. Tolerances
// are rounding of sums of k ≤ 70 products of O(1) terms: 1e-12 in float64, 1e-4 in float32.
func TestGemmTiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 1))
	trans := []blas.Transpose{blas.NoTrans, blas.Trans}
	for _, sz := range []struct{ m, n, k int }{{10, 400, 70}, {130, 200, 9}, {65, 193, 64}, {3, 5, 7}} {
		for _, tA := range trans {
			for _, tB := range trans {
				name := fmt.Sprintf("m=%d/n=%d/k=%d/%c%c", sz.m, sz.n, sz.k, tA, tB)
				t.Run(name, func(t *testing.T) {
					m, n, k := sz.m, sz.n, sz.k
					ar, ac := m, k
					if tA != blas.NoTrans {
						ar, ac = k, m
					}
					br, bc := k, n
					if tB != blas.NoTrans {
						br, bc = n, k
					}
					lda, ldb, ldc := ac+3, bc+1, n+2
					a, b, c := randSlice(rng, ar*lda), randSlice(rng, br*ldb), randSlice(rng, m*ldc)
					want := append([]float64(nil), c...)
					naiveGemm(tA, tB, m, n, k, 0.7, a, lda, b, ldb, 0.3, want, ldc)

					got := append([]float64(nil), c...)
					dgemm(tA, tB, m, n, k, 0.7, a, lda, b, ldb, 0.3, got, ldc)
					compareSlices(t, "dgemm", got, want, 1e-12)

					a32, b32, c32 := toF32(a), toF32(b), toF32(c)
					sgemm(tA, tB, m, n, k, 0.7, a32, lda, b32, ldb, 0.3, c32, ldc)
					got32 := make([]float64, len(c32))
					for i, v := range c32 {
						got32[i] = float64(v)
					}
					compareSlices(t, "sgemm", got32, want, 1e-4)
				})
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func toF32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

func compareSlices(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			t.Errorf("%s: element %d: got %.12g, want %.12g", name, i, got[i], want[i])
			return
		}
	}
}
