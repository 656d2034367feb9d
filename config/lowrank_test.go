package config

import (
	"reflect"
	"testing"
)

// TestSetFlowList: --set accepts YAML flow lists (and a scalar as a one-element list) for
// list keys.
func TestSetFlowList(t *testing.T) {
	c := Default()
	for _, a := range []string{"network.init=lowrank", "network.n=100", "network.lowrank.rank=2",
		"network.lowrank.theta_deg=[30,60]", "network.lowrank.strength=[1, 0.5]"} {
		if err := c.Set(a); err != nil {
			t.Fatalf("Set(%q): %v", a, err)
		}
	}
	if got := c.Network.LowRank.ThetaDeg; !reflect.DeepEqual(got, []float64{30, 60}) {
		t.Errorf("theta_deg: got %v, want [30 60]", got)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("valid rank-2 configuration rejected: %v", err)
	}
	if err := c.Set("network.lowrank.theta_deg=45"); err != nil || !reflect.DeepEqual(c.Network.LowRank.ThetaDeg, []float64{45}) {
		t.Errorf("scalar as list: got %v, %v; want [45]", c.Network.LowRank.ThetaDeg, err)
	}
	err := c.Set("network.lowrank.theta_deg=[30, abc]")
	if e, ok := AsError(err); !ok || e.Key != "network.lowrank.theta_deg[1]" {
		t.Errorf("bad list element: got %v, want an *Error naming network.lowrank.theta_deg[1]", err)
	}
}

// TestLowRankValidation: every invalid low-rank value is an *Error naming its key.
func TestLowRankValidation(t *testing.T) {
	cases := []struct {
		sets []string
		key  string
	}{
		{[]string{"network.lowrank.rank=0"}, "network.lowrank.rank"},
		{[]string{"network.lowrank.rank=51"}, "network.lowrank.rank"}, // D > N/2 = 50
		{[]string{"network.lowrank.theta_deg=[91]"}, "network.lowrank.theta_deg[0]"},
		{[]string{"network.lowrank.theta_deg=[-1]"}, "network.lowrank.theta_deg[0]"},
		{[]string{"network.lowrank.theta_deg=[30, 40]"}, "network.lowrank.theta_deg"},
		{[]string{"network.lowrank.strength=[1, 1]"}, "network.lowrank.strength"},
		{[]string{"network.lowrank.strength=[-0.5]"}, "network.lowrank.strength[0]"},
		{[]string{"network.lowrank.input=[1, 0]"}, "network.lowrank.input"},
		{[]string{"network.lowrank.input=[0]"}, "network.lowrank.input"},
		{[]string{"network.lowrank.structure=ring"}, "network.lowrank.structure"},
		{[]string{"network.lowrank.scaling=weak"}, "network.lowrank.scaling"},
		{[]string{"network.lowrank.structure=outdegree", "network.lowrank.cv_k=1.2"}, "network.lowrank.cv_k"},
		{[]string{"network.lowrank.structure=ei"}, "network.lowrank.rank"},
	}
	for _, c := range cases {
		cfg := Default()
		for _, a := range append([]string{"network.init=lowrank"}, c.sets...) {
			if err := cfg.Set(a); err != nil {
				t.Fatalf("Set(%q): %v", a, err)
			}
		}
		err := cfg.Validate()
		if e, ok := AsError(err); !ok || e.Key != c.key {
			t.Errorf("%v: got %v, want an *Error naming %s", c.sets, err, c.key)
		}
	}
}
