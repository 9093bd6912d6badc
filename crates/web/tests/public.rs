//! Publication (issue #7): the public site in Finnish and Swedish, PDF and infographic,
//! open-data API with ETags, table CSV, embeddable charts and their frame headers.
//! Unpublished content is never served publicly. Every test runs on SQLite and on
//! PostgreSQL (`both!`).

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::*;
use hyte_domain::report::{ObservationKind, ObservationOrigin};
use hyte_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Significantly worse than the country in Asikkala (low is good).
const IND_WORSE: i64 = 90_101;
/// Significantly better than the country in Asikkala (high is good).
const IND_BETTER: i64 = 90_102;

async fn load_data(app: &TestApp) {
    app.store
        .put_indicator(&definition(IND_WORSE, "Testityöttömyys, %", "low_is_good"))
        .await
        .unwrap();
    app.store
        .put_indicator(&definition(IND_BETTER, "Testiliikunta, %", "high_is_good"))
        .await
        .unwrap();
    let mut csv =
        String::from("indicator,region_category,region_code,region_title_fi,year,gender,value\n");
    for year in 2018..=2022 {
        for (cat, code, name, pop) in [
            ("KUNTA", "016", "Asikkala", 8000),
            ("KUNTA", "398", "Lahti", 120_000),
        ] {
            csv.push_str(&format!("127,{cat},{code},{name},{year},total,{pop}\n"));
        }
        for (cat, code, name, worse, better) in [
            ("KUNTA", "016", "Asikkala", 20.0, 60.0),
            ("KUNTA", "398", "Lahti", 11.0, 50.0),
            ("HYVINVOINTIALUE", "09", "Päijät-Häme", 12.0, 51.0),
            ("MAA", "SSS", "Koko maa", 10.0, 50.0),
        ] {
            csv.push_str(&format!(
                "{IND_WORSE},{cat},{code},{name},{year},total,{worse}\n{IND_BETTER},{cat},{code},{name},{year},total,{better}\n"
            ));
        }
    }
    app.store
        .ingest("test-values.csv", csv.into_bytes(), None, "test")
        .await
        .expect("test values import");
}

