package web

import (
	"errors"
	"net/http"
	"strconv"

	"portique/internal/access"
	"portique/internal/users"
)

// userRow is an account in the admin list, with its state.
type userRow struct {
	users.User
	Locked     bool
	Pending    bool // invitation not accepted yet
	GroupNames []string
	TwoFactor  users.TwoFactor
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
	list, err := s.accounts.List(ctx, users.ListFilter{Query: q.Get("q"), GroupID: gid})
	if err != nil {
		return err
	}
	groups, err := s.groups.List(ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, g := range groups {
		names[g.ID] = g.Name
	}
	tf, err := s.accounts.TwoFactorStates(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	p := adminUsersPage{Page: s.page(r, s.cat.T("accounts.admin.users")), Query: q.Get("q"), GroupID: gid, Groups: groups}
	for _, u := range list {
		row := userRow{User: u, Locked: u.Locked(now), Pending: !u.HasPassword, TwoFactor: tf[u.ID]}
		for _, g := range u.Groups {
			row.GroupNames = append(row.GroupNames, names[g])
		}
		p.Users = append(p.Users, row)
	}
	s.render(w, r, http.StatusOK, "admin_users", &p)
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
	// TwoFactor is the state of the account's second factor.
	TwoFactor users.TwoFactor
}

func (s *Server) userFormPage(r *http.Request, acc *users.User, f users.Form) (userFormPage, error) {
	groups, err := s.groups.List(r.Context())
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
		if p.TwoFactor, err = s.accounts.TwoFactorOf(r.Context(), acc.ID); err != nil {
			return userFormPage{}, err
		}
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
	s.render(w, r, http.StatusOK, "admin_user_form", &p)
	return nil
}

// userURL is the admin page of an account.
func userURL(id int64) string { return "/admin/utilisateurs/" + strconv.FormatInt(id, 10) }

// adminUserCreate creates the account and emails the invitation (valid
// 72 h) to choose a password; no password is ever set by the admin.
func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request) error {
	f := parseUserForm(r)
	u, link, err := s.accounts.Create(r.Context(), s.actor(r), f)
	if ve, ok := formErrors(err); ok {
		p, err := s.userFormPage(r, nil, f)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "admin_user_form", &p, ve)
	}
	if err != nil {
		return err
	}
	s.sendInvitation(u, link)
	return s.seeOther(w, r, "accounts.flash.user_created", userURL(u.ID))
}

// accountFromPath loads the account named by {id}.
func (s *Server) accountFromPath(r *http.Request) (*users.User, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.accounts.Get(r.Context(), id)
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
	s.render(w, r, http.StatusOK, "admin_user_form", &p)
	return nil
}

// adminUserUpdate saves the form (an administrator cannot remove their own
// rights: the store refuses it as a field error).
func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request) error {
	u, err := s.accountFromPath(r)
	if err != nil {
		return err
	}
	f := parseUserForm(r)
	err = s.accounts.Update(r.Context(), s.actor(r), u.ID, f)
	if ve, ok := formErrors(err); ok {
		p, err := s.userFormPage(r, u, f)
		if err != nil {
			return err
		}
		return s.unprocessable(w, r, "admin_user_form", &p, ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "accounts.flash.user_saved", userURL(u.ID))
}

// adminUserAction runs a one-button action on the account {id} and returns
// to it; an action the store refuses on one's own account says so.
func (s *Server) adminUserAction(w http.ResponseWriter, r *http.Request, flash string, fn func(a access.Actor, id int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = fn(s.actor(r), id)
	if errors.Is(err, users.ErrSelf) {
		return s.seeOther(w, r, "accounts.flash.not_self", userURL(id))
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, flash, userURL(id))
}

// adminUserDisable disables an account; its sessions end at once.
func (s *Server) adminUserDisable(w http.ResponseWriter, r *http.Request) error {
	return s.adminUserAction(w, r, "accounts.flash.user_disabled", func(a access.Actor, id int64) error {
		return s.accounts.SetDisabled(r.Context(), a, id, true)
	})
}

func (s *Server) adminUserEnable(w http.ResponseWriter, r *http.Request) error {
	return s.adminUserAction(w, r, "accounts.flash.user_enabled", func(a access.Actor, id int64) error {
		return s.accounts.SetDisabled(r.Context(), a, id, false)
	})
}

func (s *Server) adminUserUnlock(w http.ResponseWriter, r *http.Request) error {
	return s.adminUserAction(w, r, "accounts.flash.user_unlocked", func(a access.Actor, id int64) error {
		return s.accounts.Unlock(r.Context(), a, id)
	})
}

// adminUserReinvite sends a new invitation (the previous link dies).
func (s *Server) adminUserReinvite(w http.ResponseWriter, r *http.Request) error {
	return s.adminUserAction(w, r, "accounts.flash.invitation_sent", func(a access.Actor, id int64) error {
		u, link, err := s.accounts.Invite(r.Context(), a, id)
		if err == nil {
			s.sendInvitation(u, link)
		}
		return err
	})
}

type confirmPage struct {
	Page
	Question string
	Action   string
	Cancel   string
	Button   string
	Confirm  bool // the form sends confirme=1 (handlers that also take a one-click post)
}

func (s *Server) adminUserDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	u, err := s.accountFromPath(r)
	if err != nil {
		return err
	}
	if u.ID == currentUser(r).ID {
		return users.ErrSelf // the store refuses it too
	}
	back := userURL(u.ID)
	s.render(w, r, http.StatusOK, "admin_confirm", &confirmPage{
		Page:     s.page(r, s.cat.T("accounts.admin.user_delete")),
		Question: s.cat.T("accounts.admin.user_delete_question", u.Name, u.Email),
		Action:   back + "/supprimer", Cancel: back, Button: s.cat.T("accounts.admin.user_delete"),
	})
	return nil
}

// adminUserDelete removes the account's personal data; the audit trail
// keeps the trace (with the email at the time). Deleting one's own account
// is refused (403).
func (s *Server) adminUserDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.accounts.Delete(r.Context(), s.actor(r), id); err != nil {
		return err
	}
	return s.seeOther(w, r, "accounts.flash.user_deleted", "/admin/utilisateurs")
}
