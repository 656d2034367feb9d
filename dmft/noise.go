package dmft

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// Stationary runs Solve at constant input I₀ (the relaxation of grid followed by Band+1
// grid points) and returns the result: its AutoCorr is the stationary c(τ′), τ′ = kΔt,
// k = 0 … Band, of the NeurIPS model with noise σ (docs/science.md §5.3–5.4). This is the
// "run the scheme to stationarity" route: the stationary state is the fixed point the
// non-stationary scheme relaxes to, with the same discretization as the driven solution.
// Convergence is checked: m and c(t,t) must change by less than 1e-3 (relative) over the
// last Band steps, otherwise an error says that the relaxation was too short.
func Stationary(ctx context.Context, p Problem, grid Grid) (*Result, error) {
	in := make([]float64, grid.band()+1)
	for i := range in {
		in[i] = p.I0
	}
	res, err := Solve(ctx, p, grid, in, nil)
	if err != nil {
		return nil, err
	}
	n := len(in) - 1
	for _, x := range [][]float64{res.M, res.Ctt} {
		if d := math.Abs(x[n] - x[0]); d > 1e-3*math.Max(1, math.Abs(x[n])) {
			return res, fmt.Errorf("dmft: not stationary after relax = %gτ: drift %.3g over the last %d steps (increase the relaxation)", grid.Relax, d, n)
		}
	}
	return res, nil
}

// FiniteSize holds the finite-size term ζ(t)/√N of Eq. 13 (docs/science.md §5.5) as
// increments of the Euler step of m. The construction (the paper leaves it unspecified):
//
//   - white part, exact: N^{−1/2}Σ_i ξ_i is white with ⟨ζζ⟩ = τσ²δ, so the increment over
//     one step is σ√Δt·ε_n/√N (ε_n standard normal). For g = 0 this is the exact finite-N
//     mean equation of docs/science.md §1.4.
//   - coloured part (g > 0): N^{−1/2}Σ_{ij}J̃_ij φ_j = Σ_j c_j φ_j/√N with column sums
//     c_j ~ N(0, g²) has autocovariance q(t,s) = g²E[φφ]. From the stationary solution,
//     its fluctuating part q(τ′) − q(∞) is replaced by an OU process u with the same
//     variance v = q(0) − q(∞) and the same integral, i.e. correlation time
//     τ_c = ∫₀^∞(q(τ′) − q(∞))dτ′/v (so its low-frequency power, which carries the
//     information, is right); the increment is Δt·u_n/√N. The static part q(∞) is a
//     frozen Gaussian offset u_∞ ~ N(0, q(∞)) per realization (increment Δt·u_∞/√N),
//     since the column sums are quenched.
//
// q(∞) is read at the band edge τ′ = Band·Δt. The draws are, in order: u_∞, u_0, then per
// step ε_n and the OU innovation.
type FiniteSize struct {
	V, TauC, QInf float64 // coloured variance, correlation time and static variance
}

// NewFiniteSize derives the coloured part from a stationary result (see Stationary).
func NewFiniteSize(p Problem, stat *Result) FiniteSize {
	if p.G == 0 {
		return FiniteSize{}
	}
	n := len(stat.M) - 1
	m, c0 := stat.M[n], stat.Ctt[n]
	g2 := p.G * p.G
	q := make([]float64, len(stat.AutoCorr))
	for k, c := range stat.AutoCorr {
		q[k] = g2 * p.Phi.Corr(m, m, c0, c0, c)
	}
	qInf := q[len(q)-1]
	v := q[0] - qInf
	var integral float64
	for k := 0; k+1 < len(q); k++ {
		integral += 0.5 * (q[k] + q[k+1] - 2*qInf) * stat.DT
	}
	fs := FiniteSize{V: v, QInf: qInf}
	if v > 0 {
		fs.TauC = integral / v
	}
	return fs
}

// Increments returns steps increments ζ_n of the m step for network size n (see
// FiniteSize), drawn from rng.
func (fs FiniteSize) Increments(p Problem, n int, dt float64, steps int, rng *rand.Rand) []float64 {
	out := make([]float64, steps)
	sq := 1 / math.Sqrt(float64(n))
	uInf := math.Sqrt(math.Max(fs.QInf, 0)) * rng.NormFloat64()
	u := math.Sqrt(math.Max(fs.V, 0)) * rng.NormFloat64()
	a, s := 0.0, 0.0
	if fs.TauC > 0 {
		a = math.Exp(-dt / fs.TauC)
		s = math.Sqrt(fs.V * -math.Expm1(-2*dt/fs.TauC))
	}
	for i := range out {
		out[i] = sq * (p.Sigma*math.Sqrt(dt)*rng.NormFloat64() + dt*(u+uInf))
		u = a*u + s*rng.NormFloat64()
	}
	return out
}
