package acts

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
	"portique/internal/valid"
)

const sessionCols = "id, body, held_on, place, COALESCE(event_id, 0), minutes_approved_on"

func scanSession(sc scanner) (Session, error) {
	var ss Session
	var body string
	err := sc.Scan(&ss.ID, &body, &ss.HeldOn, &ss.Place, &ss.EventID, &ss.MinutesApprovedOn)
	ss.Body = Body(body)
	return ss, err
}

func (s *Store) sessionRow(ctx context.Context, q db.Querier, id int64) (Session, error) {
	ss, err := scanSession(q.QueryRow(ctx, "SELECT "+sessionCols+" FROM act_sessions WHERE id = ?", id))
	if err != nil {
		return ss, fmt.Errorf("acts: session %d: %w", id, db.NotFound(err))
	}
	return ss, nil
}

// sessionVisible is the rule for sessions: edit on the register sees them
// all; view sees those holding at least one act it may see (a session is
// known to the public through its published acts).
func sessionVisible(p access.Principal) (string, []any) {
	if p.Admin {
		return "1=1", nil
	}
	ed, edArgs := p.Filter(Register, itoa(RegisterID), access.Edit)
	vis, visArgs := visible(p)
	return "((" + ed + ") OR EXISTS (SELECT 1" + actFrom + " WHERE a.session_id = s.id AND " + vis + "))", append(edArgs, visArgs...)
}

// Session returns a session p may see with the acts of it p may see, and
// the title of its calendar event when p may see that too.
func (s *Store) Session(ctx context.Context, p access.Principal, id int64) (Session, error) {
	f, args := sessionVisible(p)
	ss, err := scanSession(s.db.QueryRow(ctx, "SELECT "+sessionCols+" FROM act_sessions s WHERE s.id = ? AND "+f, append([]any{id}, args...)...))
	if err != nil {
		return ss, fmt.Errorf("acts: session %d: %w", id, db.NotFound(err))
	}
	acts, _, _, err := s.Find(ctx, p, Filter{SessionID: id, Limit: 200})
	if err != nil {
		return ss, err
	}
	ss.Acts = acts
	s.eventTitle(ctx, p, &ss)
	return ss, nil
}

// eventTitle names the session's event when p may see it (the calendar
// store decides, with its own rule).
func (s *Store) eventTitle(ctx context.Context, p access.Principal, ss *Session) {
	if ss.EventID == 0 || s.Events == nil {
		return
	}
	if e, _, err := s.Events.Event(ctx, p, ss.EventID); err == nil {
		ss.EventTitle = e.Title
	}
}

// Sessions lists the sessions p may see, newest first (year 0: all).
func (s *Store) Sessions(ctx context.Context, p access.Principal, year int) ([]Session, error) {
	f, args := sessionVisible(p)
	q := "SELECT " + sessionCols + " FROM act_sessions s WHERE " + f
	if year > 0 {
		q += " AND s.held_on >= ? AND s.held_on < ?"
		args = append(args, fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-01-01", year+1))
	}
	rows, err := s.db.Query(ctx, q+" ORDER BY s.held_on DESC, s.id DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("acts: sessions: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, rows.Err()
}

// checkEvent checks that the event a session links to exists and that its
// author may see it.
func (s *Store) checkEvent(ctx context.Context, p access.Principal, id int64) error {
	if id == 0 {
		return nil
	}
	if s.Events == nil {
		return valid.One("event", "acts.error.event")
	}
	if _, _, err := s.Events.Event(ctx, p, id); err != nil {
		if errors.Is(err, db.ErrNotFound) || errors.Is(err, access.ErrForbidden) {
			return valid.One("event", "acts.error.event")
		}
		return err
	}
	return nil
}

// CreateSession records a session (Edit on the register).
func (s *Store) CreateSession(ctx context.Context, a access.Actor, in SessionInput) (int64, error) {
	if err := need(ctx, s.db, a.Principal, access.Edit, "create session"); err != nil {
		return 0, err
	}
	in, errs := in.validate()
	if len(errs) > 0 {
		return 0, errs
	}
	if err := s.checkEvent(ctx, a.Principal, in.EventID); err != nil {
		return 0, err
	}
	now := s.Now().UTC()
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO act_sessions (body, held_on, place, event_id, minutes_approved_on, created_at, created_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, string(in.Body), in.HeldOn, in.Place, nullID(in.EventID), in.MinutesApprovedOn, now, nullID(a.UserID), now).Scan(&id); err != nil {
			return fmt.Errorf("acts: insert session: %w", err)
		}
		return audit.Record(ctx, tx, a, now, "act_session.created", audit.Object("act_session", id), fmt.Sprintf("body=%s held_on=%s", in.Body, in.HeldOn))
	})
	return id, err
}

