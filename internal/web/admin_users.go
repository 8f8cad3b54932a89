package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/users"
	"portique/internal/valid"
)

// userRow is an account in the admin list, with its state.
type userRow struct {
	users.User
	Locked     bool
	Pending    bool // invitation not accepted yet
	GroupNames []string
}

type adminUsersPage struct {
	Page
	Query   string
	GroupID int64
	Groups  []users.Group
	Users   []userRow
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	gid, _ := strconv.ParseInt(q.Get("groupe"), 10, 64)
	list, err := users.List(ctx, s.db, users.ListFilter{Query: q.Get("q"), GroupID: gid})
	if err != nil {
		return err
	}
	groups, err := users.ListGroups(ctx, s.db)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, g := range groups {
		names[g.ID] = g.Name
	}
	now := s.now()
	p := adminUsersPage{Page: s.page(r, s.cat.T("accounts.admin.users")), Query: q.Get("q"), GroupID: gid, Groups: groups}
	for _, u := range list {
		row := userRow{User: u, Locked: u.Locked(now), Pending: !u.HasPassword}
		for _, g := range u.Groups {
			row.GroupNames = append(row.GroupNames, names[g])
		}
		p.Users = append(p.Users, row)
	}
	s.render(w, r, http.StatusOK, "admin_users", p)
	return nil
}

// userFormPage is the create/edit form of an account.
type userFormPage struct {
	Page
	Account  *users.User // nil when creating
	Form     users.Form
	Groups   []users.Group // real groups to choose from
	Selected map[int64]bool
	Locked   bool
	Pending  bool
	Self     bool // the admin is looking at their own account
}

func (s *Server) userFormPage(r *http.Request, acc *users.User, f users.Form) (userFormPage, error) {
	groups, err := users.ListGroups(r.Context(), s.db)
	if err != nil {
		return userFormPage{}, err
	}
	title := s.cat.T("accounts.admin.user_new")
	if acc != nil {
		title = acc.Name
	}
	p := userFormPage{Page: s.page(r, title), Account: acc, Form: f, Selected: map[int64]bool{}}
	for _, g := range groups {
		if !g.Builtin {
			p.Groups = append(p.Groups, g)
		}
	}
	for _, g := range f.Groups {
		p.Selected[g] = true
	}
	if acc != nil {
		p.Locked = acc.Locked(s.now())
		p.Pending = !acc.HasPassword
		p.Self = acc.ID == currentUser(r).ID
	}
	return p, nil
}

func parseUserForm(r *http.Request) users.Form {
	f := users.Form{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Admin: r.PostFormValue("admin") == "1"}
	for _, v := range r.PostForm["groups"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			f.Groups = append(f.Groups, id)
		}
	}
	return f
}

func (s *Server) adminUserNew(w http.ResponseWriter, r *http.Request) error {
	p, err := s.userFormPage(r, nil, users.Form{})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_user_form", p)
	return nil
}

func (s *Server) userFormInvalid(w http.ResponseWriter, r *http.Request, acc *users.User, f users.Form, errs valid.Errors) error {
	p, err := s.userFormPage(r, acc, f)
	if err != nil {
		return err
	}
	s.withErrors(&p.Page, errs)
	s.render(w, r, http.StatusUnprocessableEntity, "admin_user_form", p)
	return nil
}

// adminUserCreate creates the account and emails the invitation (valid
// 72 h) to choose a password; no password is ever set by the admin.
func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request) error {
	f := parseUserForm(r)
	id, err := users.Create(r.Context(), s.db, f, s.now())
	var verrs valid.Errors
	if errors.As(err, &verrs) {
		return s.userFormInvalid(w, r, nil, f, verrs)
	}
	if err != nil {
		return err
	}
	u, err := users.Get(r.Context(), s.db, id)
	if err != nil {
		return err
	}
	s.audit(r, nil, "user.created", userObject(id), auditUserDetail(u))
	if err := s.invite(r, u); err != nil {
		return err
	}
	s.flash(w, "accounts.flash.user_created")
	http.Redirect(w, r, "/admin/utilisateurs/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

func auditUserDetail(u *users.User) string {
	d := u.Email
	if u.Admin {
		d += ", administrateur"
	}
	if len(u.Groups) > 0 {
		ids := make([]string, len(u.Groups))
		for i, g := range u.Groups {
			ids[i] = strconv.FormatInt(g, 10)
		}
		d += ", groupes " + strings.Join(ids, ",")
	}
	return d
}

// accountFromPath loads the account named by {id}.
func (s *Server) accountFromPath(r *http.Request) (*users.User, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, db.ErrNotFound
	}
	return users.Get(r.Context(), s.db, id)
}

func (s *Server) adminUserEdit(w http.ResponseWriter, r *http.Request) error {
	u, err := s.accountFromPath(r)
	if err != nil {
		return err
	}
	p, err := s.userFormPage(r, u, users.Form{Email: u.Email, Name: u.Name, Admin: u.Admin, Groups: u.Groups})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "admin_user_form", p)
	return nil
}

