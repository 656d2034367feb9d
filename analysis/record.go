package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
)

const (
	// KMeansRestarts is the number of k-means++ restarts per clustering; the run with the
	// smallest inertia is kept (docs/science.md §3.3 recommends several restarts).
	KMeansRestarts = 10

	// KMeansStream is the PCG stream constant of the analysis' k-means generator,
	//
	//	rng = rand.New(rand.NewPCG(seed, KMeansStream ^ epoch)),
	//
	// with seed the run's seed. It is far from the trainer's streams 1…5 (train.Stream), so
	// the analysis never consumes nor reproduces them, and it depends only on (seed, epoch),
	// so a live analysis and one recomputed from a checkpoint cluster identically. The
	// value is "analysis" in ASCII.
	KMeansStream uint64 = 0x616e616c79736973

	// MaxAlignRank caps the structure rank D of the low-rank alignment (and fixes the
	// number of align{k} columns of the CSV).
	MaxAlignRank = 4

	// AlignMargin is the relative margin ε of the structure-rank threshold
	// (1 + ε)·(2g + δ) of AlignThreshold (docs/science.md §6.6 step 2).
	AlignMargin = 0.2

	// AlignFloor is the smallest structure-rank threshold, used when g = 0 and the
	// diagonal is not zeroed: it only separates exact structure from round-off.
	AlignFloor = 1e-6

	// NonZeroTol is the relative tolerance of NonZero used to drop the structural zero
	// eigenvalues of J·diag(φ′) (inactive ReLU units) before the bulk radius is estimated.
	NonZeroTol = 1e-9
)

// Linearization selects the state h at which J·diag(φ′(h)) is formed (docs/science.md §3.1).
type Linearization int

const (
	// EndOfTrial uses h = h_T, the final state of test trial 1 (column 0 of the state at
	// index T of Input.TestTrajectory): noisy, driven by the test input, started from the
	// relaxed initial state. This is the reference code's choice (docs/science.md §1.5 item 14).
	EndOfTrial Linearization = iota
	// FixedPoint relaxes h_T further under the noise-free dynamics with the constant input
	// I_s = I₀ (task.i0) for sim.relax time units (model.Relax), approximating the fixed
	// point h* = J·φ(h*) + bias + (b/S)·W_in·I₀·1_S that the captions refer to.
	FixedPoint
)

func (l Linearization) String() string {
	switch l {
	case EndOfTrial:
		return "end-of-trial"
	case FixedPoint:
		return "fixed-point"
	}
	return fmt.Sprintf("Linearization(%d)", int(l))
}

// Options are the choices of an analysis that are not part of the configuration file.
// The zero value is the reference analysis.
type Options struct {
	// Linearization is the state of the linearized matrix (default EndOfTrial).
	Linearization Linearization
}

