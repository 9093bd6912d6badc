-- Areas: municipalities, welfare regions, maakunta, sub-regions, the country, and
-- municipalities that have since merged (valid_to set). `rid` is a compact key for
-- the large data tables; `key` is the public CATEGORY:CODE id.
CREATE TABLE region (
    rid INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    code TEXT NOT NULL,
    name_fi TEXT NOT NULL,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL,
    welfare_region TEXT,
    maakunta TEXT,
    seutukunta TEXT,
    language_status INTEGER,
    urban_class INTEGER,
    valid_to INTEGER,
    successor TEXT,
    sotkanet_id INTEGER UNIQUE,
    UNIQUE (category, code)
);

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    org_key TEXT REFERENCES region(key),
    role TEXT NOT NULL,
    sector TEXT,
    locale TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE user_session (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX user_session_user ON user_session(user_id);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT
);

CREATE TABLE login_attempt (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    at_epoch INTEGER NOT NULL,
    success INTEGER NOT NULL
);
CREATE INDEX login_attempt_subject ON login_attempt(subject, at_epoch);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_email TEXT,
    org_key TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log(org_key, id);

-- Append-only: the application never updates or deletes audit rows, and the database
-- refuses it too.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE council_term (
    id INTEGER PRIMARY KEY,
    org_key TEXT NOT NULL REFERENCES region(key),
    start_year INTEGER NOT NULL,
    end_year INTEGER NOT NULL,
    UNIQUE (org_key, start_year)
);
