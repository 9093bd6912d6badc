//! Backup and restore of a whole instance or of one organisation, portable between
//! SQLite and PostgreSQL.
//!
//! Nothing here names a table: the schema is read from the database at run time
//! (SQLite `sqlite_master` and pragmas, PostgreSQL `information_schema` and
//! `pg_constraint`), tables are ordered by their foreign keys, and rows are written as
//! gzip'd JSON lines, so tables added by later migrations are backed up without
//! changes here.
//!
//! File format (`.jsonl.gz`), one JSON value per line:
//! 1. the manifest: `{"hyte_backup": 1, "schema_version": N, "scope": ..., "created_at": ...,
//!    "tables": [{"name": ..., "columns": [{"name": ..., "type": "integer|real|text|blob"}]}]}`;
//! 2. for each table in foreign-key order: `{"table": NAME}` and then one JSON array
//!    per row (values in the manifest's column order; integers, reals, text, blobs as
//!    lower-case hex, null);
//! 3. the trailer: `{"end": {"rows": {TABLE: COUNT}, "sha256": HEX}}`, the SHA-256 of
//!    every preceding line including its newline.
//!
//! Restore reads the file into a migrated database of the same schema version (the
//! last applied migration) in one transaction; a wrong checksum, a different schema,
//! or a target that already holds data leaves the target as it was.

use crate::{Backend, Store, StoreError, StoreResult};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// Version of the file format.
pub const FORMAT_VERSION: i64 = 1;

/// Tables that `hyte migrate` fills with reference data. A whole-instance restore
/// replaces their rows with the backup's; every other table of the target must be
/// empty. (A test checks that a freshly migrated database has rows only here.)
pub const SEEDED_TABLES: &[&str] = &["region", "sotkanet_region"];

/// Rows of these rows per PostgreSQL insert statement.
const PG_BATCH: usize = 500;

/// How a column's values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// 64-bit integer (booleans are integers in this schema).
    Integer,
    /// Double precision.
    Real,
    /// UTF-8 text.
    Text,
    /// Bytes, written as hex.
    Blob,
}

impl ColumnType {
    fn name(self) -> &'static str {
        match self {
            ColumnType::Integer => "integer",
            ColumnType::Real => "real",
            ColumnType::Text => "text",
            ColumnType::Blob => "blob",
        }
    }

    fn from_name(s: &str) -> Option<ColumnType> {
        Some(match s {
            "integer" => ColumnType::Integer,
            "real" => ColumnType::Real,
            "text" => ColumnType::Text,
            "blob" => ColumnType::Blob,
            _ => return None,
        })
    }

    /// SQLite's affinity rules on a declared type.
    fn from_sqlite(decl: &str) -> ColumnType {
        let d = decl.to_ascii_uppercase();
        if d.contains("INT") || d.contains("BOOL") {
            ColumnType::Integer
        } else if d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT") {
            ColumnType::Text
        } else if d.contains("BLOB") || d.is_empty() {
            ColumnType::Blob
        } else {
            ColumnType::Real
        }
    }

    /// PostgreSQL's `information_schema.columns.data_type`.
    fn from_pg(data_type: &str) -> ColumnType {
        match data_type {
            "bigint" | "integer" | "smallint" | "boolean" => ColumnType::Integer,
            "double precision" | "real" | "numeric" => ColumnType::Real,
            "bytea" => ColumnType::Blob,
            _ => ColumnType::Text,
        }
    }
}

/// A column of the current schema.
#[derive(Debug, Clone)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Value class.
    pub ty: ColumnType,
}

#[derive(Debug, Clone)]
struct ForeignKey {
    columns: Vec<String>,
    parent: String,
    parent_columns: Vec<String>,
}

/// A table of the current schema.
#[derive(Debug, Clone)]
pub struct Table {
    /// Table name.
    pub name: String,
    /// Columns in their declared order.
    pub columns: Vec<Column>,
    pk: Vec<String>,
    fks: Vec<ForeignKey>,
}

/// The schema of a database, tables in foreign-key order (parents first).
#[derive(Debug, Clone)]
pub struct Schema {
    /// Last applied migration.
    pub version: i64,
    /// Tables, parents before children.
    pub tables: Vec<Table>,
}

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every table.
    Instance,
    /// The rows of one organisation (its key).
    Org(String),
}

/// Outcome of a backup or a restore.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Schema version of the data.
    pub schema_version: i64,
    /// Scope of the file.
    pub scope: Scope,
    /// Rows per table, in file order.
    pub rows: Vec<(String, u64)>,
}

impl Summary {
    /// Total rows.
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|r| r.1).sum()
    }
}

fn bad_file(msg: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(format!("the backup file is not valid: {msg}"))
}

fn io_err(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Invalid(format!("cannot use {}: {e}", path.display()))
}

fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

// ---------------------------------------------------------------------------
// Schema introspection

