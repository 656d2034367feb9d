package plots

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// DMFTCurves are the results of balnet dmft: the mean-field theory (docs/science.md §5)
// and, when simulated, the network (nil slices otherwise).
type DMFTCurves struct {
	T         []float64 // time t, τ
	Nu        []float64 // DMFT ν(t)
	SimNu     []float64 // network ν(t), mean over realizations
	SimNuSD   []float64 // its standard deviation over realizations
	Ctt       []float64 // DMFT c(t,t)
	SimCtt    []float64 // network Var_i h_i(t), mean over realizations
	Lag       []float64 // lag τ′, τ
	CDMFT     []float64 // DMFT c(τ′), averaged over t
	CSim      []float64 // network c(τ′)
	Realizing int       // number of network realizations (0 without simulation)
}

// DMFTFigures draws the figures of balnet dmft into dir — dmft-nu (ν(t), theory against
// the mean ± one standard deviation band of the network realizations), dmft-ctt (c(t,t))
// and dmft-autocorr (c(τ′)), PNG and SVG — and returns the paths written.
func DMFTFigures(dir, title string, c DMFTCurves) ([]string, error) {
	simLabel := fmt.Sprintf("network (mean of %d)", c.Realizing)
	figs := []struct {
		name, xlabel, ylabel string
		x, theory, sim, sd   []float64
	}{
		{"dmft-nu", "time t [τ]", "population rate ν(t)", c.T, c.Nu, c.SimNu, c.SimNuSD},
		{"dmft-ctt", "time t [τ]", "variance c(t,t)", c.T, c.Ctt, c.SimCtt, nil},
		{"dmft-autocorr", "lag τ′ [τ]", "autocorrelation c(τ′)", c.Lag, c.CDMFT, c.CSim, nil},
	}
	var paths []string
	for _, fg := range figs {
		p := newPlot(title, fg.xlabel, fg.ylabel)
		if fg.sim != nil && fg.sd != nil {
			pts := make(plotter.XYs, 0, 2*len(fg.x))
			for i := range fg.x {
				pts = append(pts, plotter.XY{X: fg.x[i], Y: fg.sim[i] + fg.sd[i]})
			}
			for i := len(fg.x) - 1; i >= 0; i-- {
				pts = append(pts, plotter.XY{X: fg.x[i], Y: fg.sim[i] - fg.sd[i]})
			}
			if poly, err := plotter.NewPolygon(pts); err == nil {
				poly.Color = color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0x50}
				poly.LineStyle = draw.LineStyle{}
				p.Add(poly)
				p.Legend.Add("network ± 1 s.d. over realizations", poly)
			}
		}
		if fg.sim != nil {
			addSeries(p, series{label: simLabel, x: fg.x, y: fg.sim, color: colorAt(1)}, false)
		}
		addSeries(p, series{label: "DMFT", x: fg.x, y: fg.theory, color: black, dashes: dashed}, false)
		out, err := writeFigure(dir, fg.name, single(p, 6*vg.Inch, 4*vg.Inch))
		if err != nil {
			return paths, fmt.Errorf("plots: %s: %w", fg.name, err)
		}
		paths = append(paths, out...)
	}
	return paths, nil
}

// DMFTInfoCurves are the coherences of balnet dmft between the input and ν(t).
type DMFTInfoCurves struct {
	F         []float64 // frequency, 1/τ
	Coherence []float64 // DMFT with the finite-size term ζ/√N
	NoFS      []float64 // DMFT without it (N → ∞)
	Sim       []float64 // network (nil without simulation)
	N         int       // network size of the finite-size term
	Realizing int       // realizations averaged
}

// DMFTInfoFigure draws dmft-coherence (PNG and SVG) into dir: the coherence of the input
// with ν(t) against log frequency for the theory with and without its finite-size term and
// for the network, and returns the paths written.
func DMFTInfoFigure(dir, title string, c DMFTInfoCurves) ([]string, error) {
	p := newPlot(title, "frequency f [1/τ]", "coherence C(f) of I and ν")
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{}
	f, coh, nofs, sim := positive(c.F, c.Coherence, c.NoFS, c.Sim)
	if sim != nil {
		addSeries(p, series{label: fmt.Sprintf("network (N = %d, %d realizations)", c.N, c.Realizing), x: f, y: sim, color: colorAt(1)}, false)
	}
	addSeries(p, series{label: fmt.Sprintf("DMFT + ζ/√N (N = %d)", c.N), x: f, y: coh, color: black, dashes: dashed}, false)
	addSeries(p, series{label: "DMFT, N → ∞ (no ζ)", x: f, y: nofs, color: grey, dashes: dotted}, false)
	p.Y.Min, p.Y.Max = 0, 1.02
	p.Legend.Top = false // the coherences are close to 1 at the top
	out, err := writeFigure(dir, "dmft-coherence", single(p, 6*vg.Inch, 4*vg.Inch))
	if err != nil {
		return out, fmt.Errorf("plots: dmft-coherence: %w", err)
	}
	return out, nil
}
