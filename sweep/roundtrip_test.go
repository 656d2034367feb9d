package sweep

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/roundtrip")

// TestSpecsRoundTrip: the README's example sweep specs (testdata/roundtrip/*.yaml) resolve to
// a sweep.yaml that parses back to the same Spec and encodes to the same bytes, and that is
// byte-identical to the golden file written with the previous YAML library, gopkg.in/yaml.v3
// v3.0.1, before the move to go.yaml.in/yaml/v3 (regenerate with -update only for a
// deliberate change of the format).
func TestSpecsRoundTrip(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "roundtrip", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example specs in testdata/roundtrip (%v)", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Parse(data, filepath.Dir(f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		enc := s.YAML()
		back, err := Parse(enc, filepath.Dir(f))
		if err != nil {
			t.Fatalf("%s: the resolved spec does not parse: %v", f, err)
		}
		if !reflect.DeepEqual(back, s) {
			t.Errorf("%s: decode → encode → decode: got %+v, want %+v", f, back, s)
		}
		if again := back.YAML(); !bytes.Equal(again, enc) {
			t.Errorf("%s: second encoding differs", f)
		}
		golden := strings.TrimSuffix(f, ".yaml") + ".golden"
		if *update {
			if err := os.WriteFile(golden, enc, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (generate with go test ./sweep -run TestSpecsRoundTrip -update)", err)
		}
		if !bytes.Equal(enc, want) {
			t.Errorf("%s: resolved sweep.yaml differs from %s:\n%s\nwant\n%s", f, golden, enc, want)
		}
	}
}
