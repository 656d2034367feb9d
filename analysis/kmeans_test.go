package analysis

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
)

// docs/science.md §3.3 constructed test: N = 100, S = 2 equal blocks, α within, β between,
// zero diagonal.
const (
	blockN     = 100
	blockS     = 2
	blockAlpha = -0.05 // any α ≠ β (§3.3); strongly inhibitory within, as after training (§7.10)
	blockBeta  = -0.01
)

func TestBlockMatrixKMeans(t *testing.T) {
	want := blockLabels(blockN, blockS)
	J := blockMatrix(want, blockAlpha, blockBeta)
	for _, tc := range []struct {
		name   string
		points mat.Matrix
	}{
		{"columns of J", J.T()}, // reference code, kmeans(J, S) (§3.3)
		{"rows of J", J},
	} {
		got, inertia := KMeans(tc.points, blockS, 5, newRand(1))
		if ari := AdjustedRandIndex(got, want); ari != 1 {
			t.Errorf("%s: got ARI %v, want 1", tc.name, ari)
		}
		if !slices.Equal(got, want) { // canonical labels: block 0 appears first
			t.Errorf("%s: got labels %v, want %v", tc.name, got, want)
		}
		// Column j of block size m deviates from its block mean by −(m−1)α/m at its own
		// zero diagonal and by α/m at the other m−1 rows of the block, so the optimal
		// inertia is N·α²·(m−1)/m.
		m := float64(blockN / blockS)
		if want := blockN * blockAlpha * blockAlpha * (m - 1) / m; !scalar.EqualWithinAbsOrRel(inertia, want, 1e-15, 1e-12) {
			t.Errorf("%s: got inertia %v, want %v", tc.name, inertia, want)
		}
	}
}

func TestBlockMatrixCoupling(t *testing.T) {
	labels := blockLabels(blockN, blockS)
	J := blockMatrix(labels, blockAlpha, blockBeta)
	m := blockN / blockS                    // block size 50
	pairsIn := float64(blockS * m * m)      // 5000 same-block pairs, diagonal included
	pairsInOff := pairsIn - float64(blockN) // 4900 without the diagonal
	pairsOut := float64(blockN*blockN) - pairsIn

	for _, tc := range []struct {
		name                string
		f                   func(mat.Matrix, []int) (float64, float64, float64)
		within, between, ov float64
	}{
		{"exclude diagonal", Coupling, blockAlpha, blockBeta,
			(blockAlpha*pairsInOff + blockBeta*pairsOut) / (pairsInOff + pairsOut)},
		{"include diagonal", CouplingWithDiagonal, blockAlpha * pairsInOff / pairsIn, blockBeta, // α·4900/5000 (§3.3)
			(blockAlpha*pairsInOff + blockBeta*pairsOut) / (blockN * blockN)},
	} {
		w, b, o := tc.f(J, labels)
		for _, c := range []struct {
			what      string
			got, want float64
		}{{"within", w, tc.within}, {"between", b, tc.between}, {"overall", o, tc.ov}} {
			if !scalar.EqualWithinAbsOrRel(c.got, c.want, 1e-15, 1e-13) {
				t.Errorf("%s %s: got %v, want %v", tc.name, c.what, c.got, c.want)
			}
		}
	}
	if _, _, o := CouplingWithDiagonal(J, labels); !scalar.EqualWithinAbsOrRel(o, MeanCoupling(J), 1e-15, 1e-13) {
		t.Errorf("overall with diagonal: got %v, want mean(J) = %v", o, MeanCoupling(J))
	}
	if _, b, _ := Coupling(J, make([]int, blockN)); !math.IsNaN(b) {
		t.Errorf("between with a single cluster: got %v, want NaN", b)
	}
}

// plantedClusters returns k well-separated Gaussian clusters of m points in ℝ^d: centres
// sep·e_c (d ≥ k), unit isotropic noise, points interleaved (point i belongs to cluster i mod k).
func plantedClusters(k, m, d int, sep float64, seed uint64) (*mat.Dense, []int) {
	rng := newRand(seed)
	x := mat.NewDense(k*m, d, nil)
	labels := make([]int, k*m)
	for i := range k * m {
		labels[i] = i % k
		for j := range d {
			x.Set(i, j, rng.NormFloat64())
		}
		x.Set(i, labels[i], x.At(i, labels[i])+sep)
	}
	return x, labels
}

