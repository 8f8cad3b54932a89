// Package acts is the register of acts (publicité des actes): the sessions
// of the syndicate's deliberative bodies, its acts (deliberations, arrêtés,
// decisions, minutes and lists of the deliberations examined) with their
// signed PDF and annexes, and their publication, which the law wants
// complete, non-modifiable, preserved, integrity-guaranteed, downloadable
// and dated (CGCT L. 2131-1, R. 2131-1 ff., applied to syndicates by
// L. 5211-3).
//
// The register is one access-controlled object, the node (Register, 1):
// view reads the published public acts (Everyone by default), edit prepares
// drafts and sessions, manage publishes, withdraws and rectifies (the
// secretariat). Drafts are seen only by edit and above; an act flagged as
// individual or carrying personal data is not public unless it is
// explicitly made so.
//
// Once published, an act is never changed nor deleted: no method of the
// store does it (an attempt is refused with ErrPublished and audited) and
// database triggers refuse it under any code path. A correction is a new
// act linked to the old one; a withdrawal keeps the act with a mention.
package acts

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"portique/internal/access"
)

// Register is the access kind of the register; its one node has id
// RegisterID.
const (
	Register   access.Kind = "register"
	RegisterID int64       = 1
)

// SearchKind is the kind of the acts in the site's search index.
const SearchKind = "act"

// JobExtract is the job kind extracting the text of an act's file.
const JobExtract = "acts.extract"

// State refusals (web maps each to a 409 page with its own message).
var (
	// ErrPublished: the act is published; it can no longer be changed or
	// deleted. The attempt is recorded in the audit trail.
	ErrPublished = errors.New("acts: a published act cannot be changed")
	// ErrNotPublished: withdrawing or rectifying needs a published act.
	ErrNotPublished = errors.New("acts: the act is not published")
	// ErrWithdrawn: the act was already withdrawn.
	ErrWithdrawn = errors.New("acts: the act is already withdrawn")
	// ErrSessionInUse: a session holding acts cannot be deleted.
	ErrSessionInUse = errors.New("acts: the session holds acts")
)

// Kind is the type of an act.
type Kind string

// The types of acts.
const (
	Deliberation Kind = "deliberation"
	Arrete       Kind = "arrete"
	Decision     Kind = "decision"
	Minutes      Kind = "pv"    // procès-verbal de séance
	List         Kind = "liste" // liste des délibérations examinées
)

// Kinds are the types of acts, in the order forms and filters show them.
var Kinds = []Kind{Deliberation, Arrete, Decision, Minutes, List}

// Valid reports whether k is a known type.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// InSession reports whether acts of this type belong to a session.
func (k Kind) InSession() bool { return k == Deliberation || k == Minutes || k == List }

// Body is a deliberative body of the syndicate.
type Body string

// The bodies.
const (
	Comite Body = "comite" // comité syndical
	Bureau Body = "bureau" // bureau syndical
)

// Bodies are the bodies, in display order.
var Bodies = []Body{Comite, Bureau}

// Valid reports whether b is a known body.
func (b Body) Valid() bool { return b == Comite || b == Bureau }

// Person is a first name, a name and a title (qualité), as the law wants
// them shown for the author of an act and kept for who put it online.
type Person struct {
	First, Last, Title string
}

// FullName is "First Last".
func (p Person) FullName() string { return strings.TrimSpace(p.First + " " + p.Last) }

// Vote is the vote of a deliberation.
type Vote struct {
	Members int // effectif théorique (members of the body)
	Present int // présents et représentés (voters)
	For     int
	Against int
	Abstain int
}

// File is a stored file of an act (its own, or an annex).
type File struct {
	Filename  string
	MediaType string
	Size      int64
	SHA256    string
	BlobKey   string
}

// Annex is an annex of an act.
type Annex struct {
	Position int
	Title    string
	File
}

// Publication is the record written once when an act goes online.
type Publication struct {
	At        time.Time
	Publisher Person
	SHA256    string
	Size      int64
}

// Check is the last integrity check of one published file that failed.
type Check struct {
	FileNo    int // 0: the act's file; n: annex n
	CheckedAt time.Time
	Found     string // the SHA-256 found, or "missing"
}

// Ref names another act (the act it rectifies, the acts rectifying it).
type Ref struct {
	ID     int64
	Kind   Kind
	Number string
	Date   string
}

// Act is one act of the register.
type Act struct {
	ID         int64
	Kind       Kind
	Number     string
	Date       string // YYYY-MM-DD
	Subject    string
	SessionID  int64
	Session    *Session // summary (no acts) when SessionID is set
	MatterCode string
	Vote       *Vote // deliberations
	Signer     Person
	Individual bool
	Public     bool
	BudgetYear string
	BudgetName string
	PrefDate   string
	File
	Annexes     []Annex
	Corrects    *Ref  // the act this one rectifies
	CorrectedBy []Ref // published acts rectifying this one
	Publication *Publication
	WithdrawnAt *time.Time
	Withdrawn   string // reason of the withdrawal
	TextStatus  string
	Pages       int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Failures are the files whose last integrity check failed.
	Failures []Check
}

// Published reports whether the act is online.
func (a Act) Published() bool { return a.Publication != nil }

// Day is the act's date as a time (midnight UTC).
func (a Act) Day() time.Time { return day(a.Date) }

// Matter returns the act's subject-matter classification (zero when none).
func (a Act) Matter() Matter { return MatterOf(a.MatterCode) }

// Session is a sitting of the comité or the bureau.
type Session struct {
	ID                int64
	Body              Body
	HeldOn            string // YYYY-MM-DD
	Place             string
	EventID           int64  // the calendar's event, 0 when none
	EventTitle        string // filled when the asker may see the event
	MinutesApprovedOn string // YYYY-MM-DD of the session that adopted its minutes, "" not yet
	Acts              []Act  // the acts examined the asker may see (Session only)
}

// Day is the session's date as a time (midnight UTC).
func (s Session) Day() time.Time { return day(s.HeldOn) }

func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// Settings are the register's data for the open-data export.
type Settings struct {
	CollName  string // official name of the body (COLL_NOM)
	CollSIRET string // 14 digits (COLL_SIRET)
	PrefID    string // the prefecture's identifier (PREF_ID), e.g. PREF026
}

// Filter selects acts in the register.
type Filter struct {
	Kind      Kind
	Year      int
	SessionID int64
	From, To  string // YYYY-MM-DD, inclusive, on the act's date
	Text      string // words searched inside the acts (the site's index)
	Drafts    bool   // only drafts (the secretariat's list)
	Limit     int    // default 50
	Offset    int
}

// Status of text extraction.
const (
	TextPending = "pending"
	TextDone    = "done"
	TextNone    = "none"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
