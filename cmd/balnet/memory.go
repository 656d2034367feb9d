package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/balnet/balnet/config"
)

// memoryFlag defines --max-memory on fs; "" (the default) means the machine's available
// memory (availableMemory).
func memoryFlag(fs *flag.FlagSet) *string {
	return fs.String("max-memory", "", "refuse runs estimated to need more than `SIZE` (e.g. 2GiB; default: the available memory)")
}

// memoryBudget returns the memory a command may use and where that number comes from:
// --max-memory when given (an invalid one is a *config.Error naming --max-memory), else the
// machine's available memory.
func memoryBudget(maxMemory string) (float64, string, error) {
	if maxMemory != "" {
		b, err := config.ParseSize(maxMemory)
		if err != nil {
			return 0, "", &config.Error{Key: "--max-memory", Value: strconv.Quote(maxMemory), Allowed: err.Error()}
		}
		return b, "--max-memory " + maxMemory, nil
	}
	b, err := availableMemory()
	if err != nil {
		return math.Inf(1), "", nil // unknown: nothing to check against
	}
	return b, "available memory (MemAvailable, cgroup limit)", nil
}

// checkMemory refuses (exit 2, nothing written, nothing allocated) a command whose estimate
// exceeds the budget of --max-memory or of the machine. A command that fits gets the budget,
// less the program's code pages, as the Go runtime's soft memory limit (debug.SetMemoryLimit,
// unless GOMEMLIMIT is set), so that the collector reclaims a phase's garbage before the
// process outgrows what was checked.
func checkMemory(e config.Estimate, maxMemory string) error {
	limit, source, err := memoryBudget(maxMemory)
	if err != nil {
		return err
	}
	if err := e.Check(limit, source); err != nil {
		return usageError{err}
	}
	soft := limit - codePages // the limit counts the Go runtime's memory, not the program's code
	if os.Getenv("GOMEMLIMIT") == "" && !math.IsInf(limit, 1) && soft < float64(debug.SetMemoryLimit(-1)) {
		debug.SetMemoryLimit(int64(max(soft, 0)))
	}
	return nil
}

// codePages is the part of config.RuntimeOverhead that the Go runtime's memory limit does
// not count: the program's code and read-only data mapped from the binary (`balnet config`
// has a resident set of 16 MiB in all).
const codePages = 16 << 20

// availableMemory returns the memory a new process can use without swapping: MemAvailable
// of /proc/meminfo, or less when the process's cgroup (v2 memory.max, v1
// memory.limit_in_bytes) leaves less.
func availableMemory() (float64, error) {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	avail, err := meminfoAvailable(data)
	if err != nil {
		return 0, err
	}
	for _, c := range [][2]string{
		{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
		{"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"},
	} {
		limit, err1 := readNumber(c[0])
		used, err2 := readNumber(c[1])
		if err1 == nil && err2 == nil && limit < 1<<62 {
			avail = math.Min(avail, math.Max(limit-used, 0))
		}
	}
	return avail, nil
}

// meminfoAvailable parses the MemAvailable line of /proc/meminfo (kB) into bytes.
func meminfoAvailable(data []byte) (float64, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			break
		}
		kb, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			break
		}
		return kb * 1024, nil
	}
	return 0, errors.New("/proc/meminfo has no MemAvailable line in kB")
}

func readNumber(path string) (float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(string(data))
	if s == "max" {
		return math.Inf(1), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}
