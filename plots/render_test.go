package plots

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/xml"
	"hash/crc32"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg/draw"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/rundir"
)

// minVariance is the smallest variance of the pixel luminance (0…255) a figure must
// have. Measured at 150 dpi: a blank figure has 0, a 6×4 in plot with only its title, axes
// and labels about 230, the figures of testdata/run 350 (spectrum) to 2300
// (connectivity). That data were drawn at all is checked by the series functions.
const minVariance = 100

// wantPixels are the PNG sizes of the figures of testdata/run (S = R = 2), at DPI = 150:
// width and height in inches × 150.
var wantPixels = map[string][2]int{
	"loss":         {900, 600},   // 6 × 4 in
	"traces":       {1650, 840},  // 11 × (2 readouts × 2.8) in
	"spectrum":     {1200, 750},  // 8 × 5 in
	"outliers":     {1650, 630},  // 11 × 4.2 in
	"balance":      {900, 600},   // 6 × 4 in
	"weights":      {1950, 1140}, // 13 × (2 rows × 3.8) in: means, 2 histograms, 2 scatters
	"connectivity": {1800, 810},  // 12 × 5.4 in
	"subnetworks":  {900, 600},   // 6 × 4 in
	"activity":     {1050, 600},  // 7 × 4 in
	"alignment":    {900, 600},   // 6 × 4 in
	"summary":      {1950, 1230}, // 13 × (2 rows × 3.9 + 0.4 title) in
}

// checkPNG decodes path and checks its size, its resolution chunk and that it is not
// blank.
func checkPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("%s: got %d×%d pixels, want %d×%d", filepath.Base(path), b.Dx(), b.Dy(), w, h)
	}
	// pHYs right after IHDR: 5906 pixels per metre = 150 dpi, unit 1 (metre).
	const at = 33
	if len(data) < at+21 || string(data[at+4:at+8]) != "pHYs" {
		t.Errorf("%s: no pHYs chunk after IHDR", filepath.Base(path))
	} else {
		x, y := binary.BigEndian.Uint32(data[at+8:]), binary.BigEndian.Uint32(data[at+12:])
		crc := binary.BigEndian.Uint32(data[at+17:])
		if x != 5906 || y != 5906 || data[at+16] != 1 || crc != crc32.ChecksumIEEE(data[at+4:at+17]) {
			t.Errorf("%s: pHYs %d×%d unit %d crc %x, want 5906×5906 per metre and a valid CRC", filepath.Base(path), x, y, data[at+16], crc)
		}
	}
	var sum, sum2, n float64
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
			sum += l
			sum2 += l * l
			n++
		}
	}
	mean := sum / n
	if v := sum2/n - mean*mean; v < minVariance {
		t.Errorf("%s: luminance variance %.1f, want at least %d (blank figure?)", filepath.Base(path), v, minVariance)
	}
}

// checkSVG parses path as XML to the end.
func checkSVG(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Errorf("%s: not XML: %v", filepath.Base(path), err)
			return
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q, want svg", filepath.Base(path), root)
	}
}

// fullRun is testdata/run with two spectra files.
func fullRun(t *testing.T) string {
	dir := copyFixture(t)
	writeSpectra(t, dir, 0, spectraArrays(0))
	writeSpectra(t, dir, 3000, spectraArrays(-3))
	return dir
}

