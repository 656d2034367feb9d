package rundir_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/balnet/balnet/rundir"
)

// ExampleLock shows the one-writer rule: while a directory is locked, a second Lock fails
// at once with a *LockedError; after Unlock it succeeds.
func ExampleLock() {
	dir, err := os.MkdirTemp("", "run")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	first, err := rundir.Lock(dir)
	if err != nil {
		panic(err)
	}
	_, err = rundir.Lock(dir)
	var le *rundir.LockedError
	fmt.Println("second writer refused:", errors.As(err, &le), le.PID == os.Getpid())
	first.Unlock()
	again, err := rundir.Lock(dir)
	fmt.Println("after Unlock:", err)
	again.Unlock()
	// Output:
	// second writer refused: true true
	// after Unlock: <nil>
}

// ExampleDir shows the typed paths of a run directory.
func ExampleDir() {
	d := rundir.Dir("runs/default")
	fmt.Println(d.Path(rundir.MetricsFile))
	fmt.Println(d.CheckpointPath(1000))
	fmt.Println(d.SpectraPath(1000))
	// Output:
	// runs/default/metrics.csv
	// runs/default/checkpoints/epoch-00001000.ckpt
	// runs/default/spectra/epoch-00001000.npz
}
