package app

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

const (
	// logWriterDelay is how long a line may wait for others to go out
	// with it.
	logWriterDelay = 2 * time.Millisecond
	// logWriterBound is how much of the log may wait to be written: past
	// it a line's writer waits (and writes) instead of the log growing in
	// memory while the disk is slow.
	logWriterBound = 1 << 20
)

// logWriter hands the program's log lines to w from one goroutine, in
// batches: a line is appended to a buffer and that goroutine woken; it
// lets the lines of the next logWriterDelay gather and writes them in one
// call. Under load the lines of many requests share one write, the system
// call that was half of what a request's log line cost (docs/dev/
// performance.md). Warnings and errors do not wait (flushOnWarn), so a
// crash of the process (kill -9, out of memory) loses at most the
// information lines of its last 2 ms, never a warning logged before it.
// Close writes what is left. Writes never fail: an error of w is w's, as
// slog.Logger ignores it.
type logWriter struct {
	w    io.Writer
	mu   sync.Mutex // buf, closed
	buf  []byte     // lines not yet handed to w
	wmu  sync.Mutex // held while writing to w, taken before mu: batches go out in the order they were taken
	wake chan struct{}
	done chan struct{}

	closed bool
}

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{w: w, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go l.run()
	return l
}

// Write appends p (one line of the log, as slog writes it whole) to what is
// to be written.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	if !l.closed && len(l.buf)+len(p) <= logWriterBound {
		l.buf = append(l.buf, p...)
		// Woken under mu, so never after Close closed the channel.
		select {
		case l.wake <- struct{}{}:
		default: // already woken: the line goes with the next batch
		}
		l.mu.Unlock()
		return len(p), nil
	}
	l.mu.Unlock()
	// Closed, or too much waiting: write it here, after what came before.
	l.flush(nil, p)
	return len(p), nil
}

// run is the writing goroutine. Every line appended has a wake-up after
// it (sent, or already pending), so the loop writes it before it sees the
// channel closed.
func (l *logWriter) run() {
	defer close(l.done)
	var spare []byte
	for range l.wake {
		time.Sleep(logWriterDelay)
		spare = l.flush(spare, nil)
	}
}

// Flush writes what has gathered now.
func (l *logWriter) Flush() { l.flush(nil, nil) }

// flush writes what has gathered, then p, in one write; spare (a buffer
// already written) becomes the one lines gather in next, and the buffer
// written is handed back for the batch after.
func (l *logWriter) flush(spare, p []byte) []byte {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.mu.Lock()
	out := append(l.buf, p...)
	l.buf = spare[:0]
	l.mu.Unlock()
	if len(out) == 0 {
		return out
	}
	l.w.Write(out) //nolint:errcheck // see the type's comment
	if cap(out) > 64<<10 {
		return nil // a burst's buffer is not kept
	}
	return out
}

// Close writes what is left and stops the goroutine; later lines are
// written at once.
func (l *logWriter) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	l.mu.Unlock()
	close(l.wake)
	<-l.done
}

// flushOnWarn is a log handler that writes its warnings and errors at once,
// with every line before them.
type flushOnWarn struct {
	slog.Handler
	w *logWriter
}

func (h flushOnWarn) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.w.Flush()
	}
	return err
}

func (h flushOnWarn) WithAttrs(as []slog.Attr) slog.Handler {
	return flushOnWarn{h.Handler.WithAttrs(as), h.w}
}

func (h flushOnWarn) WithGroup(name string) slog.Handler {
	return flushOnWarn{h.Handler.WithGroup(name), h.w}
}
