package engine

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// gemmFunc is a row-major general matrix product C ← α·op(A)·op(B) + β·C of element type T,
// with the argument order of blas.Float32.Sgemm and blas.Float64.Dgemm.
type gemmFunc[T float32 | float64] func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

// gemmFor returns the product for T: sgemm for float32, dgemm for float64.
func gemmFor[T float32 | float64]() gemmFunc[T] {
	var f any
	switch any(T(0)).(type) {
	case float32:
		f = gemmFunc[float32](sgemm)
	case float64:
		f = gemmFunc[float64](dgemm)
	}
	return f.(gemmFunc[T])
}

// Serial tiling of gonum's native products. gonum's Gemm splits a product into 64×64
// blocks of C and runs them on runtime.GOMAXPROCS goroutines as soon as C has at least
// 4 such blocks; at the sizes of an unrolled step (C is B×N with B ≈ 10) the goroutines
// cost more than they save, and a training must stay on one core so that several can run
// side by side. Products whose C spans fewer than 4 blocks run serially inside gonum, so
// larger products are cut here into tiles of at most tileM×tileN = 64×192 (1×3 blocks).
// (Cutting the inner dimension too, for cache locality, was measured slower.) Other
// implementations (OpenBLAS through gonum.org/v1/netlib) get the whole product.
const (
	gonumBlock = 64
	tileM      = gonumBlock
	tileN      = 3 * gonumBlock
)

func gonumSerial(m, n int) bool {
	blocks := func(d int) int { return (d + gonumBlock - 1) / gonumBlock }
	return blocks(m)*blocks(n) < 4
}

func sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	impl := blas32.Implementation()
	if _, native := impl.(gonum.Implementation); !native || gonumSerial(m, n) {
		impl.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	for i := 0; i < m; i += tileM {
		for j := 0; j < n; j += tileN {
			ao, bo := tileOffsets(tA, tB, i, j, lda, ldb)
			impl.Sgemm(tA, tB, min(tileM, m-i), min(tileN, n-j), k, alpha, a[ao:], lda, b[bo:], ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}

func dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	impl := blas64.Implementation()
	if _, native := impl.(gonum.Implementation); !native || gonumSerial(m, n) {
		impl.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	for i := 0; i < m; i += tileM {
		for j := 0; j < n; j += tileN {
			ao, bo := tileOffsets(tA, tB, i, j, lda, ldb)
			impl.Dgemm(tA, tB, min(tileM, m-i), min(tileN, n-j), k, alpha, a[ao:], lda, b[bo:], ldb, beta, c[i*ldc+j:], ldc)
		}
	}
}

// tileOffsets returns the offsets of op(A)[i, 0] in a and of op(B)[0, j] in b.
func tileOffsets(tA, tB blas.Transpose, i, j, lda, ldb int) (ao, bo int) {
	ao, bo = i*lda, j
	if tA != blas.NoTrans {
		ao = i
	}
	if tB != blas.NoTrans {
		bo = j * ldb
	}
	return ao, bo
}

// BLASName names the BLAS implementation that gonum's blas32 and blas64 (and so the fused
// engine) use: "gonum" for the pure-Go default, "openblas" in a build with the openblas tag.
func BLASName() string {
	switch blas32.Implementation().(type) {
	case gonum.Implementation:
		return "gonum"
	}
	if openblasName != "" {
		return openblasName
	}
	return fmt.Sprintf("%T", blas32.Implementation())
}

// openblasName is set by blas_openblas.go in builds with the openblas tag.
var openblasName string
