package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// matvec32 against the exact product of the rounded couplings (computed in float64, which
// is exact to within the float64 rounding of the sums): every path is within the standard
// bound of a float64 sum of n products, n·ε₆₄·Σ_j |a_ij x_j| (Higham, Accuracy and
// Stability, §3.1), for a shape whose rows and columns are not multiples of 4 or 8.
func TestMatvec32Accuracy(t *testing.T) {
	rng := newRNG(11)
	const m, n, lda = 13, 203, 210
	a := make([]float32, m*lda)
	for k := range a {
		a[k] = float32(rng.NormFloat64())
	}
	x := make([]float64, n)
	for k := range x {
		x[k] = rng.NormFloat64()
	}
	kernels := map[string]func([]float64, []float32, int, []float64){"go": matvec32Go, Matvec32Path: matvec32Kernel}
	for name, kern := range kernels {
		y := make([]float64, m)
		kern(y, a, lda, x)
		for i := range y {
			var ref, abs float64
			for j := 0; j < n; j++ {
				ref += float64(a[i*lda+j]) * x[j]
				abs += math.Abs(float64(a[i*lda+j]) * x[j])
			}
			if tol := float64(n) * 0x1p-52 * abs; math.Abs(y[i]-ref) > tol {
				t.Errorf("%s: row %d: got %.17g, want %.17g ± %.3g", name, i, y[i], ref, tol)
			}
		}
	}
}

// A row's result does not depend on which other rows are computed with it (the 4-row and
// the 1-row code of the AVX2 kernel), so every split of the rows gives the same bits.
func TestMatvec32RowsIndependent(t *testing.T) {
	rng := newRNG(12)
	const m, n = 11, 37
	a := make([]float32, m*n)
	for k := range a {
		a[k] = float32(rng.NormFloat64())
	}
	x := make([]float64, n)
	for k := range x {
		x[k] = rng.NormFloat64()
	}
	all := make([]float64, m)
	matvec32Kernel(all, a, n, x)
	for i := 0; i < m; i++ {
		one := make([]float64, 1)
		matvec32Kernel(one, a[i*n:], n, x)
		if one[0] != all[i] {
			t.Errorf("%s: row %d alone: got %.17g, with the others %.17g; want the same bits", Matvec32Path, i, one[0], all[i])
		}
	}
}

// chaoticNet is a dense random network with g = 2 around a mean coupling, N = 203 (not a
// multiple of 4), driven by a constant input: chaotic, so any change of rounding shows.
func chaoticNet(t testing.TB, n int) Network {
	J := meanCoupling(t, n, 1, 1, true)
	rng := newRNG(13)
	for k, v := range J.RawMatrix().Data {
		J.RawMatrix().Data[k] = v + 2*rng.NormFloat64()/math.Sqrt(float64(n))
	}
	return Network{J: J, Phi: mustPhi(t, "relu"), B: 1}
}

// Every thread count gives the same bits, on the float64, float32 and Coupling32 paths,
// with one and with two realizations.
func TestThreadsBitIdentical(t *testing.T) {
	nw := chaoticNet(t, 203)
	for _, c := range []struct {
		f32, c32 bool
		r        int
	}{{false, false, 1}, {true, false, 1}, {false, true, 1}, {false, true, 2}} {
		var ref *Recording
		for _, th := range []int{1, 2, 3, 4} {
			s := Settings{DT: 0.05, Sigma: 0.3, Steps: 400, Realizations: c.r, Float32: c.f32, Coupling32: c.c32, Threads: th,
				Project: [][]float64{mat.Col(nil, 0, nw.J)}}
			rc, _ := record(t, nw, constInput(1), s, newRNG(14))
			if ref == nil {
				ref = rc
				continue
			}
			for r := 0; r < c.r; r++ {
				if !slices.Equal(rc.Mean[r], ref.Mean[r]) || !slices.Equal(rc.Proj[r][0], ref.Proj[r][0]) {
					t.Errorf("float32=%v coupling32=%v R=%d: threads %d: records differ from threads 1; want the same bits", c.f32, c.c32, c.r, th)
				}
			}
		}
	}
}

// Coupling32 against float64 on a network that is not chaotic (g = 0.5 around the mean
// coupling, σ = 0.1 noise from the same generator): the two paths integrate couplings that
// differ by at most 2⁻²⁴ relatively, and the contracting dynamics keeps the records within
// 1e-6 of each other (the rounding of J times |φ| ~ 1, amplified by at most 1/(1 − g)).
// Same seed, same path: the same bits twice.
func TestCoupling32Agrees(t *testing.T) {
	n := 203
	J := meanCoupling(t, n, 1, 1, true)
	rng := newRNG(15)
	for k, v := range J.RawMatrix().Data {
		J.RawMatrix().Data[k] = v + 0.5*rng.NormFloat64()/math.Sqrt(float64(n))
	}
	nw := Network{J: J, Phi: mustPhi(t, "relu"), B: 1}
	run := func(c32 bool) *Recording {
		s := Settings{DT: 0.05, Sigma: 0.1, Steps: 2000, Coupling32: c32}
		rc, _ := record(t, nw, constInput(1), s, newRNG(16))
		return rc
	}
	ref, got, again := run(false), run(true), run(true)
	var worst float64
	for k := range ref.Rate[0] {
		worst = max(worst, math.Abs(got.Rate[0][k]-ref.Rate[0][k]), math.Abs(got.Mean[0][k]-ref.Mean[0][k]))
	}
	if !(worst < 1e-6) {
		t.Errorf("coupling32 against float64: largest difference of ν, m = %.3g, want < 1e-6", worst)
	}
	if worst == 0 {
		t.Errorf("coupling32 against float64: identical records; want the float32 rounding of J to show")
	}
	if !slices.Equal(got.Rate[0], again.Rate[0]) {
		t.Errorf("coupling32: two runs with the same seed differ; want the same bits")
	}
	t.Logf("coupling32 (%s) against float64: max |Δν|, |Δm| = %.3g", Matvec32Path, worst)
}

// BenchmarkStepN3000 is the step of the docs/science.md §6.5 run (N = 3000, dense J,
// constant input, no noise, 22 projections recorded every 10 steps) on the float64 path,
// Coupling32 and two threads: seconds per 1000 steps. Compare with -count 5 and the median.
func BenchmarkStepN3000(b *testing.B) {
	const n = 3000
	J := mat.NewDense(n, n, nil)
	rng := newRNG(17)
	for k := range J.RawMatrix().Data {
		J.RawMatrix().Data[k] = 2*rng.NormFloat64()/math.Sqrt(n) - 1.0/n
	}
	var proj [][]float64
	for range 22 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64() / math.Sqrt(n)
		}
		proj = append(proj, v)
	}
	nw := Network{J: J, Phi: mustPhi(b, "relu"), B: 1}
	for _, c := range []struct {
		c32     bool
		threads int
	}{{false, 1}, {true, 1}, {false, 2}, {true, 2}} {
		b.Run(fmt.Sprintf("coupling32=%v/threads=%d", c.c32, c.threads), func(b *testing.B) {
			const steps = 500
			s := Settings{DT: 0.01, Steps: steps, Stride: 10, Coupling32: c.c32, Threads: c.threads, Project: proj}
			b.ReportAllocs()
			for range b.N {
				if _, err := Run(context.Background(), nw, constInput(math.Sqrt(n)), s, rand.New(rand.NewPCG(1, 2)), discard{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/steps*1000, "s/1000steps")
		})
	}
}
