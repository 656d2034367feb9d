package plots

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/rundir"
)

// Axis labels shared by several panels.
const (
	epochLabel = "epoch"
	timeLabel  = "time t (τ)"
)

// fixLogRange keeps a log axis positive when all its data are equal (gonum/plot would
// widen the range by ±1).
func fixLogRange(a *plot.Axis) {
	if a.Min == a.Max && a.Min > 0 {
		a.Min, a.Max = a.Min/2, a.Max*2
	}
}

func (r *run) lossPanel() (*plot.Plot, error) {
	if r.metrics == nil {
		return nil, r.metricsErr
	}
	s, err := LossSeries(r.metrics)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rundir.MetricsFile, err)
	}
	p := newPlot("Loss", epochLabel, "loss (log scale)")
	setLogY(p)
	if !addEpochSeries(p, s, true, nil) {
		return nil, fmt.Errorf("%s has no positive loss yet", rundir.MetricsFile)
	}
	fixLogRange(&p.Y)
	return p, nil
}

func (r *run) tracePanel(k int, after bool) (*plot.Plot, error) {
	if r.state == nil {
		return nil, r.stateErr
	}
	dt, _ := r.dt() // a state implies a configuration
	tr, when := r.state.before, "before training (epoch 0)"
	if after {
		tr, when = r.state.after, fmt.Sprintf("after training (epoch %d)", r.state.epoch)
	}
	ts, err := TraceSeries(tr, r.state.batch, 0, dt)
	if err != nil {
		return nil, err
	}
	if k >= len(ts.Target) {
		return nil, fmt.Errorf("readout %d of %d", k+1, len(ts.Target))
	}
	title := "Test trial 1, " + when
	if len(ts.Target) > 1 {
		title = fmt.Sprintf("Readout %d, test trial 1, %s", k+1, when)
	}
	p := newPlot(title, timeLabel, "readout, target")
	addSeries(p, series{label: "target", x: ts.Time, y: ts.Target[k], color: black, dashes: dashed}, false)
	addSeries(p, series{label: "readout", x: ts.Time, y: ts.Readout[k], color: colorAt(0)}, false)
	return p, nil
}

// spectrumPanel draws eig(J·diag φ′) of the first and last spectra files with the unit
// circle, the continuous-time stability line Re λ = 1 and the Euler stability bound.
func (r *run) spectrumPanel() (panel, []string, error) {
	if r.last == nil {
		return nil, nil, r.spectraErr
	}
	if r.last.Lin == nil {
		return nil, nil, fmt.Errorf("%s has no array lin_eig", r.last.Path)
	}
	var notes []string
	p := newPlot("Eigenvalues of J·diag(φ′)", "Re λ", "Im λ")
	p.Legend.Left = true
	lo, hi := -1.0, 1.0 // the unit circle
	points := func(sp *Spectra, label string, glyph draw.GlyphStyle) {
		var xy plotter.XYs
		for _, z := range sp.Lin {
			if x, y := real(z), imag(z); finite(x) && finite(y) {
				xy = append(xy, plotter.XY{X: x, Y: y})
				lo, hi = min(lo, x), max(hi, x)
			}
		}
		if len(xy) == 0 {
			return
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return
		}
		sc.GlyphStyle = glyph
		p.Add(sc)
		p.Legend.Add(label, sc)
	}
	if r.first != nil && r.first != r.last && r.first.Lin != nil {
		points(r.first, fmt.Sprintf("epoch %d (initial)", r.first.Epoch),
			draw.GlyphStyle{Color: grey, Radius: vg.Points(2.2), Shape: draw.RingGlyph{}})
		points(r.last, fmt.Sprintf("epoch %d (final)", r.last.Epoch),
			draw.GlyphStyle{Color: colorAt(1), Radius: vg.Points(2), Shape: draw.CircleGlyph{}})
	} else {
		notes = append(notes, "one spectra file: initial and final are the same")
		points(r.last, fmt.Sprintf("epoch %d", r.last.Epoch),
			draw.GlyphStyle{Color: colorAt(1), Radius: vg.Points(2), Shape: draw.CircleGlyph{}})
	}
	circle := make(plotter.XYs, 201)
	for i := range circle {
		a := 2 * math.Pi * float64(i) / float64(len(circle)-1)
		circle[i] = plotter.XY{X: math.Cos(a), Y: math.Sin(a)}
	}
	if l, err := plotter.NewLine(circle); err == nil {
		l.LineStyle = draw.LineStyle{Color: black, Width: vg.Points(0.8), Dashes: dotted}
		p.Add(l)
		p.Legend.Add("unit circle", l)
	}
	addRefLine(p, "Re λ = 1", 1, true, true, black, dashed)
	if dt, ok := r.dt(); ok {
		v := model.Spec{DT: dt, Tau: 1}.StabilityBound()
		label := fmt.Sprintf("Re λ = 1 − 2τ/Δt = %s", formatG(v))
		if nearRange(v, lo, hi) {
			addRefLine(p, label, v, true, true, colorAt(1), dashDot)
			lo = min(lo, v)
		} else {
			p.Add(&note{Text: "← " + label + " (Euler stability bound, off scale)", Left: true})
			notes = append(notes, "stability bound off scale, named in a note")
		}
	} else {
		notes = append(notes, "stability bound not marked: Δt unknown ("+r.cfgErr.Error()+")")
	}
	// Keep the reference lines off the frame.
	pad := 0.05 * (hi - lo)
	p.X.Min, p.X.Max = lo-pad, hi+pad
	p.Y.Min, p.Y.Max = p.Y.Min-pad, p.Y.Max+pad
	return legendOutside{p: p, inner: equalAspect{p}}, notes, nil
}

