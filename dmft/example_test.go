package dmft_test

import (
	"context"
	"fmt"
	"math"

	"github.com/balnet/balnet/dmft"
)

// The static balanced solution of the public code's setting (b = √N, N = 5000, g = 2).
func ExampleStaticBalanced() {
	s, err := dmft.StaticBalanced(2, math.Sqrt(5000), 1, 1)
	if err != nil {
		panic(err)
	}
	fmt.Printf("x = %.5f, c0 = %.3f, m0 = %.3f\n", s.X, s.C0, s.M0)
	// Output:
	// x = -0.40523, c0 = 20.125, m0 = -1.818
}

// Solve the DMFT of an uncoupled (g = 0) balanced network driven by a step of the input:
// c(t,t) is the Euler value σ²/(2−Δt), and ν(5τ) solves the stationary mean equation
// m + bJ₀ν = bI with ν = √c·G(m/√c) (0.966 for I = 1.2 by hand).
func ExampleSolve() {
	p := dmft.Problem{Phi: dmft.ReLU{}, B: 4, J0: 1, Sigma: 1, I0: 1}
	in := make([]float64, 101)
	for n := range in {
		in[n] = 1.2 // I jumps from I₀ = 1 to 1.2 at t = 0
	}
	res, err := dmft.Solve(context.Background(), p, dmft.Grid{DT: 0.05, Band: 20}, in, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("c(t,t) = %.4f (σ²/(2−Δt) = %.4f)\n", res.Ctt[100], 1/(2-0.05))
	fmt.Printf("ν(0) = %.4f, ν(5τ) = %.4f\n", res.Nu[0], res.Nu[100])
	// Output:
	// c(t,t) = 0.5128 (σ²/(2−Δt) = 0.5128)
	// ν(0) = 0.8451, ν(5τ) = 0.9665
}

// The bivariate normal orthant probability: Sheppard's P(z₁ > 0, z₂ > 0) = ¼ + arcsin(ρ)/(2π)
// at ρ = 0.5 is 1/3, and the CDF Φ₂(1, −0.5; 0.3) = BVN(−1, 0.5, 0.3) = 0.283138 (by an
// independent Simpson rule, 2·10⁵ points, of ∫_{−∞}^{1} φ_N(z)Φ((−0.5 − 0.3z)/√(1 − 0.09))dz).
func ExampleBVN() {
	fmt.Printf("%.6f %.6f\n", dmft.BVN(0, 0, 0.5), dmft.BVN(-1, 0.5, 0.3))
	// Output:
	// 0.333333 0.283138
}
