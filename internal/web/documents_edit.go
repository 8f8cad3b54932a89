package web

import (
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/documents"
	"portique/internal/valid"
)

// maxFilesPerUpload bounds one upload form.
const maxFilesPerUpload = 20

// documentUpload receives one or more files for a folder. The multipart body
// is streamed: each file goes straight to disk through the store, never
// whole in memory. Files that pass are kept even when others fail; the page
// then lists both (422). The CSRF token comes in the query string, since the
// body is not parsed before the handler.
func (s *Server) documentUpload(w http.ResponseWriter, r *http.Request) error {
	folderID, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	a := s.actor(r)
	// Refuse before reading a byte of the body.
	if err := s.docs.CheckUpload(ctx, a.Principal, folderID); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.docs.UploadMax()*maxFilesPerUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return errBadRequest
	}
	var uploaded []documents.Document
	var msgs []valid.Message
	pub, files := "", 0
	title, desc := "", "" // for the first file only
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			msgs = append(msgs, valid.Message{Key: "documents.upload.interrupted"})
			break
		}
		switch part.FormName() {
		case "published_on":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			pub = strings.TrimSpace(string(b))
		case "title":
			b, _ := io.ReadAll(io.LimitReader(part, 4<<10))
			title = string(b)
		case "description":
			b, _ := io.ReadAll(io.LimitReader(part, 16<<10))
			desc = string(b)
		case "file":
			if part.FileName() == "" {
				break // the empty file input of a form sent without a file
			}
			files++
			if files > maxFilesPerUpload {
				msgs = append(msgs, valid.Message{Key: "documents.upload.too_many", Args: []any{maxFilesPerUpload}})
				break
			}
			d, err := s.docs.Upload(ctx, a, documents.UploadInput{FolderID: folderID, Filename: part.FileName(), PublishedOn: pub,
				Title: title, Description: desc, Body: part})
			title, desc = "", "" // the next files take their file names
			if ve, ok := formErrors(err); ok {
				for _, k := range []string{"file", "published_on", "title", "description"} {
					if m, ok := ve[k]; ok {
						msgs = append(msgs, m)
					}
				}
			} else if err != nil {
				return err
			} else {
				uploaded = append(uploaded, *d)
			}
		}
		part.Close()
	}
	if files == 0 && len(msgs) == 0 {
		msgs = append(msgs, valid.Message{Key: "documents.upload.none"})
	}
	if len(msgs) > 0 {
		p, err := s.documentsIndexData(r, folderID, false)
		if err != nil {
			return err
		}
		p.Uploaded, p.PublishedOn = uploaded, pub
		// One field for every file of the form: their messages in a row.
		p.Errors = map[string]string{"file": s.joinMessages(msgs)}
		return s.unprocessable(w, r, "documents_index", &p, nil)
	}
	return s.seeOther(w, r, "documents.flash.uploaded", folderURL(folderID, false))
}

// documentEdit runs one change on a document: success redirects to the
// document with a flash; bad input re-renders the page (422) with the
// user's value kept.
func (s *Server) documentEdit(w http.ResponseWriter, r *http.Request, flash string,
	change func(ctx context.Context, a access.Actor, id int64) error, keep func(p *documentShowPage)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = change(r.Context(), s.actor(r), id)
	if ve, ok := formErrors(err); ok {
		p, err := s.documentShowData(r, id)
		if err != nil {
			return err
		}
		if keep != nil {
			keep(&p)
		}
		return s.unprocessable(w, r, "documents_show", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, flash, documentURL(id))
}

func (s *Server) documentRename(w http.ResponseWriter, r *http.Request) error {
	title := r.PostFormValue("title")
	return s.documentEdit(w, r, "documents.flash.saved", func(ctx context.Context, a access.Actor, id int64) error {
		return s.docs.Rename(ctx, a, id, title)
	}, func(p *documentShowPage) { p.TitleValue = title })
}

func (s *Server) documentSetDate(w http.ResponseWriter, r *http.Request) error {
	date := r.PostFormValue("published_on")
	return s.documentEdit(w, r, "documents.flash.saved", func(ctx context.Context, a access.Actor, id int64) error {
		return s.docs.SetPublishedOn(ctx, a, id, date)
	}, func(p *documentShowPage) { p.DateValue = date })
}

func (s *Server) documentPin(w http.ResponseWriter, r *http.Request) error {
	pin := r.PostFormValue("pinned") == "1"
	return s.documentEdit(w, r, "documents.flash.saved", func(ctx context.Context, a access.Actor, id int64) error {
		return s.docs.SetPinned(ctx, a, id, pin)
	}, nil)
}

func (s *Server) documentMove(w http.ResponseWriter, r *http.Request) error {
	folder, err := strconv.ParseInt(r.PostFormValue("folder"), 10, 64)
	if err != nil {
		folder = 0 // refused by the store with a field error
	}
	return s.documentEdit(w, r, "documents.flash.moved", func(ctx context.Context, a access.Actor, id int64) error {
		return s.docs.Move(ctx, a, id, folder)
	}, nil)
}

// documentReplace puts a new file behind the document (multipart, streamed).
func (s *Server) documentReplace(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.docs.UploadMax()+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return errBadRequest
	}
	return s.documentEdit(w, r, "documents.flash.replaced", func(ctx context.Context, a access.Actor, id int64) error {
		part, err := nextFilePart(mr)
		if err != nil {
			return valid.One("replace", "documents.upload.none")
		}
		defer part.Close()
		_, err = s.docs.Replace(ctx, a, id, part.FileName(), part)
		if ve, ok := formErrors(err); ok && ve.Key("file") != "" {
			return valid.Errors{"replace": ve["file"]} // the replace form's file field
		}
		return err
	}, nil)
}

// nextFilePart skips to the first part carrying a file.
func nextFilePart(mr *multipart.Reader) (*multipart.Part, error) {
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, err
		}
		if part.FormName() == "file" && part.FileName() != "" {
			return part, nil
		}
		part.Close()
	}
}

func (s *Server) documentDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	d, err := s.docs.Get(ctx, principal(r), id)
	if err != nil {
		return err
	}
	if err := s.docs.Trash(ctx, s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "documents.flash.trashed", folderURL(d.FolderID, false))
}
