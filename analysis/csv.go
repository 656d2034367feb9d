package analysis

import (
	"math"
	"strconv"
	"strings"
)

// Header returns the column names of analysis.csv for the settings s and a network with
// the given numbers of input signals S and readouts R. The set of columns depends only on
// (s.Outliers, S, R), so every Row of a run has the same length as its header. Floats are
// written with strconv.FormatFloat(v, 'g', -1, 64), which reads back exactly; NaN is
// written as an empty field (pandas and numpy.genfromtxt read it as NaN).
//
// Columns, in order (K = analysis.outliers; "J" is the recurrent coupling matrix, N×N):
//
//   - epoch: completed training updates (0 = the initial parameters, before any update).
//   - balance: empirical balance in units of b, −N·mean(J)/J₀ (docs/science.md §3.2), the zero
//     diagonal included in the mean. Positive for an inhibition-dominated network; ≈ b·(N−1)/N
//     at epoch 0. The paper reports |N·mean(J)|.
//   - balance_rel: mean(J)/mean(J at epoch 0); exactly 1 at epoch 0. The reference code
//     divides by the value after the first update instead.
//   - j_outlier{k}_re, j_outlier{k}_im, k = 1…K: real and imaginary part of the eigenvalue of
//     J with the k-th most negative real part (k = 1 is the most negative; a complex pair is
//     listed as Re − i|Im| before Re + i|Im|). The first is ≈ −balance·J₀.
//   - lin_outlier{k}_re, lin_outlier{k}_im, k = 1…K: the same for the linearized matrix
//     J·diag(φ′(h)), h = the final state of test trial 1 (the reference code's choice; a
//     noise-free fixed point as an option). The continuous-time stability boundary is
//     Re λ = 1; the Euler map with step Δt is unstable for real λ < 1 − 2/Δt.
//   - bulk_radius: radius of the bulk of the nonzero eigenvalues of J·diag(φ′(h)) after
//     removing the K outliers, sqrt(2·median|λ − c|²) around the coordinate-wise median c
//     (≈ g·sqrt(χ) for ReLU with a fraction χ of active units, docs/science.md §3.1).
//   - win_mean: mean of all input weights W_in (N×S); win_mean{s}, s = 1…S: mean input
//     weight of signal s, (1/N)Σ_i W_in,is.
//   - wout_mean: mean of all readout weights W_out (R×N); wout_mean{r}, r = 1…R: mean weight
//     of readout r, (1/N)Σ_i W_out,ri.
//   - j_within, j_between, j_overall: mean coupling J_ij over the pairs with i ≠ j in the
//     same k-means cluster, in different clusters, and over all pairs i ≠ j (the diagonal is
//     excluded everywhere; the reference code includes it). Clusters are k-means++ (10
//     restarts, seeded from the run's seed and the epoch) on the rows of W_in (the paper's
//     features), with k = analysis.clusters, or S when 0. j_between is empty when k = 1.
//   - cluster_ari: adjusted Rand index between the k-means clusters of the rows of W_in and
//     those of the columns of J (the reference code's features): 1 = identical partitions,
//     ≈ 0 = unrelated; 1 when k = 1.
//   - rank: number D of singular values of the structured part Jˢ = J − (J_init − E[J_init])
//     (the initial random part removed, the initial mean and all learned structure kept;
//     docs/science.md §6.6) above max(1.2·(2g + δ), 10⁻⁶), δ = |diagonal of the mean coupling removed by
//     zero_diagonal| (bJ₀/N for the Gaussian init), at most 4. The defaults give D = 1 at
//     epoch 0 (the rank-one mean −(bJ₀/N)·11ᵀ).
//   - align{k}, k = 1…4: singular values γ_1 ≥ … ≥ γ_D of the alignment matrix A = LᵀR of
//     the rank-D SVD Jˢ ≈ L·S·Rᵀ, i.e. the cosines of the principal angles between its
//     column and row spaces (Landau & Sompolinsky 2021; docs/science.md §6.3): 1 = complete
//     alignment, 0 = purely feedforward. Empty for k > D.
//   - ef_ratio: ‖J_EF‖_F/‖Jˢ_D‖_F, the effective-feedforward share of the rank-D structure
//     (0 for complete alignment); empty when D = 0.
//   - mi_rate, mi_rate_nu (only with analysis.info_every > 0): the information-rate lower
//     bound R_lb (Eq. 14, bits/τ) between each input channel and its readout, summed over
//     channels, and between each input channel and the population rate ν, summed; from a
//     simulation of the network at the run's Δt (InfoRate). Empty at analysis epochs that
//     are not multiples of info_every.
func Header(s Settings, signals, outputs int) []string {
	h := []string{"epoch", "balance", "balance_rel"}
	for _, prefix := range []string{"j_outlier", "lin_outlier"} {
		for k := 1; k <= s.Outliers; k++ {
			n := prefix + strconv.Itoa(k)
			h = append(h, n+"_re", n+"_im")
		}
	}
	h = append(h, "bulk_radius", "win_mean")
	for k := 1; k <= signals; k++ {
		h = append(h, "win_mean"+strconv.Itoa(k))
	}
	h = append(h, "wout_mean")
	for k := 1; k <= outputs; k++ {
		h = append(h, "wout_mean"+strconv.Itoa(k))
	}
	h = append(h, "j_within", "j_between", "j_overall", "cluster_ari", "rank")
	for k := 1; k <= MaxAlignRank; k++ {
		h = append(h, "align"+strconv.Itoa(k))
	}
	h = append(h, "ef_ratio")
	if s.InfoEvery > 0 {
		h = append(h, "mi_rate", "mi_rate_nu")
	}
	return h
}

