//! The report document in the browser: creating a report from THL's outline, writing
//! sections with live indicator blocks, comments, history and the conflict of two
//! saves on the same revision, with the permissions of every role. Each test runs on
//! SQLite and on PostgreSQL (`both!`).

#[macro_use]
mod common;

use common::*;
use hyte_app::model::reports::{NewReport, Report, Section};
use hyte_app::model::users::NewUser;
use hyte_domain::report::{parse_outline_template, uncovered_areas, ReportKind, THL_OUTLINE_CSV};
use hyte_domain::{IndicatorId, RegionKey, Role};
use reqwest::{Client, StatusCode};

const CHILDREN: &str = "Lapset ja lapsiperheet";
const YOUTH: &str = "Nuoret ja nuoret aikuiset (17–24-vuotiaat)";

/// A small Hyte snapshot: indicator 2328 for Asikkala, its welfare region, Lahti and
/// the whole country.
const SNAPSHOT: &str = "indicator,region_category,region_code,region_title_fi,year,gender,value
2328,KUNTA,016,Asikkala,2009,total,11.0
2328,KUNTA,016,Asikkala,2010,total,12.5
2328,KUNTA,016,Asikkala,2011,total,13.7
2328,KUNTA,398,Lahti,2010,total,14.0
2328,KUNTA,398,Lahti,2011,total,14.2
2328,HYVINVOINTIALUE,09,Päijät-Häme,2011,total,14.1
2328,MAA,SSS,Koko maa,2009,total,12.0
2328,MAA,SSS,Koko maa,2010,total,12.2
2328,MAA,SSS,Koko maa,2011,total,12.4
";

async fn load_data(app: &TestApp) {
    app.store
        .ingest(
            "snapshot.csv",
            SNAPSHOT.as_bytes().to_vec(),
            Some("importer@example.fi"),
            "test",
        )
        .await
        .expect("ingest the small snapshot");
    let mut ind = app
        .store
        .indicator(IndicatorId(2328))
        .await
        .unwrap()
        .expect("placeholder definition from the import");
    ind.title.fi = "Toimeentulotukea saaneet lapsiperheet, % lapsiperheistä".into();
    ind.title.sv = "Barnfamiljer som fått utkomststöd, % av barnfamiljerna".into();
    ind.title.en = "Families with children receiving social assistance, %".into();
    ind.unit = "PROS".into();
    ind.decimals = 1;
    app.store.put_indicator(&ind).await.expect("put_indicator");
}

/// A report of Asikkala made directly in the store with THL's outline.
async fn thl_report(app: &TestApp, partners: &[&str]) -> Report {
    let template = parse_outline_template(THL_OUTLINE_CSV).unwrap();
    store_report(
        &app.store,
        &NewReport {
            org: ASIKKALA.parse().unwrap(),
            partners: partners
                .iter()
                .map(|p| p.parse::<RegionKey>().unwrap())
                .collect(),
            kind: ReportKind::TermReport,
            title: "Hyvinvointikertomus 2025–2029".into(),
            term_start: 2025,
            term_end: 2029,
            year: None,
            languages: vec!["fi".into()],
            created_by: "setup@example.fi".into(),
        },
        &template,
    )
    .await
}

async fn section_named(app: &TestApp, report: i64, heading: &str) -> Section {
    app.store
        .sections(report)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.heading == heading)
        .unwrap_or_else(|| panic!("no section '{heading}'"))
}

