package rundir

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrLocked is wrapped by the error of Lock when another process holds the lock.
var ErrLocked = errors.New("in use by another process")

// LockedError is the error of Lock when another process holds the directory's lock.
type LockedError struct {
	Dir string
	PID int // the holder's process id, 0 if it could not be found
}

func (e *LockedError) Error() string {
	holder := "another process"
	if e.PID > 0 {
		holder = "process " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("%s is locked by %s (a balnet command writing to it); wait for it to end or stop it", e.Dir, holder)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// DirLock is an exclusive lock on a directory, held until Unlock or the death of the
// process.
type DirLock struct {
	dir string
	f   *os.File
}

// Lock takes the exclusive lock of the directory dir (a run directory, or any directory
// that one writer at a time may change, such as a sweep's), without waiting: every balnet
// command that writes into a run directory holds it for as long as it writes, so that two
// writers never interleave.
//
// The lock is an flock(2) LOCK_EX on the directory itself (opened read-only), so taking it
// creates and changes no file: a command that then refuses its input leaves the directory
// byte for byte as it was. The kernel releases it when the holder closes it (Unlock) or
// dies, even by SIGKILL: a lock is never stale. When another process holds it, Lock returns
// a *LockedError (wrapping ErrLocked) naming dir and the holder's pid, which is read from
// /proc/locks on Linux (the pid that took the flock; 0 where that file does not exist).
// A directory that does not exist is an error wrapping fs.ErrNotExist.
//
// The lock is per open file description: a second Lock of the same directory in the same
// process fails too. Locks are advisory: they exclude other balnet commands, not other
// programs.
func Lock(dir string) (*DirLock, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.IsDir() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("rundir: lock %s: not a directory", dir)
		}
		return nil, err
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if errors.Is(err, syscall.EWOULDBLOCK) {
		pid := holder(f)
		f.Close()
		return nil, &LockedError{Dir: dir, PID: pid}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("rundir: lock %s: %w", dir, err)
	}
	return &DirLock{dir: dir, f: f}, nil
}

// Unlock releases the lock. It may be called more than once (and on nil).
func (l *DirLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the last descriptor releases the flock
	l.f = nil
	return err
}

// Dir returns the locked directory.
func (l *DirLock) Dir() string { return l.dir }

// holder returns the pid of the process holding an flock on the file f, from the lines
//
//	1: FLOCK  ADVISORY  WRITE 12345 fe:00:9979983 0 EOF
//
// of /proc/locks (pid, then major:minor:inode with major and minor in hex), or 0.
func holder(f *os.File) int {
	fi, err := f.Stat()
	if err != nil {
		return 0
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0
	}
	dev := uint64(st.Dev)
	want := fmt.Sprintf("%02x:%02x:%d", unix.Major(dev), unix.Minor(dev), st.Ino)
	locks, err := os.Open("/proc/locks")
	if err != nil {
		return 0
	}
	defer locks.Close()
	sc := bufio.NewScanner(locks)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		// "1:" "FLOCK" "ADVISORY" "WRITE" pid dev:inode start end; blocked waiters have "->".
		if len(fields) < 6 || fields[1] != "FLOCK" || fields[5] != want {
			continue
		}
		if pid, err := strconv.Atoi(fields[4]); err == nil && pid > 0 {
			return pid
		}
	}
	return 0
}
