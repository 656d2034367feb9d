package train

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/balnet/balnet/model"
)

// constrained is small(dtype) with the E–I initialization, Dale's law and half of the
// connections masked. g = 0.5 puts many initial entries near zero (block means ±0.1…0.2,
// std 0.11), and lr = 1e-2 moves them across it within a few steps, so the projection has
// work to do.
func constrained(dtype DType) Config {
	c := small(dtype)
	c.Network.Init, c.Network.Dale, c.Network.Density, c.Network.G = model.InitEI, true, 0.5, 0.5
	c.Train.LR, c.Train.Epochs = 1e-2, 20
	return c
}

// maskOf redraws the connectivity mask of cfg independently of the code under test, by the
// documented rule (model.NewConstraints): entry (i, j) exists iff the (i·N+j)-th Float64 of
// stream StreamMask = 6 is below network.density; the diagonal is masked with zero_diagonal.
func maskOf(cfg Config) []bool {
	n := cfg.Network.N
	rng := rand.New(rand.NewPCG(cfg.Seed, 6))
	masked := make([]bool, n*n)
	for k := range masked {
		u := rng.Float64()
		masked[k] = !(u < cfg.Network.Density) || cfg.Network.ZeroDiagonal && k/n == k%n
	}
	return masked
}

// TestConstraintsHoldEveryStep: with network.dale and network.density, after every step of a
// short run (and at epoch 0) every masked entry of J is exactly 0 and every column has its
// sign (E columns ≥ 0, I columns ≤ 0), in both dtypes; J is trained (entries move), and
// entries that were nonzero at initialization were projected to 0 by training, so the
// projection was exercised. The same run without the constraints leaves both, so the check
// can fail.
func TestConstraintsHoldEveryStep(t *testing.T) {
	for _, dtype := range []DType{Float32, Float64} {
		cfg := constrained(dtype)
		n, ne := cfg.Network.N, cfg.Network.N/2
		masked := maskOf(cfg)
		violations := func(J *mat.Dense) (zeros, signs int) {
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					v := J.At(i, j)
					if masked[i*n+j] && v != 0 {
						zeros++
					}
					if j < ne && v < 0 || j >= ne && v > 0 {
						signs++
					}
				}
			}
			return zeros, signs
		}
		steps := 0
		check := func(tr *Trainer, ev Event) error {
			steps++
			if z, s := violations(tr.Params().J); z != 0 || s != 0 {
				t.Fatalf("%s: epoch %d: %d nonzero masked entries and %d wrong signs, want 0 and 0", dtype, ev.Epoch, z, s)
			}
			return nil
		}
		tr := mustRun(t, cfg, check)
		if steps != cfg.Train.Epochs+1 {
			t.Fatalf("%s: hook ran %d times, want %d", dtype, steps, cfg.Train.Epochs+1)
		}
		init, final := tr.InitialParams().J, tr.Params().J
		if z, s := violations(init); z != 0 || s != 0 {
			t.Errorf("%s: initial J: %d nonzero masked entries and %d wrong signs, want 0 and 0", dtype, z, s)
		}
		moved, clipped := 0, 0
		for k, v := range final.RawMatrix().Data {
			v0 := init.RawMatrix().Data[k]
			if v != v0 {
				moved++
			}
			if v == 0 && v0 != 0 {
				clipped++
			}
		}
		if moved < n*n/4 {
			t.Errorf("%s: %d entries of J moved, want at least a quarter of the %d present", dtype, moved, n*n/2)
		}
		if clipped == 0 {
			t.Errorf("%s: no entry was projected to 0 during training: the test does not exercise the projection", dtype)
		}

		free := cfg
		free.Network.Dale, free.Network.Density = false, 1
		if z, s := violations(mustRun(t, free).Params().J); z == 0 || s == 0 {
			t.Errorf("%s: without constraints: %d nonzero masked entries and %d wrong signs, want both > 0", dtype, z, s)
		}
	}
}

// TestConstraintsResume: a constrained run split by Snapshot/Restore equals the straight
// run bit for bit (the mask is redrawn from the seed, not stored), and a checkpoint
// restored under a sparser density or another seed is refused because its J breaks the
// mask.
func TestConstraintsResume(t *testing.T) {
	cfg := constrained(Float32)
	cfg.Train.Epochs = 14
	full := mustRun(t, cfg)
	half := cfg
	half.Train.Epochs = 7
	first := mustRun(t, half)
	second, err := Restore(cfg, first.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(full.Params().J, second.Params().J) || !mat.Equal(full.Params().Wout, second.Params().Wout) {
		t.Error("parameters differ after resume")
	}
	for name, change := range map[string]func(*Config){
		"density": func(c *Config) { c.Network.Density = 0.3 },
		"seed":    func(c *Config) { c.Seed = 9 },
	} {
		other := cfg
		change(&other)
		_, err := Restore(other, first.Snapshot())
		if err == nil || !strings.Contains(err.Error(), "constraints") {
			t.Errorf("restore with another %s: got %v, want an error about the constraints", name, err)
		}
	}
}

// TestConstrainIsNewsInitialJ: Constrain applied to NewParams's J from the init stream is
// exactly the J_init of a trainer of the same configuration.
func TestConstrainIsNewsInitialJ(t *testing.T) {
	cfg := constrained(Float64)
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p, err := model.NewParams(cfg.Network, cfg.Task.Signals, cfg.Outputs(), rand.New(rand.NewPCG(cfg.Seed, uint64(StreamInit))))
	if err != nil {
		t.Fatal(err)
	}
	Constrain(cfg, p.J)
	if !mat.Equal(p.J, tr.InitialParams().J) {
		t.Error("Constrain(NewParams) differs from the trainer's initial J")
	}
}
