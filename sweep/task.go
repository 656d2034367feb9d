package sweep

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// Task is one attempt at one run, by the process that executes it (balnet sweep run-task):
// Begin records it running, End records how it ended. Between the two the process owns the
// run's status file.
type Task struct {
	Layout Layout
	Run    Run
	status Status
	start  time.Time
}

// Begin reads the run's status, counts a new attempt and records it running in this
// process (with the SLURM job, when there is one). It returns the status as it was before,
// so that the caller can skip a run that is already done.
func Begin(l Layout, r Run) (*Task, Status, error) {
	before, err := ReadStatus(l.Status(r))
	if err != nil {
		return nil, before, err
	}
	t := &Task{Layout: l, Run: r, status: before, start: time.Now()}
	if before.State == Done || before.State == Diverged {
		return t, before, nil
	}
	s := &t.status
	s.State = Running
	s.Attempts++
	s.Started = Now()
	if s.Start == "" {
		s.Start = s.Started
	}
	s.PID = os.Getpid()
	s.Host, _ = os.Hostname()
	s.Message = ""
	if job := slurmTask(); job != "" {
		s.Job = job
	}
	return t, before, WriteStatus(l.Status(r), t.status)
}

// slurmTask is "ARRAYJOB_INDEX" inside a SLURM array task, "" elsewhere.
func slurmTask() string {
	job, idx := os.Getenv("SLURM_ARRAY_JOB_ID"), os.Getenv("SLURM_ARRAY_TASK_ID")
	if job == "" {
		return os.Getenv("SLURM_JOB_ID")
	}
	return job + "_" + idx
}

// End records the end of the attempt: state (Done, Diverged, Failed, or Pending for an
// interrupted run), the exit status the process is about to return and, for a failure or
// a divergence, the message.
func (t *Task) End(state string, exit int, message string) error {
	s := &t.status
	s.State = state
	s.Exit = &exit
	s.End = Now()
	s.Wall += time.Since(t.start).Seconds()
	s.Message = firstLine(message)
	return WriteStatus(t.Layout.Status(t.Run), t.status)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// String describes the task's run for log lines.
func (t *Task) String() string { return fmt.Sprintf("run %d (%s)", t.Run.Index, t.Run.ID) }