// Record is the analysis of a run's parameters at one epoch (docs/science.md §3, §6.6). Its
// CSV form is Row (columns documented at Header), its arrays for the figures Arrays.
type Record struct {
	Epoch         int
	Settings      Settings      // as passed to Analyze (Clusters may be 0)
	Linearization Linearization // the state of the linearized matrix

	// Balance = −N·mean(J)/J₀ (Balance; positive for inhibition-dominated J) and
	// BalanceRel = mean(J)/mean(J_init) with J_init the parameters at epoch 0 as the
	// trainer holds them (see Analyze).
	Balance, BalanceRel float64

	// JEig and LinEig are the full spectra of J and of M = J·diag(φ′(h)), sorted as by
	// Eigenvalues (most negative real part first). JOutliers and LinOutliers are their
	// first Settings.Outliers entries (fewer only if N < Settings.Outliers).
	JEig, LinEig           []complex128
	JOutliers, LinOutliers []complex128
	// BulkCenter and BulkRadius describe the bulk of the nonzero eigenvalues of M
	// (NonZero with NonZeroTol) with the Settings.Outliers most negative ones excluded
	// (BulkRadius). Both are NaN if no eigenvalue remains.
	BulkCenter complex128
	BulkRadius float64
	// State is the N-vector h of the linearization, ActiveFraction χ = (1/N)Σ_i φ′(h_i)
	// (the fraction of active units for ReLU). Residual is max_i |F_i(h)| of the
	// noise-free drift F(h) = −h + J·φ(h) + bias + (b/S)·W_in·I₀·1_S: how far h is from a
	// fixed point (computed for both linearizations).
	State          []float64
	ActiveFraction float64
	Residual       float64

	// WinMean is the mean of all entries of W_in (N×S), WinMeans[s] = (1/N)Σ_i W_in,is;
	// WoutMean and WoutMeans[r] = (1/N)Σ_i W_out,ri likewise for W_out (R×N).
	WinMean   float64
	WinMeans  []float64
	WoutMean  float64
	WoutMeans []float64

	// Clusters is the number k of k-means clusters (Settings.Clusters, or S when 0).
	// LabelsWin are the labels of the rows of W_in (the paper's features), LabelsJ those
	// of the columns of J (the reference code's), both canonical (KMeans). ARI is their
	// adjusted Rand index. Order = SortByCluster(LabelsWin).
	Clusters           int
	LabelsWin, LabelsJ []int
	ARI                float64
	Order              []int
	// Within, Between and Overall are the mean couplings of Coupling (diagonal excluded)
	// for LabelsWin. Between is NaN when k = 1.
	Within, Between, Overall float64

	// StructureSV are the singular values of the structured part Jˢ = J − (J_init −
	// E[J_init]) in decreasing order, Threshold the structure-rank threshold
	// (AlignThreshold) and Rank = D the number of them above it, at most MaxAlignRank.
	// Alignment is Align(Jˢ, D), nil when D = 0.
	StructureSV []float64
	Threshold   float64
	Rank        int
	Alignment   *Alignment

	// MIRate and MIRateNu are the information rates of InfoRate (readout and population
	// rate, bits/τ) when analysis.info_every is due at this epoch, NaN otherwise.
	MIRate, MIRateNu float64
}

// Analyze computes the Record of in with the reference Options (linearization at the
// end-of-trial state). See AnalyzeWith.
func Analyze(in Input, s Settings) (*Record, error) {
	return AnalyzeWith(in, s, Options{})
}

