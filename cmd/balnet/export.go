package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/train"
)

// cmdExport writes the parameters of a checkpoint as a .npz file that numpy reads with
// numpy.load(path, allow_pickle=False):
//
//	balnet export RUN_DIR [--epoch E] --out FILE.npz
//
// Arrays: J, J_init, W_in, W_out, bias (and A for the linear task), in the run's dtype.
// FILE is written atomically (complete or not at all); Ctrl-C/SIGTERM before the write
// leaves no FILE, exit status 1. It only reads the run directory and takes its lock only when FILE lies inside it.
func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	epoch := fs.Int("epoch", -1, "checkpoint epoch (default: the latest)")
	out := fs.String("out", "", "output `file` (.npz)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	dir, err := oneRunDir("export", pos)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("export: --out FILE.npz is required")
	}
	d := rundir.Dir(dir)
	cfg, err := rundir.ReadConfig(d)
	if err != nil {
		return err
	}
	if err := checkEpoch(d, *epoch); err != nil {
		return err
	}
	unlock, err := lockIfInside(*out, dir)
	if err != nil {
		return err
	}
	defer unlock()
	path, s, err := d.Load(cfg, *epoch, false, stderr)
	if err != nil {
		return err
	}
	arrays := []checkpoints.NamedArray{
		array("J", s.Params.J, cfg.DType), array("J_init", s.Init.J, cfg.DType),
		array("W_in", s.Params.Win, cfg.DType), array("W_out", s.Params.Wout, cfg.DType),
		array("bias", mat.NewDense(len(s.Params.Bias), 1, s.Params.Bias), cfg.DType),
	}
	arrays[4].Shape = []int{len(s.Params.Bias)}
	if s.A != nil {
		arrays = append(arrays, array("A", s.A, cfg.DType))
	}
	if err := ctx.Err(); err != nil { // Ctrl-C while reading: write nothing
		return fmt.Errorf("export interrupted: %w; %s not written", context.Cause(ctx), *out)
	}
	err = checkpoints.WriteAtomic(*out, 0o644, func(w io.Writer) error { return checkpoints.WriteNPZ(w, arrays) })
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported epoch %d of %s to %s\n", s.Epoch, path, *out)
	return nil
}

// array converts m to a named array of the run's dtype (float32 values are exact).
func array(name string, m *mat.Dense, dtype train.DType) checkpoints.NamedArray {
	r, c := m.Dims()
	data := mat.DenseCopyOf(m).RawMatrix().Data
	if dtype == train.Float32 {
		f := make([]float32, len(data))
		for i, v := range data {
			f[i] = float32(v)
		}
		return checkpoints.NamedArray{Name: name, Shape: []int{r, c}, Data: f}
	}
	return checkpoints.NamedArray{Name: name, Shape: []int{r, c}, Data: data}
}
