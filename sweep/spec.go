package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/balnet/balnet/config"
)

// Spec is a sweep: a base configuration, a grid of configuration keys and the seeds. The
// product of the grid's axes (the first axis varying slowest) and the seeds (fastest) is
// the list of runs.
type Spec struct {
	// Command is the balnet command each run executes: one of Commands.
	Command string
	// Base is the configuration every run starts from: the embedded default, then the
	// spec's config file, then its set overrides (resolved, not yet validated per run).
	Base config.Config
	// Set are the fixed overrides as written, in order (recorded for the reader; they are
	// already applied to Base).
	Set []Value
	// Grid are the swept keys, each with its values (ranges expanded).
	Grid []Axis
	// Seeds are the seeds of every grid point.
	Seeds []uint64
}

// Axis is one swept configuration key and its values, as YAML scalars.
type Axis struct {
	Key    string
	Values []string
}

// Value is one configuration key set to one YAML scalar.
type Value struct {
	Key, Value string
}

// Commands are the balnet commands a sweep may run.
var Commands = []string{"train", "info", "fluctuations"}

// Default returns the configuration a sweep of command starts from when its spec names no
// config file: the embedded default of that command (train's reference setting, or the
// Fig. 5 setting of balnet info, or the docs/science.md §6.5 check of balnet fluctuations).
func Default(command string) config.Config {
	switch command {
	case "info":
		return config.InfoDefault()
	case "fluctuations":
		return config.FluctuationsDefault()
	}
	return config.Default()
}

// MaxRuns bounds the size of a grid, against a typo that asks for 10⁹ runs.
const MaxRuns = 100000

// specError is an invalid sweep specification: a *config.Error whose key is the spec's key.
func specError(key, value, allowed string) error {
	return &config.Error{Key: key, Value: value, Allowed: allowed}
}

// specKeys are the top-level keys of a sweep file. "base" appears only in a resolved spec
// (DIR/sweep.yaml), in place of "config".
var specKeys = []string{"command", "config", "base", "set", "grid", "seeds"}

// Parse reads a sweep specification. A relative config path is taken relative to dir
// (the directory of the spec file). Every error is a *config.Error naming the spec key
// (grid keys as "grid.network.b"), except a file that is not YAML at all.
func Parse(data []byte, dir string) (*Spec, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, specError("(top level)", "", "a mapping with the keys "+strings.Join(specKeys[:2], ", ")+", set, grid, seeds")
	}
	top := map[string]*yaml.Node{}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i].Value
		if !slices.Contains(specKeys, k) {
			return nil, specError(k, "", "unknown key (allowed: command, config, set, grid, seeds)")
		}
		top[k] = root.Content[i+1]
	}
	s := &Spec{Command: "train"}
	if n := top["command"]; n != nil {
		if n.Kind != yaml.ScalarNode || !slices.Contains(Commands, n.Value) {
			return nil, specError("command", describe(n), "one of "+strings.Join(Commands, ", "))
		}
		s.Command = n.Value
	}
	s.Base = Default(s.Command)
	switch {
	case top["base"] != nil && top["config"] != nil:
		return nil, specError("base", "", "a resolved spec holds base instead of config, not both")
	case top["base"] != nil:
		raw, err := yaml.Marshal(top["base"])
		if err != nil {
			return nil, err
		}
		if s.Base, err = config.Parse(raw, Default(s.Command)); err != nil {
			return nil, prefixKey("base", err)
		}
	case top["config"] != nil:
		n := top["config"]
		if n.Kind != yaml.ScalarNode || n.Value == "" {
			return nil, specError("config", describe(n), "the path of a configuration file")
		}
		path := n.Value
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, specError("config", n.Value, fmt.Sprintf("a readable configuration file (%v)", errors.Unwrap(err)))
		}
		if s.Base, err = config.Parse(raw, Default(s.Command)); err != nil {
			return nil, fmt.Errorf("config %s: %w", n.Value, err)
		}
	}
	if n := top["set"]; n != nil {
		if n.Kind != yaml.MappingNode {
			return nil, specError("set", describe(n), "a mapping of configuration keys to values")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			text, err := scalarText(v)
			if err != nil {
				return nil, specError("set."+k, describe(v), "a single value")
			}
			if err := s.Base.Set(k + "=" + text); err != nil {
				return nil, prefixKey("set", err)
			}
			s.Set = append(s.Set, Value{k, text})
		}
	}
	if n := top["grid"]; n != nil {
		if n.Kind != yaml.MappingNode {
			return nil, specError("grid", describe(n), "a mapping of configuration keys to lists of values or ranges")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			a, err := parseAxis(n.Content[i].Value, n.Content[i+1])
			if err != nil {
				return nil, err
			}
			if slices.ContainsFunc(s.Grid, func(b Axis) bool { return b.Key == a.Key }) {
				return nil, specError("grid."+a.Key, "", "each key once")
			}
			if a.Key == "seed" {
				return nil, specError("grid.seed", "", "not a grid key: list the seeds under seeds")
			}
			// Every value must be a valid setting of the key (the key exists, the type fits).
			for _, v := range a.Values {
				c := s.Base
				if err := c.Set(a.Key + "=" + v); err != nil {
					return nil, prefixKey("grid", err)
				}
			}
			s.Grid = append(s.Grid, a)
		}
	}
	s.Seeds = []uint64{1}
	if n := top["seeds"]; n != nil {
		seeds, err := parseSeeds(n)
		if err != nil {
			return nil, err
		}
		s.Seeds = seeds
	}
	if n := s.Count(); n > MaxRuns {
		return nil, specError("grid", strconv.Itoa(n)+" runs", fmt.Sprintf("at most %d runs", MaxRuns))
	}
	return s, nil
}

