package config

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/balnet/balnet/analysis"
	"github.com/balnet/balnet/model/engine"
	"github.com/balnet/balnet/train"
)

// The phases of an Estimate. Resident memory is held for the whole command; each other
// phase is transient, needed on top of it while that phase runs, one phase at a time.
const (
	PhaseResident   = "resident"
	PhaseSetup      = "setup"      // building the network (train.New)
	PhaseEpoch      = "epoch"      // one gradient step (the graph engine's values)
	PhaseTest       = "test"       // relaxing the initial state for a test
	PhaseCheckpoint = "checkpoint" // the snapshot and its encoding
	PhaseAnalysis   = "analysis"   // one analysis record
	PhaseLoad       = "load"       // reading a checkpoint (resume, commands on RUN_DIR)
)

// RuntimeOverhead is the memory of the process itself besides the numbers: the Go runtime,
// the program's code and Gorgonia's tables, measured as the resident set of `balnet config`
// (about 20 MiB) with a margin.
const RuntimeOverhead = 32 << 20

// Item is one buffer (or group of buffers) of an Estimate.
type Item struct {
	Phase string   // PhaseResident or the transient phase that needs it
	What  string   // what it holds, with its shape
	Bytes float64  // its size (a float64, so that absurd sizes do not overflow)
	Keys  []string // the configuration keys its size grows with
}

// Estimate is the memory a command needs, computed from its configuration before anything
// is allocated: the resident buffers, plus the largest transient phase, plus
// RuntimeOverhead (Total). It is an estimate of the live heap: balnet sets the Go runtime's
// soft memory limit to the budget it checked the estimate against, so that the garbage of
// one phase is collected before the heap outgrows it.
type Estimate struct {
	Command string
	Items   []Item
	Values  map[string]string // the value of every key of the items, for messages
	config  Config
}

func (e *Estimate) add(phase, what string, bytes float64, keys ...string) {
	if bytes > 0 {
		if e.Values == nil {
			e.Values = map[string]string{}
		}
		for _, k := range keys {
			if _, ok := e.Values[k]; !ok {
				e.Values[k] = e.config.value(k)
			}
		}
		e.Items = append(e.Items, Item{Phase: phase, What: what, Bytes: bytes, Keys: keys})
	}
}

// Phase returns the bytes of one phase.
func (e Estimate) Phase(phase string) float64 {
	var b float64
	for _, it := range e.Items {
		if it.Phase == phase {
			b += it.Bytes
		}
	}
	return b
}

// Peak returns the largest transient phase and its bytes ("" and 0 if there is none).
func (e Estimate) Peak() (phase string, bytes float64) {
	for _, it := range e.Items {
		if it.Phase == PhaseResident {
			continue
		}
		if b := e.Phase(it.Phase); b > bytes {
			phase, bytes = it.Phase, b
		}
	}
	return phase, bytes
}

// Total is RuntimeOverhead + resident + the largest transient phase.
func (e Estimate) Total() float64 {
	_, peak := e.Peak()
	return RuntimeOverhead + e.Phase(PhaseResident) + peak
}

// Drivers returns the configuration keys that drive the estimate: those of the items that
// make up the largest part of it (resident and peak phase, largest first, until 90% of the
// non-overhead total is covered), in the order of their first appearance.
func (e Estimate) Drivers() []string {
	peak, _ := e.Peak()
	var counted []Item
	var sum float64
	for _, it := range e.Items {
		if it.Phase == PhaseResident || it.Phase == peak {
			counted = append(counted, it)
			sum += it.Bytes
		}
	}
	slices.SortStableFunc(counted, func(a, b Item) int { return cmp.Compare(b.Bytes, a.Bytes) })
	var keys []string
	var covered float64
	for _, it := range counted {
		for _, k := range it.Keys {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
		if covered += it.Bytes; covered >= 0.9*sum {
			break
		}
	}
	return keys
}

// Write prints the estimate broken down: every item with its phase, size and keys, the
// phase sums, and the total.
func (e Estimate) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "memory estimate of balnet %s (live heap; transient phases do not overlap)\n", e.Command)
	fmt.Fprintf(tw, "phase\tsize\tbuffer\tgrows with\n")
	for _, it := range e.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.Phase, FormatBytes(it.Bytes), it.What, strings.Join(it.Keys, ", "))
	}
	fmt.Fprintf(tw, "runtime\t%s\tGo runtime, code and libraries\t\n", FormatBytes(RuntimeOverhead))
	if err := tw.Flush(); err != nil {
		return err
	}
	var phases []string
	for _, it := range e.Items {
		if !slices.Contains(phases, it.Phase) {
			phases = append(phases, it.Phase)
		}
	}
	var parts []string
	for _, p := range phases {
		parts = append(parts, p+" "+FormatBytes(e.Phase(p)))
	}
	peak, _ := e.Peak()
	_, err := fmt.Fprintf(w, "phases: %s\ntotal: %s (runtime + resident + largest transient phase %q)\n",
		strings.Join(parts, ", "), FormatBytes(e.Total()), peak)
	return err
}

