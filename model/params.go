package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Params are the network's parameters. J, W_in and W_out are trained; Bias is not (it is
// the reference code's untrained bias vector, zero by default, and is unrelated to the
// balance parameter b).
type Params struct {
	J    *mat.Dense // N×N recurrent couplings; J_ij is the weight from unit j onto unit i
	Win  *mat.Dense // N×S input weights
	Wout *mat.Dense // R×N readout weights
	Bias []float64  // N, untrained
}

// Dims returns the number of units N, of input signals S and of readouts R.
func (p *Params) Dims() (n, s, r int) {
	n, s = p.Win.Dims()
	r, _ = p.Wout.Dims()
	return n, s, r
}

// Clone returns a deep copy of p.
func (p *Params) Clone() *Params {
	return &Params{
		J:    mat.DenseCopyOf(p.J),
		Win:  mat.DenseCopyOf(p.Win),
		Wout: mat.DenseCopyOf(p.Wout),
		Bias: append([]float64(nil), p.Bias...),
	}
}

// NewParams draws initial parameters for S input signals and R readouts (docs/science.md §1.2,
// §2.3). For Init "gaussian"
//
//	J_ij = −b·J₀/N + (g/√N)·z_ij,
//
// for Init "ei" J_ij = M_ij + (g/√N)·z_ij with the block means M of MeanCoupling, for Init
// "lowrank" the same with M = Jˢ = L·S·Rᵀ of NewLowRank (docs/science.md §6.2); then
// W_in,is = μ_in + σ_in·z and W_out,ri = μ_out + σ_out·z, with z iid standard normal.
// With ZeroDiagonal, J_ii = 0. The draws are taken from rng in this order: J row-major,
// W_in row-major, W_out row-major.
func NewParams(s Settings, signals, outputs int, rng *rand.Rand) (*Params, error) {
	mean, err := MeanCoupling(s)
	if err != nil {
		return nil, err
	}
	n := s.N
	sd := s.G / math.Sqrt(float64(n))
	J := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			J.Set(i, j, mean.At(i, j)+sd*rng.NormFloat64())
		}
	}
	if s.ZeroDiagonal {
		ZeroDiagonal(J)
	}
	return &Params{
		J:    J,
		Win:  gaussian(n, signals, s.Win, rng),
		Wout: gaussian(outputs, n, s.Wout, rng),
		Bias: make([]float64, n),
	}, nil
}

// MeanCoupling returns the expected initial coupling matrix E[J_init]: −b·J₀/N everywhere
// for Init "gaussian"; for Init "ei" the block means J_xy/(N/2) (Scale "half", the reference
// code) or J_xy/N (Scale "full", the final appendix), with the first ⌊N/2⌋ units excitatory;
// for Init "lowrank" the constructed structure L·S·Rᵀ of NewLowRank.
// The diagonal is zero when ZeroDiagonal is set. J − (J_init − MeanCoupling) is the
// structured part Jˢ of docs/science.md §6.6.
func MeanCoupling(s Settings) (*mat.Dense, error) {
	n := s.N
	m := mat.NewDense(n, n, nil)
	switch s.Init {
	case InitGaussian:
		v := -s.B * s.J0 / float64(n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				m.Set(i, j, v)
			}
		}
	case InitEI:
		var div float64
		switch s.EI.Scale {
		case ScaleHalf:
			div = float64(n) / 2
		case ScaleFull:
			div = float64(n)
		default:
			return nil, fmt.Errorf("unknown E–I block scale %q (allowed: half, full)", s.EI.Scale)
		}
		ne := n / 2
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				var v float64
				switch {
				case i < ne && j < ne:
					v = s.EI.EE
				case i < ne:
					v = s.EI.EI
				case j < ne:
					v = s.EI.IE
				default:
					v = s.EI.II
				}
				m.Set(i, j, v/div)
			}
		}
	case "lowrank":
		lr, err := NewLowRank(s)
		if err != nil {
			return nil, err
		}
		m = lr.Structured()
	default:
		return nil, fmt.Errorf("unknown init %q (allowed: gaussian, ei, lowrank)", s.Init)
	}
	if s.ZeroDiagonal {
		ZeroDiagonal(m)
	}
	return m, nil
}

// ZeroDiagonal sets the diagonal of the square matrix m to zero.
func ZeroDiagonal(m *mat.Dense) {
	r, _ := m.Dims()
	for i := 0; i < r; i++ {
		m.Set(i, i, 0)
	}
}

func gaussian(r, c int, d Gaussian, rng *rand.Rand) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, d.Mean+d.Std*rng.NormFloat64())
		}
	}
	return m
}
