//! The `hyte` binary: commands work, and every failure is one `hyte: ...` line on
//! stderr with a non-zero exit.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn hyte(db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hyte"));
    cmd.args(args)
        .arg("--database")
        .arg(db)
        .env_remove("HYTE_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = cmd.spawn().unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// Asserts a failure with exactly one `hyte: ` line containing `needle`.
fn fails(o: &Output, needle: &str) {
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].starts_with("hyte: "), "{err}");
    assert!(lines[0].contains(needle), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn db_in(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("h.db").display())
}

#[test]
fn migrate_users_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    let out = ok(&hyte(&db, &["migrate"], None));
    assert!(out.contains("331 organisations"), "{out}");

    // Password from standard input.
    let out = ok(&hyte(
        &db,
        &[
            "user",
            "add",
            "--org",
            "KUNTA:016",
            "--role",
            "coordinator",
            "--email",
            "Liisa@Asikkala.example",
            "--name",
            "Liisa",
        ],
        Some("a long enough password\n"),
    ));
    assert!(
        out.contains("Created user liisa@asikkala.example (coordinator, KUNTA:016 Asikkala)"),
        "{out}"
    );
    assert!(!out.contains("Password"), "{out}");

    // No input: a generated password, printed once.
    let out = ok(&hyte(
        &db,
        &[
            "user",
            "add",
            "--role",
            "admin",
            "--email",
            "root@example.invalid",
            "--name",
            "Root",
        ],
        None,
    ));
    let pw = out
        .lines()
        .find_map(|l| l.strip_prefix("Password (shown only this once): "))
        .unwrap();
    assert_eq!(pw.len(), 20);
    assert!(pw.chars().all(|c| c.is_ascii_alphanumeric()));

    fails(
        &hyte(
            &db,
            &[
                "user",
                "add",
                "--org",
                "KUNTA:016",
                "--role",
                "editor",
                "--email",
                "x@example.fi",
                "--name",
                "X",
            ],
            Some("short\n"),
        ),
        "at least 12 characters",
    );
    fails(
        &hyte(
            &db,
            &[
                "user",
                "add",
                "--org",
                "KUNTA:016",
                "--role",
                "editor",
                "--email",
                "liisa@asikkala.example",
                "--name",
                "X",
            ],
            None,
        ),
        "already exists",
    );
    fails(
        &hyte(
            &db,
            &[
                "user",
                "add",
                "--org",
                "KUNTA:999",
                "--role",
                "editor",
                "--email",
                "y@example.fi",
                "--name",
                "Y",
            ],
            None,
        ),
        "no organisation KUNTA:999",
    );
    fails(
        &hyte(
            &db,
            &[
                "user",
                "add",
                "--role",
                "editor",
                "--email",
                "y@example.fi",
                "--name",
                "Y",
            ],
            None,
        ),
        "must belong to an organisation",
    );
    fails(
        &hyte(
            &db,
            &[
                "user",
                "add",
                "--org",
                "KUNTA:016",
                "--role",
                "boss",
                "--email",
                "y@example.fi",
                "--name",
                "Y",
            ],
            None,
        ),
        "unknown role 'boss'",
    );

    let out = ok(&hyte(
        &db,
        &[
            "token",
            "create",
            "--user",
            "liisa@asikkala.example",
            "--name",
            "laptop",
        ],
        None,
    ));
    let token = out.lines().last().unwrap();
    assert!(token.starts_with("hyte_") && token.len() == 5 + 64, "{out}");
    fails(
        &hyte(
            &db,
            &["token", "create", "--user", "nobody@example.fi"],
            None,
        ),
        "no user with e-mail nobody@example.fi",
    );
}

#[test]
fn import_reports_each_file_and_fails_if_any_failed() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "indicator,region_category,region_code,region_title_fi,year,gender,value\n\
         127,KUNTA,016,Asikkala,2012,total,8461.0\n\
         127,KUNTA,398,Lahti,2012,total,103190.0\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "indicator,region_category,region_code,region_title_fi,year,gender,value\n\
         127,KUNTA,016,Asikkala,2012,total,8461.0\n\
         127,KUNTA,398,Lahti,20x2,total,103190.0\n",
    )
    .unwrap();
    let out = ok(&hyte(
        &db,
        &["import", "sotkanet", good.to_str().unwrap()],
        None,
    ));
    assert!(
        out.contains("Hyte snapshot CSV: 2 rows, 2 new or changed, 0 unchanged, 0 skipped"),
        "{out}"
    );

    let o = hyte(
        &db,
        &[
            "import",
            "sotkanet",
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stdout.contains("2 rows, 0 new or changed, 2 unchanged"),
        "{stdout}"
    );
    assert!(stderr.contains("bad.csv: line 3, field 'year'"), "{stderr}");
    assert!(
        stderr
            .lines()
            .last()
            .unwrap()
            .contains("1 of 2 files could not be imported"),
        "{stderr}"
    );
    assert!(stderr.lines().all(|l| l.starts_with("hyte: ")), "{stderr}");

    // gzip is read by content.
    let gz = dir.path().join("good.csv.gz");
    {
        let mut e = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::fast(),
        );
        e.write_all(&std::fs::read(&good).unwrap()).unwrap();
        e.finish().unwrap();
    }
    let out = ok(&hyte(
        &db,
        &["import", "sotkanet", gz.to_str().unwrap()],
        None,
    ));
    assert!(
        out.contains("2 rows, 0 new or changed, 2 unchanged"),
        "{out}"
    );
}

#[test]
fn bad_input_is_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    fails(
        &hyte("mysql://x", &["migrate"], None),
        "database URL 'mysql://x' is not valid",
    );
    fails(
        &hyte("sqlite:///proc/no/such/dir/h.db", &["migrate"], None),
        "cannot open the database",
    );
    fails(&hyte(&db, &["bogus"], None), "unrecognized subcommand");
    fails(
        &hyte(&db, &["user", "add", "--email", "x@y.fi"], None),
        "required arguments",
    );
    fails(
        &hyte(&db, &["serve", "--addr", "nonsense"], None),
        "invalid value 'nonsense'",
    );
    fails(
        &hyte(
            &db,
            &[
                "sotkanet",
                "sync",
                "--indicator",
                "5",
                "--base-url",
                "ftp://x",
            ],
            None,
        ),
        "must start with http:// or https://",
    );
    let o = hyte(&db, &["import", "sotkanet", "/nonexistent/file.csv"], None);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.lines().collect::<Vec<_>>(),
        vec![
            "hyte: cannot read /nonexistent/file.csv: No such file or directory (os error 2)",
            "hyte: 1 of 1 files could not be imported (each failed file left the database unchanged)"
        ]
    );
    // A port in use.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    fails(
        &hyte(&db, &["serve", "--addr", &addr], None),
        "cannot listen on",
    );
}
