package tasks

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ref is the reference OU setting of docs/science.md §1.6 (τ_S = 0.1, I₀ = 1, I₁ = 0.1) at the
// reference step Δt = 0.2.
var ref = OU{Channels: 1, DT: 0.2, TauS: 0.1, I0: 1, I1: 0.1}

func TestOUDefaults(t *testing.T) {
	task, err := New(DefaultSettings(), 0.2, nil) // Δt = 0.2: docs/science.md §1.6
	if err != nil {
		t.Fatal(err)
	}
	o, ok := task.(OU)
	if !ok {
		t.Fatalf("got task %T, want OU", task)
	}
	if o != ref {
		t.Errorf("got %+v, want %+v", o, ref)
	}
	// docs/science.md §1.3 defaults, quoted to 6 digits: a = e⁻² = 0.135335, innovation std
	// 0.221550, stationary variance 0.050000 = I₁²/(2τ_S) = 0.01/0.2.
	const tol6 = 5e-7 // half a unit in the 6th decimal
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"a", o.Decay(), 0.135335, tol6},
		{"a", o.Decay(), math.Exp(-2), 1e-16},
		{"innovation std", o.InnovationStd(), 0.221550, tol6},
		{"Var", o.Var(), 0.05, 1e-16},
		{"Std", o.Std(), math.Sqrt(0.05), 1e-16},
		// The discretization is stationary at the continuous variance: c²/(1 − a²) = I₁²/(2τ_S).
		{"c²/(1−a²)", o.InnovationStd() * o.InnovationStd() / (1 - o.Decay()*o.Decay()), 0.05, 1e-15},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s: got %.9g, want %.9g ± %g", c.name, c.got, c.want, c.tol)
		}
	}
}

func TestOUConverters(t *testing.T) {
	// docs/science.md §1.3: for τ_S = 0.1, I₁ = 0.1 gives Var = 0.05 in the Julia convention.
	if got, want := JuliaI1(math.Sqrt(0.05), 0.1), 0.1; math.Abs(got-want) > 1e-16 {
		t.Errorf("JuliaI1(√0.05, 0.1): got %v, want %v", got, want)
	}
	// Paper-spectra convention: Var = I₁²/2, so I₁ = std·√2 (docs/science.md §1.3 table).
	if got, want := PaperI1(0.5), 0.5*math.Sqrt2; got != want {
		t.Errorf("PaperI1(0.5): got %v, want %v", got, want)
	}
	// The two conventions coincide for τ_S = τ = 1 (docs/science.md §1.3).
	if got, want := JuliaI1(0.3, 1), PaperI1(0.3); got != want {
		t.Errorf("JuliaI1(0.3, 1): got %v, want PaperI1(0.3) = %v", got, want)
	}
	// Round trip: an OU with I₁ = JuliaI1(std, τ_S) has stationary std std.
	for _, tauS := range []float64{0, 0.1, 0.37, 1, 3} {
		o := OU{TauS: tauS, I1: JuliaI1(0.7, tauS)}
		if got, want := o.Std(), 0.7; math.Abs(got-want) > 1e-15 {
			t.Errorf("τ_S = %v: Std of OU{I1: JuliaI1(0.7, τ_S)}: got %v, want %v", tauS, got, want)
		}
	}
}

