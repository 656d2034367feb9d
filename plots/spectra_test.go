package plots

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/rundir"
)

func TestReadSpectra(t *testing.T) {
	dir := t.TempDir()
	path := writeSpectra(t, dir, 2000, []checkpoints.NamedArray{
		{Name: "j_eig", Shape: []int{3, 2}, Data: []float64{-1, 0, 0.5, 0.25, 0.5, -0.25}},
		// float32 arrays are accepted too
		{Name: "lin_eig", Shape: []int{3, 2}, Data: []float32{-0.5, 0, 0.25, 0.125, 0.25, -0.125}},
		{Name: "labels_win", Shape: []int{3}, Data: []float64{1, 0, 1}},
		{Name: "labels_j", Shape: []int{3}, Data: []float64{0, 1, 0}},
		{Name: "order", Shape: []int{3}, Data: []float64{1, 0, 2}},
		{Name: "extra", Shape: []int{1}, Data: []byte{7}}, // ignored
	})
	sp, err := ReadSpectra(path)
	if err != nil {
		t.Fatal(err)
	}
	want := &Spectra{
		Epoch:     2000,
		Path:      path,
		J:         []complex128{-1, 0.5 + 0.25i, 0.5 - 0.25i},
		Lin:       []complex128{-0.5, 0.25 + 0.125i, 0.25 - 0.125i},
		LabelsWin: []int{1, 0, 1},
		LabelsJ:   []int{0, 1, 0},
		Order:     []int{1, 0, 2},
	}
	if !reflect.DeepEqual(sp, want) {
		t.Errorf("got %+v, want %+v", sp, want)
	}
	re, im := Parts(sp.Lin)
	if !sameFloats(re, []float64{-0.5, 0.25, 0.25}) || !sameFloats(im, []float64{0, 0.125, -0.125}) {
		t.Errorf("Parts: got %v, %v, want [-0.5 0.25 0.25], [0 0.125 -0.125]", re, im)
	}
}

// TestReadSpectraPartial: a file without some arrays leaves their fields nil.
func TestReadSpectraPartial(t *testing.T) {
	path := writeSpectra(t, t.TempDir(), 0, []checkpoints.NamedArray{
		{Name: "lin_eig", Shape: []int{1, 2}, Data: []float64{-1, 0}},
	})
	sp, err := ReadSpectra(path)
	if err != nil {
		t.Fatal(err)
	}
	if sp.J != nil || sp.Order != nil || sp.LabelsWin != nil || len(sp.Lin) != 1 {
		t.Errorf("got %+v, want only Lin", sp)
	}
}

func TestReadSpectraErrors(t *testing.T) {
	cases := []struct {
		name   string
		arrays []checkpoints.NamedArray
		want   string
	}{
		{"eig not N×2", []checkpoints.NamedArray{{Name: "lin_eig", Shape: []int{2, 3}, Data: make([]float64, 6)}}, "want N×2"},
		{"eig a vector", []checkpoints.NamedArray{{Name: "j_eig", Shape: []int{4}, Data: make([]float64, 4)}}, "want N×2"},
		{"sizes differ", []checkpoints.NamedArray{
			{Name: "lin_eig", Shape: []int{2, 2}, Data: make([]float64, 4)},
			{Name: "order", Shape: []int{3}, Data: []float64{0, 1, 2}},
		}, "other arrays 2"},
		{"order not a permutation", []checkpoints.NamedArray{{Name: "order", Shape: []int{3}, Data: []float64{0, 0, 2}}}, "not a permutation"},
		{"order out of range", []checkpoints.NamedArray{{Name: "order", Shape: []int{2}, Data: []float64{0, 2}}}, "not a permutation"},
		{"label not an integer", []checkpoints.NamedArray{{Name: "labels_win", Shape: []int{2}, Data: []float64{0, 0.5}}}, "non-negative integer"},
		{"negative label", []checkpoints.NamedArray{{Name: "labels_j", Shape: []int{2}, Data: []float64{-1, 0}}}, "non-negative integer"},
		{"labels a matrix", []checkpoints.NamedArray{{Name: "labels_j", Shape: []int{1, 2}, Data: []float64{0, 1}}}, "want a vector"},
	}
	for _, c := range cases {
		path := writeSpectra(t, t.TempDir(), 0, c.arrays)
		_, err := ReadSpectra(path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	garbage := filepath.Join(t.TempDir(), rundir.SpectraName(0))
	writeFile(t, garbage, []byte("not a zip archive"))
	if _, err := ReadSpectra(garbage); err == nil {
		t.Errorf("garbage: got no error")
	}
}

func TestListSpectra(t *testing.T) {
	dir := t.TempDir()
	if files, err := rundir.Dir(dir).Spectra(); err != nil || files != nil {
		t.Errorf("no spectra directory: got %v, %v, want nil, nil", files, err)
	}
	for _, name := range []string{
		"epoch-00001000.npz", "epoch-00000000.npz", "epoch-00020000.npz",
		".epoch-00002000.npz.tmp-0123456789abcdef", // a file being written
		"epoch-1.npz", "epoch-00003000.npz.bak", "notes.txt",
	} {
		writeFile(t, filepath.Join(dir, rundir.SpectraDir, name), nil)
	}
	if err := os.Mkdir(filepath.Join(dir, rundir.SpectraDir, "epoch-00004000.npz"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := rundir.Dir(dir).Spectra()
	if err != nil {
		t.Fatal(err)
	}
	var epochs []int
	for _, f := range files {
		epochs = append(epochs, f.Epoch)
		if filepath.Base(f.Path) != rundir.SpectraName(f.Epoch) {
			t.Errorf("epoch %d: got path %s", f.Epoch, f.Path)
		}
	}
	if want := []int{0, 1000, 20000}; !reflect.DeepEqual(epochs, want) {
		t.Errorf("got epochs %v, want %v", epochs, want)
	}
}
