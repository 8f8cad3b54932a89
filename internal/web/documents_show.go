package web

import (
	"net/http"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/documents"
)

// documentShowPage is the detail of one document, with the editing tools
// for those who may edit its folder.
type documentShowPage struct {
	Page
	Doc      *documents.Document
	Crumbs   []documents.Folder
	Level    access.Level
	CanEdit  bool
	IsAdmin  bool
	Public   bool
	Versions []documents.Version
	Folders  []documents.Folder // move targets
	Reason   string             // why there is no indexable text
	// Form values kept on a 422 re-render.
	TitleValue string
	DateValue  string
}

func (s *Server) documentShowData(r *http.Request, id int64) (documentShowPage, error) {
	ctx := r.Context()
	pr := principal(r)
	d, err := s.docs.Get(ctx, pr, id)
	if err != nil {
		return documentShowPage{}, err
	}
	p := documentShowPage{Doc: d, TitleValue: d.Title, DateValue: d.PublishedOn, IsAdmin: pr.Admin, Reason: s.reasonText(d.TextReason)}
	p.Page = s.page(r, d.Title)
	if p.Crumbs, err = s.docs.Breadcrumb(ctx, pr, d.FolderID); err != nil {
		return p, err
	}
	if p.Level, err = s.docs.LevelOn(ctx, pr, d); err != nil {
		return p, err
	}
	if p.Public, err = s.docs.IsPublic(ctx, d); err != nil {
		return p, err
	}
	if p.Level >= access.Edit {
		p.CanEdit = true
		if p.Versions, err = s.docs.Versions(ctx, pr, id); err != nil {
			return p, err
		}
		if p.Folders, err = s.docs.EditableFolders(ctx, pr); err != nil {
			return p, err
		}
	}
	return p, nil
}

func (s *Server) documentShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.documentShowData(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "documents_show", p)
	return nil
}

// documentDownload serves the bytes of a document after checking the access
// model on this very request. Range requests and If-None-Match work (big
// files resume); the name is sent per RFC 6266; nothing is sniffed; private
// documents are not kept by shared caches and the store audits their
// downloads (once per download, not per resumed chunk).
// ?inline=1 shows a PDF in the browser; ?version=N (editors) an older file.
func (s *Server) documentDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil {
			return errBadRequest
		}
		if version < 1 {
			return db.ErrNotFound
		}
	}
	rg := r.Header.Get("Range")
	resumed := rg != "" && !strings.HasPrefix(rg, "bytes=0-")
	dl, err := s.docs.OpenForDownload(r.Context(), s.actor(r), id, version, resumed)
	if err != nil {
		return err
	}
	defer dl.File.Close()
	h := w.Header()
	h.Set("Content-Type", dl.MediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	inline := r.URL.Query().Get("inline") == "1" && dl.MediaType == "application/pdf"
	h.Set("Content-Disposition", documents.ContentDisposition(dl.Filename, inline))
	h.Set("ETag", `"`+dl.SHA256+`"`)
	if dl.Public {
		h.Set("Cache-Control", "public, max-age=300")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	if inline {
		// The browser's PDF viewer is a plugin: the site-wide policy
		// (object-src 'none') would leave the page blank.
		h.Set("Content-Security-Policy", "default-src 'none'; object-src 'self'; frame-ancestors 'none'")
	} else {
		// A downloaded file is never a page of this site.
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	}
	http.ServeContent(w, r, "", dl.Modified, dl.File)
	return nil
}
