package dmft

import (
	"context"
	"fmt"
	"math"
)

// Problem is the network the mean-field theory describes (docs/science.md §1.1, §5.1), in
// units of τ.
type Problem struct {
	Phi   Integrals // Gaussian integrals of φ
	G     float64   // std·√N of the random couplings J̃
	B     float64   // balance b
	J0    float64   // mean-coupling strength J₀
	Sigma float64   // independent noise σ: ⟨ξξ⟩ = τσ²δ
	I0    float64   // constant input of the relaxation before the path
	// N > 0 with ZeroDiagonal replaces J₀ by J₀(N−1)/N in the mean equation (the mean
	// coupling of a zero-diagonal J, docs/science.md §1.4). The finite-size noise is
	// passed to Solve separately.
	N            int
	ZeroDiagonal bool
}

// Grid is the time grid of the scheme.
type Grid struct {
	DT    float64 // step Δt; 0 means 2⁻⁴ (the public code's grid)
	Band  int     // band width in steps: c(t,s) is kept for |t−s| ≤ Band·Δt; 0 means 2⁹
	Relax float64 // duration of the relaxation at constant input I₀ before the path; 0 means 20τ
	// Implicit selects the linearly implicit (Rosenbrock–Euler) step for m, stable for
	// any b·J₀·χ·Δt; otherwise the explicit Euler step of the network itself is used.
	Implicit bool
}

func (g Grid) dt() float64 {
	if g.DT == 0 {
		return 1.0 / 16
	}
	return g.DT
}

func (g Grid) band() int {
	if g.Band == 0 {
		return 512
	}
	return g.Band
}

func (g Grid) relaxSteps() int {
	r := g.Relax
	if r == 0 {
		r = 20
	}
	return int(math.Round(r / g.dt()))
}

// Result is the solution on the path's grid t_n = n·Δt, n = 0 … len(input)−1.
type Result struct {
	DT    float64
	Input []float64 // I(t_n)
	M     []float64 // m(t_n)
	Nu    []float64 // ν(t_n) = E[φ(m + h̃)]
	Ctt   []float64 // c(t_n, t_n)
	// AutoCorr[k] is c(t, t + kΔt), k = 0 … Band, averaged over the path's grid points.
	AutoCorr []float64
	// Last[k] is c(t_end − kΔt, t_end) at the last grid point.
	Last []float64
	// Evals counts the two-time quadratures q(t,s) done (relaxation included).
	Evals int
}

