// Package config reads, overrides, validates and writes balnet's YAML configuration
// (DESIGN.md, "Configuration"). Every key is optional and defaults to the reference
// setting of docs/science.md §1.6; an unknown key, a value of the wrong type or out of range
// is an *Error naming the key, the value and what is allowed.
//
// Choices are typed where they are declared (model.Nonlinearity, model.Init,
// model.BlockScale, train.DType, tasks.Kind, each with its list of accepted values) and
// checked once, here, by Validate; the packages that use them switch on the typed
// constants and trust the validated value.
//
// Extension points: a new section (for example "info" or "dmft") is a settings struct of
// its package, with yaml tags and a Default function, added as a field of Config (and to
// Default), and its checks added to Validate; Parse, Set and YAML need no change, they walk
// the struct by reflection. A new choice (a model init such as a low-rank structure) is a
// constant of its type and an entry of its list.
package config
