package pages_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/pages"
)

func TestDraftPublishHistory(t *testing.T) {
	f := newFixture(t)
	p := f.page(f.home.ID, "Déchèteries", "Horaires d’hiver")
	v1 := p.PublishedRev

	// An editor saves a draft: visitors still see the published text.
	draft, err := f.s.SaveDraft(f.ctx, editor, p.ID, v1, "Déchèteries", []pages.Block{
		{Type: pages.BlockText, HTML: `<p>Horaires d’été <script>alert(1)</script></p>`},
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(draft.Blocks[0].HTML, "script") {
		t.Fatalf("draft kept a script: %q", draft.Blocks[0].HTML)
	}
	v, err := f.s.Show(f.ctx, visitor.Principal, p.Path, true)
	if err != nil || v.Draft || !strings.Contains(v.Rev.Blocks[0].HTML, "hiver") {
		t.Fatalf("visitor asking for a preview sees %+v, %v", v, err)
	}
	v, err = f.s.Show(f.ctx, editor.Principal, p.Path, true)
	if err != nil || !v.Draft || !strings.Contains(v.Rev.Blocks[0].HTML, "été") {
		t.Fatalf("editor preview = %+v, %v", v, err)
	}
	// A second save replaces the draft (it was never published).
	draft2, err := f.s.SaveDraft(f.ctx, editor, p.ID, draft.ID, "Déchèteries", []pages.Block{{Type: pages.BlockText, HTML: `<p>Horaires d’été 2026</p>`}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Revision(f.ctx, editor.Principal, p.ID, draft.ID); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("replaced draft still there: %v", err)
	}
	// Publishing through a forged form by a viewer is refused.
	_, err = f.s.Publish(f.ctx, member, p.ID, draft2.ID, "")
	wantErr(t, err, access.ErrForbidden)
	if _, err := f.s.Publish(f.ctx, editor, p.ID, draft2.ID, "Passage à l’été"); err != nil {
		t.Fatal(err)
	}
	v, err = f.s.Show(f.ctx, visitor.Principal, p.Path, false)
	if err != nil || !strings.Contains(v.Rev.Blocks[0].HTML, "2026") {
		t.Fatalf("visitor after publish sees %+v, %v", v, err)
	}
	if d, ok := f.idx.Get(p.ID); !ok || !strings.Contains(d.Body, "été 2026") || d.URL != p.Path || d.Title != "Déchèteries" {
		t.Fatalf("index after publish = %+v", d)
	}
	_, err = f.s.Publish(f.ctx, editor, p.ID, 0, "")
	wantErr(t, err, pages.ErrNoDraft)

	hist, err := f.s.History(f.ctx, editor.Principal, p.ID)
	if err != nil || len(hist) != 2 || hist[0].ID != draft2.ID || hist[0].Note != "Passage à l’été" || hist[1].ID != v1 {
		t.Fatalf("history = %v, %v", hist, err)
	}
	_, err = f.s.History(f.ctx, visitor.Principal, p.ID)
	wantErr(t, err, access.ErrForbidden)

	lines, _, _, err := f.s.Diff(f.ctx, editor.Principal, p.ID, v1, draft2.ID)
	if err != nil {
		t.Fatal(err)
	}
	var del, ins bool
	for _, l := range lines {
		del = del || (l.Op == pages.DiffDelete && strings.Contains(l.Text, "hiver"))
		ins = ins || (l.Op == pages.DiffInsert && strings.Contains(l.Text, "été 2026"))
	}
	if !del || !ins {
		t.Fatalf("diff = %+v, want hiver removed and été 2026 added", lines)
	}

	// Restore the first version: a new publication, both kept.
	restored, err := f.s.RestoreRevision(f.ctx, editor, p.ID, v1, "")
	if err != nil {
		t.Fatal(err)
	}
	v, _ = f.s.Show(f.ctx, visitor.Principal, p.Path, false)
	if !strings.Contains(v.Rev.Blocks[0].HTML, "hiver") || restored.PublishedRev == v1 {
		t.Fatalf("after restore visitor sees %q (rev %d)", v.Rev.Blocks[0].HTML, restored.PublishedRev)
	}
	if hist, _ = f.s.History(f.ctx, editor.Principal, p.ID); len(hist) != 3 || !strings.HasPrefix(hist[0].Note, "Restauration") {
		t.Fatalf("history after restore = %d entries, first note %q", len(hist), hist[0].Note)
	}

	// Cancel drops a draft; restoring while a draft is pending is refused.
	d3, err := f.s.SaveDraft(f.ctx, editor, p.ID, restored.PublishedRev, "Déchèteries", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.RestoreRevision(f.ctx, editor, p.ID, v1, "")
	wantErr(t, err, pages.ErrDraftPending)
	if err := f.s.Cancel(f.ctx, editor, p.ID, d3.ID); err != nil {
		t.Fatal(err)
	}
	if cur := f.get(p.ID); cur.DraftRev != 0 || cur.PublishedRev != restored.PublishedRev {
		t.Fatalf("after cancel page = %+v", cur)
	}
}

func TestStaleSave(t *testing.T) {
	f := newFixture(t)
	p := f.page(f.home.ID, "Guide du tri", "Version d’origine")
	base := p.PublishedRev

	// Two editors open the page; the first saves.
	mine := []pages.Block{{Type: pages.BlockText, HTML: "<p>Mon texte soigneusement rédigé</p>"}}
	theirs, err := f.s.SaveDraft(f.ctx, admin, p.ID, base, "Guide du tri", []pages.Block{{Type: pages.BlockText, HTML: "<p>Leur version</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	// The second saves from the same base: refused, with their version.
	_, err = f.s.SaveDraft(f.ctx, editor, p.ID, base, "Guide du tri", mine)
	var stale *pages.StaleError
	if !errors.As(err, &stale) {
		t.Fatalf("err = %v, want *StaleError", err)
	}
	if !errors.Is(err, db.ErrConflict) {
		t.Fatal("a stale save must be a conflict")
	}
	if stale.Theirs.ID != theirs.ID || stale.Theirs.AuthorName != admin.Name || !strings.Contains(stale.Theirs.Blocks[0].HTML, "Leur version") {
		t.Fatalf("stale error carries %+v", stale.Theirs)
	}
	// Nothing was written: the head is still their draft.
	if cur := f.get(p.ID); cur.DraftRev != theirs.ID {
		t.Fatalf("head after refused save = %d, want %d", cur.DraftRev, theirs.ID)
	}
	// The editor merges and saves on top of their version.
	if _, err := f.s.SaveDraft(f.ctx, editor, p.ID, stale.Theirs.ID, "Guide du tri", mine); err != nil {
		t.Fatal(err)
	}
	// Publishing a draft one has not seen is refused too.
	_, err = f.s.Publish(f.ctx, admin, p.ID, theirs.ID, "")
	if !errors.As(err, &stale) {
		t.Fatalf("publish of a replaced draft: err = %v, want *StaleError", err)
	}
}

func TestBlocksValidation(t *testing.T) {
	f := newFixture(t)
	p := f.page(f.home.ID, "Blocs", "texte")
	other := f.page(f.home.ID, "Autre", "texte")
	img, err := f.s.UploadImage(f.ctx, editor, other.ID, "logo.png", "Logo", pngReader(t, 20, 10))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.SaveDraft(f.ctx, editor, p.ID, p.PublishedRev, "Blocs", []pages.Block{
		{Type: pages.BlockText, HTML: "<p>ok</p>"},
		{Type: pages.BlockImage, ImageID: img.ID, Alt: ""},
		{Type: pages.BlockDocuments},
		{Type: "iframe"},
	})
	ve, ok := asValidation(err)
	if !ok {
		t.Fatalf("err = %v, want validation", err)
	}
	for _, k := range []string{"blocks.1.alt", "blocks.2.folder", "blocks.3.type"} {
		if ve.Key(k) == "" {
			t.Errorf("no message for %s in %v", k, ve)
		}
	}
	// An image of another page cannot be borrowed.
	_, err = f.s.SaveDraft(f.ctx, editor, p.ID, p.PublishedRev, "Blocs", []pages.Block{{Type: pages.BlockImage, ImageID: img.ID, Alt: "Logo"}})
	wantField(t, err, "blocks.0.image")
	// A valid set of every kind.
	own, err := f.s.UploadImage(f.ctx, editor, p.ID, "logo.png", "Logo", pngReader(t, 20, 10))
	if err != nil {
		t.Fatal(err)
	}
	rev, err := f.s.SaveDraft(f.ctx, editor, p.ID, p.PublishedRev, "Blocs", []pages.Block{
		{Type: pages.BlockText, HTML: "<p>ok</p>", ImageID: 99},
		{Type: pages.BlockImage, ImageID: own.ID, Alt: " Logo du syndicat "},
		{Type: pages.BlockChildren},
		{Type: pages.BlockDocuments, FolderID: 3},
		{Type: pages.BlockEvents, CalendarID: 2, Limit: 500},
		{Type: pages.BlockCalendar, CalendarID: 2, Limit: 7, FolderID: 4},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rev.Blocks[0].ImageID != 0 || rev.Blocks[1].Alt != "Logo du syndicat" || rev.Blocks[4].Limit != pages.MaxEvents {
		t.Fatalf("normalised blocks = %+v", rev.Blocks)
	}
	// The embedded calendar keeps only its calendar.
	if c := rev.Blocks[5]; !reflect.DeepEqual(c, pages.Block{Type: pages.BlockCalendar, CalendarID: 2}) {
		t.Fatalf("calendar block = %+v", c)
	}
	if txt := pages.BlocksText(rev.Blocks); !strings.Contains(txt, "[Calendrier du mois de l’agenda 2]") {
		t.Errorf("blocks text = %q", txt)
	}
	// An embedded calendar needs its calendar.
	_, err = f.s.SaveDraft(f.ctx, editor, p.ID, rev.ID, "Blocs", []pages.Block{{Type: pages.BlockText, HTML: "<p>ok</p>"}, {Type: pages.BlockCalendar}})
	wantField(t, err, "blocks.1.calendar")
}
