package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/rundir"
)

// Check validates every run's configuration and the sweep directory before anything is
// written: a new or empty directory, or one holding this very spec (a sweep to continue).
// A directory holding another spec is refused (a *config.Error naming --out) unless force;
// a non-empty directory that is not a sweep is always refused. It returns the runs and
// whether the directory holds another spec to be replaced.
func Check(l Layout, s *Spec, force bool) (runs []Run, replace bool, err error) {
	runs = s.Runs()
	for _, r := range runs {
		if _, err := s.Config(r); err != nil {
			return nil, false, err
		}
	}
	dir := string(l)
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return runs, false, nil
	case err != nil:
		if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
			return nil, false, &config.Error{Key: "--out", Value: dir, Allowed: "a sweep directory (this is a file)"}
		}
		return nil, false, err
	case len(entries) == 0:
		return runs, false, nil
	}
	old, err := os.ReadFile(l.Spec())
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, &config.Error{Key: "--out", Value: dir,
			Allowed: "a new or empty directory, or a sweep directory (this one holds other files and no sweep.yaml)"}
	}
	if err != nil {
		return nil, false, err
	}
	if bytes.Equal(old, s.YAML()) {
		return runs, false, nil
	}
	if !force {
		return nil, false, &config.Error{Key: "--out", Value: dir,
			Allowed: "a directory of this sweep: it holds another spec (its sweep.yaml differs); choose another directory, or replace it and its runs with --force"}
	}
	return runs, true, nil
}

// Prepare writes the sweep directory after Check (and Remove, when Check said to replace
// it): the resolved spec, every run's configuration and the manifest. Existing status files
// and run directories are kept: that is how a sweep continues. The caller holds the sweep
// directory's lock (rundir.Lock).
func Prepare(l Layout, s *Spec, runs []Run) error {
	for _, d := range l.dirs() {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := checkpoints.WriteFileAtomic(l.Spec(), s.YAML(), 0o644); err != nil {
		return err
	}
	for _, r := range runs {
		c, err := s.Config(r)
		if err != nil {
			return err
		}
		if old, err := os.ReadFile(l.Config(r)); err == nil && bytes.Equal(old, c.YAML()) {
			continue
		}
		if err := checkpoints.WriteFileAtomic(l.Config(r), c.YAML(), 0o644); err != nil {
			return err
		}
	}
	_, err := WriteManifest(l, s, runs)
	return err
}

// Load reads the resolved spec of a sweep directory and its runs.
func Load(l Layout) (*Spec, []Run, error) {
	data, err := os.ReadFile(l.Spec())
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, &config.Error{Key: "DIR", Value: string(l), Allowed: "a sweep directory (it has no sweep.yaml)"}
		}
		return nil, nil, err
	}
	s, err := Parse(data, string(l))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", l.Spec(), err)
	}
	return s, s.Runs(), nil
}

// Remove deletes a sweep directory (to replace it, --force) the way rundir.Remove deletes
// a run: under the directory's lock (a sweep still running there is not removed), by first
// renaming it to a hidden sibling, so that a crash midway never leaves half an old sweep
// where the new one is written.
func Remove(l Layout) error { return rundir.Remove(string(l)) }
