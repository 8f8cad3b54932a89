package guide_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"
	"unicode/utf8"

	"portique/internal/guide"
	"portique/internal/valid"
)

func pngBytes(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 900, 300))
	for x := 0; x < 900; x++ {
		img.Set(x, x%300, color.RGBA{200, 180, 0, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDemoImportExportRoundTrip(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	pl, err := s.SeedItems(ctx, guide.DemoCSV())
	if err != nil {
		t.Fatalf("demo import: %v (%+v)", err, pl.Errors)
	}
	if pl.Created < 150 {
		t.Fatalf("demo guide has %d items, want at least 150", pl.Created)
	}
	var out bytes.Buffer
	if err := s.Export(ctx, visitor, &out); err != nil {
		t.Fatal(err)
	}
	// Importing the export changes nothing (a file posted twice too).
	again, err := s.Import(ctx, actor(editor), out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 0 || again.Updated != 0 || again.Same != pl.Created {
		t.Fatalf("re-import: %d created, %d updated, %d same; want 0, 0, %d", again.Created, again.Updated, again.Same, pl.Created)
	}
}

func TestImportErrorsAndAtomicity(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	mustCreate(t, s, guide.Input{Name: "Pile", Stream: "point_collecte", Instructions: "Avant"})
	cases := []struct {
		name string
		csv  string
		line int
		key  string
	}{
		{"missing column", "nom;consignes\nPile;x\n", 1, "guide.import.error.columns"},
		{"unknown stream", "nom;filiere\nPile;point_collecte\nVerre;poubelle rose\n", 3, "guide.error.stream_unknown"},
		{"empty name", "nom;filiere\n;verre\n", 2, "guide.error.name_required"},
		{"slug twice", "slug;nom;filiere\na;A;verre\na;B;verre\n", 3, "guide.import.error.slug_twice"},
		{"bad quote", "nom;filiere\n\"Pile;verre\nVerre;verre\n", 2, "guide.import.error.syntax"},
		{"too many fields", "nom;filiere\nPile;verre;en trop\n", 2, "guide.import.error.fields"},
		{"empty file", "\xef\xbb\xbf  \n", 0, "guide.import.error.empty"},
		{"header only", "nom;filiere\n", 0, "guide.import.error.no_rows"},
		{"column twice", "nom;Nom;filiere\na;b;verre\n", 1, "guide.import.error.column_twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pl, err := s.Import(ctx, actor(editor), []byte(c.csv))
			ve, ok := err.(valid.Errors)
			if !ok || ve.Key("fichier") != "guide.import.error.has_errors" {
				t.Fatalf("err = %v, want the file refused", err)
			}
			found := false
			for _, e := range pl.Errors {
				if e.Line == c.line && e.Msg.Key == c.key {
					found = true
				}
			}
			if !found {
				t.Fatalf("errors = %+v, want %s on line %d", pl.Errors, c.key, c.line)
			}
		})
	}
	// Nothing was half-imported: Pile is as it was, Verre does not exist.
	items, _ := s.List(ctx, admin)
	if len(items) != 1 || items[0].Instructions != "Avant" {
		t.Fatalf("after refused imports: %+v", items)
	}
	// A good file: labels instead of codes, commas, Windows-1252, any order.
	win := []byte("filiere,nom,consignes\r\nColonne \xe0 verre,Bocal,Sans couvercle\r\npoint_collecte,Pile,Apr\xe8s\r\n")
	pl, err := s.PreviewImport(ctx, editor, win)
	if err != nil || !pl.OK() || pl.Created != 1 || pl.Updated != 1 {
		t.Fatalf("preview = %+v, %v", pl, err)
	}
	if items, _ := s.List(ctx, admin); len(items) != 1 {
		t.Fatalf("a preview wrote %d items", len(items)-1)
	}
	if _, err := s.Import(ctx, actor(editor), win); err != nil {
		t.Fatal(err)
	}
	it, err := s.Get(ctx, visitor, "pile")
	if err != nil || it.Instructions != "Après" {
		t.Fatalf("updated item = %+v, %v", it, err)
	}
	if it, err := s.Get(ctx, visitor, "bocal"); err != nil || it.Stream != "verre" {
		t.Fatalf("created item = %+v, %v", it, err)
	}
}

func TestImage(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	it := mustCreate(t, s, guide.Input{Name: "Verre", Stream: "verre", Image: pngBytes(t), ImageAlt: "Une bouteille"})
	data, mt, err := s.Image(ctx, visitor, it.Slug)
	if err != nil || mt != "image/png" {
		t.Fatalf("Image = %s, %v", mt, err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width != guide.ImageWidth {
		t.Fatalf("stored width = %d (%v), want %d", cfg.Width, err, guide.ImageWidth)
	}
	up, err := s.Update(ctx, actor(editor), it.ID, guide.Input{Name: "Verre", Stream: "verre", RemoveImage: true, Version: it.Version()})
	if err != nil || up.HasImage {
		t.Fatalf("remove image: %+v, %v", up, err)
	}
}

// FuzzParseCSV: no input makes the parser fail other than with line
// errors, and what it accepts has a name on every record.
func FuzzParseCSV(f *testing.F) {
	f.Add(guide.DemoCSV()[:2000])
	f.Add([]byte("nom;filiere\nPile;point_collecte\n"))
	f.Add([]byte("filiere,nom\r\n\"a,b\",c\r\n"))
	f.Add([]byte("nom;filiere\n\"open;verre\n"))
	f.Add([]byte("\xef\xbb\xbfnom\tfiliere\nx\ty\n"))
	f.Add([]byte("nom;filiere\n\xe9t\xe9;verre\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, errs := guide.ParseCSV(data)
		if len(errs) == 0 && len(recs) == 0 {
			t.Fatal("no record and no error")
		}
		for _, r := range recs {
			if r.Line < 2 {
				t.Fatalf("record on line %d, before the header ends", r.Line)
			}
			if !utf8.ValidString(r.Name + r.Slug + r.Synonyms + r.Stream + r.Instructions) {
				t.Fatalf("record of invalid UTF-8: %+v", r)
			}
		}
		for _, e := range errs {
			if e.Msg.Key == "" {
				t.Fatalf("error without a message: %+v", e)
			}
		}
	})
}
