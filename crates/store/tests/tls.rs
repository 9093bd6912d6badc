//! TLS to PostgreSQL (issue #14, item 8): Hyte honours `sslmode` and `sslrootcert` in
//! its database URL. A cluster of its own with `ssl=on` and a certificate signed by a
//! throwaway CA (made with the `openssl` command) is the server.

use hyte_store as store_crate;

// The shared cluster support; this test starts a cluster of its own and needs no `both!`.
#[allow(unused_macros)]
#[path = "../../web/tests/common/db.rs"]
mod db;

use hyte_store::{DatabaseUrl, Store};
use sqlx::Row;
use std::path::Path;
use std::process::Command;

fn openssl(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run openssl: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A CA and a server certificate for 127.0.0.1 signed by it; a second, unrelated CA.
fn certificates(dir: &Path) -> Result<(), String> {
    for ca in ["ca", "other-ca"] {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN=Hyte test {ca}"),
                "-keyout",
                &format!("{ca}.key"),
                "-out",
                &format!("{ca}.crt"),
            ],
        )?;
    }
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    )?;
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .map_err(|e| e.to_string())?;
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    )?;
    // PostgreSQL refuses a key that others may read.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .map_err(|e| e.to_string())
}

async fn connect(url: &str) -> Result<Store, String> {
    let url: DatabaseUrl = url.parse().map_err(|e| format!("{e}"))?;
    Store::connect(&url).await.map_err(|e| e.to_string())
}

async fn uses_tls(store: &Store) -> bool {
    let row = sqlx::query(
        "SELECT CASE WHEN ssl THEN 1 ELSE 0 END::bigint AS on_tls FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    )
    .fetch_one(store.pool())
    .await
    .expect("pg_stat_ssl");
    row.try_get::<i64, _>("on_tls").expect("on_tls") == 1
}

#[tokio::test]
async fn postgres_over_tls_with_sslmode_and_sslrootcert() {
    let started = db::start_own_cluster(
        "-c ssl=on -c ssl_cert_file=../server.crt -c ssl_key_file=../server.key",
        certificates,
    );
    let (base, dir) = match started {
        Ok(v) => v,
        Err(e) if !db::in_ci() => {
            eprintln!("skipped: no PostgreSQL or openssl here ({e})");
            return;
        }
        Err(e) => panic!("CI needs PostgreSQL and openssl for the TLS test: {e}"),
    };
    // Encrypted, the server's certificate not checked (libpq's `require`).
    let store = connect(&format!("{base}?sslmode=require"))
        .await
        .expect("sslmode=require connects (Hyte is built with TLS)");
    assert!(uses_tls(&store).await, "the connection is encrypted");
    store.close().await;
    // Checked against the operator's CA, host name included.
    let ca = dir.join("ca.crt");
    let store = connect(&format!(
        "{base}?sslmode=verify-full&sslrootcert={}",
        ca.display()
    ))
    .await
    .expect("verify-full with the right CA connects");
    assert!(uses_tls(&store).await);
    store.close().await;
    // A server whose certificate another CA signed is refused, with a reason.
    let other = dir.join("other-ca.crt");
    let e = connect(&format!(
        "{base}?sslmode=verify-full&sslrootcert={}",
        other.display()
    ))
    .await
    .err()
    .expect("a certificate of an unknown CA is refused");
    assert!(e.to_lowercase().contains("certificate"), "{e}");
    // Plain connections still work where the operator allows them.
    let store = connect(&format!("{base}?sslmode=disable"))
        .await
        .expect("disable");
    assert!(!uses_tls(&store).await);
    store.close().await;
}
