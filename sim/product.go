package sim

import (
	"math"
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
//	                         cols32: Jᵀ rounded once to float32 (half the bytes of the
//	                         memory-bound product), and only the columns j of the units
//	                         with φ_j ≠ 0 are read (for ReLU the active fraction χ of
//	                         them): (J·φ)_i = Σ_{j: φ_j ≠ 0} float64(J_ij)·φ_j, accumulated
//	                         in float64 with one fused multiply-add per term in the order
//	                         of j. Leaving out the terms with φ_j = 0 changes nothing (they
//	                         add ±0), so this is the sequential sum over all j, and every
//	                         build gives the same bits: the AVX2 kernel of product_simd.go
//	                         (GOEXPERIMENT=simd on a CPU with AVX2 and FMA) and the
//	                         pure-Go loop (math.FMA) below.
//
// With Threads > 1 the rows of J are cut into Threads contiguous blocks, each a multiple of
// 8 rows except the last, computed by one goroutine each. gonum's GemvN kernel computes
// rows in blocks of 4 with the same operations for every block, and cols32 computes every
// row with the same operations, so every thread count gives the same bits.

// cols32Kernel computes y_i = Σ_k float64(at[idx_k·lda + i])·v_k for i < len(y), a fused
// multiply-add per term in the order k = 0, 1, …, from y_i = 0. It is replaced by the AVX2
// kernel in builds with GOEXPERIMENT=simd on CPUs with AVX2 and FMA (product_simd.go);
// both give the same bits.
var cols32Kernel = cols32Go

// Cols32Path names the Coupling32 kernel in use: "avx2" or "go".
var Cols32Path = "go"

func cols32Go(y []float64, at []float32, lda int, idx []int32, v []float64) {
	clear(y)
	m := len(y)
	for k, j := range idx {
		col := at[int(j)*lda : int(j)*lda+m]
		a := v[k]
		for i, c := range col {
			y[i] = math.FMA(float64(c), a, y[i])
		}
	}
}

// product is the coupling product of one simulation: rec ← P·Jᵀ for the R×N state P.
type product[T float32 | float64] struct {
	R, n, threads int
	j             []T       // J in the precision of the state (nil with jt32)
	jt32          []float32 // Jᵀ rounded to float32 (Coupling32), row j = column j of J
	idx           []int32   // the units j with φ_j ≠ 0 (Coupling32)
	val           []float64 // their φ_j
}

func (pr *product[T]) apply(p, rec []T) {
	if pr.R > 1 && pr.jt32 == nil {
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
	if pr.jt32 != nil {
		pr.idx, pr.val = pr.idx[:0], pr.val[:0]
		for j, v := range any(p).([]float64) {
			if v != 0 {
				pr.idx, pr.val = append(pr.idx, int32(j)), append(pr.val, v)
			}
		}
	}
	if pr.threads <= 1 {
		pr.block(0, n, p, rec)
		return
	}
	block := ((n+pr.threads-1)/pr.threads + 7) &^ 7
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
	if pr.jt32 != nil {
		cols32Kernel(any(rec[i0:i1]).([]float64), pr.jt32[i0:], n, pr.idx, pr.val)
		return
	}
	switch p := any(p).(type) {
	case []float64:
		blas64.Implementation().Dgemv(blas.NoTrans, i1-i0, n, 1, any(pr.j).([]float64)[i0*n:], n, p, 1, 0, any(rec).([]float64)[i0:], 1)
	case []float32:
		blas32.Implementation().Sgemv(blas.NoTrans, i1-i0, n, 1, any(pr.j).([]float32)[i0*n:], n, p, 1, 0, any(rec).([]float32)[i0:], 1)
	}
}

// transposed32 returns Jᵀ (n×n, row-major, packed) rounded to float32.
func transposed32(data []float64, stride, n int) []float32 {
	out := make([]float32, n*n)
	for i := 0; i < n; i++ {
		for j, v := range data[i*stride : i*stride+n] {
			out[j*n+i] = float32(v)
		}
	}
	return out
}