// TestRenderFullRun: every figure of a complete run is written as a PNG of the expected
// size that is not blank and an SVG that is XML.
func TestRenderFullRun(t *testing.T) {
	if testing.Short() {
		t.Skip("draws every figure")
	}
	dir := fullRun(t)
	var log strings.Builder
	rep, err := render(context.Background(), dir, "", &log, trainedLoader(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rep.Drawn, Figures) {
		t.Errorf("drawn: got %v, want %v; log:\n%s", rep.Drawn, Figures, log.String())
	}
	if len(rep.Skipped) != 0 {
		t.Errorf("skipped: got %v, want none", rep.Skipped)
	}
	out := filepath.Join(dir, rundir.FiguresDir)
	for _, name := range Figures {
		size := wantPixels[name]
		checkPNG(t, filepath.Join(out, name+".png"), size[0], size[1])
		checkSVG(t, filepath.Join(out, name+".svg"))
		if !strings.Contains(log.String(), name+": "+filepath.Join(out, name+".png")) {
			t.Errorf("log does not name %s.png:\n%s", name, log.String())
		}
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2*len(Figures) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("figures directory holds %v, want only the %d figure files", names, 2*len(Figures))
	}
}

// TestRenderFromCheckpoint goes through Render and the real checkpoint loader: a state
// saved with checkpoints.SaveState gives the checkpoint-based figures.
func TestRenderFromCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("trains and draws")
	}
	dir := fullRun(t)
	cfgYAML, s, _, err := trainedLoader(t, 3)(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := checkpoints.SaveState(dir, cfgYAML, s, 2); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var log strings.Builder
	rep, err := Render(dir, out, &log)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) != 0 {
		t.Errorf("skipped: got %v, want none; log:\n%s", rep.Skipped, log.String())
	}
	for _, name := range []string{"traces", "activity", "connectivity"} {
		size := wantPixels[name]
		checkPNG(t, filepath.Join(out, name+".png"), size[0], size[1])
	}
	if err := All(dir, out, nil); err != nil {
		t.Errorf("All: %v", err)
	}
}

// TestSimulateBeforeAfter: the before and after trajectories run the same test batch
// with the initial and the trained parameters.
func TestSimulateBeforeAfter(t *testing.T) {
	cfgYAML, s, _, err := trainedLoader(t, 3)(".")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(cfgYAML, config.Default())
	if err != nil {
		t.Fatal(err)
	}
	tr, err := simulate(cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	if tr.epoch != 3 {
		t.Errorf("epoch: got %d, want 3", tr.epoch)
	}
	T := cfg.Sim.Steps
	if len(tr.before.H) != T+1 || len(tr.after.H) != T+1 {
		t.Errorf("trajectories of %d and %d states, want %d", len(tr.before.H), len(tr.after.H), T+1)
	}
	if tr.batch.Outputs != 2 || tr.batch.Steps != T {
		t.Errorf("batch of %d outputs and %d steps, want 2 and %d", tr.batch.Outputs, tr.batch.Steps, T)
	}
	if reflect.DeepEqual(tr.init.J, tr.final.J) {
		t.Errorf("initial and final J are equal after 3 epochs")
	}
	if _, err := simulate(cfg, nil); err == nil {
		t.Errorf("nil state: got no error")
	}
}

func TestSummaryTitle(t *testing.T) {
	cfg := config.Default()
	cfg.Train.Epochs = 100000
	cfg = cfg.Resolved()
	cases := []struct {
		epoch int
		want  string
	}{
		{3000, "task ou (S = 1, R = 1),  N = 100,  g = 0.032,  b = 1,  Δt = 0.2τ,  epoch 3000 of 100000"},
		{100000, "task ou (S = 1, R = 1),  N = 100,  g = 0.032,  b = 1,  Δt = 0.2τ,  100000 epochs"},
		{-1, "task ou (S = 1, R = 1),  N = 100,  g = 0.032,  b = 1,  Δt = 0.2τ,  100000 epochs"},
	}
	for _, c := range cases {
		if got := SummaryTitle(cfg, c.epoch); got != c.want {
			t.Errorf("epoch %d: got %q, want %q", c.epoch, got, c.want)
		}
	}
	cfg.Task.Kind, cfg.Task.Signals, cfg.Task.Outputs = "linear", 3, 2
	cfg.Network.N, cfg.Network.G, cfg.Network.B, cfg.Sim.DT = 64, 1.4142, 2.5, 0.05
	want := "task linear (S = 3, R = 2),  N = 64,  g = 1.41,  b = 2.5,  Δt = 0.05τ,  epoch 10 of 100000"
	if got := SummaryTitle(cfg, 10); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWithPHYs(t *testing.T) {
	if _, err := withPHYs([]byte("GIF89a"), 150); err == nil {
		t.Errorf("not a PNG: got no error")
	}
}

// TestRecoverDraw: a panic inside a drawing becomes an error.
func TestRecoverDraw(t *testing.T) {
	f := figure{w: 72, h: 72, draw: func(draw.Canvas) { panic("boom") }}
	if _, err := f.png(); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("png: got %v, want an error naming the panic", err)
	}
	if _, err := f.svg(); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("svg: got %v, want an error naming the panic", err)
	}
}
