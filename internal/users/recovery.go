package users

import (
	"context"
	"errors"
	"time"

	"portique/internal/access"
	"portique/internal/audit"
	"portique/internal/db"
)

// Recovery rate limits. Over the per-address limit a request is refused
// (ErrThrottled); over the per-email limit it is answered as usual but
// sends nothing, so the limit reveals nothing about the account.
var (
	ResetPerIP    = 10
	ResetPerEmail = 3
	ResetWindow   = time.Hour
)

// RequestReset handles a password recovery request for email, made by a (a
// visitor: their address counts). It returns the account and its reset
// link (valid ResetTTL) to email, or a nil account and the zero Link when
// nothing is to be sent: unknown address, disabled account, per-email limit
// reached. The caller answers the same in every case. An invalid address is
// a validation error on "email".
//
// Audit: recovery.requested, with account=unknown, account=disabled
// link=none or limit=reached link=none when no link is sent.
func (s *Accounts) RequestReset(ctx context.Context, a access.Actor, email string) (*User, Link, error) {
	email = NormalizeEmail(email)
	if errs := CheckEmail(email); errs != nil {
		return nil, Link{}, errs
	}
	now := s.now()
	n, err := hit(ctx, s.DB, "reset-ip:"+a.IP, ResetWindow, now)
	if err != nil {
		return nil, Link{}, err
	}
	if n > ResetPerIP {
		return nil, Link{}, ErrThrottled
	}
	n, err = hit(ctx, s.DB, "reset-email:"+HashToken(email), ResetWindow, now)
	if err != nil {
		return nil, Link{}, err
	}
	var u *User
	var link Link
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		u, link = nil, Link{}
		found, _, err := getByEmailWithHash(ctx, tx, email)
		switch {
		case errors.Is(err, db.ErrNotFound):
			return audit.Record(ctx, tx, claiming(email, a), now, "recovery.requested", "", "account=unknown")
		case err != nil:
			return err
		case found.Disabled:
			return audit.Record(ctx, tx, as(found, a), now, "recovery.requested", userObject(found.ID), "account=disabled link=none")
		case n > ResetPerEmail:
			return audit.Record(ctx, tx, as(found, a), now, "recovery.requested", userObject(found.ID), "limit=reached link=none")
		}
		token, err := issueToken(ctx, tx, found.ID, PurposeReset, now, ResetTTL)
		if err != nil {
			return err
		}
		u, link = found, Link{Token: token, Expires: now.Add(ResetTTL)}
		return audit.Record(ctx, tx, as(found, a), now, "recovery.requested", userObject(found.ID), "")
	})
	if err != nil {
		return nil, Link{}, err
	}
	return u, link, nil
}
