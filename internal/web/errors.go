package web

import (
	"errors"
	"net/http"
	"net/url"

	"portique/internal/access"
	"portique/internal/acts"
	"portique/internal/calendar"
	"portique/internal/contact"
	"portique/internal/convocations"
	"portique/internal/db"
	"portique/internal/menu"
	"portique/internal/pages"
	"portique/internal/users"
	"portique/internal/valid"
)

// handlerFunc is the signature of every handler: it writes a response, or
// returns an error that wrap turns into the right French error page.
// Handlers return the domains' errors as they come: the mapping below is
// the only place that turns an error kind into an answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Errors of the web layer itself (the domains' kinds are access.ErrForbidden,
// db.ErrNotFound, db.ErrConflict, valid.Errors and the state refusals of
// refusals below).
var (
	// errBadRequest: malformed input that no form can fix (a forged id…).
	errBadRequest = errors.New("bad request")
	// errTooMany: a rate limit was hit.
	errTooMany = errors.New("too many requests")
	// errTooLarge: a body over its limit.
	errTooLarge = errors.New("too large")
)

// refusals are the state errors of the domains that need no form: each
// gets a French error page with its own message. More specific kinds come
// before the generic ones they may wrap.
var refusals = []struct {
	err    error
	status int
	key    string // catalogue key of the message; "" for the status's own text
}{
	{pages.ErrHomeProtected, http.StatusConflict, "pages.error.home_protected"},
	{access.ErrCycle, http.StatusConflict, "pages.error.cycle"},
	{pages.ErrNoDraft, http.StatusConflict, "pages.error.no_draft"},
	{pages.ErrDraftPending, http.StatusConflict, "pages.error.draft_pending"},
	{pages.ErrParentTrashed, http.StatusConflict, "pages.error.parent_trashed"},
	{pages.ErrNotTrashed, http.StatusConflict, "pages.error.not_trashed"},
	{pages.ErrNotPublished, http.StatusConflict, "pages.error.not_published"},
	{pages.ErrHomeUnpublish, http.StatusConflict, "pages.error.home_unpublish"},
	{acts.ErrPublished, http.StatusConflict, "acts.error.published"},
	{acts.ErrNotPublished, http.StatusConflict, "acts.error.not_published"},
	{acts.ErrWithdrawn, http.StatusConflict, "acts.error.withdrawn"},
	{acts.ErrSessionInUse, http.StatusConflict, "acts.error.session_in_use"},
	{pages.ErrStale, http.StatusConflict, "pages.error.stale_publish"},
	{menu.ErrStale, http.StatusConflict, "menu.error.stale"},
	{calendar.ErrNotRecurring, http.StatusConflict, "calendar.error.not_recurring"},
	{convocations.ErrNotSent, http.StatusConflict, "convocations.error.not_sent"},
	{convocations.ErrNotConvened, http.StatusNotFound, ""},
	{contact.ErrThrottled, http.StatusTooManyRequests, "contact.error.throttled"},
	{users.ErrTwoFactorOn, http.StatusConflict, "twofa.error.on"},
	{users.ErrTwoFactorOff, http.StatusConflict, "twofa.error.off"},
	{users.ErrTwoFactorRequired, http.StatusConflict, "twofa.error.required"},
	{users.ErrBuiltin, http.StatusBadRequest, ""},
	{users.ErrHasPassword, http.StatusBadRequest, ""},
	{db.ErrNotFound, http.StatusNotFound, ""},
	{db.ErrConflict, http.StatusConflict, ""},
	{errBadRequest, http.StatusBadRequest, ""},
	{errTooMany, http.StatusTooManyRequests, ""},
	{errTooLarge, http.StatusRequestEntityTooLarge, ""},
}

// wrap applies the route's guard, runs the handler and maps its error.
func (s *Server) wrap(g guard, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := currentUser(r)
		switch {
		case g >= member && u == nil:
			s.redirectToLogin(w, r)
			return
		case u.MustEnrol() && !enrolmentOnly(r.URL.Path):
			// A group requires two-factor login: nothing else until enrolled.
			s.seeOther(w, r, "twofa.flash.required", twofaURL) //nolint:errcheck // never fails
			return
		case g == admin && !u.Admin:
			s.renderError(w, r, http.StatusForbidden, "")
			return
		}
		if err := h(w, r); err != nil {
			s.handleError(w, r, g, err)
		}
	})
}

