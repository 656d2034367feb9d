package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/balnet/balnet/config"
	"github.com/balnet/balnet/rundir"
)

const usage = `usage:
  balnet train   [--config FILE] [--set key=value]... [--out DIR] [--epochs N] [--seed S] [--quiet] [--force] [--no-plots]
  balnet resume  RUN_DIR [--epochs N] [--fallback] [--quiet] [--no-plots]
                                               continue a run; N = new total epoch count
  balnet analyze RUN_DIR [--out FILE] [--max-memory SIZE]
                                               recompute the analysis from the checkpoints
  balnet plot    RUN_DIR [--out DIR]           figures (PNG and SVG) into RUN_DIR/figures
  balnet export  RUN_DIR [--epoch E] --out FILE.npz
                                               parameters as a .npz for numpy
  balnet config                                print the default configuration
  balnet config  [--for CMD] [--config FILE] [--set key=value]... [--estimate [--compare K] [--max-memory SIZE]]
                                               the resolved configuration of CMD (train, analyze,
                                               info, dmft, fluctuations), or its memory estimate
  balnet info    [--config FILE] [--set key=value]... [--out DIR] [--no-plots] [--quiet]
                                               information rate of a network built from a
                                               configuration (default: Fig. 5 at b = 1)
  balnet info    RUN_DIR [--epoch E] [--set info.key=value]... [--out DIR] [--no-plots] [--quiet]
                                               … of a trained network
  balnet dmft    [--config FILE] [--set key=value]... [--out DIR] [--compare K] [--no-plots] [--quiet]
                                               mean-field theory ν(t), c(t,t), c(τ′) for an
                                               input path, against K simulated networks
  balnet fluctuations [--config FILE] [--set key=value]... [--out DIR] [--no-plots] [--quiet]
                                               macroscopic fluctuations of a constructed
                                               low-rank network (default: the θ = 30° check)
  balnet fluctuations RUN_DIR [--epoch E] [--set fluctuations.key=value]... [--out DIR] [--no-plots] [--quiet]
                                               … of a trained network (L, R from J − J̃_init)
  balnet sweep   SPEC.yaml --out DIR [--workers K] [--retries R] [--force] [--quiet] [--max-memory SIZE]
  balnet sweep   SPEC.yaml --out DIR --slurm [--partition P] [--time T] [--mem M]
                 [--max-parallel K] [--sbatch-arg ARG]... [--dry-run]
                                               a grid of runs (README "Sweeps")
  balnet sweep   status DIR | collect DIR [--x KEY] [--y COLUMN] [--by KEY] [--log-x]
  balnet sweep   run-task DIR --index I        one run of a sweep (what the pool and SLURM run)
  balnet version                               module version, VCS revision, Go, BLAS and kernel
                                               path, build tags (what provenance.yaml records)

Configuration keys and their defaults: balnet config. Exit status: 0 success, 2 usage or
configuration error, 1 run-time failure.
`

// usageError is a bad command line or configuration: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// run executes one balnet command and returns its exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "train":
		err = cmdTrain(ctx, args[1:], stdout, stderr)
	case "resume":
		err = cmdResume(ctx, args[1:], stdout, stderr)
	case "analyze":
		err = cmdAnalyze(ctx, args[1:], stdout, stderr)
	case "plot":
		err = cmdPlot(ctx, args[1:], stdout, stderr)
	case "export":
		err = cmdExport(ctx, args[1:], stdout, stderr)
	case "config":
		err = cmdConfig(args[1:], stdout)
	case "info":
		err = cmdInfo(ctx, args[1:], stdout, stderr)
	case "dmft":
		err = cmdDMFT(ctx, args[1:], stdout, stderr)
	case "fluctuations":
		err = cmdFluctuations(ctx, args[1:], stdout, stderr)
	case "sweep":
		err = cmdSweep(ctx, args[1:], stdout, stderr)
	case "version":
		err = cmdVersion(args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usagef("unknown command %q (commands: train, resume, analyze, plot, export, config, info, dmft, fluctuations, sweep, version, help)", args[0])
	}
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "balnet: %v\n", err)
	if _, ok := config.AsError(err); ok || errors.As(err, new(usageError)) || errors.Is(err, rundir.ErrNotRun) {
		return 2
	}
	return 1
}

// parseFlags parses args with fs, accepting flags before and after positional arguments
// (balnet resume RUN_DIR --epochs N). It returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// oneRunDir returns the single positional argument of a command that takes one run
// directory.
func oneRunDir(cmd string, pos []string) (string, error) {
	if len(pos) != 1 {
		return "", usagef("%s takes one run directory, got %d arguments %q", cmd, len(pos), pos)
	}
	return pos[0], nil
}

// setFlags collects repeated --set key=value flags.
// measureFlags are the flags shared by the commands that build or load a network and
// measure it (info, fluctuations, dmft): --config, --set, --out, --no-plots, --quiet.
type measureFlags struct {
	file           *string
	sets           setFlags
	out            *string
	noPlots, quiet *bool
	maxMemory      *string
}

// addMeasureFlags defines the shared flags on fs; base names the default configuration in
// the help text and out is the default output directory.
func addMeasureFlags(fs *flag.FlagSet, base, out string) *measureFlags {
	m := &measureFlags{}
	m.file = fs.String("config", "", "configuration `file` (YAML) over the "+base+" default")
	fs.Var(&m.sets, "set", "override one key, key=value (repeatable)")
	m.out = fs.String("out", out, "output `directory`")
	m.noPlots = fs.Bool("no-plots", false, "skip the figures")
	m.quiet = fs.Bool("quiet", false, "no progress bar")
	m.maxMemory = memoryFlag(fs)
	return m
}

type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, " ") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

func cmdConfig(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		_, err := stdout.Write(config.Default().YAML())
		return err
	}
	return cmdConfigFor(args, stdout)
}

// loadConfig builds the configuration of a new run: the default, then --config FILE,
// then every --set, then --epochs and --seed (nil when not given); it is resolved and
// validated.
func loadConfig(file string, sets []string, epochs *int, seed *uint64) (config.Config, error) {
	return loadConfigFrom(config.Default(), file, sets, epochs, seed)
}

// loadConfigFrom is loadConfig on another base than the default configuration.
func loadConfigFrom(c config.Config, file string, sets []string, epochs *int, seed *uint64) (config.Config, error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return c, usagef("--config %s: cannot read it: %v", file, errors.Unwrap(err))
		}
		if c, err = config.Parse(data, c); err != nil {
			if _, ok := config.AsError(err); !ok { // not YAML at all
				err = usageError{err}
			}
			return c, fmt.Errorf("--config %s: %w", file, err)
		}
	}
	for _, s := range sets {
		if err := c.Set(s); err != nil {
			return c, fmt.Errorf("--set: %w", err)
		}
	}
	if epochs != nil {
		if *epochs < 0 {
			return c, &config.Error{Key: "--epochs", Value: fmt.Sprint(*epochs), Allowed: "an integer ≥ 0"}
		}
		c.Train.Epochs = *epochs
	}
	if seed != nil {
		c.Seed = *seed
	}
	c = c.Resolved()
	return c, c.Validate()
}
