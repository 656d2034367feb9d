package balnet_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/balnet/balnet/"

// allowed lists, for every package, the balnet packages it may import (DESIGN.md, "The
// packages and the way data flows"): tasks and model import neither each other nor anything
// above them; model/engine (the Gorgonia graph and the fused op, the only Gorgonia users)
// imports model and its assembly inner loops, model/engine/internal/microkernel, which imports
// nothing; train imports model, model/engine and tasks, dmft only model and tasks (never checkpoints: the
// command hands the loop a checkpointing hook); analysis imports model, and tasks, sim and info for the information rate (it takes a
// plain analysis.Input, so neither train nor Gorgonia is among its dependencies);
// checkpoints imports model and train for the state it stores; config collects the
// settings structs; rundir owns the run directory on top of them; plots reads run
// directories; sim (long streaming simulations) imports model and tasks; info (spectra
// and information rates) imports nothing of balnet's; sweep runs grids of runs (as balnet
// child processes, so it imports no cmd); only cmd/balnet imports everything, and nothing
// imports cmd.
var allowed = map[string][]string{
	"tasks":                             {},
	"model":                             {},
	"model/engine":                      {"model", "model/engine/internal/microkernel"},
	"model/engine/internal/microkernel": {},
	"train":                             {"model", "model/engine", "tasks"},
	"dmft":                              {"model", "tasks"},
	"sim":                               {"model", "tasks"},
	"info":                              {},
	"analysis":                          {"model", "tasks", "sim", "info"},
	"checkpoints":                       {"model", "train", "analysis"},
	"config":                            {"model", "model/engine", "tasks", "train", "analysis"},
	"rundir":                            {"model", "tasks", "train", "analysis", "checkpoints", "config"},
	"plots":                             {"model", "tasks", "train", "analysis", "checkpoints", "config", "rundir"},
	"sweep":                             {"model", "tasks", "train", "analysis", "checkpoints", "config", "rundir"},
	"cmd/balnet":                        {"model", "model/engine", "tasks", "train", "analysis", "checkpoints", "config", "rundir", "plots", "sim", "info", "sweep", "dmft"},
}

// TestLayering parses the imports of every non-test Go file (all build tags) of every
// package and checks them against allowed.
func TestLayering(t *testing.T) {
	fset := token.NewFileSet()
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		if pkg == "." {
			return nil
		}
		seen[pkg] = true
		ok, known := allowed[pkg]
		if !known {
			t.Errorf("package %s is not in the layering table: add it with the packages it may import", pkg)
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			dep, internal := strings.CutPrefix(p, module)
			if internal && !slices.Contains(ok, dep) {
				t.Errorf("%s imports %s: got a forbidden edge %s → %s, want only %v", path, p, pkg, dep, ok)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for pkg := range allowed {
		if !seen[pkg] {
			t.Errorf("package %s of the layering table has no Go files", pkg)
		}
	}
}
