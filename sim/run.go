package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Layout describes the records a Sink will receive; Start is called with it once before
// the first record.
type Layout struct {
	N            int     // units
	Realizations int     // R
	Channels     int     // input channels S
	Readouts     int     // rows of W_out (0 without W_out)
	Projections  int     // projection vectors
	Records      int     // number of Record calls that follow
	Interval     float64 // time between records, Stride·Δt (units of τ)
	BurnIn       int     // Euler steps before recording
	Total        int     // Euler steps in all, BurnIn + Steps
}

// Frame holds the observables of one recorded state h_n (n Euler steps after the start),
// for every realization r. It is reused between calls: a Sink copies what it keeps.
type Frame struct {
	Index  int       // record index k = 0 … Records−1
	Step   int       // state index n = BurnIn + (k+1)·Stride
	Time   float64   // (n − BurnIn)·Δt, time since recording started
	Input  []float64 // R×S: the input I of the step that produced h_n, Input[r·S+s]
	Rate   []float64 // R: ν = (1/N) Σ_i φ(h_i), the population rate
	Mean   []float64 // R: m = (1/N) Σ_i h_i
	Active []float64 // R: χ = (1/N) Σ_i φ′(h_i), the fraction of active units for ReLU
	// Var is R: (1/N) Σ_i (h_i − m)², the population variance of the state, the network's
	// c(t,t) of the mean-field theory (docs/science.md §5.6).
	Var []float64
	// State is R×N, h_n itself (realization-major, in float64) when Settings.State is set,
	// nil otherwise.
	State []float64
	// Readout is R×Readouts: x̂_j = (1/N) Σ_i W_out,ji φ(h_i), Readout[r·Readouts+j].
	Readout []float64
	// Proj is R×Projections: v_pᵀφ(h) for the vectors of Settings.Project.
	Proj []float64
}

// Sink receives the records of a simulation as they are produced.
type Sink interface {
	Start(l Layout) error
	Record(f *Frame) error
}

// Progress is implemented by sinks that want to hear about progress: Progress(step,
// total) is called every 1024 Euler steps, burn-in included, and once at the end.
type Progress interface {
	Progress(step, total int)
}

// Result is what a finished simulation returns besides its records.
type Result struct {
	// Final is the state after the last step, R×N realization-major, in float64.
	Final []float64
	// MaxAbs is the largest |h_i| seen at a recorded state.
	MaxAbs float64
	// MinActive is the smallest fraction of active units χ seen at a recorded state.
	MinActive float64
}

// BlowUpError reports a state that left the bound Settings.Limit or became non-finite.
type BlowUpError struct {
	Step        int     // state index n
	Realization int     // r
	MaxAbs      float64 // max_i |h_i|, +Inf or NaN for a non-finite state
	Limit       float64
}

func (e *BlowUpError) Error() string {
	return fmt.Sprintf("sim: the dynamics blew up at step %d (realization %d): max|h| = %g, beyond %g",
		e.Step, e.Realization, e.MaxAbs, e.Limit)
}

// Run integrates the Euler–Maruyama dynamics of nw (docs/science.md §1.1)
//
//	h_{n+1} = h_n + (Δt/τ)(−h_n + J φ(h_n) + Offset + (b/S)·W_in·I_n) + σ√(Δt/τ)·ζ_n,
//
// with I_n = in.Next(n) and ζ_n ~ N(0, 1) iid per unit and realization drawn from rng
// (order: step, realization, unit), for s.BurnIn + s.Steps steps from s.H0, streaming the
// observables of every s.Stride-th recorded state to sink. All R realizations advance
// together, one matrix product Φ·Jᵀ (R×N by N×N) per step; memory is O(N² + R·N) whatever
// the duration. The context is polled every 1024 steps; cancellation returns ctx.Err().
// Same network, settings, input and generator state give bit-identical records.
func Run(ctx context.Context, nw Network, in Input, s Settings, rng *rand.Rand, sink Sink) (*Result, error) {
	if err := nw.check(in.Channels(), s.Project); err != nil {
		return nil, err
	}
	if err := s.check(nw.N()); err != nil {
		return nil, err
	}
	if s.Float32 {
		return run[float32](ctx, nw, in, s, rng, sink)
	}
	return run[float64](ctx, nw, in, s, rng, sink)
}

