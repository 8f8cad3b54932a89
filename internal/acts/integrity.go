package acts

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
)

// Failure is one published file whose bytes no longer match the
// fingerprint recorded at publication.
type Failure struct {
	ActID  int64
	Number string
	FileNo int    // 0: the act's file; n: annex n
	Want   string // SHA-256 recorded at publication
	Found  string // SHA-256 of the stored bytes, or "missing"
}

// Report is the result of one integrity check of the register.
type Report struct {
	At       time.Time
	Files    int
	Failures []Failure
}

// Verify recomputes the SHA-256 of every published file (acts and their
// annexes) and compares it with the one recorded at publication. Each
// result is kept (act_checks) so the act's page and the secretariat's
// screen show a mismatch; a new mismatch is written to the audit trail.
// Nothing is ever "repaired": the register shows the alert until the right
// bytes are back (restored from a backup). It runs as the system, for the
// command line and the daily housekeeping.
func (s *Store) Verify(ctx context.Context) (Report, error) {
	rep := Report{At: s.Now().UTC()}
	type file struct {
		act    int64
		number string
		no     int
		want   string
		key    string
	}
	var files []file
	rows, err := s.db.Query(ctx, `SELECT a.id, a.number, 0, p.sha256, a.blob_key FROM acts a JOIN act_publications p ON p.act_id = a.id
		UNION ALL
		SELECT a.id, a.number, x.position, x.sha256, x.blob_key FROM act_annexes x JOIN acts a ON a.id = x.act_id JOIN act_publications p ON p.act_id = a.id
		ORDER BY 1, 3`)
	if err != nil {
		return rep, fmt.Errorf("acts: verify: %w", err)
	}
	for rows.Next() {
		var f file
		if err := rows.Scan(&f.act, &f.number, &f.no, &f.want, &f.key); err != nil {
			rows.Close()
			return rep, err
		}
		files = append(files, f)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return rep, err
	}
	rows.Close()
	sys := access.System()
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		got, _, err := s.fingerprint(f.key)
		if errors.Is(err, fs.ErrNotExist) {
			got = "missing"
		} else if err != nil {
			got = "unreadable"
		}
		ok := got == f.want
		rep.Files++
		if !ok {
			rep.Failures = append(rep.Failures, Failure{ActID: f.act, Number: f.number, FileNo: f.no, Want: f.want, Found: got})
		}
		err = s.db.InTx(ctx, func(tx *db.Tx) error {
			var wasOK *bool
			if err := tx.QueryRow(ctx, "SELECT ok FROM act_checks WHERE act_id = ? AND file_no = ?", f.act, f.no).Scan(&wasOK); err != nil && !errors.Is(db.NotFound(err), db.ErrNotFound) {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO act_checks (act_id, file_no, checked_at, ok, found) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (act_id, file_no) DO UPDATE SET checked_at = excluded.checked_at, ok = excluded.ok, found = excluded.found`,
				f.act, f.no, rep.At, ok, got); err != nil {
				return err
			}
			if !ok && (wasOK == nil || *wasOK) {
				return audit.Record(ctx, tx, sys, rep.At, "act.integrity_failure", audit.Object("act", f.act),
					fmt.Sprintf("file=%d want=%s found=%s", f.no, f.want, got))
			}
			if ok && wasOK != nil && !*wasOK {
				return audit.Record(ctx, tx, sys, rep.At, "act.integrity_restored", audit.Object("act", f.act), fmt.Sprintf("file=%d sha256=%s", f.no, got))
			}
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("acts: record check of %d: %w", f.act, err)
		}
	}
	return rep, nil
}

// Failures lists the files whose last check failed (Edit on the register:
// the secretariat's screen).
func (s *Store) Failures(ctx context.Context, p access.Principal) ([]Failure, error) {
	if err := need(ctx, s.db, p, access.Edit, "failures"); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT c.act_id, a.number, c.file_no, c.found, CASE WHEN c.file_no = 0 THEN p.sha256 ELSE COALESCE(x.sha256, '') END
		FROM act_checks c JOIN acts a ON a.id = c.act_id JOIN act_publications p ON p.act_id = a.id
		LEFT JOIN act_annexes x ON x.act_id = c.act_id AND x.position = c.file_no
		WHERE c.ok = FALSE ORDER BY c.act_id, c.file_no`)
	if err != nil {
		return nil, fmt.Errorf("acts: failures: %w", err)
	}
	defer rows.Close()
	var out []Failure
	for rows.Next() {
		var f Failure
		if err := rows.Scan(&f.ActID, &f.Number, &f.FileNo, &f.Found, &f.Want); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ClaimDailyVerify reports whether this instance should run the daily
// integrity check now, and if so moves the next run a day ahead: on
// several instances only one runs it each day.
func (s *Store) ClaimDailyVerify(ctx context.Context) (bool, error) {
	now := s.Now().UTC()
	res, err := s.db.Exec(ctx, "UPDATE act_register SET next_verify_at = ? WHERE id = 1 AND (next_verify_at IS NULL OR next_verify_at <= ?)", now.Add(24*time.Hour), now)
	if err != nil {
		return false, fmt.Errorf("acts: claim verify: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
