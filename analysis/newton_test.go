package analysis

import (
	"math"
	"testing"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/train"
)

// TestNewtonFixedPoint: the Newton linearization uses a zero of the noise-free drift
// (residual at rounding level, far below the relaxed FixedPoint's), and for the stable
// default network it agrees with the relaxed fixed point: 100τ of relaxation converge to
// the same h* (every mode decays like e^{−t(1 − Re λ)}, Re λ ≲ g), so the linearized
// outliers agree to 1e-9. An unstable linear network (Fig. 10: linear φ, g = √2), whose
// relaxation diverges, still has its fixed point, with Re λ > 1 there.
func TestNewtonFixedPoint(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Train.Epochs = 0
	tr := newTrainer(t, cfg)
	run(t, tr)
	relaxed, err := AnalyzeWith(inputOf(tr), DefaultSettings(), Options{Linearization: FixedPoint})
	if err != nil {
		t.Fatal(err)
	}
	newton, err := AnalyzeWith(inputOf(tr), DefaultSettings(), Options{Linearization: NewtonFixedPoint})
	if err != nil {
		t.Fatal(err)
	}
	// FixedPoint's tolerance 1e-10·(1 + max|d|), d ≈ 1.
	if newton.Residual > 2.1e-10 {
		t.Errorf("Newton residual: got %v, want ≤ 2.1e-10", newton.Residual)
	}
	if d := math.Abs(real(newton.LinOutliers[0]) - real(relaxed.LinOutliers[0])); d > 1e-9 {
		t.Errorf("first linearized outlier: Newton %v, relaxed %v", newton.LinOutliers[0], relaxed.LinOutliers[0])
	}

	cfg.Network.Nonlinearity, cfg.Network.G = model.Linear, math.Sqrt2
	cfg.Sim.InitState = model.InitZero // the relaxation diverges (train.UnstableStartError)
	tr = newTrainer(t, cfg)
	run(t, tr)
	unstable, err := AnalyzeWith(inputOf(tr), DefaultSettings(), Options{Linearization: NewtonFixedPoint})
	if err != nil {
		t.Fatal(err)
	}
	lead := math.Inf(-1)
	for _, v := range unstable.LinEig {
		lead = math.Max(lead, real(v))
	}
	if unstable.Residual > 2.1e-10 || lead <= 1 {
		t.Errorf("Fig. 10 network: got residual %v and leading Re λ %v, want ≈ 0 and > 1", unstable.Residual, lead)
	}
}
