package config

import (
	"strings"
	"testing"

	"github.com/balnet/balnet/model"
)

// The embedded default of balnet fluctuations is the §6.5 check of docs/science.md and is
// valid as it stands.
func TestFluctuationsDefault(t *testing.T) {
	c := FluctuationsDefault()
	if err := c.Validate(); err != nil {
		t.Fatalf("the default does not validate: %v", err)
	}
	n, lr := c.Network, c.Network.LowRank
	if n.N != 3000 || n.G != 2 || n.J0 != 1 || c.Task.I0 != 1 || n.Nonlinearity != model.ReLU || n.Init != model.InitLowRank ||
		lr.Rank != 1 || len(lr.ThetaDeg) != 1 || lr.ThetaDeg[0] != 30 || lr.Scaling != "strong" {
		t.Errorf("not the §6.5 setting: %+v", n)
	}
	burn, steps := c.FluctuationsSteps()
	if c.FluctuationsDT() != 0.01 || burn != 5000 || steps != 20000 {
		t.Errorf("Δt = %g, burn-in %d, steps %d; want 0.01, 50τ = 5000, 200τ = 20000", c.FluctuationsDT(), burn, steps)
	}
}

// Every fluctuations key is checked, naming the key.
func TestFluctuationsValidate(t *testing.T) {
	for _, set := range []string{"fluctuations.dt=-1", "fluctuations.duration=0", "fluctuations.burn_in=-1",
		"fluctuations.stride=0", "fluctuations.probes=0", "fluctuations.duration=0.01", "fluctuations.threads=0"} {
		c := FluctuationsDefault()
		if err := c.Set(set); err != nil {
			t.Fatal(err)
		}
		err := c.Validate()
		key, _, _ := strings.Cut(set, "=")
		if e, ok := AsError(err); !ok || e.Key != key {
			t.Errorf("%s: got %v, want an error naming %s", set, err, key)
		}
	}
}