// prefixKey puts prefix before the key of a *config.Error.
func prefixKey(prefix string, err error) error {
	if e, ok := config.AsError(err); ok {
		c := *e
		c.Key = prefix + "." + c.Key
		return &c
	}
	return err
}

// parseAxis reads one grid entry: a list of values or a range {from, to, num, log}.
func parseAxis(key string, n *yaml.Node) (Axis, error) {
	name := "grid." + key
	switch n.Kind {
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return Axis{}, specError(name, "[]", "a non-empty list of values or a range {from, to, num, log}")
		}
		a := Axis{Key: key}
		for _, v := range n.Content {
			text, err := scalarText(v)
			if err != nil {
				return Axis{}, specError(name, describe(v), "a list of single values")
			}
			if slices.Contains(a.Values, text) {
				return Axis{}, specError(name, text, "each value once")
			}
			a.Values = append(a.Values, text)
		}
		return a, nil
	case yaml.MappingNode:
		var r struct {
			From, To *float64
			Num      *int
			Log      bool
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			if !slices.Contains([]string{"from", "to", "num", "log"}, k) {
				return Axis{}, specError(name+"."+k, "", "unknown range key (allowed: from, to, num, log)")
			}
		}
		if err := n.Decode(&r); err != nil {
			return Axis{}, specError(name, describe(n), "a range {from: number, to: number, num: integer, log: true|false}")
		}
		switch {
		case r.From == nil || r.To == nil || r.Num == nil:
			return Axis{}, specError(name, describe(n), "a range needs from, to and num")
		case *r.Num < 1:
			return Axis{}, specError(name+".num", strconv.Itoa(*r.Num), "an integer ≥ 1")
		case !isFinite(*r.From) || !isFinite(*r.To):
			return Axis{}, specError(name, describe(n), "finite from and to")
		case r.Log && (*r.From <= 0 || *r.To <= 0):
			return Axis{}, specError(name, fmt.Sprintf("{from: %g, to: %g}", *r.From, *r.To),
				"a log range needs from > 0 and to > 0 (it cannot pass through 0)")
		}
		vals := Range(*r.From, *r.To, *r.Num, r.Log)
		a := Axis{Key: key}
		for _, v := range vals {
			text := FormatValue(v)
			if slices.Contains(a.Values, text) {
				return Axis{}, specError(name, describe(n), "distinct values (from ≠ to, or fewer points)")
			}
			a.Values = append(a.Values, text)
		}
		return a, nil
	}
	return Axis{}, specError(name, describe(n), "a non-empty list of values or a range {from, to, num, log}")
}

