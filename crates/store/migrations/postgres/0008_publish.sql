-- Publication of reports (issue #7). Both migrations of this number must stay in step.
-- published_at is the interim "publish now (preview)" switch; the approval workflow
-- replaces it with the report's approval state. summary is the plain-language summary
-- shown first on the public page (empty: generated from joys and concerns);
-- infographic lists the Sotkanet indicator ids the coordinator chose for the one-page
-- infographic (comma-separated; empty: chosen automatically).
CREATE TABLE report_publication (
    report_id BIGINT PRIMARY KEY REFERENCES report(id) ON DELETE CASCADE,
    published_at TEXT,
    published_by TEXT,
    summary TEXT NOT NULL DEFAULT '',
    infographic TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE INDEX report_publication_published ON report_publication(published_at);
