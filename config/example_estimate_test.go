package config_test

import (
	"fmt"

	"github.com/balnet/balnet/config"
)

// ExampleTrainEstimate sizes a run before anything is allocated: the network of issue 13's
// first oversized run, N = 100000, is refused under a 16 GiB budget, naming the keys that
// drive it, and its analysis alone (two eigen-solves and the alignment's singular values
// of 100000×100000 float64 matrices, with the parameter copies) would need 969.0 GiB.
func ExampleTrainEstimate() {
	c := config.Default()
	if err := c.Set("network.n=100000"); err != nil {
		panic(err)
	}
	e := config.TrainEstimate(c.Resolved())
	phase, _ := e.Peak()
	fmt.Println("largest phase:", phase, config.FormatBytes(e.Phase(config.PhaseAnalysis)))
	fmt.Println("driven by:", e.Drivers())
	limit, _ := config.ParseSize("16GiB")
	fmt.Println("refused:", e.Check(limit, "--max-memory 16GiB") != nil)
	// Output:
	// largest phase: analysis 969.0 GiB
	// driven by: [network.n dtype]
	// refused: true
}
