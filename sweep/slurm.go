package sweep

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/balnet/balnet/checkpoints"
)

// Slurm describes the job array of a sweep: one task per run, one CPU per task.
type Slurm struct {
	Partition   string   // --partition; "" for the cluster's default
	Time        string   // --time, e.g. "2:00:00"; "" for the partition's default
	Mem         string   // --mem, e.g. "2G"; "" for the default
	MaxParallel int      // at most this many tasks at once (the %K of --array); 0: no limit
	Args        []string // further sbatch options, one per line, e.g. "--account=lab"
	Executable  string   // absolute path of the balnet binary the tasks run
}

// ArrayList writes indices (ascending) as a SLURM --array list: runs of consecutive
// indices as ranges, "0-3,5,7-9".
func ArrayList(indices []int) string {
	var parts []string
	for i := 0; i < len(indices); {
		j := i
		for j+1 < len(indices) && indices[j+1] == indices[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(indices[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", indices[i], indices[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// Script returns the sbatch script of a job array over the runs with the given indices.
// Each task runs "balnet sweep run-task DIR --index $SLURM_ARRAY_TASK_ID" with one thread;
// SLURM sends it SIGTERM 60 s before the time limit (and on preemption), on which it
// saves its checkpoint, so that a requeued task resumes there.
func (sl Slurm) Script(l Layout, indices []int) (string, error) {
	dir, err := filepath.Abs(string(l))
	if err != nil {
		return "", err
	}
	logs, _ := filepath.Abs(l.SlurmLogs())
	array := ArrayList(indices)
	if sl.MaxParallel > 0 {
		array += "%" + strconv.Itoa(sl.MaxParallel)
	}
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	b.WriteString("# balnet sweep: one task per run (written by balnet sweep --slurm)\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=balnet-sweep\n")
	fmt.Fprintf(&b, "#SBATCH --array=%s\n", array)
	b.WriteString("#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n")
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(logs, "%A_%a.out"))
	b.WriteString("#SBATCH --requeue\n#SBATCH --signal=B:TERM@60\n")
	for _, o := range []struct{ flag, v string }{{"partition", sl.Partition}, {"time", sl.Time}, {"mem", sl.Mem}} {
		if o.v != "" {
			fmt.Fprintf(&b, "#SBATCH --%s=%s\n", o.flag, o.v)
		}
	}
	for _, a := range sl.Args {
		if strings.ContainsAny(a, "\n") {
			return "", fmt.Errorf("--sbatch-arg %q: one option per argument, without newlines", a)
		}
		fmt.Fprintf(&b, "#SBATCH %s\n", a)
	}
	b.WriteString("export GOMAXPROCS=1\n")
	fmt.Fprintf(&b, "exec %s sweep run-task %s --index \"$SLURM_ARRAY_TASK_ID\"\n", shellQuote(sl.Executable), shellQuote(dir))
	return b.String(), nil
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// WriteScript writes the job array script to DIR/slurm/sweep.sbatch (and makes
// DIR/slurm/logs) and returns its path.
func (sl Slurm) WriteScript(l Layout, indices []int) (string, error) {
	script, err := sl.Script(l, indices)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(l.SlurmLogs(), 0o755); err != nil {
		return "", err
	}
	return l.SlurmScript(), checkpoints.WriteFileAtomic(l.SlurmScript(), []byte(script), 0o755)
}

// ErrNoSbatch is returned by Submit when sbatch is not on PATH.
var ErrNoSbatch = errors.New("sbatch is not on PATH (is this a SLURM login node? --dry-run writes the script without submitting it)")

// Submit submits the script with sbatch --parsable and returns the job id.
func Submit(script string) (string, error) {
	sbatch, err := exec.LookPath("sbatch")
	if err != nil {
		return "", ErrNoSbatch
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(sbatch, "--parsable", script)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("sbatch %s: %v: %s", script, err, strings.TrimSpace(errb.String()))
	}
	id, _, _ := strings.Cut(strings.TrimSpace(out.String()), ";") // "ID" or "ID;CLUSTER"
	if _, err := strconv.Atoi(id); err != nil {
		return "", fmt.Errorf("sbatch %s: unexpected output %q, want a job id", script, out.String())
	}
	return id, nil
}

// RecordJob marks the submitted runs pending as tasks of job id (JOBID_INDEX) and appends
// the job to DIR/slurm/jobs.csv.
func RecordJob(l Layout, runs []Run, id string) error {
	for _, r := range runs {
		st, err := ReadStatus(l.Status(r))
		if err != nil {
			return err
		}
		st.State, st.Job = Pending, id+"_"+strconv.Itoa(r.Index)
		if err := WriteStatus(l.Status(r), st); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(l.SlurmJobs(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
		fmt.Fprintln(f, "job,submitted,runs")
	}
	idx := make([]int, len(runs))
	for i, r := range runs {
		idx[i] = r.Index
	}
	_, err = fmt.Fprintf(f, "%s,%s,%s\n", id, Now(), strconv.Quote(ArrayList(idx)))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Squeue asks squeue for the state of every task of the given jobs ("JOBID_INDEX" →
// "PENDING", "RUNNING", …). ok is false when squeue is not available.
func Squeue(jobs []string) (states map[string]string, ok bool, err error) {
	squeue, lerr := exec.LookPath("squeue")
	if lerr != nil || len(jobs) == 0 {
		return nil, lerr == nil, nil
	}
	out, err := exec.Command(squeue, "-h", "-r", "-o", "%i %T", "-j", strings.Join(jobs, ",")).Output()
	if err != nil {
		// squeue fails for job ids it has forgotten: they are no longer queued.
		var ee *exec.ExitError
		if errors.As(err, &ee) && strings.Contains(string(ee.Stderr), "Invalid job id") {
			return map[string]string{}, true, nil
		}
		return nil, true, fmt.Errorf("squeue: %w", err)
	}
	states = map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if id, state, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			states[id] = state
		}
	}
	return states, true, nil
}
