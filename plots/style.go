package plots

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette is the colour-blind-safe qualitative palette of Okabe & Ito (2008), black
// first, used in this order for the curves of a figure.
var palette = []color.Color{
	color.RGBA{0x00, 0x72, 0xB2, 0xFF}, // blue
	color.RGBA{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	color.RGBA{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	color.RGBA{0xE6, 0x9F, 0x00, 0xFF}, // orange
	color.RGBA{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	color.RGBA{0xF0, 0xE4, 0x42, 0xFF}, // yellow
}

var (
	black = color.Black
	grey  = color.Gray{Y: 0x90}
)

// colorAt returns the palette colour of curve k.
func colorAt(k int) color.Color { return palette[k%len(palette)] }

// Dash patterns.
var (
	solid   []vg.Length
	dashed  = []vg.Length{vg.Points(5), vg.Points(3)}
	dotted  = []vg.Length{vg.Points(1.5), vg.Points(2)}
	dashDot = []vg.Length{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}
)

const lineWidth = 1.3 // points

// newPlot returns a plot with a title, axis labels and a legend in the top right.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Legend.ThumbnailWidth = vg.Points(18)
	p.Legend.Padding = vg.Points(2)
	return p
}

// series is one line of a figure.
type series struct {
	label  string // legend text; "" for none
	x, y   []float64
	color  color.Color
	dashes []vg.Length
}

// addSeries draws s as lines through its contiguous runs of finite points (a missing
// value breaks the line; a run of one point is drawn as a dot) and adds its legend entry.
// With logY, non-positive values count as missing. It reports whether any point was
// drawn.
func addSeries(p *plot.Plot, s series, logY bool) bool {
	style := draw.LineStyle{Color: s.color, Width: vg.Points(lineWidth), Dashes: s.dashes}
	var run plotter.XYs
	drawn := false
	flush := func() {
		switch len(run) {
		case 0:
			return
		case 1:
			sc, err := plotter.NewScatter(run)
			if err == nil {
				sc.GlyphStyle = draw.GlyphStyle{Color: s.color, Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}
				p.Add(sc)
			}
		default:
			l, err := plotter.NewLine(run)
			if err == nil {
				l.LineStyle = style
				p.Add(l)
			}
		}
		drawn = true
		run = nil
	}
	for i := range s.x {
		x, y := s.x[i], s.y[i]
		if !finite(x) || !finite(y) || (logY && y <= 0) {
			flush()
			continue
		}
		run = append(run, plotter.XY{X: x, Y: y})
	}
	flush()
	if drawn && s.label != "" {
		p.Legend.Add(s.label, &plotter.Line{LineStyle: style})
	}
	return drawn
}

// addEpochSeries draws every curve of s against epoch in palette order and reports
// whether anything was drawn. The legend is shown only for more than one curve.
func addEpochSeries(p *plot.Plot, s EpochSeries, logY bool, dashes func(k int) []vg.Length) bool {
	drawn := false
	for k, c := range s.Curves {
		label := c.Label
		if len(s.Curves) == 1 {
			label = ""
		}
		var d []vg.Length
		if dashes != nil {
			d = dashes(k)
		}
		if addSeries(p, series{label: label, x: s.Epoch, y: c.Y, color: colorAt(k), dashes: d}, logY) {
			drawn = true
		}
	}
	if p.X.Min == p.X.Max && p.X.Min >= 0 { // a single epoch: no negative epochs on the axis
		p.X.Min, p.X.Max = max(0, p.X.Min-1), p.X.Max+1
	}
	return drawn
}

// setLogY puts the y axis on a log scale with ticks that are labelled even when the data
// span less than a decade.
func setLogY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
}

// logTicks labels the powers of ten when the range holds at least two of them, and
// otherwise also the multiples m·10^k, m = 2…9.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= 0 || lo > hi {
		return nil
	}
	kLo, kHi := int(math.Floor(math.Log10(lo))), int(math.Ceil(math.Log10(hi)))
	decades := 0
	for k := kLo; k <= kHi; k++ {
		if v := math.Pow10(k); v >= lo && v <= hi {
			decades++
		}
	}
	var ticks []plot.Tick
	for k := kLo; k <= kHi; k++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow10(k)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || decades < 2 {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// refLine is a horizontal (Vertical false) or vertical line across the whole data area at
// value V, for reference values such as Re λ = 1. It widens the axis range to include V
// only if Include is set.
type refLine struct {
	V        float64
	Vertical bool
	Include  bool
	draw.LineStyle
}

func (l *refLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	if l.Vertical {
		if x := trX(l.V); c.ContainsX(x) {
			c.StrokeLine2(l.LineStyle, x, c.Min.Y, x, c.Max.Y)
		}
		return
	}
	if y := trY(l.V); c.ContainsY(y) {
		c.StrokeLine2(l.LineStyle, c.Min.X, y, c.Max.X, y)
	}
}

// DataRange includes V on its axis when Include is set; ±Inf leave the other axis
// alone in plot.Add.
func (l *refLine) DataRange() (xmin, xmax, ymin, ymax float64) {
	inf := math.Inf(1)
	xmin, xmax, ymin, ymax = inf, -inf, inf, -inf
	if !l.Include {
		return
	}
	if l.Vertical {
		return l.V, l.V, inf, -inf
	}
	return inf, -inf, l.V, l.V
}

// Thumbnail draws the legend icon.
func (l *refLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(l.LineStyle, c.Min.X, y, c.Max.X, y)
}

// addRefLine adds a reference line with a legend entry.
func addRefLine(p *plot.Plot, label string, v float64, vertical, include bool, col color.Color, dashes []vg.Length) {
	l := &refLine{V: v, Vertical: vertical, Include: include,
		LineStyle: draw.LineStyle{Color: col, Width: vg.Points(1), Dashes: dashes}}
	p.Add(l)
	if label != "" {
		p.Legend.Add(label, l)
	}
}

// note is text drawn in a corner of the data area (Left/Top choose the corner).
type note struct {
	Text      string
	Left, Top bool
}

func (n *note) Plot(c draw.Canvas, p *plot.Plot) {
	sty := p.Legend.TextStyle
	sty.Color = color.Black
	pad := vg.Points(4)
	pt := vg.Point{X: c.Max.X - pad, Y: c.Min.Y + pad}
	sty.XAlign, sty.YAlign = draw.XRight, draw.YBottom
	if n.Left {
		pt.X, sty.XAlign = c.Min.X+pad, draw.XLeft
	}
	if n.Top {
		pt.Y, sty.YAlign = c.Max.Y-pad, draw.YTop
	}
	c.FillText(sty, pt, n.Text)
}

// formatG formats v with up to 3 significant digits.
func formatG(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

// niceTicks places ticks like plot.DefaultTicks but labels them all with the same number
// of decimals, enough to tell neighbours apart (DefaultTicks can label 0.995 and 1.0
// both "1").
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	var labelled []float64
	for _, t := range ticks {
		if t.Label != "" {
			labelled = append(labelled, t.Value)
		}
	}
	step, big := math.Inf(1), 0.0
	for i, v := range labelled {
		big = max(big, math.Abs(v))
		if i > 0 {
			step = min(step, math.Abs(v-labelled[i-1]))
		}
	}
	format := func(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
	if step > 0 && finite(step) && big < 1e6 && big >= 1e-3 {
		decimals := tickDecimals(labelled, step)
		format = func(v float64) string {
			if math.Abs(v) < step*1e-9 {
				v = 0 // no "-0.00"
			}
			return strconv.FormatFloat(v, 'f', decimals, 64)
		}
	}
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = format(ticks[i].Value)
		}
	}
	return ticks
}

