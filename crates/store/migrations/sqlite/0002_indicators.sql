-- Indicator definitions. Sotkanet ids are Hyte's ids. Polarity, denominator and kind
-- are not in Sotkanet: they are curated (by the shipped file or by an admin).
CREATE TABLE indicator (
    id INTEGER PRIMARY KEY,
    title_fi TEXT NOT NULL,
    title_sv TEXT NOT NULL,
    title_en TEXT NOT NULL,
    unit TEXT NOT NULL,
    decimals INTEGER NOT NULL,
    polarity TEXT NOT NULL,
    denominator TEXT NOT NULL,
    kind TEXT NOT NULL,
    producer_fi TEXT NOT NULL,
    producer_sv TEXT NOT NULL,
    producer_en TEXT NOT NULL,
    description_fi TEXT,
    description_sv TEXT,
    description_en TEXT,
    interpretation_fi TEXT,
    interpretation_sv TEXT,
    interpretation_en TEXT,
    limits_fi TEXT,
    limits_sv TEXT,
    limits_en TEXT,
    theme TEXT,
    population_group TEXT,
    sexes TEXT NOT NULL,
    data_updated TEXT,
    range_start INTEGER,
    range_end INTEGER,
    source TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One import run per file (or per sync of one indicator); history shown in the UI.
CREATE TABLE import_run (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_email TEXT,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    source TEXT NOT NULL,
    rows_total INTEGER NOT NULL,
    rows_changed INTEGER NOT NULL,
    rows_unchanged INTEGER NOT NULL,
    rows_skipped INTEGER NOT NULL,
    indicators TEXT NOT NULL,
    data_updated TEXT,
    sha256 TEXT NOT NULL
);

-- Values. derived = 1 marks a benchmark value Hyte computed from member areas
-- (population-weighted); never mixed up with published values.
CREATE TABLE data_point (
    indicator_id INTEGER NOT NULL,
    region_rid INTEGER NOT NULL,
    year INTEGER NOT NULL,
    sex INTEGER NOT NULL,
    value REAL,
    abs_value REAL,
    derived INTEGER NOT NULL,
    import_id INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, region_rid, year, sex)
) WITHOUT ROWID;

-- Sotkanet's internal region ids as last seen, per (category, code). A change of id
-- for a code (or code for an id) stops an import instead of being guessed.
CREATE TABLE sotkanet_region (
    sotkanet_id INTEGER PRIMARY KEY,
    category TEXT NOT NULL,
    code TEXT NOT NULL,
    region_key TEXT,
    title_fi TEXT NOT NULL,
    seen_at TEXT NOT NULL
);
