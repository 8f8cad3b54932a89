package documents

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/config"
	"portique/internal/db"
	"portique/internal/search"
	"portique/internal/valid"
)

// Options are the settings the store needs.
type Options struct {
	Location      *time.Location // dates are days in this zone (default UTC)
	ArchiveMonths int            // default 3
	TrashDays     int            // days an item stays in the trash; default 30
	UploadMax     int64          // bytes; default 100 MB
}

// Store is the document space's data access. All its SQL is in this package.
type Store struct {
	db    *db.DB
	blobs *Blobs
	index search.Index
	opts  Options
	// Now is the clock (time.Now unless set: services.New gives it the
	// program's clock, tests a fake one).
	Now func() time.Time
	// Wake is called after an extraction job is enqueued (the server sets
	// it to the job runner's Wake so the upload is indexed at once).
	Wake func()
	// wakeOCR wakes the OCR runner; nil when no runner does OCR.
	wakeOCR func()

	// Reads that listing pages repeat, kept while the content does not
	// change (db.Memo; keys hold p's groups and, where the archive rule
	// applies, the cutoff date). Shared: handed out as copies.
	lists   db.Memo[listed]
	trees   db.Memo[[]Folder]
	folders db.Memo[folderLevel]
	crumbs  db.Memo[[]Folder]
}

// NewStore returns a store. index may be nil (nothing is indexed).
func NewStore(d *db.DB, blobs *Blobs, index search.Index, o Options) *Store {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.ArchiveMonths <= 0 {
		o.ArchiveMonths = 3
	}
	if o.TrashDays <= 0 {
		o.TrashDays = 30
	}
	if o.UploadMax <= 0 {
		o.UploadMax = 100 << 20
	}
	return &Store{db: d, blobs: blobs, index: index, opts: o, Now: time.Now,
		lists: db.Memo[listed]{Max: 256}, folders: db.Memo[folderLevel]{Max: 256}, crumbs: db.Memo[[]Folder]{Max: 256}}
}

// Blobs returns the blob storage.
func (s *Store) Blobs() *Blobs { return s.blobs }

// UploadMax is the size limit of one file.
func (s *Store) UploadMax() int64 { return s.opts.UploadMax }

// Cutoff is the archive cutoff date now.
func (s *Store) Cutoff() string {
	return ArchiveCutoff(s.Now(), s.opts.Location, s.opts.ArchiveMonths)
}

// Today is the current date in the site's zone, YYYY-MM-DD.
func (s *Store) Today() string { return s.Now().In(s.opts.Location).Format(time.DateOnly) }

// need checks that p holds at least lvl on a folder: db.ErrNotFound when p may
// not even see it (so ids cannot be probed), access.ErrForbidden when p sees it but
// lacks lvl.
//
// A folder in the trash is not found, for administrators too: nothing can be
// uploaded into it, moved into it, renamed or shared until it is restored.
func need(ctx context.Context, q db.Querier, p access.Principal, folderID int64, lvl access.Level) error {
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM folders WHERE id = ? AND trashed_at IS NULL", folderID).Scan(&n); err != nil {
		return fmt.Errorf("documents: folder %d: %w", folderID, err)
	}
	if n == 0 {
		return db.ErrNotFound
	}
	if p.Admin {
		return nil
	}
	ok, err := access.Can(ctx, q, p, access.Folder, folderID, lvl)
	if err != nil || ok {
		return err
	}
	if lvl > access.View {
		if seen, err := access.Can(ctx, q, p, access.Folder, folderID, access.View); err != nil {
			return err
		} else if seen {
			return fmt.Errorf("documents: %s on folder %d: %w", lvl, folderID, access.ErrForbidden)
		}
	}
	return db.ErrNotFound
}

// record writes the audit entry of a change made by a, in the transaction
// q of that change.
func (s *Store) record(ctx context.Context, q db.Querier, a access.Actor, action, object, detail string) error {
	return audit.Record(ctx, q, a, s.Now().UTC(), action, object, detail)
}

func documentObject(id int64) string { return audit.Object("document", id) }

func folderObject(id int64) string { return audit.Object("folder", id) }