// tickDecimals returns the fewest decimals (at least those the step needs) with which every
// value reads back within step·10⁻⁶: ticks at 1.2, 2.4, 3.6 need one decimal although their
// step is above 1.
func tickDecimals(values []float64, step float64) int {
	d := max(0, int(math.Ceil(-math.Log10(step)-1e-9)))
	for ; d < 15; d++ {
		exact := true
		for _, v := range values {
			back, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', d, 64), 64)
			if math.Abs(back-v) > step*1e-6 {
				exact = false
				break
			}
		}
		if exact {
			break
		}
	}
	return d
}

// legendOutside draws a plot with its legend in a column to the right of the axes, so
// that the legend never hides data. inner draws the plot (nil: p.Draw), for example an
// equalAspect wrapper of p.
type legendOutside struct {
	p     *plot.Plot
	inner panel
}

func (lo legendOutside) Draw(c draw.Canvas) {
	inner := lo.inner
	if inner == nil {
		inner = lo.p
	}
	legend := lo.p.Legend
	r := legend.Rectangle(c)
	w := r.Max.X - r.Min.X
	if w == 0 {
		inner.Draw(c)
		return
	}
	w += vg.Points(6)
	if limit := (c.Max.X - c.Min.X) / 2; w > limit {
		w = limit
	}
	lo.p.Legend = plot.NewLegend() // no entries: the legend is drawn beside the plot
	defer func() { lo.p.Legend = legend }()
	left := c
	left.Max.X -= w
	inner.Draw(left)
	dc := lo.p.DataCanvas(left)
	strip := c
	strip.Min.X, strip.Min.Y, strip.Max.Y = left.Max.X+vg.Points(6), dc.Min.Y, dc.Max.Y
	legend.Left, legend.Top = true, true
	legend.Draw(strip)
}
