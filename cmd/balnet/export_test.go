package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/train"
)

// exportRun is one exported run of TestExport.
type exportRun struct {
	dtype, kind string
	signals     int
}

// wantArrays returns the arrays an export of state s must hold, in order, as float64
// values with their shapes.
func wantArrays(s *train.State) (names []string, shapes [][]int, values [][]float64) {
	add := func(name string, m *mat.Dense) {
		r, c := m.Dims()
		names = append(names, name)
		shapes = append(shapes, []int{r, c})
		values = append(values, mat.DenseCopyOf(m).RawMatrix().Data)
	}
	add("J", s.Params.J)
	add("J_init", s.Init.J)
	add("W_in", s.Params.Win)
	add("W_out", s.Params.Wout)
	names = append(names, "bias")
	shapes = append(shapes, []int{len(s.Params.Bias)})
	values = append(values, s.Params.Bias)
	if s.A != nil {
		add("A", s.A)
	}
	return names, shapes, values
}

// checkExport fails unless the .npz at path holds the parameters of the checkpoint at
// ckpt in the run's dtype, exactly.
func checkExport(t *testing.T, path, ckpt, dtype string) []checkpoints.NamedArray {
	t.Helper()
	data := readFile(t, path)
	arrays, err := checkpoints.ReadNPZ(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("ReadNPZ(%s): %v", path, err)
	}
	_, s, err := checkpoints.LoadState(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	names, shapes, values := wantArrays(s)
	var got []string
	for _, a := range arrays {
		got = append(got, a.Name)
	}
	if !slices.Equal(got, names) {
		t.Fatalf("arrays: got %q, want %q", got, names)
	}
	for i, a := range arrays {
		if !slices.Equal(a.Shape, shapes[i]) {
			t.Errorf("%s: got shape %v, want %v", a.Name, a.Shape, shapes[i])
		}
		want := values[i]
		switch d := a.Data.(type) {
		case []float32:
			if dtype != "float32" {
				t.Errorf("%s: got float32 data, want %s", a.Name, dtype)
			}
			if len(d) != len(want) {
				t.Errorf("%s: got %d values, want %d", a.Name, len(d), len(want))
				continue
			}
			for j, v := range d {
				// The checkpoint's value in the run's dtype. The trained parameters
				// are float32 values already: for them the conversion is exact.
				w := float32(want[j])
				if trained := a.Name == "J" || a.Name == "W_in" || a.Name == "W_out"; trained && float64(w) != want[j] {
					t.Errorf("%s[%d]: checkpoint holds %v, not a float32 value, for a float32 run", a.Name, j, want[j])
					break
				}
				if math.Float32bits(v) != math.Float32bits(w) {
					t.Errorf("%s[%d]: got %v, want %v (float32 of the checkpoint's %v)", a.Name, j, v, w, want[j])
					break
				}
			}
		case []float64:
			if dtype != "float64" {
				t.Errorf("%s: got float64 data, want %s", a.Name, dtype)
			}
			if len(d) != len(want) {
				t.Errorf("%s: got %d values, want %d", a.Name, len(d), len(want))
				continue
			}
			for j, v := range d {
				if math.Float64bits(v) != math.Float64bits(want[j]) {
					t.Errorf("%s[%d]: got %v, want %v (the checkpoint's value, exactly)", a.Name, j, v, want[j])
					break
				}
			}
		default:
			t.Fatalf("%s: got data of type %T, want %s", a.Name, a.Data, dtype)
		}
	}
	return arrays
}

// TestExport: balnet export writes the latest checkpoint's J, J_init, W_in, W_out, bias
// (and A for the linear task) in the run's dtype, which read back through
// checkpoints.ReadNPZ equal the checkpoint's values converted to that dtype, bit for bit
// (the trained J, W_in, W_out of a float32 run are float32 values, converted exactly); --epoch E exports an older
// checkpoint. numpy loads the same file (allow_pickle=False) to the same names, dtypes,
// shapes and bits (TestExportNumpy).
func TestExport(t *testing.T) {
	for _, r := range []exportRun{{"float32", "linear", 2}, {"float64", "ou", 1}, {"float64", "linear", 1}} {
		t.Run(fmt.Sprintf("%s/%s/S=%d", r.dtype, r.kind, r.signals), func(t *testing.T) {
			dir := t.TempDir()
			run := filepath.Join(dir, "run")
			mustRun(t, append([]string{"train", "--out", run}, tiny(6, "train.checkpoint_every=2", "dtype="+r.dtype,
				"task.kind="+r.kind, fmt.Sprintf("task.signals=%d", r.signals))...)...)
			out := filepath.Join(dir, "latest.npz")
			stdout := mustRun(t, "export", run, "--out", out)
			if want := fmt.Sprintf("exported epoch 6 of %s to %s", checkpoints.StatePath(run, 6), out); !strings.Contains(stdout, want) {
				t.Errorf("stdout: got %q, want %q", stdout, want)
			}
			checkExport(t, out, checkpoints.StatePath(run, 6), r.dtype)

			old := filepath.Join(dir, "epoch2.npz")
			mustRun(t, "export", run, "--epoch", "2", "--out", old)
			checkExport(t, old, checkpoints.StatePath(run, 2), r.dtype)
			if bytes.Equal(readFile(t, old), readFile(t, out)) {
				t.Error("exports of epochs 2 and 6 are identical, want the parameters of each")
			}
			// The export is a pure function of the checkpoint: again, the same bytes.
			again := filepath.Join(dir, "again.npz")
			mustRun(t, "export", "--out", again, run)
			if !bytes.Equal(readFile(t, again), readFile(t, out)) {
				t.Error("two exports of the same checkpoint differ")
			}
		})
	}
}

// numpyDump loads an .npz with numpy.load(allow_pickle=False) and prints, for each array
// in order, its name, dtype, shape and elements as unsigned integer bit patterns.
const numpyDump = `
import json, sys
import numpy as np
out = []
with np.load(sys.argv[1], allow_pickle=False) as z:
    for name in z.files:
        a = z[name]
        view = {4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
        out.append({"name": name, "dtype": a.dtype.str, "shape": list(a.shape),
                    "bits": [int(v) for v in a.reshape(-1).view(view)]})
json.dump(out, sys.stdout)
`

// findNumpy returns a Python interpreter that can import numpy, or skips the test.
func findNumpy(t *testing.T) string {
	t.Helper()
	var reasons []string
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		out, err := exec.Command(py, "-c", "import numpy").CombinedOutput()
		if err == nil {
			return py
		}
		reasons = append(reasons, fmt.Sprintf("%s: %v %s", py, err, strings.TrimSpace(string(out))))
	}
	t.Skipf("numpy is not installed (apt-get install python3-numpy): %s", strings.Join(reasons, "; "))
	return ""
}