// Solve integrates the non-stationary DMFT (docs/science.md §5.1 Eqs. 9–13) driven by the
// input path I(t_n) = input[n], with the scheme of §5.3 adapted as in §5.4 (τ = 1,
// n₁ ≤ n₂):
//
//	c(n₂+1,n₂+1) = (1−Δt)²c(n₂,n₂) + 2(1−Δt)Δt·r(n₂,n₂) + Δt²g²E[φ²](n₂) + σ²Δt
//	c(n₁,n₂+1)   = (1−Δt)c(n₁,n₂) + Δt·r(n₁,n₂)
//	q(n₁,n₂+1)   = g²·E[φ(h(n₁))φ(h(n₂+1))]                                (Eq. 10)
//	r(n₁+1,n₂+1) = (1−Δt)r(n₁,n₂+1) + Δt·q(n₁,n₂+1),  r = q at the band edge
//	m(n+1)       = m(n) + Δt(−m(n) − bJ₀ν(n) + bI(n+1)) + ζ_n               (Eq. 13)
//
// These are the exact second moments of the Euler-discretized Gaussian process of Eq. 9,
// so the solution is the N → ∞ limit of the Euler–Maruyama network with step Δt (input
// index n+1 in the step n → n+1, as in docs/science.md §1.1). With Implicit, the m step is
// linearly implicit: m(n+1) = m(n) + (Δt·f + ζ_n)/(1 − Δt·∂f/∂m), ∂f/∂m = −1 − bJ₀χ(n).
//
// Band edge: the public code sets r = 0 there; here r = q at the edge, the value of
// r = ∫e^{−(t−u)}q(u,s)du when q is flat beyond the band. This is exact for the plateau
// q(∞) = g²E[φ]² ≠ 0 that the static (quenched) part of h̃ gives, whereas r = 0 biases
// r(t,t) by q(∞)·e^{−Band·Δt} (2% for a band of 4τ).
//
// zeta, when not nil, holds the finite-size increments ζ_n (len(input)−1 values, see
// FiniteSize); the relaxation runs without them.
//
// The state starts from the static balanced solution (ReLU, g > 0; c₀ + σ²/2) or from
// c = σ²/(2−Δt) with m solving the stationary mean equation, c(t,s) = c₀ in the band and
// r = 0, and then relaxes for grid.Relax at constant input I₀ before t = 0. The history
// before the start is taken constant. Cost: Band quadratures per step; memory O(Band +
// steps). A non-finite or non-positive variance is returned as an error (blow-up). ctx is
// polled every step.
func Solve(ctx context.Context, p Problem, grid Grid, input, zeta []float64) (*Result, error) {
	dt, bw, nr := grid.dt(), grid.band(), grid.relaxSteps()
	if len(input) < 1 {
		return nil, fmt.Errorf("dmft: empty input path")
	}
	if zeta != nil && len(zeta) != len(input)-1 {
		return nil, fmt.Errorf("dmft: %d finite-size increments, want len(input)−1 = %d", len(zeta), len(input)-1)
	}
	j0 := p.J0
	if p.ZeroDiagonal && p.N > 0 {
		j0 *= float64(p.N-1) / float64(p.N)
	}
	total := nr + len(input)
	// History arrays with bw entries of constant pre-history: index n+bw is time n.
	m := make([]float64, total+bw)
	ctt := make([]float64, total+bw)
	m0, c0 := initial(p, j0, dt)
	for i := 0; i <= bw; i++ {
		m[i], ctt[i] = m0, c0
	}
	C := make([]float64, bw+1)
	R := make([]float64, bw+1)
	Q := make([]float64, bw+1)
	for k := range C {
		C[k] = c0
	}
	res := &Result{DT: dt, Input: append([]float64(nil), input...),
		M: make([]float64, len(input)), Nu: make([]float64, len(input)), Ctt: make([]float64, len(input)),
		AutoCorr: make([]float64, bw+1)}
	in := func(n int) float64 {
		if n < nr {
			return p.I0
		}
		return input[n-nr]
	}
	record := func(n int) {
		i := n - nr
		res.M[i], res.Ctt[i] = m[n+bw], ctt[n+bw]
		res.Nu[i] = p.Phi.Mean(m[n+bw], ctt[n+bw])
		for k, v := range C {
			res.AutoCorr[k] += v
		}
	}
	g2 := p.G * p.G
	a := 1 - dt
	if nr == 0 {
		record(0)
	}
	for n := 0; n+1 < total; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		mn, cn := m[n+bw], ctt[n+bw]
		cNew := a*a*C[0] + 2*a*dt*R[0] + dt*dt*g2*p.Phi.Second(mn, cn) + p.Sigma*p.Sigma*dt
		nu := p.Phi.Mean(mn, cn)
		f := -mn - p.B*j0*nu + p.B*in(n+1)
		var z float64
		if zeta != nil && n >= nr {
			z = zeta[n-nr]
		}
		step := dt*f + z
		if grid.Implicit {
			step /= 1 + dt*(1+p.B*j0*p.Phi.Slope(mn, cn))
		}
		m[n+1+bw], ctt[n+1+bw] = mn+step, cNew
		if !(cNew > 0) || math.IsInf(cNew, 0) || math.IsNaN(mn+step) || math.IsInf(mn+step, 0) {
			return nil, fmt.Errorf("dmft: blow-up at step %d (t = %.4g): c(t,t) = %v, m = %v", n+1, float64(n+1-nr)*dt, cNew, mn+step)
		}
		for k := bw; k >= 1; k-- {
			C[k] = a*C[k-1] + dt*R[k-1]
		}
		C[0] = cNew
		if g2 != 0 {
			m2, c2 := m[n+1+bw], cNew
			for k := 1; k <= bw; k++ {
				j := n + 1 - k + bw
				Q[k] = g2 * p.Phi.Corr(m[j], m2, ctt[j], c2, C[k])
			}
			res.Evals += bw
			R[bw] = Q[bw]
			for k := bw; k >= 1; k-- {
				R[k-1] = a*R[k] + dt*Q[k]
			}
		}
		if n+1 >= nr {
			record(n + 1)
		}
	}
	for k := range res.AutoCorr {
		res.AutoCorr[k] /= float64(len(input))
	}
	res.Last = append([]float64(nil), C...)
	return res, nil
}

// initial returns the starting m and c(t,t) of Solve (see there).
func initial(p Problem, j0, dt float64) (m0, c0 float64) {
	c0 = p.Sigma * p.Sigma / (2 - dt)
	if _, ok := p.Phi.(ReLU); ok && p.G > 0 {
		if s, err := StaticBalanced(p.G, p.B, j0, p.I0); err == nil {
			c0 = s.C0 + p.Sigma*p.Sigma/2
		}
	}
	if p.G > 0 && c0 < 1e-6 {
		c0 = 1e-6
	}
	// The stationary mean equation m + bJ₀ν(m, c₀) = bI₀ is increasing in m for J₀ ≥ 0.
	h := func(m float64) float64 { return m + p.B*j0*p.Phi.Mean(m, c0) - p.B*p.I0 }
	lo, hi := -1e6, 1e6
	if j0 < 0 || h(lo) > 0 || h(hi) < 0 {
		return p.B * p.I0, c0
	}
	for i := 0; i < 200; i++ {
		mid := 0.5 * (lo + hi)
		if h(mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return 0.5 * (lo + hi), c0
}