// TooLargeError is the refusal of a command whose Estimate exceeds the memory it may use.
type TooLargeError struct {
	Estimate Estimate
	Limit    float64 // bytes
	Source   string  // where Limit comes from: "--max-memory" or the machine's available memory
}

func (e *TooLargeError) Error() string {
	var keys []string
	for _, k := range e.Estimate.Drivers() {
		keys = append(keys, k+" = "+e.Estimate.Values[k])
	}
	return fmt.Sprintf("the run needs an estimated %s of memory, more than the %s of %s; it is driven by %s: make them smaller (balnet config --estimate shows the breakdown)",
		FormatBytes(e.Estimate.Total()), FormatBytes(e.Limit), e.Source, strings.Join(keys, ", "))
}

// Check returns a *TooLargeError if the estimate exceeds limit bytes (from source).
func (e Estimate) Check(limit float64, source string) error {
	if e.Total() > limit {
		return &TooLargeError{Estimate: e, Limit: limit, Source: source}
	}
	return nil
}

// FormatBytes writes a size with a binary unit, e.g. "1.5 GiB".
func FormatBytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", b)
	}
	if b >= 1024 { // beyond EiB
		return fmt.Sprintf("%.3g %s", b, units[i])
	}
	return fmt.Sprintf("%.1f %s", b, units[i])
}

