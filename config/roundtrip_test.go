package config

import (
	"bytes"
	"flag"
	"fmt"
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
// the move to go.yaml.in/yaml/v3. A branch that adds configuration keys extends the output
// (sameOrExtended: the golden's lines, in order, plus the new keys at their defaults);
// regenerate with -update only for a deliberate change of the format.
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
		if err := sameOrExtended(resolved, want, c.Resolved()); err != nil {
			t.Errorf("%s: resolved config.yaml against %s: %v", name, golden, err)
		}
	}
}

// sameOrExtended checks that got is the golden want byte for byte, or want with lines added
// by configuration keys newer than the golden: want's lines are a subsequence of got's, and
// want read over the defaults is the configuration c that got encodes (so the added lines
// hold the new keys' defaults).
func sameOrExtended(got, want []byte, c Config) error {
	if bytes.Equal(got, want) {
		return nil
	}
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	i := 0
	for _, line := range g {
		if i < len(w) && line == w[i] {
			i++
		}
	}
	if i < len(w) {
		return fmt.Errorf("golden line %d %q is missing or out of order in\n%s", i+1, w[i], got)
	}
	old, err := Parse(want, Default())
	if err != nil {
		return fmt.Errorf("the golden does not parse: %v", err)
	}
	if !reflect.DeepEqual(old, c) {
		return fmt.Errorf("the golden read over the defaults is %+v, want %+v", old, c)
	}
	return nil
}
