package plots

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
)

// BinEdges returns bins+1 equal-width bin edges spanning the finite values of all the
// sets, so that histograms of several sets (initial and final weights) share their bins:
// e_k = lo + k·(hi − lo)/bins with lo and hi the smallest and largest value. If all values
// are equal to v the edges span v ± 1/2; if there are none it returns nil.
func BinEdges(bins int, sets ...[]float64) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range sets {
		for _, v := range s {
			if finite(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if bins < 1 || lo > hi {
		return nil
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	edges := make([]float64, bins+1)
	for k := range edges {
		edges[k] = lo + float64(k)*(hi-lo)/float64(bins)
	}
	edges[bins] = hi
	return edges
}

// Histogram returns the number of values in each bin [e_k, e_{k+1}) of the ascending
// edges; the last bin also holds values equal to the last edge. Values outside the edges
// and non-finite values are not counted.
func Histogram(values, edges []float64) []float64 {
	if len(edges) < 2 {
		return nil
	}
	counts := make([]float64, len(edges)-1)
	last := len(edges) - 1
	for _, v := range values {
		if !finite(v) || v < edges[0] || v > edges[last] {
			continue
		}
		// k is the number of edges ≤ v, so v is in bin k−1.
		k, found := slices.BinarySearch(edges, v)
		if found {
			k++
		}
		counts[min(k-1, last-1)]++
	}
	return counts
}

// Cluster is the scatter of the neurons of one cluster.
type Cluster struct {
	Label int
	X, Y  []float64
}

// ClusterPoints returns, for signal k, the points (W_in,ik, W_out,ki) of the neurons i
// grouped by their cluster label (ascending labels). labels must have one entry per
// neuron; k must be below both S and R.
func ClusterPoints(p *model.Params, labels []int, k int) ([]Cluster, error) {
	n, s, r := p.Dims()
	if len(labels) != n {
		return nil, fmt.Errorf("%d labels for %d neurons", len(labels), n)
	}
	if k < 0 || k >= s || k >= r {
		return nil, fmt.Errorf("signal %d of S = %d, R = %d", k, s, r)
	}
	byLabel := map[int]*Cluster{}
	for i, l := range labels {
		c, ok := byLabel[l]
		if !ok {
			c = &Cluster{Label: l}
			byLabel[l] = c
		}
		c.X = append(c.X, p.Win.At(i, k))
		c.Y = append(c.Y, p.Wout.At(k, i))
	}
	out := make([]Cluster, 0, len(byLabel))
	for _, c := range byLabel {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Cluster) int { return a.Label - b.Label })
	return out, nil
}

// SortedMatrix returns J with rows and columns permuted by order: S_ab = J_{order[a],
// order[b]}, so that neurons of one cluster are adjacent and the within-cluster blocks lie
// on the diagonal. order nil means the identity.
func SortedMatrix(j mat.Matrix, order []int) *mat.Dense {
	n, c := j.Dims()
	if n != c {
		panic(mat.ErrSquare)
	}
	if order == nil {
		return mat.DenseCopyOf(j)
	}
	if len(order) != n {
		panic(fmt.Sprintf("plots: order of %d for a %d×%d matrix", len(order), n, n))
	}
	s := mat.NewDense(n, n, nil)
	for a, i := range order {
		for b, k := range order {
			s.Set(a, b, j.At(i, k))
		}
	}
	return s
}

// MaxAbs returns max |m_ij| over the finite entries of the matrices: the half-width of
// a colour scale centred at zero.
func MaxAbs(ms ...mat.Matrix) float64 {
	var m float64
	for _, x := range ms {
		r, c := x.Dims()
		for i := range r {
			for k := range c {
				if v := math.Abs(x.At(i, k)); finite(v) {
					m = max(m, v)
				}
			}
		}
	}
	return m
}

// Values returns the entries of m in row-major order.
func Values(m mat.Matrix) []float64 {
	r, c := m.Dims()
	out := make([]float64, 0, r*c)
	for i := range r {
		for k := range c {
			out = append(out, m.At(i, k))
		}
	}
	return out
}
