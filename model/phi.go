package model

import (
	"fmt"
	"math"
)

// Phi is a nonlinearity φ with its derivative φ′.
type Phi struct {
	Name string
	F    func(x float64) float64 // φ(x)
	D    func(x float64) float64 // φ′(x)
}

// Nonlinearities lists the accepted names of Lookup.
var Nonlinearities = []string{"relu", "sigmoid", "tanh", "linear", "threshquad"}

// Lookup returns the nonlinearity with the given name (SCIENCE.md §2.4):
//
//	relu(x) = max(x, 0)            relu′(x) = 1 if x > 0 else 0 (0 at the kink)
//	sigmoid(x) = 1/(1+e^{−x})      sigmoid′ = σ(1−σ)
//	tanh(x)                        tanh′ = 1 − tanh²
//	linear(x) = x                  linear′ = 1
//	threshquad(x) = max(x, 0)²     threshquad′ = 2·max(x, 0)
func Lookup(name string) (Phi, error) {
	switch name {
	case "relu":
		return Phi{name, relu, func(x float64) float64 { return step(x) }}, nil
	case "sigmoid":
		return Phi{name, sigmoid, func(x float64) float64 { s := sigmoid(x); return s * (1 - s) }}, nil
	case "tanh":
		return Phi{name, math.Tanh, func(x float64) float64 { t := math.Tanh(x); return 1 - t*t }}, nil
	case "linear":
		return Phi{name, func(x float64) float64 { return x }, func(float64) float64 { return 1 }}, nil
	case "threshquad":
		return Phi{name, func(x float64) float64 { r := relu(x); return r * r }, func(x float64) float64 { return 2 * relu(x) }}, nil
	}
	return Phi{}, fmt.Errorf("unknown nonlinearity %q (allowed: %v)", name, Nonlinearities)
}

func relu(x float64) float64 {
	if x > 0 {
		return x
	}
	return 0
}

func step(x float64) float64 {
	if x > 0 {
		return 1
	}
	return 0
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
