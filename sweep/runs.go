package sweep

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/balnet/balnet/config"
)

// Run is one point of the grid with one seed.
type Run struct {
	Index  int     // position in Spec.Runs: the SLURM array index
	Values []Value // the swept keys' values, in grid order
	Seed   uint64
	ID     string // "network.b=1,sim.sigma=0.1,seed=2": every swept value and the seed
	Dir    string // the directory name under DIR/runs: ID made safe and short
}

// MaxDirName is the longest run directory name; longer ids are shortened.
const MaxDirName = 96

// Runs lists the runs of the spec: the product of the grid axes (the first varying
// slowest) and the seeds (fastest). Ids and directory names depend only on the swept values
// and the seed, so they are the same on every machine and in every later version of the
// grid that keeps them; directory names are unique within the sweep.
func (s *Spec) Runs() []Run {
	n := s.Count()
	runs := make([]Run, 0, n)
	for i := range n {
		r := Run{Index: i}
		rest := i
		stride := n
		for _, a := range s.Grid {
			stride /= len(a.Values)
			r.Values = append(r.Values, Value{a.Key, a.Values[rest/stride]})
			rest %= stride
		}
		r.Seed = s.Seeds[rest]
		r.ID = runID(r.Values, r.Seed)
		runs = append(runs, r)
	}
	used := map[string]bool{}
	for i := range runs {
		d := dirName(runs[i])
		if used[d] { // two ids made the same safe name: disambiguate by the index
			d = fmt.Sprintf("%s-%d", d, runs[i].Index)
		}
		used[d] = true
		runs[i].Dir = d
	}
	return runs
}

func runID(values []Value, seed uint64) string {
	parts := make([]string, 0, len(values)+1)
	for _, v := range values {
		parts = append(parts, v.Key+"="+v.Value)
	}
	return strings.Join(append(parts, "seed="+strconv.FormatUint(seed, 10)), ",")
}

// dirName makes a run's directory name: its id with every character outside
// [A-Za-z0-9._=,+-] replaced by '_'; when that is longer than MaxDirName, the keys are
// shortened to their last component (network.b → b), and if it is still too long, it is
// cut and ended with 8 hex digits of the FNV-1a hash of the full id.
func dirName(r Run) string {
	d := safe(r.ID)
	if len(d) <= MaxDirName {
		return d
	}
	short := make([]Value, len(r.Values))
	for i, v := range r.Values {
		k := v.Key
		if j := strings.LastIndexByte(k, '.'); j >= 0 {
			k = k[j+1:]
		}
		short[i] = Value{k, v.Value}
	}
	d = safe(runID(short, r.Seed))
	if len(d) <= MaxDirName {
		return d
	}
	h := fnv.New32a()
	h.Write([]byte(r.ID))
	return fmt.Sprintf("%s-%08x", d[:MaxDirName-9], h.Sum32())
}

func safe(s string) string {
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._=,+-", c) >= 0
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) > 0 && b[0] == '.' { // never a hidden directory
		b[0] = '_'
	}
	return string(b)
}

// Config returns the configuration of run r: the base with r's values and seed, resolved
// and validated. An error names the grid key whose value the configuration refuses.
func (s *Spec) Config(r Run) (config.Config, error) {
	c := s.Base
	for _, v := range r.Values {
		if err := c.Set(v.Key + "=" + v.Value); err != nil {
			return c, prefixKey("grid", err)
		}
	}
	c.Seed = r.Seed
	switch s.Command {
	case "info":
		c.Info.Seed = r.Seed // the input and noise streams of balnet info
	case "fluctuations":
		c.Fluctuations.Seed = r.Seed // the initial state, probes and noise of balnet fluctuations
	}
	c = c.Resolved()
	if err := c.Validate(); err != nil {
		if e, ok := config.AsError(err); ok {
			for _, v := range r.Values {
				if v.Key == e.Key {
					return c, prefixKey("grid", err)
				}
			}
			return c, fmt.Errorf("run %s: %w", r.ID, err)
		}
		return c, err
	}
	return c, nil
}
