package config

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/balnet/balnet/model"
	"github.com/balnet/balnet/model/engine"
	"github.com/balnet/balnet/tasks"
	"github.com/balnet/balnet/train"
)

// Validate checks every value and returns the first invalid one as an *Error.
func (c Config) Validate() error {
	n := c.Network
	checks := []error{
		oneOf("dtype", c.DType, train.DTypes),

		intAtLeast("network.n", n.N, 1),
		oneOf("network.nonlinearity", n.Nonlinearity, model.Nonlinearities),
		positive("network.tau", n.Tau),
		nonNegative("network.g", n.G),
		positive("network.b", n.B),
		finite("network.j0", n.J0),
		oneOf("network.init", n.Init, model.Inits),
		finite("network.win.mean", n.Win.Mean),
		nonNegative("network.win.std", n.Win.Std),
		finite("network.wout.mean", n.Wout.Mean),
		nonNegative("network.wout.std", n.Wout.Std),
		finite("network.ei.ee", n.EI.EE),
		finite("network.ei.ei", n.EI.EI),
		finite("network.ei.ie", n.EI.IE),
		finite("network.ei.ii", n.EI.II),
		oneOf("network.ei.scale", n.EI.Scale, model.BlockScales),
		number("network.density", n.Density, n.Density > 0 && n.Density <= 1, "a number in (0, 1] (the fraction of the entries of J that exist)"),

		oneOf("task.kind", c.Task.Kind, tasks.Kinds),
		intAtLeast("task.signals", c.Task.Signals, 1),
		intAtLeast("task.outputs", c.Task.Outputs, 0),
		nonNegative("task.tau_s", c.Task.TauS),
		finite("task.i0", c.Task.I0),
		nonNegative("task.i1", c.Task.I1),
		oneOf("task.target", c.Task.Target, tasks.Targets),

		positive("sim.dt", c.Sim.DT),
		intAtLeast("sim.steps", c.Sim.Steps, 1),
		nonNegative("sim.sigma", c.Sim.Sigma),
		intAtLeast("sim.burn_in", c.Sim.BurnIn, 0),
		nonNegative("sim.relax", c.Sim.Relax),
		oneOf("sim.init_state", c.Sim.InitState, model.InitStates),

		intAtLeast("train.epochs", c.Train.Epochs, 0),
		intAtLeast("train.batch", c.Train.Batch, 1),
		positive("train.lr", c.Train.LR),
		unitInterval("train.beta1", c.Train.Beta1),
		unitInterval("train.beta2", c.Train.Beta2),
		positive("train.eps", c.Train.Eps),
		nonNegative("train.activity_reg", c.Train.ActivityReg),
		intAtLeast("train.test_every", c.Train.TestEvery, 1),
		intAtLeast("train.checkpoint_every", c.Train.CheckpointEvery, 1),
		intAtLeast("train.keep", c.Train.Keep, 1),
		oneOf("train.engine", c.Train.Engine, engine.Names),
		intAtLeast("train.threads", c.Train.Threads, 1),
		nonNegative("train.clip_norm", c.Train.ClipNorm),
		oneOf("train.on_diverge", c.Train.OnDiverge, train.OnDiverges),
		number("train.backoff", c.Train.Backoff, c.Train.Backoff > 0 && c.Train.Backoff < 1, "a number in (0, 1)"),
		intAtLeast("train.max_rollbacks", c.Train.MaxRollbacks, 0),

		intAtLeast("analysis.every", c.Analysis.Every, 0),
		intAtLeast("analysis.outliers", c.Analysis.Outliers, 1),
		intAtLeast("analysis.clusters", c.Analysis.Clusters, 0),
		intAtLeast("analysis.info_every", c.Analysis.InfoEvery, 0),
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	if n.Init == model.InitLowRank {
		if err := validateLowRank(n); err != nil {
			return err
		}
	}
	if err := validateDale(n); err != nil {
		return err
	}
	if err := c.validateInfo(); err != nil {
		return err
	}
	if err := c.validateDMFT(); err != nil {
		return err
	}
	if err := c.validateFluctuations(); err != nil {
		return err
	}
	switch {
	case c.Sim.BurnIn >= c.Sim.Steps:
		return &Error{Key: "sim.burn_in", Value: strconv.Itoa(c.Sim.BurnIn),
			Allowed: fmt.Sprintf("must be smaller than sim.steps = %d (the loss needs at least one counted step)", c.Sim.Steps)}
	case c.Task.Kind == tasks.KindOU && c.Task.Outputs != 0 && c.Task.Outputs != c.Task.Signals:
		return &Error{Key: "task.outputs", Value: strconv.Itoa(c.Task.Outputs),
			Allowed: fmt.Sprintf("kind ou tracks every signal: 0 or task.signals = %d", c.Task.Signals)}
	case n.Init == model.InitEI && n.N < 2:
		return &Error{Key: "network.n", Value: strconv.Itoa(n.N), Allowed: "at least 2 for init ei (an E and an I population)"}
	case c.Analysis.Outliers > n.N:
		return &Error{Key: "analysis.outliers", Value: strconv.Itoa(c.Analysis.Outliers),
			Allowed: fmt.Sprintf("at most network.n = %d", n.N)}
	case c.Analysis.Clusters > n.N:
		return &Error{Key: "analysis.clusters", Value: strconv.Itoa(c.Analysis.Clusters),
			Allowed: fmt.Sprintf("at most network.n = %d", n.N)}
	}
	return nil
}

func oneOf[T ~string](key string, v T, allowed []T) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return &Error{Key: key, Value: strconv.Quote(string(v)), Allowed: "one of " + strings.Join(names, ", ")}
}

