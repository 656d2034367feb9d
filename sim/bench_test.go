package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/balnet/balnet/tasks"
)

// A sink that keeps nothing, so the benchmark measures the integration alone.
type discard struct{}

func (discard) Start(Layout) error  { return nil }
func (discard) Record(*Frame) error { return nil }

// BenchmarkStep reports the cost of Euler steps of the g = 0 network with an OU input and
// one record per step, for the Fig. 5 size (N = 64) and the Fig. 1 size (N = 4096), one and
// four realizations, float64 and float32. The metric s/1000steps is per batch of R.
func BenchmarkStep(b *testing.B) {
	for _, c := range []struct {
		n, r int
		f32  bool
	}{{64, 1, false}, {64, 1, true}, {4096, 1, false}, {4096, 1, true}, {4096, 4, false}, {4096, 4, true}} {
		b.Run(fmt.Sprintf("N=%d/R=%d/float32=%v", c.n, c.r, c.f32), func(b *testing.B) {
			// A dense J (constant plus a tiny random part, so that the O(N) path of a
			// constant J is not taken): the cost of the general product.
			J := meanCoupling(b, c.n, 10, 1, false)
			rng := newRNG(3)
			for k, v := range J.RawMatrix().Data {
				J.RawMatrix().Data[k] = v + 1e-3*rng.NormFloat64()/float64(c.n)
			}
			nw := Network{J: J, Phi: mustPhi(b, "relu"), B: 10}
			ou := tasks.OU{Channels: 1, DT: 1.0 / 1024, TauS: 1, I0: 1, I1: 0.1}
			steps := 1000
			if c.n <= 64 {
				steps = 100000
			}
			s := Settings{DT: ou.DT, Sigma: 0.1, Steps: steps, Realizations: c.r, Float32: c.f32}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				in := NewOU(ou, c.r, rand.New(rand.NewPCG(1, 1)))
				if _, err := Run(context.Background(), nw, in, s, rand.New(rand.NewPCG(1, 2)), discard{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/float64(steps)*1000, "s/1000steps")
		})
	}
}

// BenchmarkStepConstant is the Fig. 5 network itself (g = 0: J = −b/N everywhere), which
// Run integrates in O(N) per step.
func BenchmarkStepConstant(b *testing.B) {
	nw := Network{J: meanCoupling(b, 64, 10, 1, false), Phi: mustPhi(b, "relu"), B: 10}
	ou := tasks.OU{Channels: 1, DT: 1.0 / 4096, TauS: 1, I0: 1, I1: 0.125}
	const steps = 100000
	s := Settings{DT: ou.DT, Sigma: 0.1, Steps: steps}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		in := NewOU(ou, 1, rand.New(rand.NewPCG(1, 1)))
		if _, err := Run(context.Background(), nw, in, s, rand.New(rand.NewPCG(1, 2)), discard{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/float64(steps)*1000, "s/1000steps")
}
