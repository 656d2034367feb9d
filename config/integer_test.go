package config

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

// integerKeys returns the dotted keys of every int and uint64 field of the configuration,
// found by walking Config as Parse does (issue 13: network.n=1.5 was truncated to 1).
func integerKeys(v reflect.Value, path string) []string {
	var keys []string
	for name, f := range fields(v) {
		key := join(path, name)
		switch f.Kind() {
		case reflect.Struct:
			keys = append(keys, integerKeys(f, key)...)
		case reflect.Int, reflect.Int64, reflect.Uint64:
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	return keys
}

// TestIntegerKeysRefuseNonIntegers: every integer key given 1.5, by --set and in a config
// file, is an *Error naming that key and the value; a whole number written as a float
// (2.0, 1e2) is that integer.
func TestIntegerKeysRefuseNonIntegers(t *testing.T) {
	keys := integerKeys(reflect.ValueOf(Default()), "")
	for _, want := range []string{"network.n", "sim.steps", "train.batch", "train.epochs", "seed", "network.lowrank.rank", "info.stride", "dmft.band", "fluctuations.probes"} {
		if !containsString(keys, want) {
			t.Fatalf("integer keys %v lack %s", keys, want)
		}
	}
	for _, key := range keys {
		for _, bad := range []string{"1.5", "-0.5", "1e-3", ".nan", ".inf", "1e30"} {
			c := Default()
			err := c.Set(key + "=" + bad)
			e, ok := AsError(err)
			if !ok || e.Key != key || e.Value != bad || !strings.Contains(e.Allowed, "integer") {
				t.Errorf("--set %s=%s: got %v, want an *Error naming %s, %s and an integer", key, bad, err, key, bad)
			}
			file := nested(key, bad)
			_, err = Parse([]byte(file), Default())
			if e, ok := AsError(err); !ok || e.Key != key || e.Value != bad {
				t.Errorf("file %q: got %v, want an *Error naming %s = %s", file, err, key, bad)
			}
		}
		for _, whole := range []string{"2.0", "1e2"} {
			c := Default()
			if err := c.Set(key + "=" + whole); err != nil {
				t.Errorf("--set %s=%s: got %v, want the integer accepted", key, whole, err)
			}
		}
	}
	c := Default()
	if err := c.Set("network.n=1e3"); err != nil || c.Network.N != 1000 {
		t.Errorf("network.n=1e3: got n = %d, err %v, want 1000", c.Network.N, err)
	}
}

// nested writes key: value as a block YAML document ("a.b: v" → "a:\n  b: v\n").
func nested(key, value string) string {
	parts := strings.Split(key, ".")
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(strings.Repeat("  ", i) + p + ":")
		if i == len(parts)-1 {
			b.WriteString(" " + value)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