// AnalyzeWith computes the Record of the parameters in.Params (docs/science.md §3, §6):
//
//   - Spectra: eig(J) and eig(M), M = J·diag(φ′(h)) with h chosen by o.Linearization;
//     the k = s.Outliers eigenvalues with the most negative real parts of each; the bulk
//     radius of the nonzero eigenvalues of M without those k.
//
//   - Balance: b_emp = −N·mean(J)/J₀ and b_rel = mean(J)/mean(J_init). J_init is the
//     parameter at epoch 0 as the trainer holds it (in.Init rounded to float32 when
//     in.Float32),
//     so b_rel = 1 exactly at epoch 0. The reference code divides by the value after the
//     first update instead (docs/science.md §1.5 item 13). The two normalizations differ by
//     the relative change of mean(J) in that update, at most η/|mean(J_init)| since
//     Adam's first step moves every entry by at most η (≈ 10% for the defaults).
//
//   - Weights: the means of W_in per signal and of W_out per readout, and overall.
//
//   - Subnetworks: k-means++ (KMeansRestarts restarts) with k = s.Clusters, or S when 0,
//     on (a) the rows of W_in and (b) the columns of J, from the generator
//     rand.New(rand.NewPCG(in.Seed, KMeansStream ^ in.Epoch)); the within/between/overall mean
//     coupling for (a) with the diagonal excluded (Coupling); ARI(a, b); SortByCluster(a).
//
//   - Low-rank alignment (docs/science.md §6.6 recipe (a)): the structured part
//
//     Jˢ = J − (J_init − E[J_init]) = E[J_init] + (J − J_init),
//
//     i.e. J without the initial random part J̃_init: the initial mean structure (for the
//     Gaussian init the rank-one −(bJ₀/N)·11ᵀ, with +bJ₀/N on the zeroed diagonal) and all
//     learned structure. D = RankAbove(σ(Jˢ), AlignThreshold, MaxAlignRank) and, if
//     D ≥ 1, Align(Jˢ, D).
//
// AnalyzeWith does not modify in: the test batch is simulated with the plain simulator
// from a copy of in.H0, and in.Init is copied before it is rounded. It returns an error for
// invalid settings (s.Outliers < 0, k outside 1…N), an input whose shapes do not fit, or a
// failed factorization.
func AnalyzeWith(in Input, s Settings, o Options) (*Record, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	p := in.Params
	n, signals, _ := p.Dims()
	k := s.Clusters
	if k == 0 {
		k = signals
	}
	switch {
	case s.Outliers < 0:
		return nil, fmt.Errorf("analysis: outliers = %d, want ≥ 0", s.Outliers)
	case k < 1 || k > n:
		return nil, fmt.Errorf("analysis: %d clusters for %d units, want 1…N", k, n)
	case o.Linearization != EndOfTrial && o.Linearization != FixedPoint:
		return nil, fmt.Errorf("analysis: unknown linearization %v", o.Linearization)
	}
	epoch := in.Epoch
	r := &Record{Epoch: epoch, Settings: s, Linearization: o.Linearization, Clusters: k,
		MIRate: math.NaN(), MIRateNu: math.NaN()}
	if infoDue(s, epoch) {
		var err error
		if r.MIRate, r.MIRateNu, err = InfoRate(in); err != nil {
			return nil, fmt.Errorf("analysis at epoch %d: information rate: %w", epoch, err)
		}
	}

	init := mat.DenseCopyOf(in.Init.J)
	if in.Float32 {
		roundFloat32(init)
	}
	r.Balance = Balance(p.J, in.Network.J0)
	r.BalanceRel = MeanCoupling(p.J) / MeanCoupling(init)

	if err := r.spectra(&in, o.Linearization); err != nil {
		return nil, fmt.Errorf("analysis at epoch %d: %w", epoch, err)
	}
	r.weights(p)

	rng := rand.New(rand.NewPCG(in.Seed, KMeansStream^uint64(epoch)))
	r.LabelsWin, _ = KMeans(p.Win, k, KMeansRestarts, rng)
	r.LabelsJ, _ = KMeans(p.J.T(), k, KMeansRestarts, rng)
	r.ARI = AdjustedRandIndex(r.LabelsWin, r.LabelsJ)
	r.Order = SortByCluster(r.LabelsWin)
	r.Within, r.Between, r.Overall = Coupling(p.J, r.LabelsWin)

	mean, err := model.MeanCoupling(in.Network)
	if err != nil {
		return nil, fmt.Errorf("analysis: %w", err)
	}
	var js mat.Dense
	js.Sub(p.J, init)
	js.Add(&js, mean)
	if r.StructureSV, err = SingularValues(&js); err != nil {
		return nil, fmt.Errorf("analysis at epoch %d: structured part: %w", epoch, err)
	}
	if r.Threshold, err = AlignThreshold(in.Network); err != nil {
		return nil, fmt.Errorf("analysis: %w", err)
	}
	r.Rank = RankAbove(r.StructureSV, r.Threshold, MaxAlignRank)
	if r.Rank > 0 {
		if r.Alignment, err = AlignSV(&js, r.StructureSV, r.Rank); err != nil {
			return nil, fmt.Errorf("analysis at epoch %d: %w", epoch, err)
		}
	}
	return r, nil
}

// spectra fills the eigenvalue part of r.
func (r *Record) spectra(in *Input, lin Linearization) error {
	sp, p := in.Spec, in.Params
	var err error
	if r.JEig, err = Eigenvalues(p.J); err != nil {
		return fmt.Errorf("eig(J): %w", err)
	}
	tr := in.TestTrajectory()
	h := mat.NewDense(sp.N, 1, mat.Col(nil, 0, tr.H[sp.Steps]))
	if lin == FixedPoint {
		model.Relax(sp, p, h, in.I0, in.Relax)
	}
	r.State = h.RawMatrix().Data
	r.Residual = residual(sp, p, r.State, in.I0)
	dphi := model.Derivative(sp.Phi, h, 0)
	r.ActiveFraction = floats.Sum(dphi) / float64(len(dphi))
	var m mat.Dense
	Linearized(&m, p.J, dphi)
	if r.LinEig, err = Eigenvalues(&m); err != nil {
		return fmt.Errorf("eig(J·diag(φ′)): %w", err)
	}
	k := r.Settings.Outliers
	r.JOutliers = Outliers(r.JEig, k)
	r.LinOutliers = Outliers(r.LinEig, k)
	r.BulkCenter, r.BulkRadius = BulkRadius(NonZero(r.LinEig, NonZeroTol), k)
	return nil
}

