package engine

import (
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// tripleLoop is the plain triple loop C ← α·op(A)·B + β·C in float64, the reference of the
// kernel tests.
func tripleLoop[T float32 | float64](transA bool, m, n, k int, alpha float64, a []T, lda int, b []T, ldb int, beta float64, c []T, ldc int) []float64 {
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for l := 0; l < k; l++ {
				ail := opA(transA, a, lda, i, l)
				s += float64(ail) * float64(b[l*ldb+j])
			}
			v := alpha * s
			if beta != 0 {
				v += beta * float64(c[i*ldc+j])
			}
			out[i*n+j] = v
		}
	}
	return out
}

// opA is element (i, l) of op(A): A[i, l], or A[l, i] with transA.
func opA[T float32 | float64](transA bool, a []T, lda, i, l int) T {
	if transA {
		return a[l*lda+i]
	}
	return a[i*lda+l]
}

// kernelSizes are the shapes of the kernel tests: 1×1×1, B = 1, n below, at and beyond
// multiples of every vector width (4, 8, 16 lanes) and of the 2-vector blocks, m below, at
// and beyond multiples of the 5-row blocks, k beyond the inner chunk (128), and the shapes
// of the fused op at the reference setting (10×100·100×100 and 100×100 over 500 rows).
var kernelSizes = [][3]int{
	{1, 1, 1}, {1, 7, 3}, {1, 100, 100}, {2, 3, 1}, {3, 4, 5}, {4, 8, 2}, {5, 9, 7}, {6, 15, 16},
	{7, 16, 1}, {9, 17, 33}, {10, 31, 129}, {10, 32, 64}, {11, 33, 5}, {13, 47, 300},
	{10, 100, 100}, {100, 100, 500}, {16, 64, 257}, {41, 21, 1}, {500, 100, 1},
}

// productCase is one product of the kernel tests: a size of kernelSizes, a form of op(A) and
// a β, with random standard-normal operands in padded storage (A ar×(ac+1) for op(A) m×k,
// B k×(n+3), C m×(n+2) plus five elements), and the generator that filled them.
type productCase[T float32 | float64] struct {
	m, n, k       int
	transA        bool
	beta          float64
	a, b, c       []T
	lda, ldb, ldc int
	fill          func([]T)
}

// productCases yields every product case, β ∈ {0, 1, 0.5}, from the PCG seed (s1, s2).
func productCases[T float32 | float64](s1, s2 uint64) iter.Seq[productCase[T]] {
	return func(yield func(productCase[T]) bool) {
		rng := rand.New(rand.NewPCG(s1, s2))
		fill := func(x []T) {
			for i := range x {
				x[i] = T(rng.NormFloat64())
			}
		}
		for _, sz := range kernelSizes {
			m, n, k := sz[0], sz[1], sz[2]
			for _, transA := range []bool{false, true} {
				for _, beta := range []float64{0, 1, 0.5} {
					ar, ac := m, k
					if transA {
						ar, ac = k, m
					}
					kc := productCase[T]{m: m, n: n, k: k, transA: transA, beta: beta, lda: ac + 1, ldb: n + 3, ldc: n + 2, fill: fill}
					kc.a, kc.b, kc.c = make([]T, ar*kc.lda), make([]T, k*kc.ldb), make([]T, m*kc.ldc+5)
					fill(kc.a)
					fill(kc.b)
					fill(kc.c)
					if !yield(kc) {
						return
					}
				}
			}
		}
	}
}

func TestSIMDKernelsMatchTripleLoop(t *testing.T) {
	if len(simdKernels) == 0 {
		t.Logf("no SIMD kernel path in this build or on this CPU (paths: %v); the test checks nothing else", KernelPaths())
	}
	for _, kern := range simdKernels {
		t.Run(kern.name+"/float32", func(t *testing.T) { testKernel(t, kern.f32, 1e-6) })
		t.Run(kern.name+"/float64", func(t *testing.T) { testKernel(t, kern.f64, 1e-14) })
	}
}

