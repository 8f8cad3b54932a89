package web

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/contact"
	"portique/internal/contact/form"
	"portique/internal/pages"
)

const contactFields = `Nom | texte | obligatoire
Adresse e-mail | email | obligatoire
Téléphone | telephone
Commune | texte
Objet | choix | obligatoire | Collecte des déchets ; Déchèteries ; Autre demande
Message | texte-long | obligatoire
Pièce jointe | fichier`

// contactSite is a site whose page /contact holds a contact form.
type contactSite struct {
	ts   *testServer
	page *pages.Page
}

func newContactSite(t *testing.T) *contactSite {
	t.Helper()
	ts := newTestServer(t)
	ctx := context.Background()
	a := access.Actor{Principal: access.Member(0, true, nil), Name: "admin@sydrav.fr"}
	st := ts.srv.pages
	home, err := st.CreateHome(ctx, a, "Accueil")
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Create(ctx, a, home.ID, pages.NewPage{Title: "Contact"})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := st.SaveDraft(ctx, a, p.ID, p.DraftRev, "Contact", []pages.Block{
		{Type: pages.BlockText, HTML: "<p>Écrivez-nous.</p>"},
		{Type: pages.BlockContact, Contact: &form.Config{Fields: contactFields, Recipient: "accueil@sydrav.fr",
			Purpose: "Répondre à votre demande.", DPO: "dpo@sydrav.fr"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = st.Publish(ctx, a, p.ID, rev.ID, ""); err != nil {
		t.Fatal(err)
	}
	return &contactSite{ts: ts, page: p}
}

var (
	contactActionRe = regexp.MustCompile(`<form id="contact-1" method="post" action="([^"]+)"`)
	contactKeyRe    = regexp.MustCompile(`name="cle" value="([^"]+)"`)
)

// contactForm loads /contact as c and returns the form's action and key.
func (f *contactSite) contactForm(t *testing.T, c *client) (action, key string) {
	t.Helper()
	rec := c.get(t, "/contact")
	wantStatus(t, rec, http.StatusOK)
	b := body(t, rec)
	m, k := contactActionRe.FindStringSubmatch(b), contactKeyRe.FindStringSubmatch(b)
	if m == nil || k == nil {
		t.Fatalf("no contact form on the page: %.2000s", b)
	}
	return html.UnescapeString(m[1]), k[1]
}

type upload struct {
	field, name string
	data        []byte
}

// postContact sends the form as multipart, as a browser does.
func postContact(t *testing.T, c *client, action string, fields map[string]string, files ...upload) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v) //nolint:errcheck
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile(f.field, f.name)
		w.Write(f.data) //nolint:errcheck
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, action, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(t, req)
}

// goodMessage is a complete message with a solved captcha.
func goodMessage(t *testing.T, c *client, key string) map[string]string {
	return map[string]string{"cle": key, "f0": "Jeanne Martin", "f1": "jeanne@example.fr", "f2": "06 12 34 56 78", "f3": "Rives",
		"f4": "Déchèteries", "f5": "Bonjour,\nquels horaires ?", "consentement": "1", "altcha": solveCaptcha(t, c)}
}

var pdf = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

func (f *contactSite) messages(t *testing.T) []*contact.Message {
	t.Helper()
	msgs, _, err := f.ts.srv.contact.List(context.Background(), access.System().Principal, contact.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestContactSubmit(t *testing.T) {
	f := newContactSite(t)
	c := f.ts.visitor()
	action, key := f.contactForm(t, c)
	rec := postContact(t, c, action, goodMessage(t, c, key), upload{"f6", "plan.pdf", pdf})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/contact" {
		t.Fatalf("Location = %q", loc)
	}
	b := body(t, c.get(t, "/contact"))
	if !strings.Contains(b, "Votre message a bien été envoyé") {
		t.Fatalf("no confirmation: %.1500s", b)
	}
	msgs := f.messages(t)
	if len(msgs) != 1 || msgs[0].Sender != "jeanne@example.fr" || msgs[0].Subject != "Déchèteries" || msgs[0].Recipient != "accueil@sydrav.fr" {
		t.Fatalf("stored = %+v", msgs)
	}
	m, err := f.ts.srv.contact.Get(context.Background(), access.System().Principal, msgs[0].ID)
	if err != nil || len(m.Attachments) != 1 || m.Attachments[0].MediaType != "application/pdf" || m.Values[5].Value != "Bonjour,\nquels horaires ?" {
		t.Fatalf("message = %+v, %v", m, err)
	}
	// The same form posted twice is stored once, and says so.
	rec = postContact(t, c, action, goodMessage(t, c, key))
	wantStatus(t, rec, http.StatusSeeOther)
	if b := body(t, c.get(t, "/contact")); !strings.Contains(b, "déjà parvenu") {
		t.Fatalf("no duplicate notice: %.1500s", b)
	}
	if n := len(f.messages(t)); n != 1 {
		t.Fatalf("%d messages after a double post", n)
	}
	// A page with a form is never kept by the visitors' cache (it holds
	// the visitor's tokens).
	if cc := c.get(t, "/contact").Header().Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control = %q", cc)
	}
}

// Bad input: each error in French, linked to its field, the input kept,
// nothing stored.
func TestContactBadInput(t *testing.T) {
	f := newContactSite(t)
	c := f.ts.visitor()
	action, key := f.contactForm(t, c)
	big := bytes.Repeat([]byte("a"), int(f.ts.srv.contact.MaxFileSize)+10)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), bytes.Repeat([]byte{0}, 200)...)
	for _, tc := range []struct {
		name   string
		change func(m map[string]string)
		files  []upload
		want   []string // texts and links of the answer
	}{
		{"missing fields", func(m map[string]string) { m["f0"], m["f5"] = "", "" },
			nil, []string{`href="#contact-1-f0"`, "Nom : ce champ est obligatoire.", `href="#contact-1-f5"`, `aria-invalid="true" aria-describedby="contact-1-f0-error"`}},
		{"bad email and phone", func(m map[string]string) { m["f1"], m["f2"] = "jeanne@", "appelez-moi" },
			nil, []string{"n’est pas valide (exemple : nom@exemple.fr)", "numéro de téléphone n’est pas valide", `value="jeanne@"`}},
		{"forged choice", func(m map[string]string) { m["f4"] = "Facturation" }, nil, []string{"choisissez une réponse dans la liste"}},
		{"missing consent", func(m map[string]string) { delete(m, "consentement") }, nil, []string{`href="#contact-1-consent"`, "Cochez la case de consentement"}},
		{"wrong captcha", func(m map[string]string) { delete(m, "altcha"); m["question_token"], m["question"] = "1.2.3", "7" },
			nil, []string{`href="#contact-1-question"`, "La vérification anti-robot a échoué"}},
		{"wrong type", nil, []upload{{"f6", "photo.pdf", exe}}, []string{"n’est pas d’un type accepté", "photo.pdf"}},
		{"empty file", nil, []upload{{"f6", "vide.pdf", nil}}, []string{"« vide.pdf » est vide"}},
		{"no file chosen", nil, []upload{{"f6", "", nil}}, nil},
		{"huge file", nil, []upload{{"f6", "gros.pdf", big}}, []string{"dépasse la taille maximale"}},
		{"too many files", nil, []upload{{"f6", "1.pdf", pdf}, {"f6", "2.pdf", pdf}, {"f6", "3.pdf", pdf}, {"f6", "4.pdf", pdf}, {"f6", "5.pdf", pdf}, {"f6", "6.pdf", pdf}},
			[]string{"5 fichiers au plus par message"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.ts.db.Exec(context.Background(), "DELETE FROM throttle") //nolint:errcheck // a fresh rate-limit window
			m := goodMessage(t, c, key)
			if tc.change != nil {
				tc.change(m)
			}
			rec := postContact(t, c, action, m, tc.files...)
			if tc.name == "no file chosen" {
				// An empty file input is no file: the message goes.
				wantStatus(t, rec, http.StatusSeeOther)
				f.ts.db.Exec(context.Background(), "DELETE FROM contact_messages") //nolint:errcheck
				return
			}
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			b := html.UnescapeString(body(t, rec))
			kept := []string{`value="Rives"`, "Déchèteries</option>"}
			if tc.name != "missing fields" {
				kept = append(kept, `value="Jeanne Martin"`, "quels horaires ?")
			}
			for _, w := range append(append(tc.want, `class="form-errors" role="alert"`, "choisissez-les de nouveau"), kept...) {
				if !strings.Contains(b, html.UnescapeString(w)) {
					t.Errorf("answer lacks %q", w)
				}
			}
			if t.Failed() {
				i := strings.Index(b, "block-contact")
				t.Logf("%.3000s", b[max(i, 0):])
			}
			if n := len(f.messages(t)); n != 0 {
				t.Fatalf("%d messages stored", n)
			}
		})
	}
}

