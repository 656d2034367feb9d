// Command balnet trains, analyzes and explains balanced recurrent rate networks.
//
//	balnet train   [--config FILE] [--set key=value]... [--out DIR] [--epochs N] [--seed S] [--quiet]
//	balnet config
//
// Run "balnet help" for the full usage. Exit status: 0 on success, 2 for a usage or
// configuration error, 1 for a run-time failure.
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