// Header returns the CSV header of r's rows: Header(r.Settings, S, R).
func (r *Record) Header() []string {
	return Header(r.Settings, len(r.WinMeans), len(r.WoutMeans))
}

// Row returns the record as one analysis.csv row, aligned with r.Header() (see Header for
// the columns). Missing values (fewer than K eigenvalues, align{k} for k > rank) are empty
// fields, as is NaN.
func (r *Record) Row() []string {
	row := []string{strconv.Itoa(r.Epoch), FormatFloat(r.Balance), FormatFloat(r.BalanceRel)}
	for _, out := range [][]complex128{r.JOutliers, r.LinOutliers} {
		for k := range max(r.Settings.Outliers, 0) {
			if k < len(out) {
				row = append(row, FormatFloat(real(out[k])), FormatFloat(imag(out[k])))
			} else {
				row = append(row, "", "")
			}
		}
	}
	row = append(row, FormatFloat(r.BulkRadius), FormatFloat(r.WinMean))
	for _, v := range r.WinMeans {
		row = append(row, FormatFloat(v))
	}
	row = append(row, FormatFloat(r.WoutMean))
	for _, v := range r.WoutMeans {
		row = append(row, FormatFloat(v))
	}
	row = append(row, FormatFloat(r.Within), FormatFloat(r.Between), FormatFloat(r.Overall),
		FormatFloat(r.ARI), strconv.Itoa(r.Rank))
	ef := math.NaN()
	for k := range MaxAlignRank {
		v := math.NaN()
		if r.Alignment != nil && k < len(r.Alignment.Gamma) {
			v = r.Alignment.Gamma[k]
		}
		row = append(row, FormatFloat(v))
	}
	if r.Alignment != nil {
		ef = r.Alignment.EFRatio
	}
	row = append(row, FormatFloat(ef))
	if r.Settings.InfoEvery > 0 {
		row = append(row, FormatFloat(r.MIRate), FormatFloat(r.MIRateNu))
	}
	return row
}

// FormatFloat is the one number format of balnet's CSV files (analysis.csv, metrics.csv,
// analysis-recomputed.csv): the shortest form that reads back to the same float64
// (strconv 'g', precision −1), +Inf and −Inf as such, and NaN (a missing value) as an
// empty field, which pandas and numpy.genfromtxt read as NaN. ParseFloat reads it back.
func FormatFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// ParseFloat reads a field written by FormatFloat: an empty field is NaN.
func ParseFloat(field string) (float64, error) {
	field = strings.TrimSpace(field)
	if field == "" {
		return math.NaN(), nil
	}
	return strconv.ParseFloat(field, 64)
}
