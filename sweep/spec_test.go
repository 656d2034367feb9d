package sweep

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/balnet/balnet/config"
)

func mustParse(t *testing.T, spec string) *Spec {
	t.Helper()
	s, err := Parse([]byte(spec), t.TempDir())
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

// TestRange checks linear and log ranges against their closed forms: a linear range of 4
// points from 0.1 to 1 steps by 0.3; a log range of 5 points from 0.1 to 1000 is the powers
// of ten.
func TestRange(t *testing.T) {
	for _, tc := range []struct {
		from, to float64
		num      int
		log      bool
		want     []string
	}{
		{0.1, 1, 4, false, []string{"0.1", "0.4", "0.7", "1"}},
		{0.1, 1000, 5, true, []string{"0.1", "1", "10", "100", "1000"}},
		{2, 2, 1, false, []string{"2"}},
		{1, 0, 3, false, []string{"1", "0.5", "0"}},
		{1, 4, 3, true, []string{"1", "2", "4"}},
	} {
		var got []string
		for _, v := range Range(tc.from, tc.to, tc.num, tc.log) {
			got = append(got, FormatValue(v))
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Range(%g, %g, %d, log=%v): got %v, want %v", tc.from, tc.to, tc.num, tc.log, got, tc.want)
		}
	}
	// Without rounding, the log range is exp of a linear range of logarithms: check the
	// midpoint of 1e-3..1e3 is 1 to within a few ulps of the exp/log round trip.
	mid := Range(1e-3, 1e3, 3, true)[1]
	if math.Abs(mid-1) > 4e-16 {
		t.Errorf("log range midpoint: got %v, want 1", mid)
	}
}

// TestExpand: the runs are the product of the axes (first slowest) and the seeds
// (fastest), with stable ids naming every swept value and the seed.
func TestExpand(t *testing.T) {
	s := mustParse(t, `
command: train
set: {train.epochs: 20}
grid:
  network.b: [1, 2]
  sim.sigma: {from: 0.1, to: 1, num: 3, log: true}
  network.nonlinearity: [relu, tanh]
seeds: [5, 9]
`)
	runs := s.Runs()
	if got, want := len(runs), 2*3*2*2; got != want {
		t.Fatalf("runs: got %d, want %d", got, want)
	}
	if got, want := runs[0].ID, "network.b=1,sim.sigma=0.1,network.nonlinearity=relu,seed=5"; got != want {
		t.Errorf("first id: got %q, want %q", got, want)
	}
	if got, want := runs[1].ID, "network.b=1,sim.sigma=0.1,network.nonlinearity=relu,seed=9"; got != want {
		t.Errorf("second id: got %q, want %q", got, want)
	}
	if got, want := runs[2].ID, "network.b=1,sim.sigma=0.1,network.nonlinearity=tanh,seed=5"; got != want {
		t.Errorf("third id: got %q, want %q", got, want)
	}
	if got, want := runs[23].ID, "network.b=2,sim.sigma=1,network.nonlinearity=tanh,seed=9"; got != want {
		t.Errorf("last id: got %q, want %q", got, want)
	}
	// The log range's middle value: sqrt(0.1·1), written with 12 digits.
	if got, want := runs[4].Values[1].Value, "0.316227766017"; got != want {
		t.Errorf("sim.sigma of run 4: got %q, want %q", got, want)
	}
	seen := map[string]bool{}
	for i, r := range runs {
		if r.Index != i || seen[r.Dir] {
			t.Errorf("run %d: index %d, dir %q (duplicate %v)", i, r.Index, r.Dir, seen[r.Dir])
		}
		seen[r.Dir] = true
		c, err := s.Config(r)
		if err != nil {
			t.Fatalf("Config(%s): %v", r.ID, err)
		}
		if c.Seed != r.Seed || c.Train.Epochs != 20 {
			t.Errorf("Config(%s): seed %d epochs %d, want %d and 20", r.ID, c.Seed, c.Train.Epochs, r.Seed)
		}
		if got := FormatValue(c.Network.B); got != r.Values[0].Value {
			t.Errorf("Config(%s): network.b = %s, want %s", r.ID, got, r.Values[0].Value)
		}
		if string(c.Network.Nonlinearity) != r.Values[2].Value {
			t.Errorf("Config(%s): nonlinearity %q", r.ID, c.Network.Nonlinearity)
		}
	}
	// Stable: parsing again gives the same ids.
	again := mustParse(t, string(s.YAML())).Runs()
	for i := range runs {
		if again[i].ID != runs[i].ID || again[i].Dir != runs[i].Dir {
			t.Errorf("run %d after a round trip: got %q, want %q", i, again[i].ID, runs[i].ID)
		}
	}
}

func TestSeedsCount(t *testing.T) {
	s := mustParse(t, "seeds: 3\n")
	if !reflect.DeepEqual(s.Seeds, []uint64{1, 2, 3}) {
		t.Errorf("seeds: 3: got %v, want [1 2 3]", s.Seeds)
	}
	if got := s.Runs()[2].ID; got != "seed=3" {
		t.Errorf("id without a grid: got %q, want seed=3", got)
	}
	if s := mustParse(t, "command: train\n"); !reflect.DeepEqual(s.Seeds, []uint64{1}) {
		t.Errorf("no seeds: got %v, want [1]", s.Seeds)
	}
}

// TestSpecRoundTrip: the resolved spec reads back to the same spec and writes the same
// bytes; a base configuration file is folded into it.
func TestSpecRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "base.yaml"), []byte("network: {n: 40}\ntrain: {lr: 0.002}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Parse([]byte("config: base.yaml\nset: {train.epochs: 7}\ngrid: {network.g: [0.01, 0.02]}\nseeds: 2\n"), dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Base.Network.N != 40 || s.Base.Train.LR != 0.002 || s.Base.Train.Epochs != 7 {
		t.Errorf("base: n %d lr %g epochs %d, want 40, 0.002, 7", s.Base.Network.N, s.Base.Train.LR, s.Base.Train.Epochs)
	}
	back, err := Parse(s.YAML(), "/nonexistent")
	if err != nil {
		t.Fatalf("Parse(YAML()): %v\n%s", err, s.YAML())
	}
	if !reflect.DeepEqual(back, s) {
		t.Errorf("round trip:\ngot  %+v\nwant %+v", back, s)
	}
	if string(back.YAML()) != string(s.YAML()) {
		t.Errorf("YAML after a round trip differs:\n%s\nwant\n%s", back.YAML(), s.YAML())
	}
}