// TestOUStatistics checks the stationary variance I₁²/(2τ_S) and the lag-k autocorrelation
// a^k = e^{−kΔt/τ_S} of the exact discretization (docs/science.md §7 item 1) at the two step
// sizes of the paper's figures (Δt = 0.2 and 0.05, docs/science.md §2.1), and of white samples
// (τ_S = 0: Var I₁², no correlation).
//
// Tolerance. With the stationary start every one of the n = trials·steps samples x = I − I₀
// is N(0, σ²) and the trials are independent; within a trial ρ_k = a^|k|. The estimators,
// centred at the known mean I₀, are v = Σx²/n and r_k = (Σ_pairs x_t x_{t+k}/n_k)/v. For a
// Gaussian AR(1) (Bartlett's formulas, up to O(1/steps) edge terms that only lower them)
//
//	SE(v)   = σ²·√((2/n)·Σ_j ρ_j²) = σ²·√((2/n)·(1+a²)/(1−a²)),
//	SE(r_k) = √(((1+a²)(1−a^{2k})/(1−a²) − 2k·a^{2k})/n).
//
// The test allows 5 standard errors (two-sided false-alarm rate 6e-7 per check). With
// n = 10⁶, SE(v)/σ² ≈ 0.002 and SE(r_1) ≈ 0.0008 (Δt = 0.05, a = e^{−1/2}).
func TestOUStatistics(t *testing.T) {
	const (
		steps, trials = 1000, 1000
		n             = steps * trials
		nsd           = 5 // tolerance in standard errors
	)
	for i, c := range []struct{ dt, tauS float64 }{
		{0.2, 0.1},  // reference Δt and τ_S, docs/science.md §1.6
		{0.05, 0.1}, // Δt of Figs. 9–12, docs/science.md §2.1
		{0.2, 0},    // white samples, docs/science.md §1.3
	} {
		o := OU{Channels: 1, DT: c.dt, TauS: c.tauS, I0: 1, I1: 0.1, Stationary: true}
		x := make([]float64, n)
		o.Fill(x, steps, trials, rand.New(rand.NewPCG(uint64(i), 1)))
		for j := range x {
			x[j] -= o.I0
		}
		// x[t*trials+b] is step t of trial b (layout of Batch.Input with one channel).
		var sum2 float64
		for _, v := range x {
			sum2 += v * v
		}
		v := sum2 / n
		a := o.Decay()
		a2 := a * a
		want := o.Var()
		if c.tauS > 0 {
			if w := 0.1 * 0.1 / (2 * c.tauS); math.Abs(want-w) > 1e-15 {
				t.Errorf("Δt = %v: Var(): got %v, want I₁²/(2τ_S) = %v", c.dt, want, w)
			}
		}
		se := want * math.Sqrt(2/float64(n)*(1+a2)/(1-a2))
		if math.Abs(v-want) > nsd*se {
			t.Errorf("Δt = %v, τ_S = %v: sample variance: got %.6g, want %.6g ± %.2g (%d SE)",
				c.dt, c.tauS, v, want, nsd*se, nsd)
		}
		for k := 1; k <= 3; k++ {
			var cov float64
			for tt := 0; tt+k < steps; tt++ {
				for b := 0; b < trials; b++ {
					cov += x[tt*trials+b] * x[(tt+k)*trials+b]
				}
			}
			r := cov / float64(trials*(steps-k)) / v
			want := math.Exp(-float64(k) * c.dt / c.tauS) // e^{−kΔt/τ_S}; 0 for τ_S = 0
			a2k := math.Pow(a2, float64(k))
			se := math.Sqrt(((1+a2)*(1-a2k)/(1-a2) - 2*float64(k)*a2k) / n)
			if math.Abs(r-want) > nsd*se {
				t.Errorf("Δt = %v, τ_S = %v: lag-%d autocorrelation: got %.6g, want %.6g ± %.2g (%d SE)",
					c.dt, c.tauS, k, r, want, nsd*se, nsd)
			}
		}
	}
}

// TestOUReferenceStart checks that without Stationary every channel of every trial starts
// at I₀ exactly, as in the reference code (docs/science.md §1.3, §7 item 1), white case included.
func TestOUReferenceStart(t *testing.T) {
	for _, tauS := range []float64{0.1, 0} { // reference τ_S (§1.6) and white samples (§1.3)
		o := OU{Channels: 3, DT: 0.2, TauS: tauS, I0: 1.25, I1: 0.1}
		b := NewBatch(4, 3, 3, 5)
		o.Sample(b, rand.New(rand.NewPCG(1, 2)))
		for i, got := range b.InputAt(0) {
			if got != o.I0 {
				t.Errorf("τ_S = %v: input %d at t = 0: got %v, want I₀ = %v", tauS, i, got, o.I0)
			}
		}
		for i, got := range b.InputAt(1) {
			if got == o.I0 {
				t.Errorf("τ_S = %v: input %d at t = 1: got %v, want a fluctuating value", tauS, i, got)
			}
		}
	}
}

// TestOUDrawOrder replays the documented draw order (trial, channel, step; one normal per
// sample, the t = 0 draw discarded in the reference start) and the recursion of OU.
func TestOUDrawOrder(t *testing.T) {
	const steps, channels, trials = 5, 2, 3
	for _, o := range []OU{
		{Channels: channels, DT: 0.2, TauS: 0.1, I0: 1, I1: 0.1},
		{Channels: channels, DT: 0.05, TauS: 0.1, I0: -0.5, I1: 0.3, Stationary: true},
		{Channels: channels, DT: 0.2, TauS: 0, I0: 1, I1: 0.1},
		{Channels: channels, DT: 0.2, TauS: 0, I0: 1, I1: 0.1, Stationary: true},
	} {
		b := NewBatch(steps, channels, channels, trials)
		src := rand.New(rand.NewPCG(7, 8))
		o.Sample(b, src)

		rng := rand.New(rand.NewPCG(7, 8))
		var eps [trials][channels][steps]float64
		for tr := range trials {
			for s := range channels {
				for k := range steps {
					eps[tr][s][k] = rng.NormFloat64()
				}
			}
		}
		a, c := o.Decay(), o.InnovationStd()
		for tr := range trials {
			for s := range channels {
				x := 0.0
				if o.Stationary {
					x = o.Std() * eps[tr][s][0]
				}
				for k := range steps {
					if k > 0 {
						x = a*x + c*eps[tr][s][k]
					}
					i := (k*channels+s)*trials + tr
					if got, want := b.Input[i], o.I0+x; got != want {
						t.Errorf("%+v: input (t=%d, s=%d, b=%d): got %v, want %v", o, k, s, tr, got, want)
					}
					if got, want := b.Target[i], b.Input[i]; got != want {
						t.Errorf("%+v: target (t=%d, s=%d, b=%d): got %v, want the input %v", o, k, s, tr, got, want)
					}
				}
			}
		}
		// Exactly steps·channels·trials draws were consumed.
		if got, want := src.Uint64(), rng.Uint64(); got != want {
			t.Errorf("%+v: generator state after Sample: got next value %d, want %d", o, got, want)
		}
	}
}
