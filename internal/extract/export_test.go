package extract

import "flag"

// LimitForTest applies the child's -mem limit the way RunChild does, for the
// memory-hog test child.
func LimitForTest(args []string) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.String("type", "", "")
	mem := fs.Int64("mem", 0, "")
	fs.Parse(args)
	if *mem > 0 {
		limitAddressSpace(uint64(*mem))
	}
}