// TestDirName: a long id is shortened to a safe, unique name.
func TestDirName(t *testing.T) {
	long := strings.Repeat("x", 120)
	s := mustParse(t, "grid:\n  task.kind: [ou, linear]\n  network.nonlinearity: [\"relu/"+long+"\", \"relu/"+long+"y\"]\n")
	runs := s.Runs()
	seen := map[string]bool{}
	for _, r := range runs {
		if len(r.Dir) > MaxDirName || strings.ContainsAny(r.Dir, "/ ") || seen[r.Dir] {
			t.Errorf("dir %q: want at most %d safe characters, unique", r.Dir, MaxDirName)
		}
		seen[r.Dir] = true
	}
	if got := safe(".hidden/x y"); got != "_hidden_x_y" {
		t.Errorf("safe: got %q, want _hidden_x_y", got)
	}
}

// TestBadSpec: every invalid spec is a *config.Error naming the key.
func TestBadSpec(t *testing.T) {
	for _, tc := range []struct{ spec, key string }{
		{"grid: {network.bx: [1, 2]}", "grid.network.bx"},
		{"grid: {network.b: []}", "grid.network.b"},
		{"grid: {network.b: {from: 1, to: 2, num: 0}}", "grid.network.b.num"},
		{"grid: {sim.sigma: {from: 0, to: 1, num: 3, log: true}}", "grid.sim.sigma"},
		{"grid: {sim.sigma: {from: -1, to: 1, num: 3, log: true}}", "grid.sim.sigma"},
		{"grid: {sim.sigma: {from: 0, to: 1, steps: 3}}", "grid.sim.sigma.steps"},
		{"grid: {network.n: [10, ten]}", "grid.network.n"},
		{"grid: {network.b: [1, 1]}", "grid.network.b"},
		{"seeds: 0", "seeds"},
		{"seeds: -2", "seeds"},
		{"seeds: [1, 0]", "seeds"},
		{"seeds: []", "seeds"},
		{"command: dance", "command"},
		{"set: {train.lrr: 1}", "set.train.lrr"},
		{"config: missing.yaml", "config"},
		{"grids: {}", "grids"},
	} {
		_, err := Parse([]byte(tc.spec), t.TempDir())
		e, ok := config.AsError(err)
		if !ok {
			t.Errorf("%s: got error %v, want a *config.Error", tc.spec, err)
			continue
		}
		if e.Key != tc.key {
			t.Errorf("%s: got key %q (%v), want %q", tc.spec, e.Key, err, tc.key)
		}
	}
	// A value the key accepts in type but the configuration refuses is caught per run.
	s := mustParse(t, "grid: {network.n: [10, 0]}")
	var bad error
	for _, r := range s.Runs() {
		if _, err := s.Config(r); err != nil {
			bad = err
		}
	}
	if e, ok := config.AsError(bad); !ok || e.Key != "grid.network.n" {
		t.Errorf("network.n = 0: got %v, want an error naming grid.network.n", bad)
	}
}

func TestArrayList(t *testing.T) {
	for _, tc := range []struct {
		in   []int
		want string
	}{
		{[]int{0, 1, 2, 3}, "0-3"},
		{[]int{0, 2, 3, 4, 7, 9, 10}, "0,2-4,7,9-10"},
		{[]int{5}, "5"},
	} {
		if got := ArrayList(tc.in); got != tc.want {
			t.Errorf("ArrayList(%v): got %q, want %q", tc.in, got, tc.want)
		}
	}
}
