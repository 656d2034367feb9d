package engine

//go:generate bash ../../scripts/gen-kernels.sh

import (
	"fmt"
	"sync"

	"gonum.org/v1/gonum/blas"
)

// A kernel path is the implementation of the products of the fused op (fusedWork):
//
//	"gonum"     gonum's pure-Go BLAS (blas32/blas64), the fallback on every CPU and build;
//	"openblas"  OpenBLAS, in a build with the openblas tag (the default there on CPUs
//	            without AVX2+FMA, or in a build without the SIMD experiment);
//	"avx2"      the register-blocked AVX2+FMA kernels of kernel_avx2_*.go;
//	"avx512"    the same kernels with AVX-512 vectors (kernel_avx512_*.go).
//
// The SIMD paths exist in builds with GOEXPERIMENT=simd on amd64 (the Makefile's default)
// and are offered only when the CPU has the features (archsimd.X86). The same path gives
// bit-identical results for the same inputs; different paths agree to rounding (their
// sums are accumulated in different orders, with or without fused multiply-adds).
type simdKernel struct {
	name       string
	f32        func(transA bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
	f64        func(transA bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int)
	p32        func(transA bool, m, n, k int, alpha float32, a []float32, lda int, bp []float32, beta float32, c []float32, ldc int)
	p64        func(transA bool, m, n, k int, alpha float64, a []float64, lda int, bp []float64, beta float64, c []float64, ldc int)
	nr32, nr64 int // panel widths of the packed B of p32 and p64 (packB)
}

// packedB, given as tB to the product of a SIMD path, says that b holds op(B) packed by
// packB for that path's panel width (kernelGemm returns it) and ldb is ignored. The fused
// op packs J (and Jᵀ) once per pass for the 2·T step products, and φ(h) once for ∂l/∂J.
const packedB blas.Transpose = 'P'

// packedLen is the number of elements of a k×n matrix packed in panels of nr columns:
// n rounded up to a multiple of nr, times k.
func packedLen(k, n, nr int) int { return (n + nr - 1) / nr * nr * k }

// packB writes op(B), k×n, into dst in panels of nr columns (packedLen(k, n, nr) elements),
// the layout of the packedB products: element (l, j) at (j − j mod nr)·k + l·nr + j mod nr,
// the columns of the last panel beyond n zero. op(B) is B (k×n, leading dimension ldb) or
// with trans Bᵀ (B stored n×k): the fused op packs J as it is and as Jᵀ.
func packB[T float32 | float64](dst, b []T, ldb, k, n, nr int, trans bool) {
	dst = dst[:packedLen(k, n, nr)]
	for j0 := 0; j0 < n; j0 += nr {
		w := min(nr, n-j0)
		panel := dst[j0*k : j0*k+k*nr]
		if trans {
			for c := range w {
				src := b[(j0+c)*ldb : (j0+c)*ldb+k]
				for l, v := range src {
					panel[l*nr+c] = v
				}
			}
		} else {
			for l := range k {
				copy(panel[l*nr:l*nr+w], b[l*ldb+j0:l*ldb+j0+w])
			}
		}
		if w < nr {
			for l := range k {
				clear(panel[l*nr+w : (l+1)*nr])
			}
		}
	}
}

// simdKernels lists the SIMD paths this build offers on this CPU, best first (filled by
// kernel_simd.go in builds with GOEXPERIMENT=simd).
var simdKernels []simdKernel

// KernelPaths returns the kernel paths usable in this build on this CPU, the default first:
// the SIMD paths and then the BLAS (gonum, or OpenBLAS in a build with the openblas tag).
// The SIMD paths come first in the OpenBLAS build too: with their assembly inner loops and
// packed operands they ran the fused op's products faster than OpenBLAS's sgemm at both
// benchmark sizes (model/engine BenchmarkEpoch, float32, one thread: reference setting
// 1.31–1.54 ms against 1.57–1.78, N = 1000 0.69–0.72 s against 0.86–0.91; 2026-12-02), and
// OpenBLAS still computes the products with a transposed B and LAPACK's eigenproblems.
func KernelPaths() []string {
	var paths []string
	for _, k := range simdKernels {
		paths = append(paths, k.name)
	}
	return append(paths, BLASName())
}

// PanelWidth returns the panel width of the packed operands of the default kernel path,
// for float32 elements or float64, or 0 when the default path is a BLAS (which packs
// nothing of the fused op's): with a width w > 0 the fused engine keeps J packed,
// ⌈N/w⌉·w·N elements, and φ(h_0..h_{T−1}) packed, ⌈N/w⌉·w·T·B (for memory estimates).
func PanelWidth(float32 bool) int {
	for _, k := range simdKernels {
		if k.name != KernelName() {
			continue
		}
		if float32 {
			return k.nr32
		}
		return k.nr64
	}
	return 0
}

// KernelName returns the kernel path the fused engine uses by default: the best SIMD path
// of the CPU, else the BLAS (OpenBLAS in a build with the openblas tag, else gonum).
func KernelName() string { return KernelPaths()[0] }

// kernelGemm returns the product of element type T for the named kernel path and, for a
// SIMD path, the panel width nr of its packed B (0 for the BLAS). A SIMD path computes
// C ← α·op(A)·B + β·C (op(A) = A or Aᵀ) itself, with B as it is or packed (tB = packedB),
// and hands products with a transposed B, which the fused op uses only outside its step
// loops, to the BLAS.
func kernelGemm[T float32 | float64](path string) (gemmFunc[T], int, error) {
	if path == BLASName() {
		return gemmFor[T](), 0, nil
	}
	for _, k := range simdKernels {
		if k.name != path {
			continue
		}
		var f any
		nr := k.nr32
		switch any(T(0)).(type) {
		case float32:
			f = simdGemm(k.f32, k.p32, gemmFor[float32]())
		case float64:
			f, nr = simdGemm(k.f64, k.p64, gemmFor[float64]()), k.nr64
		}
		return f.(gemmFunc[T]), nr, nil
	}
	return nil, 0, fmt.Errorf("model: kernel path %q is not available (available: %v)", path, KernelPaths())
}

func simdGemm[T float32 | float64](k func(transA bool, m, n, kk int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int),
	kp func(transA bool, m, n, kk int, alpha T, a []T, lda int, bp []T, beta T, c []T, ldc int), fallback gemmFunc[T]) gemmFunc[T] {
	return func(tA, tB blas.Transpose, m, n, kk int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
		switch tB {
		case blas.NoTrans:
			k(tA != blas.NoTrans, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc)
		case packedB:
			kp(tA != blas.NoTrans, m, n, kk, alpha, a, lda, b, beta, c, ldc)
		default:
			fallback(tA, tB, m, n, kk, alpha, a, lda, b, ldb, beta, c, ldc)
		}
	}
}

// checkGemm panics unless the row-major operands of C ← α·op(A)·B + β·C (op(A) m×k, B k×n,
// C m×n) fit in their slices; the SIMD kernels read and write them without bounds checks.
func checkGemm(transA bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	fits := func(rows, cols, ld, l int) bool {
		return rows == 0 || cols == 0 || (ld >= cols && (rows-1)*ld+cols <= l)
	}
	if m < 0 || n < 0 || k < 0 || !fits(ar, ac, lda, la) || !fits(k, n, ldb, lb) || !fits(m, n, ldc, lc) {
		panic(fmt.Sprintf("model: gemm operands do not fit: transA=%v m=%d n=%d k=%d len(a)=%d lda=%d len(b)=%d ldb=%d len(c)=%d ldc=%d",
			transA, m, n, k, la, lda, lb, ldb, lc, ldc))
	}
}

// scaleRows sets C ← β·C for the m×n matrix C (β = 0 clears it).
func scaleRows[T float32 | float64](m, n int, beta T, c []T, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// rowBlock returns the number of rows of the next row block of a SIMD product when rem
// rows remain: 5 when rem is a multiple of 5 (ten accumulators: B = 10 trials are two
// blocks, N = 1000 two hundred), else 4, or 3 when rem is a multiple of 3 but not of 4
// (6 = 3+3), or rem itself when rem < 3 (computed by a 4-row kernel that stores only rem
// rows). Five rows beat four where both fit (train BenchmarkEpoch/big, 3 interleaved
// rounds: min/median 0.72/0.76 s with four, 0.66/0.71 with five).
func rowBlock(rem int) int {
	switch {
	case rem%5 == 0:
		return 5
	case rem%4 != 0 && rem%3 == 0:
		return 3
	case rem < 3:
		return rem
	}
	return 4
}

// splitColumns returns gemm run on up to threads cores, each computing a contiguous block
// of the columns of C (a multiple of 32 columns, the widest register block of any path),
// for products of at least parallelMin multiply-adds with n ≥ 256; smaller products,
// where handing work to another core costs more than it saves, run on the caller. Every
// element of C is computed by the same arithmetic as without the split, so the results
// do not depend on threads (TestFusedThreadsBitExact). The threads−1 helpers are
// goroutines started here that wait for blocks on a channel (so that a product allocates
// nothing); stop closes the channel and ends them. The returned function must not be
// called from two goroutines at once (a Fused runs one product at a time).
func splitColumns[T float32 | float64](gemm gemmFunc[T], threads int) (split gemmFunc[T], stop func()) {
	if threads <= 1 {
		return gemm, func() {}
	}
	type block struct {
		tA, tB        blas.Transpose
		m, n, k       int
		alpha, beta   T
		a, b, c       []T
		lda, ldb, ldc int
		done          *sync.WaitGroup
	}
	blocks := make(chan block, threads)
	for range threads - 1 {
		go func() {
			for bl := range blocks {
				gemm(bl.tA, bl.tB, bl.m, bl.n, bl.k, bl.alpha, bl.a, bl.lda, bl.b, bl.ldb, bl.beta, bl.c, bl.ldc)
				bl.done.Done()
			}
		}()
	}
	done := new(sync.WaitGroup)
	split = func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
		if n < 256 || m*n*k < parallelMin {
			gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
			return
		}
		width := (n/threads + 31) &^ 31
		j := 0
		for ; j+width < n; j += width {
			bo := j
			switch tB {
			case packedB: // the panels of columns j.. start at j·k (j is a multiple of 32)
				bo = j * k
			case blas.Trans:
				bo = j * ldb
			}
			done.Add(1)
			blocks <- block{tA, tB, m, width, k, alpha, beta, a, b[bo:], c[j:], lda, ldb, ldc, done}
		}
		bo := j
		switch tB {
		case packedB:
			bo = j * k
		case blas.Trans:
			bo = j * ldb
		}
		gemm(tA, tB, m, n-j, k, alpha, a, lda, b[bo:], ldb, beta, c[j:], ldc)
		done.Wait()
	}
	return split, func() { close(blocks) }
}

// parallelMin is the size m·n·k of the smallest product splitColumns spreads over
// goroutines: about 50 µs of work on one core, against a few µs to start and wait.
const parallelMin = 1 << 20
