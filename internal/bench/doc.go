// Package bench holds the server-side micro-benchmarks of the web layer
// (go test -bench . ./internal/bench/): the cost of one request through the
// full middleware chain on a real database, without the network or a load
// generator competing for the CPU. The end-to-end load test of the real
// binary over loopback is cmd/portique-bench (make bench).
package bench
