package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/balnet/balnet/config"
)

// estimators are the commands whose memory balnet config --estimate states: each with its
// default configuration and its estimate (compare is dmft's --compare).
var estimators = map[string]struct {
	base     func() config.Config
	estimate func(c config.Config, compare int) config.Estimate
}{
	"train":        {config.Default, func(c config.Config, _ int) config.Estimate { return config.TrainEstimate(c) }},
	"info":         {config.InfoDefault, func(c config.Config, _ int) config.Estimate { return config.InfoEstimate(c) }},
	"dmft":         {config.DMFTDefault, config.DMFTEstimate},
	"analyze":      {config.Default, func(c config.Config, _ int) config.Estimate { return config.AnalyzeEstimate(c) }},
	"fluctuations": {config.FluctuationsDefault, func(c config.Config, _ int) config.Estimate { return config.FluctuationsEstimate(c) }},
}

// cmdConfigFor is balnet config with flags:
//
//	balnet config [--for CMD] [--config FILE] [--set key=value]... [--estimate [--compare K] [--max-memory SIZE]]
//
// It prints the resolved, validated configuration CMD (default train) would run, or with
// --estimate the memory it needs (config.Estimate, broken down by buffer and phase) and
// whether that fits in --max-memory or the available memory. Nothing is allocated for the
// run and nothing is written; a configuration that does not fit is reported (exit 0: the
// estimate is what was asked for), an invalid one is an error (exit 2).
func cmdConfigFor(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	cmd := fs.String("for", "train", "the `command` whose configuration: train, analyze, info, dmft or fluctuations")
	file := fs.String("config", "", "configuration `file` (YAML) over the command's default")
	var sets setFlags
	fs.Var(&sets, "set", "override one key, key=value (repeatable)")
	estimate := fs.Bool("estimate", false, "print the memory estimate instead of the configuration")
	compare := fs.Int("compare", 0, "dmft's --compare `K` (network realizations), for the estimate")
	maxMemory := memoryFlag(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("config takes no positional arguments, got %q", pos)
	}
	est, ok := estimators[*cmd]
	if !ok {
		return &config.Error{Key: "--for", Value: strconv.Quote(*cmd), Allowed: "one of train, analyze, info, dmft, fluctuations"}
	}
	if *compare < 0 {
		return &config.Error{Key: "--compare", Value: strconv.Itoa(*compare), Allowed: "an integer ≥ 0 (network realizations)"}
	}
	cfg, err := loadConfigFrom(est.base(), *file, sets, nil, nil)
	if err != nil {
		return err
	}
	if !*estimate {
		_, err := stdout.Write(cfg.YAML())
		return err
	}
	limit, source, err := memoryBudget(*maxMemory) // a bad --max-memory prints nothing
	if err != nil {
		return err
	}
	e := est.estimate(cfg, *compare)
	e.Command = *cmd
	if err := e.Write(stdout); err != nil {
		return err
	}
	if source == "" {
		_, err = fmt.Fprintln(stdout, "budget: unknown (no /proc/meminfo)")
		return err
	}
	verdict := "fits"
	if err := e.Check(limit, source); err != nil {
		verdict = "does NOT fit: driven by " + fmt.Sprint(e.Drivers())
	}
	_, err = fmt.Fprintf(stdout, "budget: %s (%s): %s\n", config.FormatBytes(limit), source, verdict)
	return err
}
