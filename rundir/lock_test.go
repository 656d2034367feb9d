package rundir_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/balnet/balnet/rundir"
)

// holdEnv makes the test binary a lock holder: TestMain locks the directory it names,
// prints "locked", and sleeps until it is killed.
const holdEnv = "BALNET_RUNDIR_TEST_HOLD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(holdEnv); dir != "" {
		l, err := rundir.Lock(dir)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(3)
		}
		fmt.Println("locked")
		time.Sleep(time.Hour)
		l.Unlock()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestLockHolderKilled: while a child process holds the lock, Lock fails at once with a
// *LockedError naming the directory and the child's pid (a Lock that waited would hang
// for the holder's hour); after kill -9 of the child the
// kernel has released the lock and Lock succeeds.
func TestLockHolderKilled(t *testing.T) {
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), holdEnv+"="+dir)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("holder: got %q (%v), want \"locked\"", line, err)
	}

	_, err = rundir.Lock(dir)
	var le *rundir.LockedError
	if !errors.As(err, &le) || !errors.Is(err, rundir.ErrLocked) {
		t.Fatalf("Lock of a held directory: got %v, want a *LockedError wrapping ErrLocked", err)
	}
	if le.PID != child.Process.Pid || le.Dir != dir {
		t.Errorf("LockedError: got dir %q pid %d, want %q and the holder's pid %d", le.Dir, le.PID, dir, child.Process.Pid)
	}
	for _, want := range []string{dir, "process " + strconv.Itoa(child.Process.Pid)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got message %q, want it to name %q", err, want)
		}
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL: no cleanup in the child
		t.Fatal(err)
	}
	child.Wait()
	l, err := rundir.Lock(dir)
	if err != nil {
		t.Fatalf("Lock after the holder was killed: got %v, want the lock", err)
	}
	if err := l.Unlock(); err != nil {
		t.Error(err)
	}
}

// TestLockInProcess: the lock excludes a second Lock in the same process too, Unlock frees
// it, taking it creates no file, and a missing directory is an error.
func TestLockInProcess(t *testing.T) {
	dir := t.TempDir()
	l, err := rundir.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = rundir.Lock(dir)
	var le *rundir.LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() {
		t.Errorf("second Lock: got %v, want a *LockedError naming this process %d", err, os.Getpid())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Lock created %d entries in the directory, want none", len(entries))
	}
	l.Unlock()
	l.Unlock() // a second Unlock is harmless
	l2, err := rundir.Lock(dir)
	if err != nil {
		t.Fatalf("Lock after Unlock: got %v, want the lock", err)
	}
	l2.Unlock()
	if _, err := rundir.Lock(dir + "/missing"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Lock of a missing directory: got %v, want ErrNotExist", err)
	}
}
