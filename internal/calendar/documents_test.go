package calendar

import (
	"strconv"
	"testing"
	"time"

	"portique/internal/access"
)

// Linked documents are listed only when the viewer may see their folder
// (and not when they are in the trash).
func TestDocumentLinksFollowFolderRights(t *testing.T) {
	w := newWorld(t)
	now := time.Now().UTC()
	folder := func(name string, grants ...access.Grant) int64 {
		var id int64
		if err := w.d.QueryRow(w.ctx, "INSERT INTO folders (name, created_at) VALUES (?, ?) RETURNING id", name, now).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if err := access.AddNode(w.ctx, w.d, access.Folder, id, 0); err != nil {
			t.Fatal(err)
		}
		if err := access.SetGrants(w.ctx, w.d, access.Folder, id, grants); err != nil {
			t.Fatal(err)
		}
		return id
	}
	doc := func(folderID int64, title string, trashed bool) int64 {
		var id int64
		var tr any
		if trashed {
			tr = now
		}
		if err := w.d.QueryRow(w.ctx, `INSERT INTO documents (folder_id, title, filename, media_type, size, sha256, blob_key, published_on, added_at, updated_at, trashed_at)
			VALUES (?, ?, 'f.pdf', 'application/pdf', 1, 'x', 'x', '2026-03-01', ?, ?, ?) RETURNING id`, folderID, title, now, now, tr).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	pub := folder("Public", access.Grant{GroupID: access.Everyone, Level: access.View})
	priv := folder("Élus", access.Grant{GroupID: w.group("Élus"), Level: access.View})
	agenda, minutes, old := doc(pub, "Ordre du jour", false), doc(priv, "Compte rendu", false), doc(pub, "Ancien", true)
	id := w.event(w.tech, EventForm{CalendarID: strconv.FormatInt(w.public, 10), Title: "Réunion publique", StartDate: "2026-03-20", StartTime: "18:00",
		Documents: strconv.FormatInt(agenda, 10) + ", " + strconv.FormatInt(minutes, 10) + ", " + strconv.FormatInt(old, 10)})
	titles := func(p access.Principal) []string {
		e, _, err := w.s.Event(w.ctx, p, id)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range e.Documents {
			out = append(out, d.Title)
		}
		return out
	}
	if got := titles(w.anon); len(got) != 1 || got[0] != "Ordre du jour" {
		t.Errorf("anonymous sees documents %q", got)
	}
	if got := titles(w.elu); len(got) != 2 || got[1] != "Compte rendu" {
		t.Errorf("élu sees documents %q", got)
	}
}