func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request) error {
	u, err := s.accountFromPath(r)
	if err != nil {
		return err
	}
	f := parseUserForm(r)
	if u.ID == currentUser(r).ID && !f.Admin {
		// An administrator cannot remove their own rights (and lock
		// everyone out of the administration).
		return s.userFormInvalid(w, r, u, f, valid.One("admin", "accounts.admin.self_admin"))
	}
	err = s.db.InTx(r.Context(), func(tx *db.Tx) error { return users.Update(r.Context(), tx, u.ID, f) })
	var verrs valid.Errors
	if errors.As(err, &verrs) {
		return s.userFormInvalid(w, r, u, f, verrs)
	}
	if err != nil {
		return err
	}
	nu, err := users.Get(r.Context(), s.db, u.ID)
	if err != nil {
		return err
	}
	s.audit(r, nil, "user.updated", userObject(u.ID), auditUserDetail(nu))
	s.flash(w, "accounts.flash.user_saved")
	http.Redirect(w, r, "/admin/utilisateurs/"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
	return nil
}

// adminUserAction runs a one-button action on an account and returns to it.
func (s *Server) adminUserAction(w http.ResponseWriter, r *http.Request, action, flash string, self bool, fn func(u *users.User) error) error {
	u, err := s.accountFromPath(r)
	if err != nil {
		return err
	}
	if !self && u.ID == currentUser(r).ID {
		s.flash(w, "accounts.flash.not_self")
		http.Redirect(w, r, "/admin/utilisateurs/"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
		return nil
	}
	if err := fn(u); err != nil {
		return err
	}
	if action != "" {
		s.audit(r, nil, action, userObject(u.ID), u.Email)
	}
	s.flash(w, flash)
	http.Redirect(w, r, "/admin/utilisateurs/"+strconv.FormatInt(u.ID, 10), http.StatusSeeOther)
	return nil
}

// adminUserDisable disables an account; its sessions end at once.
func (s *Server) adminUserDisable(w http.ResponseWriter, r *http.Request) error {
	return s.adminUserAction(w, r, "user.disabled", "accounts.flash.user_disabled", false, func(u *users.User) error {
		return users.SetDisabled(r.Context(), s.db, u.ID, true)
	})
}

func (s *Server) adminUserEnable(w http.ResponseWriter, r *http.Request) error {
	return s.adminUserAction(w, r, "user.enabled", "accounts.flash.user_enabled", false, func(u *users.User) error {
		return users.SetDisabled(r.Context(), s.db, u.ID, false)
	})
}

func (s *Server) adminUserUnlock(w http.ResponseWriter, r *http.Request) error {
	return s.adminUserAction(w, r, "account.unlocked", "accounts.flash.user_unlocked", true, func(u *users.User) error {
		return users.Unlock(r.Context(), s.db, u.ID)
	})
}

// adminUserReinvite sends a new invitation (the previous link dies).
func (s *Server) adminUserReinvite(w http.ResponseWriter, r *http.Request) error {
	return s.adminUserAction(w, r, "", "accounts.flash.invitation_sent", false, func(u *users.User) error {
		if u.HasPassword {
			return errBadRequest
		}
		return s.invite(r, u)
	})
}

type confirmPage struct {
	Page
	Question string
	Action   string
	Cancel   string
	Button   string
}

func (s *Server) adminUserDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	u, err := s.accountFromPath(r)
	if err != nil {
		return err
	}
	if u.ID == currentUser(r).ID {
		return access.ErrForbidden
	}
	back := "/admin/utilisateurs/" + strconv.FormatInt(u.ID, 10)
	s.render(w, r, http.StatusOK, "admin_confirm", confirmPage{
		Page:     s.page(r, s.cat.T("accounts.admin.user_delete")),
		Question: s.cat.T("accounts.admin.user_delete_question", u.Name, u.Email),
		Action:   back + "/supprimer", Cancel: back, Button: s.cat.T("accounts.admin.user_delete"),
	})
	return nil
}

// adminUserDelete removes the account's personal data; the audit trail
// keeps the trace (with the email at the time).
func (s *Server) adminUserDelete(w http.ResponseWriter, r *http.Request) error {
	u, err := s.accountFromPath(r)
	if err != nil {
		return err
	}
	if u.ID == currentUser(r).ID {
		return access.ErrForbidden
	}
	if err := s.db.InTx(r.Context(), func(tx *db.Tx) error { return users.Delete(r.Context(), tx, u.ID, s.now()) }); err != nil {
		return err
	}
	s.audit(r, nil, "user.deleted", userObject(u.ID), u.Email)
	s.flash(w, "accounts.flash.user_deleted")
	http.Redirect(w, r, "/admin/utilisateurs", http.StatusSeeOther)
	return nil
}
