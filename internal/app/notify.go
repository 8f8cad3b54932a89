package app

import (
	"context"
	"log/slog"
	"time"

	"portique/internal/app/services"
	"portique/internal/db"
	"portique/internal/jobs"
)

// notifyJobs builds the runner of the e-mail jobs (notifications, digests,
// convocations) and queues the next daily digest. It is a runner of its
// own: a mail server that is down makes these jobs wait (backoff capped at
// one hour, for days) instead of holding text extraction, and they are
// never abandoned after a few tries as an extraction is.
func notifyJobs(ctx context.Context, d *db.DB, svc *services.Deps, log *slog.Logger, now func() time.Time) (*jobs.Runner, error) {
	r := jobs.NewRunner(d)
	r.Log = log
	r.Now = now
	r.MaxAttempts = 200 // ≈ 8 days of hourly retries
	svc.RegisterMailJobs(r)
	if err := svc.Notify.ScheduleDigest(ctx); err != nil {
		return nil, err
	}
	return r, nil
}
