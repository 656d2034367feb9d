package config

import (
	"math"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// checkInteger refuses a non-integer number given to an integer key (int or uint64 field):
// YAML resolves 1.5 as a float, and the decoder would truncate it to 1. A float that is a
// whole number (2.0, 1e6) is accepted: it names an integer exactly. Other scalars are left
// to the decoder, whose errors apply reports as "an integer".
func checkInteger(node *yaml.Node, t reflect.Type, path string) error {
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Uint64:
	default:
		return nil
	}
	if node.ShortTag() != "!!float" {
		return nil
	}
	var f float64
	if err := node.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) {
		return &Error{Key: path, Value: node.Value,
			Allowed: typeName(t) + " (" + path + " counts something: a non-integer is refused, not truncated)"}
	}
	if t.Kind() == reflect.Uint64 && (f < 0 || f >= 1<<64) || t.Kind() != reflect.Uint64 && (f < math.MinInt64 || f >= 1<<63) {
		return &Error{Key: path, Value: node.Value, Allowed: typeName(t) + " within 64 bits"}
	}
	return nil
}