// handleError maps an error to a response: THE mapping of error kinds.
// Only unexpected errors are logged, and their text never reaches the page.
//
//   - access.ErrForbidden: 403, or the login page for an anonymous visitor
//     (they may be allowed once logged in).
//   - db.ErrNotFound: 404; on a shielded route an anonymous visitor is sent
//     to the login page whether the object exists or not, so ids cannot be
//     probed.
//   - valid.Errors that no handler re-rendered (a button outside a form,
//     like the toolbar's "Publier"): 422, with the message when there is
//     one.
//   - the refusals above, then anything else: 500, logged.
func (s *Server) handleError(w http.ResponseWriter, r *http.Request, g guard, err error) {
	anonymous := currentUser(r) == nil
	var maxErr *http.MaxBytesError
	var ve valid.Errors
	switch {
	case errors.Is(err, access.ErrForbidden):
		if anonymous {
			s.redirectToLogin(w, r)
			return
		}
		s.renderError(w, r, http.StatusForbidden, "")
		return
	case errors.Is(err, db.ErrNotFound) && anonymous && g == shielded:
		s.redirectToLogin(w, r)
		return
	case errors.As(err, &maxErr):
		s.renderError(w, r, http.StatusRequestEntityTooLarge, "")
		return
	case errors.As(err, &ve):
		key, args := "", []any(nil)
		if len(ve) == 1 {
			for _, m := range ve {
				key, args = m.Key, m.Args
			}
		}
		s.renderError(w, r, http.StatusUnprocessableEntity, key, args...)
		return
	}
	for _, k := range refusals {
		if errors.Is(err, k.err) {
			s.renderError(w, r, k.status, k.key)
			return
		}
	}
	s.log.Error("handler", "method", r.Method, "path", logPath(r.URL.Path), "err", err)
	s.renderError(w, r, http.StatusInternalServerError, "")
}

// redirectToLogin sends an anonymous visitor to /connexion with the page to
// come back to.
func (s *Server) redirectToLogin(w http.ResponseWriter, r *http.Request) {
	back := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		back = "/"
	}
	http.Redirect(w, r, "/connexion?retour="+url.QueryEscape(back), http.StatusSeeOther)
}

// errorPage is the data of the error template.
type errorPage struct {
	Page
	Status  int
	Message string
}

// renderError writes the French error page for status; msgKey (with its
// arguments) overrides the default text of that status.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msgKey string, args ...any) {
	code := status
	if msgKey == "" {
		msgKey = "error.text." + itoa(code)
	}
	data := errorPage{Page: s.page(r, s.cat.T("error.title."+itoa(code))), Status: status, Message: s.cat.T(msgKey, args...)}
	s.render(w, r, status, "error", data)
}

// The two tails of every form handler.

// seeOther ends a successful change: the flash message (a catalogue key,
// "" for none) is shown on the next page, which the browser fetches with
// GET (303 See Other, so a reload does not post again).
func (s *Server) seeOther(w http.ResponseWriter, r *http.Request, flashKey, to string) error {
	if flashKey != "" {
		s.flash(w, flashKey)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// pageData is the data of a page template: a typed struct embedding Page,
// passed by pointer.
type pageData interface{ base() *Page }

func (p *Page) base() *Page { return p }

// Layout is the page's site-wide data, for the layout: reached through a
// page's own data (which embeds Page), each field cost html/template a
// search of the embedded fields (reflect's FieldByName walks them, with
// allocations); on the Page itself it is a direct field.
func (p *Page) Layout() *Page { return p }

// unprocessable re-renders a form with its field errors translated (422).
// data already holds what the person typed, so nothing is lost.
func (s *Server) unprocessable(w http.ResponseWriter, r *http.Request, name string, data pageData, errs valid.Errors) error {
	s.withErrors(data.base(), errs)
	s.render(w, r, http.StatusUnprocessableEntity, name, data)
	return nil
}

// withErrors translates validation errors into p.Errors (added to those
// already there).
func (s *Server) withErrors(p *Page, errs valid.Errors) {
	if p.Errors == nil {
		p.Errors = make(map[string]string, len(errs))
	}
	for f, m := range errs {
		if _, ok := p.Errors[f]; !ok {
			p.Errors[f] = s.cat.T(m.Key, m.Args...)
		}
	}
}

// formErrors reports whether err is a validation error, and its fields.
func formErrors(err error) (valid.Errors, bool) {
	var ve valid.Errors
	if errors.As(err, &ve) {
		return ve, true
	}
	return nil, false
}
