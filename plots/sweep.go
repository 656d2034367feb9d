package plots

import (
	"fmt"
	"math"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MeanCurve is one line of a sweep figure: a mean with ± one standard deviation at each x.
type MeanCurve struct {
	Label       string // legend text; "" for none
	X, Mean, SD []float64
}

// SweepFigure draws curves of y against x, each point with an error bar of ± SD, into
// DIR/NAME.png and DIR/NAME.svg (with a log x axis when logX), and returns the paths.
func SweepFigure(dir, name, title, xLabel, yLabel string, curves []MeanCurve, logX bool) (paths []string, err error) {
	defer recoverDraw(&err)
	p := newPlot(title, xLabel, yLabel)
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	drawn := false
	for k, c := range curves {
		if len(c.X) == 0 {
			continue
		}
		col := colorAt(k)
		if addSeries(p, series{label: c.Label, x: c.X, y: c.Mean, color: col}, false) {
			drawn = true
		}
		pts := make(plotter.XYs, len(c.X))
		errs := make(plotter.YErrors, len(c.X))
		for i := range c.X {
			pts[i] = plotter.XY{X: c.X[i], Y: c.Mean[i]}
			errs[i].Low, errs[i].High = c.SD[i], c.SD[i]
		}
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYer
			plotter.YErrorer
		}{pts, errs})
		if err != nil {
			return nil, err
		}
		eb.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1)}
		eb.CapWidth = vg.Points(4)
		p.Add(eb)
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
		p.Add(sc)
	}
	if !drawn {
		return nil, fmt.Errorf("sweep figure %s: no finished run has a value to draw", name)
	}
	p.Legend.Left = legendLeft(curves, logX)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return writeFigure(dir, name, single(p, 6*vg.Inch, 4*vg.Inch))
}

// legendLeft reports whether the legend of a sweep figure goes into the top left corner
// rather than the top right one: the corner the curves leave freer, the side whose outer
// quarter of the x range (in log x with logX) has the lower highest point, mean + SD, so
// that the legend does not cover the error bars of rising curves (they end high on the
// right) nor of falling ones.
func legendLeft(curves []MeanCurve, logX bool) bool {
	pos := func(x float64) float64 {
		if logX {
			return math.Log10(x)
		}
		return x
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range curves {
		for _, x := range c.X {
			if v := pos(x); !math.IsNaN(v) && !math.IsInf(v, 0) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if !(hi > lo) {
		return false
	}
	left, right := math.Inf(-1), math.Inf(-1)
	for _, c := range curves {
		for i, x := range c.X {
			top := c.Mean[i] + c.SD[i]
			if math.IsNaN(top) {
				continue
			}
			switch u := (pos(x) - lo) / (hi - lo); {
			case u <= 0.25:
				left = max(left, top)
			case u >= 0.75:
				right = max(right, top)
			}
		}
	}
	return left < right
}