// nearRange reports whether a reference value v is close enough to the data range
// [lo, hi] to be drawn without squeezing the data too much: within four data widths,
// counting a width of at least 2 (so that for Δt = 0.2τ the bound −9 shows beside the unit
// circle, while for Δt = 0.01τ the bound −199 does not flatten a spectrum within |λ| < 10).
func nearRange(v, lo, hi float64) bool {
	w := 4 * max(hi-lo, 2)
	return v >= lo-w && v <= hi+w
}

// curveRange returns the range of the finite values of the curves.
func curveRange(s EpochSeries) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, c := range s.Curves {
		for _, y := range c.Y {
			if finite(y) {
				lo, hi = min(lo, y), max(hi, y)
			}
		}
	}
	return lo, hi
}

// outlierPanel draws the real parts of the outliers of J·diag(φ′) (matrix "lin") or of
// J ("j") against epoch; for J·diag(φ′) it marks the deadbeat eigenvalue 1 − τ/Δt and
// the Euler stability bound 1 − 2τ/Δt.
func (r *run) outlierPanel(matrix string) (panel, []string, error) {
	if r.analysis == nil {
		return nil, nil, r.analysisErr
	}
	s, err := OutlierSeries(r.analysis, matrix)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", rundir.AnalysisFile, err)
	}
	title := "Outlier eigenvalues of J"
	if matrix == "lin" {
		title = "Outlier eigenvalues of J·diag(φ′)"
	}
	p := newPlot(title, epochLabel, "Re λ")
	p.Legend.Top = false
	if !addEpochSeries(p, s, false, nil) {
		return nil, nil, fmt.Errorf("%s has no outlier values yet", rundir.AnalysisFile)
	}
	var notes []string
	if matrix == "lin" {
		if dt, ok := r.dt(); ok {
			lo, hi := curveRange(s)
			for _, ref := range []struct {
				label  string
				v      float64
				dashes []vg.Length
			}{
				{"deadbeat 1 − τ/Δt = %s", model.Spec{DT: dt, Tau: 1}.DeadbeatEigenvalue(), dashed},
				{"stability bound 1 − 2τ/Δt = %s", model.Spec{DT: dt, Tau: 1}.StabilityBound(), dashDot},
			} {
				label := fmt.Sprintf(ref.label, formatG(ref.v))
				if nearRange(ref.v, lo, hi) {
					addRefLine(p, label, ref.v, false, true, black, ref.dashes)
				} else {
					notes = append(notes, label+" off scale, not drawn")
				}
			}
		}
	}
	return legendOutside{p: p}, notes, nil
}

