package plots

import (
	"errors"
	"fmt"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// build draws the named figure from what the run holds. notes are remarks on a figure
// drawn with part of its data; err says why it cannot be drawn at all.
func (r *run) build(name string) (f figure, notes []string, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("drawing failed: %v", v)
		}
	}()
	switch name {
	case "loss":
		return one(r.lossPanel())(6, 4)
	case "traces":
		return r.tracesFigure()
	case "spectrum":
		return oneNotes(r.spectrumPanel())(8, 5)
	case "outliers":
		return r.outliersFigure()
	case "balance":
		if r.analysis != nil && r.analysis.Has("mi_rate") {
			return r.balanceInfoFigure()
		}
		return one(r.balancePanel())(6, 4)
	case "weights":
		return r.weightsFigure()
	case "connectivity":
		return r.connectivityFigure()
	case "subnetworks":
		return one(r.subnetworksPanel())(6, 4)
	case "activity":
		return oneNotes(r.activityPanel())(7, 4)
	case "alignment":
		return one(r.alignmentPanel())(6, 4)
	case "summary":
		return r.summaryFigure()
	}
	return figure{}, nil, fmt.Errorf("unknown figure %q", name)
}

// one makes a figure of w×h inches of a single panel.
func one[P panel](p P, err error) func(w, h vg.Length) (figure, []string, error) {
	return oneNotes(p, nil, err)
}

// oneNotes is one for a panel with notes.
func oneNotes[P panel](p P, notes []string, err error) func(w, h vg.Length) (figure, []string, error) {
	return func(w, h vg.Length) (figure, []string, error) {
		if err != nil {
			return figure{}, nil, err
		}
		return single(p, w*vg.Inch, h*vg.Inch), notes, nil
	}
}

// figureOf composes the panels that could be drawn into a grid; it fails, with every
// reason, only if none could.
func figureOf(title string, cols int, panels []panel, reasons []string, w vg.Length, rowH vg.Length) (figure, []string, error) {
	if len(panels) == 0 {
		return figure{}, nil, errors.New(strings.Join(reasons, "; "))
	}
	cols = min(cols, len(panels))
	rows := (len(panels) + cols - 1) / cols
	h := vg.Length(rows) * rowH
	if title != "" {
		h += 0.4 * vg.Inch
	}
	return grid(title, cols, panels, w, h), reasons, nil
}

func (r *run) tracesFigure() (figure, []string, error) {
	if r.state == nil {
		return figure{}, nil, r.stateErr
	}
	R := r.state.batch.Outputs
	var panels []panel
	for k := range R {
		var pair []*plot.Plot
		for _, after := range []bool{false, true} {
			p, err := r.tracePanel(k, after)
			if err != nil {
				return figure{}, nil, err
			}
			pair = append(pair, p)
			panels = append(panels, legendOutside{p: p})
		}
		// before and after on the same scale
		lo, hi := min(pair[0].Y.Min, pair[1].Y.Min), max(pair[0].Y.Max, pair[1].Y.Max)
		for _, p := range pair {
			p.Y.Min, p.Y.Max = lo, hi
		}
	}
	return figureOf("", 2, panels, nil, 11*vg.Inch, 2.8*vg.Inch)
}

func (r *run) outliersFigure() (figure, []string, error) {
	var panels []panel
	var notes []string
	for _, m := range []string{"lin", "j"} {
		p, n, err := r.outlierPanel(m)
		if err != nil {
			what := map[string]string{"lin": "J·diag(φ′)", "j": "J"}[m]
			notes = append(notes, fmt.Sprintf("no outliers of %s: %v", what, err))
			continue
		}
		notes = append(notes, n...)
		panels = append(panels, p)
	}
	return figureOf("", 2, panels, dedupe(notes), 11*vg.Inch, 4.2*vg.Inch)
}

func (r *run) weightsFigure() (figure, []string, error) {
	var panels []panel
	var notes []string
	add := func(what string) func(p panel, err error) {
		return func(p panel, err error) {
			if err != nil {
				notes = append(notes, fmt.Sprintf("no %s: %v", what, err))
				return
			}
			panels = append(panels, p)
		}
	}
	add("mean weights")(r.weightMeanPanel())
	add("histograms")(r.histPanel("in"))
	add("histograms")(r.histPanel("out"))
	if r.state != nil {
		_, s, rr := r.state.final.Dims()
		if s >= 2 {
			for k := range min(s, rr, 3) {
				add("W_in–W_out scatter")(r.scatterPanel(k))
			}
		}
	}
	return figureOf("", 3, panels, dedupe(notes), 13*vg.Inch, 3.8*vg.Inch)
}

