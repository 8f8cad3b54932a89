// Package jobs is the durable background work queue: rows of the jobs table,
// claimed by one worker at a time, retried with backoff, and never lost on a
// restart (a claim is a lease: when the worker dies, the lease runs out and
// another worker takes the job).
//
// On PostgreSQL several instances may run a Runner against the same table: a
// claim uses FOR UPDATE SKIP LOCKED, so two workers never get the same job. On
// SQLite the claim is one conditional UPDATE, which SQLite serialises.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"portique/internal/db"
)

// Job is one claimed unit of work.
type Job struct {
	ID       int64
	Kind     string
	Payload  string
	Attempts int // including the current one
}

// Handler does the work of one job. Returning an error schedules a retry
// (with backoff) until MaxAttempts; returning Permanent(err) gives up at once.
type Handler func(ctx context.Context, j Job) error

// Enqueue adds a job that may run from runAt on. Call it inside the
// transaction that creates the work (an upload, a message) so the job exists
// exactly when the work does.
func Enqueue(ctx context.Context, q db.Querier, kind, payload string, runAt time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "INSERT INTO jobs (kind, payload, run_at) VALUES (?, ?, ?) RETURNING id",
		kind, payload, runAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", kind, err)
	}
	return id, nil
}

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks an error that retrying cannot fix (a malformed payload).
func Permanent(err error) error { return permanent{err} }

// Runner claims due jobs and runs their handlers.
type Runner struct {
	DB          *db.DB
	Lease       time.Duration // how long a claim holds before another worker may retry it
	Poll        time.Duration // idle wait between polls
	MaxAttempts int
	Workers     int // jobs run at once
	Now         func() time.Time
	Log         *slog.Logger

	mu       sync.Mutex
	handlers map[string]Handler
	wake     chan struct{}
}

// NewRunner returns a Runner with sensible defaults: a 5-minute lease, a
// one-second poll, 5 attempts, one worker.
func NewRunner(d *db.DB) *Runner {
	return &Runner{
		DB: d, Lease: 5 * time.Minute, Poll: time.Second, MaxAttempts: 5, Workers: 1,
		Now: time.Now, Log: slog.Default(),
		handlers: map[string]Handler{}, wake: make(chan struct{}, 1),
	}
}

// Handle registers the handler of a kind. Jobs of kinds without a handler
// are left for another instance (or a later version) to run.
func (r *Runner) Handle(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[kind] = h
}

// Wake makes an idle Runner poll now (after enqueueing a job in this process).
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Start runs the workers until ctx is cancelled. It returns at once; the
// returned function waits for the workers to stop.
func (r *Runner) Start(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	for range max(1, r.Workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.loop(ctx)
		}()
	}
	return wg.Wait
}

func (r *Runner) loop(ctx context.Context) {
	for ctx.Err() == nil {
		ran, err := r.RunOne(ctx)
		if err != nil && ctx.Err() == nil {
			r.Log.Error("jobs: claim", "err", err)
		}
		if ran {
			continue
		}
		t := time.NewTimer(r.Poll)
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

func (r *Runner) kinds() []any {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]any, 0, len(r.handlers))
	for k := range r.handlers {
		out = append(out, k)
	}
	return out
}

// RunOne claims one due job and runs it; ran is false when none was due.
// The error reports a failure to talk to the database, not a handler error
// (those are recorded on the job).
func (r *Runner) RunOne(ctx context.Context) (ran bool, err error) {
	j, token, ok, err := r.claim(ctx)
	if err != nil || !ok {
		return false, err
	}
	r.mu.Lock()
	h := r.handlers[j.Kind]
	r.mu.Unlock()
	hctx, cancel := context.WithTimeout(ctx, r.Lease)
	herr := safeRun(hctx, h, j)
	cancel()
	if ctx.Err() != nil && herr != nil {
		// Shutting down: leave the lease to run out so the job is retried.
		return true, nil
	}
	return true, r.finish(context.WithoutCancel(ctx), j, token, herr)
}

func safeRun(ctx context.Context, h Handler, j Job) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return h(ctx, j)
}