// testKernel checks one kernel against tripleLoop for every size, both forms of op(A),
// β ∈ {0, 1, 0.5}, padded leading dimensions, and that nothing outside C changes.
// The tolerance: the sum of k products with |terms| ≤ Σ|a||b| carries a rounding error of
// at most k·ε·Σ|a_il||b_lj| (ε the unit roundoff, 6e-8 in float32, 1.1e-16 in float64); the
// test bounds the error by tol·(k+1)·(Σ|a||b| + |β·c|) with tol ≈ 16ε, a margin over the
// k·ε worst case that the tests' random operands never approach.
func testKernel[T float32 | float64](t *testing.T, kern func(bool, int, int, int, T, []T, int, []T, int, T, []T, int), tol float64) {
	for kc := range productCases[T](3, 4) {
		m, n, k, transA, beta := kc.m, kc.n, kc.k, kc.transA, kc.beta
		a, b, c, lda, ldb, ldc := kc.a, kc.b, kc.c, kc.lda, kc.ldb, kc.ldc
		name := fmt.Sprintf("m%d_n%d_k%d_transA%v_beta%v", m, n, k, transA, beta)
		if beta == 0 {
			for i := range c {
				if i%3 == 0 {
					c[i] = T(math.NaN()) // β = 0 must ignore what C held
				}
			}
		}
		c0 := append([]T(nil), c...)
		want := tripleLoop(transA, m, n, k, 0.7, a, lda, b, ldb, beta, c, ldc)
		kern(transA, m, n, k, T(0.7), a, lda, b, ldb, T(beta), c, ldc)
		bad := 0
		for i := 0; i < m; i++ {
			for j := 0; j < ldc; j++ {
				got := float64(c[i*ldc+j])
				if j >= n {
					if math.Float64bits(got) != math.Float64bits(float64(c0[i*ldc+j])) {
						t.Fatalf("%s: C[%d,%d] outside the product changed from %v to %v", name, i, j, c0[i*ldc+j], got)
					}
					continue
				}
				var mag float64
				for l := 0; l < k; l++ {
					ail := opA(transA, a, lda, i, l)
					mag += math.Abs(float64(ail) * float64(b[l*ldb+j]))
				}
				mag *= 0.7
				if beta != 0 {
					mag += math.Abs(beta * float64(c0[i*ldc+j]))
				}
				if beta == 0 {
					mag = 0.7 * (mag / 0.7)
				}
				if w := want[i*n+j]; !(math.Abs(got-w) <= tol*float64(k+1)*mag) {
					if bad++; bad <= 3 {
						t.Errorf("%s: C[%d,%d] = %v, want %v (triple loop)", name, i, j, got, w)
					}
				}
			}
		}
		for i := m * ldc; i < len(c); i++ {
			if math.Float64bits(float64(c[i])) != math.Float64bits(float64(c0[i])) {
				t.Fatalf("%s: element %d beyond C changed", name, i)
			}
		}
	}
}

// TestKernelGemmForms checks the gemmFunc of every kernel path against the triple loop
// for the forms the fused op uses, including the transposed-B form a SIMD path hands to
// the BLAS.
func TestKernelGemmForms(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, path := range KernelPaths() {
		g, _, err := kernelGemm[float64](path)
		if err != nil {
			t.Fatal(err)
		}
		m, n, k := 7, 13, 11
		a, b, c := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n)
		for _, x := range [][]float64{a, b, c} {
			for i := range x {
				x[i] = rng.NormFloat64()
			}
		}
		bt := make([]float64, n*k) // Bᵀ
		for l := 0; l < k; l++ {
			for j := 0; j < n; j++ {
				bt[j*k+l] = b[l*n+j]
			}
		}
		want := tripleLoop(false, m, n, k, 2, a, k, b, n, 1, c, n)
		got := append([]float64(nil), c...)
		g(blas.NoTrans, blas.Trans, m, n, k, 2, a, k, bt, k, 1, got, n)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12*float64(k) {
				t.Fatalf("%s: A·Bᵀ element %d = %v, want %v", path, i, got[i], want[i])
			}
		}
	}
	if _, _, err := kernelGemm[float32]("no-such-path"); err == nil {
		t.Error("kernelGemm accepted an unknown path")
	}
}

