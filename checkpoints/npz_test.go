package checkpoints_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/balnet/balnet/checkpoints"
)

// npzArrays covers every dtype, the special floats and several shapes.
func npzArrays() []checkpoints.NamedArray {
	var arrays []checkpoints.NamedArray
	for _, s := range specialFile().Sections { // names include "名前/with spaces"
		arrays = append(arrays, checkpoints.NamedArray(s))
	}
	return append(arrays, checkpoints.NamedArray{Name: "J", Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}})
}

func writeNPZ(t *testing.T, arrays []checkpoints.NamedArray) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := checkpoints.WriteNPZ(&buf, arrays); err != nil {
		t.Fatalf("WriteNPZ: %v", err)
	}
	return buf.Bytes()
}

func readNPZ(data []byte) ([]checkpoints.NamedArray, error) {
	return checkpoints.ReadNPZ(bytes.NewReader(data), int64(len(data)))
}

// checkSameArrays compares names, kinds, shapes (defaults applied) and bit patterns.
func checkSameArrays(t *testing.T, got, want []checkpoints.NamedArray) {
	t.Helper()
	g, w := &checkpoints.File{}, &checkpoints.File{}
	for _, a := range got {
		g.Sections = append(g.Sections, checkpoints.Section(a))
	}
	for _, a := range want {
		w.Sections = append(w.Sections, checkpoints.Section(a))
	}
	checkSameFile(t, g, w)
}

func TestNPZRoundTrip(t *testing.T) {
	want := npzArrays()
	data := writeNPZ(t, want)
	got, err := readNPZ(data)
	if err != nil {
		t.Fatal(err)
	}
	checkSameArrays(t, got, want)
	if again := writeNPZ(t, got); !bytes.Equal(again, data) {
		t.Error("got different bytes writing the arrays read back, want the same (deterministic output)")
	}
}

// TestNPZLayout checks the NPY 1.0 framing of every member by hand.
func TestNPZLayout(t *testing.T) {
	data := writeNPZ(t, []checkpoints.NamedArray{
		{Name: "J", Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}},
		{Name: "v", Data: []float32{1, 2, 3, 4, 5}},
		{Name: "rng", Data: []byte("state")},
		{Name: "steps", Shape: []int{1, 1, 1}, Data: []int64{7}},
	})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, dict string
		dataLen    int
	}{
		{"J.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", 48},
		{"v.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", 20},
		{"rng.npy", "{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }", 5},
		{"steps.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 1, 1), }", 8},
	}
	if len(zr.File) != len(want) {
		t.Fatalf("got %d members, want %d", len(zr.File), len(want))
	}
	for i, zf := range zr.File {
		w := want[i]
		if zf.Name != w.name || zf.Method != zip.Store {
			t.Errorf("member %d: got %q (method %d), want %q stored", i, zf.Name, zf.Method, w.name)
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := string(b[:8]); got != "\x93NUMPY\x01\x00" {
			t.Errorf("%s: got preamble %q, want \"\\x93NUMPY\\x01\\x00\"", w.name, got)
		}
		hlen := int(binary.LittleEndian.Uint16(b[8:10]))
		if (10+hlen)%64 != 0 {
			t.Errorf("%s: got data offset %d, want a multiple of 64", w.name, 10+hlen)
		}
		header := string(b[10 : 10+hlen])
		if got := strings.TrimRight(header[:len(header)-1], " "); got != w.dict {
			t.Errorf("%s: got header %q, want %q padded with spaces and a newline", w.name, header, w.dict)
		}
		if header[len(header)-1] != '\n' {
			t.Errorf("%s: got header ending in %q, want a newline", w.name, header[len(header)-1])
		}
		if got := len(b) - 10 - hlen; got != w.dataLen {
			t.Errorf("%s: got %d data bytes, want %d", w.name, got, w.dataLen)
		}
	}
}

func TestWriteNPZInvalid(t *testing.T) {
	f64 := []float64{1}
	for name, arrays := range map[string][]checkpoints.NamedArray{
		"empty name":  {{Name: "", Data: f64}},
		"dot":         {{Name: ".", Data: f64}},
		"parent":      {{Name: "../x", Data: f64}},
		"absolute":    {{Name: "/x", Data: f64}},
		"inner dots":  {{Name: "a/../b", Data: f64}},
		"duplicate":   {{Name: "a", Data: f64}, {Name: "a", Data: f64}},
		"bad shape":   {{Name: "a", Shape: []int{2}, Data: f64}},
		"bad type":    {{Name: "a", Data: []int32{1}}},
		"nil data":    {{Name: "a"}},
		"late error":  {{Name: "ok", Data: f64}, {Name: "", Data: f64}},
		"not UTF-8":   {{Name: "\xff", Data: f64}},
		"rank 33":     {{Name: "a", Shape: make([]int, 33), Data: []float64{}}},
		"negative dm": {{Name: "a", Shape: []int{-1}, Data: []float64{}}},
	} {
		var buf bytes.Buffer
		if err := checkpoints.WriteNPZ(&buf, arrays); err == nil || buf.Len() != 0 {
			t.Errorf("%s: got error %v after %d bytes, want an error before writing", name, err, buf.Len())
		}
	}
}

