package analysis

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// BenchmarkAnalysis times one full per-checkpoint analysis of an N×N coupling: eig(J),
// eig(J·diag(φ′)), k-means (k = S = 2, 5 restarts) on the columns of J and on the rows of
// W_in, within/between coupling and the rank-2 alignment. Parameters are the code defaults
// (docs/science.md §1.6: b = J₀ = 1, g = 0.032, W_in ~ N(1, 0.01²), zero diagonal), with half the
// units active.
func BenchmarkAnalysis(b *testing.B) {
	const s = 2
	for _, n := range []int{100, 500, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			rng := newRand(1)
			J := balancedCoupling(n, refB, refJ0, refG, true, rng)
			win := mat.NewDense(n, s, nil)
			dphi := make([]float64, n)
			for i := range n {
				for k := range s {
					win.Set(i, k, 1+0.01*rng.NormFloat64())
				}
				dphi[i] = math.Round(rng.Float64())
			}
			var M mat.Dense
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Eigenvalues(J); err != nil {
					b.Fatal(err)
				}
				M.Reset()
				Linearized(&M, J, dphi)
				if _, err := Eigenvalues(&M); err != nil {
					b.Fatal(err)
				}
				labels, _ := KMeans(J.T(), s, 5, rng)
				inputLabels, _ := KMeans(win, s, 5, rng)
				_ = AdjustedRandIndex(labels, inputLabels)
				Coupling(J, labels)
				if _, err := Align(J, s); err != nil { // the analysis has σ(Jˢ) already: AlignSV
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkKMeans isolates the clustering of the columns of J (N = 1000, k = 2, 5 restarts).
func BenchmarkKMeans(b *testing.B) {
	const n = 1000
	rng := newRand(2)
	J := balancedCoupling(n, refB, refJ0, refG, true, rng)
	b.ReportAllocs()
	for b.Loop() {
		KMeans(J.T(), 2, 5, rng)
	}
}

// BenchmarkAlign compares Align's two paths for the top D = 2 triplets of a structure over
// an iid bulk (structured, g = 1, s = 6, 3) at N = 1000: "lanczos" is Align as the analysis
// runs it (AlignSV with the singular values it already has), "thin" the thin SVD of all N
// triplets it replaced.
func BenchmarkAlign(b *testing.B) {
	const n = 1000
	js := structured(n, 1, []float64{6, 3}, newRand(6))
	sv, err := SingularValues(js)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("lanczos", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, _, ok := topSingular(js, sv, 2); !ok {
				b.Fatal("not verified")
			}
		}
	})
	b.Run("thin", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var svd mat.SVD
			if !svd.Factorize(js, mat.SVDThin) {
				b.Fatal("no convergence")
			}
		}
	})
}
