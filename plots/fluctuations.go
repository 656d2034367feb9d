package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// FluctuationData are the results of balnet fluctuations drawn by FluctuationFigures
// (docs/science.md §6.3–§6.5).
type FluctuationData struct {
	// TanTheta and Amplitude (per mode): tan θ_k and the measured std(u_kᵀx)/√c_φ.
	TanTheta, Amplitude []float64
	// T is the record time; X[k] and Y[k] the projections x_k = L_kᵀφ and y_k = P_kᵀφ.
	T    []float64
	X, Y [][]float64
	// EigJ are the eigenvalues of J, EigSA those of S·Aᵀ (the predicted outliers).
	EigJ, EigSA []complex128
}

// FluctuationFigures draws the figures of balnet fluctuations into dir (PNG and SVG):
// fluct-amplitude (amplitude/√c_φ against tan θ across modes, with the §6.4 prediction
// amplitude = tan θ as a dashed line), fluct-traces (x_k(t) and y_k(t) minus their time means) and fluct-spectrum
// (eig(J) with eig(S·Aᵀ) marked). It returns the paths written.
func FluctuationFigures(dir, title string, d FluctuationData) ([]string, error) {
	var paths []string
	write := func(name string, f figure) error {
		out, err := writeFigure(dir, name, f)
		if err != nil {
			return fmt.Errorf("plots: %s: %w", name, err)
		}
		paths = append(paths, out...)
		return nil
	}

	p := newPlot(title, "tan θ_k", "amplitude std(u_kᵀx)/√c_φ")
	var pts plotter.XYs
	hi := 0.0
	for k := range d.TanTheta {
		if finite(d.TanTheta[k]) && finite(d.Amplitude[k]) {
			pts = append(pts, plotter.XY{X: d.TanTheta[k], Y: d.Amplitude[k]})
			hi = math.Max(hi, math.Max(d.TanTheta[k], d.Amplitude[k]))
		}
	}
	if hi == 0 {
		hi = 1
	}
	addSeries(p, series{label: "prediction tan θ (§6.4)", x: []float64{0, 1.1 * hi}, y: []float64{0, 1.1 * hi}, color: grey, dashes: dashed}, false)
	if sc, err := plotter.NewScatter(pts); err == nil && len(pts) > 0 {
		sc.GlyphStyle = draw.GlyphStyle{Color: colorAt(0), Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		p.Legend.Add("measured", sc)
	}
	p.X.Min, p.Y.Min = 0, 0
	if err := write("fluct-amplitude", single(p, 5*vg.Inch, 4*vg.Inch)); err != nil {
		return paths, err
	}

	p = newPlot(title, "time t [τ]", "projection minus its time mean")
	for k := range d.X {
		addSeries(p, series{label: fmt.Sprintf("δx_%d = L_%dᵀδφ", k+1, k+1), x: d.T, y: centred(d.X[k]), color: colorAt(2 * k)}, false)
		if k < len(d.Y) {
			addSeries(p, series{label: fmt.Sprintf("δy_%d = P_%dᵀδφ", k+1, k+1), x: d.T, y: centred(d.Y[k]), color: colorAt(2*k + 1)}, false)
		}
	}
	if err := write("fluct-traces", single(p, 7*vg.Inch, 4*vg.Inch)); err != nil {
		return paths, err
	}

	p = newPlot(title, "Re λ", "Im λ")
	re, im := Parts(d.EigJ)
	var ej plotter.XYs
	for i := range re {
		ej = append(ej, plotter.XY{X: re[i], Y: im[i]})
	}
	if sc, err := plotter.NewScatter(ej); err == nil && len(ej) > 0 {
		sc.GlyphStyle = draw.GlyphStyle{Color: grey, Radius: vg.Points(1), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		p.Legend.Add("eig(J)", sc)
	}
	re, im = Parts(d.EigSA)
	var es plotter.XYs
	for i := range re {
		es = append(es, plotter.XY{X: re[i], Y: im[i]})
	}
	if sc, err := plotter.NewScatter(es); err == nil && len(es) > 0 {
		sc.GlyphStyle = draw.GlyphStyle{Color: colorAt(1), Radius: vg.Points(4), Shape: draw.CrossGlyph{}}
		p.Add(sc)
		p.Legend.Add("eig(S·Aᵀ)", sc)
	}
	if err := write("fluct-spectrum", single(p, 5*vg.Inch, 5*vg.Inch)); err != nil {
		return paths, err
	}
	return paths, nil
}

// centred returns v minus its mean.
func centred(v []float64) []float64 {
	var m float64
	for _, x := range v {
		m += x / float64(len(v))
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x - m
	}
	return out
}
