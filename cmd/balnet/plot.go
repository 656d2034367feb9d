package main

import (
	"context"
	"flag"
	"io"
	"os"

	"github.com/balnet/balnet/plots"
	"github.com/balnet/balnet/rundir"
)

// cmdPlot implements `balnet plot RUN_DIR [--out DIR]`: it draws every figure of package
// plots (PNG and SVG) from the run directory's CSV files, spectra and latest checkpoint
// into DIR (default RUN_DIR/figures), and writes one line per figure to stdout: the files
// written, or why the figure was skipped. It takes the run directory's lock when DIR is
// inside it (the default), so on a run in progress (whose trainer holds the lock) draw the
// figures elsewhere with --out DIR: reading a run in progress is safe. A RUN_DIR that
// is not a directory is a usage error; it fails only if no figure could be drawn. On
// Ctrl-C/SIGTERM it stops before the next figure, exit status 1; the figures written are
// complete.
func cmdPlot(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plot", flag.ContinueOnError)
	out := fs.String("out", "", "output `directory` (default: RUN_DIR/figures)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	dir, err := oneRunDir("plot", pos)
	if err != nil {
		return err
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return usagef("plot: %s is not a run directory", dir)
	}
	if *out == "" || inside(*out, dir) { // writing into the run: one writer at a time
		lock, err := rundir.Lock(dir)
		if err != nil {
			return err
		}
		defer lock.Unlock()
	}
	return plots.AllContext(ctx, dir, *out, stdout)
}
