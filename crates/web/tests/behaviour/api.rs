//! Public JSON API: health, organisations, regions.

use crate::common::*;
use reqwest::StatusCode;

both!(healthz_answers, |app: TestApp| async move {
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ok");
});

both!(organisations_are_the_331, |app: TestApp| async move {
    let res = app.get("/api/v1/organisations").await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = json(res).await;
    let items = v["items"].as_array().expect("items");
    assert_eq!(
        items.len(),
        331,
        "308 municipalities + 23 welfare-region organisations"
    );
    assert_eq!(v["count"], 331);
    let count = |cat: &str| items.iter().filter(|i| i["category"] == cat).count();
    assert_eq!(count("KUNTA"), 308);
    assert_eq!(count("HYVINVOINTIALUE"), 23);
    let asikkala = items
        .iter()
        .find(|i| i["id"] == "KUNTA:016")
        .expect("KUNTA:016 listed");
    assert_eq!(asikkala["category"], "KUNTA");
    assert_eq!(asikkala["code"], "016");
    assert_eq!(asikkala["names"]["fi"], "Asikkala");
    assert_eq!(asikkala["names"]["sv"], "Asikkala");
    assert_eq!(asikkala["welfare_region"], "HYVINVOINTIALUE:09");
    assert_eq!(asikkala["languages"], serde_json::json!(["fi"]));
    // A bilingual municipality lists both languages, majority first.
    let porvoo = items
        .iter()
        .find(|i| i["id"] == "KUNTA:638")
        .expect("Porvoo");
    assert_eq!(porvoo["names"]["sv"], "Borgå");
    assert_eq!(porvoo["languages"], serde_json::json!(["fi", "sv"]));
    let ph = items
        .iter()
        .find(|i| i["id"] == "HYVINVOINTIALUE:09")
        .expect("Päijät-Häme listed");
    assert_eq!(ph["category"], "HYVINVOINTIALUE");
    // Ids are unique.
    let mut ids: Vec<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 331);
});

both!(regions_by_category, |app: TestApp| async move {
    let res = app.get("/api/v1/regions?category=KUNTA").await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = json(res).await;
    let items = v["items"].as_array().expect("items");
    assert!(items.len() >= 308, "at least the current municipalities");
    assert!(
        items.iter().all(|i| i["category"] == "KUNTA"),
        "only KUNTA: {v}"
    );
    assert!(items
        .iter()
        .any(|i| i["id"] == "KUNTA:398" && i["names"]["fi"] == "Lahti"));
    let res = app.get("/api/v1/regions?category=HYVINVOINTIALUE").await;
    let v = json(res).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 23);
});

both!(regions_bad_category_is_400, |app: TestApp| async move {
    let res = app.get("/api/v1/regions?category=BAD").await;
    let msg = json_error(res, StatusCode::BAD_REQUEST).await;
    assert!(msg.contains("BAD"), "message names the bad value: {msg}");
});

both!(unknown_api_route_is_json_404, |app: TestApp| async move {
    let res = app.get("/api/v1/no-such-thing").await;
    json_error(res, StatusCode::NOT_FOUND).await;
});