// weights fills the mean input and readout weights of r.
func (r *Record) weights(p *model.Params) {
	n, signals, outputs := p.Dims()
	r.WinMeans = make([]float64, signals)
	for s := range signals {
		r.WinMeans[s] = floats.Sum(mat.Col(nil, s, p.Win)) / float64(n)
	}
	r.WinMean = mat.Sum(p.Win) / float64(n*signals)
	r.WoutMeans = make([]float64, outputs)
	for o := range outputs {
		r.WoutMeans[o] = floats.Sum(p.Wout.RawRowView(o)) / float64(n)
	}
	r.WoutMean = mat.Sum(p.Wout) / float64(n*outputs)
}

// residual returns max_i |F_i(h)| for the noise-free drift under the constant input I₀,
//
//	F(h) = −h + J·φ(h) + bias + (b/S)·W_in·I₀·1_S,
//
// the right-hand side that model.Relax integrates.
func residual(sp model.Spec, p *model.Params, h []float64, i0 float64) float64 {
	n := len(h)
	phi := make([]float64, n)
	for i, v := range h {
		phi[i] = sp.Phi.F(v)
	}
	f := mat.NewVecDense(n, nil)
	f.MulVec(p.J, mat.NewVecDense(n, phi))
	var worst float64
	for i := range n {
		drive := sp.InputGain()*floats.Sum(p.Win.RawRowView(i))*i0 + p.Bias[i]
		worst = math.Max(worst, math.Abs(-h[i]+f.AtVec(i)+drive))
	}
	return worst
}

// AlignThreshold returns the singular-value threshold above which a singular value of the
// structured part Jˢ counts as structure (docs/science.md §6.6 step 2):
//
//	θ = max((1 + AlignMargin)·(2g + δ), AlignFloor),  δ = max_i |E[J_init]_ii|,
//
// with E[J_init] the mean coupling before the diagonal is zeroed (model.MeanCoupling) and
// δ = 0 without zero_diagonal. 2g is the bulk edge of the singular values of an N×N iid
// matrix of variance g²/N (§6.6 step 1). Jˢ no longer contains the initial random part
// J̃_init, so 2g is a conservative margin against the full-rank part of the learned change
// J − J_init (noisy gradient steps). δ accounts for the zeroed diagonal: E[J_init] with a zero
// diagonal is the low-rank mean structure plus the diagonal matrix −diag(m_ii), whose
// singular values are |m_ii| (bJ₀/N for the Gaussian init, up to max(|J_EE|, |J_II|)/(N/2)
// for the E–I init). By Weyl's inequality σ_{D+1}(X + E) ≤ σ_{D+1}(X) + ‖E‖₂ = ‖E‖₂ for X of
// rank D, so with E the random part (‖·‖₂ ≈ 2g) plus that diagonal, no singular value beyond
// the D-th of the structure exceeds ≈ 2g + δ. For the defaults (g = 0.032, b = J₀ = 1,
// N = 100) θ = 1.2·(0.064 + 0.01) = 0.0888.
func AlignThreshold(net model.Settings) (float64, error) {
	var delta float64
	if net.ZeroDiagonal {
		full := net
		full.ZeroDiagonal = false
		m, err := model.MeanCoupling(full)
		if err != nil {
			return 0, err
		}
		for i := range net.N {
			delta = math.Max(delta, math.Abs(m.At(i, i)))
		}
	}
	return math.Max((1+AlignMargin)*(2*math.Abs(net.G)+delta), AlignFloor), nil
}

// roundFloat32 rounds every element of m to float32 precision, as the float32 trainer
// stores its parameters.
func roundFloat32(m *mat.Dense) {
	raw := m.RawMatrix()
	for i := range raw.Rows {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, v := range row {
			row[j] = float64(float32(v))
		}
	}
}
