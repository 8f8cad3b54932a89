package site_test

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/dbtest"
	"portique/internal/site"
)

func TestFavicon(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	st := site.New(d)
	if err := st.SetFavicon(ctx, member, bytes.NewReader(pngOf(t, 64, 64))); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("member sets the favicon: %v", err)
	}
	for _, c := range []struct {
		data []byte
		key  string
	}{
		{pngOf(t, 300, 100), "site.error.favicon_square"},
		{pngOf(t, 16, 16), "site.error.favicon_small"},
		{[]byte("<svg onload=alert(1)>"), "site.error.logo_type"},
		{nil, "site.error.logo_empty"},
		{pngOf(t, 64, 64)[:60], "site.error.logo_broken"},
	} {
		if err := st.SetFavicon(ctx, admin, bytes.NewReader(c.data)); vkey(err, site.FileFavicon) != c.key {
			t.Errorf("favicon refused with %v, want %s", err, c.key)
		}
	}
	cur, _ := st.Current(ctx)
	if cur.Favicon != nil {
		t.Fatal("a refused favicon was kept")
	}
	if err := st.SetFavicon(ctx, admin, bytes.NewReader(pngOf(t, 512, 510))); err != nil {
		t.Fatal(err)
	}
	cur, _ = st.Current(ctx)
	if f := cur.Favicon; f == nil || f.Width != site.FaviconSize || f.Height != site.FaviconSize || f.MediaType != "image/png" {
		t.Fatalf("favicon = %+v", cur.Favicon)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(cur.Favicon.Data)); err != nil || cfg.Width != site.FaviconSize {
		t.Fatalf("favicon bytes: %v %+v", err, cfg)
	}
	if cur.Logo != nil {
		t.Fatal("the favicon was read as the logo")
	}
	if err := st.RemovePicture(ctx, member, site.FileFavicon); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("member removes: %v", err)
	}
	if err := st.RemovePicture(ctx, admin, "logo_of_someone"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("removing an unknown key: %v", err)
	}
	if err := st.RemovePicture(ctx, admin, site.FileFavicon); err != nil {
		t.Fatal(err)
	}
	if cur, _ = st.Current(ctx); cur.Favicon != nil {
		t.Fatal("favicon still there")
	}
	var n int
	if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM audit WHERE action IN ('site.favicon', 'site.picture_removed')").Scan(&n); err != nil || n != 2 {
		t.Fatalf("audit entries = %d, %v", n, err)
	}
}

func TestHeroPictures(t *testing.T) {
	d := dbtest.NewDB(t)
	ctx := context.Background()
	st := site.New(d)
	pic := pngOf(t, 2400, 800)
	if err := st.SetHero(ctx, member, "home", "Des collines", false, bytes.NewReader(pic)); !errors.Is(err, access.ErrForbidden) {
		t.Fatalf("member sets a banner: %v", err)
	}
	if err := st.SetHero(ctx, admin, "home", "  ", false, bytes.NewReader(pic)); vkey(err, site.HeroAltKey("home")) != "site.error.hero_alt" {
		t.Fatalf("no alternative: %v", err)
	}
	if err := st.SetHero(ctx, admin, "home", strings.Repeat("a", 251), false, bytes.NewReader(pic)); vkey(err, site.HeroAltKey("home")) != "site.error.too_long" {
		t.Fatalf("long alternative: %v", err)
	}
	if err := st.SetHero(ctx, admin, "../logo", "x", false, bytes.NewReader(pic)); err == nil {
		t.Fatal("an unknown page kind was accepted")
	}
	if err := st.SetHero(ctx, admin, "agenda", "x", false, bytes.NewReader(pngOf(t, 64, 64)[:60])); vkey(err, "hero_agenda") != "site.error.picture_broken" {
		t.Fatalf("broken picture: %v", err)
	}
	if err := st.SetHero(ctx, admin, "home", "Des collines au soleil", false, bytes.NewReader(pic)); err != nil {
		t.Fatal(err)
	}
	if err := st.SetHero(ctx, admin, "agenda", "ignored", true, bytes.NewReader(pngOf(t, 800, 200))); err != nil {
		t.Fatal(err)
	}
	cur, _ := st.Current(ctx)
	l, alt := cur.Hero("home")
	if l == nil || alt != "Des collines au soleil" || l.Width != site.HeroWidth || l.MediaType != "image/jpeg" {
		t.Fatalf("home banner = %+v, %q", l, alt)
	}
	if _, err := jpeg.DecodeConfig(bytes.NewReader(l.Data)); err != nil {
		t.Fatal(err)
	}
	if l, alt := cur.Hero("agenda"); l == nil || alt != "" || l.Width != 800 {
		t.Fatalf("agenda banner (decorative) = %+v, %q", l, alt)
	}
	if l, _ := cur.Hero("news"); l != nil {
		t.Fatal("a banner for news")
	}
	if err := st.RemovePicture(ctx, admin, "hero_home"); err != nil {
		t.Fatal(err)
	}
	if cur, _ = st.Current(ctx); cur.Heroes["home"] != nil || cur.Heroes["agenda"] == nil {
		t.Fatalf("after removal: %+v", cur.Heroes)
	}
}
