package dmft

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/balnet/balnet/tasks"
)

func ouPath(n int, dt float64, seed uint64) []float64 {
	in := make([]float64, n)
	tasks.OU{Channels: 1, DT: dt, TauS: 1, I0: 1, I1: 0.1, Stationary: true}.Fill(in, n, 1, rand.New(rand.NewPCG(seed, 1)))
	return in
}

// g = 0 (docs/science.md §5.4): c(t,t) = σ²/(2−Δt) exactly (the Euler fixed point),
// c(t, t+kΔt) = σ²/(2−Δt)·(1−Δt)^k exactly, and within O(Δt) of (σ²/2)e^{−kΔt}.
func TestSolveUncoupled(t *testing.T) {
	const dt, sigma = 0.05, 0.7
	p := Problem{Phi: ReLU{}, B: 2, J0: 1, Sigma: sigma, I0: 1}
	res, err := Solve(context.Background(), p, Grid{DT: dt, Band: 100, Relax: 40}, ouPath(400, dt, 3), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := sigma * sigma / (2 - dt)
	for n, c := range res.Ctt { // relaxation 40τ: transient (1−Δt)^1600 ≈ 1e-36
		if !scalar.EqualWithinAbsOrRel(c, want, 1e-13, 1e-13) {
			t.Fatalf("c(t,t) at n = %d: got %.15g, want σ²/(2−Δt) = %.15g", n, c, want)
		}
	}
	for k, c := range res.AutoCorr {
		if w := want * math.Pow(1-dt, float64(k)); !scalar.EqualWithinAbsOrRel(c, w, 1e-12, 1e-12) {
			t.Errorf("c(τ′ = %dΔt): got %.15g, want %.15g", k, c, w)
		}
		// (1−Δt)^k/(1−Δt/2) vs e^{−kΔt}: relative difference ≤ Δt/2 + kΔt²/2 to first order.
		cont := sigma * sigma / 2 * math.Exp(-float64(k)*dt)
		if tol := (dt/2 + float64(k)*dt*dt/2) * 1.1; math.Abs(c/cont-1) > tol {
			t.Errorf("c(τ′ = %dΔt) = %.6g, continuum %.6g: relative difference above %.3g", k, c, cont, tol)
		}
	}
	if res.Evals != 0 {
		t.Errorf("g = 0 needs no quadrature: got %d", res.Evals)
	}
}

// g = 0: the DMFT m(t) is the scalar SDE of docs/science.md §5.4,
// m(n+1) = m(n) + Δt(−m − bJ₀·√c·G(m/√c) + bI(n+1)) + ζ_n with c = σ²/(2−Δt), integrated
// here independently with the same input path and the same finite-size increments.
func TestSolveScalarSDE(t *testing.T) {
	const dt, sigma, b = 0.05, 1.0, 3.0
	p := Problem{Phi: ReLU{}, B: b, J0: 1, Sigma: sigma, I0: 1, N: 2000}
	in := ouPath(600, dt, 5)
	stat, err := Stationary(context.Background(), p, Grid{DT: dt, Band: 50, Relax: 40})
	if err != nil {
		t.Fatal(err)
	}
	zeta := NewFiniteSize(p, stat).Increments(p, p.N, dt, len(in)-1, rand.New(rand.NewPCG(9, 2)))
	res, err := Solve(context.Background(), p, Grid{DT: dt, Band: 50, Relax: 40}, in, zeta)
	if err != nil {
		t.Fatal(err)
	}
	c := sigma * sigma / (2 - dt)
	m := stat.M[len(stat.M)-1]
	m += dt * (-m - b*math.Sqrt(c)*G(m/math.Sqrt(c)) + b*in[0]) // the step onto t = 0
	for n := range in {
		if !scalar.EqualWithinAbsOrRel(res.M[n], m, 1e-12, 1e-12) {
			t.Fatalf("m at n = %d: got %.15g, want %.15g", n, res.M[n], m)
		}
		if n+1 < len(in) {
			nu := math.Sqrt(c) * G(m/math.Sqrt(c))
			m += dt*(-m-b*nu+b*in[n+1]) + zeta[n]
		}
	}
	// The white part has the exact variance σ²Δt/N per step.
	var v float64
	for _, z := range zeta {
		v += z * z
	}
	v /= float64(len(zeta))
	want := sigma * sigma * dt / 2000
	// 599 draws: relative sd of the sample variance √(2/599) = 0.058; 4 sd.
	if math.Abs(v/want-1) > 0.23 {
		t.Errorf("finite-size increment variance: got %.4g, want σ²Δt/N = %.4g", v, want)
	}
}

// Below the chaos onset without noise the scheme relaxes to the static balanced solution
// (docs/science.md §5.3 item 4), here with the public code's b = √5000, which needs the
// implicit step (bJ₀χΔt ≈ 70·0.5·0.0625 ≈ 2.2).
func TestSolveStatic(t *testing.T) {
	const g = 1.2
	b := math.Sqrt(5000)
	s, err := StaticBalanced(g, b, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	p := Problem{Phi: ReLU{}, G: g, B: b, J0: 1, I0: 1}
	res, err := Stationary(context.Background(), p, Grid{Band: 64, Relax: 60, Implicit: true})
	if err != nil {
		t.Fatal(err)
	}
	n := len(res.M) - 1
	// Relaxation: the slowest rate is 1 − g²Φ(x) ≈ 0.2/τ … e^{−12} ≈ 6e-6 of the start.
	if !scalar.EqualWithinRel(res.Ctt[n], s.C0, 1e-4) || !scalar.EqualWithinAbs(res.M[n], s.M0, 1e-4) {
		t.Errorf("relaxed (m, c) = (%.6f, %.6f), want static (%.6f, %.6f)", res.M[n], res.Ctt[n], s.M0, s.C0)
	}
}

// Chaotic stationary state (g = 2, σ = 0.1, b = 4; for b < 1.772 = −x/(J₀G(x)) no balanced state exists and the rates run away): the mean equation holds, c(τ′) falls
// monotonically from c(0) to a plateau c(∞) that is self-consistent, c(∞) = q(c(∞)).
func TestStationaryChaotic(t *testing.T) {
	p := Problem{Phi: ReLU{}, G: 2, B: 4, J0: 1, Sigma: 0.1, I0: 1}
	res, err := Stationary(context.Background(), p, Grid{DT: 1.0 / 8, Band: 128, Relax: 40})
	if err != nil {
		t.Fatal(err)
	}
	n := len(res.M) - 1
	m, c0 := res.M[n], res.Ctt[n]
	if got := m + p.B*p.J0*res.Nu[n] - p.B*p.I0; math.Abs(got) > 1e-3 { // relaxation 40τ leaves a slow drift (measured 7e-5)
		t.Errorf("stationary mean equation residual %v", got)
	}
	ac := res.AutoCorr
	for k := 1; k < len(ac); k++ {
		if ac[k] > ac[k-1]+1e-12 {
			t.Fatalf("c(τ′) increases at k = %d: %v > %v", k, ac[k], ac[k-1])
		}
	}
	// 12τ: well past the correlation time; the plateau is self-consistent to 2e-3 (measured,
	// limited by the residual drift of the 40τ relaxation), 1e-2 is the bound used.
	cInf := ac[len(ac)*3/4]
	if q := 4 * (ReLU{}).Corr(m, m, c0, c0, cInf); !scalar.EqualWithinRel(q, cInf, 1e-2) {
		t.Errorf("plateau c(∞) = %.6f, q(c(∞)) = %.6f", cInf, q)
	}
	if !(ac[0] > 1.05*cInf) {
		t.Errorf("no temporal fluctuations: c(0) = %v, c(∞) = %v", ac[0], cInf)
	}
	t.Logf("g = 2: m = %.5f, c0 = %.5f, ν = %.5f, c(∞) = %.5f", m, c0, res.Nu[n], cInf)
}

// The cost of one q(t,s) at a typical point of the g = 2 solution, by the closed form
// (the default) and by the adaptive quadrature of docs/science.md §5.2 (tolerance 1e-10).
func BenchmarkCorr(b *testing.B) {
	for _, c := range []struct {
		name string
		r    ReLU
	}{{"closed", ReLU{}}, {"quadrature", ReLU{Quadrature: true}}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var s float64
			for i := 0; i < b.N; i++ {
				s += c.r.Corr(-0.3, -0.35, 0.8, 0.82, 0.5+0.3*float64(i%7)/7)
			}
			_ = s
		})
	}
}

