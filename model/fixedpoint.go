package model

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// InitState names how the initial state of every trial is made: the type of
// sim.init_state (docs/science.md §1.5 item 8).
type InitState string

// The initial states. The empty string means InitRelax.
const (
	// InitRelax draws h ~ N(0, 1) from the relax stream and integrates the noise-free
	// dynamics under the constant input I₀ for sim.relax (round(sim.relax/Δt) steps; 0
	// keeps the random draw): the reference code's choice.
	InitRelax InitState = "relax"
	// InitZero starts every trial at h = 0; sim.relax is not used.
	InitZero InitState = "zero"
	// InitFixedPoint starts every trial at the fixed point h* of the noise-free dynamics
	// under the constant input I₀ (FixedPoint, Newton's method); sim.relax is not used.
	InitFixedPoint InitState = "fixed_point"
)

// InitStates lists the accepted initial states.
var InitStates = []InitState{InitRelax, InitZero, InitFixedPoint}

// Drive returns the constant drive of every unit under the constant input I_s = i0 on
// every channel: d_i = (b/S)·Σ_s W_in[i,s]·i0 + bias_i, as Relax uses it.
func Drive(sp Spec, p *Params, i0 float64) []float64 {
	n, _ := p.J.Dims()
	d := make([]float64, n)
	for i := range d {
		var s float64
		for k := 0; k < sp.S; k++ {
			s += p.Win.At(i, k) * i0
		}
		d[i] = sp.InputGain()*s + p.Bias[i]
	}
	return d
}

// Drift returns F(h) = −h + J·φ(h) + d, the noise-free right-hand side under the constant
// drive d (Drive) at the N-vector h: τ dh/dt = F(h). A fixed point is a zero of F.
func Drift(sp Spec, p *Params, h, d []float64) []float64 {
	n := len(h)
	phi := make([]float64, n)
	for i, v := range h {
		phi[i] = sp.Phi.F(v)
	}
	f := make([]float64, n)
	fv := mat.NewVecDense(n, f)
	fv.MulVec(p.J, mat.NewVecDense(n, phi))
	for i := range f {
		f[i] += d[i] - h[i]
	}
	return f
}

// RelaxCheck describes a relaxation watched by RelaxWatched: the largest |h_ik| before
// the first step, after half of the steps and after the last step done, the number of
// steps done (fewer than asked when the state left the limit), and the residual
// max_{i,k} |F(h_k)_i| of the noise-free drift at the end.
type RelaxCheck struct {
	Steps, Asked              int
	MaxStart, MaxHalf, MaxEnd float64
	Residual                  float64
}

// RelaxWatched is Relax, with the same steps (relaxStep: bit-identical while it runs),
// that also records the growth of the state and stops after the first step at
// which max|h| exceeds limit or some element is not finite (NaN or ±Inf). It returns what
// it saw; the caller decides what counts as divergence.
func RelaxWatched(sp Spec, p *Params, h *mat.Dense, i0, duration, limit float64) RelaxCheck {
	n, b := h.Dims()
	steps := int(math.Round(duration / sp.DT))
	c := RelaxCheck{Asked: steps, MaxStart: MaxAbs(h.RawMatrix().Data)}
	c.MaxHalf, c.MaxEnd = c.MaxStart, c.MaxStart
	drive := Drive(sp, p, i0)
	phi := mat.NewDense(n, b, nil)
	rec := mat.NewDense(n, b, nil)
	for t := 0; t < steps; t++ {
		worst := relaxStep(sp, p, h, phi, rec, drive)
		c.Steps, c.MaxEnd = t+1, worst
		if t+1 == (steps+1)/2 {
			c.MaxHalf = worst
		}
		if !(worst <= limit) {
			break
		}
	}
	for k := 0; k < b; k++ {
		f := Drift(sp, p, mat.Col(nil, k, h), drive)
		if r := MaxAbs(f); !(r <= c.Residual) {
			c.Residual = r
		}
	}
	return c
}

