package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Pool runs the runs of a sweep as child processes on this machine, Workers at a time.
//
// Each run is one process (Command), with GOMAXPROCS=1 and its output appended to
// DIR/logs/<run>.log, so that a crash or a divergence of one run never takes another down.
// The child reports its state in its status file; a child that ends without doing so
// (killed, crashed) is recorded failed by the pool with its exit status. A failed run is
// retried up to Retries times; a diverged or finished run never. When ctx is cancelled
// (SIGINT, SIGTERM) every child is sent SIGINT, which makes it save its checkpoint and
// stop; no new run starts, and Run returns once every child has ended. A child whose
// parent dies (even by SIGKILL) gets SIGTERM from the kernel and stops the same way.
type Pool struct {
	Layout  Layout
	Spec    *Spec
	Runs    []Run
	Workers int // 0: runtime.NumCPU()
	Retries int // further attempts of a failed run within one Run
	// Command returns the child process that executes run r (balnet sweep run-task DIR
	// --index I). The pool sets its environment, output and process attributes.
	Command func(r Run) *exec.Cmd
	// Progress, when set, is called after every run that ends, with the number of runs
	// ended and to do in this invocation.
	Progress func(ended, total int)
	// Log receives one line per run that ends (nil: discarded).
	Log io.Writer
}

// Result is what a pool's Run did.
type Result struct {
	Queued      int  // runs that were to be done in this invocation
	Skipped     int  // runs left alone because another live process is running them
	Interrupted bool // ctx was cancelled
	Statuses    []Status
}

// Run executes the runs that are not done or diverged and rewrites the manifest after
// every run that ends.
func (p *Pool) Run(ctx context.Context) (Result, error) {
	log := p.Log
	if log == nil {
		log = io.Discard
	}
	workers := p.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	st, err := Statuses(p.Layout, p.Runs)
	if err != nil {
		return Result{}, err
	}
	var res Result
	var todo []Run
	host, _ := os.Hostname()
	for i, r := range p.Runs {
		switch st[i].State {
		case Done, Diverged:
			continue
		case Running:
			if st[i].Host == host && alive(st[i].PID) {
				fmt.Fprintf(log, "%s: still running in process %d; left alone\n", r.ID, st[i].PID)
				res.Skipped++
				continue
			}
		}
		todo = append(todo, r)
	}
	res.Queued = len(todo)

	var (
		mu       sync.Mutex // guards children, ended, the manifest and log
		children = map[int]*os.Process{}
		ended    int
		firstErr error
	)
	queue := make(chan Run)
	go func() {
		defer close(queue)
		for _, r := range todo {
			select {
			case queue <- r:
			case <-ctx.Done():
				return
			}
		}
	}()
	stopForwarding := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		for _, proc := range children {
			proc.Signal(os.Interrupt)
		}
	})
	defer stopForwarding()

	var wg sync.WaitGroup
	for range min(workers, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range queue {
				if ctx.Err() != nil {
					return
				}
				final, err := p.runOne(ctx, r, &mu, children)
				mu.Lock()
				ended++
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					fmt.Fprintf(log, "%s: %s%s\n", r.ID, final.State, note(final))
				}
				if _, merr := WriteManifest(p.Layout, p.Spec, p.Runs); merr != nil && firstErr == nil {
					firstErr = merr
				}
				if p.Progress != nil {
					p.Progress(ended, len(todo))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Interrupted = ctx.Err() != nil
	if res.Statuses, err = WriteManifest(p.Layout, p.Spec, p.Runs); err != nil && firstErr == nil {
		firstErr = err
	}
	return res, firstErr
}

func note(s Status) string {
	if s.Message != "" && s.State != Done {
		return " (" + s.Message + ")"
	}
	return ""
}

// runOne makes up to 1 + Retries attempts of run r and returns its final status.
func (p *Pool) runOne(ctx context.Context, r Run, mu *sync.Mutex, children map[int]*os.Process) (Status, error) {
	var st Status
	for try := 0; try <= p.Retries; try++ {
		before, err := ReadStatus(p.Layout.Status(r))
		if err != nil {
			return st, err
		}
		code, how, err := p.attempt(ctx, r, mu, children)
		if err != nil {
			return st, err
		}
		if st, err = ReadStatus(p.Layout.Status(r)); err != nil {
			return st, err
		}
		if st.Attempts == before.Attempts || st.State == Running {
			// The child ended without recording its end: it was killed or crashed.
			if st.Attempts == before.Attempts {
				st.Attempts++
				if st.Start == "" {
					st.Start = Now()
				}
			}
			st.State, st.Exit, st.End, st.Message = Failed, &code, Now(), how
			if err := WriteStatus(p.Layout.Status(r), st); err != nil {
				return st, err
			}
		}
		if ctx.Err() != nil || (st.State != Failed && st.State != Pending) {
			return st, nil
		}
	}
	return st, nil
}

// attempt runs one child process for r and returns its exit status (128 + the signal
// number when it was killed by a signal) and a description of how it ended.
func (p *Pool) attempt(ctx context.Context, r Run, mu *sync.Mutex, children map[int]*os.Process) (int, string, error) {
	logf, err := os.OpenFile(p.Layout.Log(r), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return 0, "", err
	}
	defer logf.Close()
	cmd := p.Command(r)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group: a Ctrl-C on the terminal reaches the pool alone, which
	// forwards it once. Pdeathsig: the child stops (checkpointing) when the pool dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	mu.Lock()
	err = cmd.Start()
	if err == nil {
		children[cmd.Process.Pid] = cmd.Process
		if ctx.Err() != nil { // cancelled while starting: the forwarding has already run
			cmd.Process.Signal(os.Interrupt)
		}
	}
	mu.Unlock()
	if err != nil {
		fmt.Fprintf(logf, "balnet sweep: cannot start %s: %v\n", cmd.Path, err)
		return 127, "cannot start: " + err.Error(), nil
	}
	start := time.Now()
	werr := cmd.Wait()
	mu.Lock()
	delete(children, cmd.Process.Pid)
	mu.Unlock()
	code, how := 0, "exit status 0"
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code, how = 128+int(ws.Signal()), "killed by signal "+ws.Signal().String()
	} else if werr != nil {
		var ee *exec.ExitError
		if !errors.As(werr, &ee) {
			return 0, "", werr
		}
		code, how = ee.ExitCode(), "exit status "+strconv.Itoa(ee.ExitCode())
	}
	fmt.Fprintf(logf, "balnet sweep: process %d ended after %.1f s: %s\n", cmd.Process.Pid, time.Since(start).Seconds(), how)
	return code, how, nil
}

// alive reports whether a process with this pid exists.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
