//! The account lifecycle at the command line on SQLite: `hyte user disable`,
//! `enable`, `remove --yes` and `reset-link`, each audited, with one-line refusals.

use hyte_store::{DatabaseUrl, Store};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const PASSWORD: &str = "Koivu-Kuusi-Mänty-Haapa-2026";

fn hyte(db: &str, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hyte"));
    cmd.args(args)
        .arg("--database")
        .arg(db)
        .env_remove("HYTE_DATABASE_URL")
        .env_remove("HYTE_PUBLIC_URL")
        .envs(env.iter().copied())
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
    assert!(
        !o.status.success(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].starts_with("hyte: "), "{err}");
    assert!(lines[0].contains(needle), "{err}");
}

fn db_in(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("h.db").display())
}

async fn store(db: &str) -> Store {
    Store::connect(&db.parse::<DatabaseUrl>().unwrap())
        .await
        .unwrap()
}

/// The newest audit entry's user, action and detail.
async fn last_audit(db: &str) -> (Option<String>, String, String) {
    let s = store(db).await;
    let e = s.audit_entries(None, 1).await.unwrap().remove(0);
    s.close().await;
    (e.user_email, e.action, e.detail)
}

#[tokio::test]
async fn disable_enable_remove_and_reset_link() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    let add = |email: &str| {
        ok(&hyte(
            &db,
            &[
                "user",
                "add",
                "--org",
                "KUNTA:016",
                "--role",
                "editor",
                "--email",
                email,
                "--name",
                "Eeva Editori",
            ],
            Some(&format!("{PASSWORD}\n")),
            &[],
        ))
    };
    add("eeva@asikkala.example");
    let out = ok(&hyte(
        &db,
        &["token", "create", "--user", "eeva@asikkala.example"],
        None,
        &[],
    ));
    let token = out
        .split_whitespace()
        .find(|w| w.starts_with("hyte_"))
        .unwrap()
        .to_string();
    let token_works = |db: String, token: String| async move {
        let s = store(&db).await;
        let u = s.user_by_api_token(&token).await.unwrap();
        s.close().await;
        u.is_some()
    };
    assert!(token_works(db.clone(), token.clone()).await);

    // Disable: audited as the command line's; the token stops at once.
    let out = ok(&hyte(
        &db,
        &["user", "disable", "--email", "Eeva@Asikkala.example"],
        None,
        &[],
    ));
    assert!(
        out.contains("Disabled eeva@asikkala.example (editor of KUNTA:016)"),
        "{out}"
    );
    assert!(!token_works(db.clone(), token.clone()).await);
    let (who, action, detail) = last_audit(&db).await;
    assert_eq!((who, action.as_str()), (None, "user_disabled"));
    assert_eq!(detail, "eeva@asikkala.example (command line)");
    let out = ok(&hyte(
        &db,
        &["user", "disable", "--email", "eeva@asikkala.example"],
        None,
        &[],
    ));
    assert!(
        out.contains("was already disabled; nothing changed"),
        "{out}"
    );
    // No reset link for a disabled account.
    fails(
        &hyte(
            &db,
            &[
                "user",
                "reset-link",
                "--email",
                "eeva@asikkala.example",
                "--public-url",
                "https://hyte.kunta.example",
            ],
            None,
            &[],
        ),
        "enable it first",
    );

    // Enable: the token works again.
    let out = ok(&hyte(
        &db,
        &["user", "enable", "--email", "eeva@asikkala.example"],
        None,
        &[],
    ));
    assert!(out.contains("Enabled eeva@asikkala.example"), "{out}");
    assert!(token_works(db.clone(), token.clone()).await);
    assert_eq!(last_audit(&db).await.1, "user_enabled");

    // A reset link needs the public address: refused without it, or with a bad one.
    fails(
        &hyte(
            &db,
            &["user", "reset-link", "--email", "eeva@asikkala.example"],
            None,
            &[],
        ),
        "HYTE_PUBLIC_URL",
    );
    fails(
        &hyte(
            &db,
            &[
                "user",
                "reset-link",
                "--email",
                "eeva@asikkala.example",
                "--public-url",
                "hyte.kunta.example",
            ],
            None,
            &[],
        ),
        "must start with https://",
    );
    let out = ok(&hyte(
        &db,
        &["user", "reset-link", "--email", "eeva@asikkala.example"],
        None,
        &[("HYTE_PUBLIC_URL", "https://hyte.kunta.example/")],
    ));
    let link = out
        .lines()
        .find(|l| l.starts_with("https://"))
        .unwrap_or_else(|| panic!("{out}"));
    let secret = link
        .strip_prefix("https://hyte.kunta.example/reset/")
        .unwrap_or_else(|| panic!("{link}"));
    assert_eq!(secret.len(), 64);
    assert!(!out.contains(PASSWORD));
    let s = store(&db).await;
    let reset = s.password_reset(secret).await.unwrap().expect("stored");
    assert_eq!(reset.state(), "pending");
    assert_eq!(reset.issued_by, "hyte user reset-link");
    s.close().await;
    let (_, action, detail) = last_audit(&db).await;
    assert_eq!(action, "password_reset_issued");
    assert!(!detail.contains(secret), "{detail}");

    // Remove: only with --yes; then gone for sign-in and for every command.
    fails(
        &hyte(
            &db,
            &["user", "remove", "--email", "eeva@asikkala.example"],
            None,
            &[],
        ),
        "repeat with --yes",
    );
    assert_eq!(last_audit(&db).await.1, "password_reset_issued");
    let out = ok(&hyte(
        &db,
        &[
            "user",
            "remove",
            "--email",
            "eeva@asikkala.example",
            "--yes",
        ],
        None,
        &[],
    ));
    assert!(out.contains("Removed eeva@asikkala.example"), "{out}");
    assert!(out.contains("stays attributed to Eeva Editori"), "{out}");
    assert!(!token_works(db.clone(), token.clone()).await);
    let (_, action, _) = last_audit(&db).await;
    assert_eq!(action, "user_removed");
    let s = store(&db).await;
    let u = s
        .user_by_email("eeva@asikkala.example")
        .await
        .unwrap()
        .expect("the name and e-mail stay for the history");
    assert!(u.removed_at.is_some());
    assert_eq!(u.name, "Eeva Editori");
    assert_eq!(
        s.password_reset(secret).await.unwrap().unwrap().state(),
        "revoked"
    );
    s.close().await;
    for cmd in ["disable", "enable"] {
        fails(
            &hyte(
                &db,
                &["user", cmd, "--email", "eeva@asikkala.example"],
                None,
                &[],
            ),
            "was removed on",
        );
    }
    fails(
        &hyte(
            &db,
            &["user", "disable", "--email", "nobody@asikkala.example"],
            None,
            &[],
        ),
        "there is no user with e-mail nobody@asikkala.example",
    );
}