/// Data, a coordinator of Asikkala (signed in) and a report with text, two indicator
/// blocks, a joy and a concern.
async fn setup(app: &TestApp) -> (reqwest::Client, i64) {
    load_data(app).await;
    let (coord, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
    let token = app.api_token(&coord).await;
    let res = plain_client()
        .request(
            Method::POST,
            app.url("/api/v1/organisations/KUNTA:016/reports"),
        )
        .bearer_auth(&token)
        .json(&json!({
            "kind": "term_report", "title": "Hyvinvointikertomus 2025–2029",
            "term_start": 2025, "term_end": 2029, "template": "thl"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = json(res).await["report"]["id"].as_i64().unwrap();
    let sections = app.store.sections(id).await.unwrap();
    let mut tx = app.store.begin().await.unwrap();
    tx.save_section(
            sections[0].id,
            0,
            &format!("Asikkalan **työllisyys** on huolenaihe.\n\n{{{{indicator {IND_WORSE} chart=trend compare=region,country}}}}\n\nLiikunta sujuu.\n\n{{{{indicator {IND_BETTER} chart=compare compare=region,country}}}}\n"),
            &coord.email,
            None,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for (kind, body) in [
        (ObservationKind::Joy, "Nuoret liikkuvat paljon"),
        (ObservationKind::Concern, "Työttömyys on korkea"),
    ] {
        let mut tx = app.store.begin().await.unwrap();
        tx.add_observation(
            id,
            kind,
            body,
            None,
            ObservationOrigin::WorkingGroup,
            None,
            "accepted",
            &[],
            &coord.email,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    // Through the council: approval freezes the version the public site serves.
    for body in [
        json!({"move": "start_commenting"}),
        json!({"move": "to_board"}),
        json!({"move": "council_approve", "decision_date": "2026-05-18", "minutes_section": "§ 45"}),
    ] {
        let res = plain_client()
            .post(app.url(&format!("/api/v1/reports/{id}/approval/transitions")))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{body}: {}", res.status());
    }
    (client, id)
}

async fn publish(app: &TestApp, client: &reqwest::Client, id: i64, on: bool) {
    let csrf = app
        .csrf(client, &format!("/reports/{id}/publication"))
        .await;
    let res = app
        .post_form(
            client,
            &format!("/reports/{id}/publication/toggle"),
            &[("csrf", &csrf), ("publish", if on { "1" } else { "0" })],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

both!(unpublished_is_404_publicly, |app: TestApp| async move {
    let (client, id) = setup(&app).await;
    let anon = plain_client();
    for path in [
        format!("/public/{ASIKKALA}/reports/{id}"),
        format!("/public/{ASIKKALA}/reports/{id}.pdf"),
        format!("/public/{ASIKKALA}/reports/{id}/summary.pdf"),
        format!("/api/v1/public/reports/{id}"),
    ] {
        let res = app.get_with(&anon, &path).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let list = json(
        app.get_with(&anon, "/api/v1/public/organisations/KUNTA:016/reports")
            .await,
    )
    .await;
    assert_eq!(list["total"], 0);
    // The working-copy addresses of the files stay behind the sign-in while unpublished...
    let files = [
        format!("/reports/{id}.pdf"),
        format!("/reports/{id}/report.pdf"),
        format!("/reports/{id}/summary.pdf"),
    ];
    for path in &files {
        let res = app.get_with(&anon, path).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    publish(&app, &client, id, true).await;
    // ...and serve the published version to anyone once published.
    for path in &files {
        let res = app.get_with(&anon, path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert!(res.bytes().await.unwrap().starts_with(b"%PDF"), "{path}");
    }
    // Published under the wrong organisation is still 404.
    let res = app
        .get_with(&anon, &format!("/public/KUNTA:398/reports/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Withdrawn again: gone.
    publish(&app, &client, id, false).await;
    let res = app
        .get_with(&anon, &format!("/public/{ASIKKALA}/reports/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Only coordinators publish.
    let (_, editor) = app.signed_in(ASIKKALA, Role::Editor).await;
    let csrf = app
        .csrf(&editor, &format!("/reports/{id}/publication"))
        .await;
    let res = app
        .post_form(
            &editor,
            &format!("/reports/{id}/publication/toggle"),
            &[("csrf", &csrf), ("publish", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
});

both!(
    published_renders_in_finnish_and_swedish,
    |app: TestApp| async move {
        let (client, id) = setup(&app).await;
        publish(&app, &client, id, true).await;
        let anon = plain_client();
        let (status, fi) = app
            .get_text(&anon, &format!("/public/{ASIKKALA}/reports/{id}?lang=fi"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(fi.contains("<html lang=\"fi\""), "{fi}");
        assert!(fi.contains("Sisällys"));
        assert!(fi.contains("Tiivistelmä"));
        assert!(fi.contains("Testityöttömyys, %"));
        assert!(fi.contains("<svg"), "charts inline");
        assert!(fi.contains("Nuoret liikkuvat paljon"), "summary from joys");
        assert!(fi.contains("Asikkalan <strong>työllisyys</strong>"));
        // Every block names its source in the reader's language.
        assert!(
            fi.contains("Lähde: Sotkanet-indikaattoripankki, THL"),
            "{fi}"
        );
        assert!(!fi.contains("Source: Sotkanet"));
        let (status, sv) = app
            .get_text(&anon, &format!("/public/{ASIKKALA}/reports/{id}?lang=sv"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(sv.contains("<html lang=\"sv\""));
        assert!(sv.contains("Innehåll"));
        assert!(sv.contains("Sammanfattning"));
        assert!(sv.contains("Testityöttömyys, % (sv)"));
        // The archive lists it.
        let (status, archive) = app.get_text(&anon, &format!("/public/{ASIKKALA}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(archive.contains(&format!("/public/{ASIKKALA}/reports/{id}")));
        // Table download.
        let doc = json(
            app.get_with(&anon, &format!("/api/v1/public/reports/{id}"))
                .await,
        )
        .await;
        let anchor = doc["sections"][0]["parts"][1]["anchor"]
            .as_str()
            .unwrap()
            .to_string();
        let res = app
            .get_with(
                &anon,
                &format!("/public/{ASIKKALA}/reports/{id}/tables/{anchor}.csv"),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let csv = res.text().await.unwrap();
        assert!(csv.contains("2022"), "{csv}");
        assert!(csv.contains("20,0"), "{csv}");
        // The page links both downloads with absolute paths.
        let (_, fi) = app
            .get_text(&anon, &format!("/public/{ASIKKALA}/reports/{id}"))
            .await;
        let xlsx_href = format!("/public/{ASIKKALA}/reports/{id}/tables/{anchor}.xlsx");
        assert!(
            fi.contains(&format!("href=\"{xlsx_href}\"")),
            "no XLSX link"
        );
        let res = app.get_with(&anon, &xlsx_href).await;
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.bytes().await.unwrap().to_vec();
        use calamine::{open_workbook_from_rs, Reader, Xlsx};
        let mut wb: Xlsx<_> =
            open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx opens");
        let name = wb.sheet_names()[0].clone();
        let sheet = wb.worksheet_range(&name).unwrap();
        let cells: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
        assert!(cells.iter().any(|c| c == "2022"), "{cells:?}");
        assert!(cells.iter().any(|c| c.contains("20,0")), "{cells:?}");
        let res = app
            .get_with(
                &anon,
                &format!("/public/{ASIKKALA}/reports/{id}/tables/{anchor}.pdf"),
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
);

both!(pdf_and_infographic, |app: TestApp| async move {
    let (client, id) = setup(&app).await;
    // Signed-in readers get the working copy's PDF before publication.
    let res = app.get_with(&client, &format!("/reports/{id}.pdf")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // Cover, contents, summary and one page per section of the THL outline.
    let sections = app.store.sections(id).await.unwrap().len();
    let pages = count_pages(&pdf);
    assert!(
        pages >= sections + 3,
        "{pages} pages for {sections} sections"
    );
    let anon = plain_client();
    assert_eq!(
        app.get_with(&anon, &format!("/reports/{id}/report.pdf"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    publish(&app, &client, id, true).await;
    let res = app
        .get_with(&anon, &format!("/public/{ASIKKALA}/reports/{id}.pdf"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF"));
    let res = app
        .get_with(
            &anon,
            &format!("/public/{ASIKKALA}/reports/{id}/summary.pdf"),
        )
        .await;
    let summary = res.bytes().await.unwrap();
    assert!(summary.starts_with(b"%PDF"));
    assert_eq!(count_pages(&summary), 1, "one page");
    let res = app
        .get_with(
            &anon,
            &format!("/public/{ASIKKALA}/reports/{id}/summary.svg"),
        )
        .await;
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    assert!(res.text().await.unwrap().starts_with("<svg"));
    let res = app
        .get_with(&client, &format!("/reports/{id}/summary.png"))
        .await;
    assert_eq!(&res.bytes().await.unwrap()[1..4], b"PNG");

    // The infographic's numbers are the document's: Asikkala's latest values, worse
    // and better than the country and the welfare region.
    let doc = json(
        app.get_with(&anon, &format!("/api/v1/public/reports/{id}?lang=fi"))
            .await,
    )
    .await;
    let inds = doc["infographic"]["indicators"].as_array().unwrap();
    assert_eq!(inds.len(), 2, "{doc}");
    assert_eq!(inds[0]["id"], IND_WORSE);
    assert_eq!(inds[0]["value"], 20.0);
    assert_eq!(inds[0]["year"], 2022);
    assert_eq!(inds[0]["value_text"], "20,0 %");
    assert_eq!(inds[0]["vs_country"]["outcome"], "worse");
    assert_eq!(inds[0]["vs_region"]["outcome"], "worse");
    assert_eq!(inds[1]["vs_country"]["outcome"], "better");
    assert_eq!(
        doc["infographic"]["strengths"][0],
        "Nuoret liikkuvat paljon"
    );
    assert_eq!(doc["infographic"]["concerns"][0], "Työttömyys on korkea");
    // The block's table in the document holds the same 2022 value.
    let block = &doc["sections"][0]["parts"][1];
    let last = block["rows"].as_array().unwrap().last().unwrap();
    assert_eq!(last[0], "2022");
    assert_eq!(last[1], "20,0");

    // The coordinator narrows the infographic to one indicator and writes a summary.
    let csrf = app
        .csrf(&client, &format!("/reports/{id}/publication"))
        .await;
    let res = app
        .post_form(
            &client,
            &format!("/reports/{id}/publication"),
            &[
                ("csrf", &csrf),
                ("summary", "Selkokielinen **tiivistelmä**."),
                ("indicator", &IND_BETTER.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // The choices are kept for the next approval; the public document stays the one
    // the council approved, even when published again (issue #14, item 2).
    let (_, settings) = app
        .get_text(&client, &format!("/reports/{id}/publication"))
        .await;
    assert!(
        settings.contains("Selkokielinen **tiivistelmä**."),
        "{settings}"
    );
    publish(&app, &client, id, true).await;
    let doc = json(
        app.get_with(&anon, &format!("/api/v1/public/reports/{id}"))
            .await,
    )
    .await;
    let inds = doc["infographic"]["indicators"].as_array().unwrap();
    assert_eq!(inds.len(), 2);
    assert_ne!(doc["summary"], "Selkokielinen **tiivistelmä**.");
    let res = app
        .post_form(
            &client,
            &format!("/reports/{id}/publication"),
            &[("csrf", &csrf), ("indicator", "abc")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
});

/// Counts `/Type /Page` objects (not `/Pages`) in an uncompressed object table.
fn count_pages(pdf: &[u8]) -> usize {
    // The page tree's root carries the page count (`/Count N`, the largest one);
    // page objects may sit in compressed object streams, so they are not counted.
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Count")
        .filter_map(|(i, _)| {
            let rest = text[i + 6..].trim_start();
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse::<usize>().ok()
        })
        .max()
        .unwrap_or(0)
}

both!(open_data_api_etag, |app: TestApp| async move {
    let (client, id) = setup(&app).await;
    publish(&app, &client, id, true).await;
    let anon = plain_client();
    let res = app
        .get_with(&anon, &format!("/api/v1/public/reports/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let doc: Value = res.json().await.unwrap();
    assert_eq!(doc["id"], id);
    assert_eq!(doc["org"]["key"], ASIKKALA);
    assert!(doc["attribution"].as_str().unwrap().contains("CC BY 4.0"));
    let res = anon
        .get(app.url(&format!("/api/v1/public/reports/{id}")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let list = anon
        .get(app.url("/api/v1/public/organisations/KUNTA:016/reports?per_page=1"))
        .send()
        .await
        .unwrap();
    let list_etag = list.headers()["etag"].to_str().unwrap().to_string();
    let list: Value = list.json().await.unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id);
    let res = anon
        .get(app.url("/api/v1/public/organisations/KUNTA:016/reports?per_page=1"))
        .header("if-none-match", &list_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let page2: Value = json(
        app.get_with(
            &anon,
            "/api/v1/public/organisations/KUNTA:016/reports?page=2&per_page=1",
        )
        .await,
    )
    .await;
    assert_eq!(page2["items"], json!([]));
    let res = app
        .get_with(
            &anon,
            "/api/v1/public/organisations/KUNTA:016/reports?per_page=0",
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app
        .get_with(&anon, "/api/v1/public/organisations/KUNTA:999999/reports")
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
});

both!(embed_svg_and_frame_headers, |app: TestApp| async move {
    load_data(&app).await;
    let anon = plain_client();
    let res = app
        .get_with(
            &anon,
            &format!("/embed/{ASIKKALA}/indicators/{IND_WORSE}.svg?chart=trend"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        !csp.contains("frame-ancestors"),
        "any page may frame it: {csp}"
    );
    assert!(res.headers().get("x-frame-options").is_none());
    let svg = res.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("CC BY 4.0"), "attribution in the chart");
    let (status, html) = app
        .get_text(
            &anon,
            &format!("/embed/{ASIKKALA}/indicators/{IND_WORSE}?chart=compare"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("CC BY 4.0"));
    for (path, status) in [
        (
            format!("/embed/{ASIKKALA}/indicators/{IND_WORSE}.svg?chart=pie"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/embed/{ASIKKALA}/indicators/12345678.svg"),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/embed/KUNTA:999999/indicators/{IND_WORSE}"),
            StatusCode::NOT_FOUND,
        ),
    ] {
        assert_eq!(app.get_with(&anon, &path).await.status(), status, "{path}");
    }
    // Everything else still refuses framing.
    let res = app.get_with(&anon, &format!("/public/{ASIKKALA}")).await;
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    assert!(res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
});

// The published report carries the plan and its yearly progress (the accountability
// view for residents): on the page, in the open data and on the infographic.
both!(published_plan_with_progress, |app: TestApp| async move {
    // The public plan shows this year's progress (within the term 2025–2029).
    let year = i64::from(time::OffsetDateTime::now_utc().year()).clamp(2025, 2029);
    let (client, id) = setup(&app).await;
    publish(&app, &client, id, true).await;
    let anon = plain_client();
    let (_, page) = app
        .get_text(&anon, &format!("/public/{ASIKKALA}/reports/{id}"))
        .await;
    assert!(!page.contains("id=\"plan\""), "no plan yet");
    let coord = app.user(ASIKKALA, Role::Coordinator).await;
    let token = app.api_token(&coord).await;
    let g = api_ok(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/reports/{id}/plan/goals"),
        json!({"title": "Työttömyys laskee", "description": "Nuoret töihin."}),
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let action = json!({"title": "Työpajat nuorille", "sector": "education",
        "responsible": "Sivistysjohtaja", "start_year": year, "end_year": year,
        "resources": [{"year": year, "euros": 20000, "person_years": 1}]});
    let a = api_ok(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/reports/{id}/plan/goals/{g}/actions"),
        action,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let followup = json!({"goal_id": g, "indicator_id": IND_WORSE, "baseline_year": 2018,
        "target_year": 2028, "target_value": 10});
    api_ok(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/reports/{id}/plan/follow-ups"),
        followup,
        StatusCode::CREATED,
    )
    .await;
    api_ok(
        &app,
        &token,
        Method::PUT,
        &format!("/api/v1/reports/{id}/plan/actions/{a}/progress/{year}"),
        json!({"status": "done", "narrative": "Kolme pajaa pidettiin."}),
        StatusCode::OK,
    )
    .await;

    let (status, page) = app
        .get_text(&anon, &format!("/public/{ASIKKALA}/reports/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let plan = plan_section(&page).expect("the plan section");
    assert!(
        plan.contains(&format!("Suunnitelman toteutuminen vuonna {year}")),
        "{plan}"
    );
    for part in [
        "1. Työttömyys laskee",
        "Työpajat nuorille",
        "Toteutunut",
        "Kolme pajaa pidettiin.",
        "Testityöttömyys, %",
        "20,0 (2018)",
    ] {
        assert!(plan.contains(part), "{part} in {plan}");
    }
    assert!(page.contains("href=\"#plan\""), "in the contents");
    let doc = json(
        app.get_with(&anon, &format!("/api/v1/public/reports/{id}"))
            .await,
    )
    .await;
    assert_eq!(doc["plan"]["year"], year);
    assert_eq!(doc["plan"]["percent"], 100);
    assert_eq!(doc["plan"]["goals"][0]["actions"][0]["status"], "done");
    assert_eq!(
        doc["plan"]["goals"][0]["followups"][0]["indicator_id"],
        IND_WORSE
    );
    assert_eq!(doc["infographic"]["goals"], json!(["Työttömyys laskee"]));
    // Swedish: the same plan with Swedish words.
    let (_, sv) = app
        .get_text(&anon, &format!("/public/{ASIKKALA}/reports/{id}?lang=sv"))
        .await;
    let sv_plan = plan_section(&sv).expect("the plan in Swedish");
    assert!(
        sv_plan.contains(&format!("Planens genomförande år {year}")),
        "{sv_plan}"
    );
    assert!(sv_plan.contains("Genomförd"), "{sv_plan}");
    assert!(sv_plan.contains("Työpajat nuorille"), "{sv_plan}");
});

/// The public page's plan section.
fn plan_section(html: &str) -> Option<&str> {
    let at = html.find("<section id=\"plan\"")?;
    let end = html[at..].find("</section>")?;
    Some(&html[at..at + end])
}

both!(
    the_public_report_shows_only_what_the_council_approved,
    |app: TestApp| async move {
        let (client, id) = setup(&app).await;
        publish(&app, &client, id, true).await;
        let anon = plain_client();
        let public_json = || async {
            json(
                app.get_with(&anon, &format!("/api/v1/public/reports/{id}"))
                    .await,
            )
            .await
        };
        let public_html = || async {
            app.get_text(&anon, &format!("/public/{ASIKKALA}/reports/{id}"))
                .await
                .1
        };
        let before = public_json().await;
        assert!(before["summary"]
            .as_str()
            .unwrap()
            .contains("Nuoret liikkuvat paljon"));
        // After publication, the working group records an unreviewed concern (open),
        // writes a new summary and picks other infographic indicators …
        let csrf = app
            .csrf(&client, &format!("/reports/{id}/indicators"))
            .await;
        let res = app
            .post_form(
                &client,
                &format!("/reports/{id}/observations"),
                &[
                    ("csrf", &csrf),
                    ("kind", "concern"),
                    ("text", "Tarkistamaton huoli"),
                    ("origin", "working_group"),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "the concern is recorded"
        );
        let res = app
            .post_form(
                &client,
                &format!("/reports/{id}/publication"),
                &[
                    ("csrf", &csrf),
                    ("summary", "Hyväksymätön tiivistelmä"),
                    ("indicator", &IND_BETTER.to_string()),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "the settings are saved"
        );
        let (_, settings) = app
            .get_text(&client, &format!("/reports/{id}/publication"))
            .await;
        assert!(
            settings.contains("id=\"pub-frozen-note\""),
            "the coordinator is told"
        );
        // … none of which the public report, its PDF or its summary shows: they
        // are what the council approved.
        let after = public_json().await;
        assert_eq!(after["summary"], before["summary"]);
        assert_eq!(after["infographic"], before["infographic"]);
        let text = after.to_string();
        assert!(!text.contains("Tarkistamaton huoli"), "{text}");
        assert!(!text.contains("Hyväksymätön tiivistelmä"), "{text}");
        let html = public_html().await;
        assert!(!html.contains("Tarkistamaton huoli"));
        assert!(!html.contains("Hyväksymätön tiivistelmä"));
        assert!(html.contains("Nuoret liikkuvat paljon"));
        // The working copy shows the changes to the working group.
        let res = app
            .get_with(&client, &format!("/reports/{id}/summary.svg"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
);
