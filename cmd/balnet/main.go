// Command balnet trains, analyzes and explains balanced recurrent rate networks.
//
//	balnet train   [--config FILE] [--set key=value]... [--out DIR] [--epochs N] [--seed S] [--quiet] [--force] [--no-plots]
//	balnet resume  RUN_DIR [--epochs N] [--fallback] [--quiet] [--no-plots]
//	balnet analyze RUN_DIR [--out FILE] [--max-memory SIZE]
//	balnet plot    RUN_DIR [--out DIR]
//	balnet export  RUN_DIR [--epoch E] --out FILE.npz
//	balnet config  [--for CMD] [--config FILE] [--set key=value]... [--estimate [--compare K] [--max-memory SIZE]]
//	balnet info    [--config FILE] [--set key=value]... [--out DIR] [--no-plots] [--quiet]
//	balnet dmft    [--config FILE] [--set key=value]... [--out DIR] [--compare K] [--no-plots] [--quiet]
//	balnet fluctuations [--config FILE] [--set key=value]... [--out DIR] [--no-plots] [--quiet]
//	balnet fluctuations RUN_DIR [--epoch E] [--set fluctuations.key=value]... [--out DIR] [--no-plots] [--quiet]
//	balnet sweep   SPEC.yaml --out DIR [--workers K] [--retries R] [--force] [--slurm [...]] [--dry-run]
//	balnet sweep   status DIR | collect DIR [--x KEY] [--y COLUMN] [--by KEY] | run-task DIR --index I
//	balnet version
//	balnet help
//
// Run "balnet help" for the full usage (the usage text in cli.go is the list of commands).
// train, resume, analyze, info, dmft and fluctuations take --max-memory SIZE: a run whose
// memory estimate (config.TrainEstimate and its siblings) exceeds it, or the machine's
// available memory, is refused before anything is allocated.
// Exit status: 0 on success (also for a training interrupted by Ctrl-C/SIGTERM, which
// saves a checkpoint), 2 for a usage or configuration error (nothing is written), 1 for a
// run-time failure, including a run directory locked by another balnet process (package
// rundir) and an analyze, plot or export interrupted by Ctrl-C/SIGTERM (no half-written
// file). This package only parses flags and wires the packages together; each command is
// a function tested in-process.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
