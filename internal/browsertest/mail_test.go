package browsertest

import (
	"net/smtp"
	"strings"
	"testing"
)

// The harness's SMTP server receives a real SMTP conversation (here from the
// standard library's client, with AUTH PLAIN) and decodes what programs
// send: encoded subject, multipart, quoted-printable with soft line breaks
// inside a long link.
func TestMailboxReceivesAndDecodes(t *testing.T) {
	mb := StartMailServer(t)
	link := "http://127.0.0.1:8080/reinitialisation/" + strings.Repeat("AbC123_-", 10)
	qp := strings.Join(splitEvery("Bonjour,=0D=0A=0D=0ACliquez ici : "+link+"=0D=0A", 70), "=\r\n")
	raw := "From: Portique <no-reply@localhost>\r\n" +
		"To: elu@example.fr\r\n" +
		"Subject: =?utf-8?q?R=C3=A9initialisation_du_mot_de_passe?=\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp + "\r\n" +
		"--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"PHA+Qm9uam91cjwvcD4=\r\n" +
		"--b1--\r\n"
	auth := smtp.PlainAuth("", mb.User, mb.Password, "127.0.0.1")
	if err := smtp.SendMail(mb.Addr(), auth, "no-reply@localhost", []string{"elu@example.fr"}, []byte(raw)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	m := mb.Wait(t, "elu@example.fr", "Réinitialisation", 0)
	if m.Subject != "Réinitialisation du mot de passe" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if got := m.Link(t, "/reinitialisation/"); got != link {
		t.Errorf("Link = %q, want %q", got, link)
	}
	if m.HTML != "<p>Bonjour</p>" {
		t.Errorf("HTML = %q", m.HTML)
	}
	if m.From != "no-reply@localhost" || !m.SentTo("ELU@example.fr") || m.SentTo("autre@example.fr") {
		t.Errorf("envelope from %q to %v", m.From, m.To)
	}

	// Wrong credentials are refused: the server does check them.
	bad := smtp.PlainAuth("", mb.User, "wrong", "127.0.0.1")
	if err := smtp.SendMail(mb.Addr(), bad, "x@localhost", []string{"y@example.fr"}, []byte("Subject: x\r\n\r\nx\r\n")); err == nil {
		t.Error("SendMail with a wrong password succeeded")
	}
	if n := mb.Count(); n != 1 {
		t.Errorf("%d messages kept, want 1", n)
	}
}

func splitEvery(s string, n int) []string {
	var out []string
	for len(s) > n {
		// never cut an =XX escape
		cut := n
		for i := cut - 2; i < cut && i < len(s); i++ {
			if s[i] == '=' {
				cut = i
			}
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return append(out, s)
}
