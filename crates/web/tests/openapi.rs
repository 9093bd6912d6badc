//! The whole OpenAPI document as a reviewed snapshot: every change of the API's
//! documented shape shows up in `tests/snapshots/openapi__openapi.snap` in review.
//! After an intended change: `INSTA_UPDATE=always cargo test -p hyte-web --test openapi`
//! (or `cargo insta review`), then read the diff.

#[test]
fn the_openapi_document_is_as_reviewed() {
    let doc = hyte_web::api::openapi_document().expect("the OpenAPI fragments merge");
    insta::assert_json_snapshot!("openapi", doc);
}
