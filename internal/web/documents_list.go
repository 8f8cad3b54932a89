package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/documents"
)

// documentsPerPage is the length of a listing page.
const documentsPerPage = 25

// documentsIndexPage is the data of the listing (all current documents, one
// folder, or the archive), with the upload and folder forms for editors.
type documentsIndexPage struct {
	Page
	Archived  bool
	Folder    *documents.Folder // nil: every folder
	Crumbs    []documents.Folder
	Heading   string // the h1; the title adds the folder's path (RGAA 8.6)
	Tree      []documents.Folder
	TreeHTML  template.HTML // Tree drawn (folderTreeHTML)
	Docs      []documents.Document
	RowsHTML  template.HTML // Docs drawn as table rows (docRowsHTML)
	Total     int
	Sort      string
	SortDate  string // URLs of the sort links
	SortName  string
	PrevURL   string
	NextURL   string
	PageNum   int
	Pages     int
	Level     access.Level // on Folder
	CanUpload bool
	CanManage bool
	// Folder tools for managers: where the folder may move to, and whether
	// it may be moved to the top level or deleted (top-level folders:
	// administrators only).
	MoveTargets []documents.Folder
	CanMoveRoot bool
	CanDelete   bool
	UploadMax   string
	Today       string
	// Upload results kept on a 422 re-render.
	Uploaded      []documents.Document
	PublishedOn   string
	NewFolderName string
	FolderName    string
	// BaseURL of this listing (for the tree links).
	ArchiveMonths int
}

func (s *Server) documentIndex(w http.ResponseWriter, r *http.Request) error {
	return s.documentListing(w, r, 0, false)
}

func (s *Server) documentArchive(w http.ResponseWriter, r *http.Request) error {
	return s.documentListing(w, r, 0, true)
}

func (s *Server) documentFolder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.documentListing(w, r, id, false)
}

func (s *Server) documentArchiveFolder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.documentListing(w, r, id, true)
}

func (s *Server) documentListing(w http.ResponseWriter, r *http.Request, folderID int64, archived bool) error {
	p, err := s.documentsIndexData(r, folderID, archived)
	if err != nil {
		return err
	}
	cacheUntil(r, s.midnight()) // the archive rule moves at midnight
	s.render(w, r, http.StatusOK, "documents_index", p)
	return nil
}

// documentsIndexData builds the listing; every list and count comes from
// the store, filtered by the visitor's grants inside the SQL.
func (s *Server) documentsIndexData(r *http.Request, folderID int64, archived bool) (documentsIndexPage, error) {
	ctx := r.Context()
	pr := principal(r)
	title := s.cat.T("documents.title")
	if archived {
		title = s.cat.T("documents.archive.title")
	}
	p := documentsIndexPage{Archived: archived, UploadMax: humanBytes(s.docs.UploadMax()), Today: s.docs.Today(), ArchiveMonths: s.cfg.ArchiveMonths}
	if folderID != 0 {
		f, lvl, err := s.docs.Folder(ctx, pr, folderID)
		if err != nil {
			return p, err
		}
		p.Folder, p.Level = &f, lvl
		p.CanUpload = !archived && lvl >= access.Edit
		p.CanManage = !archived && lvl >= access.Manage
		p.FolderName = f.Name
		if p.CanManage {
			if p.MoveTargets, err = s.docs.MoveTargets(ctx, pr, f); err != nil {
				return p, err
			}
			p.CanMoveRoot = pr.Admin && f.ParentID != 0
			p.CanDelete = pr.Admin || f.ParentID != 0
		}
		if p.Crumbs, err = s.docs.Breadcrumb(ctx, pr, folderID); err != nil {
			return p, err
		}
		title = f.Name
		if archived {
			title = f.Name + " – " + s.cat.T("documents.archive.title")
		}
	}
	p.Page = s.page(r, folderTitle(title, p.Crumbs))
	p.Heading = title
	var err error
	if p.Tree, err = s.docs.Tree(ctx, pr, archived); err != nil {
		return p, err
	}
	if p.TreeHTML, err = s.folderTreeHTML(p.Tree, folderID, archived); err != nil {
		return p, err
	}
	q := r.URL.Query()
	p.Sort = "date"
	if q.Get("tri") == "nom" {
		p.Sort = "name"
	}
	p.PageNum, _ = strconv.Atoi(q.Get("page"))
	p.PageNum = max(p.PageNum, 1)
	p.Docs, p.Total, err = s.docs.List(ctx, pr, documents.ListQuery{
		FolderID: folderID, Archived: archived, Sort: p.Sort,
		Limit: documentsPerPage, Offset: (p.PageNum - 1) * documentsPerPage,
	})
	if err != nil {
		return p, err
	}
	if p.RowsHTML, err = s.docRowsHTML(p.Docs, p.Folder == nil); err != nil {
		return p, err
	}
	p.Pages = max(1, (p.Total+documentsPerPage-1)/documentsPerPage)
	base := r.URL.Path
	p.SortDate = base
	p.SortName = base + "?tri=nom"
	if p.PageNum > 1 {
		p.PrevURL = withQuery(base, q, "page", strconv.Itoa(p.PageNum-1))
	}
	if p.PageNum < p.Pages {
		p.NextURL = withQuery(base, q, "page", strconv.Itoa(p.PageNum+1))
	}
	return p, nil
}

// docRow is one row of a documents table: the document, and whether the
// table has a folder column (the listing of every folder).
type docRow struct {
	D          documents.Document
	ShowFolder bool
}

// docRowKey is everything a row of a documents table shows.
type docRowKey struct {
	ID, FolderID, Size, CreatedAt                                     int64
	Title, FolderName, MediaType, PublishedOn, TextStatus, TextReason string
	Pinned, ShowFolder                                                bool
}

// docRowsHTML draws the rows of a documents table, each kept by everything
// it shows (htmlMemo): after the folder tree, the rows were most of a
// documents page's drawing.
func (s *Server) docRowsHTML(docs []documents.Document, showFolder bool) (template.HTML, error) {
	var b strings.Builder
	for _, d := range docs {
		k := docRowKey{ID: d.ID, FolderID: d.FolderID, Size: d.Size, CreatedAt: d.CreatedAt.UnixNano(),
			Title: d.Title, FolderName: d.FolderName, MediaType: d.MediaType, PublishedOn: d.PublishedOn,
			TextStatus: d.TextStatus, TextReason: d.TextReason, Pinned: d.Pinned, ShowFolder: showFolder}
		h, err := s.docRows.draw(s, k, "documents-row", docRow{D: d, ShowFolder: showFolder})
		if err != nil {
			return "", err
		}
		b.WriteString(string(h))
	}
	return template.HTML(b.String()), nil //nolint:gosec // drawn by html/template
}

// treeKey is everything the folder tree's drawing shows.
type treeKey struct {
	folders  string // each folder's id, depth, count and name
	current  int64
	archived bool
}

// folderTreeHTML draws the folder tree, kept by everything it shows
// (htmlMemo): the tree was a third of a documents page's drawing.
func (s *Server) folderTreeHTML(tree []documents.Folder, current int64, archived bool) (template.HTML, error) {
	var b strings.Builder
	for _, f := range tree {
		fmt.Fprintf(&b, "%d/%d/%d/%d:%s", f.ID, f.Depth, f.Count, len(f.Name), f.Name)
	}
	return s.trees.draw(s, treeKey{folders: b.String(), current: current, archived: archived}, "documents-folder-tree",
		map[string]any{"Tree": tree, "Current": current, "Archived": archived})
}