func (r *Runner) claim(ctx context.Context) (Job, string, bool, error) {
	kinds := r.kinds()
	if len(kinds) == 0 {
		return Job{}, "", false, nil
	}
	now := r.Now().UTC()
	var b [12]byte
	rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	lock := ""
	if r.DB.Dialect() == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	cond := "done_at IS NULL AND run_at <= ? AND (locked_until IS NULL OR locked_until < ?) AND kind IN (" + db.In(len(kinds)) + ")"
	args := []any{now.Add(r.Lease), token, now, now}
	args = append(args, kinds...)
	args = append(args, now, now)
	args = append(args, kinds...)
	// The outer condition repeats the inner one: on SQLite it makes the
	// update a no-op if another connection claimed the row in between.
	q := "UPDATE jobs SET locked_until = ?, lock_token = ?, attempts = attempts + 1 WHERE " + cond +
		" AND id = (SELECT id FROM jobs WHERE " + cond + " ORDER BY run_at, id LIMIT 1" + lock + ")" +
		" RETURNING id, kind, payload, attempts"
	var j Job
	err := r.DB.QueryRow(ctx, q, args...).Scan(&j.ID, &j.Kind, &j.Payload, &j.Attempts)
	if errors.Is(db.NotFound(err), db.ErrNotFound) {
		return Job{}, "", false, nil
	}
	if err != nil {
		return Job{}, "", false, fmt.Errorf("jobs: claim: %w", err)
	}
	return j, token, true, nil
}

// finish records the outcome while our claim still holds.
func (r *Runner) finish(ctx context.Context, j Job, token string, herr error) error {
	now := r.Now().UTC()
	var err error
	var perm permanent
	switch {
	case herr == nil:
		_, err = r.DB.Exec(ctx, "UPDATE jobs SET done_at = ?, locked_until = NULL, last_error = '' WHERE id = ? AND lock_token = ?", now, j.ID, token)
	case errors.As(herr, &perm) || j.Attempts >= r.MaxAttempts:
		r.Log.Warn("jobs: giving up", "kind", j.Kind, "id", j.ID, "attempts", j.Attempts, "err", herr)
		_, err = r.DB.Exec(ctx, "UPDATE jobs SET done_at = ?, locked_until = NULL, last_error = ? WHERE id = ? AND lock_token = ?",
			now, truncate("abandoned: "+herr.Error()), j.ID, token)
	default:
		r.Log.Info("jobs: will retry", "kind", j.Kind, "id", j.ID, "attempts", j.Attempts, "err", herr)
		_, err = r.DB.Exec(ctx, "UPDATE jobs SET run_at = ?, locked_until = NULL, last_error = ? WHERE id = ? AND lock_token = ?",
			now.Add(Backoff(j.Attempts)), truncate(herr.Error()), j.ID, token)
	}
	if err != nil {
		return fmt.Errorf("jobs: finish %d: %w", j.ID, err)
	}
	return nil
}

// Backoff is the wait before retry n+1 after n failed attempts: 10 s, 40 s,
// 90 s… capped at one hour.
func Backoff(attempts int) time.Duration {
	d := time.Duration(attempts*attempts) * 10 * time.Second
	return min(d, time.Hour)
}

func truncate(s string) string {
	if len(s) > 1000 {
		return s[:1000]
	}
	return s
}

// Status is the state of one job, for tests and the admin page.
type Status struct {
	Kind      string
	Attempts  int
	Done      bool
	LastError string
}

// Get reads a job's state.
func Get(ctx context.Context, q db.Querier, id int64) (Status, error) {
	var s Status
	var done *time.Time
	err := q.QueryRow(ctx, "SELECT kind, attempts, done_at, last_error FROM jobs WHERE id = ?", id).
		Scan(&s.Kind, &s.Attempts, &done, &s.LastError)
	if err != nil {
		return s, fmt.Errorf("jobs: get %d: %w", id, db.NotFound(err))
	}
	s.Done = done != nil
	return s, nil
}

// Pending counts jobs of a kind not done yet.
func Pending(ctx context.Context, q db.Querier, kind string) (int, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM jobs WHERE kind = ? AND done_at IS NULL", kind).Scan(&n)
	return n, err
}
