package app

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// lockedBuffer is a writer the log writer's goroutine and the test share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// gate, when set, holds every write until it is closed (a slow disk).
	gate   chan struct{}
	writes int
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	if b.gate != nil {
		<-b.gate
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes++
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// checkLines checks that out holds every line of every writer, each
// writer's lines in the order written, none twice or cut.
func checkLines(t *testing.T, out string, writers, lines int) {
	t.Helper()
	next := make([]int, writers)
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var w, i int
		if _, err := fmt.Sscanf(l, "writer=%d line=%d", &w, &i); err != nil || w < 0 || w >= writers {
			t.Fatalf("a line cut or mixed with another: %q", l)
		}
		if i != next[w] {
			t.Fatalf("writer %d: line %d came where line %d was due", w, i, next[w])
		}
		next[w]++
	}
	for w, n := range next {
		if n != lines {
			t.Errorf("writer %d: %d lines written of %d", w, n, lines)
		}
	}
}

func writeLines(l *logWriter, writers, lines int) {
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range lines {
				l.Write(fmt.Appendf(nil, "writer=%d line=%d\n", w, i)) //nolint:errcheck // never fails
			}
		})
	}
	wg.Wait()
}

// Every line reaches the output, in order, once Close returns; after Close
// lines are written at once.
func TestLogWriterKeepsEveryLine(t *testing.T) {
	var out lockedBuffer
	l := newLogWriter(&out)
	writeLines(l, 8, 2000)
	l.Close()
	checkLines(t, out.String(), 8, 2000)

	l.Write([]byte("after close\n")) //nolint:errcheck // never fails
	if !strings.HasSuffix(out.String(), "after close\n") {
		t.Error("a line written after Close was not written at once")
	}
	l.Close() // twice: nothing
}

// While the output is held (a slow disk), what waits is bounded: a writer
// past the bound waits, and nothing is lost or reordered when it resumes.
func TestLogWriterBounded(t *testing.T) {
	out := lockedBuffer{gate: make(chan struct{})}
	l := newLogWriter(&out)
	line := bytes.Repeat([]byte("x"), 1023)
	line = append(line, '\n')
	// At most the buffer and two writes held (the goroutine's batch and a
	// writer's own) can be taken while the output is held: 4 bounds' worth
	// cannot.
	total := 4 * logWriterBound / len(line)
	var taken atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range total {
			l.Write(line) //nolint:errcheck // never fails
			taken.Add(1)
		}
	}()
	// Wait until the writer stops making progress (it waits for the held
	// output), checking the bound all along.
	last, still := int64(-1), 0
	for still < 20 {
		select {
		case <-done:
			t.Fatal("every line was taken while the output was held: the log grows without bound")
		case <-time.After(10 * time.Millisecond):
		}
		l.mu.Lock()
		n := len(l.buf)
		l.mu.Unlock()
		if n > logWriterBound {
			t.Fatalf("%d bytes waiting, past the bound of %d", n, logWriterBound)
		}
		if now := taken.Load(); now != last {
			last, still = now, 0
		} else {
			still++
		}
	}
	close(out.gate)
	<-done
	l.Close()
	if got, want := len(out.String()), total*len(line); got != want {
		t.Errorf("%d bytes written, want %d", got, want)
	}
}

// Under load lines share writes: fewer writes than lines.
func TestLogWriterBatches(t *testing.T) {
	out := lockedBuffer{gate: make(chan struct{})}
	l := newLogWriter(&out)
	go func() { writeLines(l, 4, 100); close(out.gate) }()
	<-out.gate
	l.Close()
	checkLines(t, out.String(), 4, 100)
	if out.writes >= 400 {
		t.Errorf("%d writes for 400 lines: no batching", out.writes)
	}
}

// A warning is written at once, with the lines before it; the program's
// logger is built that way.
func TestLogWarningsAtOnce(t *testing.T) {
	var out lockedBuffer
	l := newLogWriter(&out)
	defer l.Close()
	log := slog.New(flushOnWarn{slog.NewTextHandler(l, nil), l}).With("app", "portique")
	log.Info("request", "path", "/")
	log.Warn("smtp unreachable")
	got := out.String()
	if !strings.Contains(got, `msg=request app=portique path=/`) || !strings.Contains(got, `msg="smtp unreachable" app=portique`) {
		t.Fatalf("after a warning returned, the log held:\n%s", got)
	}
}