// zipOf builds an archive of raw members.
func zipOf(t *testing.T, members map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(members[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// npy frames a header dict and data as NPY 1.0.
func npy(dict string, data []byte) []byte {
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)+1))
	b = append(b, dict+"\n"...)
	return append(b, data...)
}

func TestReadNPZErrors(t *testing.T) {
	eight := make([]byte, 8)
	const f8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }"
	for _, tc := range []struct {
		name string
		data []byte
		want error // nil: any error
	}{
		{"not a zip", []byte("hello, world"), nil},
		{"not .npy", zipOf(t, map[string][]byte{"a.txt": npy(f8, eight)}), checkpoints.ErrCorrupt},
		{"bad magic", zipOf(t, map[string][]byte{"a.npy": append([]byte("NUMPY!"), npy(f8, eight)[6:]...)}), checkpoints.ErrCorrupt},
		{"version 9", zipOf(t, map[string][]byte{"a.npy": append([]byte("\x93NUMPY\x09\x00"), npy(f8, eight)[8:]...)}), errors.ErrUnsupported},
		{"big-endian", zipOf(t, map[string][]byte{"a.npy": npy("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", eight)}), errors.ErrUnsupported},
		{"complex", zipOf(t, map[string][]byte{"a.npy": npy("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", eight)}), errors.ErrUnsupported},
		{"fortran", zipOf(t, map[string][]byte{"a.npy": npy("{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }", eight)}), errors.ErrUnsupported},
		{"missing key", zipOf(t, map[string][]byte{"a.npy": npy("{'descr': '<f8', 'shape': (1,), }", eight)}), checkpoints.ErrCorrupt},
		{"unknown key", zipOf(t, map[string][]byte{"a.npy": npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", eight)}), checkpoints.ErrCorrupt},
		{"garbage header", zipOf(t, map[string][]byte{"a.npy": npy("[1, 2, 3]", eight)}), checkpoints.ErrCorrupt},
		{"negative dim", zipOf(t, map[string][]byte{"a.npy": npy("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", eight)}), checkpoints.ErrCorrupt},
		{"too little data", zipOf(t, map[string][]byte{"a.npy": npy(f8, eight[:7])}), checkpoints.ErrCorrupt},
		{"too much data", zipOf(t, map[string][]byte{"a.npy": npy(f8, make([]byte, 9))}), checkpoints.ErrCorrupt},
		{"huge shape", zipOf(t, map[string][]byte{"a.npy": npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", eight)}), checkpoints.ErrCorrupt},
		{"truncated preamble", zipOf(t, map[string][]byte{"a.npy": []byte("\x93NU")}), checkpoints.ErrTruncated},
	} {
		_, err := readNPZ(tc.data)
		if err == nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: got error %v, want %v", tc.name, err, tc.want)
		}
	}
	good := writeNPZ(t, npzArrays())
	for _, k := range []int{0, 1, len(good) / 2, len(good) - 1} {
		if _, err := readNPZ(good[:k]); err == nil {
			t.Errorf("truncated to %d of %d bytes: got no error, want one", k, len(good))
		}
	}
}

// findNumpy returns a Python interpreter that can import numpy, or skips the test.
func findNumpy(t *testing.T) string {
	t.Helper()
	var reasons []string
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		out, err := exec.Command(py, "-c", "import numpy").CombinedOutput()
		if err == nil {
			return py
		}
		reasons = append(reasons, py+": "+strings.TrimSpace(lastLine(string(out))+" "+err.Error()))
	}
	t.Skipf("numpy is not available (python3 -c \"import numpy\" failed: %s)", strings.Join(reasons, "; "))
	return ""
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// numpyDump loads an .npz with numpy.load(allow_pickle=False) and prints, for each
// array in order, its name, dtype, shape and elements as unsigned integer bit patterns.
const numpyDump = `
import json, sys
import numpy as np
out = []
with np.load(sys.argv[1], allow_pickle=False) as z:
    for name in z.files:
        a = z[name]
        flat = a.reshape(-1)
        view = {1: np.uint8, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize]
        out.append({"name": name, "dtype": a.dtype.str, "shape": list(a.shape),
                    "c_order": bool(a.flags.c_contiguous),
                    "bits": [int(v) for v in flat.view(view)]})
json.dump(out, sys.stdout)
`

type numpyArray struct {
	Name   string   `json:"name"`
	Dtype  string   `json:"dtype"`
	Shape  []int    `json:"shape"`
	COrder bool     `json:"c_order"`
	Bits   []uint64 `json:"bits"`
}

// TestNPZNumpy: numpy reads what WriteNPZ writes, with the same dtypes, shapes and bits.
func TestNPZNumpy(t *testing.T) {
	py := findNumpy(t)
	path := filepath.Join(t.TempDir(), "export.npz")
	arrays := npzArrays()
	if err := checkpoints.WriteFileAtomic(path, writeNPZ(t, arrays), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", numpyDump, path).Output()
	if err != nil {
		t.Fatalf("numpy.load: %v\n%s", err, stderrOf(err))
	}
	var got []numpyArray
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(got) != len(arrays) {
		t.Fatalf("numpy got %d arrays, want %d", len(got), len(arrays))
	}
	dtypes := map[checkpoints.Kind]string{checkpoints.KindFloat64: "<f8", checkpoints.KindFloat32: "<f4",
		checkpoints.KindInt64: "<i8", checkpoints.KindBytes: "|u1"}
	for i, a := range arrays {
		s := checkpoints.Section(a)
		g := got[i]
		if g.Name != a.Name || g.Dtype != dtypes[s.Kind()] || !slices.Equal(g.Shape, s.Dims()) || !g.COrder {
			t.Errorf("array %d: numpy got %s %s %v (C order %v), want %s %s %v in C order",
				i, g.Name, g.Dtype, g.Shape, g.COrder, a.Name, dtypes[s.Kind()], s.Dims())
		}
		if want := bits(a.Data); !slices.Equal(g.Bits, want) && len(want)+len(g.Bits) > 0 {
			t.Errorf("%s: numpy got bits %x, want %x", a.Name, g.Bits, want)
		}
	}
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}

// numpyMake writes, with numpy.savez and numpy.savez_compressed, the arrays that
// numpyWant describes.
const numpyMake = `
import sys
import numpy as np
a = {
    "f8": np.array([[0.0, -0.0, 1.5], [np.inf, -np.inf, np.nan]], dtype="<f8"),
    "f4": np.array([0.5, -3.0, np.float32(1e-45)], dtype="<f4"),
    "i8": np.array([-2**63, 0, 2**63 - 1], dtype="<i8"),
    "u1": np.arange(5, dtype="u1"),
    "empty": np.zeros((0, 3)),
    "scalar": np.array(2.5),
}
np.savez(sys.argv[1], **a)
np.savez_compressed(sys.argv[2], **a)
`

// numpyWant is what numpyMake writes (np.nan is the quiet NaN 0x7ff8000000000000;
// 1e-45 rounds to the smallest float32 subnormal, bits 0x00000001).
func numpyWant() []checkpoints.NamedArray {
	return []checkpoints.NamedArray{
		{Name: "f8", Shape: []int{2, 3}, Data: []float64{0, negZero64, 1.5, math.Inf(1), math.Inf(-1), math.Float64frombits(0x7ff8_0000_0000_0000)}},
		{Name: "f4", Shape: []int{3}, Data: []float32{0.5, -3, math.Float32frombits(1)}},
		{Name: "i8", Shape: []int{3}, Data: []int64{math.MinInt64, 0, math.MaxInt64}},
		{Name: "u1", Shape: []int{5}, Data: []byte{0, 1, 2, 3, 4}},
		{Name: "empty", Shape: []int{0, 3}, Data: []float64{}},
		{Name: "scalar", Shape: []int{}, Data: []float64{2.5}},
	}
}

var numpyGoldens = []string{"numpy_savez.npz", "numpy_savez_compressed.npz"}

// TestReadNPZFromNumpy reads archives written by numpy itself (stored and deflated),
// from testdata/ (so it runs without numpy), and freshly when numpy is available.
// go test -update regenerates the testdata files with numpy.
func TestReadNPZFromNumpy(t *testing.T) {
	if *update {
		py := findNumpy(t)
		args := []string{"-c", numpyMake}
		for _, name := range numpyGoldens {
			args = append(args, filepath.Join("testdata", name))
		}
		if out, err := exec.Command(py, args...).CombinedOutput(); err != nil {
			t.Fatalf("numpy.savez: %v\n%s", err, out)
		}
	}
	for _, name := range numpyGoldens {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatalf("%v (run go test -update with numpy installed)", err)
			}
			got, err := readNPZ(data)
			if err != nil {
				t.Fatal(err)
			}
			checkSameArrays(t, got, numpyWant())
			if len(got) > 0 {
				if s := got[len(got)-1]; s.Shape == nil || len(s.Shape) != 0 {
					t.Errorf("scalar: got shape %#v, want []int{} (0-d)", s.Shape)
				}
			}
		})
	}
	t.Run("fresh", func(t *testing.T) {
		py := findNumpy(t)
		dir := t.TempDir()
		paths := []string{filepath.Join(dir, "a.npz"), filepath.Join(dir, "b.npz")}
		if out, err := exec.Command(py, "-c", numpyMake, paths[0], paths[1]).CombinedOutput(); err != nil {
			t.Fatalf("numpy.savez: %v\n%s", err, out)
		}
		for _, path := range paths {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readNPZ(data)
			if err != nil {
				t.Fatal(err)
			}
			checkSameArrays(t, got, numpyWant())
		}
	})
}