// Malformed bodies get a French error page, never a half-stored message.
func TestContactMalformed(t *testing.T) {
	f := newContactSite(t)
	c := f.ts.visitor()
	action, _ := f.contactForm(t, c)
	req := httptest.NewRequest(http.MethodPost, action, strings.NewReader("--xyz\r\nContent-Disposition: form-data; name=\"f0\"\r\n\r\nJeanne"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=xyz")
	rec := c.do(t, req)
	wantStatus(t, rec, http.StatusBadRequest)
	if !strings.Contains(body(t, rec), "lang=\"fr\"") {
		t.Fatal("not the French error page")
	}
	// A body over every limit: 413.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, _ := mw.CreateFormFile("f6", "x.pdf")
	w.Write(bytes.Repeat([]byte("a"), int(f.ts.srv.contactBody())+1)) //nolint:errcheck
	mw.Close()
	req = httptest.NewRequest(http.MethodPost, action, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	wantStatus(t, c.do(t, req), http.StatusRequestEntityTooLarge)
	// No such block, a block that is not a form, a forged page.
	for _, a := range []string{
		fmt.Sprintf("/formulaire-contact/%d/0", f.page.ID), fmt.Sprintf("/formulaire-contact/%d/7", f.page.ID), "/formulaire-contact/99999/1",
	} {
		wantStatus(t, postContact(t, c, a+"?csrf="+c.csrf, map[string]string{"f0": "x"}), http.StatusNotFound)
	}
	if n := len(f.messages(t)); n != 0 {
		t.Fatalf("%d messages stored", n)
	}
}

// A flood from one address gets 429, and nothing more is stored.
func TestContactRateLimit(t *testing.T) {
	f := newContactSite(t)
	c := f.ts.visitor()
	limit := f.ts.srv.contact.RateLimit
	for i := 0; i < limit; i++ {
		action, key := f.contactForm(t, c)
		wantStatus(t, postContact(t, c, action, goodMessage(t, c, key)), http.StatusSeeOther)
	}
	action, key := f.contactForm(t, c)
	rec := postContact(t, c, action, goodMessage(t, c, key))
	wantStatus(t, rec, http.StatusTooManyRequests)
	if !strings.Contains(html.UnescapeString(body(t, rec)), "Trop de messages") {
		t.Fatal("no French explanation")
	}
	if n := len(f.messages(t)); n != limit {
		t.Fatalf("%d messages stored, want %d", n, limit)
	}
}

// The inbox is for administrators and the groups granted Manage on it:
// anonymous visitors, members without the grant, forged ids and another
// message's attachment id are all refused.
func TestContactInboxAccess(t *testing.T) {
	f := newContactSite(t)
	ts := f.ts
	v := ts.visitor()
	for i := 0; i < 2; i++ {
		action, key := f.contactForm(t, v)
		wantStatus(t, postContact(t, v, action, goodMessage(t, v, key), upload{"f6", "plan" + strconv.Itoa(i) + ".pdf", pdf}), http.StatusSeeOther)
	}
	msgs := f.messages(t)
	m1, _ := ts.srv.contact.Get(context.Background(), access.System().Principal, msgs[1].ID)
	m2, _ := ts.srv.contact.Get(context.Background(), access.System().Principal, msgs[0].ID)
	att1 := fmt.Sprintf("/admin/messages/%d/pieces/%d", m1.ID, m1.Attachments[0].ID)
	crossed := fmt.Sprintf("/admin/messages/%d/pieces/%d", m2.ID, m1.Attachments[0].ID)

	gAccueil := ts.createGroup(t, "Accueil")
	member := ts.loginAs(t, ts.createUser(t, "elu@sydrav.fr", false))
	staff := ts.loginAs(t, ts.createUser(t, "accueil@sydrav.fr", false, gAccueil))
	admin := ts.loginAs(t, ts.createUser(t, "admin@sydrav.fr", true))

	paths := []string{"/admin/messages", fmt.Sprintf("/admin/messages/%d", m1.ID), att1, "/admin/messages/export.csv"}
	for _, p := range paths {
		if rec := v.get(t, p); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/connexion") {
			t.Errorf("anonymous %s: %d %s", p, rec.Code, rec.Header().Get("Location"))
		}
		wantStatusPath(t, member.get(t, p), http.StatusForbidden, p)
		wantStatusPath(t, staff.get(t, p), http.StatusForbidden, p)
	}
	wantStatus(t, member.post(t, fmt.Sprintf("/admin/messages/%d/statut", m1.ID), map[string][]string{"traite": {"1"}}), http.StatusForbidden)
	wantStatus(t, staff.get(t, "/admin/messages/droits"), http.StatusForbidden)

	// The administrator grants the inbox to the group.
	wantStatus(t, admin.post(t, "/admin/messages/droits", map[string][]string{"acces_" + strconv.FormatInt(gAccueil, 10): {"view"}}), http.StatusSeeOther)
	for _, p := range paths {
		wantStatusPath(t, staff.get(t, p), http.StatusOK, p)
	}
	rec := staff.get(t, att1)
	if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || rec.Body.String() != string(pdf) {
		t.Fatalf("download: %q %q", cd, rec.Body.String())
	}
	wantStatus(t, staff.get(t, crossed), http.StatusNotFound)
	wantStatus(t, staff.get(t, "/admin/messages/99999"), http.StatusNotFound)
	wantStatus(t, staff.get(t, "/admin/messages/99999/pieces/1"), http.StatusNotFound)
	wantStatus(t, member.get(t, "/admin/messages"), http.StatusForbidden)

	// Read, mark "traité", export.
	b := html.UnescapeString(body(t, staff.get(t, fmt.Sprintf("/admin/messages/%d", m1.ID))))
	for _, w := range []string{"Jeanne Martin", "quels horaires ?", "plan0.pdf", "Marquer comme traité"} {
		if !strings.Contains(b, w) {
			t.Errorf("message page lacks %q", w)
		}
	}
	wantStatus(t, staff.post(t, fmt.Sprintf("/admin/messages/%d/statut", m1.ID), map[string][]string{"traite": {"1"}}), http.StatusSeeOther)
	b = html.UnescapeString(body(t, staff.get(t, "/admin/messages?statut=traites")))
	if !strings.Contains(b, fmt.Sprintf(`href="/admin/messages/%d"`, m1.ID)) || strings.Contains(b, fmt.Sprintf(`href="/admin/messages/%d"`, m2.ID)) {
		t.Fatalf("done filter: %.2000s", b)
	}
	csvBody := staff.get(t, "/admin/messages/export.csv").Body.String()
	if !strings.Contains(csvBody, "Traité") || !strings.Contains(csvBody, "Nom : Jeanne Martin") || strings.Count(csvBody, "jeanne@example.fr") != 4 {
		t.Fatalf("csv: %s", csvBody)
	}
}

func wantStatusPath(t *testing.T, rec *httptest.ResponseRecorder, want int, path string) {
	t.Helper()
	if rec.Code != want {
		t.Errorf("%s: status %d, want %d", path, rec.Code, want)
	}
}

// The page editor adds a contact block with an example, and refuses an
// invalid one with errors linked to its fields.
func TestContactBlockEditor(t *testing.T) {
	f := newContactSite(t)
	admin := f.ts.loginAs(t, f.ts.createUser(t, "admin@sydrav.fr", true))
	edit := fmt.Sprintf("/pages/%d/modifier", f.page.ID)
	b := html.UnescapeString(body(t, admin.get(t, edit)))
	for _, w := range []string{`name="blocks.1.contact_fields"`, "Pièce jointe | fichier", `value="accueil@sydrav.fr"`, `<option value="contact">Formulaire de contact</option>`} {
		if !strings.Contains(b, w) {
			t.Errorf("editor lacks %q", w)
		}
	}
	form := map[string][]string{"base": {strconv.FormatInt(f.page.PublishedRev, 10)}, "title": {"Contact"}, "op": {"add"}, "add_type": {"contact"},
		"blocks.0.type": {"contact"}, "blocks.0.contact_fields": {"Nom | date"}, "blocks.0.contact_recipient": {"pas-une-adresse"}, "blocks.0.contact_purpose": {""}, "blocks.0.contact_dpo": {"dpo@sydrav.fr"}}
	rec := admin.post(t, edit, form)
	wantStatus(t, rec, http.StatusOK)
	b = html.UnescapeString(body(t, rec))
	if strings.Count(b, `name="blocks.1.contact_fields"`) != 1 || !strings.Contains(b, "Nom | texte | obligatoire") {
		t.Fatalf("added block lacks its example: %.500s", b)
	}
	form["op"] = []string{"save"}
	rec = admin.post(t, edit, form)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	b = html.UnescapeString(body(t, rec))
	for _, w := range []string{`href="#blocks.0.contact_fields"`, "Ligne 1 : « date » n’est pas un type de champ", `href="#blocks.0.contact_recipient"`, `href="#blocks.0.contact_purpose"`, `id="blocks.0.contact_fields-error"`} {
		if !strings.Contains(b, w) {
			t.Errorf("editor errors lack %q", w)
		}
	}
}
