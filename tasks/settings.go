package tasks

// Settings configures the task (configuration section "task").
type Settings struct {
	// Kind is "ou" (track S OU signals) or "linear" (compute y = A·I).
	Kind Kind `yaml:"kind"`
	// Signals is the number S of independent OU input channels.
	Signals int `yaml:"signals"`
	// Outputs is the number R of readouts. For kind ou it must equal Signals; 0 means
	// "the same as Signals".
	Outputs int `yaml:"outputs"`
	// TauS is the OU correlation time τ_S in units of τ. 0 gives white samples I₁ε.
	TauS float64 `yaml:"tau_s"`
	// I0 is the constant offset of every signal.
	I0 float64 `yaml:"i0"`
	// I1 is the OU amplitude in the reference (Julia) convention
	// τ_S dI = −(I − I₀)dt + I₁ dW, so Var(I) = I₁²/(2τ_S).
	I1 float64 `yaml:"i1"`
	// Stationary draws the first sample from the stationary distribution instead of
	// starting at I₀ as the reference code does.
	Stationary bool `yaml:"stationary"`
	// Target is what the targets are built from: "full" (I = I₀ + δI, the reference code)
	// or "fluctuation" (δI = I − I₀); "" means full (docs/science.md §1.5 item 1, §2.2).
	Target Target `yaml:"target"`
}

// DefaultSettings returns the reference setting of docs/science.md §1.6: one OU signal tracked
// by one readout (Outputs 0 = as many as signals),
// τ_S = 0.1, I₀ = 1, I₁ = 0.1.
func DefaultSettings() Settings {
	return Settings{Kind: KindOU, Signals: 1, Outputs: 0, TauS: 0.1, I0: 1, I1: 0.1, Target: TargetFull}
}

// Kind names a task: the type of task.kind.
type Kind string

// The tasks (docs/science.md §2.2).
const (
	KindOU     Kind = "ou"     // track S OU signals
	KindLinear Kind = "linear" // compute y = A·I
)

// Kinds lists the accepted task kinds.
var Kinds = []Kind{KindOU, KindLinear}
