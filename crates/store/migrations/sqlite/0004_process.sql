-- The report as a process (THL's eight phases), the working group's invitations.
-- Both migrations of this number must stay in step.

-- Marks a report whose task list was seeded from the template; inserting the marker
-- and the tasks in one transaction makes seeding happen exactly once, even when two
-- web nodes open the report at the same moment.
CREATE TABLE report_process (
    report_id INTEGER PRIMARY KEY REFERENCES report(id) ON DELETE CASCADE,
    seeded_at TEXT NOT NULL
);

-- task_key names the template task (NULL for a task the coordinator added); title is
-- NULL while the template title (in the reader's language) is used.
CREATE TABLE process_task (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    phase INTEGER NOT NULL,
    position INTEGER NOT NULL,
    task_key TEXT,
    title TEXT,
    owner_id INTEGER REFERENCES app_user(id) ON DELETE SET NULL,
    due_date TEXT,
    status TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX process_task_report ON process_task(report_id, phase, position);

-- An invitation to join an organisation. Only the SHA-256 of the single-use token is
-- kept; the link is shown once to the coordinator.
CREATE TABLE invitation (
    id INTEGER PRIMARY KEY,
    org_key TEXT NOT NULL REFERENCES region(key),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    sector TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    accepted_user_id INTEGER REFERENCES app_user(id) ON DELETE SET NULL,
    revoked_at TEXT
);
CREATE INDEX invitation_org ON invitation(org_key, id);

CREATE INDEX audit_log_action ON audit_log(action);