impl Store {
    /// The current schema, read from the database.
    pub async fn schema(&self) -> StoreResult<Schema> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(self.pool())
                .await
                .map_err(|_| {
                    StoreError::Invalid(
                        "the database is not migrated: run `hyte migrate` first".into(),
                    )
                })?;
        let version = version.ok_or_else(|| {
            StoreError::Invalid("the database is not migrated: run `hyte migrate` first".into())
        })?;
        let tables = match self.backend() {
            Backend::Sqlite(_) => {
                self.with_sqlite_reader(|c| sqlite_tables(c).map_err(StoreError::from))
                    .await?
            }
            Backend::Postgres(_) => pg_tables(self).await?,
        };
        Ok(Schema {
            version,
            tables: order_by_fks(tables)?,
        })
    }
}

fn sqlite_tables(c: &rusqlite::Connection) -> rusqlite::Result<Vec<Table>> {
    let mut names = Vec::new();
    {
        let mut st = c.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations' ORDER BY name",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            names.push(r.get::<_, String>(0)?);
        }
    }
    let mut out = Vec::new();
    for name in names {
        let mut columns = Vec::new();
        let mut pk: Vec<(i64, String)> = Vec::new();
        {
            let mut st = c.prepare(&format!("PRAGMA table_info({})", quote(&name)))?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let col: String = r.get(1)?;
                let decl: String = r.get::<_, Option<String>>(2)?.unwrap_or_default();
                let pkpos: i64 = r.get(5)?;
                if pkpos > 0 {
                    pk.push((pkpos, col.clone()));
                }
                columns.push(Column {
                    name: col,
                    ty: ColumnType::from_sqlite(&decl),
                });
            }
        }
        pk.sort();
        let mut fks: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        {
            let mut st = c.prepare(&format!("PRAGMA foreign_key_list({})", quote(&name)))?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let parent: String = r.get(2)?;
                let from: String = r.get(3)?;
                let to: Option<String> = r.get(4)?;
                let fk = fks.entry(id).or_insert_with(|| ForeignKey {
                    columns: vec![],
                    parent: parent.clone(),
                    parent_columns: vec![],
                });
                fk.columns.push(from);
                fk.parent_columns.push(to.unwrap_or_default());
            }
        }
        out.push(Table {
            name,
            columns,
            pk: pk.into_iter().map(|p| p.1).collect(),
            fks: fks.into_values().collect(),
        });
    }
    // A foreign key without parent columns points at the parent's primary key.
    let pks: HashMap<String, Vec<String>> =
        out.iter().map(|t| (t.name.clone(), t.pk.clone())).collect();
    for t in &mut out {
        for fk in &mut t.fks {
            if fk.parent_columns.iter().any(|c| c.is_empty()) {
                if let Some(p) = pks.get(&fk.parent) {
                    fk.parent_columns = p.clone();
                }
            }
        }
    }
    Ok(out)
}

async fn pg_tables(store: &Store) -> StoreResult<Vec<Table>> {
    let pool = store.pool();
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations' ORDER BY table_name",
    )
    .fetch_all(pool)
    .await?;
    let cols = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS d \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(pool)
    .await?;
    let pks = sqlx::query(
        "SELECT rel.relname::text AS t, a.attname::text AS c \
         FROM pg_constraint con \
         JOIN pg_class rel ON rel.oid = con.conrelid \
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY(con.conkey) \
         WHERE con.contype = 'p' AND con.connamespace = current_schema()::regnamespace \
         ORDER BY rel.relname, array_position(con.conkey, a.attnum)",
    )
    .fetch_all(pool)
    .await?;
    let fks = sqlx::query(
        "SELECT con.conname::text AS n, rel.relname::text AS t, prel.relname::text AS p, \
                a.attname::text AS c, pa.attname::text AS pc \
         FROM pg_constraint con \
         JOIN pg_class rel ON rel.oid = con.conrelid \
         JOIN pg_class prel ON prel.oid = con.confrelid \
         CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(col, pcol, ord) \
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.col \
         JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = k.pcol \
         WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace \
         ORDER BY rel.relname, con.conname, k.ord",
    )
    .fetch_all(pool)
    .await?;
    let mut tables: BTreeMap<String, Table> = names
        .into_iter()
        .map(|n| {
            (
                n.clone(),
                Table {
                    name: n,
                    columns: vec![],
                    pk: vec![],
                    fks: vec![],
                },
            )
        })
        .collect();
    for r in cols {
        let t: String = r.try_get("t")?;
        if let Some(tb) = tables.get_mut(&t) {
            tb.columns.push(Column {
                name: r.try_get("c")?,
                ty: ColumnType::from_pg(&r.try_get::<String, _>("d")?),
            });
        }
    }
    for r in pks {
        let t: String = r.try_get("t")?;
        if let Some(tb) = tables.get_mut(&t) {
            tb.pk.push(r.try_get("c")?);
        }
    }
    let mut last: Option<(String, String)> = None;
    for r in fks {
        let n: String = r.try_get("n")?;
        let t: String = r.try_get("t")?;
        let Some(tb) = tables.get_mut(&t) else {
            continue;
        };
        if last.as_ref() != Some(&(t.clone(), n.clone())) {
            tb.fks.push(ForeignKey {
                columns: vec![],
                parent: r.try_get("p")?,
                parent_columns: vec![],
            });
            last = Some((t, n));
        }
        if let Some(fk) = tb.fks.last_mut() {
            fk.columns.push(r.try_get("c")?);
            fk.parent_columns.push(r.try_get("pc")?);
        }
    }
    Ok(tables.into_values().collect())
}

