//go:build unix

package pages_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time used by the test process so far. Benchmarks
// report it per operation: on a machine shared with other work, wall time
// measures the neighbours as much as the code.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
