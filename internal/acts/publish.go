package acts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/valid"
)

// Publish puts a draft online (Manage on the register): it records, once
// and for good, the moment, the publisher's first name, name and title as
// confirmed in the form, and the SHA-256 of the file, recomputed now from
// the stored bytes (a file that no longer matches what was uploaded is not
// published). The act is indexed for the site search when it is public.
// Publishing a published act is refused with ErrPublished (and audited).
func (s *Store) Publish(ctx context.Context, a access.Actor, id int64, who Person) error {
	if err := need(ctx, s.db, a.Principal, access.Manage, "publish"); err != nil {
		return err
	}
	who, errs := checkPublisher(who)
	if len(errs) > 0 {
		return errs
	}
	if err := s.refuseIfPublished(ctx, a, id, "publish"); err != nil {
		return err
	}
	var key, sha string
	if err := s.db.QueryRow(ctx, "SELECT blob_key, sha256 FROM acts WHERE id = ?", id).Scan(&key, &sha); err != nil {
		return fmt.Errorf("acts: publish %d: %w", id, db.NotFound(err))
	}
	got, size, err := s.fingerprint(key)
	if err != nil || got != sha {
		return valid.One("", "acts.error.file_changed")
	}
	now := s.Now().UTC()
	refused := false
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := need(ctx, tx, a.Principal, access.Manage, "publish"); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "UPDATE acts SET published_at = ?, updated_at = ? WHERE id = ? AND published_at IS NULL AND sha256 = ?", now, now, id, sha)
		if err != nil {
			return fmt.Errorf("acts: publish %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			refused = true
			return ErrPublished
		}
		// A correction points at a published act; check it still is (it
		// always stays so: published acts are never deleted).
		if _, err := tx.Exec(ctx, `INSERT INTO act_publications (act_id, published_at, publisher_id, publisher_first, publisher_last, publisher_title, sha256, size)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, now, nullID(a.UserID), who.First, who.Last, who.Title, sha, size); err != nil {
			return fmt.Errorf("acts: record publication of %d: %w", id, err)
		}
		if err := s.reindex(ctx, tx, id); err != nil {
			return err
		}
		var number string
		var corrects int64
		if err := tx.QueryRow(ctx, "SELECT number, COALESCE(corrects_id, 0) FROM acts WHERE id = ?", id).Scan(&number, &corrects); err != nil {
			return err
		}
		detail := fmt.Sprintf("number=%s sha256=%s publisher=%q", number, sha, who.FullName()+", "+who.Title)
		if corrects != 0 {
			detail += fmt.Sprintf(" corrects=act:%d", corrects)
			if err := audit.Record(ctx, tx, a, now, "act.rectified", audit.Object("act", corrects), fmt.Sprintf("by=act:%d", id)); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, a, now, "act.published", audit.Object("act", id), detail)
	})
	if refused {
		return s.refused(ctx, a, id, "publish")
	}
	return err
}

// fingerprint reads a stored file and returns its SHA-256 and size.
func (s *Store) fingerprint(key string) (string, int64, error) {
	f, err := s.blobs.Open(key)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, f, make([]byte, 64<<10))
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// Withdraw records the withdrawal of a published act (Manage on the
// register): the act stays in the register, with its file, and shows the
// mention and its reason. Nothing else of it changes; a withdrawal cannot
// be undone. A draft is refused with ErrNotPublished (delete it instead),
// a withdrawn act with ErrWithdrawn.
func (s *Store) Withdraw(ctx context.Context, a access.Actor, id int64, reason string) error {
	if err := need(ctx, s.db, a.Principal, access.Manage, "withdraw"); err != nil {
		return err
	}
	reason = clean(reason)
	switch {
	case reason == "":
		return valid.One("reason", "acts.error.reason_required")
	case utf8.RuneCountInString(reason) > 500:
		return valid.One("reason", "acts.error.too_long", 500)
	}
	now := s.Now().UTC()
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var published int
		var withdrawn *string
		var at any
		err := tx.QueryRow(ctx, "SELECT COUNT(p.act_id), MAX(a.withdrawn_reason), MAX(a.withdrawn_at) FROM acts a LEFT JOIN act_publications p ON p.act_id = a.id WHERE a.id = ?", id).Scan(&published, &withdrawn, &at)
		if err != nil {
			return fmt.Errorf("acts: withdraw %d: %w", id, err)
		}
		if withdrawn == nil {
			return db.ErrNotFound
		}
		if published == 0 {
			return ErrNotPublished
		}
		if at != nil {
			return ErrWithdrawn
		}
		if _, err := tx.Exec(ctx, "UPDATE acts SET withdrawn_at = ?, withdrawn_by = ?, withdrawn_reason = ?, updated_at = ? WHERE id = ? AND withdrawn_at IS NULL",
			now, nullID(a.UserID), reason, now, id); err != nil {
			return fmt.Errorf("acts: withdraw %d: %w", id, err)
		}
		if err := s.reindex(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, now, "act.withdrawn", audit.Object("act", id), fmt.Sprintf("reason=%q", reason))
	})
}