func intAtLeast(key string, v, lo int) error {
	if v >= lo {
		return nil
	}
	return &Error{Key: key, Value: strconv.Itoa(v), Allowed: fmt.Sprintf("an integer ≥ %d", lo)}
}

func number(key string, v float64, ok bool, allowed string) error {
	if ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
		return nil
	}
	return &Error{Key: key, Value: strconv.FormatFloat(v, 'g', -1, 64), Allowed: allowed}
}

func finite(key string, v float64) error { return number(key, v, true, "a finite number") }
func positive(key string, v float64) error {
	return number(key, v, v > 0, "a finite number > 0")
}
func nonNegative(key string, v float64) error {
	return number(key, v, v >= 0, "a finite number ≥ 0")
}
func unitInterval(key string, v float64) error {
	return number(key, v, v >= 0 && v < 1, "a number in [0, 1)")
}

// validateLowRank checks network.lowrank (used when network.init is lowrank).
func validateLowRank(n model.Settings) error {
	lr := n.LowRank
	if err := oneOf("network.lowrank.structure", lr.Structure, model.LowRankStructures); err != nil {
		return err
	}
	if err := oneOf("network.lowrank.scaling", lr.Scaling, model.LowRankScalings); err != nil {
		return err
	}
	d := lr.Rank
	switch lr.Structure {
	case "ei":
		if d != 2 {
			return &Error{Key: "network.lowrank.rank", Value: strconv.Itoa(d), Allowed: "2 for structure ei (an E and an I population)"}
		}
	case "outdegree":
		if d != 1 {
			return &Error{Key: "network.lowrank.rank", Value: strconv.Itoa(d), Allowed: "1 for structure outdegree"}
		}
	}
	if d < 1 || 2*d > n.N {
		return &Error{Key: "network.lowrank.rank", Value: strconv.Itoa(d),
			Allowed: fmt.Sprintf("an integer D with 1 ≤ D ≤ N/2 = %d (L and the complement of R need 2D orthonormal directions)", n.N/2)}
	}
	if lr.Structure != "ei" {
		if len(lr.Strength) != d {
			return &Error{Key: "network.lowrank.strength", Value: formatList(lr.Strength),
				Allowed: fmt.Sprintf("a list of %d strengths (one per mode, rank D = %d)", d, d)}
		}
		for k, s := range lr.Strength {
			if err := nonNegative(fmt.Sprintf("network.lowrank.strength[%d]", k), s); err != nil {
				return err
			}
		}
	}
	if lr.Structure == "angles" {
		if len(lr.ThetaDeg) != d {
			return &Error{Key: "network.lowrank.theta_deg", Value: formatList(lr.ThetaDeg),
				Allowed: fmt.Sprintf("a list of %d angles in degrees (one per mode, rank D = %d)", d, d)}
		}
		for k, t := range lr.ThetaDeg {
			if err := number(fmt.Sprintf("network.lowrank.theta_deg[%d]", k), t, t >= 0 && t <= 90, "an angle in [0°, 90°]"); err != nil {
				return err
			}
		}
	}
	if lr.Structure == "outdegree" {
		if err := number("network.lowrank.cv_k", lr.CVk, lr.CVk >= 0 && lr.CVk < 1, "a coefficient of variation in [0, 1) (out-degree weights 1 ± CV_k stay positive)"); err != nil {
			return err
		}
	}
	if len(lr.Input) != 0 && len(lr.Input) != d {
		return &Error{Key: "network.lowrank.input", Value: formatList(lr.Input),
			Allowed: fmt.Sprintf("[] (the uniform direction) or %d coefficients, one per basis vector of span(L) (rank D = %d)", d, d)}
	}
	var norm float64
	for k, c := range lr.Input {
		if err := finite(fmt.Sprintf("network.lowrank.input[%d]", k), c); err != nil {
			return err
		}
		norm += c * c
	}
	if len(lr.Input) != 0 && norm == 0 {
		return &Error{Key: "network.lowrank.input", Value: formatList(lr.Input), Allowed: "a nonzero direction"}
	}
	if err := nonNegative("network.lowrank.input_off", lr.InputOff); err != nil {
		return err
	}
	if lr.InputOff > 0 && lr.Structure != "ei" && 2*d+1 > n.N {
		return &Error{Key: "network.lowrank.input_off", Value: strconv.FormatFloat(lr.InputOff, 'g', -1, 64),
			Allowed: fmt.Sprintf("0 for rank D = %d and N = %d (an off-subspace direction needs N ≥ 2D+1)", d, n.N)}
	}
	return nil
}

func formatList(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = strconv.FormatFloat(x, 'g', -1, 64)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
