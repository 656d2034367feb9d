package sim_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/sim"
	"github.com/balnet/balnet/tasks"
)

// The Fig. 5 network of docs/science.md §4.3 at b = 10 (N = 64, g = 0, J = −b/N everywhere),
// driven by an exact OU input, recorded for 2¹² steps after a burn-in of 1τ.
func Example() {
	const n, b, dt = 64, 10.0, 1.0 / 4096
	relu, _ := model.Lookup("relu")
	J := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			J.Set(i, j, -b/n)
		}
	}
	nw := sim.Network{J: J, Phi: relu, Tau: 1, B: b}
	ou := tasks.OU{Channels: 1, DT: dt, TauS: 1, I0: 1, I1: 0.125}
	in := sim.NewOU(ou, 1, rand.New(rand.NewPCG(1, 1)))
	s := sim.Settings{DT: dt, Sigma: 0.1, BurnIn: 4096, Steps: 4096}
	rec, res, err := sim.Record(context.Background(), nw, in, s, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	var nu float64
	for _, v := range rec.Rate[0] {
		nu += v
	}
	fmt.Printf("%d records of I and ν; mean ν ≈ bI₀/(1+bJ₀) = %.2f: %.2f; all units active: %v\n",
		len(rec.Rate[0]), b/(1+b), nu/float64(len(rec.Rate[0])), res.MinActive == 1)
	// Output:
	// 4096 records of I and ν; mean ν ≈ bI₀/(1+bJ₀) = 0.91: 0.93; all units active: true
}

// Driving uncoupled linear units with a given input, here the sinusoid
// I(t) = sin(2πt) of the step times t = (k+1)Δt, plus a constant drive on unit 0 only,
// and recording the projection of φ(h) on unit 0, as a mean-field comparison or a low-rank
// analysis would. The steady response is 1 + sin(2πt − atan 2π)/√(1+4π²), e.g.
// ≈ 1.025 at t = 0.25 (to O(Δt)), and ν = 1/8 + that oscillation.
func ExampleFunc() {
	const n, dt = 8, 0.001
	linear, _ := model.Lookup("linear")
	nw := sim.Network{J: mat.NewDense(n, n, nil), Phi: linear, B: 1, Offset: make([]float64, n)}
	nw.Offset[0] = 1
	sine := sim.Func{S: 1, F: func(k int, dst []float64) { dst[0] = math.Sin(2 * math.Pi * float64(k+1) * dt) }}
	unit0 := make([]float64, n)
	unit0[0] = 1
	s := sim.Settings{DT: dt, BurnIn: 10000, Steps: 1000, Stride: 250, Project: [][]float64{unit0}}
	rec, _, _ := sim.Record(context.Background(), nw, sine, s, rand.New(rand.NewPCG(1, 2)))
	for k, t := range rec.Time {
		fmt.Printf("t = %.2f  h_0 = %.4f  ν = %.4f\n", t, rec.Proj[0][0][k], rec.Rate[0][k])
	}
	// Output:
	// t = 0.25  h_0 = 1.0252  ν = 0.1502
	// t = 0.50  h_0 = 1.1552  ν = 0.2802
	// t = 0.75  h_0 = 0.9748  ν = 0.0998
	// t = 1.00  h_0 = 0.8448  ν = -0.0302
}