// TestReluElementwiseBits: the SIMD relu updates (when this build and CPU have them) give
// the bits of the scalar loops, on lengths around multiples of 8 and states with ±0,
// negative, positive and NaN values (p = max(h, 0) keeps a NaN, as Go's max does).
func TestReluElementwiseBits(t *testing.T) {
	if reluStepF32 == nil {
		t.Logf("no SIMD element-wise path in this build or on this CPU (paths: %v)", KernelPaths())
		return
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 7, 8, 9, 16, 100, 1003} {
		h, z, next, later, blk := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range h {
			h[i], z[i], next[i], later[i], blk[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64())
			switch i % 11 {
			case 3:
				h[i] = 0
			case 5:
				h[i] = float32(math.Copysign(0, -1))
			}
		}
		h[n/2] = float32(math.NaN())
		p1, p2 := make([]float32, n), make([]float32, n)
		next1, next2 := append([]float32(nil), next...), append([]float32(nil), next...)
		m := reluStepF32(p1, h, next1, z, 0.8)
		for i := m; i < n; i++ {
			p1[i] = max(h[i], 0)
			next1[i] += 0.8*h[i] + z[i]
		}
		for i, v := range h {
			p2[i] = max(v, 0)
			next2[i] += 0.8*v + z[i]
		}
		blk1, blk2 := append([]float32(nil), blk...), append([]float32(nil), blk...)
		m = reluDerivF32(blk1, h, later, 0.8, 1e-4)
		reluDeriv(blk1[m:], h[m:], later[m:], 0.8, 1e-4)
		reluDeriv(blk2, h, later, 0.8, 1e-4)
		for i := range h {
			if math.Float32bits(p1[i]) != math.Float32bits(p2[i]) || math.Float32bits(next1[i]) != math.Float32bits(next2[i]) {
				t.Fatalf("n=%d step element %d (h=%v): got p=%v next=%v, want p=%v next=%v", n, i, h[i], p1[i], next1[i], p2[i], next2[i])
			}
			if i != n/2 && math.Float32bits(blk1[i]) != math.Float32bits(blk2[i]) {
				t.Fatalf("n=%d deriv element %d (h=%v): got %v, want %v", n, i, h[i], blk1[i], blk2[i])
			}
		}
	}
}

// TestSIMDPackedMatchesUnpacked: every SIMD product with B packed by packB (as it is, and
// from a stored Bᵀ) gives the bits of the same product reading B in place, over the kernel
// test shapes, both forms of op(A) and every β mode.
func TestSIMDPackedMatchesUnpacked(t *testing.T) {
	if len(simdKernels) == 0 {
		t.Skipf("no SIMD kernel path in this build or on this CPU (paths: %v): no packed products", KernelPaths())
	}
	for _, kern := range simdKernels {
		t.Run(kern.name+"/float32", func(t *testing.T) { testPacked(t, kern.f32, kern.p32, kern.nr32) })
		t.Run(kern.name+"/float64", func(t *testing.T) { testPacked(t, kern.f64, kern.p64, kern.nr64) })
	}
}

func testPacked[T float32 | float64](t *testing.T, kern func(bool, int, int, int, T, []T, int, []T, int, T, []T, int),
	packed func(bool, int, int, int, T, []T, int, []T, T, []T, int), nr int) {
	for kc := range productCases[T](8, 9) {
		m, n, k, transA, beta := kc.m, kc.n, kc.k, kc.transA, kc.beta
		a, b, c, lda, ldb, ldc, fill := kc.a, kc.b, kc.c, kc.lda, kc.ldb, kc.ldc, kc.fill
		for i := range a { // zero products of either sign, where a rounding could flip the sign of zero
			if i%7 == 3 {
				a[i] = T(math.Copysign(0, float64(a[i])))
			}
		}
		bt := make([]T, n*(k+2)) // Bᵀ stored n×k with leading dimension k+2
		for l := range k {
			for j := range n {
				bt[j*(k+2)+l] = b[l*ldb+j]
			}
		}
		want := append([]T(nil), c...)
		kern(transA, m, n, k, T(0.7), a, lda, b, ldb, T(beta), want, ldc)
		for _, fromT := range []bool{false, true} {
			bp := make([]T, packedLen(k, n, nr))
			fill(bp) // what packB must overwrite
			if fromT {
				packB(bp, bt, k+2, k, n, nr, true)
			} else {
				packB(bp, b, ldb, k, n, nr, false)
			}
			got := append([]T(nil), c...)
			packed(transA, m, n, k, T(0.7), a, lda, bp, T(beta), got, ldc)
			for i := range got {
				if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) {
					t.Fatalf("m%d n%d k%d transA=%v β=%v packed from Bᵀ=%v: C element %d is %v, unpacked %v",
						m, n, k, transA, beta, fromT, i, got[i], want[i])
				}
			}
		}
	}
}
