package model_test

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
)

// Simulate the reference network without noise under a constant input and read the
// balance of its initial couplings: N·mean(J) = −b·J₀·(N−1)/N with a zero diagonal.
func ExampleSimulate() {
	net := model.DefaultSettings() // N = 100, ReLU, g = 0.032, b = J₀ = 1 (docs/science.md §1.6)
	sim := model.DefaultSimSettings()
	sim.Sigma = 0
	sp, err := model.NewSpec(net, sim, 1, 1, 1, 0)
	if err != nil {
		panic(err)
	}
	p, err := model.NewParams(net, 1, 1, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		panic(err)
	}
	input := make([]float64, sp.InputLen())
	for i := range input {
		input[i] = 1 // I(t) = I₀ = 1
	}
	tr := model.Simulate(sp, p, mat.NewDense(net.N, 1, nil), input, nil)
	n := float64(net.N)
	fmt.Printf("N·mean(J) = %.2f\n", mat.Sum(p.J)/n)
	// In the balanced state the population rate ν ≈ bI₀/(1 + bJ₀) = 0.5 (docs/science.md §7.6).
	fmt.Printf("readout after %d steps: %.1f\n", sp.Steps, tr.Out[sp.Steps].At(0, 0))
	// Output:
	// N·mean(J) = -0.99
	// readout after 50 steps: 0.5
}

// Find the fixed point of the reference network under the constant input I₀ = 1 with
// Newton's method and linearize there: the mean rate is close to bI₀/(1 + bJ₀) = 0.5
// (docs/science.md §7.6) and the network is stable (Re λ < 1).
func ExampleFixedPoint() {
	net := model.DefaultSettings()
	sp, err := model.NewSpec(net, model.DefaultSimSettings(), 1, 1, 1, 0)
	if err != nil {
		panic(err)
	}
	p, err := model.NewParams(net, 1, 1, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		panic(err)
	}
	fp, err := model.FixedPoint(sp, p, 1, model.FixedPointSettings{})
	if err != nil {
		panic(err)
	}
	var rate float64
	for _, h := range fp.H {
		rate += sp.Phi.F(h) / float64(net.N)
	}
	lam, err := model.LeadingEigenvalue(sp, p, fp.H)
	if err != nil {
		panic(err)
	}
	fmt.Printf("ν* = %.2f, residual below 1e-12: %v, stable: %v\n", rate, fp.Residual < 1e-12, real(lam) < 1)
	// Output:
	// ν* = 0.50, residual below 1e-12: true, stable: true
}
