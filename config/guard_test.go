package config

import (
	"strings"
	"testing"
)

// TestGuardKeys: the keys of the divergence guard and the initial state accept their
// documented values and refuse the others, naming the key, the value and what is allowed.
func TestGuardKeys(t *testing.T) {
	for _, s := range []string{"sim.init_state=relax", "sim.init_state=zero", "sim.init_state=fixed_point",
		"train.clip_norm=0", "train.clip_norm=1.5", "train.on_diverge=stop", "train.on_diverge=rollback",
		"train.backoff=0.9", "train.backoff=1e-3", "train.max_rollbacks=0", "train.max_rollbacks=10"} {
		c := Default()
		if err := c.Set(s); err != nil {
			t.Fatalf("Set(%q): %v", s, err)
		}
		if err := c.Resolved().Validate(); err != nil {
			t.Errorf("%s: got %v, want valid", s, err)
		}
	}
	bad := []struct{ set, value, allowed string }{
		{"sim.init_state=random", `"random"`, "relax, zero, fixed_point"},
		{`sim.init_state=""`, `""`, "relax, zero, fixed_point"},
		{"train.on_diverge=retry", `"retry"`, "stop, rollback"},
		{"train.clip_norm=-1", "-1", "≥ 0"},
		{"train.clip_norm=.inf", "+Inf", "finite"},
		{"train.backoff=0", "0", "(0, 1)"},
		{"train.backoff=1", "1", "(0, 1)"},
		{"train.backoff=1.5", "1.5", "(0, 1)"},
		{"train.backoff=-0.5", "-0.5", "(0, 1)"},
		{"train.max_rollbacks=-1", "-1", "≥ 0"},
	}
	for _, b := range bad {
		c := Default()
		if err := c.Set(b.set); err != nil {
			t.Fatalf("Set(%q): %v", b.set, err)
		}
		err := c.Resolved().Validate()
		e, ok := AsError(err)
		key := strings.SplitN(b.set, "=", 2)[0]
		if !ok || e.Key != key || e.Value != b.value || !strings.Contains(e.Allowed, b.allowed) {
			t.Errorf("%s: got %v, want key %s, value %s, allowed mentioning %q", b.set, err, key, b.value, b.allowed)
		}
	}
}