/// Parents before children (self references do not count; their rows are kept in
/// primary-key order instead).
fn order_by_fks(mut tables: Vec<Table>) -> StoreResult<Vec<Table>> {
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    let mut done: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(tables.len());
    let names: HashSet<String> = tables.iter().map(|t| t.name.clone()).collect();
    while !tables.is_empty() {
        let pos = tables.iter().position(|t| {
            t.fks.iter().all(|fk| {
                fk.parent == t.name || done.contains(&fk.parent) || !names.contains(&fk.parent)
            })
        });
        let Some(pos) = pos else {
            return Err(StoreError::Invalid(format!(
                "the tables {} reference each other in a cycle; backup cannot order them",
                tables
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        let t = tables.remove(pos);
        done.insert(t.name.clone());
        out.push(t);
    }
    Ok(out)
}

impl Table {
    fn order_by(&self) -> String {
        let cols: Vec<String> = if self.pk.is_empty() {
            (1..=self.columns.len()).map(|i| i.to_string()).collect()
        } else {
            self.pk.iter().map(|c| quote(c)).collect()
        };
        cols.join(", ")
    }

    fn select(&self) -> String {
        let cols: Vec<String> = self.columns.iter().map(|c| quote(&c.name)).collect();
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            cols.join(", "),
            quote(&self.name),
            self.order_by()
        )
    }

    fn col_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// Normalises a value to the portable form of its column type.
fn normalise(ty: ColumnType, v: Value) -> Value {
    match (ty, v) {
        (_, Value::Null) => Value::Null,
        (ColumnType::Integer, Value::Bool(b)) => json!(b as i64),
        (ColumnType::Integer, Value::Number(n)) => match n.as_i64() {
            Some(i) => json!(i),
            None => Value::Number(n),
        },
        (ColumnType::Real, Value::Number(n)) => match n.as_f64() {
            Some(f) => json!(f),
            None => Value::Number(n),
        },
        (ColumnType::Blob, Value::String(s)) => {
            Value::String(s.strip_prefix("\\x").unwrap_or(&s).to_ascii_lowercase())
        }
        (_, v) => v,
    }
}

// ---------------------------------------------------------------------------
// Writing

/// Writes to `FILE.partial` and renames it to `FILE` only when complete, so a failed
/// or interrupted backup never leaves a file that looks like a backup.
struct Writer {
    out: GzEncoder<BufWriter<std::fs::File>>,
    hash: Sha256,
    path: std::path::PathBuf,
    partial: std::path::PathBuf,
}

/// Creates (or truncates) a file that only its owner may read and write: a backup
/// holds password hashes, sessions and API tokens. The mode is set at creation, so the
/// file is never readable by others, not even while it is being written; an old
/// partial file left by a crash gets the mode too.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let f = options.open(path)?;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(f)
    }
    #[cfg(not(unix))]
    {
        options.open(path)
    }
}

impl Writer {
    fn create(path: &Path) -> StoreResult<Writer> {
        let mut partial = path.as_os_str().to_owned();
        partial.push(".partial");
        let partial = std::path::PathBuf::from(partial);
        let f = create_private(&partial).map_err(|e| io_err(&partial, e))?;
        Ok(Writer {
            out: GzEncoder::new(BufWriter::new(f), flate2::Compression::fast()),
            hash: Sha256::new(),
            path: path.to_path_buf(),
            partial,
        })
    }

    fn line(&mut self, v: &Value) -> StoreResult<()> {
        let mut s = serde_json::to_string(v).map_err(|e| StoreError::Invalid(e.to_string()))?;
        s.push('\n');
        self.hash.update(s.as_bytes());
        self.out
            .write_all(s.as_bytes())
            .map_err(|e| io_err(&self.path, e))
    }

    fn finish(mut self, rows: &[(String, u64)]) -> StoreResult<()> {
        let counts: Map<String, Value> = rows.iter().map(|(t, n)| (t.clone(), json!(n))).collect();
        let sha = hex::encode(self.hash.clone().finalize());
        self.line(&json!({"end": {"rows": counts, "sha256": sha}}))?;
        let inner = self.out.finish().map_err(|e| io_err(&self.path, e))?;
        let f = inner
            .into_inner()
            .map_err(|e| io_err(&self.path, e.into_error()))?;
        f.sync_all().map_err(|e| io_err(&self.path, e))?;
        std::fs::rename(&self.partial, &self.path).map_err(|e| io_err(&self.path, e))
    }
}

/// Decides which rows of an organisation's tables belong to it.
///
/// A table belongs to the organisation's part when it has an `org_key` column (and is
/// not reference data) or references such a table by foreign key. A row is included
/// when each of its non-null references into those tables points at an included row,
/// and it is anchored: its `org_key` is the organisation's, or it references an
/// included row. Rows that reference rows outside the organisation are left out.
struct OrgFilter {
    key: String,
    in_scope: HashSet<String>,
    /// (table, referenced columns) → the included rows' values of those columns.
    kept: HashMap<(String, Vec<String>), HashSet<String>>,
    /// Which columns of each table are referenced by some foreign key.
    referenced: HashMap<String, Vec<Vec<String>>>,
}

impl OrgFilter {
    fn new(schema: &Schema, key: &str) -> OrgFilter {
        let mut in_scope: HashSet<String> = schema
            .tables
            .iter()
            .filter(|t| {
                !SEEDED_TABLES.contains(&t.name.as_str()) && t.col_index("org_key").is_some()
            })
            .map(|t| t.name.clone())
            .collect();
        // Parents come first, so one pass in schema order finds every descendant.
        for t in &schema.tables {
            if t.fks
                .iter()
                .any(|fk| in_scope.contains(&fk.parent) && fk.parent != t.name)
            {
                in_scope.insert(t.name.clone());
            }
        }
        let mut referenced: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for t in &schema.tables {
            for fk in &t.fks {
                let e = referenced.entry(fk.parent.clone()).or_default();
                if !e.contains(&fk.parent_columns) {
                    e.push(fk.parent_columns.clone());
                }
            }
        }
        OrgFilter {
            key: key.to_string(),
            in_scope,
            kept: HashMap::new(),
            referenced,
        }
    }

    fn tuple(t: &Table, row: &[Value], cols: &[String]) -> Option<String> {
        let mut parts = Vec::with_capacity(cols.len());
        for c in cols {
            let v = row.get(t.col_index(c)?)?;
            if v.is_null() {
                return None;
            }
            parts.push(v.to_string());
        }
        Some(parts.join("\u{1f}"))
    }

    fn keep(&mut self, t: &Table, row: &[Value]) -> bool {
        let mut anchored = t
            .col_index("org_key")
            .and_then(|i| row.get(i))
            .and_then(|v| v.as_str())
            == Some(self.key.as_str());
        for fk in &t.fks {
            if !self.in_scope.contains(&fk.parent) {
                continue;
            }
            let Some(val) = Self::tuple(t, row, &fk.columns) else {
                continue;
            };
            let present = self
                .kept
                .get(&(fk.parent.clone(), fk.parent_columns.clone()))
                .is_some_and(|s| s.contains(&val));
            if !present {
                return false;
            }
            anchored = true;
        }
        if anchored {
            if let Some(refs) = self.referenced.get(&t.name) {
                for cols in refs.clone() {
                    if let Some(val) = Self::tuple(t, row, &cols) {
                        self.kept
                            .entry((t.name.clone(), cols))
                            .or_default()
                            .insert(val);
                    }
                }
            }
        }
        anchored
    }
}

fn sqlite_row(t: &Table, r: &rusqlite::Row<'_>) -> StoreResult<Vec<Value>> {
    use rusqlite::types::ValueRef;
    let mut row = Vec::with_capacity(t.columns.len());
    for (i, col) in t.columns.iter().enumerate() {
        let v = match r.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(x) => json!(x),
            ValueRef::Real(x) => json!(x),
            ValueRef::Text(s) => json!(String::from_utf8_lossy(s)),
            ValueRef::Blob(b) => json!(hex::encode(b)),
        };
        row.push(normalise(col.ty, v));
    }
    Ok(row)
}

/// PostgreSQL hands each row over as one JSON object, which keeps the reading generic.
fn pg_select(t: &Table) -> String {
    format!("SELECT row_to_json(x)::text FROM ({}) x", t.select())
}

fn pg_row(t: &Table, s: &str) -> StoreResult<Vec<Value>> {
    let mut obj: Map<String, Value> = serde_json::from_str(s)
        .map_err(|e| StoreError::Invalid(format!("reading {}: {e}", t.name)))?;
    Ok(t.columns
        .iter()
        .map(|c| normalise(c.ty, obj.remove(&c.name).unwrap_or(Value::Null)))
        .collect())
}

fn manifest(schema: &Schema, scope: &Scope, tables: &[&Table]) -> Value {
    let scope = match scope {
        Scope::Instance => json!("instance"),
        Scope::Org(k) => json!({ "org": k }),
    };
    json!({
        "hyte_backup": FORMAT_VERSION,
        "schema_version": schema.version,
        "scope": scope,
        "created_at": crate::now_rfc3339(),
        "tables": tables.iter().map(|t| json!({
            "name": t.name,
            "columns": t.columns.iter().map(|c| json!({"name": c.name, "type": c.ty.name()})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

impl Store {
    /// Writes a backup of the whole instance (`org` = None) or of one organisation to
    /// `path` (gzip'd JSON lines, see the module documentation).
    pub async fn backup(&self, path: &Path, org: Option<&str>) -> StoreResult<Summary> {
        let schema = self.schema().await?;
        let scope = match org {
            None => Scope::Instance,
            Some(k) => {
                let k = k.trim().to_string();
                let known: Option<i64> =
                    sqlx::query_scalar("SELECT COUNT(*) FROM region WHERE key = $1")
                        .bind(&k)
                        .fetch_one(self.pool())
                        .await?;
                if known.unwrap_or(0) == 0 {
                    return Err(StoreError::NotFound(format!(
                        "there is no organisation {k}"
                    )));
                }
                Scope::Org(k)
            }
        };
        let mut filter = match &scope {
            Scope::Org(k) => Some(OrgFilter::new(&schema, k)),
            Scope::Instance => None,
        };
        let tables: Vec<&Table> = schema
            .tables
            .iter()
            .filter(|t| filter.as_ref().is_none_or(|f| f.in_scope.contains(&t.name)))
            .collect();
        let mut w = Writer::create(path)?;
        let partial = w.partial.clone();
        w.line(&manifest(&schema, &scope, &tables))?;
        let tables: Vec<Table> = tables.into_iter().cloned().collect();
        // One snapshot for the whole file: a read transaction on either backend.
        let result: StoreResult<Vec<(String, u64)>> = async {
            Ok(match self.backend().clone() {
                Backend::Sqlite(p) => tokio::task::spawn_blocking(move || {
                    let mut conn = rusqlite::Connection::open_with_flags(
                        &p,
                        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                    )?;
                    conn.busy_timeout(std::time::Duration::from_secs(30))?;
                    let tx =
                        conn.transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)?;
                    let mut counts = Vec::new();
                    for t in &tables {
                        w.line(&json!({ "table": t.name }))?;
                        let mut st = tx.prepare(&t.select())?;
                        let mut rows = st.query([])?;
                        let mut n = 0u64;
                        while let Some(r) = rows.next()? {
                            let row = sqlite_row(t, r)?;
                            if filter.as_mut().is_none_or(|f| f.keep(t, &row)) {
                                w.line(&Value::Array(row))?;
                                n += 1;
                            }
                        }
                        counts.push((t.name.clone(), n));
                    }
                    drop(tx);
                    w.finish(&counts)?;
                    Ok::<_, StoreError>(counts)
                })
                .await
                .map_err(|e| StoreError::Invalid(format!("backup task failed: {e}")))??,
                Backend::Postgres(_) => {
                    use futures_util::TryStreamExt;
                    let mut tx = self.pool().begin().await?;
                    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                        .execute(&mut *tx)
                        .await?;
                    let mut counts = Vec::new();
                    for t in &tables {
                        w.line(&json!({ "table": t.name }))?;
                        let sql = pg_select(t);
                        let mut rows = sqlx::query_scalar::<_, String>(&sql).fetch(&mut *tx);
                        let mut n = 0u64;
                        while let Some(s) = rows.try_next().await? {
                            let row = pg_row(t, &s)?;
                            if filter.as_mut().is_none_or(|f| f.keep(t, &row)) {
                                w.line(&Value::Array(row))?;
                                n += 1;
                            }
                        }
                        counts.push((t.name.clone(), n));
                    }
                    tx.commit().await?;
                    w.finish(&counts)?;
                    counts
                }
            })
        }
        .await;
        let counts = match result {
            Ok(c) => c,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        Ok(Summary {
            schema_version: schema.version,
            scope,
            rows: counts,
        })
    }

    /// Every row of a table in primary-key order, values normalised.
    async fn table_rows(&self, t: &Table) -> StoreResult<Vec<Vec<Value>>> {
        match self.backend() {
            Backend::Sqlite(_) => {
                let t = t.clone();
                self.with_sqlite_reader(move |c| {
                    let mut st = c.prepare(&t.select())?;
                    let mut rows = st.query([])?;
                    let mut out = Vec::new();
                    while let Some(r) = rows.next()? {
                        out.push(sqlite_row(&t, r)?);
                    }
                    Ok(out)
                })
                .await
            }
            Backend::Postgres(_) => {
                let texts: Vec<String> = sqlx::query_scalar(&pg_select(t))
                    .fetch_all(self.pool())
                    .await?;
                texts.iter().map(|s| pg_row(t, s)).collect()
            }
        }
    }

    /// Number of rows in each table of the current schema.
    pub async fn table_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        let schema = self.schema().await?;
        let mut out = Vec::new();
        for t in &schema.tables {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quote(&t.name)))
                .fetch_one(self.pool())
                .await?;
            out.push((t.name.clone(), n));
        }
        Ok(out)
    }

    /// A fingerprint of the data: every table's rows in a backend-independent,
    /// sorted form, hashed. Two stores with the same data have the same fingerprint,
    /// whatever their backends.
    pub async fn fingerprint(&self) -> StoreResult<BTreeMap<String, String>> {
        let schema = self.schema().await?;
        let mut out = BTreeMap::new();
        for t in &schema.tables {
            let mut rows: Vec<String> = self
                .table_rows(t)
                .await?
                .into_iter()
                .map(|r| Value::Array(r).to_string())
                .collect();
            rows.sort();
            let mut h = Sha256::new();
            for r in &rows {
                h.update(r.as_bytes());
                h.update(b"\n");
            }
            out.insert(
                t.name.clone(),
                format!("{}:{}", rows.len(), hex::encode(h.finalize())),
            );
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// Reading and restoring

struct Reader {
    lines: std::io::Lines<BufReader<GzDecoder<std::fs::File>>>,
    hash: Sha256,
    path: std::path::PathBuf,
}

impl Reader {
    fn open(path: &Path) -> StoreResult<Reader> {
        let f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
        Ok(Reader {
            lines: BufReader::new(GzDecoder::new(f)).lines(),
            hash: Sha256::new(),
            path: path.to_path_buf(),
        })
    }

    /// The next line, parsed; the checksum covers it unless it is the trailer.
    fn next(&mut self) -> StoreResult<Value> {
        let line = self
            .lines
            .next()
            .ok_or_else(|| bad_file("it ends early (no trailer); it was cut off"))?
            .map_err(|e| bad_file(format!("{}: {e}", self.path.display())))?;
        let v: Value = serde_json::from_str(&line).map_err(bad_file)?;
        if v.get("end").is_none() {
            self.hash.update(line.as_bytes());
            self.hash.update(b"\n");
        }
        Ok(v)
    }
}

struct FileTable {
    name: String,
    columns: Vec<Column>,
}

struct Header {
    version: i64,
    scope: Scope,
    tables: Vec<FileTable>,
}

fn parse_header(v: &Value) -> StoreResult<Header> {
    if v.get("hyte_backup").and_then(Value::as_i64) != Some(FORMAT_VERSION) {
        return Err(bad_file(
            "it is not a Hyte backup of a format this version reads",
        ));
    }
    let version = v
        .get("schema_version")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad_file("no schema version"))?;
    let scope = match v.get("scope") {
        Some(Value::String(s)) if s == "instance" => Scope::Instance,
        Some(Value::Object(o)) => Scope::Org(
            o.get("org")
                .and_then(Value::as_str)
                .ok_or_else(|| bad_file("bad scope"))?
                .to_string(),
        ),
        _ => return Err(bad_file("bad scope")),
    };
    let mut tables = Vec::new();
    for t in v
        .get("tables")
        .and_then(Value::as_array)
        .ok_or_else(|| bad_file("no table list"))?
    {
        let name = t
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| bad_file("a table has no name"))?;
        let mut columns = Vec::new();
        for c in t
            .get("columns")
            .and_then(Value::as_array)
            .ok_or_else(|| bad_file("a table has no columns"))?
        {
            columns.push(Column {
                name: c
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad_file("a column has no name"))?
                    .to_string(),
                ty: c
                    .get("type")
                    .and_then(Value::as_str)
                    .and_then(ColumnType::from_name)
                    .ok_or_else(|| bad_file("a column has no known type"))?,
            });
        }
        tables.push(FileTable {
            name: name.to_string(),
            columns,
        });
    }
    Ok(Header {
        version,
        scope,
        tables,
    })
}

/// Checks the file's tables against the target schema and returns them in file order
/// with the target's table definitions.
fn match_schema<'a>(h: &Header, schema: &'a Schema) -> StoreResult<Vec<&'a Table>> {
    if h.version != schema.version {
        return Err(StoreError::Invalid(format!(
            "the backup has schema version {} but this database has {}: restore into a \
             database migrated by the Hyte version that wrote the backup",
            h.version, schema.version
        )));
    }
    let mut out = Vec::new();
    for ft in &h.tables {
        let t = schema
            .tables
            .iter()
            .find(|t| t.name == ft.name)
            .ok_or_else(|| {
                StoreError::Invalid(format!(
                    "the backup has a table {} this database lacks",
                    ft.name
                ))
            })?;
        let a: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        let b: Vec<&str> = ft.columns.iter().map(|c| c.name.as_str()).collect();
        if a != b {
            return Err(StoreError::Invalid(format!(
                "the columns of table {} differ between the backup and this database",
                ft.name
            )));
        }
        out.push(t);
    }
    Ok(out)
}

/// One step of reading the body: a table marker, a row or the trailer.
enum Item {
    Table(String),
    Row(Vec<Value>),
    End(Map<String, Value>),
}

fn item(v: Value) -> StoreResult<Item> {
    match v {
        Value::Array(a) => Ok(Item::Row(a)),
        Value::Object(mut o) => {
            if let Some(Value::String(t)) = o.remove("table") {
                Ok(Item::Table(t))
            } else if let Some(Value::Object(e)) = o.remove("end") {
                Ok(Item::End(e))
            } else {
                Err(bad_file("unexpected line"))
            }
        }
        _ => Err(bad_file("unexpected line")),
    }
}

/// Checks the trailer against what was read.
fn check_end(
    end: &Map<String, Value>,
    reader: &Reader,
    counts: &[(String, u64)],
) -> StoreResult<()> {
    let sha = hex::encode(reader.hash.clone().finalize());
    if end.get("sha256").and_then(Value::as_str) != Some(sha.as_str()) {
        return Err(bad_file("its checksum does not match; the file is damaged"));
    }
    let rows = end
        .get("rows")
        .and_then(Value::as_object)
        .ok_or_else(|| bad_file("no row counts"))?;
    for (t, n) in counts {
        if rows.get(t).and_then(Value::as_u64) != Some(*n) {
            return Err(bad_file(format!("the row count of {t} does not match")));
        }
    }
    Ok(())
}

impl Store {
    /// Restores a backup into this database, which must be migrated to the backup's
    /// schema version and hold no data of its own (reference areas loaded by
    /// `hyte migrate` are replaced by the backup's on a whole-instance restore). One
    /// transaction: on any error the database is left as it was.
    pub async fn restore(&self, path: &Path) -> StoreResult<Summary> {
        let schema = self.schema().await?;
        let mut reader = Reader::open(path)?;
        let header = parse_header(&reader.next()?)?;
        let tables = match_schema(&header, &schema)?;
        // The target must be empty: every table except the seeded reference tables
        // for a whole instance, every table of the file for an organisation.
        let must_be_empty: Vec<&Table> = match header.scope {
            Scope::Instance => schema
                .tables
                .iter()
                .filter(|t| !SEEDED_TABLES.contains(&t.name.as_str()))
                .collect(),
            Scope::Org(_) => tables.clone(),
        };
        for t in must_be_empty {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quote(&t.name)))
                .fetch_one(self.pool())
                .await?;
            if n > 0 {
                return Err(StoreError::Conflict(format!(
                    "the target database is not empty (table {} has {n} rows): restore into a \
                     new database after `hyte migrate`",
                    t.name
                )));
            }
        }
        let clear: Vec<Table> = match header.scope {
            Scope::Instance => schema
                .tables
                .iter()
                .rev()
                .filter(|t| SEEDED_TABLES.contains(&t.name.as_str()))
                .cloned()
                .collect(),
            Scope::Org(_) => vec![],
        };
        let tables: Vec<Table> = tables.into_iter().cloned().collect();
        let counts = match self.backend().clone() {
            Backend::Sqlite(p) => {
                tokio::task::spawn_blocking(move || restore_sqlite(&p, reader, &tables, &clear))
                    .await
                    .map_err(|e| StoreError::Invalid(format!("restore task failed: {e}")))??
            }
            Backend::Postgres(_) => self.restore_pg(reader, &tables, &clear).await?,
        };
        self.invalidate_regions();
        Ok(Summary {
            schema_version: header.version,
            scope: header.scope,
            rows: counts,
        })
    }

    async fn restore_pg(
        &self,
        mut reader: Reader,
        tables: &[Table],
        clear: &[Table],
    ) -> StoreResult<Vec<(String, u64)>> {
        let mut tx = self.pool().begin().await?;
        for t in clear {
            sqlx::query(&format!("DELETE FROM {}", quote(&t.name)))
                .execute(&mut *tx)
                .await?;
        }
        let mut counts: Vec<(String, u64)> = Vec::new();
        let mut current: Option<&Table> = None;
        let mut batch: Vec<Value> = Vec::new();
        async fn flush(
            tx: &mut sqlx::Transaction<'_, sqlx::Any>,
            t: &Table,
            batch: &mut Vec<Value>,
        ) -> StoreResult<()> {
            if batch.is_empty() {
                return Ok(());
            }
            let cols: Vec<String> = t.columns.iter().map(|c| quote(&c.name)).collect();
            let cols = cols.join(", ");
            let sql = format!(
                "INSERT INTO {t} ({cols}) SELECT {cols} FROM json_populate_recordset(NULL::{t}, $1::json)",
                t = quote(&t.name)
            );
            let body = Value::Array(std::mem::take(batch)).to_string();
            sqlx::query(&sql).bind(body).execute(&mut **tx).await?;
            Ok(())
        }
        loop {
            match item(reader.next()?)? {
                Item::Table(name) => {
                    if let Some(t) = current {
                        flush(&mut tx, t, &mut batch).await?;
                    }
                    let t = tables
                        .iter()
                        .find(|t| t.name == name)
                        .ok_or_else(|| bad_file(format!("table {name} is not in the manifest")))?;
                    current = Some(t);
                    counts.push((name, 0));
                }
                Item::Row(row) => {
                    let t = current.ok_or_else(|| bad_file("a row before any table"))?;
                    if row.len() != t.columns.len() {
                        return Err(bad_file(format!(
                            "a row of {} has the wrong length",
                            t.name
                        )));
                    }
                    let obj: Map<String, Value> = t
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(c, v)| {
                            let v = match (c.ty, v) {
                                (ColumnType::Blob, Value::String(s)) => json!(format!("\\x{s}")),
                                (_, v) => v,
                            };
                            (c.name.clone(), v)
                        })
                        .collect();
                    batch.push(Value::Object(obj));
                    if let Some(c) = counts.last_mut() {
                        c.1 += 1;
                    }
                    if batch.len() >= PG_BATCH {
                        flush(&mut tx, t, &mut batch).await?;
                    }
                }
                Item::End(end) => {
                    if let Some(t) = current {
                        flush(&mut tx, t, &mut batch).await?;
                    }
                    check_end(&end, &reader, &counts)?;
                    break;
                }
            }
        }
        // Identity columns continue after the restored ids.
        let idents = sqlx::query(
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = current_schema() \
             AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')",
        )
        .fetch_all(&mut *tx)
        .await?;
        for r in idents {
            let t: String = r.try_get("t")?;
            let c: String = r.try_get("c")?;
            if !tables.iter().chain(clear).any(|x| x.name == t) {
                continue;
            }
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), \
                 COALESCE((SELECT MAX({c}) FROM {t}), 0) + 1, false)",
                c = quote(&c),
                t = quote(&t)
            );
            sqlx::query(&sql)
                .bind(quote(&t))
                .bind(&c)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(counts)
    }
}