// TestExportNumpy: numpy.load(allow_pickle=False) reads an export with the names, dtypes
// ('<f4' or '<f8' as trained), shapes and bits that checkpoints.ReadNPZ reads.
func TestExportNumpy(t *testing.T) {
	py := findNumpy(t)
	for _, r := range []exportRun{{"float32", "linear", 2}, {"float64", "ou", 1}} {
		t.Run(r.dtype, func(t *testing.T) {
			dir := t.TempDir()
			run := filepath.Join(dir, "run")
			mustRun(t, append([]string{"train", "--out", run}, tiny(4, "dtype="+r.dtype, "task.kind="+r.kind,
				fmt.Sprintf("task.signals=%d", r.signals))...)...)
			out := filepath.Join(dir, "params.npz")
			mustRun(t, "export", run, "--out", out)
			arrays := checkExport(t, out, checkpoints.StatePath(run, 4), r.dtype)

			cmd := exec.Command(py, "-c", numpyDump, out)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			got, err := cmd.Output()
			if err != nil {
				t.Fatalf("numpy.load: %v\n%s", err, stderr.String())
			}
			var loaded []struct {
				Name  string   `json:"name"`
				Dtype string   `json:"dtype"`
				Shape []int    `json:"shape"`
				Bits  []uint64 `json:"bits"`
			}
			if err := json.Unmarshal(got, &loaded); err != nil {
				t.Fatalf("%v in %s", err, got)
			}
			if len(loaded) != len(arrays) {
				t.Fatalf("numpy got %d arrays, want %d", len(loaded), len(arrays))
			}
			wantDtype := map[string]string{"float32": "<f4", "float64": "<f8"}[r.dtype]
			for i, a := range arrays {
				l := loaded[i]
				if l.Name != a.Name || l.Dtype != wantDtype || !slices.Equal(l.Shape, a.Shape) {
					t.Errorf("array %d: numpy got %s %s %v, want %s %s %v", i, l.Name, l.Dtype, l.Shape, a.Name, wantDtype, a.Shape)
				}
				var want []uint64
				switch d := a.Data.(type) {
				case []float32:
					for _, v := range d {
						want = append(want, uint64(math.Float32bits(v)))
					}
				case []float64:
					for _, v := range d {
						want = append(want, math.Float64bits(v))
					}
				}
				if !slices.Equal(l.Bits, want) {
					t.Errorf("%s: numpy got bits %x, want %x", a.Name, l.Bits, want)
				}
			}
		})
	}
}

// TestExportErrors: an --epoch without a checkpoint, a negative or non-numeric one, a
// missing --out or a directory that is not a run exit 2; a damaged checkpoint exits 1.
// None of them writes the output file.
func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	mustRun(t, append([]string{"train", "--out", run}, tiny(4, "train.checkpoint_every=2")...)...)
	out := filepath.Join(dir, "out.npz")
	damaged := filepath.Join(dir, "damaged")
	copyTree(t, run, damaged)
	if err := os.Truncate(checkpoints.StatePath(damaged, 4), 100); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"export", run, "--epoch", "3", "--out", out}, 2, []string{"--epoch", "3", "available: [2 4]"}},
		{[]string{"export", run, "--epoch", "400", "--out", out}, 2, []string{"--epoch", "400"}},
		{[]string{"export", run, "--epoch", "-2", "--out", out}, 2, []string{"--epoch", "-2"}},
		{[]string{"export", run, "--epoch", "two", "--out", out}, 2, []string{"epoch"}},
		{[]string{"export", run}, 2, []string{"--out"}},
		{[]string{"export", "--out", out}, 2, []string{"one run directory"}},
		{[]string{"export", filepath.Join(dir, "missing"), "--out", out}, 2, []string{"not a run directory"}},
		{[]string{"export", damaged, "--out", out}, 1, []string{checkpoints.StatePath(damaged, 4), "truncated"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args[1:], " "), func(t *testing.T) {
			before := snapshot(t, run)
			code, _, stderr := runCmd(t, c.args...)
			if code != c.code {
				t.Errorf("got exit status %d, want %d (stderr %q)", code, c.code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("got stderr %q, want it to mention %q", stderr, w)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("got %s written (%v), want no output", out, err)
			}
			checkUnchanged(t, run, before)
		})
	}
}
