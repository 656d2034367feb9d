package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/balnet/balnet/model/engine"
	"github.com/balnet/balnet/rundir"
)

// modulePath is the module's path, for binaries whose build info does not name it.
const modulePath = "github.com/balnet/balnet"

// buildInfo describes this program (rundir.Build) from runtime/debug.ReadBuildInfo and the
// engine: the module version ("(devel)" for a build from a work tree), the VCS revision,
// time and dirty flag that `go build` stamps (unknown with -buildvcs=false or outside a git
// checkout), the Go version, GOOS/GOARCH, the BLAS backend and the fused engine's kernel
// path of this build on this CPU, the build tags, GOEXPERIMENT and CGO_ENABLED.
func buildInfo() rundir.Build {
	b := rundir.Build{Module: modulePath, Version: "unknown", Revision: "unknown", Modified: "unknown",
		CommitTime: "unknown", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		BLAS: engine.BLASName(), Kernel: engine.KernelName(), KernelPaths: engine.KernelPaths(),
		Tags: "none", Experiment: "none", CGO: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if bi.Main.Path != "" {
		b.Module = bi.Main.Path
	}
	if bi.Main.Version != "" {
		b.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		b.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			b.Modified = s.Value
		case "vcs.time":
			b.CommitTime = s.Value
		case "-tags":
			if s.Value != "" {
				b.Tags = s.Value
			}
		case "GOEXPERIMENT":
			if s.Value != "" {
				b.Experiment = s.Value
			}
		case "CGO_ENABLED":
			b.CGO = s.Value
		}
	}
	return b
}

// cmdVersion prints the build description of buildInfo, one "key: value" line each:
//
//	balnet version
func cmdVersion(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usagef("version takes no arguments, got %q", args)
	}
	b := buildInfo()
	lines := [][2]string{
		{"module", b.Module}, {"version", b.Version}, {"revision", b.Revision}, {"modified", b.Modified},
		{"commit_time", b.CommitTime}, {"go", b.Go}, {"platform", b.Platform}, {"blas", b.BLAS},
		{"kernel", b.Kernel}, {"kernel_paths", strings.Join(b.KernelPaths, ", ")}, {"tags", b.Tags},
		{"goexperiment", b.Experiment}, {"cgo", b.CGO},
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(stdout, "%-13s %s\n", l[0]+":", l[1]); err != nil {
			return err
		}
	}
	return nil
}

// session is this process's rundir.Session: buildInfo, the command line and the host.
func session(args []string) rundir.Session {
	return rundir.NewSession(buildInfo(), append([]string{"balnet"}, args...))
}
