//go:build !unix

package extract

import "os/exec"

func setGroup(cmd *exec.Cmd) {}

// limitAddressSpace is not available here; the timeout still applies.
func limitAddressSpace(n uint64) error { return nil }
