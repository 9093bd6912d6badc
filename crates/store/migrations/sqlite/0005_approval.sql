-- Approval workflow and frozen versions (issue #6). Both migrations of this number
-- must stay in step.

-- Where the report is: draft, commenting, board_review, council_approved, published
-- (hyte_domain::approval::ApprovalState).
ALTER TABLE report ADD COLUMN approval_state TEXT NOT NULL DEFAULT 'draft';

-- Every move of the workflow: who, when, from, to, why, and the council's decision.
CREATE TABLE approval_event (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    user_email TEXT NOT NULL,
    move TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT,
    decision_date TEXT,
    minutes_section TEXT,
    decision_link TEXT,
    version_number INTEGER
);
CREATE INDEX approval_event_report ON approval_event(report_id, id);

-- A frozen version: made when the council approves. Numbered per report from 1.
CREATE TABLE report_version (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    year INTEGER,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES approval_event(id),
    decision_date TEXT NOT NULL,
    minutes_section TEXT NOT NULL,
    decision_link TEXT,
    UNIQUE (report_id, number)
);

-- The text of every section as approved.
CREATE TABLE version_section (
    version_id INTEGER NOT NULL REFERENCES report_version(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    section_id INTEGER NOT NULL,
    heading TEXT NOT NULL,
    content_areas TEXT NOT NULL,
    owner_sector TEXT,
    revision INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (version_id, section_id)
);

-- The indicator definitions as they were (JSON of hyte_store::indicators::Indicator):
-- decimals, unit and polarity decide how a value is shown and judged.
CREATE TABLE version_indicator (
    version_id INTEGER NOT NULL REFERENCES report_version(id) ON DELETE CASCADE,
    indicator_id INTEGER NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (version_id, indicator_id)
);

-- Every value the approved document shows (and the benchmarks, populations and peer
-- values its judgements were computed from), copied with its provenance. The area is
-- kept by key, not by the region table's compact id, so the copy stands on its own.
CREATE TABLE version_value (
    version_id INTEGER NOT NULL REFERENCES report_version(id) ON DELETE CASCADE,
    indicator_id INTEGER NOT NULL,
    region_key TEXT NOT NULL,
    year INTEGER NOT NULL,
    sex INTEGER NOT NULL,
    value REAL,
    abs_value REAL,
    derived INTEGER NOT NULL,
    ci_lower REAL,
    ci_upper REAL,
    import_id INTEGER NOT NULL,
    imported_at TEXT,
    -- 1: read only as context (the spread of all municipalities behind a spine
    -- chart), not shown as a number of its own.
    context INTEGER NOT NULL,
    PRIMARY KEY (version_id, indicator_id, region_key, year, sex)
);