/// A signed-in user of an organisation with a sector.
async fn signed_in_with_sector(
    app: &TestApp,
    org: &str,
    role: Role,
    sector: &str,
) -> (TestUser, Client) {
    let email = format!(
        "{role}-{sector}@{}.example.fi",
        org.to_lowercase().replace(':', "-")
    );
    let mut tx = app.store.begin().await.unwrap();
    let user = tx
        .create_user(&NewUser {
            email: email.clone(),
            name: format!("{sector} {role}"),
            org: Some(org.parse().unwrap()),
            role,
            sector: Some(sector.to_string()),
            password_hash: hyte_web::auth::hash_password(PASSWORD).unwrap(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let client = new_client();
    let res = app.login(&client, &email, PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in of {email}");
    (
        TestUser {
            user,
            email,
            password: PASSWORD.into(),
        },
        client,
    )
}

fn section_path(report: i64, section: i64) -> String {
    format!("/reports/{report}/sections/{section}")
}

/// Saves a section's text through the form, from the base revision the page shows.
async fn save(
    app: &TestApp,
    client: &Client,
    report: i64,
    section: i64,
    base: i64,
    body: &str,
) -> reqwest::Response {
    let path = section_path(report, section);
    let csrf = app.csrf(client, &path).await;
    app.post_form(
        client,
        &path,
        &[
            ("csrf", &csrf),
            ("base_revision", &base.to_string()),
            ("body", body),
            ("note", ""),
            ("action", "save"),
        ],
    )
    .await
}

both!(
    a_coordinator_creates_a_report_from_the_thl_outline,
    |app: TestApp| async move {
        let (user, client) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let (status, html) = app.get_text(&client, "/org/KUNTA:016/reports").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("name=\"term_start\""),
            "creation form shown to the coordinator"
        );
        let csrf = hidden_input(&html, "csrf").unwrap();

        // Bad input is refused with the form again and nothing stored.
        let res = app
            .post_form(
                &client,
                "/org/KUNTA:016/reports",
                &[
                    ("csrf", &csrf),
                    ("kind", "term_report"),
                    ("title", "  "),
                    ("term_start", "2025"),
                    ("term_end", "2029"),
                    ("outline", "thl"),
                    ("languages", "fi"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("role=\"alert\""));
        let res = app
            .post_form(
                &client,
                "/org/KUNTA:016/reports",
                &[
                    ("csrf", &csrf),
                    ("kind", "term_report"),
                    ("title", "Hyvinvointikertomus"),
                    ("term_start", "2029"),
                    ("term_end", "2025"),
                    ("outline", "thl"),
                    ("languages", "fi"),
                    ("partners", "KUNTA:999"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(app
            .store
            .reports_of(&ASIKKALA.parse().unwrap())
            .await
            .unwrap()
            .is_empty());

        // Without the CSRF token nothing happens either.
        let res = app
            .post_form(
                &client,
                "/org/KUNTA:016/reports",
                &[("csrf", "forged"), ("kind", "term_report"), ("title", "X")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        let res = app
            .post_form(
                &client,
                "/org/KUNTA:016/reports",
                &[
                    ("csrf", &csrf),
                    ("kind", "term_report"),
                    ("title", "Asikkalan hyvinvointikertomus 2025–2029"),
                    ("term_start", "2025"),
                    ("term_end", "2029"),
                    ("year", ""),
                    ("partners", ""),
                    ("outline", "thl"),
                    ("languages", "fi"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let loc = location(&res);
        let id: i64 = loc.strip_prefix("/reports/").unwrap().parse().unwrap();

        let report = app.store.report(id).await.unwrap().unwrap();
        assert_eq!((report.term_start, report.term_end), (2025, 2029));
        assert_eq!(report.languages, vec!["fi".to_string()]);
        assert_eq!(report.created_by, user.email);
        let sections = app.store.sections(id).await.unwrap();
        assert_eq!(sections.len(), 12, "THL's outline has 12 headings");
        assert_eq!(sections[4].heading, CHILDREN, "headings in the UI language");
        assert!(uncovered_areas(sections.iter().map(|s| s.content_areas.as_slice())).is_empty());

        let (status, html) = app.get_text(&client, &loc).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(CHILDREN));
        assert!(
            html.contains("class=\"coverage covered\""),
            "no uncovered area"
        );
        assert!(html.contains("/reports/"));

        // The dashboard lists it.
        let (_, dash) = app.get_text(&client, "/org/KUNTA:016").await;
        assert!(dash.contains("Asikkalan hyvinvointikertomus 2025–2029"));

        // Removing the only section tagged with area 3... the coverage check shows it.
        let csrf = app.csrf(&client, &loc).await;
        for s in sections.iter().filter(|s| {
            s.content_areas
                .contains(&hyte_domain::report::ContentArea::GroupDifferences)
        }) {
            let res = app
                .post_form(
                    &client,
                    &format!("/reports/{id}/sections/{}/remove", s.id),
                    &[("csrf", &csrf)],
                )
                .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
        let (_, html) = app.get_text(&client, &loc).await;
        assert!(html.contains("class=\"coverage uncovered\""));
        assert!(html.contains("Väestöryhmien väliset hyvinvointi- ja terveyserot"));

        // Outline editing: add (bad input refused), rename, re-tag, move, agree.
        let before = app.store.sections(id).await.unwrap().len();
        let res = app
            .post_form(
                &client,
                &format!("/reports/{id}/sections"),
                &[
                    ("csrf", &csrf),
                    ("heading", " "),
                    ("areas", "group_differences"),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty heading"
        );
        let res = app
            .post_form(
                &client,
                &format!("/reports/{id}/sections"),
                &[
                    ("csrf", &csrf),
                    ("heading", "Erot"),
                    ("areas", "inequality"),
                ],
            )
            .await;
        assert_eq!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad content area"
        );
        assert_eq!(app.store.sections(id).await.unwrap().len(), before);
        let res = app
            .post_form(
                &client,
                &format!("/reports/{id}/sections"),
                &[
                    ("csrf", &csrf),
                    ("heading", "Väestöryhmien erot"),
                    ("areas", "group_differences"),
                    ("areas", "population_health"),
                    ("sector", "central_administration"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let outline = app.store.sections(id).await.unwrap();
        assert_eq!(outline.len(), before + 1);
        let added = outline.last().unwrap().clone();
        let res = app
            .post_form(
                &client,
                &format!("/reports/{id}/sections/{}/move", added.id),
                &[("csrf", &csrf), ("direction", "up")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let outline = app.store.sections(id).await.unwrap();
        assert_eq!(
            outline[outline.len() - 2].id,
            added.id,
            "moved up one place"
        );
        let res = app
            .post_form(
                &client,
                &format!("/reports/{id}/sections/{}/meta", added.id),
                &[
                    ("csrf", &csrf),
                    ("heading", "Erot väestöryhmien välillä"),
                    ("areas", "group_differences"),
                    ("sector", "education"),
                    ("status", "draft"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let s = app.store.section(added.id).await.unwrap().unwrap();
        assert_eq!(s.heading, "Erot väestöryhmien välillä");
        assert_eq!(s.owner_sector.as_deref(), Some("education"));
        let (_, html) = app.get_text(&client, &loc).await;
        assert!(html.contains("class=\"coverage covered\""));

        let res = app
            .post_form(&client, &format!("/reports/{id}/agree"), &[("csrf", &csrf)])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(app
            .store
            .report(id)
            .await
            .unwrap()
            .unwrap()
            .outline_agreed_at
            .is_some());

        let audit = app
            .store
            .audit_entries(Some(&ASIKKALA.parse().unwrap()), 100)
            .await
            .unwrap();
        for action in [
            "report_created",
            "section_removed",
            "section_added",
            "section_moved",
            "section_updated",
            "outline_agreed",
        ] {
            assert!(
                audit.iter().any(|e| e.action == action),
                "audit has {action}"
            );
        }
    }
);

both!(
    editors_write_their_sectors_sections_with_live_indicator_blocks,
    |app: TestApp| async move {
        load_data(&app).await;
        let report = thl_report(&app, &[]).await;
        let children = section_named(&app, report.id, CHILDREN).await;
        assert_eq!(children.owner_sector.as_deref(), Some("education"));
        let (_, edu) = signed_in_with_sector(&app, ASIKKALA, Role::Editor, "education").await;
        let (youth_user, youth) =
            signed_in_with_sector(&app, ASIKKALA, Role::Editor, "youth").await;

        let path = section_path(report.id, children.id);
        let (status, html) = app.get_text(&edu, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(hidden_input(&html, "base_revision").as_deref(), Some("0"));

        let body = "Lasten hyvinvointi on parantunut.\n\n{{indicator 2328 chart=trend}}\n\n{{indicator 999999 chart=table}}\n{{indicator abc}}\n<script>alert(1)</script>\n";
        let res = save(&app, &edu, report.id, children.id, 0, body).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(location(&res).starts_with(&format!("{path}?saved=1")));

        let (status, html) = app.get_text(&edu, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Lasten hyvinvointi on parantunut."));
        assert!(html.contains("role=\"img\""), "a live SVG chart");
        assert!(html.contains("12,5"), "the 2010 value in the block's table");
        assert!(html.contains("13,7"), "the latest value");
        assert!(
            html.contains("Ajantasainen tieto, voi muuttua"),
            "live data badge"
        );
        assert!(html.contains("Sotkanet"), "attribution");
        assert!(html.contains("Toimeentulotukea saaneet lapsiperheet"));
        // The unknown indicator and the malformed block are inline errors with their lines.
        assert!(html.contains("class=\"block-error\""));
        assert!(
            html.contains("Rivin 5 indikaattorilohkoa ei voi näyttää"),
            "unknown indicator on line 5"
        );
        assert!(html.contains("999999"));
        assert!(
            html.contains("Rivin 6 indikaattorilohkoa ei voi näyttää"),
            "invalid block on line 6"
        );
        assert!(
            !html.contains("<script>alert(1)</script>"),
            "Markdown is sanitised"
        );

        // Other sectors read but do not write.
        let (status, html) = app.get_text(&youth, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("role=\"img\""));
        assert!(
            !html.contains("name=\"base_revision\""),
            "no editor for another sector"
        );
        let csrf = app.csrf(&youth, &path).await;
        let res = app
            .post_form(
                &youth,
                &path,
                &[
                    ("csrf", &csrf),
                    ("base_revision", "1"),
                    ("body", "overwritten"),
                    ("action", "save"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            app.store.section(children.id).await.unwrap().unwrap().body,
            body.to_string()
        );

        // The youth editor writes the youth section.
        let young = section_named(&app, report.id, YOUTH).await;
        let res = save(
            &app,
            &youth,
            report.id,
            young.id,
            0,
            "Nuorten osuus.\n\n{{indicator 2328 chart=compare compare=region,country,KUNTA:398}}\n",
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, html) = app
            .get_text(&youth, &section_path(report.id, young.id))
            .await;
        assert!(html.contains("role=\"img\""));
        assert!(html.contains("Lahti"), "the chosen comparison area");

        // Every chart kind renders.
        let res = save(
            &app,
            &youth,
            report.id,
            young.id,
            1,
            "{{indicator 2328 chart=spine}}\n{{indicator 2328 chart=sex}}\n{{indicator 2328 chart=table compare=}}\n{{indicator 2328 chart=trend year=2010 level=99.8}}\n",
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (status, html) = app
            .get_text(&youth, &section_path(report.id, young.id))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("class=\"block-error\""), "{html}");

        // Once assigned, the youth editor may edit the children's section too.
        let (_, coord) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let csrf = app.csrf(&coord, &path).await;
        let res = app
            .post_form(
                &coord,
                &format!("{path}/assignees"),
                &[
                    ("csrf", &csrf),
                    ("assignees", &youth_user.user.id.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = save(
            &app,
            &youth,
            report.id,
            children.id,
            1,
            "Yhdessä kirjoitettu.\n",
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);

        // The editor moves the status on; readers read only.
        let csrf = app.csrf(&edu, &path).await;
        let res = app
            .post_form(
                &edu,
                &format!("{path}/status"),
                &[("csrf", &csrf), ("status", "ready_for_review")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.store
                .section(children.id)
                .await
                .unwrap()
                .unwrap()
                .status,
            hyte_domain::report::SectionStatus::ReadyForReview
        );
        let (_, reader) = app.signed_in(ASIKKALA, Role::Reader).await;
        let (status, html) = app.get_text(&reader, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("name=\"base_revision\""));
        let csrf = app.csrf(&reader, &path).await;
        let res = app
            .post_form(
                &reader,
                &format!("{path}/status"),
                &[("csrf", &csrf), ("status", "done")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // Too long a text is refused with the text kept, nothing saved.
        let long = "x".repeat(hyte_domain::document::MAX_SECTION_CHARS + 1);
        let res = save(&app, &edu, report.id, children.id, 2, &long).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.store
                .section(children.id)
                .await
                .unwrap()
                .unwrap()
                .revision,
            2
        );

        // The block helper appends a block line without saving.
        let csrf = app.csrf(&edu, &path).await;
        let res = app
            .post_form(
                &edu,
                &path,
                &[
                    ("csrf", &csrf),
                    ("base_revision", "2"),
                    ("body", "Teksti."),
                    ("action", "insert"),
                    ("insert_indicator", "2328"),
                    ("insert_chart", "compare"),
                    ("insert_compare", "region"),
                    ("insert_areas", "KUNTA:398"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Teksti.\n\n{{indicator 2328 chart=compare compare=region,KUNTA:398}}"),
            "{html}"
        );
        assert_eq!(
            app.store
                .section(children.id)
                .await
                .unwrap()
                .unwrap()
                .revision,
            2
        );
    }
);

both!(
    comments_are_threads_that_are_resolved_and_reopened,
    |app: TestApp| async move {
        let report = thl_report(&app, &[]).await;
        let children = section_named(&app, report.id, CHILDREN).await;
        let path = section_path(report.id, children.id);
        let (_, editor) = signed_in_with_sector(&app, ASIKKALA, Role::Editor, "education").await;
        assert_eq!(
            save(
                &app,
                &editor,
                report.id,
                children.id,
                0,
                "Teksti.\n{{indicator 2328}}\n"
            )
            .await
            .status(),
            StatusCode::SEE_OTHER
        );

        let (commenter, cc) = app.signed_in(ASIKKALA, Role::Commenter).await;
        let csrf = app.csrf(&cc, &path).await;
        let res = app
            .post_form(
                &cc,
                &format!("{path}/comments"),
                &[("csrf", &csrf), ("body", "Lisätkää lähde.")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app
            .post_form(
                &cc,
                &format!("{path}/comments"),
                &[
                    ("csrf", &csrf),
                    ("body", "Onko tämä uusin vuosi?"),
                    ("block_line", "2"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app
            .post_form(
                &cc,
                &format!("{path}/comments"),
                &[("csrf", &csrf), ("body", "   ")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let comments = app.store.comments(report.id).await.unwrap();
        assert_eq!(comments.len(), 2);
        let first = comments[0].id;
        assert_eq!(comments[1].block_line, Some(2));
        assert_eq!(comments[0].author_email, commenter.email);

        let (status, html) = app.get_text(&cc, &path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Lisätkää lähde."));
        assert!(html.contains("Onko tämä uusin vuosi?"));

        // The outline shows two unresolved threads on the section.
        let (_, coord) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        let (_, outline) = app
            .get_text(&coord, &format!("/reports/{}", report.id))
            .await;
        assert!(
            outline.contains("<span class=\"badge comments\">2</span>"),
            "{outline}"
        );

        // A reader cannot comment; the commenter cannot resolve someone else's thread.
        let (_, reader) = app.signed_in(ASIKKALA, Role::Reader).await;
        let rcsrf = app.csrf(&reader, &path).await;
        let res = app
            .post_form(
                &reader,
                &format!("{path}/comments"),
                &[("csrf", &rcsrf), ("body", "Hei")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // The coordinator replies and resolves.
        let ccsrf = app.csrf(&coord, &path).await;
        let res = app
            .post_form(
                &coord,
                &format!("{path}/comments"),
                &[
                    ("csrf", &ccsrf),
                    ("body", "Lisätty."),
                    ("parent_id", &first.to_string()),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app
            .post_form(
                &coord,
                &format!("{path}/comments/{first}/resolve"),
                &[("csrf", &ccsrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let comments = app.store.comments(report.id).await.unwrap();
        assert!(comments
            .iter()
            .find(|c| c.id == first)
            .unwrap()
            .resolved_at
            .is_some());
        assert!(comments
            .iter()
            .any(|c| c.parent_id == Some(first) && c.body == "Lisätty."));
        let (_, outline) = app
            .get_text(&coord, &format!("/reports/{}", report.id))
            .await;
        assert!(outline.contains("<span class=\"badge comments\">1</span>"));

        // The commenter reopens their own thread.
        let res = app
            .post_form(
                &cc,
                &format!("{path}/comments/{first}/reopen"),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert!(app.store.comments(report.id).await.unwrap()[0]
            .resolved_at
            .is_none());

        // A comment id of another section is not found through this section.
        let other = section_named(&app, report.id, YOUTH).await;
        let res = app
            .post_form(
                &coord,
                &format!(
                    "/reports/{}/sections/{}/comments/{first}/resolve",
                    report.id, other.id
                ),
                &[("csrf", &ccsrf)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
);

both!(
    two_saves_on_the_same_revision_lose_neither_text,
    |app: TestApp| async move {
        let report = thl_report(&app, &[]).await;
        let children = section_named(&app, report.id, CHILDREN).await;
        let path = section_path(report.id, children.id);
        let (_, first) = signed_in_with_sector(&app, ASIKKALA, Role::Editor, "education").await;
        let (_, second) = app.signed_in(ASIKKALA, Role::Coordinator).await;

        // Both open the editor on revision 0.
        let (_, html_a) = app.get_text(&first, &path).await;
        let (_, html_b) = app.get_text(&second, &path).await;
        assert_eq!(hidden_input(&html_a, "base_revision").as_deref(), Some("0"));
        assert_eq!(hidden_input(&html_b, "base_revision").as_deref(), Some("0"));
        let csrf_a = hidden_input(&html_a, "csrf").unwrap();
        let csrf_b = hidden_input(&html_b, "csrf").unwrap();

        let text_a = "Ensimmainen teksti opetuksesta.\n";
        let text_b = "Toinen teksti koordinaattorilta.\n";
        let res = app
            .post_form(
                &first,
                &path,
                &[
                    ("csrf", &csrf_a),
                    ("base_revision", "0"),
                    ("body", text_a),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = app
            .post_form(
                &second,
                &path,
                &[
                    ("csrf", &csrf_b),
                    ("base_revision", "0"),
                    ("body", text_b),
                    ("note", "oma"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Toinen teksti koordinaattorilta."),
            "my text is in the 409 page"
        );
        assert!(
            html.contains("Ensimmainen teksti opetuksesta."),
            "their text is shown too"
        );
        assert!(html.contains("id=\"theirs\""));
        assert_eq!(
            hidden_input(&html, "base_revision").as_deref(),
            Some("1"),
            "the new base"
        );

        // The first text is the current revision; nothing of the second was written.
        let s = app.store.section(children.id).await.unwrap().unwrap();
        assert_eq!((s.revision, s.body.as_str()), (1, text_a));

        // Merging and saving on the new base works.
        let merged = format!("{text_a}{text_b}");
        let res = app
            .post_form(
                &second,
                &path,
                &[
                    ("csrf", &csrf_b),
                    ("base_revision", "1"),
                    ("body", &merged),
                    ("note", "yhdistetty"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let revs = app.store.revisions(children.id).await.unwrap();
        assert_eq!(revs[0].body, merged);
        assert_eq!(revs[1].body, text_a);
    }
);

both!(
    history_shows_a_diff_and_restores_an_old_revision,
    |app: TestApp| async move {
        let report = thl_report(&app, &[]).await;
        let children = section_named(&app, report.id, CHILDREN).await;
        let path = section_path(report.id, children.id);
        let (_, ed) = signed_in_with_sector(&app, ASIKKALA, Role::Editor, "education").await;
        assert_eq!(
            save(&app, &ed, report.id, children.id, 0, "alku\nalpha\nloppu\n")
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            save(&app, &ed, report.id, children.id, 1, "alku\nbeta\nloppu\n")
                .await
                .status(),
            StatusCode::SEE_OTHER
        );

        let (status, html) = app
            .get_text(&ed, &format!("{path}/history?from=1&to=2"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<del>alpha</del>"), "{html}");
        assert!(html.contains("<ins>beta</ins>"));
        let (status, _) = app
            .get_text(&ed, &format!("{path}/history?from=1&to=9"))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let csrf = app.csrf(&ed, &format!("{path}/history")).await;
        let res = app
            .post_form(
                &ed,
                &format!("{path}/restore"),
                &[("csrf", &csrf), ("revision", "1"), ("base_revision", "2")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let s = app.store.section(children.id).await.unwrap().unwrap();
        assert_eq!((s.revision, s.body.as_str()), (3, "alku\nalpha\nloppu\n"));
        let rev = app.store.revision(children.id, 3).await.unwrap().unwrap();
        assert_eq!(rev.note.as_deref(), Some("restored from revision 1"));
        let (_, html) = app.get_text(&ed, &format!("{path}/history")).await;
        assert!(html.contains("palautettu versiosta 1"));

        // A restore on a stale base is a conflict like any save.
        let res = app
            .post_form(
                &ed,
                &format!("{path}/restore"),
                &[("csrf", &csrf), ("revision", "2"), ("base_revision", "2")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert_eq!(
            app.store
                .section(children.id)
                .await
                .unwrap()
                .unwrap()
                .revision,
            3
        );
    }
);

both!(
    reports_are_closed_to_other_organisations,
    |app: TestApp| async move {
        let report = thl_report(&app, &[]).await;
        let children = section_named(&app, report.id, CHILDREN).await;
        let paths = [
            format!("/reports/{}", report.id),
            section_path(report.id, children.id),
            format!("{}/history", section_path(report.id, children.id)),
        ];

        // Anonymous: to the sign-in page.
        for p in &paths {
            let res = app.get_with(&plain_client(), p).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{p}");
            assert!(location(&res).starts_with("/login?next="), "{p}");
        }
        let res = app
            .get_with(&plain_client(), "/org/KUNTA:016/reports")
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);

        // Lahti: 403 everywhere, also when posting.
        let (_, lahti) = app.signed_in(LAHTI, Role::Coordinator).await;
        for p in &paths {
            let res = app.get_with(&lahti, p).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{p}");
        }
        let res = app.get_with(&lahti, "/org/KUNTA:016/reports").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let csrf = app.csrf(&lahti, "/org/KUNTA:398/reports").await;
        let res = app
            .post_form(
                &lahti,
                &section_path(report.id, children.id),
                &[("csrf", &csrf), ("base_revision", "0"), ("body", "x")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            app.store
                .section(children.id)
                .await
                .unwrap()
                .unwrap()
                .revision,
            0
        );

        // Unknown ids and a section of another report: 404.
        let (_, coord) = app.signed_in(ASIKKALA, Role::Coordinator).await;
        assert_eq!(
            app.get_with(&coord, "/reports/999999").await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get_with(&coord, "/reports/abc").await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            app.get_with(&coord, &format!("/reports/{}/sections/999999", report.id))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        let other = thl_report(&app, &[]).await;
        let foreign = app.store.sections(other.id).await.unwrap()[0].id;
        assert_eq!(
            app.get_with(&coord, &section_path(report.id, foreign))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );

        // The welfare region follows its municipality's report read-only.
        let (_, region) = app.signed_in("HYVINVOINTIALUE:09", Role::Coordinator).await;
        let (status, html) = app
            .get_text(&region, &section_path(report.id, children.id))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("name=\"base_revision\""));
        let res = app
            .post_form(
                &region,
                &section_path(report.id, children.id),
                &[
                    ("csrf", &hidden_input(&html, "csrf").unwrap()),
                    ("base_revision", "0"),
                    ("body", "x"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // A partner of a joint report works on it with its own roles.
        let joint = thl_report(&app, &[LAHTI]).await;
        let (status, _) = app
            .get_text(&lahti, &format!("/reports/{}", joint.id))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, list) = app.get_text(&lahti, "/org/KUNTA:398/reports").await;
        assert!(list.contains(&format!("/reports/{}", joint.id)));
        let first = app.store.sections(joint.id).await.unwrap()[0].id;
        let res = save(&app, &lahti, joint.id, first, 0, "Yhteinen tiivistelmä.\n").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
);
