package engine

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gorgonia.org/tensor"
)

// kernelCases are the fused-engine settings of the kernel-path tests: the small table of
// every nonlinearity, B = 1, N = 1 and N odd (not a multiple of any vector width), and
// N = 200 with B = 10 (the reference batch; 200 crosses the 2-vector column blocks and the
// gonum tiles), with T·B beyond the kernels' inner chunk of 128 rows.
func kernelCases() []gradCase {
	cs := append(fusedTable(), gradTable()...)
	return append(cs,
		gradCase{phi: "relu", n: 37, s: 2, r: 1, steps: 40, burnIn: 5, trials: 1, actReg: 1e-2,
			linear: true, zeroDiag: true, sigma: 0.3, dt: 0.2},
		gradCase{phi: "tanh", n: 1, s: 1, r: 1, steps: 9, burnIn: 2, trials: 1, actReg: 0,
			sigma: 0.3, dt: 0.2},
		gradCase{phi: "relu", n: 200, s: 1, r: 1, steps: 20, burnIn: 4, trials: 10, actReg: 1e-4,
			zeroDiag: true, sigma: 1, dt: 0.2},
	)
}

// mustFused builds the fused engine on the named kernel path.
func mustFused(t *testing.T, f batchFixture, dtype tensor.Dtype, path string) *Fused {
	t.Helper()
	e, err := newFused(f.sp, dtype, f.p, path, 1)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestFusedKernelPathsAgree: on every kernel path of this build and CPU the fused engine
// gives the loss, gradients and final state of the BLAS path (gonum, or OpenBLAS) to
// rounding: 1e-10 relative in float64 (as TestFusedMatchesGraph: a different order of the
// sums and fused multiply-adds, rounding 1e-16, amplified by at most 40 contracting steps)
// and 1e-4 in float32 (as TestFusedFloat32).
func TestFusedKernelPathsAgree(t *testing.T) {
	ref := BLASName()
	if len(simdKernels) == 0 {
		t.Logf("paths of this build: %v; only the BLAS path, nothing to compare", KernelPaths())
	}
	for _, k := range simdKernels {
		for _, dtype := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			tol := 1e-10
			if dtype == tensor.Float32 {
				tol = 1e-4
			}
			t.Run(k.name+"/"+dtype.String(), func(t *testing.T) {
				for _, c := range kernelCases() {
					f := newFixture(t, c, 21)
					got, want := mustFused(t, f, dtype, k.name), mustFused(t, f, dtype, ref)
					compareEngines(t, got, want, f, tol)
					gs, ws := got.FinalState(), want.FinalState()
					for i := range ws {
						if !scalar.EqualWithinAbsOrRel(gs[i], ws[i], tol, tol) {
							t.Fatalf("%s: h_T[%d]: got %.9g, want %.9g (%s)", c.fullName(), i, gs[i], ws[i], ref)
						}
					}
					if t.Failed() {
						t.Fatalf("case %s failed", c.fullName())
					}
				}
			})
		}
	}
}

// TestFusedKernelPathsBitExact states which kernel paths agree bit for bit:
//
//   - every path with itself: two engines built separately (as after a resume) give
//     bit-identical losses, gradients and final states for the same parameters and batch,
//     in both dtypes;
//   - the SIMD paths with each other (avx2 and avx512): their kernels accumulate every
//     element of a product in the same order l = 0..k−1 with fused multiply-adds, in
//     chunks of 128, whatever the vector width, so they give the same bits;
//   - a SIMD path and the BLAS path agree only to rounding (TestFusedKernelPathsAgree):
//     gonum sums in a different order without fused multiply-adds.
func TestFusedKernelPathsBitExact(t *testing.T) {
	c := gradCase{phi: "relu", n: 45, s: 2, r: 1, steps: 30, burnIn: 5, trials: 3, actReg: 1e-4,
		linear: true, zeroDiag: true, sigma: 1, dt: 0.2}
	f := newFixture(t, c, 22)
	for _, dtype := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		type result struct {
			path  string
			loss  float64
			grads [3][]float64
			final []float64
		}
		var simd []result
		for _, path := range KernelPaths() {
			var rs [2]result
			for i := range rs {
				e := mustFused(t, f, dtype, path)
				loss, grads := runEngine(t, e, f)
				rs[i] = result{path, loss, grads, e.FinalState()}
			}
			sameBits(t, dtype.String()+"/"+path+" (two engines)", rs[0].loss, rs[1].loss, rs[0].grads, rs[1].grads, rs[0].final, rs[1].final)
			if path != BLASName() {
				simd = append(simd, rs[0])
			}
		}
		for _, r := range simd[min(1, len(simd)):] {
			sameBits(t, dtype.String()+"/"+r.path+" vs "+simd[0].path, r.loss, simd[0].loss, r.grads, simd[0].grads, r.final, simd[0].final)
		}
		if len(simd) < 2 {
			t.Logf("%v: %d SIMD path(s) on this CPU (%v); the avx2/avx512 comparison needs both", dtype, len(simd), KernelPaths())
		}
	}
}

func sameBits(t *testing.T, what string, l1, l2 float64, g1, g2 [3][]float64, h1, h2 []float64) {
	t.Helper()
	if math.Float64bits(l1) != math.Float64bits(l2) {
		t.Errorf("%s: loss %.17g and %.17g differ", what, l1, l2)
	}
	for k := range g1 {
		for i := range g1[k] {
			if math.Float64bits(g1[k][i]) != math.Float64bits(g2[k][i]) {
				t.Errorf("%s: ∂l/∂%s[%d]: %.17g and %.17g differ", what, paramNames[k], i, g1[k][i], g2[k][i])
				break
			}
		}
	}
	for i := range h1 {
		if math.Float64bits(h1[i]) != math.Float64bits(h2[i]) {
			t.Errorf("%s: h_T[%d]: %.17g and %.17g differ", what, i, h1[i], h2[i])
			break
		}
	}
}

// TestFusedThreadsBitExact: on every kernel path, spreading the products over 3 goroutines
// (train.threads) gives the same bits as one, and the gradients match the float64 BLAS
// path to rounding. N = 520 makes the step products (10×520·520×520) and ∂l/∂J large
// enough to be split, into column blocks that are not all of equal width.
func TestFusedThreadsBitExact(t *testing.T) {
	c := gradCase{phi: "relu", n: 520, s: 1, r: 1, steps: 6, burnIn: 2, trials: 10, actReg: 1e-4,
		zeroDiag: true, sigma: 1, dt: 0.2}
	f := newFixture(t, c, 23)
	for _, path := range KernelPaths() {
		for _, dtype := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			one, err := newFused(f.sp, dtype, f.p, path, 1)
			if err != nil {
				t.Fatal(err)
			}
			three, err := newFused(f.sp, dtype, f.p, path, 3)
			if err != nil {
				t.Fatal(err)
			}
			l1, g1 := runEngine(t, one, f)
			l3, g3 := runEngine(t, three, f)
			sameBits(t, path+"/"+dtype.String()+" threads 3 vs 1", l3, l1, g3, g1, three.FinalState(), one.FinalState())
		}
	}
	got, err := NewFusedThreads(f.sp, tensor.Float64, f.p, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, err := newFused(f.sp, tensor.Float64, f.p, BLASName(), 1)
	if err != nil {
		t.Fatal(err)
	}
	compareEngines(t, got, want, f, 1e-10) // tolerance as in TestFusedKernelPathsAgree
}
