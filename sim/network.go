package sim

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
)

// Network is the rate network a simulation integrates (docs/science.md §1.1):
//
//	τ dh/dt = −h + J φ(h) + Offset + (B/S)·W_in·I(t) + ξ(t).
//
// J carries the whole coupling, mean part −b·J₀/N included (model.NewParams builds it so);
// B only scales the input, as in model. Win and Wout may be nil: a nil Win means W_in = 1
// (every unit receives (B/S)·Σ_s I_s), a nil Wout records no readouts.
type Network struct {
	J    *mat.Dense // N×N couplings, J_ij from unit j onto unit i
	Win  *mat.Dense // N×S input weights (nil: all ones)
	Wout *mat.Dense // R_out×N readout weights (nil: no readouts)
	Phi  model.Phi  // nonlinearity φ
	Tau  float64    // time constant τ (0 means 1)
	B    float64    // balance parameter b: the input gain is B/S
	// Offset is a constant external input per unit (length N; nil means zero). It is where
	// the untrained model bias and any constant drive of a low-rank construction go.
	Offset []float64
}

// FromParams returns the network of trained or freshly drawn parameters p with the
// settings s they were built for (nonlinearity, τ, b); p.Bias becomes the Offset.
func FromParams(p *model.Params, s model.Settings) (Network, error) {
	phi, err := model.Lookup(s.Nonlinearity)
	if err != nil {
		return Network{}, err
	}
	var off []float64
	for _, v := range p.Bias {
		if v != 0 {
			off = append([]float64(nil), p.Bias...)
			break
		}
	}
	return Network{J: p.J, Win: p.Win, Wout: p.Wout, Phi: phi, Tau: s.Tau, B: s.B, Offset: off}, nil
}

// N returns the number of units.
func (nw Network) N() int {
	n, _ := nw.J.Dims()
	return n
}

// Readouts returns the number of rows of Wout (0 when it is nil).
func (nw Network) Readouts() int {
	if nw.Wout == nil {
		return 0
	}
	r, _ := nw.Wout.Dims()
	return r
}

func (nw Network) tau() float64 {
	if nw.Tau == 0 {
		return 1
	}
	return nw.Tau
}

// check panics on inconsistent shapes (a programmer error) and returns an error for a
// missing nonlinearity.
func (nw Network) check(channels int, proj [][]float64) error {
	if nw.J == nil {
		return fmt.Errorf("sim: network has no couplings J")
	}
	if nw.Phi.F == nil {
		return fmt.Errorf("sim: network has no nonlinearity φ")
	}
	r, c := nw.J.Dims()
	if r != c {
		panic(fmt.Sprintf("sim: J is %d×%d, want square", r, c))
	}
	n := r
	if nw.Win != nil {
		wr, wc := nw.Win.Dims()
		if wr != n || wc != channels {
			panic(fmt.Sprintf("sim: W_in is %d×%d, want N×S = %d×%d", wr, wc, n, channels))
		}
	}
	if nw.Wout != nil {
		if _, wc := nw.Wout.Dims(); wc != n {
			panic(fmt.Sprintf("sim: W_out has %d columns, want N = %d", wc, n))
		}
	}
	if nw.Offset != nil && len(nw.Offset) != n {
		panic(fmt.Sprintf("sim: len(Offset) = %d, want N = %d", len(nw.Offset), n))
	}
	for k, v := range proj {
		if len(v) != n {
			panic(fmt.Sprintf("sim: projection vector %d has length %d, want N = %d", k, len(v), n))
		}
	}
	if !(nw.tau() > 0) {
		return fmt.Errorf("sim: τ = %g, want > 0", nw.Tau)
	}
	return nil
}
