package config

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/train"
)

// Config is the whole configuration: the training run and the analysis.
type Config struct {
	train.Config `yaml:",inline"`
	Analysis     analysis.Settings `yaml:"analysis"`
	Info         Info              `yaml:"info"`
	DMFT         DMFT              `yaml:"dmft"`
	Fluctuations Fluctuations      `yaml:"fluctuations"`
}

// Default returns the embedded default configuration (the reference setting).
func Default() Config {
	return Config{Config: train.DefaultConfig(), Analysis: analysis.DefaultSettings(), Info: DefaultInfo(), DMFT: DefaultDMFT(), Fluctuations: DefaultFluctuations()}
}

// Error is an invalid configuration value or key.
type Error struct {
	Key     string // dotted key, e.g. "network.n"
	Value   string // the offending value as written
	Allowed string // what would be accepted
}

func (e *Error) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %s", e.Key, e.Allowed)
	}
	return fmt.Sprintf("%s = %s is invalid: %s", e.Key, e.Value, e.Allowed)
}

// Parse decodes YAML onto a copy of base: keys present in data override base, absent
// keys keep their value. Unknown keys and ill-typed values are errors (*Error).
func Parse(data []byte, base Config) (Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return base, fmt.Errorf("not valid YAML: %w", err)
	}
	if len(doc.Content) == 0 { // empty document
		return base, nil
	}
	c := base
	if err := apply(doc.Content[0], reflect.ValueOf(&c).Elem(), ""); err != nil {
		return base, err
	}
	return c, nil
}

// Set applies one "key=value" override, e.g. "network.n=200" or "train.lr=3e-4". The
// value is read as YAML, so "network.win={mean: 2, std: 0}" sets a whole section.
func (c *Config) Set(assignment string) error {
	key, value, ok := strings.Cut(assignment, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return &Error{Key: "--set", Value: fmt.Sprintf("%q", assignment), Allowed: "the form key=value, e.g. network.n=200"}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil || len(doc.Content) == 0 {
		return &Error{Key: key, Value: fmt.Sprintf("%q", value), Allowed: "a YAML value"}
	}
	v := reflect.ValueOf(c).Elem()
	path := ""
	for _, name := range strings.Split(key, ".") {
		if v.Kind() != reflect.Struct {
			return &Error{Key: key, Allowed: fmt.Sprintf("unknown key (%s is not a section)", path)}
		}
		f, ok := fields(v)[name]
		if !ok {
			return unknownKey(join(path, name), v)
		}
		v, path = f, join(path, name)
	}
	return apply(doc.Content[0], v, path)
}

// YAML returns the configuration as YAML, every key written.
func (c Config) YAML() []byte {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		panic(err) // a plain struct always encodes
	}
	return buf.Bytes()
}

// Resolved returns c with implied values made explicit: task.outputs = task.signals when
// it is 0 and analysis.clusters = task.signals when it is 0.
func (c Config) Resolved() Config {
	if c.Task.Outputs == 0 {
		c.Task.Outputs = c.Task.Signals
	}
	if c.Analysis.Clusters == 0 {
		c.Analysis.Clusters = c.Task.Signals
	}
	return c
}

// apply decodes node onto v, which is at the dotted key path.
func apply(node *yaml.Node, v reflect.Value, path string) error {
	if v.Kind() == reflect.Struct {
		if node.Kind != yaml.MappingNode {
			return &Error{Key: keyOrTop(path), Value: describe(node), Allowed: "a mapping of keys"}
		}
		fs := fields(v)
		for i := 0; i+1 < len(node.Content); i += 2 {
			name := node.Content[i].Value
			f, ok := fs[name]
			if !ok {
				return unknownKey(join(path, name), v)
			}
			if err := apply(node.Content[i+1], f, join(path, name)); err != nil {
				return err
			}
		}
		return nil
	}
	if v.Kind() == reflect.Slice {
		return applyList(node, v, path)
	}
	if node.Kind != yaml.ScalarNode {
		return &Error{Key: path, Value: describe(node), Allowed: typeName(v.Type())}
	}
	if err := checkInteger(node, v.Type(), path); err != nil {
		return err
	}
	ptr := reflect.New(v.Type())
	if err := node.Decode(ptr.Interface()); err != nil {
		return &Error{Key: path, Value: node.Value, Allowed: typeName(v.Type())}
	}
	v.Set(ptr.Elem())
	return nil
}

// applyList decodes a YAML sequence (block or flow, e.g. [30, 60]) onto the slice v, one
// element at a time so that a bad element is named path[i]; a single scalar is read as a
// one-element list and an empty list [] as nil.
func applyList(node *yaml.Node, v reflect.Value, path string) error {
	items := []*yaml.Node{node}
	switch node.Kind {
	case yaml.SequenceNode:
		items = node.Content
	case yaml.ScalarNode:
	default:
		return &Error{Key: path, Value: describe(node), Allowed: typeName(v.Type())}
	}
	if len(items) == 0 {
		v.Set(reflect.Zero(v.Type())) // nil, as in the defaults
		return nil
	}
	out := reflect.MakeSlice(v.Type(), len(items), len(items))
	for i, it := range items {
		if err := apply(it, out.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	v.Set(out)
	return nil
}

// fields maps the YAML names of a struct's fields (inline structs flattened) to values.
func fields(v reflect.Value) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if opts == "inline" {
			for k, f := range fields(v.Field(i)) {
				out[k] = f
			}
			continue
		}
		if name != "" && name != "-" {
			out[name] = v.Field(i)
		}
	}
	return out
}

func unknownKey(key string, section reflect.Value) error {
	var names []string
	for k := range fields(section) {
		names = append(names, k)
	}
	sort.Strings(names)
	return &Error{Key: key, Allowed: "unknown key (allowed here: " + strings.Join(names, ", ") + ")"}
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(typeName(t.Elem()), "a ") + "s, e.g. [30, 60]"
	}
	return t.String()
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

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func keyOrTop(path string) string {
	if path == "" {
		return "(top level)"
	}
	return path
}

// AsError reports whether err is (or wraps) a configuration *Error.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
