package sweep_test

import (
	"fmt"

	"github.com/balnet/balnet/sweep"
)

// A grid of two values of b and a log range of three noise levels, two seeds each: twelve
// runs, the first key varying slowest and the seed fastest.
func ExampleParse() {
	spec, err := sweep.Parse([]byte(`
command: train
set: {train.epochs: 2000}
grid:
  network.b: [1, 4]
  sim.sigma: {from: 0.1, to: 10, num: 3, log: true}
seeds: 2
`), ".")
	if err != nil {
		fmt.Println(err)
		return
	}
	runs := spec.Runs()
	fmt.Println(len(runs), "runs")
	for _, r := range runs[:4] {
		fmt.Println(r.Index, r.ID)
	}
	// Output:
	// 12 runs
	// 0 network.b=1,sim.sigma=0.1,seed=1
	// 1 network.b=1,sim.sigma=0.1,seed=2
	// 2 network.b=1,sim.sigma=1,seed=1
	// 3 network.b=1,sim.sigma=1,seed=2
}

// Bad input names the key, the value and what is allowed.
func ExampleParse_error() {
	_, err := sweep.Parse([]byte("grid: {sim.sigma: {from: 0, to: 1, num: 4, log: true}}\n"), ".")
	fmt.Println(err)
	// Output:
	// grid.sim.sigma = {from: 0, to: 1} is invalid: a log range needs from > 0 and to > 0 (it cannot pass through 0)
}
