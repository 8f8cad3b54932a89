package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"time"
)

// DefaultMemLimit is the default address-space limit of the child.
const DefaultMemLimit = 2 << 30

// WasmMemLimit is the address-space limit when the pdfium engine runs: the
// WebAssembly runtime reserves about 2 GiB of address space (about 300 MB of
// it is really used).
const WasmMemLimit = 4 << 30

// Subcommand is the name of the hidden subcommand main must dispatch to
// RunChild: `portique extract-worker …`.
const Subcommand = "extract-worker"

// Child runs extractions in a child process.
type Child struct {
	// Exe and Args start the child; the path, media type and limits are
	// appended. In production: os.Executable() and [Subcommand].
	Exe  string
	Args []string
	Env  []string // extra environment (tests use it to re-enter TestMain)
	// Timeout is the wall-clock limit of one file (default 60 s, 5 min
	// when OCR is on).
	Timeout time.Duration
	// MemLimit is the child's address-space limit in bytes (default 2 GiB;
	// a Go process alone reserves about 1.2 GiB of address space, so less
	// than 2 GiB starves it); it applies to the tools the child starts
	// (pdftotext) too. The child's Go heap is also held to a quarter of it.
	// The pdfium engine gets at least WasmMemLimit.
	MemLimit int64
	// Options choose the PDF engine and pdfium's code cache.
	Options Options
}

// NewChild returns the Child that re-runs this very binary as
// `<exe> extract-worker`; pdfium's compiled code is cached in cacheDir
// (DataDir/cache/pdfium is a good place). OCR is on: it runs only when
// tesseract is installed.
func NewChild(cacheDir string) (*Child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, errf("find own executable: %w", err)
	}
	return &Child{Exe: exe, Args: []string{Subcommand}, Options: Options{CacheDir: cacheDir, OCR: true}}, nil
}

// Extract runs one extraction in a child process. A file that makes the
// child run out of time or memory, or crash, gets a Result with a reason
// (it would fail again: retrying is pointless); an error means the child
// could not be run at all (worth retrying later).
func (c *Child) Extract(ctx context.Context, path, mediaType string) (Result, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
		if c.Options.OCR {
			timeout = 5 * time.Minute
		}
	}
	mem := c.MemLimit
	if mem <= 0 {
		mem = DefaultMemLimit
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := append(append([]string{}, c.Args...), "-type", mediaType, "-mem", strconv.FormatInt(mem, 10),
		"-engine", c.Options.Engine, "-cache", c.Options.CacheDir, "-ocr="+strconv.FormatBool(c.Options.OCR), "--", path)
	cmd := exec.CommandContext(cctx, c.Exe, args...)
	cmd.Env = append(os.Environ(), c.Env...)
	var out, stderr bytes.Buffer
	cmd.Stdout = &limitedBuffer{buf: &out, max: MaxText + 1<<20}
	cmd.Stderr = &limitedBuffer{buf: &stderr, max: 16 << 10}
	cmd.Stdin = nil
	setGroup(cmd) // kill the child and its own children (pdftotext) together
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return Result{}, ctx.Err() // shutting down: not the file's fault
	}
	if cctx.Err() != nil {
		return Result{Reason: ReasonTimeout}, nil
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return Result{}, errf("start child: %w", err)
	}
	var res Result
	if err != nil || json.Unmarshal(out.Bytes(), &res) != nil {
		return Result{Reason: ReasonTooComplex}, nil
	}
	return res, nil
}

// RunChild is the body of the extract-worker subcommand: it limits its own
// memory, extracts one file and writes the Result as JSON on stdout. It
// returns the exit code.
func RunChild(args []string) int {
	fs := flag.NewFlagSet(Subcommand, flag.ContinueOnError)
	mt := fs.String("type", "", "media type of the file")
	mem := fs.Int64("mem", DefaultMemLimit, "address-space limit in bytes")
	var o Options
	fs.StringVar(&o.Engine, "engine", EngineAuto, "PDF engine: pdftotext or pdfium (default: pdftotext when installed)")
	fs.StringVar(&o.CacheDir, "cache", "", "directory for pdfium's compiled code")
	fs.BoolVar(&o.OCR, "ocr", false, "read image-only PDFs with tesseract when installed")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: extract-worker -type MEDIA/TYPE -mem BYTES -- FILE")
		return 2
	}
	if *mem > 0 && *mt == "application/pdf" && o.PDFEngine() == EnginePdfium {
		*mem = max(*mem, WasmMemLimit)
	}
	if *mem > 0 {
		// The Go heap is kept well under the hard limit; the hard limit
		// (inherited by pdftotext) stops anything that still grows.
		debug.SetMemoryLimit(*mem / 4)
		if err := limitAddressSpace(uint64(*mem)); err != nil {
			fmt.Fprintln(os.Stderr, "extract-worker:", err)
			return 1
		}
	}
	res, err := File(context.Background(), fs.Arg(0), *mt, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "extract-worker:", err)
		return 1
	}
	return writeJSON(os.Stdout, res)
}

func writeJSON(w io.Writer, res Result) int {
	if err := json.NewEncoder(w).Encode(res); err != nil {
		fmt.Fprintln(os.Stderr, "extract-worker:", err)
		return 1
	}
	return 0
}
