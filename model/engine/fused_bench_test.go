package engine

import (
	"github.com/balnet/balnet/model"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"
)

// benchSize is one benchmark setting of issue 3.
type benchSize struct {
	name                     string
	n, trials, steps, burnIn int
}

var benchSizes = []benchSize{
	{"ref", 100, 10, 50, 10}, // docs/science.md §1.6: N = 100, B = 10, T = 50, S = 1
	{"big", 1000, 10, 500, 100},
}

// benchBatch is a realistic batch for a benchSize: default network (docs/science.md §1.6) with
// one OU-like signal (mean I₀ = 1, innovation std 0.22, §1.3), target = input, standard
// normal noise, and the initial state relaxed for 100τ under the constant input.
type benchBatch struct {
	sp                       model.Spec
	p                        *model.Params
	h0, input, noise, target []float64
}

var (
	benchMu      sync.Mutex
	benchBatches = map[string]*benchBatch{}
)

func newBenchBatch(b *testing.B, sz benchSize) *benchBatch {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	if bb, ok := benchBatches[sz.name]; ok {
		return bb
	}
	rng := rand.New(rand.NewPCG(1, 1))
	net := model.DefaultSettings()
	net.N = sz.n
	sim := model.DefaultSimSettings()
	sim.Steps, sim.BurnIn = sz.steps, sz.burnIn
	sp, err := model.NewSpec(net, sim, 1, 1, sz.trials, 1e-4)
	if err != nil {
		b.Fatal(err)
	}
	p, err := model.NewParams(net, 1, 1, rng)
	if err != nil {
		b.Fatal(err)
	}
	h0 := mat.NewDense(sz.n, sz.trials, nil)
	for i := range h0.RawMatrix().Data {
		h0.RawMatrix().Data[i] = rng.NormFloat64()
	}
	model.Relax(sp, p, h0, 1, sim.Relax)
	bb := &benchBatch{sp: sp, p: p, h0: h0.RawMatrix().Data,
		input: make([]float64, sp.InputLen()), noise: make([]float64, sp.NoiseLen())}
	for i := range bb.input {
		bb.input[i] = 1 + 0.22*rng.NormFloat64()
	}
	for i := range bb.noise {
		bb.noise[i] = rng.NormFloat64()
	}
	bb.target = bb.input
	benchBatches[sz.name] = bb
	return bb
}

// BenchmarkEpoch measures one Engine.Run (forward and backward of one batch; the Adam step
// is negligible) for {ref, big} × {fused, graph} × {float32, float64}, with allocations.
// The last part of the name is the kernel path: for the fused engine every path of
// KernelPaths (the default first: avx512/avx2 in a GOEXPERIMENT=simd build, then gonum),
// for the graph the BLAS (gonum or openblas, see BLASName).
//
// Besides the wall-clock ns/op it reports cpu-ns/op, the process CPU time per run, which a
// busy machine inflates much less.
//
// big/graph is skipped unless BALNET_BENCH_BIG_GRAPH=1: the unrolled graph at N = 1000,
// T = 500 needs several GB (4.6 GB peak RSS in float32, about twice that in float64) and
// 30 s or more of CPU per epoch, besides building it. big/fused reports the live heap
// after the runs and a garbage collection, with the engine and the batch alive (MB-live):
// the engine allocates everything up front, so this is its peak up to the few kB a Run
// allocates. Peak RSS of a whole process needs an outside measurement, e.g.
//
//	go test -c -o model.test ./model/
//	/usr/bin/time -v ./model.test -test.run '^$' -test.bench 'Epoch/big/fused/float32' -test.benchtime 3x
func BenchmarkEpoch(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			for _, engine := range []string{"fused", "graph"} {
				b.Run(engine, func(b *testing.B) {
					paths := KernelPaths()
					if engine == "graph" {
						paths = []string{BLASName()}
					}
					for _, dtype := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
						for _, path := range paths {
							b.Run(dtype.String()+"/"+path, func(b *testing.B) {
								if sz.name == "big" && engine == "graph" && os.Getenv("BALNET_BENCH_BIG_GRAPH") != "1" {
									b.Skip("needs ~8 GB and ~30 s per epoch; set BALNET_BENCH_BIG_GRAPH=1")
								}
								benchEpoch(b, sz, engine, dtype, path)
							})
						}
					}
				})
			}
		})
	}
}

// cpuTime is the user+system CPU time of the process so far. On a shared machine the
// wall-clock ns/op includes the time the benchmark waited for a core; cpu-ns/op does not
// (it does include the runtime's own threads, such as the garbage collector).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchEpoch(b *testing.B, sz benchSize, engine string, dtype tensor.Dtype, path string) {
	bb := newBenchBatch(b, sz)
	var e Engine
	var err error
	if engine == "fused" {
		e, err = newFused(bb.sp, dtype, bb.p, path, 1)
	} else {
		e, err = New(engine, bb.sp, dtype, bb.p)
	}
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.Run(bb.h0, bb.input, bb.noise, bb.target); err != nil { // warm-up
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Run(bb.h0, bb.input, bb.noise, bb.target); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	if sz.name == "big" {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/1e6, "MB-live")
	}
	runtime.KeepAlive(e)
}
