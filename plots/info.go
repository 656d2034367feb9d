package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// InfoCurves are the per-frequency results of balnet info for one input channel.
type InfoCurves struct {
	Label     string    // e.g. "channel 1"
	F         []float64 // frequency, 1/τ
	Coherence []float64 // estimate
	Theory    []float64 // the exact linear coherence as the estimator sees it (nil if none)
	Eq19      []float64 // Eq. 19
	Density   []float64 // −log₂(1 − C)
	Eq20      []float64 // Eq. 20
	Gain      []float64 // |S_xy|/S_xx
	GainEq18  []float64 // static gain × Eq. 18 (nil if none)
}

// InfoFigures draws the figures of balnet info into dir — info-coherence, info-density
// and info-gain (PNG and SVG), against log frequency (f = 0 is left out) — under the given
// title, and returns the paths written.
func InfoFigures(dir, title string, curves []InfoCurves) ([]string, error) {
	type pick func(c InfoCurves) (est, theory, ref []float64, refLabel string)
	figs := []struct {
		name, ylabel string
		logY         bool
		get          pick
	}{
		{"info-coherence", "coherence C(f)", false, func(c InfoCurves) ([]float64, []float64, []float64, string) {
			return c.Coherence, c.Theory, c.Eq19, "Eq. 19"
		}},
		{"info-density", "MI-rate density −log₂(1−C) [bits/τ per 1/τ]", true, func(c InfoCurves) ([]float64, []float64, []float64, string) {
			var th []float64
			if c.Theory != nil {
				th = make([]float64, len(c.Theory))
				for i, v := range c.Theory {
					th[i] = -math.Log2(1 - v)
				}
			}
			return c.Density, th, c.Eq20, "Eq. 20"
		}},
		{"info-gain", "gain |S_Iy|/S_II", true, func(c InfoCurves) ([]float64, []float64, []float64, string) {
			return c.Gain, nil, c.GainEq18, "static gain × Eq. 18"
		}},
	}
	var paths []string
	for _, fg := range figs {
		p := newPlot(title, "frequency f [1/τ]", fg.ylabel)
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
		if fg.logY {
			setLogY(p)
		}
		for k, c := range curves {
			est, th, ref, refLabel := fg.get(c)
			f, est, th, ref := positive(c.F, est, th, ref)
			label := "estimate"
			if len(curves) > 1 {
				label = c.Label
			}
			addSeries(p, series{label: label, x: f, y: est, color: colorAt(k)}, fg.logY)
			if th != nil {
				addSeries(p, series{label: "exact linear (Welch)", x: f, y: th, color: black, dashes: dashed}, fg.logY)
			}
			if ref != nil {
				addSeries(p, series{label: refLabel, x: f, y: ref, color: grey, dashes: dotted}, fg.logY)
			}
		}
		if fg.name == "info-coherence" {
			p.Y.Min, p.Y.Max = 0, 1
		}
		out, err := writeFigure(dir, fg.name, single(p, 6*vg.Inch, 4*vg.Inch))
		if err != nil {
			return paths, fmt.Errorf("plots: %s: %w", fg.name, err)
		}
		paths = append(paths, out...)
	}
	return paths, nil
}

// positive drops the frequencies ≤ 0 (for the log axis) from f and the curves (nil stays
// nil).
func positive(f []float64, ys ...[]float64) ([]float64, []float64, []float64, []float64) {
	i := 0
	for i < len(f) && f[i] <= 0 {
		i++
	}
	out := make([][]float64, 3)
	for k := 0; k < 3 && k < len(ys); k++ {
		if ys[k] != nil {
			out[k] = ys[k][i:]
		}
	}
	return f[i:], out[0], out[1], out[2]
}
