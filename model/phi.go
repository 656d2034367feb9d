package model

import (
	"fmt"
	"math"
)

// Nonlinearity names a nonlinearity φ: the type of network.nonlinearity. Validating the
// configuration checks it against Nonlinearities; Lookup turns it into the functions.
type Nonlinearity string

// The nonlinearities (docs/science.md §2.4).
const (
	ReLU       Nonlinearity = "relu"
	Sigmoid    Nonlinearity = "sigmoid"
	Tanh       Nonlinearity = "tanh"
	Linear     Nonlinearity = "linear"
	ThreshQuad Nonlinearity = "threshquad"
)

// Phi is a nonlinearity φ with its derivative φ′.
type Phi struct {
	Name Nonlinearity
	F    func(x float64) float64 // φ(x)
	D    func(x float64) float64 // φ′(x)
}

// Nonlinearities lists the accepted names of Lookup.
var Nonlinearities = []Nonlinearity{ReLU, Sigmoid, Tanh, Linear, ThreshQuad}

// Lookup returns the nonlinearity with the given name (docs/science.md §2.4):
//
//	relu(x) = max(x, 0)            relu′(x) = 1 if x > 0 else 0 (0 at the kink)
//	sigmoid(x) = 1/(1+e^{−x})      sigmoid′ = σ(1−σ)
//	tanh(x)                        tanh′ = 1 − tanh²
//	linear(x) = x                  linear′ = 1
//	threshquad(x) = max(x, 0)²     threshquad′ = 2·max(x, 0)
func Lookup(name Nonlinearity) (Phi, error) {
	switch name {
	case ReLU:
		return Phi{name, relu, func(x float64) float64 { return step(x) }}, nil
	case Sigmoid:
		return Phi{name, sigmoid, func(x float64) float64 { s := sigmoid(x); return s * (1 - s) }}, nil
	case Tanh:
		return Phi{name, math.Tanh, func(x float64) float64 { t := math.Tanh(x); return 1 - t*t }}, nil
	case Linear:
		return Phi{name, func(x float64) float64 { return x }, func(float64) float64 { return 1 }}, nil
	case ThreshQuad:
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
