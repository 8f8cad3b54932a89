package web

import (
	"errors"
	"net/http"
	"net/url"

	"portique/internal/db"
)

// handlerFunc is the signature of every handler: it writes a response, or
// returns an error that wrap turns into the right French error page.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Errors handlers return; domain packages return db.ErrNotFound,
// db.ErrConflict or their own errors wrapping them.
var (
	// errForbidden: the person may not do this. Anonymous visitors are sent
	// to the login page instead (they may be allowed once logged in).
	errForbidden = errors.New("forbidden")
	// errBadRequest: malformed input that no form can fix (a forged id…).
	errBadRequest = errors.New("bad request")
	// errTooMany: a rate limit was hit.
	errTooMany = errors.New("too many requests")
	// errTooLarge: a body over its limit.
	errTooLarge = errors.New("too large")
)

// wrap applies the route's guard, runs the handler and maps its error.
func (s *Server) wrap(g guard, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := currentUser(r)
		switch {
		case g >= member && u == nil:
			s.redirectToLogin(w, r)
			return
		case g == admin && !u.Admin:
			s.renderError(w, r, http.StatusForbidden, "")
			return
		}
		if err := h(w, r); err != nil {
			s.handleError(w, r, err)
		}
	})
}

// handleError maps an error to a response. Only unexpected errors are logged,
// and their text never reaches the page.
func (s *Server) handleError(w http.ResponseWriter, r *http.Request, err error) {
	var maxErr *http.MaxBytesError
	switch {
	case errors.Is(err, errForbidden):
		if currentUser(r) == nil {
			s.redirectToLogin(w, r)
			return
		}
		s.renderError(w, r, http.StatusForbidden, "")
	case errors.Is(err, db.ErrNotFound):
		s.renderError(w, r, http.StatusNotFound, "")
	case errors.Is(err, db.ErrConflict):
		s.renderError(w, r, http.StatusConflict, "")
	case errors.Is(err, errBadRequest):
		s.renderError(w, r, http.StatusBadRequest, "")
	case errors.Is(err, errTooMany):
		s.renderError(w, r, http.StatusTooManyRequests, "")
	case errors.Is(err, errTooLarge), errors.As(err, &maxErr):
		s.renderError(w, r, http.StatusRequestEntityTooLarge, "")
	default:
		s.log.Error("handler", "method", r.Method, "path", logPath(r.URL.Path), "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "")
	}
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

// renderError writes the French error page for status; msgKey overrides the
// default text of that status.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msgKey string) {
	code := status
	if msgKey == "" {
		msgKey = "error.text." + itoa(code)
	}
	data := errorPage{Page: s.page(r, s.cat.T("error.title."+itoa(code))), Status: status, Message: s.cat.T(msgKey)}
	s.render(w, r, status, "error", data)
}
