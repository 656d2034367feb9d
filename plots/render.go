package plots

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image/color"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/balnet/balnet/checkpoints"
)

// DPI is the resolution of the PNG files: a figure of w×h inches is
// round(w·DPI)×round(h·DPI) pixels, and the file records DPI in its pHYs chunk.
const DPI = 150

// panel is anything that draws itself into a canvas: a *plot.Plot or a composite.
type panel interface {
	Draw(c draw.Canvas)
}

// figure is a drawing of a fixed size.
type figure struct {
	w, h vg.Length
	draw func(c draw.Canvas)
}

// Size returns the pixel size of the figure's PNG.
func (f figure) pixels() (w, h int) {
	return int(math.Round(float64(f.w/vg.Inch) * DPI)), int(math.Round(float64(f.h/vg.Inch) * DPI))
}

// png renders the figure as PNG at DPI dots per inch.
func (f figure) png() (data []byte, err error) {
	defer recoverDraw(&err)
	c := vgimg.NewWith(vgimg.UseWH(f.w, f.h), vgimg.UseDPI(DPI))
	f.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return withPHYs(buf.Bytes(), DPI)
}

// svg renders the figure as SVG.
func (f figure) svg() (data []byte, err error) {
	defer recoverDraw(&err)
	c := vgsvg.New(f.w, f.h)
	f.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// recoverDraw turns a panic of the drawing library (gonum/plot panics on, for example,
// a non-positive value on a log axis) into an error, so that one bad figure does not stop
// the others.
func recoverDraw(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("drawing failed: %v", r)
	}
}

// withPHYs inserts a pHYs chunk (PNG specification §11.3.5.3: pixels per metre, unit 1)
// after the IHDR chunk of an encoded PNG, so that viewers and word processors know its
// resolution: dpi/0.0254 pixels per metre.
func withPHYs(p []byte, dpi float64) ([]byte, error) {
	const ihdrEnd = 8 + 4 + 4 + 13 + 4 // signature, IHDR length, type, data, CRC
	if len(p) < ihdrEnd || string(p[12:16]) != "IHDR" {
		return nil, fmt.Errorf("not a PNG stream")
	}
	ppm := uint32(math.Round(dpi / 0.0254))
	chunk := make([]byte, 0, 21)
	chunk = binary.BigEndian.AppendUint32(chunk, 9)
	chunk = append(chunk, "pHYs"...)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = binary.BigEndian.AppendUint32(chunk, ppm)
	chunk = append(chunk, 1) // unit: metre
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := make([]byte, 0, len(p)+len(chunk))
	out = append(out, p[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, p[ihdrEnd:]...), nil
}

// writeFigure writes DIR/NAME.png and DIR/NAME.svg, each through a temporary file
// renamed into place, so a reader never sees half a figure. It returns the paths.
func writeFigure(dir, name string, f figure) ([]string, error) {
	pngData, err := f.png()
	if err != nil {
		return nil, err
	}
	svgData, err := f.svg()
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, out := range []struct {
		ext  string
		data []byte
	}{{".png", pngData}, {".svg", svgData}} {
		path := filepath.Join(dir, name+out.ext)
		if err := checkpoints.WriteFileAtomic(path, out.data, 0o644); err != nil { // the one atomic write: fsynced
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// single is a figure of one panel.
func single(p panel, w, h vg.Length) figure {
	return figure{w: w, h: h, draw: p.Draw}
}

// grid is a figure of panels in rows of cols, under an optional title.
func grid(title string, cols int, panels []panel, w, h vg.Length) figure {
	return figure{w: w, h: h, draw: func(c draw.Canvas) {
		if title != "" {
			sty := titleStyle()
			c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y - vg.Points(4)}, title)
			c.Max.Y -= sty.Height(title) + vg.Points(8)
		}
		drawTiles(c, cols, panels)
	}}
}

// drawTiles draws panels on a cols-wide grid of equal tiles.
func drawTiles(c draw.Canvas, cols int, panels []panel) {
	if len(panels) == 0 {
		return
	}
	cols = min(cols, len(panels))
	rows := (len(panels) + cols - 1) / cols
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(10), PadY: vg.Points(10),
		PadTop: vg.Points(2), PadBottom: vg.Points(2), PadLeft: vg.Points(2), PadRight: vg.Points(2)}
	for k, p := range panels {
		p.Draw(tiles.At(c, k%cols, k/cols))
	}
}

func titleStyle() text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, vg.Points(13)),
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
		Handler: plot.DefaultTextHandler,
	}
}

// withBar is a heat map with its colour bar on the right.
type withBar struct {
	heat, bar *plot.Plot
}

// Draw gives the colour bar a fixed strip on the right and the heat map the rest.
func (wb withBar) Draw(c draw.Canvas) {
	barW := vg.Points(58)
	if w := c.Max.X - c.Min.X; barW > w/3 {
		barW = w / 3
	}
	heat := c
	heat.Max.X -= barW
	bar := c
	bar.Min.X = heat.Max.X + vg.Points(4)
	wb.heat.Draw(heat)
	// Align the bar with the heat map's data area.
	dc := wb.heat.DataCanvas(heat)
	bar.Min.Y, bar.Max.Y = dc.Min.Y, c.Max.Y-(heat.Max.Y-dc.Max.Y)
	wb.bar.Draw(bar)
}

// equalAspect draws a plot whose axes have the same scale (a circle looks round): it
// widens the shorter range about its centre to fit the data area before drawing.
type equalAspect struct{ *plot.Plot }

func (e equalAspect) Draw(c draw.Canvas) {
	for range 2 { // the tick labels, hence the data area, depend on the ranges
		dc := e.DataCanvas(c)
		w, h := float64(dc.Max.X-dc.Min.X), float64(dc.Max.Y-dc.Min.Y)
		xr, yr := e.X.Max-e.X.Min, e.Y.Max-e.Y.Min
		if w <= 0 || h <= 0 || xr <= 0 || yr <= 0 {
			break
		}
		if xr/w > yr/h {
			mid, half := (e.Y.Max+e.Y.Min)/2, xr/w*h/2
			e.Y.Min, e.Y.Max = mid-half, mid+half
		} else {
			mid, half := (e.X.Max+e.X.Min)/2, yr/h*w/2
			e.X.Min, e.X.Max = mid-half, mid+half
		}
	}
	e.Plot.Draw(c)
}
