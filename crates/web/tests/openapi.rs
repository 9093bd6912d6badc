//! The whole OpenAPI document as a reviewed snapshot: every change of the API's
//! documented shape shows up in `tests/snapshots/openapi__openapi.snap` in review.
//! After an intended change: `INSTA_UPDATE=always cargo test -p hyte-web --test openapi`
//! (or `cargo insta review`), then read the diff.
//!
//! And the document is complete: every route the API mounts is documented, and every
//! documented operation is answered by the running server.

// Only `TestApp` is needed here, not the `both!` the module also defines.
#[allow(unused_macros)]
mod common;

use common::TestApp;
use reqwest::Method;
use std::collections::BTreeSet;

#[test]
fn the_openapi_document_is_as_reviewed() {
    let doc = hyte_web::api::openapi_document().expect("the modules' documents merge");
    insta::assert_json_snapshot!("openapi", doc);
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// (method, path) of every documented operation.
fn documented() -> BTreeSet<(String, String)> {
    let doc = hyte_web::api::openapi_document().expect("the modules' documents merge");
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .expect("operations")
                .keys()
                .filter(|m| METHODS.contains(&m.as_str()))
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect()
}

#[test]
fn every_mounted_route_is_documented() {
    let mounted: BTreeSet<(String, String)> = hyte_web::api::mounted_routes()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    let documented = documented();
    let undocumented: Vec<_> = mounted.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "mounted but not documented (give the handler #[utoipa::path] and list it in its \
         module's `Doc`): {undocumented:?}"
    );
    let unmounted: Vec<_> = documented.difference(&mounted).collect();
    assert!(
        unmounted.is_empty(),
        "documented but not mounted: {unmounted:?}"
    );
    assert!(mounted.len() >= 72, "{} routes", mounted.len());
}

/// The running server agrees: asked with a method no route has, each documented path
/// answers 405 with exactly the documented methods in `Allow` (so the path is routed,
/// with those methods and no others).
#[tokio::test]
async fn the_server_answers_every_documented_path_with_the_documented_methods() {
    let app = TestApp::sqlite().await;
    let mut by_path: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for (method, path) in documented() {
        by_path
            .entry(path)
            .or_default()
            .insert(method.to_uppercase());
    }
    let unused = Method::from_bytes(b"PROPFIND").expect("a method name");
    let client = reqwest::Client::new();
    for (template, methods) in by_path {
        // Any value matches a path parameter; the route is what is tested here.
        let path: Vec<String> = template
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    "1".to_string()
                } else {
                    s.to_string()
                }
            })
            .collect();
        let url = app.url(&format!("/api/v1{}", path.join("/")));
        let r = client
            .request(unused.clone(), &url)
            .send()
            .await
            .expect("an answer");
        assert_eq!(r.status(), 405, "{template} is not routed");
        let allow: BTreeSet<String> = r
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .split(',')
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty() && m != "HEAD")
            .collect();
        assert_eq!(
            allow, methods,
            "{template}: routed methods differ from the documented ones"
        );
    }
}