// The closed-form integrals reproduce the quadrature path's solution (g = 2, chaotic, with
// the finite-size term): the two differ per q by at most 3e-13 (TestReLUClosedForm) and
// the quadrature's tolerance 1e-10, and the scheme is contracting, so 1e-8 relative on m,
// ν and c(t,t) leaves a wide margin (measured difference logged).
func TestSolveClosedMatchesQuadrature(t *testing.T) {
	p := Problem{Phi: ReLU{}, G: 2, B: 4, J0: 1, Sigma: 0.1, I0: 1, N: 2000}
	const dt = 0.1
	grid := Grid{DT: dt, Band: 40, Relax: 5}
	in := ouPath(200, dt, 4)
	stat, err := Stationary(context.Background(), p, Grid{DT: dt, Band: 40, Relax: 30})
	if err != nil {
		t.Fatal(err)
	}
	zeta := NewFiniteSize(p, stat).Increments(p, p.N, dt, len(in)-1, rand.New(rand.NewPCG(3, 4)))
	a, err := Solve(context.Background(), p, grid, in, zeta)
	if err != nil {
		t.Fatal(err)
	}
	q := p
	q.Phi = ReLU{Quadrature: true}
	b, err := Solve(context.Background(), q, grid, in, zeta)
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for n := range in {
		for _, v := range [][2]float64{{a.M[n], b.M[n]}, {a.Nu[n], b.Nu[n]}, {a.Ctt[n], b.Ctt[n]}} {
			d := math.Abs(v[0]-v[1]) / math.Max(1, math.Abs(v[1]))
			worst = math.Max(worst, d)
			if d > 1e-8 {
				t.Fatalf("n = %d: closed form %.15g, quadrature %.15g", n, v[0], v[1])
			}
		}
	}
	t.Logf("largest relative difference of m, ν, c(t,t): %.3g", worst)
}

// The public code's grid: 2¹³ steps of 2⁻⁴τ, band 2⁹ (docs/science.md §5.3 item 1), g = 2.
func BenchmarkSolvePLOS(b *testing.B) {
	p := Problem{Phi: ReLU{}, G: 2, B: 4, J0: 1, Sigma: 0.1, I0: 1}
	in := ouPath(1<<13, 1.0/16, 1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		res, err := Solve(context.Background(), p, Grid{DT: 1.0 / 16, Band: 512, Relax: 1}, in, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Evals), "q-evals")
	}
}