// UpdateSession changes a session (Edit on the register). Its acts are not
// touched: a published act keeps what it was published with.
func (s *Store) UpdateSession(ctx context.Context, a access.Actor, id int64, in SessionInput) error {
	if err := need(ctx, s.db, a.Principal, access.Edit, "update session"); err != nil {
		return err
	}
	in, errs := in.validate()
	if len(errs) > 0 {
		return errs
	}
	if err := s.checkEvent(ctx, a.Principal, in.EventID); err != nil {
		return err
	}
	now := s.Now().UTC()
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE act_sessions SET body = ?, held_on = ?, place = ?, event_id = ?, minutes_approved_on = ?, updated_at = ? WHERE id = ?",
			string(in.Body), in.HeldOn, in.Place, nullID(in.EventID), in.MinutesApprovedOn, now, id)
		if err != nil {
			return fmt.Errorf("acts: update session %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return audit.Record(ctx, tx, a, now, "act_session.updated", audit.Object("act_session", id), fmt.Sprintf("body=%s held_on=%s approved_on=%s", in.Body, in.HeldOn, in.MinutesApprovedOn))
	})
}

// DeleteSession deletes a session holding no act (Edit on the register);
// ErrSessionInUse otherwise.
func (s *Store) DeleteSession(ctx context.Context, a access.Actor, id int64) error {
	if err := need(ctx, s.db, a.Principal, access.Edit, "delete session"); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM acts WHERE session_id = ?", id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrSessionInUse
		}
		res, err := tx.Exec(ctx, "DELETE FROM act_sessions WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("acts: delete session %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return audit.Record(ctx, tx, a, s.Now(), "act_session.deleted", audit.Object("act_session", id), "")
	})
}

var (
	siretRe  = regexp.MustCompile(`^\d{14}$`)
	prefIDRe = regexp.MustCompile(`^(PREF\d{2}[0-9AB]|SPREF\d{2}[0-9AB]\d|SGAR\d{2}[0-9AB])?$`)
)

// SaveSettings changes the register's open-data settings (Manage).
func (s *Store) SaveSettings(ctx context.Context, a access.Actor, st Settings) error {
	if err := need(ctx, s.db, a.Principal, access.Manage, "settings"); err != nil {
		return err
	}
	st = Settings{CollName: clean(st.CollName), CollSIRET: strings.ReplaceAll(strings.TrimSpace(st.CollSIRET), " ", ""), PrefID: strings.ToUpper(strings.TrimSpace(st.PrefID))}
	errs := valid.Errors{}
	if st.CollName == "" {
		errs.Add("coll_name", "acts.error.coll_name")
	} else if tooLong(st.CollName, 200) {
		errs.Add("coll_name", "acts.error.too_long", 200)
	}
	if !siretRe.MatchString(st.CollSIRET) {
		errs.Add("coll_siret", "acts.error.siret")
	}
	if !prefIDRe.MatchString(st.PrefID) {
		errs.Add("pref_id", "acts.error.pref_id")
	}
	if len(errs) > 0 {
		return errs
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE act_register SET coll_name = ?, coll_siret = ?, pref_id = ? WHERE id = 1", st.CollName, st.CollSIRET, st.PrefID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, a, s.Now(), "register.settings", audit.Object("register", RegisterID), fmt.Sprintf("siret=%s pref_id=%s", st.CollSIRET, st.PrefID))
	})
}
