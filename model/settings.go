package model

// Gaussian describes a Gaussian weight distribution N(Mean, Std²).
type Gaussian struct {
	Mean float64 `yaml:"mean"`
	Std  float64 `yaml:"std"`
}

// EIBlocks are the block means of the E–I initialization (docs/science.md §1.5 item 11): the
// first N/2 units are excitatory, the rest inhibitory, and J_xy is the coupling from
// population y onto population x.
type EIBlocks struct {
	EE float64 `yaml:"ee"`
	EI float64 `yaml:"ei"`
	IE float64 `yaml:"ie"`
	II float64 `yaml:"ii"`
	// Scale is "half" for block means J_xy/(N/2) (the reference code) or "full" for
	// J_xy/N (the final appendix).
	Scale BlockScale `yaml:"scale"`
}

// Init names an initialization of J: the type of network.init.
type Init string

// The initializations (docs/science.md §1.2, §2.3). A new one (e.g. a low-rank structure)
// adds a constant here, its entry in Inits, and its case in NewParams and MeanCoupling.
const (
	InitGaussian Init = "gaussian" // mean −b·J₀/N, std g/√N
	InitEI       Init = "ei"       // E–I block means (EIBlocks)
	InitLowRank  Init = "lowrank"  // constructed L·S·Rᵀ (LowRankSettings, docs/science.md §6)
)

// Inits lists the accepted initializations.
var Inits = []Init{InitGaussian, InitEI, InitLowRank}

// BlockScale is the divisor of the E–I block means: the type of network.ei.scale.
type BlockScale string

// The block scales (docs/science.md §1.5 item 11).
const (
	ScaleHalf BlockScale = "half" // J_xy/(N/2), the reference code
	ScaleFull BlockScale = "full" // J_xy/N, the final appendix
)

// BlockScales lists the accepted block scales.
var BlockScales = []BlockScale{ScaleHalf, ScaleFull}

// Settings configures the network (configuration section "network").
type Settings struct {
	// N is the number of units.
	N int `yaml:"n"`
	// Nonlinearity is φ: relu, sigmoid, tanh, linear or threshquad.
	Nonlinearity Nonlinearity `yaml:"nonlinearity"`
	// Tau is the single-unit time constant τ.
	Tau float64 `yaml:"tau"`
	// G is the std·√N of the random part J̃ of the couplings.
	G float64 `yaml:"g"`
	// B is the balance parameter b: it scales the mean coupling −b·J₀/N and the input.
	B float64 `yaml:"b"`
	// J0 is the mean-coupling strength J₀.
	J0 float64 `yaml:"j0"`
	// Init is "gaussian" (mean −b·J₀/N, std g/√N), "ei" (E–I blocks) or "lowrank" (the
	// constructed structure of LowRank, NewLowRank).
	Init Init `yaml:"init"`
	// ZeroDiagonal sets J_ii = 0 at initialization, and the trainer masks the diagonal of
	// the gradient of J, so J_ii stays 0 through training (docs/science.md §1.2: equivalent
	// to the reference code's reset before every forward pass). The engines and the
	// simulator use J as given: a J with a nonzero diagonal, set by hand, is simulated so.
	ZeroDiagonal bool `yaml:"zero_diagonal"`
	// Density is the fraction of entries of J that exist: a fixed random connectivity mask
	// drawn from the seed holds the others at exactly 0 at initialization and through
	// training, like the diagonal (Constraints; docs/science.md §1.2). 1, the default, and 0
	// mean no mask.
	Density float64 `yaml:"density"`
	// Dale keeps the sign of every column of J through training (Dale's law): excitatory
	// columns (the first ⌊N/2⌋ units of Init "ei") ≥ 0, inhibitory columns ≤ 0, by
	// projection after every Adam step (Constraints). Only with Init "ei".
	Dale bool `yaml:"dale"`
	// Win is the distribution of the input weights W_in (N×S).
	Win Gaussian `yaml:"win"`
	// Wout is the distribution of the readout weights W_out (R×N).
	Wout Gaussian `yaml:"wout"`
	// EI holds the block means used when Init is "ei" (and by LowRank structure "ei").
	EI EIBlocks `yaml:"ei"`
	// LowRank configures Init "lowrank" (docs/science.md §6): J = g·Z/√N + L·S·Rᵀ.
	LowRank LowRankSettings `yaml:"lowrank"`
}

// SimSettings configures the Euler–Maruyama unroll (configuration section "sim").
type SimSettings struct {
	// DT is the Euler step Δt in units of τ.
	DT float64 `yaml:"dt"`
	// Steps is the number T of Euler steps per trial.
	Steps int `yaml:"steps"`
	// Sigma is the noise amplitude σ: ⟨ξ_i(t)ξ_j(t')⟩ = δ_ij τσ²δ(t−t').
	Sigma float64 `yaml:"sigma"`
	// BurnIn is the first state index that counts in the loss: states h_ti with
	// max(BurnIn, 1) ≤ ti ≤ T contribute (docs/science.md §1.5 item 4).
	BurnIn int `yaml:"burn_in"`
	// Relax is the duration, in units of τ, of the noise-free relaxation that produces the
	// initial state (round(Relax/DT) steps).
	Relax float64 `yaml:"relax"`
	// InitState is how the initial state of every trial is made (InitState): "relax" (the
	// default, also for ""), "zero" or "fixed_point". Only "relax" uses Relax.
	InitState InitState `yaml:"init_state"`
}

// DefaultSettings returns the reference network of docs/science.md §1.6.
func DefaultSettings() Settings {
	return Settings{
		N: 100, Nonlinearity: ReLU, Tau: 1, G: 0.032, B: 1, J0: 1, Init: InitGaussian,
		ZeroDiagonal: true,
		Density:      1,
		Win:          Gaussian{Mean: 1, Std: 0.01},
		Wout:         Gaussian{Mean: 1, Std: 0.2},
		EI:           EIBlocks{EE: 1, EI: -2, IE: 1, II: -1.8, Scale: ScaleHalf},
		LowRank:      DefaultLowRankSettings(),
	}
}

// DefaultSimSettings returns the reference unroll of docs/science.md §1.6: Δt = 0.2, T = 50,
// σ = 1, burn-in 10, relaxation 100τ.
func DefaultSimSettings() SimSettings {
	return SimSettings{DT: 0.2, Steps: 50, Sigma: 1, BurnIn: 10, Relax: 100, InitState: InitRelax}
}
