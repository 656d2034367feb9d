package train

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/balnet/balnet/model/engine"
)

// BenchmarkEpoch measures one whole training epoch (batch sampling, noise, forward,
// backward, Adam) for each engine and dtype at the reference setting "ref", N = 100,
// B = 10, T = 50, S = 1 (docs/science.md §1.6), and for the fused engine at "big", N = 1000,
// T = 500 (burn-in 100, the first fifth as in the reference), and "big-threads2", the same
// with train.threads = 2 (run it with GOMAXPROCS ≥ 2). The fused engine runs on
// the default kernel path of the build (engine.KernelName, the last part of the name).
// Besides ns/op it reports cpu-ns/op, the process CPU time per epoch, which a busy machine
// inflates much less, and peak-MB, the process's peak resident set size (one benchmark per
// process, as scripts/bench-peer.sh runs them, makes it the peak of one training). scripts/bench-peer.sh compares these with the PyTorch peer.
func BenchmarkEpoch(b *testing.B) {
	for _, size := range []string{"ref", "big", "big-threads2"} {
		for _, eng := range engine.Names {
			if size != "ref" && eng != "fused" {
				continue // the unrolled graph needs several GB at N = 1000, T = 500
			}
			for _, dtype := range []DType{Float32, Float64} {
				b.Run(size+"/"+eng+"/"+string(dtype)+"/"+engine.KernelName(), func(b *testing.B) {
					cfg := DefaultConfig()
					cfg.DType, cfg.Train.Engine = dtype, eng
					if size != "ref" {
						cfg.Network.N, cfg.Sim.Steps, cfg.Sim.BurnIn = 1000, 500, 100
					}
					if size == "big-threads2" {
						cfg.Train.Threads = 2
					}
					t, err := New(cfg)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := t.step(); err != nil { // warm-up
						b.Fatal(err)
					}
					b.ReportAllocs()
					cpu0 := cpuTime()
					b.ResetTimer()
					for b.Loop() {
						if _, err := t.step(); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
					b.ReportMetric(peakRSS(), "peak-MB")
				})
			}
		}
	}
}

// peakRSS is the peak resident set size of the process so far in MB (10⁶ bytes), Linux's
// ru_maxrss: run one benchmark per process for the figure of one training.
func peakRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) * 1024 / 1e6
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkNormals measures the training noise generator (normalsPCG) against math/rand/v2's
// NormFloat64 on the same PCG, per block of one reference epoch's 50 000 deviates; both give
// the same bits (TestNormalsPCGMatchRand).
func BenchmarkNormals(b *testing.B) {
	dst := make([]float64, 50_000)
	b.Run("normalsPCG", func(b *testing.B) {
		src := rand.NewPCG(1, 2)
		for b.Loop() {
			normalsPCG(dst, src)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(dst)), "ns/deviate")
	})
	b.Run("normalsTo/float32", func(b *testing.B) { // straight into the fused engine's layout
		src, dst32 := rand.NewPCG(1, 2), make([]float32, len(dst))
		for b.Loop() {
			normalsTo(dst32, src, 100, 10, 0.1)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(dst)), "ns/deviate")
	})
	b.Run("NormFloat64", func(b *testing.B) {
		r := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			normals(dst, r)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(dst)), "ns/deviate")
	})
}
