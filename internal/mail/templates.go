package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

var (
	textTmpl = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/*.txt"))
	htmlTmpl = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/*.html"))
)

// Data fills the email templates.
type Data struct {
	SiteName string
	Name     string // recipient's display name
	Link     string // one-time link (invitation, reset) or recovery page
	Expires  string // when the link stops working, in words ("dans 1 heure")
	Until    string // end of a lock, in Paris time

	// The notice kind (notifications, digests, convocations): every text
	// comes from the caller (its catalogue); the template lays it out.
	Subject          string
	Intro            string
	Items            []Item
	Actions          []Item // links to act on (answer a convocation…)
	Outro            string
	Unsubscribe      string // one-click unsubscribe page
	UnsubscribeLabel string
}

// Item is one line of a notice: what happened, to what, and where.
type Item struct {
	Label string
	Title string
	Note  string
	URL   string
}

// Kinds of emails.
const (
	Invitation = "invitation"
	Reset      = "reset"
	Locked     = "locked"
	Notice     = "notice"
	// TwoFactorReset tells a member an administrator removed their second
	// factor (Link: the page to set up a new one).
	TwoFactorReset = "twofa_reset"
)

// Render builds the message kind for to. The subject is the first line of
// the plain-text template ("Objet : …").
func Render(kind, to string, d Data) (Message, error) {
	var txt, html bytes.Buffer
	if err := textTmpl.ExecuteTemplate(&txt, kind+".txt", d); err != nil {
		return Message{}, fmt.Errorf("mail: render %s: %w", kind, err)
	}
	if err := htmlTmpl.ExecuteTemplate(&html, kind+".html", d); err != nil {
		return Message{}, fmt.Errorf("mail: render %s: %w", kind, err)
	}
	first, body, _ := strings.Cut(txt.String(), "\n")
	subject, ok := strings.CutPrefix(first, "Objet : ")
	if !ok {
		return Message{}, fmt.Errorf("mail: template %s has no subject line", kind)
	}
	return Message{To: to, Subject: strings.TrimSpace(subject), Text: strings.TrimLeft(body, "\n"), HTML: html.String()}, nil
}
