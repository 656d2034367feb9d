package main

import (
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/balnet/balnet/model/engine"
	"github.com/balnet/balnet/rundir"
)

// TestVersion: balnet version prints every field of the build description, and those that
// this test can know independently agree: the Go version, the BLAS backend and the kernel
// path of the engine, the platform. Extra arguments are refused.
func TestVersion(t *testing.T) {
	code, stdout, stderr := runCmd(t, "version")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("line %q is not key: value", line)
		}
		got[k] = strings.TrimSpace(v)
	}
	for _, k := range []string{"module", "version", "revision", "modified", "commit_time", "go", "platform", "blas", "kernel", "kernel_paths", "tags", "goexperiment", "cgo"} {
		if got[k] == "" {
			t.Errorf("field %s: missing or empty in %q", k, stdout)
		}
	}
	for k, want := range map[string]string{
		"module": modulePath, "go": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH,
		"blas": engine.BLASName(), "kernel": engine.KernelName(), "kernel_paths": strings.Join(engine.KernelPaths(), ", "),
	} {
		if got[k] != want {
			t.Errorf("%s: got %q, want %q", k, got[k], want)
		}
	}
	if m := got["modified"]; m != "true" && m != "false" && m != "unknown" {
		t.Errorf("modified: got %q, want true, false or unknown", m)
	}
	if code, _, stderr := runCmd(t, "version", "extra"); code != 2 || !strings.Contains(stderr, "extra") {
		t.Errorf("version extra: exit %d, stderr %q; want 2", code, stderr)
	}
}

// TestProvenance: a trained run has provenance.yaml with the build, the command line, the
// host and the start time; each resume appends one entry naming the epoch it continued
// from, and the created entry stays as it was.
func TestProvenance(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	args := append([]string{"train", "--out", dir}, tiny(4)...)
	mustRun(t, args...)
	d := rundir.Dir(dir)
	p, err := d.ReadProvenance()
	if err != nil {
		t.Fatal(err)
	}
	want := buildInfo()
	c := p.Created
	if !slices.Equal(c.Command, append([]string{"balnet"}, args...)) {
		t.Errorf("command: got %q, want %q", c.Command, append([]string{"balnet"}, args...))
	}
	if c.Build.Go != want.Go || c.Build.Kernel != want.Kernel || c.Build.BLAS != want.BLAS || c.Build.Revision != want.Revision {
		t.Errorf("build: got %+v, want %+v", c.Build, want)
	}
	if c.Host == "" || !strings.HasSuffix(c.Start, "Z") || c.Epoch != nil || len(p.Resumes) != 0 {
		t.Errorf("created: got %+v and %d resumes, want a host, a UTC start, no epoch, no resume", c, len(p.Resumes))
	}
	mustRun(t, "resume", dir, "--epochs", "8", "--quiet", "--no-plots")
	mustRun(t, "resume", dir, "--epochs", "12", "--quiet", "--no-plots")
	q, err := d.ReadProvenance()
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Resumes) != 2 {
		t.Fatalf("got %d resume entries, want 2", len(q.Resumes))
	}
	for i, epoch := range []int{4, 8} {
		r := q.Resumes[i]
		if r.Epoch == nil || *r.Epoch != epoch || r.Command[1] != "resume" || r.Command[2] != dir || r.Build.Go != want.Go {
			t.Errorf("resume %d: got %+v, want epoch %d and the resume command line", i, r, epoch)
		}
	}
	if !slices.Equal(q.Created.Command, c.Command) || q.Created.Start != c.Start {
		t.Errorf("the created entry changed on resume: got %+v, want %+v", q.Created, c)
	}
}