// MaxAbs returns max_i |x_i|, NaN if some element is NaN.
func MaxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		if a := math.Abs(v); !(a <= m) {
			m = a
		}
	}
	return m
}

// FixedPointSettings configures FixedPoint; the zero value means the defaults.
type FixedPointSettings struct {
	// Tol is the relative tolerance: converged when max|F(h)| ≤ Tol·(1 + max|d|)
	// (default 1e-10: float64 Newton reaches the rounding level of F, about 1e-15·|d|·cond).
	Tol float64
	// MaxIter is the maximum number of Newton steps (default 100).
	MaxIter int
}

// FixedPointResult is what FixedPoint found: the N-vector h*, the number of Newton steps,
// and the residual max|F(h*)|.
type FixedPointResult struct {
	H        []float64
	Iter     int
	Residual float64
}

// ErrNoFixedPoint is wrapped by the errors of FixedPoint when Newton's method fails.
var ErrNoFixedPoint = errors.New("no fixed point found")

// FixedPoint solves F(h*) = −h* + J·φ(h*) + d = 0 for the noise-free dynamics under the
// constant input I_s = i0 (d = Drive(sp, p, i0)) with Newton's method, damped by
// backtracking: from h₀ = d (the fixed point of the uncoupled network),
//
//	(−I + J·diag(φ′(h_k)))·δ = −F(h_k),   h_{k+1} = h_k + α·δ,
//
// with α the largest of 1, ½, ¼, … (down to 2⁻³⁰) that lowers ‖F‖₂ by the Armijo factor
// 1 − 10⁻⁴α. ReLU makes F piecewise linear, and ‖F‖ can have local minima that are not
// zeros (chaotic networks, g ≳ √2); when the direct iteration fails, FixedPoint continues
// from the uniform network M (every off-diagonal coupling the mean of J) along
// J(s) = M + s·(J − M), s = 0 → 1 with adaptive steps, each Newton solve started from the
// previous solution. The linearization J·diag(φ′(h*)) at the result is what the figure captions
// call "linearized at the fixed point" (docs/science.md §1.5 item 14, §3.1). An error
// wrapping ErrNoFixedPoint says why Newton failed (a singular Jacobian, a stalled line
// search, non-finite values or too many steps) with the residual reached. A fixed point
// found is not necessarily stable: see the eigenvalues of J·diag(φ′(h*)).
func FixedPoint(sp Spec, p *Params, i0 float64, s FixedPointSettings) (FixedPointResult, error) {
	tol, maxIter := s.Tol, s.MaxIter
	if tol <= 0 {
		tol = 1e-10
	}
	if maxIter <= 0 {
		maxIter = 100
	}
	d := Drive(sp, p, i0)
	res, err := newton(sp, p, d, d, tol, maxIter)
	if err == nil {
		return res, nil
	}
	// Continuation: from the uniform network M (every off-diagonal coupling the mean one of
	// J, J's diagonal kept), whose fixed point Newton finds from d, along
	// J(s) = M + s·(J − M) to s = 1, each solve started from the previous solution.
	n := len(d)
	var mean float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j {
				mean += p.J.At(i, j)
			}
		}
	}
	if n > 1 {
		mean /= float64(n * (n - 1))
	}
	q := *p
	q.J = mat.NewDense(n, n, nil)
	at := func(s float64) *Params {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				m := mean
				if i == j {
					m = p.J.At(i, i)
				}
				q.J.Set(i, j, m+s*(p.J.At(i, j)-m))
			}
		}
		return &q
	}
	h := d
	sNow, ds := 0.0, 0.25
	for sNow < 1 && ds >= 1e-4 {
		next := math.Min(1, sNow+ds)
		r, cerr := newton(sp, at(next), d, h, tol, maxIter)
		if cerr != nil {
			ds /= 2
			continue
		}
		h, sNow, ds = r.H, next, ds*1.5
	}
	if sNow < 1 {
		return res, fmt.Errorf("%w (continuation from the uniform network also failed, at s = %.4g of 1)", err, sNow)
	}
	return newton(sp, p, d, h, tol, maxIter)
}

