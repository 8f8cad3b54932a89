package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"portique/internal/dbtest"
	"portique/internal/jobs"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newRunner(t *testing.T, c *clock) (*jobs.Runner, func() *jobs.Runner) {
	d := dbtest.NewDB(t)
	mk := func() *jobs.Runner {
		r := jobs.NewRunner(d)
		r.Now = c.Now
		r.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		return r
	}
	return mk(), mk
}

func TestRunOneSuccessAndRetry(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	r, _ := newRunner(t, c)
	calls := 0
	r.Handle("flaky", func(ctx context.Context, j jobs.Job) error {
		calls++
		if j.Payload != "x" {
			t.Errorf("Payload = %q, want x", j.Payload)
		}
		if j.Attempts < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	id, err := jobs.Enqueue(ctx, r.DB, "flaky", "x", c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if ran, err := r.RunOne(ctx); !ran || err != nil {
		t.Fatalf("RunOne = %v, %v; want a run", ran, err)
	}
	// Retry is scheduled later: nothing is due now.
	if ran, _ := r.RunOne(ctx); ran {
		t.Fatal("job ran again before its backoff")
	}
	st, _ := jobs.Get(ctx, r.DB, id)
	if st.Done || st.LastError != "not yet" || st.Attempts != 1 {
		t.Fatalf("after 1 failure: %+v", st)
	}
	c.Add(jobs.Backoff(1) + time.Second)
	r.RunOne(ctx)
	c.Add(jobs.Backoff(2) + time.Second)
	r.RunOne(ctx)
	st, _ = jobs.Get(ctx, r.DB, id)
	if !st.Done || st.LastError != "" || st.Attempts != 3 || calls != 3 {
		t.Fatalf("after success: %+v calls=%d", st, calls)
	}
}

func TestGiveUpAndPermanent(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	r, _ := newRunner(t, c)
	r.MaxAttempts = 2
	r.Handle("bad", func(ctx context.Context, j jobs.Job) error { return jobs.Permanent(errors.New("malformed")) })
	r.Handle("panics", func(ctx context.Context, j jobs.Job) error { panic("boom") })
	bad, _ := jobs.Enqueue(ctx, r.DB, "bad", "", c.Now())
	pan, _ := jobs.Enqueue(ctx, r.DB, "panics", "", c.Now())
	for range 5 {
		r.RunOne(ctx)
		c.Add(time.Hour)
	}
	for _, id := range []int64{bad, pan} {
		st, _ := jobs.Get(ctx, r.DB, id)
		if !st.Done || st.LastError == "" {
			t.Errorf("job %d: %+v, want abandoned with an error", id, st)
		}
	}
	if st, _ := jobs.Get(ctx, r.DB, bad); st.Attempts != 1 {
		t.Errorf("permanent error retried: attempts = %d", st.Attempts)
	}
	if st, _ := jobs.Get(ctx, r.DB, pan); st.Attempts != 2 {
		t.Errorf("panicking job attempts = %d, want MaxAttempts 2", st.Attempts)
	}
}

// A worker that dies holding a job (a crash, a restart) loses its lease; the
// job runs again on another worker, and the dead worker cannot record over it.
func TestSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	first, mk := newRunner(t, c)
	started := make(chan struct{})
	release := make(chan struct{})
	first.Handle("k", func(ctx context.Context, j jobs.Job) error {
		close(started)
		<-release
		return errors.New("late failure from a dead worker")
	})
	id, _ := jobs.Enqueue(ctx, first.DB, "k", "", c.Now())
	done := make(chan struct{})
	go func() { first.RunOne(context.Background()); close(done) }()
	<-started

	second := mk()
	second.Handle("k", func(ctx context.Context, j jobs.Job) error { return nil })
	if ran, _ := second.RunOne(ctx); ran {
		t.Fatal("second worker took a job under a live lease")
	}
	c.Add(second.Lease + time.Second)
	if ran, err := second.RunOne(ctx); !ran || err != nil {
		t.Fatalf("second worker did not take the expired job: %v %v", ran, err)
	}
	close(release)
	<-done
	st, _ := jobs.Get(ctx, second.DB, id)
	if !st.Done || st.LastError != "" {
		t.Fatalf("job state %+v: the dead worker's late result overwrote the new run", st)
	}
}

// Two runners (two instances) drain the same queue concurrently: every job
// runs exactly once. On PostgreSQL this exercises FOR UPDATE SKIP LOCKED.
func TestConcurrentRunnersNeverShareAJob(t *testing.T) {
	ctx := context.Background()
	c := &clock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	a, mk := newRunner(t, c)
	b := mk()
	const n = 120
	for i := range n {
		if _, err := jobs.Enqueue(ctx, a.DB, "count", fmt.Sprint(i), c.Now()); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	h := func(ctx context.Context, j jobs.Job) error {
		mu.Lock()
		seen[j.Payload]++
		mu.Unlock()
		return nil
	}
	a.Handle("count", h)
	b.Handle("count", h)
	var wg sync.WaitGroup
	for _, r := range []*jobs.Runner{a, a, b, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ran, err := r.RunOne(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if !ran {
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d distinct jobs ran, want %d", len(seen), n)
	}
	for p, k := range seen {
		if k != 1 {
			t.Errorf("job %s ran %d times", p, k)
		}
	}
	if left, _ := jobs.Pending(ctx, a.DB, "count"); left != 0 {
		t.Errorf("%d jobs still pending", left)
	}
}

func TestStartRunsUntilCancelled(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	r, _ := newRunner(t, c)
	got := make(chan string, 1)
	r.Handle("hello", func(ctx context.Context, j jobs.Job) error { got <- j.Payload; return nil })
	ctx, cancel := context.WithCancel(context.Background())
	wait := r.Start(ctx)
	jobs.Enqueue(ctx, r.DB, "hello", "bonjour", c.Now())
	r.Wake()
	select {
	case p := <-got:
		if p != "bonjour" {
			t.Errorf("payload %q", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("runner never ran the job")
	}
	cancel()
	wait()
}