// needLive is need inside a transaction that puts something into the
// folder: it first locks the folder's row if it is not in the trash (a
// no-op update). On PostgreSQL a concurrent TrashFolder, which locks the
// rows it trashes before touching their documents, then runs entirely
// before or after: either this write waits and finds the folder trashed
// (not found), or the deletion waits and takes the new row along.
func needLive(ctx context.Context, tx *db.Tx, p access.Principal, folderID int64, lvl access.Level) error {
	if ok, err := lockLive(ctx, tx, folderID); err != nil || !ok {
		if err == nil {
			err = db.ErrNotFound
		}
		return err
	}
	return need(ctx, tx, p, folderID, lvl)
}

// lockLive locks a folder's row when it is not in the trash, and reports
// whether it is not.
func lockLive(ctx context.Context, tx *db.Tx, folderID int64) (bool, error) {
	res, err := tx.Exec(ctx, "UPDATE folders SET trashed_at = trashed_at WHERE id = ? AND trashed_at IS NULL", folderID)
	if err != nil {
		return false, fmt.Errorf("documents: lock folder %d: %w", folderID, err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// maxFolderName bounds a folder's name, in characters.
const maxFolderName = 120

func checkFolderName(name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return "", valid.One("name", "documents.error.folder_name_required")
	case utf8.RuneCountInString(name) > maxFolderName:
		return "", valid.One("name", "documents.error.folder_name_too_long", maxFolderName)
	case strings.ContainsAny(name, "/\\\x00"):
		return "", valid.One("name", "documents.error.folder_name_chars")
	}
	return name, nil
}

// CreateFolder creates a folder under parentID (0: a root). A root needs an
// administrator; a sub-folder needs manage on its parent, whose grants it
// inherits.
func (s *Store) CreateFolder(ctx context.Context, a access.Actor, parentID int64, name string) (int64, error) {
	name, err := checkFolderName(name)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var parent any
		if parentID == 0 {
			if !a.Admin {
				return fmt.Errorf("documents: create a top-level folder: %w", access.ErrForbidden)
			}
		} else {
			if err := needLive(ctx, tx, a.Principal, parentID, access.Manage); err != nil {
				return err
			}
			parent = parentID
		}
		// Checked before inserting: QueryRow errors are not classified as
		// conflicts, and a clear message beats a constraint error.
		if taken, err := nameTaken(ctx, tx, parentID, name, 0); err != nil {
			return err
		} else if taken {
			return valid.One("name", "documents.error.folder_name_taken")
		}
		if err := tx.QueryRow(ctx, "INSERT INTO folders (parent_id, name, created_at, created_by) VALUES (?, ?, ?, ?) RETURNING id",
			parent, name, s.Now().UTC(), nullID(a.UserID)).Scan(&id); err != nil {
			return fmt.Errorf("documents: create folder: %w", err)
		}
		if err := access.AddNode(ctx, tx, access.Folder, id, parentID); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "folder.created", folderObject(id), name)
	})
	return id, err
}

// nameTaken reports whether a folder other than except, not in the trash,
// already has that name under parentID (0: the top level).
func nameTaken(ctx context.Context, q db.Querier, parentID int64, name string, except int64) (bool, error) {
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM folders WHERE COALESCE(parent_id, 0) = ? AND name = ? AND id <> ? AND trashed_at IS NULL",
		parentID, name, except).Scan(&n); err != nil {
		return false, fmt.Errorf("documents: folder name: %w", err)
	}
	return n > 0, nil
}

// RenameFolder renames a folder (manage needed).
func (s *Store) RenameFolder(ctx context.Context, a access.Actor, id int64, name string) error {
	name, err := checkFolderName(name)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := need(ctx, tx, a.Principal, id, access.Manage); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE folders SET name = ? WHERE id = ?", name, id); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return valid.One("name", "documents.error.folder_name_taken")
			}
			return fmt.Errorf("documents: rename folder %d: %w", id, err)
		}
		if err := s.reindexFolder(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, a, "folder.renamed", folderObject(id), name)
	})
}

// SetFolderGrants gives a folder its own grants (inherit false) or makes it
// follow its parent again (inherit true). Manage needed. Sub-folders that
// inherit follow; documents need no re-indexing since the index refers to
// the folder's access node.
func (s *Store) SetFolderGrants(ctx context.Context, a access.Actor, id int64, grants []access.Grant, inherit bool) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := need(ctx, tx, a.Principal, id, access.Manage); err != nil {
			return err
		}
		detail := "inherit"
		if inherit {
			if err := access.Inherit(ctx, tx, access.Folder, id); err != nil {
				return err
			}
		} else {
			if err := access.SetGrants(ctx, tx, access.Folder, id, grants); err != nil {
				return err
			}
			detail = grantsDetail(grants)
		}
		return s.record(ctx, tx, a, "folder.grants", folderObject(id), detail)
	})
}

