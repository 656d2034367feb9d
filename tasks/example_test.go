package tasks_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/balnet/balnet/tasks"
	"gonum.org/v1/gonum/mat"
)

// The reference OU signal of docs/science.md §1.3: nearly white at Δt = 0.2, starting at I₀.
func ExampleOU() {
	ou := tasks.OU{Channels: 1, DT: 0.2, TauS: 0.1, I0: 1, I1: 0.1}
	fmt.Printf("a = %.6f, innovation std = %.6f, Var = %.6f\n", ou.Decay(), ou.InnovationStd(), ou.Var())

	b := tasks.NewBatch(50, 1, 1, 10) // T = 50 steps, B = 10 trials
	ou.Sample(b, rand.New(rand.NewPCG(1, 1)))
	fmt.Println("first input and target:", b.InputAt(0)[0], b.TargetAt(0)[0])
	// Output:
	// a = 0.135335, innovation std = 0.221550, Var = 0.050000
	// first input and target: 1 1
}

// A linear task with a fixed matrix: the mean and the difference of two signals.
func ExampleLinear() {
	ou := tasks.OU{Channels: 2, DT: 0.05, TauS: 0.1, I0: 1, I1: 0.1}
	l := &tasks.Linear{OU: ou, A: mat.NewDense(2, 2, []float64{
		0.5, 0.5,
		1, -1,
	})}
	b := tasks.NewBatch(100, l.Signals(), l.Outputs(), 1)
	l.Sample(b, rand.New(rand.NewPCG(1, 1)))
	fmt.Println("y(0) =", b.TargetAt(0)) // A·(I₀, I₀): the offset is included

	in, y := b.InputAt(99), b.TargetAt(99)
	fmt.Println("y(99) = A·I(99):", y[0] == 0.5*in[0]+0.5*in[1], y[1] == in[0]-in[1])
	// Output:
	// y(0) = [1 0]
	// y(99) = A·I(99): true true
}
