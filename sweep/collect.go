package sweep

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/stat"

	"github.com/balnet/balnet/checkpoints"
)

// Summary is one row per run: its id, swept values, seed and state, then the final
// figures of its run directory — for a training run the last row of metrics.csv (epoch,
// train_loss, test_loss; wall time left out) and the last row of analysis.csv (every
// column but the epoch, which is analysis_epoch); for an information-rate run the
// estimates of info-summary.csv (infoColumns; its last channel); for a fluctuation run
// mode 1 of modes.csv (modeColumns) and fluctuations-summary.csv (fluctColumns). A value a
// run does not have is empty.
type Summary struct {
	Header []string
	Rows   [][]string
	keys   int // the number of leading columns that identify the run
}

// Collect reads the final figures of every run.
func Collect(l Layout, s *Spec, runs []Run) (*Summary, error) {
	st, err := Statuses(l, runs)
	if err != nil {
		return nil, err
	}
	sum := &Summary{Header: []string{"id", "dir"}}
	for _, a := range s.Grid {
		sum.Header = append(sum.Header, a.Key)
	}
	sum.Header = append(sum.Header, "seed", "status")
	sum.keys = len(sum.Header)
	var cols []string
	values := make([]map[string]string, len(runs))
	for i, r := range runs {
		values[i] = map[string]string{}
		for _, f := range []struct {
			file, epoch string
			keep        []string // the columns kept (nil: all)
			first       bool     // the first row instead of the last
		}{{"metrics.csv", "epoch", nil, false}, {"analysis.csv", "analysis_epoch", nil, false},
			{"info-summary.csv", "", infoColumns, false},
			{"modes.csv", "", modeColumns, true}, {"fluctuations-summary.csv", "", fluctColumns, false}} {
			read := lastRow
			if f.first {
				read = firstRow
			}
			h, row, err := read(filepath.Join(l.Run(r), f.file))
			if err != nil {
				return nil, err
			}
			for j, name := range h {
				if name == "wall_seconds" || f.keep != nil && !slices.Contains(f.keep, name) {
					continue
				}
				if name == "epoch" {
					name = f.epoch
				}
				if !slices.Contains(cols, name) {
					cols = append(cols, name)
				}
				values[i][name] = row[j]
			}
		}
	}
	sum.Header = append(sum.Header, cols...)
	for i, r := range runs {
		row := []string{r.ID, r.Dir}
		for _, v := range r.Values {
			row = append(row, v.Value)
		}
		row = append(row, strconv.FormatUint(r.Seed, 10), st[i].State)
		for _, c := range cols {
			row = append(row, values[i][c])
		}
		sum.Rows = append(sum.Rows, row)
	}
	return sum, nil
}

// infoColumns are the columns of a balnet info run's info-summary.csv that a summary
// keeps: the estimates and their resolution (the parameters are the run's configuration).
var infoColumns = []string{"r_lb", "r_lb_corrected", "r_eq21", "r_eq21_cut", "r_eq22", "k_segments", "df", "f_cut", "r_floor", "k_eff", "min_active"}

// modeColumns are the columns of a balnet fluctuations run's modes.csv that a summary
// keeps, from its first row (mode 1, the largest γ; the only one for rank 1), and
// fluctColumns those of its fluctuations-summary.csv (docs/science.md §6.4).
var (
	modeColumns  = []string{"gamma", "theta_deg", "tan_theta", "amplitude", "amplitude_over_sqrt_cphi", "ratio_to_prediction"}
	fluctColumns = []string{"d", "c_phi", "rt_dphi_std", "nu", "min_active"}
)

// firstRow is lastRow with the first row of the file.
func firstRow(path string) (header, row []string, err error) {
	recs, err := readRows(path)
	if len(recs) < 2 || err != nil {
		return nil, nil, err
	}
	return recs[0], recs[1], nil
}

// lastRow returns the header and the last complete row of a CSV file; a missing file or
// one without rows gives nothing. A torn last line (a run killed mid-write) is ignored.
func lastRow(path string) (header, row []string, err error) {
	recs, err := readRows(path)
	if len(recs) < 2 || err != nil {
		return nil, nil, err
	}
	return recs[0], recs[len(recs)-1], nil
}

// readRows reads the complete lines of a CSV file (nil for a missing file).
func readRows(path string) ([][]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// Write writes the summary as CSV to path, atomically.
func (sum *Summary) Write(path string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(sum.Header)
	w.WriteAll(sum.Rows)
	if err := w.Error(); err != nil {
		return err
	}
	return checkpoints.WriteFileAtomic(path, buf.Bytes(), 0o644)
}

// Column returns the index of a column, or −1.
func (sum *Summary) Column(name string) int { return slices.Index(sum.Header, name) }

// Curve is one line of a sweep figure: the mean and the sample standard deviation over
// the runs at each x (the seeds, and any swept key other than x and by).
type Curve struct {
	Label       string // "by=value", or "" without a by key
	X, Mean, SD []float64
	N           []int // runs averaged at each x
}

// Curves groups the finished runs (status done) by the value of by (in grid order; by = ""
// for one curve) and, within a curve, by the value of x (in grid order), and returns the
// mean ± sd of metric y over each group:
//
//	mean = (1/n) Σ y_i,   sd = sqrt(Σ (y_i − mean)² / (n − 1))   (0 for n = 1)
//
// x must be a swept key with numeric values; y a numeric column of the summary. Runs with
// an empty or non-finite y are left out.
func (sum *Summary) Curves(s *Spec, x, y, by string) ([]Curve, error) {
	axis := func(key, flag string) (Axis, error) {
		for _, a := range s.Grid {
			if a.Key == key {
				return a, nil
			}
		}
		var keys []string
		for _, a := range s.Grid {
			keys = append(keys, a.Key)
		}
		return Axis{}, specError(flag, key, fmt.Sprintf("a swept key (one of %v)", keys))
	}
	ax, err := axis(x, "--x")
	if err != nil {
		return nil, err
	}
	xs := make([]float64, len(ax.Values))
	for i, v := range ax.Values {
		if xs[i], err = strconv.ParseFloat(v, 64); err != nil {
			return nil, specError("--x", x, fmt.Sprintf("a key with numeric values (it has %q)", v))
		}
	}
	yc := sum.Column(y)
	if yc < sum.keys {
		return nil, specError("--y", y, fmt.Sprintf("a column of summary.csv after status (%v)", sum.Header[sum.keys:]))
	}
	groups := []string{""}
	if by != "" {
		if by == x {
			return nil, specError("--by", by, "a swept key other than --x")
		}
		bx, err := axis(by, "--by")
		if err != nil {
			return nil, err
		}
		groups = bx.Values
	}
	xc, bc, sc := sum.Column(x), sum.Column(by), sum.Column("status")
	var curves []Curve
	for _, g := range groups {
		c := Curve{}
		if by != "" {
			c.Label = by + "=" + g
		}
		for i, xv := range ax.Values {
			var ys []float64
			for _, row := range sum.Rows {
				if row[xc] != xv || (by != "" && row[bc] != g) || row[sc] != Done {
					continue
				}
				v, err := strconv.ParseFloat(row[yc], 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
					continue
				}
				ys = append(ys, v)
			}
			if len(ys) == 0 {
				continue
			}
			m, sd := stat.MeanStdDev(ys, nil)
			if len(ys) == 1 {
				sd = 0
			}
			c.X, c.Mean, c.SD, c.N = append(c.X, xs[i]), append(c.Mean, m), append(c.SD, sd), append(c.N, len(ys))
		}
		curves = append(curves, c)
	}
	return curves, nil
}
