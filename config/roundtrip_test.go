package config

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

// roundTripConfigs are the embedded defaults of every command, and every example config of
// the repository (testdata/roundtrip/*.yaml: README's configuration blocks, the plots test
// run, and one file with every section away from its default) read over the default.
func roundTripConfigs(t *testing.T) map[string]Config {
	t.Helper()
	configs := map[string]Config{
		"default":              Default(),
		"default-info":         InfoDefault(),
		"default-dmft":         DMFTDefault(),
		"default-fluctuations": FluctuationsDefault(),
	}
	files, err := filepath.Glob(filepath.Join("testdata", "roundtrip", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example configs in testdata/roundtrip (%v)", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := Parse(data, Default())
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		configs[strings.TrimSuffix(filepath.Base(f), ".yaml")] = c
	}
	return configs
}

// TestConfigsRoundTrip: every embedded and example configuration round-trips unchanged
// (decode → encode → decode gives the same Config, and encoding that again the same bytes),
// and its resolved YAML — what a run directory's config.yaml holds — is byte-identical to
// the golden file written with the previous YAML library, gopkg.in/yaml.v3 v3.0.1, before
// the move to go.yaml.in/yaml/v3 (regenerate with -update only for a deliberate change of
// the format).
func TestConfigsRoundTrip(t *testing.T) {
	for name, c := range roundTripConfigs(t) {
		enc := c.YAML()
		back, err := Parse(enc, Config{})
		if err != nil {
			t.Errorf("%s: the encoded configuration does not parse: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(back, c) {
			t.Errorf("%s: decode → encode → decode: got %+v, want %+v", name, back, c)
		}
		if again := back.YAML(); !bytes.Equal(again, enc) {
			t.Errorf("%s: second encoding differs:\n%s\nwant\n%s", name, again, enc)
		}
		resolved := c.Resolved().YAML()
		golden := filepath.Join("testdata", "roundtrip", name+".golden")
		if *update {
			if err := os.WriteFile(golden, resolved, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%s: %v (generate with go test ./config -run TestConfigsRoundTrip -update)", name, err)
		}
		if !bytes.Equal(resolved, want) {
			t.Errorf("%s: resolved config.yaml differs from %s:\n%s\nwant\n%s", name, golden, resolved, want)
		}
	}
}
