// Package convocations turns an event into a session of a body (comité,
// bureau, commission) with a convened group: "Envoyer la convocation"
// e-mails every member the agenda and the event's linked documents (each
// link checked against that member's grants); each member answers présent,
// absent or pouvoir à another member; the organiser sees attendance and
// whether the quorum is reached, and exports the attendance list.
//
// The rules of answers live here (Answer): a proxy goes to another member
// of the convened group; each member holds at most one proxy; a member who
// holds a proxy cannot give one, and a proxy cannot go to a member who gave
// theirs. The quorum follows the CGCT (article L.2121-17): the majority of
// the members in office must be physically present — proxies do not count.
//
// Mail goes through the durable job queue like notifications (the jobs are
// registered with RegisterJobs); a change to the event after the convocation
// went out is told to the convened (a hook on notify's fan-out).
package convocations

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/valid"
)

// Bodies that hold sessions.
const (
	Comite     = "comite"
	Bureau     = "bureau"
	Commission = "commission"
)

// Bodies lists them in the order the form offers them.
var Bodies = []string{Comite, Bureau, Commission}

// Answers a member gives.
const (
	Present = "present"
	Absent  = "absent"
	Proxy   = "proxy" // pouvoir à another member
)

// ErrNotConvened: the account is not a member of the convened group (an
// answer from someone else, a forged answer link). web answers 404.
var ErrNotConvened = errors.New("convocations: not a convened member")

// ErrNotSent: answers are taken once the convocation went out.
var ErrNotSent = errors.New("convocations: the convocation was not sent")

// Convocation is the session data of an event.
type Convocation struct {
	EventID   int64
	Body      string
	GroupID   int64
	GroupName string
	Agenda    string // plain text, one item a line
	SentAt    *time.Time
	UpdatedAt time.Time
}

// AgendaItems are the agenda's non-empty lines.
func (c Convocation) AgendaItems() []string {
	var out []string
	for _, l := range strings.Split(c.Agenda, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// Form is what the organiser types.
type Form struct {
	Body    string
	GroupID int64
	Agenda  string
}

const maxAgenda = 10000

func (f *Form) validate() error {
	ve := valid.Errors{}
	ok := false
	for _, b := range Bodies {
		ok = ok || f.Body == b
	}
	if !ok {
		ve.Add("body", "convocations.error.body")
	}
	if f.GroupID <= 2 { // not a pseudo-group: they have no list of members
		ve.Add("group", "convocations.error.group")
	}
	f.Agenda = strings.TrimSpace(strings.ReplaceAll(strings.ToValidUTF8(f.Agenda, ""), "\r\n", "\n"))
	if f.Agenda == "" {
		ve.Add("agenda", "convocations.error.agenda_required")
	} else if utf8.RuneCountInString(f.Agenda) > maxAgenda {
		ve.Add("agenda", "convocations.error.agenda_too_long", maxAgenda)
	}
	return ve.Err()
}

// Line is one member's line of the attendance list.
type Line struct {
	UserID     int64
	Name       string
	Email      string
	Answer     string // "" when not answered yet
	ProxyTo    int64
	ProxyName  string // whom they gave their proxy to
	HoldsFrom  string // whose proxy they hold ("" when none)
	AnsweredAt *time.Time
}

// Attendance is the state of a session's answers.
type Attendance struct {
	Convocation
	Lines    []Line
	InOffice int // members of the convened group (live, enabled accounts)
	Present  int
	Absent   int
	Proxies  int
	Waiting  int // not answered
	// Quorum is the number of members present needed: the majority of
	// the members in office (CGCT L.2121-17), proxies not counted.
	Quorum  int
	Reached bool
}

// QuorumOf is the majority of n members in office: more than half.
func QuorumOf(n int) int { return n/2 + 1 }
