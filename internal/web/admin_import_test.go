package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func (c *client) uploadCSV(t *testing.T, path, csrf, name, content string) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("fichier", name)
	must(t, err)
	fw.Write([]byte(content))
	must(t, mw.Close())
	req := httptest.NewRequest(http.MethodPost, path+"?csrf="+url.QueryEscape(csrf), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(t, req)
}

func TestAccountsImportOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	ts.createGroup(t, "Élus")
	admin := ts.loginAs(t, ts.createUser(t, "admin@sydrav.fr", true))
	member := ts.loginAs(t, ts.createUser(t, "membre@sydrav.fr", false))
	wantStatus(t, member.get(t, "/admin/utilisateurs/import"), http.StatusForbidden)
	if b := body(t, admin.get(t, "/admin/utilisateurs")); !strings.Contains(b, `href="/admin/utilisateurs/import"`) {
		t.Error("the accounts list has no link to the import")
	}
	b := body(t, admin.get(t, "/admin/utilisateurs/import"))
	if !strings.Contains(b, `name="fichier"`) {
		t.Fatal("no file field")
	}

	rec := admin.uploadCSV(t, "/admin/utilisateurs/import", admin.csrf, "comptes.csv",
		"courriel;nom;groupes\nanne@sydrav.fr;Anne Martin;Élus\nbruno@sydrav.fr;Bruno;Inconnus\nadmin@sydrav.fr;Doublon;\n")
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	b = body(t, rec)
	for _, want := range []string{"2 lignes sur 3 ont une erreur", "Le groupe « Inconnus » n’existe pas.", "Correct", "Anne Martin"} {
		if !strings.Contains(b, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if strings.Contains(b, "/admin/utilisateurs/import/confirmer") {
		t.Error("a file with errors may be confirmed")
	}
	wantStatus(t, admin.uploadCSV(t, "/admin/utilisateurs/import", admin.csrf, "vide.csv", ""), http.StatusUnprocessableEntity)

	good := "courriel;nom;groupes\nanne@sydrav.fr;Anne Martin;Élus\nbruno@sydrav.fr;Bruno Roux;\n"
	rec = admin.uploadCSV(t, "/admin/utilisateurs/import", admin.csrf, "comptes.csv", good)
	wantStatus(t, rec, http.StatusOK)
	if b := body(t, rec); !strings.Contains(b, "Importer les 2 comptes") {
		t.Fatalf("no confirmation:\n%s", b)
	}
	if _, err := ts.srv.accounts.GetByEmail(t.Context(), "anne@sydrav.fr"); err == nil {
		t.Fatal("the preview imported")
	}
	// A member cannot confirm (even with a valid file).
	wantStatus(t, member.post(t, "/admin/utilisateurs/import/confirmer", url.Values{"data": {good}}), http.StatusForbidden)
	wantStatus(t, admin.post(t, "/admin/utilisateurs/import/confirmer", url.Values{"data": {good}}), http.StatusSeeOther)
	u, err := ts.srv.accounts.GetByEmail(t.Context(), "anne@sydrav.fr")
	if err != nil || len(u.Groups) != 1 {
		t.Fatalf("anne after import: %+v %v", u, err)
	}
	// Confirming the same file again: every line is taken now, nothing changes.
	rec = admin.post(t, "/admin/utilisateurs/import/confirmer", url.Values{"data": {good}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	if !strings.Contains(body(t, rec), "2 lignes sur 2 ont une erreur") {
		t.Error("re-import: no per-line errors")
	}
}
