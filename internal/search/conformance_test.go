package search_test

// The conformance suite: every test here runs on the engine dbtest picks
// (SQLite by default, PostgreSQL when PORTIQUE_TEST_POSTGRES is set), and CI
// runs it both ways, so the two engines are held to the same answers.

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/search"
)

// Groups of the fixture (besides Everyone = 1 and Members = 2).
const (
	gElus       int64 = 10
	gTech       int64 = 11
	gStagiaires int64 = 12
)

// Folders of the fixture (access kind folder):
//
//	100 Public            Everyone view
//	└── 101 Guides        inherits
//	    └── 102 Archives  inherits
//	200 Instances         Élus + Techniciens
//	└── 201 Comité        inherits
//	300 Élus              Élus
//	400 Formation         Stagiaires + Techniciens
//	500 Secret            nobody (admins only)
//
// Pages: 1 public, 2 members only, 3 Élus only. Calendars: 1 public,
// 2 Techniciens.
const (
	fPublic    int64 = 100
	fGuides    int64 = 101
	fArchives  int64 = 102
	fInstances int64 = 200
	fComite    int64 = 201
	fElus      int64 = 300
	fFormation int64 = 400
	fSecret    int64 = 500
)

type fixture struct {
	d   *db.DB
	idx search.Index
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	d := dbtest.NewDB(t)
	ctx := context.Background()
	now := time.Now().UTC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []struct {
		id   int64
		name string
	}{{gElus, "Élus"}, {gTech, "Techniciens"}, {gStagiaires, "Stagiaires"}} {
		_, err := d.Exec(ctx, "INSERT INTO groups (id, name, created_at) VALUES (?, ?, ?)", g.id, g.name, now)
		must(err)
	}
	v := func(groups ...int64) []access.Grant {
		var gs []access.Grant
		for _, g := range groups {
			gs = append(gs, access.Grant{GroupID: g, Level: access.View})
		}
		return gs
	}
	must(d.InTx(ctx, func(tx *db.Tx) error {
		for _, n := range []struct {
			kind       access.Kind
			id, parent int64
			own        bool
			grants     []access.Grant
		}{
			{access.Folder, fPublic, 0, true, v(access.Everyone)},
			{access.Folder, fGuides, fPublic, false, nil},
			{access.Folder, fArchives, fGuides, false, nil},
			{access.Folder, fInstances, 0, true, v(gElus, gTech)},
			{access.Folder, fComite, fInstances, false, nil},
			{access.Folder, fElus, 0, true, v(gElus)},
			{access.Folder, fFormation, 0, true, v(gStagiaires, gTech)},
			{access.Folder, fSecret, 0, true, nil},
			{access.Page, 1, 0, true, v(access.Everyone)},
			{access.Page, 2, 0, true, v(access.Members)},
			{access.Page, 3, 0, true, v(gElus)},
			{access.Calendar, 1, 0, true, v(access.Everyone)},
			{access.Calendar, 2, 0, true, v(gTech)},
		} {
			if err := access.AddNode(ctx, tx, n.kind, n.id, n.parent); err != nil {
				return err
			}
			if n.own {
				if err := access.SetGrants(ctx, tx, n.kind, n.id, n.grants); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	return fixture{d: d, idx: search.New(d)}
}

// doc builds a one-part document in a folder.
func doc(id, folder int64, title, body string, date string) search.Doc {
	return search.Doc{Kind: search.KindDocument, ID: id, Part: 1, ACLKind: access.Folder, ACLID: folder,
		Title: title, Body: body, URL: "/documents/" + itoa(id) + "/telecharger", Date: day(date), FolderID: folder}
}

func page(id int64, title, body string) search.Doc {
	return search.Doc{Kind: search.KindPage, ID: id, ACLKind: access.Page, ACLID: id, Title: title, Body: body, URL: "/p" + itoa(id)}
}

func event(id, calendar int64, title, body, date string) search.Doc {
	return search.Doc{Kind: search.KindEvent, ID: id, ACLKind: access.Calendar, ACLID: calendar, Title: title, Body: body,
		URL: "/agenda/evenements/" + itoa(id), Date: day(date), Extra: "Agenda"}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func day(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t.Add(9 * time.Hour)
}

func (f fixture) put(t testing.TB, docs ...search.Doc) {
	t.Helper()
	ctx := context.Background()
	// Group by object so multi-part documents are replaced at once.
	type key struct {
		kind string
		id   int64
	}
	var order []key
	byObj := map[key][]search.Doc{}
	for _, d := range docs {
		k := key{d.Kind, d.ID}
		if _, ok := byObj[k]; !ok {
			order = append(order, k)
		}
		byObj[k] = append(byObj[k], d)
	}
	err := f.d.InTx(ctx, func(tx *db.Tx) error {
		for _, k := range order {
			if err := f.idx.Replace(ctx, tx, k.kind, k.id, byObj[k]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Replace: %v", err)
	}
}

func (f fixture) search(t testing.TB, p access.Principal, q search.Query) search.Result {
	t.Helper()
	res, err := f.idx.Search(context.Background(), p, q)
	if err != nil {
		t.Fatalf("Search(%q): %v", q.Text, err)
	}
	return res
}

// ids returns "kind:id" of each hit, in order.
func ids(res search.Result) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Kind+":"+itoa(h.ID))
	}
	return out
}

var admin = access.Member(1, true, nil)

// frenchDocs are short passages of the shared corpus (texts of the
// syndicate), one tricky case each.
func frenchDocs() []search.Doc {
	return []search.Doc{
		doc(1, fPublic, "Guide du tri 2026 — Où jeter quoi ?", "Les bocaux en verre vont au conteneur. Boîtes d’œufs en carton : bac jaune. Le bioseau se vide dans le composteur. Déposez-les à la déchetterie.", "2026-01-15"),
		doc(2, fComite, "Compte rendu du comité syndical du 10 février 2026", "Distribution de bioseaux aux foyers. Hypothèse de grêle. La collecte des déchets ménagers progresse.", "2026-02-17"),
		doc(3, fPublic, "Délibération n° 2026-014 — Adoption du PLPDMA 2026-2031", "La mise en œuvre du programme est confiée au président. Curriculum vitæ joint. Manœuvre du camion.", "2026-02-16"),
		doc(4, fPublic, "Délibération n° 2026-031 — Accord-cadre déchets verts", "Le comité autorise la signature des accords-cadres de broyage avec Vertaco.", "2026-04-13"),
		doc(5, fPublic, "Rapport annuel 2025", "Le coeﬃcient de remplissage et l’aﬄux de visiteurs dans l’Ardèche. Les collectes sélectives progressent. Un déchet sur trois.", "2026-07-01"),
		doc(6, fPublic, "Planning des collectes 2026", "Tableau re\u0301capitulatif des jours fériés à Lamotte-du-Rhône.", "2025-12-05"),
		doc(7, fInstances, "Note technique : modernisation des déchèteries", "Installation d’un séparateur d’"+search.JoinHyphenated("hy-\ndrocarbures")+" et rayon de "+search.JoinHyphenated("gira-\ntion")+" ; le nœud de raccordement et les garde-corps.", "2026-05-20"),
		doc(8, fComite, "Compte rendu du comité syndical du 14 octobre 2025", search.JoinHyphenated("Distribution à Nyons et Buis-\nles-Baronnies puis Saint-Paul-Trois-\nChâteaux. Diagnostic des déchèteries."), "2025-10-21"),
	}
}

func TestFrenchCases(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.put(t, frenchDocs()...)
	cases := []struct {
		name  string
		query string
		want  []int64 // document ids that must be found
		not   []int64 // document ids that must not be found
	}{
		// « déchetterie » and « déchèterie » are one word (issue 13).
		{"accents folded, other spelling", "dechetterie", []int64{1, 7, 8}, nil},
		{"accented spelling", "déchèteries", []int64{1, 7, 8}, nil},
		{"unaccented, singular", "decheterie", []int64{1, 7, 8}, nil},
		{"singular finds plural", "déchet", []int64{2, 4, 5}, nil},
		{"plural finds singular", "déchets", []int64{2, 4, 5}, nil},
		{"collecte finds collectes", "collecte", []int64{2, 5, 6}, nil},
		{"bioseau finds bioseaux", "bioseau", []int64{1, 2}, nil},
		{"bioseaux finds bioseau", "BIOSEAUX", []int64{1, 2}, nil},
		{"irregular plural", "bocal", []int64{1}, nil},
		{"compound plural", "accord-cadre", []int64{4}, nil},
		{"compound plural reverse", "accords-cadres", []int64{4}, nil},
		{"oe ligature", "oeuvre", []int64{3}, nil},
		{"oe ligature typed", "œuvre", []int64{3}, nil},
		{"manoeuvre", "manoeuvre", []int64{3}, nil},
		{"noeud", "noeud", []int64{7}, nil},
		{"oeufs", "oeufs", []int64{1}, nil},
		{"ae ligature", "vitae", []int64{3}, nil},
		{"ffi ligature NFKC", "coefficient", []int64{5}, nil},
		{"ffl ligature NFKC", "afflux", []int64{5}, nil},
		{"NFD text, NFC query", "récapitulatif", []int64{6}, nil},
		{"NFD query", "re\u0301capitulatif", []int64{6}, nil},
		{"typographic apostrophe, plain query", "l'Ardèche", []int64{5}, nil},
		{"elision dropped", "Ardeche", []int64{5}, nil},
		{"apostrophe in query", "d’œufs", []int64{1}, nil},
		{"hyphen rejoined", "hydrocarbures", []int64{7}, nil},
		{"hyphen rejoined 2", "giration", []int64{7}, nil},
		{"compound kept at line end", "Buis-les-Baronnies", []int64{8}, nil},
		{"compound kept, capital next line", "Saint-Paul-Trois-Châteaux", []int64{8}, nil},
		{"compound as phrase", "garde-corps", []int64{7}, nil},
		{"phrase", `"mise en oeuvre"`, []int64{3}, nil},
		{"phrase order matters", `"oeuvre en mise"`, nil, []int64{3}},
		{"both words required", "bocaux vertaco", nil, []int64{1, 4}},
		{"or", "bocaux OR vertaco", []int64{1, 4}, nil},
		{"exclusion", "bioseau -grêle", []int64{1}, []int64{2}},
		{"title words", "PLPDMA", []int64{3}, nil},
		{"number in title", "2026-014", []int64{3}, []int64{4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := f.search(t, admin, search.Query{Text: c.query, Kinds: []string{search.KindDocument}})
			got := map[int64]bool{}
			for _, h := range res.Hits {
				got[h.ID] = true
			}
			for _, id := range c.want {
				if !got[id] {
					t.Errorf("query %q: document %d not found; hits %v", c.query, id, ids(res))
				}
			}
			for _, id := range c.not {
				if got[id] {
					t.Errorf("query %q: document %d found; hits %v", c.query, id, ids(res))
				}
			}
			if res.Total != len(res.Hits) {
				t.Errorf("query %q: Total=%d, want %d", c.query, res.Total, len(res.Hits))
			}
		})
	}
}

func TestSnippets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	long := strings.Repeat("Texte sans rapport avec la question posée. ", 30)
	f.put(t,
		doc(1, fPublic, "Guide", long+"Les <b>bocaux</b> & les pots vont au verre."+long, "2026-01-15"),
		doc(2, fPublic, "Bocaux", "Rien à signaler <script>alert(1)</script>.", "2026-01-15"),
	)
	res := f.search(t, access.Anonymous(), search.Query{Text: "bocal"})
	if len(res.Hits) != 2 {
		t.Fatalf("hits = %v, want 2", ids(res))
	}
	for _, h := range res.Hits {
		if strings.Contains(h.Snippet, "<script") || strings.Contains(h.Snippet, "<b>") {
			t.Errorf("snippet of %d not escaped: %q", h.ID, h.Snippet)
		}
		switch h.ID {
		case 1:
			if !strings.Contains(h.Snippet, "&lt;b&gt;<mark>bocaux</mark>&lt;/b&gt; &amp; les pots") {
				t.Errorf("snippet = %q, want the escaped, marked passage", h.Snippet)
			}
			if !strings.HasPrefix(h.Snippet, "… ") || !strings.HasSuffix(h.Snippet, " …") {
				t.Errorf("snippet = %q, want ellipses on both sides", h.Snippet)
			}
		case 2:
			// Title-only match: the start of the text, escaped, unmarked.
			if !strings.Contains(h.Snippet, "&lt;script&gt;") || strings.Contains(h.Snippet, "<mark>") {
				t.Errorf("snippet = %q, want escaped text without marks", h.Snippet)
			}
		}
	}
}

func TestRanking(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.put(t,
		doc(1, fPublic, "Rapport d'activité", "Une phrase sur le compostage parmi d'autres sujets: collecte, tri, verre, papier.", "2026-01-01"),
		doc(2, fPublic, "Compostage partagé", "Guide pratique pour les habitants.", "2026-01-01"),
		doc(3, fPublic, "Note", "Le compostage, le compostage de quartier et encore le compostage collectif.", "2026-01-01"),
		doc(4, fPublic, "Autre", "Rien de tel ici.", "2026-01-01"),
	)
	res := f.search(t, access.Anonymous(), search.Query{Text: "compostage"})
	got := ids(res)
	if len(got) != 3 || got[0] != "document:2" {
		t.Fatalf("hits = %v, want the title match (document:2) first, 3 hits", got)
	}
	if slices.Index(got, "document:3") > slices.Index(got, "document:1") {
		t.Errorf("hits = %v, want three occurrences (3) above one (1)", got)
	}
	for i := 1; i < len(res.Hits); i++ {
		if res.Hits[i].Rank > res.Hits[i-1].Rank {
			t.Errorf("ranks not decreasing: %v", res.Hits)
		}
	}
}

func TestMultiPartDocument(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var parts []search.Doc
	for p := 1; p <= 5; p++ {
		d := doc(9, fPublic, "Registre des délibérations", "Page ordinaire sur les finances.", "2026-01-05")
		d.Part = p
		if p == 4 {
			d.Body = "La ressourcerie « La Fourmilière du Tricastin » à Pierrelatte."
		}
		if p == 2 {
			d.Body = "Les finances, les finances et encore les finances."
		}
		parts = append(parts, d)
	}
	f.put(t, parts...)
	res := f.search(t, access.Anonymous(), search.Query{Text: "fourmiliere"})
	if len(res.Hits) != 1 || res.Hits[0].Part != 4 || !strings.Contains(res.Hits[0].Snippet, "<mark>Fourmilière</mark>") {
		t.Fatalf("hits = %+v, want document 9 page 4 with a marked snippet", res.Hits)
	}
	res = f.search(t, access.Anonymous(), search.Query{Text: "finances"})
	if len(res.Hits) != 1 || res.Total != 1 {
		t.Fatalf("hits = %v total %d, want one hit per document", ids(res), res.Total)
	}
	if res.Hits[0].Part != 2 {
		t.Errorf("best part = %d, want 2 (most occurrences)", res.Hits[0].Part)
	}
	// Replace drops the parts that are gone; Delete drops everything.
	f.put(t, parts[0])
	if res := f.search(t, access.Anonymous(), search.Query{Text: "fourmiliere"}); len(res.Hits) != 0 {
		t.Errorf("after Replace with page 1 only: hits = %+v, want none", res.Hits)
	}
	if err := f.idx.Delete(context.Background(), f.d, search.KindDocument, 9); err != nil {
		t.Fatal(err)
	}
	if res := f.search(t, access.Anonymous(), search.Query{Text: "registre"}); len(res.Hits) != 0 {
		t.Errorf("after Delete: hits = %+v, want none", res.Hits)
	}
	var n int
	if err := f.d.QueryRow(context.Background(), "SELECT (SELECT COUNT(*) FROM search_items) + (SELECT COUNT(*) FROM search_parts)").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("after Delete: %d rows left in search_items and search_parts", n)
	}
}

func TestFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.put(t,
		doc(1, fPublic, "Broyage A", "", "2026-01-31"),
		doc(2, fGuides, "Broyage B", "", "2026-02-01"),
		doc(3, fArchives, "Broyage C", "", "2026-02-28"),
		doc(4, fComite, "Broyage D", "", "2026-03-01"),
		page(1, "Broyage des végétaux", "Le broyage à domicile."),
		event(1, 1, "Broyage gratuit", "Apportez vos branches.", "2026-02-14"),
	)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		q    search.Query
		want []string
	}{
		{"kinds", search.Query{Kinds: []string{search.KindPage, search.KindEvent}}, []string{"event:1", "page:1"}},
		{"folder includes sub-folders", search.Query{FolderID: fGuides}, []string{"document:2", "document:3"}},
		{"leaf folder", search.Query{FolderID: fArchives}, []string{"document:3"}},
		{"from inclusive", search.Query{Kinds: []string{search.KindDocument}, From: time.Date(2026, 2, 1, 0, 0, 0, 0, paris)}, []string{"document:2", "document:3", "document:4"}},
		{"to inclusive by day", search.Query{Kinds: []string{search.KindDocument}, To: time.Date(2026, 2, 28, 0, 0, 0, 0, paris)}, []string{"document:1", "document:2", "document:3"}},
		{"range", search.Query{From: time.Date(2026, 2, 1, 0, 0, 0, 0, paris), To: time.Date(2026, 2, 28, 23, 0, 0, 0, paris)}, []string{"document:2", "document:3", "event:1"}},
		{"range excludes undated", search.Query{Kinds: []string{search.KindPage}, From: time.Date(2000, 1, 1, 0, 0, 0, 0, paris)}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.q.Text = "broyage"
			got := ids(f.search(t, admin, c.q))
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("hits = %v, want %v", got, c.want)
			}
		})
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var docs []search.Doc
	for i := int64(1); i <= 25; i++ {
		docs = append(docs, doc(i, fPublic, "Collecte "+itoa(i), strings.Repeat("verre ", int(i)), "2026-01-01"))
	}
	docs = append(docs, doc(99, fSecret, "Collecte secrète", "verre", "2026-01-01"))
	f.put(t, docs...)
	seen := map[string]bool{}
	for off := 0; off < 25; off += 10 {
		res := f.search(t, access.Anonymous(), search.Query{Text: "verre", Limit: 10, Offset: off})
		if res.Total != 25 {
			t.Fatalf("offset %d: Total = %d, want 25 (the secret one not counted)", off, res.Total)
		}
		want := min(10, 25-off)
		if len(res.Hits) != want {
			t.Fatalf("offset %d: %d hits, want %d", off, len(res.Hits), want)
		}
		for _, id := range ids(res) {
			if seen[id] {
				t.Errorf("offset %d: %s seen twice", off, id)
			}
			seen[id] = true
		}
	}
	if seen["document:99"] {
		t.Error("the secret document was listed")
	}
	res := f.search(t, access.Anonymous(), search.Query{Text: "verre", Limit: 10, Offset: 40})
	if len(res.Hits) != 0 || res.Total != 25 {
		t.Errorf("past the end: %d hits, Total %d; want 0 and 25", len(res.Hits), res.Total)
	}
	res = f.search(t, access.Anonymous(), search.Query{Text: "verre"})
	if len(res.Hits) != search.DefaultLimit {
		t.Errorf("default limit: %d hits, want %d", len(res.Hits), search.DefaultLimit)
	}
}

// TestPermissionMatrix indexes one object per visibility, each holding the
// same secret word, and checks for every kind of user that exactly the
// objects they may view give a hit, count in the total and show a snippet.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	objects := map[string]search.Doc{
		"document:1": doc(1, fPublic, "Dossier 1", "Le mot zanzibar public.", "2026-01-01"),
		"document:2": doc(2, fArchives, "Dossier 2", "Le mot zanzibar public hérité.", "2026-01-01"),
		"document:3": doc(3, fComite, "Dossier 3", "Le mot zanzibar des instances.", "2026-01-01"),
		"document:4": doc(4, fElus, "Dossier 4", "Le mot zanzibar des élus.", "2026-01-01"),
		"document:5": doc(5, fFormation, "Dossier 5", "Le mot zanzibar des stagiaires.", "2026-01-01"),
		"document:6": doc(6, fSecret, "Dossier 6", "Le mot zanzibar secret.", "2026-01-01"),
		"page:1":     page(1, "Page 1", "zanzibar pour tous"),
		"page:2":     page(2, "Page 2", "zanzibar pour les membres"),
		"page:3":     page(3, "Page 3", "zanzibar pour les élus"),
		"event:1":    event(1, 1, "Événement 1", "zanzibar public", "2026-01-01"),
		"event:2":    event(2, 2, "Événement 2", "zanzibar technique", "2026-01-01"),
		"event:3": {Kind: search.KindEvent, ID: 3, ACLKind: access.Calendar, ACLID: 77, Title: "Sans nœud",
			Body: "zanzibar orphelin", Date: day("2026-01-01")}, // calendar without an access node
	}
	var all []search.Doc
	for _, d := range objects {
		all = append(all, d)
	}
	f.put(t, all...)
	public := []string{"document:1", "document:2", "page:1", "event:1"}
	users := []struct {
		name string
		p    access.Principal
		want []string
	}{
		{"anonymous", access.Anonymous(), public},
		{"member without group", access.Member(5, false, nil), append(slices.Clone(public), "page:2")},
		{"élu", access.Member(6, false, []int64{gElus}), append(slices.Clone(public), "page:2", "document:3", "document:4", "page:3")},
		{"technicien", access.Member(7, false, []int64{gTech}), append(slices.Clone(public), "page:2", "document:3", "document:5", "event:2")},
		{"stagiaire", access.Member(8, false, []int64{gStagiaires}), append(slices.Clone(public), "page:2", "document:5")},
		{"admin", admin, keys(objects)},
		{"forged principal, no groups", access.Principal{UserID: 9}, public},
	}
	for _, u := range users {
		t.Run(u.name, func(t *testing.T) {
			want := slices.Clone(u.want)
			slices.Sort(want)
			for _, q := range []string{"zanzibar", "zanzibar OR dossier", "zanzibar -introuvable"} {
				res := f.search(t, u.p, search.Query{Text: q, Limit: 100})
				got := ids(res)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("%q: hits = %v, want %v", q, got, want)
				}
				if res.Total != len(want) {
					t.Errorf("%q: Total = %d, want %d", q, res.Total, len(want))
				}
				for _, h := range res.Hits {
					if !slices.Contains(want, h.Kind+":"+itoa(h.ID)) {
						t.Errorf("%q: snippet of a hidden object shown: %q", q, h.Snippet)
					}
				}
			}
			// The same answer as access.Can, object by object.
			res := f.search(t, u.p, search.Query{Text: "zanzibar", Limit: 100})
			hit := map[string]bool{}
			for _, h := range res.Hits {
				hit[h.Kind+":"+itoa(h.ID)] = true
			}
			for key, d := range objects {
				can, err := access.Can(context.Background(), f.d, u.p, d.ACLKind, d.ACLID, access.View)
				if err != nil {
					t.Fatal(err)
				}
				if can != hit[key] {
					t.Errorf("%s: access.Can = %v but found = %v", key, can, hit[key])
				}
			}
			// A word only in hidden objects gives nothing at all.
			for _, word := range []string{"secret", "orphelin"} {
				res := f.search(t, u.p, search.Query{Text: word})
				if u.p.Admin {
					continue
				}
				if len(res.Hits) != 0 || res.Total != 0 {
					t.Errorf("%q: hits %v, Total %d; want nothing", word, ids(res), res.Total)
				}
			}
			// Filters do not open a way around the rule.
			res = f.search(t, u.p, search.Query{Text: "zanzibar", FolderID: fSecret})
			if !u.p.Admin && (len(res.Hits) != 0 || res.Total != 0) {
				t.Errorf("folder filter on the secret folder: %v, Total %d", ids(res), res.Total)
			}
		})
	}
}

