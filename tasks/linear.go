package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Linear is the linear-transformation task of docs/science.md §2.2 ([F] Fig. 12): the inputs
// are the OU signals I_s(t), and the targets are
//
//	y_r(t) = Σ_s A_rs I_s(t),  r = 1, …, R,
//
// with a fixed R×S matrix A (n_out × n_in).
//
// docs/science.md §2.2 leaves open whether y is built from the full signals or from their
// fluctuations δI only (Target). By default ("full" or "") Linear uses the full signals
// I = I₀ + δI, offset included, as the reference code does for the tracking task
// (docs/science.md §1.5 item 1); with Target "fluctuation" the targets are
//
//	y_r(t) = Σ_s A_rs (I_s(t) − I₀) = Σ_s A_rs δI_s(t),
//
// computed as A·I − I₀·A·1 (equal to A·δI up to rounding).
type Linear struct {
	OU     OU
	A      *mat.Dense // R×S
	Target Target     // "full" ("") or "fluctuation"
}

// NewLinear returns the linear task on the signals of ou with outputs readouts and a
// matrix A drawn once, A_rs ~ N(0, 1/S) iid (variance 1/n_in, the convention recommended in
// docs/science.md §2.2; [F] writes N(0, 1/R), the same for its R = S = 3). The R·S draws are
// taken from rng in row-major order, A_11, A_12, …; rng is not kept. NewLinear panics
// unless ou.Channels and outputs are positive.
func NewLinear(ou OU, outputs int, rng *rand.Rand) *Linear {
	s := ou.Channels
	if s <= 0 || outputs <= 0 {
		panic(fmt.Sprintf("tasks: NewLinear: %d signals and %d outputs, want both positive", s, outputs))
	}
	sd := 1 / math.Sqrt(float64(s))
	a := make([]float64, outputs*s)
	for i := range a {
		a[i] = sd * rng.NormFloat64()
	}
	return &Linear{OU: ou, A: mat.NewDense(outputs, s, a)}
}

// Signals returns the number S of input channels.
func (l *Linear) Signals() int { return l.OU.Channels }

// Outputs returns the number R of rows of A.
func (l *Linear) Outputs() int {
	r, _ := l.A.Dims()
	return r
}

// Sample fills dst.Input with fresh signals (OU.Fill; no other draws are taken) and sets
// the target block of every step t to A·InputAt(t) (A·InputAt(t) − I₀·A·1 with Target
// "fluctuation"). It panics on a shape mismatch,
// including an A whose number of columns is not OU.Channels.
func (l *Linear) Sample(dst *Batch, rng *rand.Rand) {
	r, s := l.A.Dims()
	if s != l.OU.Channels {
		panic(fmt.Sprintf("tasks: Linear: A is %d×%d, want %d columns (OU.Channels)", r, s, l.OU.Channels))
	}
	dst.checkShape(s, r)
	l.OU.Fill(dst.Input, dst.Steps, dst.Trials, rng)
	if dst.Trials == 0 {
		return
	}
	a := l.A.RawMatrix()
	for t := 0; t < dst.Steps; t++ {
		in := blas64.General{Rows: s, Cols: dst.Trials, Stride: dst.Trials, Data: dst.InputAt(t)}
		out := blas64.General{Rows: r, Cols: dst.Trials, Stride: dst.Trials, Data: dst.TargetAt(t)}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, a, in, 0, out)
		if l.Target == TargetFluctuation {
			for k := 0; k < r; k++ {
				var row float64 // (A·1)_k
				for j := 0; j < s; j++ {
					row += a.Data[k*a.Stride+j]
				}
				y := out.Data[k*dst.Trials : (k+1)*dst.Trials]
				for b := range y {
					y[b] -= l.OU.I0 * row
				}
			}
		}
	}
}
