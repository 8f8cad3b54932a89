package web

import (
	"bytes"
	"html"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/feeds"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/pages"
)

// feedItems is how many news items a feed carries.
const feedItems = 20

// newsFeed serves the public feed of the news index (/actualites) as RSS
// 2.0 or Atom: the newest items anonymous visitors may see, whoever asks,
// so a private item never reaches a feed reader.
func (s *Server) newsFeed(format string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		index, err := s.pages.NewsIndex(r.Context(), newsPath)
		if err != nil {
			return err
		}
		visitor := access.Anonymous()
		if ok, err := s.pages.Can(r.Context(), visitor, index.ID, access.View); err != nil {
			return err
		} else if !ok || !index.LiveAt(s.now()) {
			return db.ErrNotFound
		}
		items, _, err := s.pages.News(r.Context(), visitor, pages.NewsQuery{IndexID: index.ID, Limit: feedItems})
		if err != nil {
			return err
		}
		f := &feeds.Feed{
			Title:       s.cat.T("news.feed.title", s.siteName(r.Context())),
			Link:        &feeds.Link{Href: s.absURL(r, index.Path)},
			Description: s.cat.T("news.feed.description", s.siteName(r.Context())),
			Id:          s.absURL(r, index.Path),
			Updated:     index.PublishedAt,
		}
		for _, n := range items {
			it := &feeds.Item{
				Title: n.Title,
				Link:  &feeds.Link{Href: s.absURL(r, n.Path)},
				Id:    s.absURL(r, n.Path),
				// The feeds' description is HTML: the teaser is text.
				Description: html.EscapeString(n.Teaser),
				// The item's date (Atom has only "updated" here): the
				// date the editor gave, not the last correction.
				Created: n.Date(),
				Updated: n.Date(),
			}
			if it.Updated.After(f.Updated) {
				f.Updated = it.Updated
			}
			f.Add(it)
		}
		var buf bytes.Buffer
		ctype := "application/rss+xml; charset=utf-8"
		if format == "atom" {
			ctype = "application/atom+xml; charset=utf-8"
			err = f.WriteAtom(&buf)
		} else {
			err = f.WriteRss(&buf)
		}
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", ctype)
		// Readers and proxies may keep it a minute, never past the next
		// scheduled change.
		age := 60
		if next := s.scheduleLimit(r); !next.IsZero() {
			age = min(age, max(0, int(next.Sub(s.now())/time.Second)))
		}
		w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(age))
		w.Write(buf.Bytes()) //nolint:errcheck // the client went away
		return nil
	}
}
