package rundir_test

import (
	"os"
	"reflect"
	"testing"

	"github.com/balnet/balnet/rundir"
)

// TestProvenanceFile: WriteProvenance and AppendResume round-trip through provenance.yaml
// (atomically: no temporary file is left); a run without the file (made before provenance
// was recorded) gets one whose created session is unknown.
func TestProvenanceFile(t *testing.T) {
	d := rundir.Dir(t.TempDir())
	s := rundir.Session{Build: rundir.Build{Module: "m", Go: "go1", KernelPaths: []string{"a", "b"}},
		Command: []string{"balnet", "train"}, Host: "h", Start: "2026-01-02T03:04:05Z"}
	if err := d.AppendResume(s, 7); err != nil {
		t.Fatal(err)
	}
	p, err := d.ReadProvenance()
	if err != nil {
		t.Fatal(err)
	}
	if p.Created.Start != "unknown" || len(p.Resumes) != 1 || *p.Resumes[0].Epoch != 7 {
		t.Errorf("resume of a run without provenance: got %+v", p)
	}
	if err := d.WriteProvenance(s); err != nil {
		t.Fatal(err)
	}
	if err := d.AppendResume(s, 3); err != nil {
		t.Fatal(err)
	}
	p, err = d.ReadProvenance()
	if err != nil {
		t.Fatal(err)
	}
	three := 3
	want := rundir.Provenance{Created: s, Resumes: []rundir.Session{s}}
	want.Resumes[0].Epoch = &three
	if !reflect.DeepEqual(*p, want) {
		t.Errorf("got %+v, want %+v", *p, want)
	}
	entries, _ := os.ReadDir(string(d))
	if len(entries) != 1 || entries[0].Name() != rundir.ProvenanceFile {
		t.Errorf("directory holds %v, want only %s", entries, rundir.ProvenanceFile)
	}
}
