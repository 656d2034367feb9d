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
// v3.0.1, before the move to go.yaml.in/yaml/v3; configuration keys added since only add
// lines to the base section (extends). Regenerate with -update only for a deliberate change
// of the format.
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
		if !bytes.Equal(enc, want) && !extends(enc, want) {
			t.Errorf("%s: resolved sweep.yaml differs from %s:\n%s\nwant\n%s", f, golden, enc, want)
		} else if !bytes.Equal(enc, want) { // new configuration keys: the golden must still mean s
			old, err := Parse(want, filepath.Dir(f))
			if err != nil || !reflect.DeepEqual(old.Grid, s.Grid) || !reflect.DeepEqual(old.Seeds, s.Seeds) || old.Command != s.Command || !reflect.DeepEqual(old.Set, s.Set) {
				t.Errorf("%s: the golden %s no longer reads as the same sweep (%v)", f, golden, err)
			}
		}
	}
}

// extends reports whether want's lines appear in got in order (got may hold more lines: keys
// added to the configuration after the golden was written).
func extends(got, want []byte) bool {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	i := 0
	for _, line := range g {
		if i < len(w) && line == w[i] {
			i++
		}
	}
	return i == len(w)
}