func TestKMeansPlanted(t *testing.T) {
	// Separation 20 ≫ cluster radius sqrt(d) ≈ 2.2: k-means++ puts a second seed in an
	// already-seeded cluster with probability ≈ 2d/(2d + sep²·(k−1)) ≈ 1%, and five restarts
	// make a wrong local optimum ≈ 1e-10 likely per seed.
	const (
		k, m, d = 3, 50, 5
		sep     = 20.0
	)
	for seed := range uint64(20) {
		x, want := plantedClusters(k, m, d, sep, 100+seed)
		got, inertia := KMeans(x, k, 5, newRand(seed))
		if ari := AdjustedRandIndex(got, want); ari != 1 {
			t.Errorf("seed %d: got ARI %v, want 1", seed, ari)
		}
		if !slices.Equal(got, want) { // want is canonical: 0, 1, 2, 0, 1, 2, …
			t.Errorf("seed %d: labels not canonical: got %v", seed, got[:6])
		}
		// Inertia ≈ χ²_{(m−1)·d·k}: mean 735, sd ≈ 38; allow 6 sd.
		if mean := float64((m - 1) * d * k); !closeTo(inertia, mean, 6*math.Sqrt(2*mean)) {
			t.Errorf("seed %d: got inertia %.1f, want %.1f ± %.1f", seed, inertia, mean, 6*math.Sqrt(2*mean))
		}
	}
}

func TestKMeansDeterministic(t *testing.T) {
	x, _ := plantedClusters(4, 30, 4, 1, 7) // overlapping clusters: many local optima
	a, wa := KMeans(x, 4, 3, newRand(9))
	b, wb := KMeans(x, 4, 3, newRand(9))
	if !slices.Equal(a, b) || wa != wb {
		t.Errorf("same seed: got (%v, %v) and (%v, %v), want equal", a[:8], wa, b[:8], wb)
	}
	seen := -1
	for _, l := range a { // canonical: labels appear in increasing order 0, 1, 2, 3
		if l > seen+1 {
			t.Fatalf("label %d appears before %d", l, seen+1)
		}
		seen = max(seen, l)
	}
}

func TestKMeansDegenerate(t *testing.T) {
	// Fewer distinct points than clusters: every point identical.
	x := mat.NewDense(5, 2, []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	labels, inertia := KMeans(x, 2, 2, newRand(1))
	if inertia != 0 || len(labels) != 5 {
		t.Errorf("got labels %v inertia %v, want 5 labels and inertia 0", labels, inertia)
	}
	// k = n: every point its own cluster.
	y := mat.NewDense(3, 1, []float64{0, 5, 10})
	labels, inertia = KMeans(y, 3, 1, newRand(1))
	if want := []int{0, 1, 2}; !slices.Equal(labels, want) || inertia != 0 {
		t.Errorf("k = n: got %v, %v, want %v, 0", labels, inertia, want)
	}
}

func TestAdjustedRandIndex(t *testing.T) {
	// Hand-computed: contingency {2, 1, 1}, Σ C(n_ij) = 1, Σ C(a_i) = 2, Σ C(b_j) = 1,
	// C(4) = 6 ⇒ ARI = (1 − 1/3)/(3/2 − 1/3) = 4/7 (also sklearn's documented value).
	a, b := []int{0, 0, 1, 1}, []int{0, 0, 1, 2}
	if got, want := AdjustedRandIndex(a, b), 4.0/7; !closeTo(got, want, 1e-15) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got, want := AdjustedRandIndex(b, a), 4.0/7; !closeTo(got, want, 1e-15) {
		t.Errorf("symmetry: got %v, want %v", got, want)
	}
	x := []int{0, 0, 1, 1, 2, 2, 2}
	relabeled := []int{7, 7, -3, -3, 5, 5, 5}
	for _, c := range []struct {
		name string
		b    []int
	}{{"identical", x}, {"relabeled", relabeled}} {
		if got := AdjustedRandIndex(x, c.b); got != 1 {
			t.Errorf("%s: got %v, want 1", c.name, got)
		}
	}
	if got := AdjustedRandIndex([]int{3, 3, 3}, []int{1, 1, 1}); got != 1 {
		t.Errorf("single cluster: got %v, want 1", got)
	}
}

// TestAdjustedRandIndexIndependent bounds the ARI of independent uniform labelings. With k
// labels each and n items, the contingency table satisfies Σ_ij n_ij² ≈ n²/k² + (n/k²)·χ²
// with χ² ~ χ²_{(k−1)²}, so Σ C(n_ij) − E has sd ≈ n(k−1)/(√2·k²); dividing by the
// denominator ≈ n²(k−1)/(2k²) gives sd(ARI) ≈ √2/n, independent of k. Bound: 5·√2/n.
func TestAdjustedRandIndexIndependent(t *testing.T) {
	const n, k = 2000, 3
	bound := 5 * math.Sqrt2 / n
	for seed := range uint64(20) {
		rng := newRand(seed)
		a, b := make([]int, n), make([]int, n)
		for i := range n {
			a[i], b[i] = rng.IntN(k), rng.IntN(k)
		}
		if got := AdjustedRandIndex(a, b); math.Abs(got) > bound {
			t.Errorf("seed %d: got |ARI| = %.5f, want < %.5f", seed, math.Abs(got), bound)
		}
	}
}

func TestSortByCluster(t *testing.T) {
	labels := []int{1, 0, 2, 0, 1, 0}
	got := SortByCluster(labels)
	want := []int{1, 3, 5, 0, 4, 2} // stable: equal labels keep their order
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