fn restore_sqlite(
    path: &Path,
    mut reader: Reader,
    tables: &[Table],
    clear: &[Table],
) -> StoreResult<Vec<(String, u64)>> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for t in clear {
        tx.execute(&format!("DELETE FROM {}", quote(&t.name)), [])?;
    }
    let mut counts: Vec<(String, u64)> = Vec::new();
    let mut current: Option<(&Table, rusqlite::Statement<'_>)> = None;
    loop {
        match item(reader.next()?)? {
            Item::Table(name) => {
                let t = tables
                    .iter()
                    .find(|t| t.name == name)
                    .ok_or_else(|| bad_file(format!("table {name} is not in the manifest")))?;
                let cols: Vec<String> = t.columns.iter().map(|c| quote(&c.name)).collect();
                let marks = vec!["?"; cols.len()].join(", ");
                let st = tx.prepare(&format!(
                    "INSERT INTO {} ({}) VALUES ({marks})",
                    quote(&t.name),
                    cols.join(", ")
                ))?;
                current = Some((t, st));
                counts.push((name, 0));
            }
            Item::Row(row) => {
                let (t, st) = current
                    .as_mut()
                    .ok_or_else(|| bad_file("a row before any table"))?;
                if row.len() != t.columns.len() {
                    return Err(bad_file(format!(
                        "a row of {} has the wrong length",
                        t.name
                    )));
                }
                let mut vals: Vec<rusqlite::types::Value> = Vec::with_capacity(row.len());
                for (c, v) in t.columns.iter().zip(row) {
                    use rusqlite::types::Value as S;
                    vals.push(match (c.ty, v) {
                        (_, Value::Null) => S::Null,
                        (ColumnType::Blob, Value::String(s)) => {
                            S::Blob(hex::decode(&s).map_err(|_| bad_file("a blob is not hex"))?)
                        }
                        (ColumnType::Real, Value::Number(n)) => {
                            S::Real(n.as_f64().unwrap_or_default())
                        }
                        (_, Value::Number(n)) => match n.as_i64() {
                            Some(i) => S::Integer(i),
                            None => S::Real(n.as_f64().unwrap_or_default()),
                        },
                        (_, Value::Bool(b)) => S::Integer(b as i64),
                        (_, Value::String(s)) => S::Text(s),
                        (_, other) => S::Text(other.to_string()),
                    });
                }
                st.execute(rusqlite::params_from_iter(vals))?;
                if let Some(c) = counts.last_mut() {
                    c.1 += 1;
                }
            }
            Item::End(end) => {
                check_end(&end, &reader, &counts)?;
                break;
            }
        }
    }
    drop(current);
    tx.commit()?;
    Ok(counts)
}