func (r *run) balancePanel() (*plot.Plot, error) {
	if r.analysis == nil {
		return nil, r.analysisErr
	}
	s, err := BalanceSeries(r.analysis)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rundir.AnalysisFile, err)
	}
	p := newPlot("Empirical balance", epochLabel, "balance (units of b)")
	p.Legend.Left = true
	if !addEpochSeries(p, s, false, nil) {
		return nil, fmt.Errorf("%s has no balance values yet", rundir.AnalysisFile)
	}
	return p, nil
}

func (r *run) subnetworksPanel() (*plot.Plot, error) {
	if r.analysis == nil {
		return nil, r.analysisErr
	}
	s, err := CouplingSeries(r.analysis)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rundir.AnalysisFile, err)
	}
	p := newPlot("Coupling within and between clusters", epochLabel, "mean coupling J_ij")
	if !addEpochSeries(p, s, false, nil) {
		return nil, fmt.Errorf("%s has no coupling values yet", rundir.AnalysisFile)
	}
	return p, nil
}

func (r *run) alignmentPanel() (panel, error) {
	if r.analysis == nil {
		return nil, r.analysisErr
	}
	s, err := AlignmentSeries(r.analysis)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rundir.AnalysisFile, err)
	}
	p := newPlot("Alignment of the learned structure", epochLabel, "γ_k = cos θ_k,  ‖J_EF‖/‖Jˢ‖")
	p.Legend.Top = false
	dashes := func(k int) []vg.Length {
		if s.Curves[k].Label == "‖J_EF‖/‖Jˢ‖" {
			return dashed
		}
		return nil
	}
	if !addEpochSeries(p, s, false, dashes) {
		return nil, fmt.Errorf("%s has no alignment values yet", rundir.AnalysisFile)
	}
	p.Y.Min, p.Y.Max = min(p.Y.Min, 0), max(p.Y.Max, 1)
	return legendOutside{p: p}, nil
}

func (r *run) weightMeanPanel() (panel, error) {
	if r.analysis == nil {
		return nil, r.analysisErr
	}
	s, err := WeightMeanSeries(r.analysis)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rundir.AnalysisFile, err)
	}
	p := newPlot("Mean weights", epochLabel, "mean weight")
	p.Legend.Left = true
	dashes := func(k int) []vg.Length {
		if strings.HasSuffix(s.Curves[k].Label, "all") {
			return nil
		}
		return dashed
	}
	if !addEpochSeries(p, s, false, dashes) {
		return nil, fmt.Errorf("%s has no weight means yet", rundir.AnalysisFile)
	}
	return legendOutside{p: p}, nil
}

// histPanel draws the histograms of the entries of W_in (which "in") or W_out ("out") at
// epoch 0 and at the checkpoint, on shared bins.
func (r *run) histPanel(which string) (*plot.Plot, error) {
	if r.state == nil {
		return nil, r.stateErr
	}
	init, final := r.state.init.Win, r.state.final.Win
	name := "input weights W_in"
	if which == "out" {
		init, final, name = r.state.init.Wout, r.state.final.Wout, "readout weights W_out"
	}
	a, b := Values(init), Values(final)
	edges := BinEdges(40, a, b)
	if edges == nil {
		return nil, fmt.Errorf("no finite %s", name)
	}
	p := newPlot("Distribution of the "+name, strings.Split(name, " ")[0]+" weight", "count")
	for k, set := range []struct {
		label string
		v     []float64
	}{{"epoch 0", a}, {fmt.Sprintf("epoch %d", r.state.epoch), b}} {
		x, y := stepXY(edges, Histogram(set.v, edges))
		var col color.Color = grey
		if k == 1 {
			col = colorAt(0)
		}
		addSeries(p, series{label: set.label, x: x, y: y, color: col}, false)
	}
	p.Y.Max *= 1.25 // headroom for the legend
	return p, nil
}

