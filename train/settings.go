package train

// Settings configures the training loop and Adam (configuration section "train").
type Settings struct {
	// Epochs is the total number of epochs; one epoch is one Adam step on a fresh batch.
	Epochs int `yaml:"epochs"`
	// Batch is the number B of trials per gradient step (and in the test batch).
	Batch int `yaml:"batch"`
	// LR, Beta1, Beta2 and Eps are Adam's step size η, moment decays β₁, β₂ and ε.
	LR    float64 `yaml:"lr"`
	Beta1 float64 `yaml:"beta1"`
	Beta2 float64 `yaml:"beta2"`
	Eps   float64 `yaml:"eps"`
	// ActivityReg is λ_act, the weight of Σh² in the loss (docs/science.md §1.5 item 5).
	ActivityReg float64 `yaml:"activity_reg"`
	// TestEvery is the interval, in epochs, of test evaluations and metrics rows.
	TestEvery int `yaml:"test_every"`
	// CheckpointEvery is the interval, in epochs, of checkpoints.
	CheckpointEvery int `yaml:"checkpoint_every"`
	// Keep is the number of newest checkpoints retained.
	Keep int `yaml:"keep"`
	// Engine is "graph" (the unrolled Gorgonia graph) or "fused" (one recurrent op).
	Engine string `yaml:"engine"`
	// Threads is the number of cores the fused engine's large products may use (1, the
	// default, and 0 mean one: sweeps run one training per core). Only products of a big
	// network (N ≥ 500) are split; the results are the same bits for every value. On the
	// openblas kernel path (an OpenBLAS build on a CPU without AVX2+FMA) it has no effect:
	// OpenBLAS rounds differently for different widths of C, so a split would change the bits.
	Threads int `yaml:"threads"`
	// ClipNorm is the bound of global gradient-norm clipping before Adam (0: off): when
	// ‖g‖ = (Σ over all parameters of Σ g²)^½ exceeds it, every gradient is multiplied by
	// ClipNorm/(‖g‖ + 10⁻⁶), as PyTorch's clip_grad_norm_ (see clip).
	ClipNorm float64 `yaml:"clip_norm"`
	// OnDiverge is what a divergence (DivergedError) does: "stop" (the default) ends the
	// run with the error; "rollback" restores the last checkpointed state, multiplies the
	// learning rate by Backoff and continues, at most MaxRollbacks times (see guard.go).
	OnDiverge OnDiverge `yaml:"on_diverge"`
	// Backoff in (0, 1) multiplies the learning rate at every rollback (0 means 0.5).
	Backoff float64 `yaml:"backoff"`
	// MaxRollbacks is the number of rollbacks after which a divergence stops the run.
	MaxRollbacks int `yaml:"max_rollbacks"`
}

// DefaultSettings returns the reference training of docs/science.md §1.6.
func DefaultSettings() Settings {
	return Settings{
		Epochs: 100000, Batch: 10, LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8,
		ActivityReg: 1e-4, TestEvery: 1000, CheckpointEvery: 1000, Keep: 5, Engine: "fused",
		Threads: 1, OnDiverge: DivergeStop, Backoff: 0.5, MaxRollbacks: 3,
	}
}
