package web

import (
	"net/http"
	"strconv"
	"strings"

	"portique/internal/documents"
	"portique/internal/pages"
)

// Helpers for the RGAA criteria no robot checks (issue 16): titles that tell
// pages apart (RGAA 8.6).

// searchTitle is the title of a search page: the query and the number of
// results (and the page of results past the first) are in it, so two
// searches have two titles.
func (s *Server) searchTitle(base, q string, searched bool, total, page int) string {
	if !searched || q == "" {
		return base
	}
	t := s.cat.T("site.title.search", base, q, total)
	if page > 1 {
		t += s.cat.T("site.title.page", page)
	}
	return t
}

// folderTitle is the title of a folder's page: its name then its parents',
// nearest first ("Comptes rendus – Instances"), so two folders of the same
// name have two titles.
func folderTitle(title string, crumbs []documents.Folder) string {
	for i := len(crumbs) - 2; i >= 0; i-- {
		title += " – " + crumbs[i].Name
	}
	return title
}

// blockFieldIDs map the field of a page block's error (the domain's name,
// e.g. blocks.2.calendar) to the id of the control that sets it in the
// editor (blocks.2.calendar_id), so that the error summary's link reaches
// the field (RGAA 11.10).
var blockFieldIDs = map[string]string{
	".calendar": ".calendar_id",
	".folder":   ".folder_id",
	".image":    ".image_id",
}

// fieldAnchor is the id of the element an error summary links to for the
// error of field f.
func fieldAnchor(f string) string {
	if !strings.HasPrefix(f, "blocks.") {
		return f
	}
	for suffix, id := range blockFieldIDs {
		if strings.HasSuffix(f, suffix) {
			return strings.TrimSuffix(f, suffix) + id
		}
	}
	return f
}

// folderNode is a folder with its subfolders, for the nested tree.
type folderNode struct {
	documents.Folder
	Children []*folderNode
}

// folderTree nests a depth-first listing of folders (Tree's order, each
// with its Depth) into a tree: a folder is the child of the nearest folder
// above it with a smaller depth.
func folderTree(flat []documents.Folder) []*folderNode {
	var roots []*folderNode
	var stack []*folderNode
	for _, f := range flat {
		n := &folderNode{Folder: f}
		for len(stack) > 0 && stack[len(stack)-1].Depth >= f.Depth {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			roots = append(roots, n)
		} else {
			p := stack[len(stack)-1]
			p.Children = append(p.Children, n)
		}
		stack = append(stack, n)
	}
	return roots
}

// blockLabels names the landmarks of a page's blocks (documents, events,
// child pages) so that two of them never share a name (RGAA 12.6): a block
// without a name of its own takes its kind's, and a name met twice gets the
// block's rank ("Documents (2)").
func (s *Server) blockLabels(blocks []blockView) {
	kinds := map[string]string{
		pages.BlockDocuments: "pages.kind.documents",
		pages.BlockEvents:    "pages.kind.events",
		pages.BlockChildren:  "pages.children.label",
	}
	seen := map[string]int{}
	for i := range blocks {
		k, ok := kinds[blocks[i].Type]
		if !ok {
			continue
		}
		if blocks[i].Label == "" {
			blocks[i].Label = s.cat.T(k)
		}
		seen[blocks[i].Label]++
		if n := seen[blocks[i].Label]; n > 1 {
			blocks[i].Label = s.cat.T("pages.block.label_rank", blocks[i].Label, n)
		}
	}
}

// fileFacts loads the documents of ids that the viewer may download, by
// id in decimal, for their format and size beside a link (RGAA 13.3). One
// the viewer may not see is left out.
func (s *Server) fileFacts(r *http.Request, ids []int64) (map[string]*documents.Document, error) {
	files, err := s.docs.Files(r.Context(), principal(r), ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*documents.Document, len(files))
	for id, d := range files {
		out[strconv.FormatInt(id, 10)] = d
	}
	return out, nil
}
