// Package config reads, overrides, validates and writes balnet's YAML configuration
// (DESIGN.md, "Configuration"). Every key is optional and defaults to the reference
// setting of docs/science.md §1.6; an unknown key, a value of the wrong type or out of range is
// an *Error naming the key, the value and what is allowed.
package config
