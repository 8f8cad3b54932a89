// Package contact is the contact form's back office: the messages visitors
// send through a page's "Formulaire de contact" block (the form itself is
// defined in package form), their attachments, the inbox staff read them
// in, the e-mail that tells the form's address, and the purge after the
// retention period.
//
// The inbox is one object of the access model (kind "contact", node 1)
// with no grant by default: administrators read it, and any group they
// grant Manage on it. Every method that reads or changes messages checks
// it here, in the store. Sending a message is open to whoever may see the
// form's page (the web layer shows the form only there), with a rate limit
// per client address and the site's captcha.
package contact

import (
	"errors"
	"io"
	"time"

	"portique/internal/access"
	"portique/internal/contact/form"
)

// Kind is the kind of the inbox's access node; NodeID is its id.
const (
	Kind   access.Kind = "contact"
	NodeID int64       = 1
)

// JobMail is the kind of the job that e-mails a message to its form's
// address.
const JobMail = "contact.mail"

// State refusals (web maps each once).
var (
	// ErrThrottled: the client address sent too many messages lately.
	ErrThrottled = errors.New("contact: too many messages from this address")
	// ErrDuplicate: this form (its submission key) was already received.
	ErrDuplicate = errors.New("contact: message already received")
)

// Message is one message of the inbox.
type Message struct {
	ID          int64
	PageID      int64
	FormTitle   string
	Recipient   string
	Values      []form.Value
	Sender      string // the first e-mail field
	Subject     string // the first choice (or text) field
	CreatedAt   time.Time
	DoneAt      time.Time // zero while not "traité"
	DoneBy      string
	MailedAt    time.Time // zero until the e-mail went out
	Attachments []Attachment
}

// Done reports whether the message is marked "traité".
func (m *Message) Done() bool { return !m.DoneAt.IsZero() }

// Attachment is a file sent with a message (Data only from
// Store.Attachment).
type Attachment struct {
	ID        int64
	MessageID int64
	Field     string // the field's label
	Filename  string
	MediaType string
	Size      int64
	Data      []byte
}

// Upload is a file a visitor sent, not read yet.
type Upload struct {
	Name string
	Size int64 // as announced by the request (checked again while reading)
	Open func() (io.ReadCloser, error)
}

// Submission is what a visitor sent through a form.
type Submission struct {
	PageID    int64
	FormTitle string
	Config    form.Config
	Values    map[string]string   // form.Name(i) → text
	Files     map[string][]Upload // form.Name(i) → files of a file field
	Consent   bool                // the consent checkbox was ticked
	Human     bool                // the captcha was solved (the web layer checks it)
	Key       string              // submission key of the form shown
}

// Filter selects messages of the inbox.
type Filter struct {
	Status string // "" every message, "todo" or "done"
	Offset int
	Limit  int // default 50
}
