package sim

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// stateSink checks, at every record, Frame.Var against the variance computed directly
// from Frame.State, and keeps the last state and the mean of Var.
type stateSink struct {
	t       *testing.T
	n       int
	last    []float64
	varSum  float64
	records int
}

func (s *stateSink) Start(Layout) error { return nil }
func (s *stateSink) Record(f *Frame) error {
	for r := range f.Var {
		h := f.State[r*s.n : (r+1)*s.n]
		var m, v float64
		for _, x := range h {
			m += x / float64(s.n)
		}
		for _, x := range h {
			v += (x - m) * (x - m) / float64(s.n)
		}
		// Two summation orders of the same float64 numbers: agreement to rounding.
		if math.Abs(f.Var[r]-v) > 1e-12*math.Max(1, v) || math.Abs(f.Mean[r]-m) > 1e-12 {
			s.t.Fatalf("record %d realization %d: Var %v Mean %v, from State %v %v", f.Index, r, f.Var[r], f.Mean[r], v, m)
		}
		s.varSum += f.Var[r]
	}
	s.records += len(f.Var)
	s.last = append(s.last[:0], f.State...)
	return nil
}

// Frame.Var is the population variance of the state (the network's c(t,t)), Frame.State
// the state itself: for uncoupled linear units driven by a common constant input the
// variance is the Euler value σ²/(2−Δt) (docs/science.md §5.4), and the last State equals
// Result.Final.
func TestFrameVarState(t *testing.T) {
	const n, R, steps, dt, sigma = 400, 2, 2000, 0.2, 1.0
	nw := Network{J: mat.NewDense(n, n, nil), Phi: mustPhi(t, "linear"), B: 1}
	sink := &stateSink{t: t, n: n}
	res, err := Run(t.Context(), nw, constInput(0.5), Settings{DT: dt, Sigma: sigma, BurnIn: 100, Steps: steps, Realizations: R, State: true}, newRNG(3), sink)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range res.Final {
		if sink.last[k] != v {
			t.Fatalf("State[%d] = %v at the last record, Final %v", k, sink.last[k], v)
		}
	}
	got, want := sink.varSum/float64(sink.records), sigma*sigma/(2-dt)
	// Each record's variance over n units has relative std √(2/n); records are AR(1)
	// correlated with ρ = (1−Δt)², so the mean over records has relative std
	// √(2/n)·√((1+ρ)/((1−ρ)·records)); 5 of them.
	rho := (1 - dt) * (1 - dt)
	tol := 5 * math.Sqrt(2.0/n) * math.Sqrt((1+rho)/((1-rho)*float64(sink.records)))
	if math.Abs(got/want-1) > tol {
		t.Errorf("mean Var = %.4f, want σ²/(2−Δt) = %.4f within %.2f%%", got, want, 100*tol)
	}
	// Without Settings.State the frame carries no state.
	_, err = Run(t.Context(), nw, constInput(0.5), Settings{DT: dt, Sigma: sigma, Steps: 3}, newRNG(3), sinkFunc(func(f *Frame) {
		if f.State != nil {
			t.Fatal("Frame.State set without Settings.State")
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
}

type sinkFunc func(*Frame)

func (s sinkFunc) Start(Layout) error    { return nil }
func (s sinkFunc) Record(f *Frame) error { s(f); return nil }