func run[T float32 | float64](ctx context.Context, nw Network, in Input, s Settings, rng *rand.Rand, sink Sink) (*Result, error) {
	n, R, S := nw.N(), s.realizations(), in.Channels()
	nout, np := nw.Readouts(), len(s.Project)
	stride := s.stride()
	total := s.BurnIn + s.Steps
	lay := Layout{N: n, Realizations: R, Channels: S, Readouts: nout, Projections: np,
		Records: s.Records(), Interval: float64(stride) * s.DT, BurnIn: s.BurnIn, Total: total}
	if err := sink.Start(lay); err != nil {
		return nil, err
	}
	prog, _ := sink.(Progress)

	tau := nw.tau()
	leak, scale, gain := T(s.DT/tau), T(s.Sigma*math.Sqrt(s.DT/tau)), T(nw.B/float64(S))
	prod := &product[T]{R: R, n: n, threads: s.threads()}
	if s.Coupling32 {
		prod.jt32 = transposed32(nw.J.RawMatrix().Data, nw.J.RawMatrix().Stride, n)
		prod.idx, prod.val = make([]int32, 0, n), make([]float64, 0, n)
	} else {
		prod.j = toT[T](nw.J.RawMatrix().Data, nw.J.RawMatrix().Stride, n, n)
	}
	var win []T
	if nw.Win != nil {
		win = toT[T](nw.Win.RawMatrix().Data, nw.Win.RawMatrix().Stride, n, S)
	}
	off := make([]T, n)
	for i, v := range nw.Offset {
		off[i] = T(v)
	}
	h, p, rec := make([]T, R*n), make([]T, R*n), make([]T, R*n)
	switch len(s.H0) {
	case n:
		for r := 0; r < R; r++ {
			for i, v := range s.H0 {
				h[r*n+i] = T(v)
			}
		}
	case R * n:
		for k, v := range s.H0 {
			h[k] = T(v)
		}
	}
	phi := phiFunc[T](nw)
	phi(p, h)
	inp := make([]float64, R*S)
	uc := make([]T, S) // (b/S)·I_s of one realization
	rank1, cm, cd := ConstantCoupling(nw.J)
	rank1 = rank1 && detectConstant
	cMean, cDiag := T(cm), T(cd)

	f := &Frame{Input: make([]float64, R*S), Rate: make([]float64, R), Mean: make([]float64, R),
		Active: make([]float64, R), Var: make([]float64, R), Readout: make([]float64, R*nout), Proj: make([]float64, R*np)}
	if s.State {
		f.State = make([]float64, R*n)
	}
	res := &Result{MinActive: math.Inf(1)}
	limit := s.limit()
	deriv := nw.Phi.D
	relu := nw.Phi.Name == "relu"

	for step := 0; step < total; step++ {
		if step&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if prog != nil && step > 0 {
				prog.Progress(step, total)
			}
		}
		if err := in.Next(step, inp); err != nil {
			return nil, err
		}
		// rec = Φ·Jᵀ: row r is J·φ(h_r).
		if rank1 {
			for r := 0; r < R; r++ {
				pr, rr := p[r*n:(r+1)*n], rec[r*n:(r+1)*n]
				var sum T
				for _, v := range pr {
					sum += v
				}
				sum *= cMean
				for i, v := range pr {
					rr[i] = sum - cDiag*v
				}
			}
		} else {
			prod.apply(p, rec)
		}
		for r := 0; r < R; r++ {
			hr, rr := h[r*n:(r+1)*n], rec[r*n:(r+1)*n]
			switch {
			case win == nil:
				var u T
				for c := 0; c < S; c++ {
					u += gain * T(inp[r*S+c])
				}
				for i, x := range hr {
					hr[i] = x + leak*(off[i]+u+rr[i]-x)
				}
			case S == 1:
				u := gain * T(inp[r])
				for i, x := range hr {
					hr[i] = x + leak*(off[i]+win[i]*u+rr[i]-x)
				}
			default:
				for c := 0; c < S; c++ {
					uc[c] = gain * T(inp[r*S+c])
				}
				for i, x := range hr {
					d := off[i] + rr[i] - x
					for c, v := range uc {
						d += win[i*S+c] * v
					}
					hr[i] = x + leak*d
				}
			}
			if scale != 0 {
				for i := range hr {
					hr[i] += scale * T(rng.NormFloat64())
				}
			}
		}
		phi(p, h)

		state := step + 1
		if state <= s.BurnIn || (state-s.BurnIn)%stride != 0 {
			continue
		}
		f.Step = state
		f.Index = (state-s.BurnIn)/stride - 1
		f.Time = float64(state-s.BurnIn) * s.DT
		copy(f.Input, inp)
		inv := 1 / float64(n)
		for r := 0; r < R; r++ {
			hr, pr := h[r*n:(r+1)*n], p[r*n:(r+1)*n]
			var sp, sh, sh2, sa, mx float64
			for i, v := range hr {
				x := float64(v)
				sh += x
				sh2 += x * x
				sp += float64(pr[i])
				if a := math.Abs(x); a > mx || a != a {
					mx = a
				}
				if relu {
					if x > 0 {
						sa++
					}
				} else {
					sa += deriv(x)
				}
			}
			if !(mx <= limit) {
				return nil, &BlowUpError{Step: state, Realization: r, MaxAbs: mx, Limit: limit}
			}
			res.MaxAbs = max(res.MaxAbs, mx)
			f.Rate[r], f.Mean[r], f.Active[r] = sp*inv, sh*inv, sa*inv
			f.Var[r] = max(sh2*inv-f.Mean[r]*f.Mean[r], 0)
			if f.State != nil {
				for i, v := range hr {
					f.State[r*n+i] = float64(v)
				}
			}
			res.MinActive = min(res.MinActive, f.Active[r])
			for k := 0; k < nout; k++ {
				f.Readout[r*nout+k] = dotT(nw.Wout.RawRowView(k), pr) * inv
			}
			for k, v := range s.Project {
				f.Proj[r*np+k] = dotT(v, pr)
			}
		}
		if err := sink.Record(f); err != nil {
			return nil, err
		}
	}
	if prog != nil {
		prog.Progress(total, total)
	}
	res.Final = make([]float64, R*n)
	for k, v := range h {
		res.Final[k] = float64(v)
	}
	return res, nil
}

