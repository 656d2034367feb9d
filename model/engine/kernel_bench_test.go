package engine

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// BenchmarkKernel times the fused op's products on every kernel path, float32, in the forms
// the fused engine runs them with a SIMD path: the step product C(B×N) += A(B×N)·J (NN)
// and the accumulation ∂l/∂J = δᵀ·φ(h) over T·B rows (TN), at the reference setting
// (B = 10, N = 100, T·B = 500) and at N = 1000 (T·B = 1000 here, a fifth of T = 500, to
// keep the benchmark short). It reports GFLOP/s (2·m·n·k per product).
func BenchmarkKernel(b *testing.B) {
	shapes := []struct {
		name    string
		tA      blas.Transpose
		m, n, k int
	}{
		{"step_10x100x100", blas.NoTrans, 10, 100, 100},
		{"dJ_100x100x500", blas.Trans, 100, 100, 500},
		{"step_10x1000x1000", blas.NoTrans, 10, 1000, 1000},
		{"dJ_1000x1000x1000", blas.Trans, 1000, 1000, 1000},
	}
	for _, sh := range shapes {
		for _, path := range KernelPaths() {
			b.Run(fmt.Sprintf("%s/%s", sh.name, path), func(b *testing.B) {
				g, nr, err := kernelGemm[float32](path)
				simd := nr > 0
				if err != nil {
					b.Fatal(err)
				}
				a, bb, c := make([]float32, sh.m*sh.k), make([]float32, sh.k*sh.n), make([]float32, sh.m*sh.n)
				for i := range a {
					a[i] = float32(i%7) - 3
				}
				for i := range bb {
					bb[i] = float32(i%5) - 2
				}
				tA, lda := sh.tA, sh.k
				if tA == blas.Trans {
					lda = sh.m
				}
				if !simd && tA == blas.Trans {
					// The gonum path runs ∂l/∂J in its dot-product form δᵀ·φ(h)ᵀᵀ (C = A·Bᵀ).
					tA = blas.NoTrans
					g2 := g
					g = func(_, _ blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
						g2(blas.NoTrans, blas.Trans, m, n, k, alpha, a, k, b, k, beta, c, ldc)
					}
				}
				b.ReportAllocs()
				for b.Loop() {
					g(tA, blas.NoTrans, sh.m, sh.n, sh.k, 1, a, lda, bb, sh.n, 1, c, sh.n)
				}
				b.ReportMetric(2*float64(sh.m*sh.n*sh.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
