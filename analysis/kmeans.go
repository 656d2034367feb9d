package analysis

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// MaxLloydIterations caps the Lloyd iterations of one k-means run. Clustering.jl, used by
// the reference code, stops at 200 (docs/science.md §3.3); well-separated clusters converge in a
// handful of iterations.
const MaxLloydIterations = 300

// KMeans partitions the rows of points (n points in ℝ^d) into k clusters minimizing the
// inertia
//
//	Σ_i ‖x_i − μ_{a_i}‖²,  μ_c = mean{x_i : a_i = c}.
//
// Each of the `restarts` runs seeds the centres by k-means++ (Arthur & Vassilvitskii 2007:
// the first centre uniformly, every further one with probability ∝ D(x)², the squared
// distance to the nearest chosen centre) and then performs Lloyd iterations (assign each
// point to its nearest centre, ties to its current one, else to the lower index; move each
// centre to its cluster mean) until no assignment changes, at most MaxLloydIterations
// times. The run with the smallest inertia is returned (the earliest on ties). An emptied cluster is re-seeded with
// the point farthest from its centre. gonum has no k-means, so this is written by hand.
//
// The labels are canonical: clusters are numbered 0, 1, …, k−1 in order of first appearance
// along the rows, so that equal partitions yield identical label slices. The result is
// deterministic given the state of rng.
//
// To cluster the presynaptic neurons by their outgoing weights as the reference code does
// (columns of J, docs/science.md §3.3), pass J.T(); for the paper's features pass W_in (N×S).
//
// KMeans panics if k < 1, k > n or restarts < 1.
func KMeans(points mat.Matrix, k, restarts int, rng *rand.Rand) (labels []int, inertia float64) {
	n, _ := points.Dims()
	if k < 1 || k > n {
		panic("analysis: k-means needs 1 ≤ k ≤ number of points")
	}
	if restarts < 1 {
		panic("analysis: k-means needs at least one restart")
	}
	x := mat.DenseCopyOf(points)

	best := math.Inf(1)
	trial := make([]int, n)
	for range restarts {
		centres := seedPlusPlus(x, k, rng)
		w := lloyd(x, centres, trial)
		if labels == nil || w < best { // labels == nil: first run (also if w is NaN)
			best = w
			labels = append(labels[:0], trial...)
		}
	}
	canonicalize(labels)
	return labels, best
}

// seedPlusPlus returns k initial centres (rows) chosen from the rows of x by k-means++.
func seedPlusPlus(x *mat.Dense, k int, rng *rand.Rand) *mat.Dense {
	n, d := x.Dims()
	centres := mat.NewDense(k, d, nil)
	centres.SetRow(0, x.RawRowView(rng.IntN(n)))

	d2 := make([]float64, n) // squared distance to the nearest chosen centre
	scratch := make([]float64, d)
	for i := range n {
		d2[i] = sqDist(scratch, x.RawRowView(i), centres.RawRowView(0))
	}
	for c := 1; c < k; c++ {
		next := sampleProportional(d2, rng)
		centres.SetRow(c, x.RawRowView(next))
		for i := range n {
			d2[i] = math.Min(d2[i], sqDist(scratch, x.RawRowView(i), centres.RawRowView(c)))
		}
	}
	return centres
}

// sampleProportional draws index i with probability w_i/Σw. If every weight is zero
// (fewer distinct points than centres) it draws uniformly.
func sampleProportional(w []float64, rng *rand.Rand) int {
	total := floats.Sum(w)
	if total <= 0 {
		return rng.IntN(len(w))
	}
	u := rng.Float64() * total
	var acc float64
	last := 0
	for i, v := range w {
		if v <= 0 {
			continue
		}
		acc += v
		last = i
		if u < acc {
			return i
		}
	}
	return last // u ≥ acc only through round-off
}

// lloyd runs Lloyd iterations from the given centres (updated in place), writes the labels
// and returns the inertia of the final assignment.
func lloyd(x, centres *mat.Dense, labels []int) float64 {
	n, d := x.Dims()
	k, _ := centres.Dims()
	dist := make([]float64, n) // squared distance of each point to its centre
	counts := make([]int, k)
	scratch := make([]float64, d)
	for i := range labels {
		labels[i] = -1
	}
	converged := false
	for range MaxLloydIterations {
		if !assign(x, centres, labels, dist, scratch) {
			converged = true
			break
		}
		fillEmpty(labels, dist, counts)
		updateCentres(x, centres, labels, counts)
	}
	if !converged {
		assign(x, centres, labels, dist, scratch)
	}
	return floats.Sum(dist)
}