// detectConstant enables the O(N) path for a constant J (tests turn it off to compare).
var detectConstant = true

// ConstantCoupling reports whether J is exactly c·11ᵀ (diag = c) or c·(11ᵀ − I) (diag = 0),
// the coupling of the g = 0 Gaussian initialization (docs/science.md §1.2); then J·φ is
// c·Σφ − diag'·φ with diag' = c − diag, O(N) per step instead of O(N²): the same product,
// summed in another order.
func ConstantCoupling(J *mat.Dense) (ok bool, c, diagCorr float64) {
	n, _ := J.Dims()
	if n < 2 {
		return false, 0, 0
	}
	c = J.At(0, 1)
	d := J.At(0, 0)
	if d != c && d != 0 {
		return false, 0, 0
	}
	for i := 0; i < n; i++ {
		row := J.RawRowView(i)
		for k, v := range row {
			if k == i {
				if v != d {
					return false, 0, 0
				}
			} else if v != c {
				return false, 0, 0
			}
		}
	}
	return true, c, c - d
}

// toT returns an r×c row-major matrix with the given stride as a packed []T: the data
// itself for a packed float64 matrix (the simulation never writes it), a copy otherwise.
func toT[T float32 | float64](data []float64, stride, r, c int) []T {
	if d, ok := any(data).([]T); ok && stride == c {
		return d[:r*c]
	}
	out := make([]T, r*c)
	for i := 0; i < r; i++ {
		for k := 0; k < c; k++ {
			out[i*c+k] = T(data[i*stride+k])
		}
	}
	return out
}

func dotT[T float32 | float64](v []float64, p []T) float64 {
	var s float64
	for i, x := range v {
		s += x * float64(p[i])
	}
	return s
}

// phiFunc returns dst ← φ(h) elementwise, inlined for relu and linear.
func phiFunc[T float32 | float64](nw Network) func(dst, h []T) {
	switch nw.Phi.Name {
	case "relu":
		return func(dst, h []T) {
			for i, v := range h {
				dst[i] = max(v, 0)
			}
		}
	case "linear":
		return func(dst, h []T) { copy(dst, h) }
	}
	f := nw.Phi.F
	return func(dst, h []T) {
		for i, v := range h {
			dst[i] = T(f(float64(v)))
		}
	}
}

// gemm computes rec ← P·Jᵀ for the R×N matrix P and the N×N matrix J (row-major): a
// matrix–vector product when R = 1.
func gemm[T float32 | float64](R, n int, p, j, rec []T) {
	switch p := any(p).(type) {
	case []float64:
		j, rec := any(j).([]float64), any(rec).([]float64)
		if R == 1 {
			blas64.Implementation().Dgemv(blas.NoTrans, n, n, 1, j, n, p, 1, 0, rec, 1)
			return
		}
		blas64.Implementation().Dgemm(blas.NoTrans, blas.Trans, R, n, n, 1, p, n, j, n, 0, rec, n)
	case []float32:
		j, rec := any(j).([]float32), any(rec).([]float32)
		if R == 1 {
			blas32.Implementation().Sgemv(blas.NoTrans, n, n, 1, j, n, p, 1, 0, rec, 1)
			return
		}
		blas32.Implementation().Sgemm(blas.NoTrans, blas.Trans, R, n, n, 1, p, n, j, n, 0, rec, n)
	}
}
