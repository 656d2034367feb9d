package main

import (
	"runtime"
	"slices"

	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/sweep"
)

// checkSweepMemory refuses (exit 2, before the sweep directory is written) a local sweep
// whose pool, running its largest runs side by side on `workers` workers (0: one per core),
// would need more memory than --max-memory or the machine has: the sum of the `workers`
// largest run estimates (config.TrainEstimate, InfoEstimate or FluctuationsEstimate, each with its
// runtime overhead, since every run is its own process). A run whose configuration is
// invalid is left to report itself.
func checkSweepMemory(spec *sweep.Spec, runs []sweep.Run, workers int, maxMemory string) error {
	k := workers
	if k == 0 {
		k = runtime.NumCPU()
	}
	k = min(k, len(runs))
	var totals []float64
	for _, r := range runs {
		c, err := spec.Config(r)
		if err != nil {
			continue
		}
		e := config.TrainEstimate(c)
		switch spec.Command {
		case "info":
			e = config.InfoEstimate(c)
		case "fluctuations":
			e = config.FluctuationsEstimate(c)
		}
		totals = append(totals, e.Total())
	}
	slices.SortFunc(totals, func(a, b float64) int { return compareDesc(a, b) })
	var need float64
	for _, t := range totals[:min(k, len(totals))] {
		need += t
	}
	limit, source, err := memoryBudget(maxMemory)
	if err != nil {
		return err
	}
	if len(totals) > 0 && need > limit {
		return usagef("sweep: %d workers running its largest runs side by side need an estimated %s of memory, more than the %s of %s (the largest run alone: %s); lower --workers or the runs' sizes (balnet config --estimate)",
			k, config.FormatBytes(need), config.FormatBytes(limit), source, config.FormatBytes(totals[0]))
	}
	return nil
}

func compareDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
