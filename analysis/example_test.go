package analysis_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/analysis"
)

// The initial balanced coupling J = −(bJ₀/N)·11ᵀ + J̃, J̃_ij ~ N(0, g²/N) (docs/science.md §1.2)
// has one outlier at ≈ −bJ₀ and a circular bulk of radius ≈ g (§3.1).
func ExampleEigenvalues() {
	const (
		n     = 400
		b, j0 = 1.0, 1.0
		g     = 0.3
	)
	rng := rand.New(rand.NewPCG(1, 2))
	J := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			J.Set(i, j, -b*j0/n+g/math.Sqrt(n)*rng.NormFloat64())
		}
	}
	eig, err := analysis.Eigenvalues(J)
	if err != nil {
		fmt.Println(err)
		return
	}
	out := analysis.Outliers(eig, 1)[0]
	_, radius := analysis.BulkRadius(eig, 1)
	fmt.Printf("outlier %.2f, balance %.2f, bulk radius %.2f\n", real(out), analysis.Balance(J, j0), radius)
	// Output:
	// outlier -1.01, balance 1.01, bulk radius 0.30
}

func ExampleOutliers() {
	eig := []complex128{0.1, complex(-0.2, 0.1), -4, complex(-0.2, -0.1), -1}
	fmt.Println(analysis.Outliers(eig, 2))
	// Output:
	// [(-4+0i) (-1+0i)]
}

func ExampleKMeans() {
	// Two groups of neurons described by their input weights (rows of W_in, docs/science.md §3.3).
	win := mat.NewDense(6, 2, []float64{
		1.9, 0.1,
		0.1, 2.1,
		2.0, 0.0,
		0.0, 1.9,
		2.1, 0.1,
		0.1, 2.0,
	})
	labels, inertia := analysis.KMeans(win, 2, 3, rand.New(rand.NewPCG(1, 2)))
	fmt.Println(labels, math.Round(inertia*1000)/1000)
	fmt.Println(analysis.SortByCluster(labels))
	// Output:
	// [0 1 0 1 0 1] 0.053
	// [0 2 4 1 3 5]
}

// A rank-one structure s·u·vᵀ whose row space v = cos θ·u + sin θ·w is tilted by θ = 60°
// from its column space u (docs/science.md §6.7): γ = cos θ, eigenvalue s·cos θ, and
// ‖J_EF‖_F/‖Jˢ‖_F = sin θ.
func ExampleAlign() {
	const (
		n = 4
		s = 2.0
	)
	u := mat.NewVecDense(n, []float64{1, 0, 0, 0})
	v := mat.NewVecDense(n, []float64{0.5, math.Sqrt(3) / 2, 0, 0})
	js := mat.NewDense(n, n, nil)
	js.Outer(s, u, v)

	al, err := analysis.Align(js, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("γ = %.3f, θ = %.1f°, EF ratio = %.3f, eig = %.3f\n",
		al.Gamma[0], al.Theta[0]*180/math.Pi, al.EFRatio, real(al.EigSA[0]))
	// Output:
	// γ = 0.500, θ = 60.0°, EF ratio = 0.866, eig = 1.000
}
