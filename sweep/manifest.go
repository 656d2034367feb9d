package sweep

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/balnet/balnet/checkpoints"
)

// The states of a run in the manifest.
const (
	Pending  = "pending"  // not started, or interrupted (it resumes from its checkpoint)
	Running  = "running"  // a process is working on it (or died without saying so)
	Done     = "done"     // finished
	Diverged = "diverged" // stopped by a non-finite loss or parameter; never retried
	Failed   = "failed"   // the last attempt failed; retried on the next invocation
)

// States lists the states in the order status reports them.
var States = []string{Pending, Running, Done, Diverged, Failed}

// Layout names the files of a sweep directory:
//
//	DIR/sweep.yaml          the resolved spec
//	DIR/manifest.csv        one row per run (derived from the status files)
//	DIR/status/<run>.json   the state of one run, written only by the process that runs it
//	DIR/configs/<run>.yaml  the configuration of one run
//	DIR/runs/<run>/         the run directory (what balnet train writes)
//	DIR/logs/<run>.log      everything the run printed
//	DIR/locks/<run>/        an empty directory whose lock (rundir.Lock) the run's process holds
//	DIR/locks/<run>/        an empty directory whose lock (rundir.Lock) the run's process holds
//	DIR/slurm/              the job-array script, its logs and the submitted job ids
type Layout string

func (l Layout) Spec() string        { return filepath.Join(string(l), "sweep.yaml") }
func (l Layout) Manifest() string    { return filepath.Join(string(l), "manifest.csv") }
func (l Layout) Summary() string     { return filepath.Join(string(l), "summary.csv") }
func (l Layout) Figures() string     { return filepath.Join(string(l), "figures") }
func (l Layout) StatusDir() string   { return filepath.Join(string(l), "status") }
func (l Layout) Status(r Run) string { return filepath.Join(l.StatusDir(), r.Dir+".json") }
func (l Layout) ConfigDir() string   { return filepath.Join(string(l), "configs") }
func (l Layout) Config(r Run) string { return filepath.Join(l.ConfigDir(), r.Dir+".yaml") }
func (l Layout) RunsDir() string     { return filepath.Join(string(l), "runs") }
func (l Layout) Run(r Run) string    { return filepath.Join(l.RunsDir(), r.Dir) }
func (l Layout) LogDir() string      { return filepath.Join(string(l), "logs") }
func (l Layout) Log(r Run) string    { return filepath.Join(l.LogDir(), r.Dir+".log") }
func (l Layout) SlurmDir() string    { return filepath.Join(string(l), "slurm") }
func (l Layout) SlurmScript() string { return filepath.Join(l.SlurmDir(), "sweep.sbatch") }
func (l Layout) SlurmLogs() string   { return filepath.Join(l.SlurmDir(), "logs") }
func (l Layout) SlurmJobs() string   { return filepath.Join(l.SlurmDir(), "jobs.csv") }
func (l Layout) LockDir() string     { return filepath.Join(string(l), "locks") }
func (l Layout) Lock(r Run) string   { return filepath.Join(l.LockDir(), r.Dir) }
func (l Layout) dirs() []string {
	return []string{l.StatusDir(), l.ConfigDir(), l.RunsDir(), l.LogDir(), l.LockDir()}
}

// Status is the state of one run, kept in DIR/status/<run>.json. Exactly one process writes
// it at a time (the one running the run, or the pool after that process ended), always
// atomically, so that readers (status, collect, the pool) never see half a file and
// concurrent SLURM tasks never touch each other's state.
type Status struct {
	State    string  `json:"status"`
	Attempts int     `json:"attempts"`                // processes started on this run, over all invocations
	Exit     *int    `json:"exit_status"`             // of the last attempt; nil before the first ended
	Start    string  `json:"start,omitempty"`         // RFC 3339, of the first attempt
	End      string  `json:"end,omitempty"`           // RFC 3339, of the last attempt that ended
	Wall     float64 `json:"wall_seconds"`            // summed over the attempts
	PID      int     `json:"pid,omitempty"`           // of the last attempt
	Host     string  `json:"host,omitempty"`          // where the last attempt ran
	Job      string  `json:"job,omitempty"`           // SLURM job, "JOBID_INDEX"
	Message  string  `json:"message,omitempty"`       // why the last attempt failed or diverged
	Started  string  `json:"attempt_start,omitempty"` // RFC 3339, of the running attempt
}

// ReadStatus reads a run's status; a run without a status file is pending.
func ReadStatus(path string) (Status, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Status{State: Pending}, nil
	}
	if err != nil {
		return Status{}, err
	}
	var s Status
	if err := json.Unmarshal(data, &s); err != nil {
		return Status{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// WriteStatus replaces a run's status file atomically.
func WriteStatus(path string, s Status) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return checkpoints.WriteFileAtomic(path, append(data, '\n'), 0o644)
}

// Now is the time stamp format of status files and the manifest.
func Now() string { return time.Now().UTC().Format(time.RFC3339) }

// ManifestHeader is the header of manifest.csv for a spec.
func (s *Spec) ManifestHeader() []string {
	h := []string{"index", "id", "dir"}
	for _, a := range s.Grid {
		h = append(h, a.Key)
	}
	return append(h, "seed", "status", "attempts", "exit_status", "start", "end", "wall_seconds", "job")
}

// Statuses reads the status of every run.
func Statuses(l Layout, runs []Run) ([]Status, error) {
	st := make([]Status, len(runs))
	for i, r := range runs {
		var err error
		if st[i], err = ReadStatus(l.Status(r)); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// WriteManifest rewrites DIR/manifest.csv, atomically, from the status files.
func WriteManifest(l Layout, s *Spec, runs []Run) ([]Status, error) {
	st, err := Statuses(l, runs)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeManifest(&buf, s, runs, st); err != nil {
		return nil, err
	}
	return st, checkpoints.WriteFileAtomic(l.Manifest(), buf.Bytes(), 0o644)
}

func writeManifest(w io.Writer, s *Spec, runs []Run, st []Status) error {
	cw := csv.NewWriter(w)
	cw.Write(s.ManifestHeader())
	for i, r := range runs {
		row := []string{strconv.Itoa(r.Index), r.ID, r.Dir}
		for _, v := range r.Values {
			row = append(row, v.Value)
		}
		exit := ""
		if st[i].Exit != nil {
			exit = strconv.Itoa(*st[i].Exit)
		}
		row = append(row, strconv.FormatUint(r.Seed, 10), st[i].State, strconv.Itoa(st[i].Attempts), exit,
			st[i].Start, st[i].End, strconv.FormatFloat(st[i].Wall, 'f', 3, 64), st[i].Job)
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// Counts returns how many runs are in each state.
func Counts(st []Status) map[string]int {
	c := map[string]int{}
	for _, s := range st {
		c[s.State]++
	}
	return c
}