// Range returns num values from from to to, both included (num = 1: from alone):
//
//	linear: v_i = from + i·(to − from)/(num − 1)
//	log:    v_i = from·(to/from)^(i/(num − 1)) = exp(ln from + i·(ln to − ln from)/(num − 1))
//
// The last value is exactly to.
func Range(from, to float64, num int, log bool) []float64 {
	v := make([]float64, num)
	for i := range v {
		if num == 1 {
			v[i] = from
			break
		}
		f := float64(i) / float64(num-1)
		if log {
			v[i] = math.Exp(math.Log(from) + f*(math.Log(to)-math.Log(from)))
		} else {
			v[i] = from + f*(to-from)
		}
	}
	if num > 1 {
		v[num-1] = to
	}
	return v
}

// FormatValue writes a range value with 12 significant digits, the shortest form that
// reads back to the same 12 digits (0.1 + 2·0.3 is written 0.7, not 0.7000000000000001):
// the run is made with the value as written, so ids and configurations agree.
func FormatValue(v float64) string {
	s := strconv.FormatFloat(v, 'g', 12, 64)
	r, _ := strconv.ParseFloat(s, 64)
	return strconv.FormatFloat(r, 'g', -1, 64)
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// parseSeeds reads seeds: a count n (the seeds 1..n) or a list of distinct positive seeds.
func parseSeeds(n *yaml.Node) ([]uint64, error) {
	const allowed = "a count n ≥ 1 (the seeds 1..n) or a non-empty list of distinct integers ≥ 1"
	one := func(v *yaml.Node) (uint64, error) {
		if v.Kind != yaml.ScalarNode {
			return 0, specError("seeds", describe(v), allowed)
		}
		s, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil || s < 1 {
			return 0, specError("seeds", v.Value, allowed)
		}
		return uint64(s), nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		c, err := one(n)
		if err != nil {
			return nil, err
		}
		if c > MaxRuns {
			return nil, specError("seeds", n.Value, fmt.Sprintf("at most %d", MaxRuns))
		}
		seeds := make([]uint64, c)
		for i := range seeds {
			seeds[i] = uint64(i + 1)
		}
		return seeds, nil
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return nil, specError("seeds", "[]", allowed)
		}
		var seeds []uint64
		for _, v := range n.Content {
			s, err := one(v)
			if err != nil {
				return nil, err
			}
			if slices.Contains(seeds, s) {
				return nil, specError("seeds", v.Value, "distinct seeds")
			}
			seeds = append(seeds, s)
		}
		return seeds, nil
	}
	return nil, specError("seeds", describe(n), allowed)
}

// scalarText returns a scalar node's text as it would be written in --set key=value.
func scalarText(n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", errors.New("not a scalar")
	}
	return n.Value, nil
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return n.Value
}

// Count is the number of runs: the product of the axes' lengths times the seeds.
func (s *Spec) Count() int {
	n := len(s.Seeds)
	for _, a := range s.Grid {
		n *= len(a.Values)
	}
	return n
}

// YAML is the resolved spec, as written to DIR/sweep.yaml: the command, the full base
// configuration (every key), the fixed overrides, the grid with its ranges expanded, and
// the list of seeds. Parse reads it back to the same Spec.
func (s *Spec) YAML() []byte {
	var base yaml.Node
	if err := yaml.Unmarshal(s.Base.YAML(), &base); err != nil {
		panic(err) // the configuration always encodes and decodes
	}
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }
	set := &yaml.Node{Kind: yaml.MappingNode}
	for _, v := range s.Set {
		set.Content = append(set.Content, str(v.Key), str(v.Value))
	}
	grid := &yaml.Node{Kind: yaml.MappingNode}
	for _, a := range s.Grid {
		list := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, v := range a.Values {
			list.Content = append(list.Content, str(v))
		}
		grid.Content = append(grid.Content, str(a.Key), list)
	}
	seeds := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, v := range s.Seeds {
		seeds.Content = append(seeds.Content, str(strconv.FormatUint(v, 10)))
	}
	root := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		str("command"), str(s.Command),
		str("set"), set,
		str("grid"), grid,
		str("seeds"), seeds,
		str("base"), base.Content[0],
	}}
	var buf bytes.Buffer
	buf.WriteString("# balnet sweep: the resolved specification (base holds every configuration key)\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