// grantsDetail is the audit detail of own grants: "group:12=view
// group:1=edit", "none" when nobody but administrators keeps access.
func grantsDetail(grants []access.Grant) string {
	if len(grants) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(grants))
	for _, g := range grants {
		parts = append(parts, audit.Object("group", g.GroupID)+"="+g.Level.String())
	}
	return strings.Join(parts, " ")
}

// FolderGrants returns the grants that apply to a folder and whether they
// are its own (false: inherited from its parent), for someone who manages it.
func (s *Store) FolderGrants(ctx context.Context, p access.Principal, id int64) ([]access.Grant, bool, error) {
	if err := need(ctx, s.db, p, id, access.Manage); err != nil {
		return nil, false, err
	}
	return access.Grants(ctx, s.db, access.Folder, id)
}

// Folder returns one folder p may view, and p's level on it.
func (s *Store) Folder(ctx context.Context, p access.Principal, id int64) (Folder, access.Level, error) {
	v, err := s.folders.Get(ctx, s.db, p.Key()+"/"+strconv.FormatInt(id, 10), func() (folderLevel, error) {
		f, lvl, err := s.readFolder(ctx, p, id)
		return folderLevel{f, lvl}, err
	})
	if err != nil {
		return Folder{}, access.None, err
	}
	return v.f, v.lvl, nil
}

// folderLevel is one answer of Folder.
type folderLevel struct {
	f   Folder
	lvl access.Level
}

func (s *Store) readFolder(ctx context.Context, p access.Principal, id int64) (Folder, access.Level, error) {
	if err := need(ctx, s.db, p, id, access.View); err != nil {
		return Folder{}, access.None, err
	}
	f, err := s.folder(ctx, s.db, id)
	if err != nil {
		return f, access.None, err
	}
	lvl, err := access.LevelOf(ctx, s.db, p, access.Folder, id)
	return f, lvl, err
}

func (s *Store) folder(ctx context.Context, q db.Querier, id int64) (Folder, error) {
	var f Folder
	var parent *int64
	err := q.QueryRow(ctx, "SELECT id, parent_id, name, created_at FROM folders WHERE id = ?", id).
		Scan(&f.ID, &parent, &f.Name, &f.CreatedAt)
	if err != nil {
		return f, fmt.Errorf("documents: folder %d: %w", id, db.NotFound(err))
	}
	if parent != nil {
		f.ParentID = *parent
	}
	return f, nil
}

// Breadcrumb returns the ancestors of a folder p may view, root first, the
// folder itself last. Ancestors p may not view are left out.
func (s *Store) Breadcrumb(ctx context.Context, p access.Principal, id int64) ([]Folder, error) {
	chain, err := s.crumbs.Get(ctx, s.db, p.Key()+"/"+strconv.FormatInt(id, 10), func() ([]Folder, error) {
		return s.readBreadcrumb(ctx, p, id)
	})
	return slices.Clone(chain), err
}