// ParseSize reads a memory size: a positive number of bytes with an optional unit, binary
// (KiB, MiB, GiB, TiB) or decimal (k/KB, M/MB, G/GB, T/TB), case-insensitive, e.g. 2GiB,
// 512MiB, 1.5G, 4000000000. The result is at least 1 byte and finite.
func ParseSize(s string) (float64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	units := []struct {
		suffix string
		mult   float64
	}{ // longest suffixes first, so that "kib" is not read as "b"
		{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
		{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
		{"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"t", 1e12}, {"b", 1},
	}
	num, mult := t, 1.0
	for _, u := range units {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			num, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v*mult < 1 || math.IsInf(v*mult, 0) {
		return 0, fmt.Errorf("want a size such as 2GiB, 512MiB, 1.5G or a number of bytes")
	}
	return v * mult, nil
}

// elemBytes is the size of one element of the training dtype.
func elemBytes(d train.DType) float64 {
	if d == train.Float64 {
		return 8
	}
	return 4
}

// Keys that size the buffers.
const (
	kN, kT, kB, kS, kR = "network.n", "sim.steps", "train.batch", "task.signals", "task.outputs"
	kDType             = "dtype"
)

// TrainEstimate is the memory of balnet train and balnet resume with configuration c
// (validated, resolved): what train.New allocates (resident), what one epoch, one relaxed
// test, one checkpoint and one analysis need on top. Sizes with N units, S signals, R
// readouts, T steps, B trials, F = max(burn_in, 1) the first counted state and w the bytes
// of the dtype; P = N² + N·S + R·N is the number of trained parameters.
//
// The resident part follows the allocations one by one (model.NewParams, tasks.NewBatch,
// the fused engine's fusedWork and batch nodes, Adam); the transient phases are what they
// allocate (an upper bound of the extra live memory they need): a test copies the
// parameters to float64, a checkpoint snapshots parameters, J_init and Adam's moments in
// float64 and encodes them once more, an analysis copies the parameters, simulates the
// test batch with the float64 simulator (the whole trajectory) and solves two N×N eigen
// problems and two SVDs, about 18 N×N float64 matrices in turn (11 from N =
// analysis.LanczosMinN on, where the alignment's top singular triplets come from a Lanczos
// bidiagonalization instead of the thin SVD); TestEstimateMatchesAllocation measures each
// phase against these numbers.
func TrainEstimate(c Config) Estimate {
	e := Estimate{Command: "train", config: c}
	N, S, R := float64(c.Network.N), float64(c.Task.Signals), float64(c.Outputs())
	T, B := float64(c.Sim.Steps), float64(c.Train.Batch)
	F := float64(max(c.Sim.BurnIn, 1))
	counted := (T - F + 1) * B
	w := elemBytes(c.DType)
	P := N*N + N*S + R*N
	dt := string(c.DType)

	e.add(PhaseResident, "J_init, W_in, W_out, bias (float64, N×N + N×S + R×N + N)", 8*(P+N), kN)
	if c.Train.Engine == "graph" {
		e.add(PhaseResident, "training and test batches: input, target, noise (float64, 2·T·B·(S+R+N))", 8*2*T*B*(S+R+N), kT, kB, kN)
	} else { // the fused engine takes the training noise in its own node (engine.NoiseWriter)
		e.add(PhaseResident, "training and test batches: input, target, test noise (float64, T·B·(2·(S+R) + N))", 8*T*B*(2*(S+R)+N), kT, kB, kN)
	}
	e.add(PhaseResident, "relaxed initial state h0 (float64, N×B)", 8*N*B, kN, kB)
	e.add(PhaseResident, "Adam moments m, v ("+dt+", 2·P)", w*2*P, kN, kDType)
	if c.Train.Engine == "graph" {
		e.add(PhaseResident, "graph parameters, their gradients and bias ("+dt+", 2·P + N·B)", w*(2*P+N*B), kN, kDType)
		e.add(PhaseResident, "graph input nodes: h0, per-step input, noise, target ("+dt+", B·N + T·B·(S+N+R))", w*(B*N+T*B*(S+N+R)), kT, kB, kN)
		// The graph engine's nodes, and the values and gradients every Run allocates, measured
		// (TestEstimateMatchesAllocation, float32, T = 20 and 40): per step about 60 KiB of
		// nodes and tape program, 150 KiB while it is built and differentiated, and per Run one
		// N×N gradient of J·φ(h), about 17 N×B values and 21 KiB of bookkeeping.
		e.add(PhaseResident, "graph nodes and tape program (T·60 KiB)", T*(60<<10), kT)
		e.add(PhaseSetup, "building and differentiating the graph (T·150 KiB)", T*(150<<10), kT)
		run := T * (w*(N*N+17*N*B) + (21 << 10))
		e.add(PhaseEpoch, "graph values and gradients of one Run ("+dt+", T·(N² + 17·N·B) + T·21 KiB)", run, kT, kN, kB)
		e.add(PhaseTest, "graph values of the test Run ("+dt+", as one epoch)", run, kT, kN, kB)
	} else {
		if nr := float64(engine.PanelWidth(c.DType == train.Float32)); nr > 0 { // a SIMD path: packed J and φ(h)
			np := math.Ceil(N/nr) * nr
			e.add(PhaseResident, "fused parameters J, W_in, W_out and their gradients, W_inᵀ, J packed ("+dt+", 2·P + 2·N·S + N + ⌈N/w⌉·w·N)", w*(2*P+np*N+2*N*S+N), kN, kDType)
			e.add(PhaseResident, "φ(h) packed for ∂l/∂J ("+dt+", ⌈N/w⌉·w·T·B)", w*np*T*B, kT, kB, kN)
		} else {
			e.add(PhaseResident, "fused parameters J, W_in, W_out and their gradients, Jᵀ, W_inᵀ ("+dt+", 2·P + N² + 2·N·S + N)", w*(2*P+N*N+2*N*S+N), kN, kDType)
		}
		e.add(PhaseResident, "fused unroll h, φ(h) over (T+1)·B·N and δ over T·B·N ("+dt+")", w*(3*T+2)*B*N, kT, kB, kN)
		e.add(PhaseResident, "fused batch nodes h0, input, noise, target ("+dt+", B·N + T·B·(S+N+R))", w*(B*N+T*B*(S+N+R)), kT, kB, kN)
		e.add(PhaseResident, "readout errors ("+dt+", (T−F+1)·B·R)", w*counted*R, kT, kB)
		if engine.KernelName() == "gonum" { // fusedWork.native: transposed copies
			e.add(PhaseResident, "transposed unroll copies for gonum's BLAS ("+dt+", (2T+1)·B·N + T·B·S + (T−F+1)·B·R)", w*((2*T+1)*B*N+T*B*S+counted*R), kT, kB, kN)
		}
	}
	if c.Train.OnDiverge == train.DivergeRollback {
		e.add(PhaseResident, "rollback targets: the states of the last two checkpointed epochs (float64, 2·(4·P + N·B))", 2*8*(4*P+N*B), kN, "train.on_diverge")
	}
	if d := c.Network.Density; (d > 0 && d < 1) || c.Network.Dale || c.Network.ZeroDiagonal {
		masked := 0.0 // the fraction of entries of J outside the connectivity mask
		if d > 0 && d < 1 {
			masked = 1 - d
		}
		e.add(PhaseResident, "constraints of J: the masked entries' indices (int, N²·(1 − density) + N)", 8*(N*N*masked+N), kN, "network.density")
	}
	e.add(PhaseSetup, "E[J_init] while J_init is drawn (float64, N×N)", 8*N*N, kN)
	e.add(PhaseTest, "parameter copy for the relaxation (float64, P + N)", 8*(P+N), kN)
	e.add(PhaseCheckpoint, "snapshot: parameters, J_init, Adam m and v (float64, 4·P) and h0", 8*(4*P+N*B), kN)
	e.add(PhaseCheckpoint, "encoded checkpoint sections (2·P float64) and write buffers (1 MiB)", 8*2*P+1<<20, kN)
	if c.Analysis.Every > 0 {
		e.addAnalysis(c)
	}
	return e
}

// addAnalysis adds the analysis phase of configuration c (see TrainEstimate).
func (e *Estimate) addAnalysis(c Config) {
	N, S, R := float64(c.Network.N), float64(c.Task.Signals), float64(c.Outputs())
	T, B := float64(c.Sim.Steps), float64(c.Train.Batch)
	P := N*N + N*S + R*N
	e.add(PhaseAnalysis, "parameter copies (float64, 2·P)", 8*2*P, kN)
	e.add(PhaseAnalysis, "test trajectory of the float64 simulator ((T+1)·B·(N+R))", 8*(T+1)*B*(N+R), kT, kB, kN)
	if c.Network.N >= analysis.LanczosMinN { // the alignment's Lanczos triplets: no thin SVD
		e.add(PhaseAnalysis, "eigenvalues of J and J·diag(φ′), singular values and Lanczos triplets of Jˢ: ≈ 11 N×N float64 in turn", 8*11*N*N, kN)
	} else {
		e.add(PhaseAnalysis, "eigenvalues of J and J·diag(φ′), SVDs of Jˢ: ≈ 18 N×N float64 in turn", 8*18*N*N, kN)
	}
	if c.Analysis.InfoEvery > 0 {
		rec := float64((analysis.InfoSegments + 1) * analysis.InfoNPerSeg / 2)
		e.add(PhaseAnalysis, "information rate: network copy and records (float64, N² + records·(2S+R+4))", 8*(N*N+rec*(2*S+R+4)), kN)
	}
}

// AnalyzeEstimate is the memory of balnet analyze on a run with configuration c: one
// decoded checkpoint (float64 parameters, J_init, Adam's m and v, h0), the test batch and
// its noise redrawn from the seed (float64), and one analysis (TrainEstimate's phase) at a
// time; reading a checkpoint file also holds its bytes.
func AnalyzeEstimate(c Config) Estimate {
	e := Estimate{Command: "analyze", config: c}
	N, S, R := float64(c.Network.N), float64(c.Task.Signals), float64(c.Outputs())
	T, B := float64(c.Sim.Steps), float64(c.Train.Batch)
	P := N*N + N*S + R*N
	e.add(PhaseResident, "decoded checkpoint: parameters, J_init, Adam m and v (float64, 4·P + N·B)", 8*(4*P+N*B), kN)
	e.add(PhaseResident, "test batch and noise (float64, T·B·(S+R+N)) and J_init drawn again (P + N)", 8*(T*B*(S+R+N)+P+N), kT, kB, kN)
	e.add(PhaseLoad, "checkpoint file bytes and decoding buffers (≈ 6·P float64, measured)", 8*6*P, kN)
	e.addAnalysis(c)
	return e
}

// WithCheckpoint adds to e what reading a checkpoint of a run with configuration c needs
// while it is decoded: the file's bytes and the decoded state (parameters, J_init, Adam's
// m and v in float64, and h0: 4·P, and about 6·P for the file's bytes and the decoding, as
// TestAnalyzeEstimateMatchesAllocation measures), for resume and the commands that measure
// a RUN_DIR.
func (e Estimate) WithCheckpoint(c Config) Estimate {
	N, S, R, B := float64(c.Network.N), float64(c.Task.Signals), float64(c.Outputs()), float64(c.Train.Batch)
	P := N*N + N*S + R*N
	e.Items = append(slices.Clone(e.Items), Item{Phase: PhaseLoad,
		What:  "checkpoint file, decoding buffers and decoded state (float64, ≈ 10·P + N·B)",
		Bytes: 8 * (10*P + N*B), Keys: []string{kN}})
	return e
}

// InfoEstimate is the memory of balnet info with configuration c: the network (float64
// parameters and the simulator's copy of J in info.dtype) and the recording of
// info.duration/(info.dt·info.stride) records per realization (input, rate, mean, active
// fraction and readout series, float64), with the Welch spectra of one channel.
func InfoEstimate(c Config) Estimate {
	e := Estimate{Command: "info", config: c}
	N, S, R := float64(c.Network.N), float64(c.Task.Signals), float64(c.Outputs())
	_, _, records := c.InfoSteps()
	K := float64(c.Info.Realizations)
	w := 8.0
	if c.Info.DType == "float32" {
		w = 4
	}
	e.add(PhaseResident, "network J, W_in, W_out (float64) and the simulator's J (info.dtype)", (8+w)*N*N+8*(N*S+R*N), kN, "info.dtype")
	e.add(PhaseResident, "recorded series: time, input, rate, mean, active, readout (float64, records·(1 + K·(S+R+3)))",
		8*float64(records)*(1+K*(S+R+3)), "info.duration", "info.dt", "info.stride", "info.realizations")
	e.add(PhaseResident, "simulator state h, φ(h), J·φ(h) (K·N)", 3*w*K*N, kN, "info.realizations")
	e.add(PhaseAnalysis, "Welch spectra and segments of one channel (float64, ≈ 8·records·K)", 8*8*float64(records)*K, "info.duration", "info.dt", "info.stride")
	return e
}

// DMFTEstimate is the memory of balnet dmft with configuration c and --compare K: the
// theory's series over the grid (dmft.relax + dmft.duration)/dmft.dt and its band, and,
// with K > 0, one simulated network at a time (J in float64, twice: parameters and
// simulator) with its recorded series.
func DMFTEstimate(c Config, compare int) Estimate {
	e := Estimate{Command: "dmft", config: c}
	d := c.DMFT
	steps := math.Round((d.Relax + d.Duration) / d.DT)
	band := float64(d.Band)
	e.add(PhaseResident, "theory series m, ν, c(t,t), input and band c, R, Q (float64, ≈ 8·steps + 4·band)", 8*(8*steps+4*band), "dmft.duration", "dmft.relax", "dmft.dt", "dmft.band")
	if compare > 0 {
		N := float64(c.Network.N)
		e.add(PhaseResident, "simulated series of the comparison (float64, 8·steps)", 8*8*steps, "dmft.duration", "dmft.dt")
		e.add(PhaseAnalysis, "one simulated network: J (float64) and the simulator's copy, state", 8*(2*N*N+4*N), kN)
	}
	return e
}

// FluctuationsEstimate is the memory of balnet fluctuations with configuration c: the
// network (J in float64, the simulator's copy, the low-rank construction's N×2D basis) and
// the recorded projections and probes (float64, records·(3·D + probes + 4)).
func FluctuationsEstimate(c Config) Estimate {
	e := Estimate{Command: "fluctuations", config: c}
	N := float64(c.Network.N)
	D := float64(max(c.Network.LowRank.Rank, 1))
	_, steps := c.FluctuationsSteps()
	records := float64(steps / max(c.Fluctuations.Stride, 1))
	e.add(PhaseResident, "network J (float64), the simulator's copy and the N×2D basis", 8*(2*N*N+2*N*D), kN)
	if c.Fluctuations.Coupling32 {
		e.add(PhaseResident, "float32 copy of Jᵀ for the coupling product (fluctuations.coupling32)", 4*N*N, kN, "fluctuations.coupling32")
	}
	e.add(PhaseResident, "recorded projections, probes and rates (float64, records·(3·D + probes + 4))",
		8*records*(3*D+float64(c.Fluctuations.Probes)+4), "fluctuations.duration", "fluctuations.dt", "fluctuations.stride", "fluctuations.probes")
	e.add(PhaseAnalysis, "spectra and SVD of the structure (≈ 6 N×N float64)", 8*6*N*N, kN)
	return e
}

// value returns the value of the dotted key (as YAML would write a scalar), or "?" for a
// key that is not one of the configuration's scalars.
func (c Config) value(key string) string {
	v := reflect.ValueOf(c)
	for _, name := range strings.Split(key, ".") {
		if v.Kind() != reflect.Struct {
			return "?"
		}
		f, ok := fields(v)[name]
		if !ok {
			return "?"
		}
		v = f
	}
	return fmt.Sprint(v.Interface())
}
