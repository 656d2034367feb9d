package sim

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// The coupling product J·φ of one step, rec ← P·Jᵀ (docs/science.md §1.1), on one of these
// paths:
//
//	float64 J (the default)  gonum's Dgemv/Dgemm: the results of every earlier version;
//	float32 state (Float32)  gonum's Sgemv/Sgemm;
//	float32 J, float64 state (Coupling32)
//	                         matvec32: J rounded once to float32 (half the memory traffic
//	                         of the memory-bound product), each element widened to float64
//	                         and accumulated in float64; with GOEXPERIMENT=simd on an AVX2
//	                         CPU the kernel of product_simd.go, else the pure-Go loop below.
//
// With Threads > 1 and R = 1 the rows of J are cut into Threads contiguous blocks, each a
// multiple of 4 rows except the last, computed by one goroutine each. gonum's GemvN kernel
// computes rows in blocks of 4 with the same operations for every block, and matvec32
// computes every row with the same operations, so every thread count gives the same bits.

// matvec32Kernel computes y_i = Σ_j float64(a_ij)·x_j for the rows of the row-major matrix a
// (len(y) rows of len(x) columns, leading dimension lda). It is replaced by the AVX2 kernel
// in builds with GOEXPERIMENT=simd on CPUs with AVX2 and FMA (product_simd.go).
var matvec32Kernel = matvec32Go

// Matvec32Path names the matvec32 kernel in use: "avx2" or "go".
var Matvec32Path = "go"

// matvec32Go is the pure-Go matvec32: per row, four partial sums over the columns j ≡ l
// (mod 4), added as (s₀ + s₁) + (s₂ + s₃), then the last len(x) mod 4 columns in order.
func matvec32Go(y []float64, a []float32, lda int, x []float64) {
	n := len(x)
	n4 := n &^ 3
	for i := range y {
		row := a[i*lda : i*lda+n]
		var s0, s1, s2, s3 float64
		for j := 0; j < n4; j += 4 {
			s0 += float64(row[j]) * x[j]
			s1 += float64(row[j+1]) * x[j+1]
			s2 += float64(row[j+2]) * x[j+2]
			s3 += float64(row[j+3]) * x[j+3]
		}
		s := (s0 + s1) + (s2 + s3)
		for j := n4; j < n; j++ {
			s += float64(row[j]) * x[j]
		}
		y[i] = s
	}
}

// product is the coupling product of one simulation: rec ← P·Jᵀ for the R×N state P.
type product[T float32 | float64] struct {
	R, n, threads int
	j             []T       // J in the precision of the state (nil with j32)
	j32           []float32 // J rounded to float32 (Coupling32)
}

func (pr *product[T]) apply(p, rec []T) {
	if pr.R > 1 && pr.j32 == nil {
		gemm(pr.R, pr.n, p, pr.j, rec)
		return
	}
	for r := 0; r < pr.R; r++ {
		pr.rows(p[r*pr.n:(r+1)*pr.n], rec[r*pr.n:(r+1)*pr.n])
	}
}

// rows computes rec ← J·p for one realization, on pr.threads goroutines.
func (pr *product[T]) rows(p, rec []T) {
	n := pr.n
	if pr.threads <= 1 {
		pr.block(0, n, p, rec)
		return
	}
	block := ((n+pr.threads-1)/pr.threads + 3) &^ 3
	var wg sync.WaitGroup
	for i0 := block; i0 < n; i0 += block {
		wg.Add(1)
		go func(i0 int) {
			defer wg.Done()
			pr.block(i0, min(i0+block, n), p, rec)
		}(i0)
	}
	pr.block(0, min(block, n), p, rec)
	wg.Wait()
}

// block computes rows i0 … i1−1 of J·p.
func (pr *product[T]) block(i0, i1 int, p, rec []T) {
	n := pr.n
	if pr.j32 != nil {
		matvec32Kernel(any(rec[i0:i1]).([]float64), pr.j32[i0*n:], n, any(p).([]float64))
		return
	}
	switch p := any(p).(type) {
	case []float64:
		blas64.Implementation().Dgemv(blas.NoTrans, i1-i0, n, 1, any(pr.j).([]float64)[i0*n:], n, p, 1, 0, any(rec).([]float64)[i0:], 1)
	case []float32:
		blas32.Implementation().Sgemv(blas.NoTrans, i1-i0, n, 1, any(pr.j).([]float32)[i0*n:], n, p, 1, 0, any(rec).([]float32)[i0:], 1)
	}
}