func (r *run) connectivityFigure() (figure, []string, error) {
	var panels []panel
	var notes []string
	for _, final := range []bool{false, true} {
		p, n, err := r.heatPanel(final)
		if err != nil {
			return figure{}, nil, err
		}
		panels = append(panels, p)
		notes = n
	}
	return figureOf("", 2, panels, notes, 12*vg.Inch, 5.4*vg.Inch)
}

// summaryFigure is one multi-panel figure of the main results under a title with the
// key configuration; panels without data are left out.
func (r *run) summaryFigure() (figure, []string, error) {
	var panels []panel
	var notes []string
	add := func(name string, p panel, err error) {
		if err != nil {
			notes = append(notes, "no "+name+" panel")
			return
		}
		panels = append(panels, p)
	}
	p, err := r.lossPanel()
	add("loss", p, err)
	if r.state != nil {
		tp, err := r.tracePanel(0, true)
		if err == nil {
			add("traces", legendOutside{p: tp}, nil)
		} else {
			add("traces", nil, err)
		}
	} else {
		add("traces", nil, r.stateErr)
	}
	sp, _, err := r.spectrumPanel()
	add("spectrum", sp, err)
	op, _, err := r.outlierPanel("lin")
	add("outliers", op, err)
	p, err = r.balancePanel()
	add("balance", p, err)
	hp, _, err := r.heatPanel(true)
	add("connectivity", hp, err)
	if len(panels) == 0 {
		return figure{}, nil, errors.New("no panel has data")
	}
	return figureOf(r.title(), 3, panels, notes, 13*vg.Inch, 3.9*vg.Inch)
}

// dedupe drops repeated notes, keeping the first of each.
func dedupe(notes []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range notes {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// balanceInfoFigure is the balance figure of a run that measures its information rate
// (analysis.info_every): the balance and, beside it, the information rate against epoch —
// the rate rises as the balance tightens.
func (r *run) balanceInfoFigure() (figure, []string, error) {
	var panels []panel
	var reasons []string
	if p, err := r.balancePanel(); err == nil {
		panels = append(panels, p)
	} else {
		reasons = append(reasons, "balance: "+err.Error())
	}
	if p, err := r.infoPanel(); err == nil {
		panels = append(panels, p)
	} else {
		reasons = append(reasons, "information rate: "+err.Error())
	}
	return figureOf("", 2, panels, reasons, 12*vg.Inch, 4*vg.Inch)
}

// infoPanel draws the information rates mi_rate (readout) and mi_rate_nu (population
// rate) of analysis.csv against epoch, in bits/τ; epochs without a measurement are gaps.
func (r *run) infoPanel() (*plot.Plot, error) {
	s, err := epochSeries(r.analysis, []string{"mi_rate", "mi_rate_nu"},
		[]string{"readout vs input", "population rate vs input"})
	if err != nil {
		return nil, err
	}
	// Keep only the epochs with a measurement, so that the curves are not broken by the
	// analysis rows in between.
	var keep EpochSeries
	for i, e := range s.Epoch {
		if finite(s.Curves[0].Y[i]) || finite(s.Curves[1].Y[i]) {
			keep.Epoch = append(keep.Epoch, e)
		}
	}
	for _, c := range s.Curves {
		var y []float64
		for i := range s.Epoch {
			if finite(s.Curves[0].Y[i]) || finite(s.Curves[1].Y[i]) {
				y = append(y, c.Y[i])
			}
		}
		keep.Curves = append(keep.Curves, Curve{Label: c.Label, Y: y})
	}
	p := newPlot("Information rate (R_lb, Eq. 14)", epochLabel, "bits/τ")
	p.Legend.Left = true
	if !addEpochSeries(p, keep, false, nil) {
		return nil, fmt.Errorf("no information rate measured yet")
	}
	return p, nil
}
