-- The account lifecycle (issue #14): disabled and removed accounts, single-use
-- password-reset links, and what a user sees of their own sessions. Both migrations of
-- this number must stay in step.

-- A disabled account cannot sign in, and its sessions and API tokens are refused until
-- it is enabled again. A removed account keeps its name and e-mail so that everything
-- it wrote stays attributed (the history names its authors by e-mail), but it can never
-- sign in again and is no longer listed among the members. Nothing is deleted from
-- app_user, so no foreign key of the history is touched.
ALTER TABLE app_user ADD COLUMN disabled_at TEXT;
ALTER TABLE app_user ADD COLUMN removed_at TEXT;

-- When a session was last used (written at most once a minute), for the user's list.
ALTER TABLE user_session ADD COLUMN last_seen_at TEXT;

-- A password-reset link. Only the SHA-256 of its single-use token is kept; the link is
-- shown once to the coordinator or administrator who issued it.
CREATE TABLE password_reset (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    issued_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX password_reset_user ON password_reset(user_id);
