package plots

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ErrNoRows is returned (wrapped) for a table that has a header but no complete row yet.
var ErrNoRows = errors.New("no rows yet")

// Curve is one named series y(epoch) of an EpochSeries.
type Curve struct {
	Label string
	Y     []float64 // NaN where the value is missing
}

// EpochSeries is what an against-epoch figure plots: one or more curves on a shared
// epoch axis.
type EpochSeries struct {
	Epoch  []float64
	Curves []Curve
}

// epochSeries reads the epoch column and the named columns of t as curves with the
// given labels.
func epochSeries(t *Table, columns, labels []string) (EpochSeries, error) {
	var s EpochSeries
	if t.Len() == 0 {
		return s, ErrNoRows
	}
	epoch, err := t.Column("epoch")
	if err != nil {
		return s, err
	}
	s.Epoch = epoch
	for i, c := range columns {
		y, err := t.Column(c)
		if err != nil {
			return EpochSeries{}, err
		}
		s.Curves = append(s.Curves, Curve{Label: labels[i], Y: y})
	}
	return s, nil
}

// LossSeries returns the training and test loss against epoch from metrics.csv
// (columns epoch, train_loss, test_loss). The training loss is the mean of the
// per-epoch losses since the previous test, and is NaN at epoch 0; the test loss is the
// loss l of docs/science.md §1.5 item 4 on the fixed test batch (model.Loss; columns:
// rundir.MetricsHeader):
//
//	l = Σ_{ti=max(burn_in,1)}^{T} [ Σ_{r,trial} (x̂_r(ti) − y_r(ti))² + λ_act Σ_{i,trial} h_i(ti)² ] / (B·T·R),
//
// burn_in = sim.burn_in (10 by default, the reference code's ⌊T/5⌋ for T = 50).
func LossSeries(metrics *Table) (EpochSeries, error) {
	return epochSeries(metrics, []string{"train_loss", "test_loss"}, []string{"train", "test"})
}

// BalanceSeries returns the empirical balance against epoch from analysis.csv
// (docs/science.md §3.2; the columns are defined once, at analysis.Header): column
// balance is b_emp = −N·mean(J)/J₀ (≈ b(N−1)/N at initialization) and column balance_rel
// is b_rel = mean(J)/mean(J_init), J_init the parameters at epoch 0 (exactly 1 there).
func BalanceSeries(analysis *Table) (EpochSeries, error) {
	return epochSeries(analysis, []string{"balance", "balance_rel"},
		[]string{"b_emp = −N·mean(J)/J₀", "b_rel = mean(J)/mean(J_init)"})
}

// OutlierSeries returns the real parts of the K outlier eigenvalues (the K most negative
// real parts, docs/science.md §3.1) against epoch, from the columns {matrix}_outlier{k}_re
// of analysis.csv, k = 1…K: matrix "lin" for M = J·diag(φ′(h)), "j" for J itself. K is
// the number of such columns in the header.
func OutlierSeries(analysis *Table, matrix string) (EpochSeries, error) {
	cols := analysis.numbered(matrix+"_outlier", "_re")
	if len(cols) == 0 {
		return EpochSeries{}, fmt.Errorf("%w %s_outlier1_re", ErrNoColumn, matrix)
	}
	labels := make([]string, len(cols))
	for k := range cols {
		labels[k] = "Re λ" + subscript(k+1)
	}
	return epochSeries(analysis, cols, labels)
}

// WeightMeanSeries returns the mean input and readout weights against epoch from
// analysis.csv (docs/science.md §3.2): win_mean = (1/(N·S)) Σ_is W_in,is and wout_mean =
// (1/(R·N)) Σ_ri W_out,ri, and, when there are at least two signals (readouts), the
// per-signal means win_mean{s} = (1/N) Σ_i W_in,is (per-readout wout_mean{r}).
func WeightMeanSeries(analysis *Table) (EpochSeries, error) {
	cols := []string{"win_mean"}
	labels := []string{"W_in, all"}
	if per := analysis.numbered("win_mean", ""); len(per) >= 2 {
		for s, c := range per {
			cols = append(cols, c)
			labels = append(labels, "W_in, signal "+strconv.Itoa(s+1))
		}
	}
	cols = append(cols, "wout_mean")
	labels = append(labels, "W_out, all")
	if per := analysis.numbered("wout_mean", ""); len(per) >= 2 {
		for r, c := range per {
			cols = append(cols, c)
			labels = append(labels, "W_out, readout "+strconv.Itoa(r+1))
		}
	}
	return epochSeries(analysis, cols, labels)
}

// CouplingSeries returns the mean couplings against epoch from analysis.csv
// (docs/science.md §3.3; columns defined at analysis.Header): with k-means labels a_i of
// the rows of W_in, j_within = mean{J_ij : i ≠ j, a_i = a_j}, j_between = mean{J_ij :
// a_i ≠ a_j} and j_overall = mean{J_ij : i ≠ j}; the diagonal is excluded everywhere.
func CouplingSeries(analysis *Table) (EpochSeries, error) {
	return epochSeries(analysis, []string{"j_within", "j_between", "j_overall"},
		[]string{"within clusters", "between clusters", "all pairs"})
}

// AlignmentSeries returns the alignment cosines γ_k = cos θ_k (singular values of
// A = LᵀR, docs/science.md §6.3) against epoch from the columns align{k} of analysis.csv
// (NaN where k exceeds the rank D at that epoch), and, if present, the column ef_ratio
// = ‖J_EF‖_F/‖Jˢ‖_F.
func AlignmentSeries(analysis *Table) (EpochSeries, error) {
	cols := analysis.numbered("align", "")
	if len(cols) == 0 {
		return EpochSeries{}, fmt.Errorf("%w align1", ErrNoColumn)
	}
	labels := make([]string, len(cols))
	for k := range cols {
		labels[k] = "γ" + subscript(k+1)
	}
	if analysis.Has("ef_ratio") {
		cols = append(cols, "ef_ratio")
		labels = append(labels, "‖J_EF‖/‖Jˢ‖")
	}
	return epochSeries(analysis, cols, labels)
}

// hasFinite reports whether some curve has a finite value.
func (s EpochSeries) hasFinite() bool {
	for _, c := range s.Curves {
		for i, y := range c.Y {
			if finite(y) && finite(s.Epoch[i]) {
				return true
			}
		}
	}
	return false
}

// LastEpoch returns the largest epoch of the series, or −1 if it is empty.
func (s EpochSeries) LastEpoch() int {
	if len(s.Epoch) == 0 {
		return -1
	}
	return int(s.Epoch[len(s.Epoch)-1])
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// subscript writes k with Unicode subscript digits (λ₁, γ₂).
func subscript(k int) string {
	var b []rune
	for _, c := range strconv.Itoa(k) {
		b = append(b, '₀'+(c-'0'))
	}
	return string(b)
}