// assign sets every label to the nearest centre (ties to the current label, else to the
// lower index), stores the squared distances in dist and reports whether any label changed.
func assign(x, centres *mat.Dense, labels []int, dist, scratch []float64) (changed bool) {
	k, _ := centres.Dims()
	for i := range labels {
		xi := x.RawRowView(i)
		bestC, bestD := 0, math.Inf(1)
		current := math.Inf(1)
		for c := range k {
			dc := sqDist(scratch, xi, centres.RawRowView(c))
			if dc < bestD {
				bestC, bestD = c, dc
			}
			if c == labels[i] {
				current = dc
			}
		}
		if current == bestD { // a tie with the current centre keeps the label (no cycling)
			bestC = labels[i]
		}
		if labels[i] != bestC {
			labels[i] = bestC
			changed = true
		}
		dist[i] = bestD
	}
	return changed
}

// fillEmpty counts the cluster sizes and moves, for every empty cluster, the point farthest
// from its centre (taken from a cluster with more than one point) into it.
func fillEmpty(labels []int, dist []float64, counts []int) {
	clear(counts)
	for _, l := range labels {
		counts[l]++
	}
	for c, m := range counts {
		if m > 0 {
			continue
		}
		far := -1
		for i, l := range labels {
			if counts[l] > 1 && (far < 0 || dist[i] > dist[far]) {
				far = i
			}
		}
		counts[labels[far]]--
		labels[far] = c
		counts[c] = 1
		dist[far] = 0
	}
}

// updateCentres moves every centre to the mean of its points; counts holds the cluster sizes.
func updateCentres(x, centres *mat.Dense, labels, counts []int) {
	centres.Zero()
	for i, l := range labels {
		floats.Add(centres.RawRowView(l), x.RawRowView(i))
	}
	for c, m := range counts {
		floats.Scale(1/float64(m), centres.RawRowView(c))
	}
}

// sqDist returns ‖a − b‖², using scratch (len(a)) for the difference. floats.Distance would
// return the overflow-safe root; the squared form via floats.SubTo and floats.Dot is faster.
func sqDist(scratch, a, b []float64) float64 {
	floats.SubTo(scratch, a, b)
	return floats.Dot(scratch, scratch)
}

// canonicalize renumbers labels 0, 1, … in order of first appearance.
func canonicalize(labels []int) {
	next := 0
	relabel := make(map[int]int)
	for i, l := range labels {
		nl, ok := relabel[l]
		if !ok {
			nl = next
			relabel[l] = nl
			next++
		}
		labels[i] = nl
	}
}

// AdjustedRandIndex returns the Hubert–Arabie (1985) adjusted Rand index of two labelings
// of the same n items. With the contingency table n_ij = #{items with a = i and b = j},
// row sums a_i, column sums b_j and C(m) = m(m−1)/2,
//
//	ARI = (Σ_ij C(n_ij) − E) / (½[Σ_i C(a_i) + Σ_j C(b_j)] − E),
//	E   = Σ_i C(a_i)·Σ_j C(b_j) / C(n).
//
// ARI = 1 for identical partitions (whatever the label values) and has expectation 0 for
// independent random labelings (permutation model). When the denominator vanishes (both
// labelings put everything in one cluster, or both use singletons only, or n < 2) the
// partitions are identical and 1 is returned. Labels may be any integers. gonum has no ARI,
// so this is written by hand. AdjustedRandIndex panics if len(a) ≠ len(b).
func AdjustedRandIndex(a, b []int) float64 {
	if len(a) != len(b) {
		panic("analysis: labelings of different length")
	}
	type pair struct{ a, b int }
	joint := make(map[pair]int)
	rows := make(map[int]int)
	cols := make(map[int]int)
	for i := range a {
		joint[pair{a[i], b[i]}]++
		rows[a[i]]++
		cols[b[i]]++
	}
	choose2 := func(m int) float64 { return float64(m) * float64(m-1) / 2 }
	var index, sumA, sumB float64
	for _, m := range joint {
		index += choose2(m)
	}
	for _, m := range rows {
		sumA += choose2(m)
	}
	for _, m := range cols {
		sumB += choose2(m)
	}
	total := choose2(len(a))
	if total == 0 {
		return 1
	}
	expected := sumA * sumB / total
	maxIndex := (sumA + sumB) / 2
	if maxIndex == expected {
		return 1
	}
	return (index - expected) / (maxIndex - expected)
}
