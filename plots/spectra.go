package plots

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/rundir"
)

// Spectra is one RUN_DIR/spectra/epoch-%08d.npz file: the analysis of the coupling matrix
// at one epoch. An array missing from the file leaves its field nil.
type Spectra struct {
	Epoch int
	Path  string
	// J holds the eigenvalues of J (array j_eig, N×2: real and imaginary parts).
	J []complex128
	// Lin holds the eigenvalues of M = J·diag(φ′(h)), the linearization of docs/science.md
	// §3.1 (array lin_eig, N×2).
	Lin []complex128
	// LabelsWin and LabelsJ are the k-means cluster labels of the neurons on the rows of
	// W_in and on the columns of J (arrays labels_win and labels_j, N, stored as floats).
	LabelsWin, LabelsJ []int
	// Order is the permutation that sorts the neurons by cluster (array order, N).
	Order []int
}

// ReadSpectra reads a spectra file. The epoch is taken from its name. It is an error if
// the file is not an .npz archive, or if an array it holds has the wrong shape: j_eig and
// lin_eig must be N×2, labels_win, labels_j and order must have N entries, labels must be
// non-negative integers and order a permutation of 0…N−1.
func ReadSpectra(path string) (*Spectra, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	arrays, err := checkpoints.ReadNPZ(f, info.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sp := &Spectra{Path: path, Epoch: -1}
	if e, ok := rundir.ParseSpectraName(filepath.Base(path)); ok {
		sp.Epoch = e
	}
	n := -1 // number of neurons, from the first array that tells
	same := func(name string, k int) error {
		if n >= 0 && k != n {
			return fmt.Errorf("%s: array %s has %d rows, other arrays %d", path, name, k, n)
		}
		n = k
		return nil
	}
	for _, a := range arrays {
		data, ok := floats(a.Data)
		if !ok {
			continue // an array of another dtype is not one of ours
		}
		switch a.Name {
		case "j_eig", "lin_eig":
			if len(a.Shape) != 2 || a.Shape[1] != 2 {
				return nil, fmt.Errorf("%s: array %s has shape %v, want N×2", path, a.Name, a.Shape)
			}
			if err := same(a.Name, a.Shape[0]); err != nil {
				return nil, err
			}
			z := make([]complex128, a.Shape[0])
			for i := range z {
				z[i] = complex(data[2*i], data[2*i+1])
			}
			if a.Name == "j_eig" {
				sp.J = z
			} else {
				sp.Lin = z
			}
		case "labels_win", "labels_j", "order":
			if len(a.Shape) > 1 {
				return nil, fmt.Errorf("%s: array %s has shape %v, want a vector", path, a.Name, a.Shape)
			}
			if err := same(a.Name, len(data)); err != nil {
				return nil, err
			}
			ints, err := integers(data)
			if err != nil {
				return nil, fmt.Errorf("%s: array %s: %w", path, a.Name, err)
			}
			switch a.Name {
			case "labels_win":
				sp.LabelsWin = ints
			case "labels_j":
				sp.LabelsJ = ints
			default:
				if !isPermutation(ints) {
					return nil, fmt.Errorf("%s: array order is not a permutation of 0…%d", path, len(ints)-1)
				}
				sp.Order = ints
			}
		}
	}
	return sp, nil
}

// floats converts the numeric data of an NPZ array to float64.
func floats(data any) ([]float64, bool) {
	switch d := data.(type) {
	case []float64:
		return d, true
	case []float32:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out, true
	case []int64:
		out := make([]float64, len(d))
		for i, v := range d {
			out[i] = float64(v)
		}
		return out, true
	}
	return nil, false
}

// integers converts labels stored as floats to ints; each must be a non-negative integer.
func integers(data []float64) ([]int, error) {
	out := make([]int, len(data))
	for i, v := range data {
		if v < 0 || v != math.Trunc(v) || v > math.MaxInt32 {
			return nil, fmt.Errorf("entry %d is %v, want a non-negative integer", i, v)
		}
		out[i] = int(v)
	}
	return out, nil
}

func isPermutation(p []int) bool {
	seen := make([]bool, len(p))
	for _, v := range p {
		if v >= len(p) || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}

// Parts returns the real and imaginary parts of z.
func Parts(z []complex128) (re, im []float64) {
	re, im = make([]float64, len(z)), make([]float64, len(z))
	for i, v := range z {
		re[i], im[i] = real(v), imag(v)
	}
	return re, im
}
