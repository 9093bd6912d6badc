-- HYTE coefficient inputs and the welfare-region dialogue. Both migrations of this
-- number must stay in step.

-- TEAviisari scores (sector × perspective, 0–100) entered or imported by the
-- organisation's coordinator; one row per organisation, collection year, sector and
-- perspective. Every change is also in the audit log.
CREATE TABLE teaviisari_score (
    org_key TEXT NOT NULL REFERENCES region(key),
    year INTEGER NOT NULL,
    sector TEXT NOT NULL,
    perspective TEXT NOT NULL,
    score REAL NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (org_key, year, sector, perspective)
);

-- The yearly negotiation of a municipality and its welfare region.
CREATE TABLE dialogue (
    id INTEGER PRIMARY KEY,
    municipality_key TEXT NOT NULL REFERENCES region(key),
    welfare_region_key TEXT NOT NULL REFERENCES region(key),
    year INTEGER NOT NULL,
    held_on TEXT,
    participants TEXT NOT NULL,
    support_needs TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX dialogue_municipality ON dialogue(municipality_key, year);
CREATE INDEX dialogue_welfare_region ON dialogue(welfare_region_key, year);

-- Joint goals of a dialogue and their follow-up.
CREATE TABLE dialogue_goal (
    id INTEGER PRIMARY KEY,
    dialogue_id INTEGER NOT NULL REFERENCES dialogue(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    goal TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX dialogue_goal_dialogue ON dialogue_goal(dialogue_id, position);