// stepXY returns the outline of a histogram: for each bin k the points (e_k, c_k) and
// (e_{k+1}, c_k), closed down to zero at both ends.
func stepXY(edges, counts []float64) (x, y []float64) {
	x, y = []float64{edges[0]}, []float64{0}
	for k, c := range counts {
		x = append(x, edges[k], edges[k+1])
		y = append(y, c, c)
	}
	return append(x, edges[len(edges)-1]), append(y, 0)
}

// scatterPanel draws W_out,k· against W_in,·k at the checkpoint, coloured by the k-means
// clusters of the last spectra file (docs/science.md §3.3).
func (r *run) scatterPanel(k int) (panel, error) {
	if r.state == nil {
		return nil, r.stateErr
	}
	n, _, _ := r.state.final.Dims()
	labels, _ := r.labels(n)
	if labels == nil {
		labels = make([]int, n)
	}
	cl, err := ClusterPoints(r.state.final, labels, k)
	if err != nil {
		return nil, err
	}
	p := newPlot(fmt.Sprintf("Signal %d, epoch %d", k+1, r.state.epoch),
		fmt.Sprintf("input weight W_in,%d", k+1), fmt.Sprintf("readout weight W_out,%d", k+1))
	for i, c := range cl {
		var xy plotter.XYs
		for j := range c.X {
			if finite(c.X[j]) && finite(c.Y[j]) {
				xy = append(xy, plotter.XY{X: c.X[j], Y: c.Y[j]})
			}
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil || len(xy) == 0 {
			continue
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: colorAt(i), Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		if len(cl) > 1 {
			p.Legend.Add(fmt.Sprintf("cluster %d", c.Label+1), sc)
		}
	}
	return legendOutside{p: p}, nil
}

// heatPanel draws J (initial or final) with rows and columns sorted by the cluster order
// of the last spectra file, on a diverging palette centred at zero, with a colour bar.
func (r *run) heatPanel(final bool) (panel, []string, error) {
	if r.state == nil {
		return nil, nil, r.stateErr
	}
	j, epoch := r.state.init.J, 0
	if final {
		j, epoch = r.state.final.J, r.state.epoch
	}
	n, _ := j.Dims()
	var notes []string
	order, orderEpoch := r.order(n)
	title := fmt.Sprintf("J at epoch %d", epoch)
	sorted := "(sorted)"
	if order == nil {
		notes = append(notes, "neurons unsorted: no cluster order in the spectra files")
		sorted = "(unsorted)"
	} else {
		title += fmt.Sprintf(", sorted by the clusters of epoch %d", orderEpoch)
	}
	m := SortedMatrix(j, order)
	scale := MaxAbs(m)
	if scale == 0 || !finite(scale) {
		scale = 1
	}
	cm := moreland.SmoothBlueRed()
	cm.SetMin(-scale)
	cm.SetMax(scale)

	heat := newPlot(title, "presynaptic neuron j "+sorted, "postsynaptic neuron i "+sorted)
	hm := plotter.NewHeatMap(matrixGrid{m}, cm.Palette(255))
	hm.Min, hm.Max = -scale, scale
	heat.Add(hm)
	heat.X.Tick.Marker = indexTicks{n: n}
	heat.Y.Tick.Marker = indexTicks{n: n, reversed: true}
	heat.X.Padding, heat.Y.Padding = 0, 0

	bar := plot.New()
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	bar.HideX()
	bar.Y.Label.Text = "J_ij"
	bar.Y.Padding = 0
	return withBar{heat: heat, bar: bar}, notes, nil
}

// matrixGrid shows a matrix as a heat map with row 0 at the top: grid row r is matrix
// row n−1−r, at y = r.
type matrixGrid struct{ m *mat.Dense }

func (g matrixGrid) Dims() (c, r int) { r, c = g.m.Dims(); return c, r }
func (g matrixGrid) Z(c, r int) float64 {
	n, _ := g.m.Dims()
	return g.m.At(n-1-r, c)
}
func (g matrixGrid) X(c int) float64 { return float64(c) }
func (g matrixGrid) Y(r int) float64 { return float64(r) }

// indexTicks labels a matrix axis with row or column indices 0…n−1 at round values;
// reversed for the y axis of matrixGrid, where index i sits at y = n−1−i.
type indexTicks struct {
	n        int
	reversed bool
}

func (t indexTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for _, tk := range (plot.DefaultTicks{}).Ticks(0, float64(t.n-1)) {
		if tk.Label == "" || tk.Value != math.Trunc(tk.Value) {
			continue
		}
		v := tk.Value
		if t.reversed {
			v = float64(t.n-1) - tk.Value
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: tk.Label})
	}
	return ticks
}

func (r *run) activityPanel() (panel, []string, error) {
	if r.state == nil {
		return nil, nil, r.stateErr
	}
	dt, _ := r.dt()
	n, _, _ := r.state.final.Dims()
	order, _ := r.order(n)
	labels, _ := r.labels(n)
	neurons := ExampleNeurons(n, order, 5)
	t, h, err := ActivitySeries(r.state.after, 0, neurons, dt)
	if err != nil {
		return nil, nil, err
	}
	p := newPlot(fmt.Sprintf("Activity on test trial 1, epoch %d", r.state.epoch), timeLabel, "state h_i")
	for k, i := range neurons {
		label := fmt.Sprintf("neuron %d", i)
		if labels != nil {
			label += fmt.Sprintf(" (cluster %d)", labels[i]+1)
		}
		addSeries(p, series{label: label, x: t, y: h[k], color: colorAt(k)}, false)
	}
	return legendOutside{p: p}, nil, nil
}

// title is the summary's title: the key configuration, or the run directory.
func (r *run) title() string {
	epoch := -1
	switch {
	case r.metrics != nil:
		if e, err := r.metrics.Column("epoch"); err == nil && len(e) > 0 {
			epoch = int(e[len(e)-1])
		}
	case r.state != nil:
		epoch = r.state.epoch
	}
	if r.cfg == nil {
		return "balnet run " + r.dir
	}
	return SummaryTitle(*r.cfg, epoch)
}

// SummaryTitle returns the title of the summary figure, for example
//
//	task ou (S = 1, R = 1),  N = 100,  g = 0.032,  b = 1,  Δt = 0.2τ,  epoch 3000 of 100000
//
// epoch is the last epoch reached: while the run is in progress the title says "epoch E of
// EPOCHS", once it is complete (or if epoch is negative, unknown) "EPOCHS epochs".
func SummaryTitle(cfg config.Config, epoch int) string {
	parts := []string{
		fmt.Sprintf("task %s (S = %d, R = %d)", cfg.Task.Kind, cfg.Task.Signals, cfg.Outputs()),
		fmt.Sprintf("N = %d", cfg.Network.N),
		"g = " + formatG(cfg.Network.G),
		"b = " + formatG(cfg.Network.B),
		"Δt = " + formatG(dtOverTau(cfg)) + "τ",
	}
	switch {
	case epoch < 0:
		parts = append(parts, fmt.Sprintf("%d epochs", cfg.Train.Epochs))
	case epoch < cfg.Train.Epochs:
		parts = append(parts, fmt.Sprintf("epoch %d of %d", epoch, cfg.Train.Epochs))
	default:
		parts = append(parts, fmt.Sprintf("%d epochs", epoch))
	}
	return strings.Join(parts, ",  ")
}

// dtOverTau returns Δt/τ (τ = 1 when unset).
func dtOverTau(cfg config.Config) float64 {
	tau := cfg.Network.Tau
	if tau <= 0 {
		tau = 1
	}
	return cfg.Sim.DT / tau
}