func (s *Store) readBreadcrumb(ctx context.Context, p access.Principal, id int64) ([]Folder, error) {
	var chain []Folder
	for cur, n := id, 0; cur != 0 && n < 64; n++ {
		f, err := s.folder(ctx, s.db, cur)
		if err != nil {
			return nil, err
		}
		chain = append([]Folder{f}, chain...)
		cur = f.ParentID
	}
	out := chain[:0]
	for _, f := range chain {
		if ok, err := access.Can(ctx, s.db, p, access.Folder, f.ID, access.View); err != nil {
			return nil, err
		} else if ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// Tree returns every folder p may view, depth first in name order, each with
// the number of visible documents it holds directly: current ones, or
// archived ones when archived is true. A visible folder whose parent is not
// visible is shown at the top level.
//
// The tree is kept while the content does not change and the archive's
// cutoff stays (db.Memo): every documents page draws it.
func (s *Store) Tree(ctx context.Context, p access.Principal, archived bool) ([]Folder, error) {
	tree, err := s.trees.Get(ctx, s.db, fmt.Sprintf("%s/%s/%t", p.Key(), s.Cutoff(), archived), func() ([]Folder, error) {
		return s.readTree(ctx, p, archived)
	})
	return slices.Clone(tree), err
}

func (s *Store) readTree(ctx context.Context, p access.Principal, archived bool) ([]Folder, error) {
	f, args := p.Filter(access.Folder, "f.id", access.View)
	cond := "NOT " + archiveSQL
	if archived {
		cond = archiveSQL
	}
	q := `SELECT f.id, COALESCE(f.parent_id, 0), f.name, f.created_at,
		(SELECT COUNT(*) FROM documents d WHERE d.folder_id = f.id AND d.trashed_at IS NULL AND ` + cond + `)
		FROM folders f WHERE f.trashed_at IS NULL AND ` + f + ` ORDER BY f.name, f.id`
	rows, err := s.db.Query(ctx, q, append([]any{s.Cutoff()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("documents: tree: %w", err)
	}
	defer rows.Close()
	var all []Folder
	byID := map[int64]bool{}
	for rows.Next() {
		var x Folder
		if err := rows.Scan(&x.ID, &x.ParentID, &x.Name, &x.CreatedAt, &x.Count); err != nil {
			return nil, err
		}
		all = append(all, x)
		byID[x.ID] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	children := map[int64][]Folder{}
	for _, x := range all {
		parent := x.ParentID
		if !byID[parent] {
			parent = 0
		}
		children[parent] = append(children[parent], x)
	}
	var out []Folder
	// walk lists the tree in order; a folder's count takes in the
	// documents of its sub-folders (those p sees), as people expect of a
	// folder. It returns the count of parent's sub-tree.
	var walk func(parent int64, depth int) int
	walk = func(parent int64, depth int) int {
		total := 0
		for _, c := range children[parent] {
			c.Depth = depth
			at := len(out)
			out = append(out, c)
			out[at].Count += walk(c.ID, depth+1)
			total += out[at].Count
		}
		return total
	}
	walk(0, 0)
	return out, nil
}

// SubFolders returns the folders directly under parent that p may see, in
// name order, with their counts (sub-folders included). parent 0: the roots.
func (s *Store) SubFolders(ctx context.Context, p access.Principal, parent int64) ([]Folder, error) {
	tree, err := s.Tree(ctx, p, false)
	if err != nil {
		return nil, err
	}
	var out []Folder
	for _, f := range tree {
		if f.ParentID == parent {
			out = append(out, f)
		}
	}
	return out, nil
}

// EditableFolders returns the folders p may upload into (edit or more), in
// tree order, for the "move to" and upload menus.
func (s *Store) EditableFolders(ctx context.Context, p access.Principal) ([]Folder, error) {
	tree, err := s.Tree(ctx, p, false)
	if err != nil {
		return nil, err
	}
	f, args := p.Filter(access.Folder, "f.id", access.Edit)
	rows, err := s.db.Query(ctx, "SELECT f.id FROM folders f WHERE "+f, args...)
	if err != nil {
		return nil, fmt.Errorf("documents: editable folders: %w", err)
	}
	defer rows.Close()
	ok := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ok[id] = true
	}
	var out []Folder
	for _, x := range tree {
		if ok[x.ID] {
			out = append(out, x)
		}
	}
	return out, rows.Err()
}

// FolderByPath finds a folder by its names from the root ("Instances",
// "Comité syndical"), without access checks: for seeding and tests.
func (s *Store) FolderByPath(ctx context.Context, names ...string) (int64, error) {
	var id int64
	for _, n := range names {
		var next int64
		var err error
		if id == 0 {
			err = s.db.QueryRow(ctx, "SELECT id FROM folders WHERE parent_id IS NULL AND name = ? AND trashed_at IS NULL", n).Scan(&next)
		} else {
			err = s.db.QueryRow(ctx, "SELECT id FROM folders WHERE parent_id = ? AND name = ? AND trashed_at IS NULL", id, n).Scan(&next)
		}
		if err != nil {
			return 0, fmt.Errorf("documents: folder %q: %w", n, db.NotFound(err))
		}
		id = next
	}
	return id, nil
}

// FromConfig builds the store the server uses: bytes under DataDir/blobs,
// dates in the configured zone, the configured archive age and size limit.
// Its clock is time.Now until the caller sets Now.
func FromConfig(cfg *config.Config, d *db.DB, index search.Index) (*Store, error) {
	blobs, err := NewBlobs(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return nil, err
	}
	return NewStore(d, blobs, index, Options{
		Location: cfg.Location(), ArchiveMonths: cfg.ArchiveMonths, TrashDays: cfg.TrashDays, UploadMax: cfg.UploadMax,
	}), nil
}