// newton is FixedPoint's damped Newton iteration from h0.
func newton(sp Spec, p *Params, d, h0 []float64, tol float64, maxIter int) (FixedPointResult, error) {
	n := len(d)
	h := append([]float64(nil), h0...)
	f := Drift(sp, p, h, d)
	target := tol * (1 + MaxAbs(d))
	jac := mat.NewDense(n, n, nil)
	var lu mat.LU
	delta := mat.NewVecDense(n, nil)
	res := FixedPointResult{H: h}
	for k := 0; ; k++ {
		res.Iter, res.Residual = k, MaxAbs(f)
		if math.IsNaN(res.Residual) || math.IsInf(res.Residual, 0) {
			return res, fmt.Errorf("model: %w: Newton's iterate is not finite after %d steps", ErrNoFixedPoint, k)
		}
		if res.Residual <= target {
			return res, nil
		}
		if k == maxIter {
			return res, fmt.Errorf("model: %w: Newton did not converge in %d steps (residual max|F| = %.3g, want ≤ %.3g)", ErrNoFixedPoint, maxIter, res.Residual, target)
		}
		// Jacobian −I + J·diag(φ′(h)).
		for i := 0; i < n; i++ {
			row := jac.RawRowView(i)
			for j := 0; j < n; j++ {
				row[j] = p.J.At(i, j) * sp.Phi.D(h[j])
			}
			row[i]--
		}
		lu.Factorize(jac)
		if err := delta.SolveVec(&lu, mat.NewVecDense(n, floats.ScaleTo(make([]float64, n), -1, f))); err != nil {
			var cond mat.Condition
			if !errors.As(err, &cond) || lu.Det() == 0 {
				return res, fmt.Errorf("model: %w: the Jacobian −I + J·diag(φ′) is singular at Newton step %d (residual %.3g)", ErrNoFixedPoint, k, res.Residual)
			}
		}
		norm := floats.Norm(f, 2)
		next := make([]float64, n)
		accepted := false
		for alpha := 1.0; alpha >= 0x1p-30; alpha /= 2 {
			floats.AddScaledTo(next, h, alpha, delta.RawVector().Data)
			fn := Drift(sp, p, next, d)
			if nn := floats.Norm(fn, 2); nn <= (1-1e-4*alpha)*norm {
				copy(h, next)
				f = fn
				accepted = true
				break
			}
		}
		if !accepted {
			return res, fmt.Errorf("model: %w: Newton's line search stalled at step %d (residual max|F| = %.3g, want ≤ %.3g)", ErrNoFixedPoint, k, res.Residual, target)
		}
	}
}

// LeadingEigenvalue returns the eigenvalue of largest real part of J·diag(φ′(h)) for the
// N-vector h (docs/science.md §3.1): its real part above 1 means that the noise-free
// continuous dynamics is linearly unstable at h; the Euler map multiplies its mode by
// |1 + (Δt/τ)(λ − 1)| per step (docs/science.md §1.6).
func LeadingEigenvalue(sp Spec, p *Params, h []float64) (complex128, error) {
	n := len(h)
	m := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			m.Set(i, j, p.J.At(i, j)*sp.Phi.D(h[j]))
		}
	}
	var eig mat.Eigen
	if !eig.Factorize(m, mat.EigenNone) {
		return 0, fmt.Errorf("model: eigendecomposition of J·diag(φ′) failed")
	}
	vals := eig.Values(nil)
	best := vals[0]
	for _, v := range vals[1:] {
		if real(v) > real(best) {
			best = v
		}
	}
	return best, nil
}
