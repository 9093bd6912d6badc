-- The welfare report document. Both migrations of this number must stay in step.
CREATE TABLE report (
    id INTEGER PRIMARY KEY,
    org_key TEXT NOT NULL REFERENCES region(key),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    term_start INTEGER NOT NULL,
    term_end INTEGER NOT NULL,
    year INTEGER,
    languages TEXT NOT NULL,
    outline_agreed_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX report_org ON report(org_key);

-- Further organisations of a joint report (e.g. two municipalities).
CREATE TABLE report_partner (
    report_id INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    org_key TEXT NOT NULL REFERENCES region(key),
    PRIMARY KEY (report_id, org_key)
);

CREATE TABLE section (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    heading TEXT NOT NULL,
    content_areas TEXT NOT NULL,
    owner_sector TEXT,
    status TEXT NOT NULL,
    revision INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX section_report ON section(report_id, position);

CREATE TABLE section_assignee (
    section_id INTEGER NOT NULL REFERENCES section(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    PRIMARY KEY (section_id, user_id)
);

-- Every save is a revision; the UNIQUE pair makes two saves on the same base collide
-- in the database, so no edit is ever lost silently.
CREATE TABLE section_revision (
    id INTEGER PRIMARY KEY,
    section_id INTEGER NOT NULL REFERENCES section(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    body TEXT NOT NULL,
    author_email TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (section_id, number)
);

-- One row per item of the report's indicator list. item_key is `sotkanet:<id>` for a
-- Sotkanet indicator, or `preset:<slug>` for a list item with no Sotkanet id yet
-- (shown as "no data yet").
CREATE TABLE report_indicator (
    report_id INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    item_key TEXT NOT NULL,
    indicator_id INTEGER,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    source TEXT,
    section_id INTEGER,
    measure_kind TEXT NOT NULL,
    from_preset INTEGER NOT NULL,
    theme TEXT,
    population_group TEXT,
    title TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (report_id, item_key)
);

-- Qualitative self-assessment: free text and a 1..5 scale (HYTE structures,
-- coordination, cooperation with the welfare region, resources).
CREATE TABLE self_assessment (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    body TEXT NOT NULL,
    score INTEGER,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE observation (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    sector TEXT,
    origin TEXT NOT NULL,
    population_group TEXT,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE observation_indicator (
    observation_id INTEGER NOT NULL REFERENCES observation(id) ON DELETE CASCADE,
    indicator_id INTEGER NOT NULL,
    PRIMARY KEY (observation_id, indicator_id)
);

CREATE TABLE comment (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES report(id) ON DELETE CASCADE,
    section_id INTEGER REFERENCES section(id) ON DELETE CASCADE,
    block_line INTEGER,
    parent_id INTEGER REFERENCES comment(id) ON DELETE CASCADE,
    author_email TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX comment_section ON comment(section_id);
