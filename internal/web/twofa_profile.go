package web

import (
	"errors"
	"net/http"

	"portique/internal/db"
	"portique/internal/users"
	"portique/internal/valid"
)

// twofaURL is the two-factor page of "Mon compte".
const twofaURL = "/mon-compte/double-authentification"

// twofaPage is the data of the two-factor page of "Mon compte".
type twofaPage struct {
	Page
	State users.TwoFactor
	// Enrolment is the secret being set up (nil when none): its QR code is
	// /mon-compte/double-authentification/qr.png, its text SecretGroups.
	Enrolment *users.Enrolment
}

// twofaCodesPage shows recovery codes, once: only their hashes are kept.
type twofaCodesPage struct {
	Page
	Codes []string // grouped for reading: abcd-efgh-ijkm-npqr
}

func (s *Server) twofaPageData(r *http.Request) (twofaPage, error) {
	u := currentUser(r)
	st, err := s.accounts.TwoFactorOf(r.Context(), u.ID)
	if err != nil {
		return twofaPage{}, err
	}
	p := twofaPage{Page: s.page(r, s.cat.T("twofa.page.title")), State: st}
	if st.Pending {
		e, err := s.accounts.PendingEnrolment(r.Context(), s.actor(r))
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return twofaPage{}, err
		}
		if err == nil {
			p.Enrolment = &e
		}
	}
	return p, nil
}

func (s *Server) twofaManage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.twofaPageData(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "twofa_manage", &p)
	return nil
}

// twofaInvalid re-renders the page with the errors of one of its forms.
// The disable and renew forms sit on one page, so their "code" fields have
// ids of their own ("disable-code", "renew-code"): the error is moved to
// that name, for the summary's link and the field's description.
func (s *Server) twofaInvalid(w http.ResponseWriter, r *http.Request, form string, errs valid.Errors) error {
	p, err := s.twofaPageData(r)
	if err != nil {
		return err
	}
	if m, ok := errs["code"]; ok && form != "confirm" {
		errs = valid.Errors{form + "-code": m}
	}
	return s.unprocessable(w, r, "twofa_manage", &p, errs)
}

// twofaBegin creates the secret to set up (a new one replaces an
// unfinished one) and shows it.
func (s *Server) twofaBegin(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.accounts.BeginEnrolment(r.Context(), s.actor(r)); err != nil {
		return err
	}
	return s.seeOther(w, r, "", twofaURL+"#configurer")
}

// twofaQR is the QR code of the secret being set up: a PNG from the site
// itself, so the strict Content-Security-Policy needs no data: exception.
func (s *Server) twofaQR(w http.ResponseWriter, r *http.Request) error {
	e, err := s.accounts.PendingEnrolment(r.Context(), s.actor(r))
	if err != nil {
		return err
	}
	b, err := e.QRPNG(264)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(b)
	return err
}

// showCodes renders recovery codes, once.
func (s *Server) showCodes(w http.ResponseWriter, r *http.Request, codes []string) error {
	p := twofaCodesPage{Page: s.page(r, s.cat.T("twofa.codes.title"))}
	for _, c := range codes {
		p.Codes = append(p.Codes, users.GroupCode(c, "-"))
	}
	s.render(w, r, http.StatusOK, "twofa_codes", &p)
	return nil
}

// twofaConfirm activates the secret with its first code, then shows the
// recovery codes.
func (s *Server) twofaConfirm(w http.ResponseWriter, r *http.Request) error {
	codes, err := s.accounts.ConfirmEnrolment(r.Context(), s.actor(r), r.PostFormValue("code"))
	if ve, ok := formErrors(err); ok {
		return s.twofaInvalid(w, r, "confirm", ve)
	}
	if err != nil {
		return err
	}
	s.flash(w, "twofa.flash.enabled")
	return s.showCodes(w, r, codes)
}

// twofaDisable removes the second factor; a current code is required.
func (s *Server) twofaDisable(w http.ResponseWriter, r *http.Request) error {
	err := s.accounts.DisableTwoFactor(r.Context(), s.actor(r), r.PostFormValue("code"))
	if ve, ok := formErrors(err); ok {
		return s.twofaInvalid(w, r, "disable", ve)
	}
	if err != nil {
		return err
	}
	return s.seeOther(w, r, "twofa.flash.disabled", twofaURL)
}

// twofaRenew replaces the recovery codes; a current code is required.
func (s *Server) twofaRenew(w http.ResponseWriter, r *http.Request) error {
	codes, err := s.accounts.RenewRecoveryCodes(r.Context(), s.actor(r), r.PostFormValue("code"))
	if ve, ok := formErrors(err); ok {
		return s.twofaInvalid(w, r, "renew", ve)
	}
	if err != nil {
		return err
	}
	return s.showCodes(w, r, codes)
}