func keys(m map[string]search.Doc) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestHostileQueries feeds engine syntax to the search box: nothing may
// fail, and nothing may match what the words themselves do not.
func TestHostileQueries(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.put(t, frenchDocs()...)
	for _, q := range []string{
		`"`, `""`, `"bocaux`, `*`, `bocaux*`, `-`, `--`, `- bocaux`, `-bocaux`, `NEAR(bocaux verre)`,
		`bocaux NEAR verre`, `(bocaux`, `bocaux)`, `title:bocaux`, `{title body}: bocaux`, `^bocaux`,
		`bocaux AND`, `OR`, `OR OR bocaux`, `NOT bocaux`, `bocaux NOT`, "bo\x00caux", "\x00", `'`, `''; DROP TABLE search_items; --`,
		`bocaux | verre & !x <-> y`, `'bocaux':*`, `\`, `\"`, "\xff\xfe", strings.Repeat("a ", 2000), strings.Repeat(`"`, 501),
		strings.Repeat("(", 300), "😀", "ǅ", "İstanbul", "ﬁ",
	} {
		res, err := f.idx.Search(context.Background(), access.Anonymous(), search.Query{Text: q})
		if err != nil {
			t.Errorf("Search(%q): %v", q, err)
			continue
		}
		if res.Total < len(res.Hits) {
			t.Errorf("Search(%q): Total %d < %d hits", q, res.Total, len(res.Hits))
		}
	}
	// The operators are words, not syntax: "NEAR" must itself be present.
	res := f.search(t, access.Anonymous(), search.Query{Text: "bocaux NEAR"})
	if len(res.Hits) != 0 {
		t.Errorf("bocaux NEAR: hits %v, want none (no document has the word near)", ids(res))
	}
	res = f.search(t, access.Anonymous(), search.Query{Text: "NOT bocaux"})
	if len(res.Hits) != 0 {
		t.Errorf("NOT bocaux: hits %v, want none (NOT is a word)", ids(res))
	}
	res = f.search(t, access.Anonymous(), search.Query{Text: "-bocaux"})
	if len(res.Hits) != 0 || res.Total != 0 {
		t.Errorf("-bocaux alone: hits %v, want none", ids(res))
	}
}

func TestReplaceValidates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	err := f.idx.Replace(context.Background(), f.d, search.KindDocument, 1, []search.Doc{doc(2, fPublic, "x", "y", "")})
	if err == nil {
		t.Fatal("Replace with a doc of another object: no error")
	}
	bad := doc(1, fPublic, "x", "y", "")
	bad.ACLKind = ""
	if err := f.idx.Replace(context.Background(), f.d, search.KindDocument, 1, []search.Doc{bad}); err == nil {
		t.Fatal("Replace without an access node: no error")
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	d := dbtest.NewDB(t)
	if err := search.Check(context.Background(), d); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if d.Dialect() == db.SQLite {
		var opts []string
		rows, err := d.Query(context.Background(), "PRAGMA compile_options")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var o string
			rows.Scan(&o)
			opts = append(opts, o)
		}
		if !slices.Contains(opts, "ENABLE_FTS5") {
			t.Fatalf("FTS5 not compiled in: %v", opts)
		}
	}
}

// TestBroadQueryPages holds both engines to the same answers when a query
// matches more items than PostgreSQL ranks at a time (tsvector.go's
// rankTier): the total is exact, the pages together list every visible
// match once, a title match comes first, and phrases, negated phrases and
// the permission filter stay exact among hundreds of candidates.
func TestBroadQueryPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const n = 520
	var docs []search.Doc
	want := map[string]bool{}
	phrase, negated := 0, 0
	for i := int64(1); i <= n; i++ {
		folder, body := fPublic, "Bilan de la collecte sélective, tri des déchets."
		switch {
		case i%5 == 0:
			folder = fSecret // never visible to a member
		case i%3 == 0:
			// The words of both phrases, apart.
			body = "Tri des emballages : une sélective collecte progresse, moins de déchets."
		}
		if folder == fPublic {
			want["document:"+itoa(i)] = true
			if strings.Contains(body, "collecte sélective") {
				phrase++
			}
			if !strings.Contains(body, "tri des déchets") {
				negated++
			}
		}
		title := "Compte rendu " + itoa(i)
		if i == 517 {
			title = "Collecte : rapport annuel"
		}
		docs = append(docs, doc(i, folder, title, body, "2026-01-01"))
	}
	f.put(t, docs...)
	member := access.Member(42, false, []int64{gElus})

	seen := map[string]bool{}
	for offset := 0; ; offset += search.MaxLimit {
		res := f.search(t, member, search.Query{Text: "collecte", Limit: search.MaxLimit, Offset: offset})
		if res.Total != len(want) {
			t.Fatalf("offset %d: total = %d, want %d", offset, res.Total, len(want))
		}
		if offset == 0 && (len(res.Hits) == 0 || res.Hits[0].ID != 517) {
			t.Errorf("first hit = %v, want the title match document:517", ids(res)[:1])
		}
		if len(res.Hits) == 0 {
			break
		}
		for _, id := range ids(res) {
			if !want[id] {
				t.Errorf("offset %d: unexpected hit %s", offset, id)
			}
			if seen[id] {
				t.Errorf("offset %d: %s listed on two pages", offset, id)
			}
			seen[id] = true
		}
	}
	if len(seen) != len(want) {
		t.Errorf("pages listed %d distinct hits, want %d", len(seen), len(want))
	}
	for _, c := range []struct {
		q    string
		want int
	}{
		{`"collecte sélective"`, phrase},
		{`collecte -"tri des déchets"`, negated},
		{`"collecte progresse"`, len(want) - phrase},
	} {
		if res := f.search(t, member, search.Query{Text: c.q}); res.Total != c.want {
			t.Errorf("%s: total = %d, want %d", c.q, res.Total, c.want)
		}
	}
}

// TestSuggestion: a query that finds nothing because of a misspelt word gets
// the corrected query, spelt as in a visible document, and only if that
// query finds something the searcher may see.
func TestSuggestion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.put(t,
		doc(1, fPublic, "Guide du compostage", "Le compostage des déchets verts au jardin.", "2026-01-01"),
		doc(2, fSecret, "Méthanisation", "Projet d’unité de méthanisation, confidentiel.", "2026-01-01"),
		doc(3, fElus, "Redevance incitative", "Étude de la redevance incitative.", "2026-01-01"),
		page(1, "Déchèteries", "Horaires des déchèteries du territoire."),
	)
	elu := access.Member(42, false, []int64{gElus})
	tech := access.Member(43, false, []int64{gTech})
	for _, c := range []struct {
		who  string
		p    access.Principal
		q    search.Query
		want string
	}{
		{"visitor", access.Anonymous(), search.Query{Text: "compostge"}, "compostage"},
		{"visitor, transposed letters", access.Anonymous(), search.Query{Text: "copmostage déchets"}, "compostage déchets"},
		{"visitor, phrase", access.Anonymous(), search.Query{Text: `"compostaje des dechets"`}, `"compostage des dechets"`},
		{"visitor, two words", access.Anonymous(), search.Query{Text: "dechetteries horraires"}, "déchèteries horaires"},
		{"visitor, secret word", access.Anonymous(), search.Query{Text: "methanisatoin"}, ""},
		{"member, secret word", elu, search.Query{Text: "methanisatoin"}, ""},
		{"admin, secret word", admin, search.Query{Text: "methanisatoin"}, "méthanisation"},
		{"élu, their folder", elu, search.Query{Text: "redevence"}, "redevance"},
		{"technicien, not theirs", tech, search.Query{Text: "redevence"}, ""},
		{"visitor, filtered out", access.Anonymous(), search.Query{Text: "compostge", Kinds: []string{search.KindPage}}, ""},
		{"visitor, known words apart", access.Anonymous(), search.Query{Text: "compostage horaires"}, ""},
		{"visitor, nothing alike", access.Anonymous(), search.Query{Text: "zzyzx"}, ""},
	} {
		res := f.search(t, c.p, c.q)
		if res.Total != 0 {
			t.Errorf("%s: %q found %d, want nothing (the test needs a query without hits)", c.who, c.q.Text, res.Total)
		}
		if res.Suggestion != c.want {
			t.Errorf("%s: %q suggests %q, want %q", c.who, c.q.Text, res.Suggestion, c.want)
		}
		if c.want != "" {
			if again := f.search(t, c.p, search.Query{Text: res.Suggestion, Kinds: c.q.Kinds}); again.Total == 0 {
				t.Errorf("%s: the suggestion %q finds nothing", c.who, res.Suggestion)
			}
		}
	}
	// A query with hits gets no suggestion.
	if res := f.search(t, access.Anonymous(), search.Query{Text: "compostage"}); res.Total != 1 || res.Suggestion != "" {
		t.Errorf("compostage: total %d, suggestion %q; want 1 and none", res.Total, res.Suggestion)
	}
}
