-- Two-factor login (TOTP, RFC 6238). One authenticator per account: the
-- secret is kept as the authenticator app holds it (base32), because the
-- server must compute the same codes; confirmed_at stays NULL until the
-- person typed a first code, and only a confirmed secret is asked at login.
-- last_step is the time step (Unix time / 30 s) of the last code accepted:
-- a code is accepted only for a later step, so none can be replayed.
CREATE TABLE user_totp (
	user_id       BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	secret        TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL,
	confirmed_at  TIMESTAMPTZ,
	last_step     BIGINT NOT NULL DEFAULT 0
);

-- Single-use recovery codes: SHA-256 of a random 80-bit code (never the
-- code itself); used_at is set when one opens a session.
CREATE TABLE user_recovery_codes (
	user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	code_hash  TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	used_at    TIMESTAMPTZ,
	PRIMARY KEY (user_id, code_hash)
);
