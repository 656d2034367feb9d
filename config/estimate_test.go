package config_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/checkpoints"
	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/model/engine"
	"github.com/balnet/balnet/rundir"
	"github.com/balnet/balnet/train"
)

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc)
}

// allocated returns the bytes allocated so far by the process (MemStats.TotalAlloc).
func allocated() float64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.TotalAlloc)
}

// measured is what a phase of a training really used: the retained heap of train.New
// (resident) and the bytes each transient phase allocated.
type measured map[string]float64

// measure runs the phases of TrainEstimate on a real trainer, one at a time.
func measure(t *testing.T, c config.Config) measured {
	t.Helper()
	m := measured{}
	base, a0 := liveHeap(), allocated()
	tr, err := train.New(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	a1 := allocated()
	m[config.PhaseResident] = liveHeap() - base
	m[config.PhaseSetup] = a1 - a0 - m[config.PhaseResident]

	a := allocated()
	if err := tr.Run(context.Background()); err != nil { // train.epochs = 0: one relaxed test
		t.Fatal(err)
	}
	m[config.PhaseTest] = allocated() - a

	a = allocated()
	if _, err := checkpoints.SaveState(t.TempDir(), c.YAML(), tr.Snapshot(), 1); err != nil {
		t.Fatal(err)
	}
	m[config.PhaseCheckpoint] = allocated() - a

	a = allocated()
	if _, err := analysis.AnalyzeWith(rundir.AnalysisInput(tr), c.Analysis, analysis.Options{}); err != nil {
		t.Fatal(err)
	}
	m[config.PhaseAnalysis] = allocated() - a

	if c.Train.Engine == "graph" { // one engine Run: the values of the unrolled graph
		sp := tr.Spec()
		p, _ := model.NewParams(c.Network, c.Task.Signals, c.Outputs(), rand.New(rand.NewPCG(1, 1)))
		dtype, _ := train.Dtype(c.DType)
		g, err := engine.New("graph", sp, dtype, p)
		if err != nil {
			t.Fatal(err)
		}
		h0 := mat.NewDense(sp.N, sp.Trials, nil).RawMatrix().Data
		in, nz, y := make([]float64, sp.InputLen()), make([]float64, sp.NoiseLen()), make([]float64, sp.TargetLen())
		g.Run(h0, in, nz, y) // the first Run also builds the machine's caches
		a = allocated()
		if _, err := g.Run(h0, in, nz, y); err != nil {
			t.Fatal(err)
		}
		m[config.PhaseEpoch] = allocated() - a
	}
	runtime.KeepAlive(tr)
	return m
}

// TestEstimateMatchesAllocation: for small configurations of each shape (N×N dominated,
// T·B·N dominated, float64, the graph engine) the estimate of every phase is compared with
// what the phase really used, measured with runtime.MemStats: the resident estimate with the
// live heap retained by train.New, each transient phase with the bytes it allocates. The
// estimate must lie within a factor 1.3 of the measurement (the resident part also holds
// Gorgonia's graph and a few small slices; the transient ones a few per-step headers), and
// the test relaxation, which also allocates O(N·B) garbage per Euler step that is collected
// as it goes, within a factor 3 below it; both up to an absolute slack of 512 KiB for the
// fixed costs that do not grow with any key (Gorgonia's machine, file buffers, headers).
func TestEstimateMatchesAllocation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and measures four trainers (about 10 s)")
	}
	type shape struct {
		n, steps, batch int
		dtype           train.DType
		engine          string
		density         float64 // 0: none
	}
	const slack = 512 << 10
	for _, s := range []shape{
		{400, 20, 5, train.Float32, "fused", 0},
		{100, 400, 20, train.Float32, "fused", 0},
		{300, 50, 10, train.Float64, "fused", 0},
		{60, 20, 4, train.Float32, "graph", 0},
		{60, 40, 4, train.Float32, "graph", 0},
		{400, 20, 5, train.Float32, "fused", 0.3}, // the mask's indices: 0.7·N² ints
	} {
		t.Run(fmt.Sprintf("N%d_T%d_B%d_%s_%s_d%g", s.n, s.steps, s.batch, s.dtype, s.engine, s.density), func(t *testing.T) {
			c := config.Default()
			c.Network.N, c.Sim.Steps, c.Train.Batch, c.DType, c.Train.Engine = s.n, s.steps, s.batch, s.dtype, s.engine
			if s.density > 0 {
				c.Network.Density = s.density
			}
			c.Train.Epochs = 0
			c = c.Resolved()
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			est := config.TrainEstimate(c)
			got := measure(t, c)
			for phase, m := range got {
				e := est.Phase(phase)
				lo, hi := m/1.3-slack, m*1.3+slack
				if phase == config.PhaseTest {
					lo = m/3 - slack
				}
				t.Logf("%-10s estimate %10.0f  measured %10.0f  ratio %.3f", phase, e, m, e/m)
				if e < lo || e > hi {
					t.Errorf("%s: estimate %s, measured %s (ratio %.2f), want within [%.2f, %.2f]",
						phase, config.FormatBytes(e), config.FormatBytes(m), e/m, lo/m, hi/m)
				}
			}
		})
	}
}

// TestAnalyzeEstimateMatchesAllocation: balnet analyze's resident estimate (one decoded
// checkpoint, the test batch and noise redrawn) against the live heap that LoadState and
// train.TestData retain, and its load phase against what reading the file allocates beyond
// that, within the factor 1.3 and 512 KiB of TestEstimateMatchesAllocation.
func TestAnalyzeEstimateMatchesAllocation(t *testing.T) {
	c := config.Default()
	c.Network.N, c.Sim.Steps, c.Train.Batch, c.Train.Epochs = 300, 50, 10, 0
	c = c.Resolved()
	tr, err := train.New(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	path, err := checkpoints.SaveState(t.TempDir(), c.YAML(), tr.Snapshot(), 1)
	if err != nil {
		t.Fatal(err)
	}
	tr = nil
	base, a0 := liveHeap(), allocated()
	_, state, err := checkpoints.LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	batch, noise, err := train.TestData(c.Config, state.A)
	if err != nil {
		t.Fatal(err)
	}
	a1 := allocated()
	resident := liveHeap() - base
	load := a1 - a0 - resident
	runtime.KeepAlive(state)
	runtime.KeepAlive(batch)
	runtime.KeepAlive(noise)
	est := config.AnalyzeEstimate(c)
	const slack = 512 << 10
	for _, p := range []struct {
		phase string
		m     float64
	}{{config.PhaseResident, resident}, {config.PhaseLoad, load}} {
		e := est.Phase(p.phase)
		t.Logf("%-8s estimate %10.0f  measured %10.0f  ratio %.3f", p.phase, e, p.m, e/p.m)
		if e < p.m/1.3-slack || e > p.m*1.3+slack {
			t.Errorf("%s: estimate %s, measured %s (ratio %.2f), want within a factor 1.3", p.phase, config.FormatBytes(e), config.FormatBytes(p.m), e/p.m)
		}
	}
}
