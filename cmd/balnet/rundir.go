package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/balnet/balnet/plots"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/train"
)

// finish handles the end of a training run: an interruption is saved and reported; a
// finished run gets its figures (unless plot is false). A failed figure is a warning, not a
// failed run.
func finish(r *rundir.Run, t *train.Trainer, err error, plot bool, say func(format string, args ...any)) error {
	if errors.Is(err, train.ErrInterrupted) {
		if serr := r.Save(t); serr != nil {
			return fmt.Errorf("%s: interrupted, and %w", r.Dir, serr)
		}
		say("interrupted at epoch %d; checkpoint saved. Continue with:\n  balnet resume %s\n", t.Epoch(), r.Dir)
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", r.Dir, err)
	}
	say("done: epoch %d in %s\n", t.Epoch(), r.Dir)
	if plot {
		if perr := plots.All(string(r.Dir), "", io.Discard); perr != nil {
			say("warning: figures: %v\n", perr)
		} else {
			say("figures: %s\n", r.Dir.Path(rundir.FiguresDir))
		}
	}
	return nil
}

// inside reports whether path is dir or lies under it (lexically, after Abs).
func inside(path, dir string) bool {
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return true // when in doubt, lock
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
