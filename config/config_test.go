package config

import (
	"reflect"
	"strings"
	"testing"
)

// TestYAMLRoundTrip: the written configuration reads back as the same configuration.
func TestYAMLRoundTrip(t *testing.T) {
	want := Default()
	want.Network.N, want.Task.Kind, want.Train.LR = 37, "linear", 3e-4
	got, err := Parse(want.YAML(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip: got %+v, want %+v", got, want)
	}
}

// TestParseKeepsAbsentKeys: keys absent from the file keep the base value.
func TestParseKeepsAbsentKeys(t *testing.T) {
	got, err := Parse([]byte("network:\n  n: 50\ntrain: {lr: 0.01}\n"), Default())
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Network.N, want.Train.LR = 50, 0.01
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestErrorsNameTheKey: unknown keys and bad values are *Error values naming the key.
func TestErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		yaml, key string
	}{
		{"network:\n  gbar: 1\n", "network.gbar"},
		{"networks: {}\n", "networks"},
		{"network: {win: {mean: x}}\n", "network.win.mean"},
		{"sim: 3\n", "sim"},
		{"train: {epochs: [1, 2]}\n", "train.epochs"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.yaml), Default())
		e, ok := AsError(err)
		if !ok {
			t.Errorf("%q: got %v, want a *config.Error", c.yaml, err)
			continue
		}
		if e.Key != c.key {
			t.Errorf("%q: got key %q, want %q", c.yaml, e.Key, c.key)
		}
	}
}

// TestSet covers scalar and section overrides and malformed assignments.
func TestSet(t *testing.T) {
	c := Default()
	for _, s := range []string{"network.n=200", "network.win={mean: 2, std: 0}", "dtype=float64", "task.stationary=true"} {
		if err := c.Set(s); err != nil {
			t.Fatalf("Set(%q): %v", s, err)
		}
	}
	if c.Network.N != 200 || c.Network.Win.Mean != 2 || c.Network.Win.Std != 0 || c.DType != "float64" || !c.Task.Stationary {
		t.Errorf("after Set: got %+v", c)
	}
	for _, s := range []string{"network.n", "=3", "network.n.x=3", "nope=1"} {
		if err := c.Set(s); err == nil {
			t.Errorf("Set(%q): got nil error, want one", s)
		}
	}
}

// TestValidateDefault: the embedded default is valid and every rule fires on its key.
func TestValidateDefault(t *testing.T) {
	if err := Default().Resolved().Validate(); err != nil {
		t.Fatalf("default: %v", err)
	}
	for _, s := range []string{"network.tau=0", "network.g=-1", "network.b=0", "network.ei.scale=third",
		"task.tau_s=-1", "task.i1=-0.1", "sim.sigma=-1", "sim.relax=-1", "train.beta1=1", "train.beta2=-0.1",
		"train.eps=0", "train.activity_reg=-1", "train.test_every=0", "train.checkpoint_every=0", "train.keep=0",
		"train.engine=gpu", "train.threads=0", "analysis.every=-1", "analysis.outliers=0", "analysis.clusters=101", "train.epochs=-1",
		"network.density=0", "network.density=1.5", "network.density=-0.2", "network.density=.nan", "network.dale=true", "task.target=offset", `task.target=""`} {
		c := Default()
		if err := c.Set(s); err != nil {
			t.Fatalf("Set(%q): %v", s, err)
		}
		err := c.Resolved().Validate()
		e, ok := AsError(err)
		if !ok || e.Key != strings.SplitN(s, "=", 2)[0] {
			t.Errorf("%s: got %v, want an error for that key", s, err)
		}
	}
}

// TestValidateDale: network.dale is accepted with the E–I initialization and its default
// block means, and refused (naming the key) for the other initializations and for a block
// mean of the sign Dale's law would remove.
func TestValidateDale(t *testing.T) {
	c := Default()
	for _, s := range []string{"network.init=ei", "network.dale=true", "network.density=0.25", "task.target=fluctuation"} {
		if err := c.Set(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Resolved().Validate(); err != nil {
		t.Fatalf("dale with init ei: %v", err)
	}
	for _, s := range []string{"network.init=lowrank", "network.init=gaussian", "network.ei.ee=-1", "network.ei.ie=-0.5", "network.ei.ei=2", "network.ei.ii=0.1"} {
		bad := c
		if err := bad.Set(s); err != nil {
			t.Fatal(err)
		}
		want := strings.SplitN(s, "=", 2)[0]
		if strings.HasPrefix(s, "network.init") {
			want = "network.dale"
		}
		e, ok := AsError(bad.Resolved().Validate())
		if !ok || e.Key != want {
			t.Errorf("%s with dale: got %v, want an error for %s", s, e, want)
		}
	}
}
