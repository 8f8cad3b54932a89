package acts

import (
	"context"
	"fmt"
	"time"

	"portique/internal/access"
)

// LegalWeek is the delay, in days, within which the list of the
// deliberations examined at a session (CGCT L. 2121-25) and its minutes,
// counted from the session that adopts them (L. 2121-15), go online.
const LegalWeek = 7

// Due is one publication a session still owes.
type Due struct {
	Kind Kind   // List or Minutes
	From string // the day the week runs from ("" for minutes not yet adopted)
	By   string // the last day ("" when From is "")
	// DaysLeft is the number of days left until By included (0 on the
	// last day, negative when late); meaningless when By is "".
	DaysLeft int
}

// Deadline is a session whose list of deliberations or minutes is not
// online yet.
type Deadline struct {
	Session Session
	Missing []Due
}

// Deadlines lists the sessions whose list of deliberations or minutes is
// not published yet, oldest first (Edit on the register: the
// secretariat's screen), with the days left of the legal week.
func (s *Store) Deadlines(ctx context.Context, p access.Principal) ([]Deadline, error) {
	if err := need(ctx, s.db, p, access.Edit, "deadlines"); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+sessionCols+`,
		(SELECT COUNT(*) FROM acts a JOIN act_publications p ON p.act_id = a.id WHERE a.session_id = s.id AND a.kind = ?),
		(SELECT COUNT(*) FROM acts a JOIN act_publications p ON p.act_id = a.id WHERE a.session_id = s.id AND a.kind = ?)
		FROM act_sessions s ORDER BY s.held_on, s.id`, string(List), string(Minutes))
	if err != nil {
		return nil, fmt.Errorf("acts: deadlines: %w", err)
	}
	defer rows.Close()
	today := day(s.Today())
	var out []Deadline
	for rows.Next() {
		var ss Session
		var body string
		var lists, minutes int
		if err := rows.Scan(&ss.ID, &body, &ss.HeldOn, &ss.Place, &ss.EventID, &ss.MinutesApprovedOn, &lists, &minutes); err != nil {
			return nil, err
		}
		ss.Body = Body(body)
		var d Deadline
		if lists == 0 {
			d.Missing = append(d.Missing, due(List, ss.HeldOn, today))
		}
		if minutes == 0 {
			if ss.MinutesApprovedOn == "" {
				d.Missing = append(d.Missing, Due{Kind: Minutes})
			} else {
				d.Missing = append(d.Missing, due(Minutes, ss.MinutesApprovedOn, today))
			}
		}
		if len(d.Missing) > 0 {
			d.Session = ss
			out = append(out, d)
		}
	}
	return out, rows.Err()
}

func due(k Kind, from string, today time.Time) Due {
	by := day(from).AddDate(0, 0, LegalWeek)
	return Due{Kind: k, From: from, By: by.Format(time.DateOnly), DaysLeft: int(by.Sub(today).Hours() / 24)}
}

// DaysLate is how many days the publication is overdue (0 when it is not).
func (d Due) DaysLate() int { return max(0, -d.DaysLeft) }
