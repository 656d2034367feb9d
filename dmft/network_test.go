package dmft

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/sim"
	"github.com/balnet/balnet/tasks"
)

// series is a sim.Sink keeping the input, ν and m of realization 0.
type series struct{ in, nu, m []float64 }

func (s *series) Start(sim.Layout) error { return nil }
func (s *series) Record(f *sim.Frame) error {
	s.in = append(s.in, f.Input[0])
	s.nu = append(s.nu, f.Rate[0])
	s.m = append(s.m, f.Mean[0])
	return nil
}

// simulate runs one network realization (couplings from seed) of size n driven by the
// OU path of pathSeed after a burn-in at constant I₀ = 1, and returns its series.
func simulate(t *testing.T, n int, g, b, sigma, dt float64, burn, steps int, seed, pathSeed uint64) *series {
	t.Helper()
	ns := model.DefaultSettings()
	ns.N, ns.G, ns.B, ns.Win = n, g, b, model.Gaussian{Mean: 1}
	p, err := model.NewParams(ns, 1, 1, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	nw, err := sim.FromParams(p, ns)
	if err != nil {
		t.Fatal(err)
	}
	nw.Wout = nil
	path := make([]float64, burn+steps+1)
	ou := path[burn:]
	tasks.OU{Channels: 1, DT: dt, TauS: 1, I0: 1, I1: 0.1, Stationary: true}.Fill(ou, len(ou), 1, rand.New(rand.NewPCG(pathSeed, 3)))
	for i := 0; i < burn; i++ {
		path[i] = 1
	}
	s := &series{}
	_, err = sim.Run(context.Background(), nw, sim.Path{path}, sim.Settings{DT: dt, Sigma: sigma, BurnIn: burn, Steps: steps},
		rand.New(rand.NewPCG(seed, 2)), s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Theory against simulation: the DMFT ν(t) and m(t) (ζ = 0) against the mean over K
// network realizations of size N = 2000 driven by the same input path, for g = 2 (chaotic)
// and g = 0 at two balances b, with σ = 0.1 and the OU input of the information setting
// (τ_S = 1, I₁ = 0.1). The DMFT is fed the inputs the simulation recorded, so the grids
// agree step by step. The tolerances on the RMS relative difference of ν are measured
// (coupling seeds 1–3, path seed 1; logged): 0.038 (g = 2, b = 4, close to the edge
// b = 1.772 below which no balanced state exists, and slow to relax), 0.0053 (g = 2, b = 8),
// 0.0013 and 0.0005 (g = 0, b = 1 and 8); the bounds 0.05 and 0.01 leave room for the
// O(N^{−1/2}) finite-size spread of a 3-realization mean with other seeds.
func TestNetworkAgreement(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 2000-unit networks (about 30 s)")
	}
	const n, dt, sigma, k = 2000, 0.1, 0.1, 3
	const burn, steps = 300, 200
	for _, c := range []struct {
		g, b, tol float64
	}{{2, 4, 0.05}, {2, 8, 0.05}, {0, 1, 0.01}, {0, 8, 0.01}} {
		var runs []*series
		for r := uint64(1); r <= k; r++ {
			runs = append(runs, simulate(t, n, c.g, c.b, sigma, dt, burn, steps, r, 1))
		}
		p := Problem{Phi: ReLU{}, G: c.g, B: c.b, J0: 1, Sigma: sigma, I0: 1, N: n, ZeroDiagonal: true}
		res, err := Solve(context.Background(), p, Grid{DT: dt, Band: 100, Relax: float64(burn) * dt}, runs[0].in, nil)
		if err != nil {
			t.Fatal(err)
		}
		var num, den, mErr float64
		for i := range res.Nu {
			var nu, m float64
			for _, s := range runs {
				nu += s.nu[i] / k
				m += s.m[i] / k
			}
			num += (nu - res.Nu[i]) * (nu - res.Nu[i])
			den += res.Nu[i] * res.Nu[i]
			mErr = math.Max(mErr, math.Abs(m-res.M[i]))
		}
		rel := math.Sqrt(num / den)
		t.Logf("g = %v, b = %v: ν RMS relative difference %.4f, max |Δm| %.4f, mean ν %.4f", c.g, c.b, rel, mErr, res.Nu[0])
		if rel > c.tol {
			t.Errorf("g = %v, b = %v: ν RMS relative difference %.4f, want ≤ %v", c.g, c.b, rel, c.tol)
		}
	}
}
