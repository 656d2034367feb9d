//go:build unix

package sim

import "syscall"

// cpuSeconds is the CPU time (user + system) of the process so far, for benchmarks on a
// shared machine where the wall time depends on the load.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)*1e-6
}
