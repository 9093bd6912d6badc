//! Walks the whole permission matrix of `docs/PERMISSIONS.md` on both databases.
//!
//! The table in the document is the one source: this test parses it, sends every
//! row's request as every kind of caller, and compares the status with the cell. It
//! also reads the router's source and fails when a route has no row, so a new route
//! cannot ship without a documented permission.
//!
//! To add a route: add one line to the table in docs/PERMISSIONS.md. To see what the
//! application actually answers (e.g. to fill a new row), run
//! `PERMISSION_MATRIX_PRINT=1 cargo test -p hyte-web --test permission_matrix sqlite -- --nocapture`:
//! it prints every row in the table's format with the observed statuses.

#[macro_use]
#[path = "common/mod.rs"]
mod common;

use common::*;
use hyte_app::model::dialogue::{DialogueInput, Goal};
use hyte_app::model::plan::{ActionInput, FollowUpInput, GoalInput};
use hyte_app::model::reports::{NewReport, Selection};
use hyte_app::model::users::NewUser;
use hyte_domain::approval::{decide, ApprovalState, Move, MoveInput};
use hyte_domain::plan::BudgetYear;
use hyte_domain::report::{
    parse_outline_template, MeasureKind, ObservationKind, ObservationOrigin, ReportKind,
    SelectionState, THL_OUTLINE_CSV,
};
use hyte_domain::{RegionKey, Role};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION};
use reqwest::Method;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

const DOC: &str = include_str!("../../../docs/PERMISSIONS.md");
const OWN: &str = "KUNTA:016";
const FOREIGN: &str = "KUNTA:398";
const REGION: &str = "HYVINVOINTIALUE:09";
const IND: i64 = 90_401;
const SECTOR: &str = "central_administration";

/// The callers, in the table's column order.
const CALLERS: [&str; 9] = [
    "anonymous",
    "reader",
    "commenter",
    "editor",
    "editor (sector)",
    "coordinator",
    "admin",
    "foreign coordinator",
    "region coordinator",
];

/// One row of the matrix.
#[derive(Debug, Clone)]
struct Row {
    method: String,
    path: String,
    request: String,
    expect: Vec<String>,
}

/// Parses the matrix: the rows of the table between `<!-- matrix:start -->` and
/// `<!-- matrix:end -->`.
fn rows() -> Vec<Row> {
    let start = DOC
        .find("<!-- matrix:start -->")
        .expect("matrix start marker");
    let end = DOC.find("<!-- matrix:end -->").expect("matrix end marker");
    let mut out = vec![];
    for line in DOC[start..end].lines() {
        let line = line.trim();
        if !line.starts_with('|') {
            continue;
        }
        let cells: Vec<String> = line
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().trim_matches('`').trim().to_string())
            .collect();
        if cells.len() < 3
            || !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&cells[0].as_str())
        {
            continue;
        }
        assert_eq!(
            cells.len(),
            3 + CALLERS.len(),
            "PERMISSIONS.md row has {} cells, expected {}: {line}",
            cells.len(),
            3 + CALLERS.len()
        );
        out.push(Row {
            method: cells[0].clone(),
            path: cells[1].clone(),
            request: cells[2].clone(),
            expect: cells[3..].to_vec(),
        });
    }
    assert!(out.len() > 50, "the matrix has only {} rows", out.len());
    out
}

/// Every `(METHOD, path)` the router declares, read from the web crate's source:
/// `.route("PATH", get(..).post(..))` in `src/**/*.rs`, files under `src/api/` being
/// mounted under `/api/v1`.
fn declared_routes() -> BTreeSet<(String, String)> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    let mut dirs = vec![src.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("read src dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut out = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read source");
        let prefix = if f.starts_with(src.join("api")) {
            "/api/v1"
        } else {
            ""
        };
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(") {
            let after = &rest[at + ".route(".len()..];
            // The call's extent: up to the matching parenthesis.
            let mut depth = 1;
            let mut len = after.len();
            for (i, c) in after.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            len = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let call = &after[..len];
            rest = &after[len..];
            let Some(q1) = call.find('"') else { continue };
            let Some(q2) = call[q1 + 1..].find('"') else {
                continue;
            };
            let path = &call[q1 + 1..q1 + 1 + q2];
            if path == "/static/{file}" {
                continue;
            }
            let handlers = &call[q1 + 2 + q2..];
            for (name, method) in [
                ("get(", "GET"),
                ("post(", "POST"),
                ("put(", "PUT"),
                ("patch(", "PATCH"),
                ("delete(", "DELETE"),
            ] {
                let found = handlers.match_indices(name).any(|(i, _)| {
                    i == 0 || !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                });
                if found {
                    out.insert((method.to_string(), format!("{prefix}{path}")));
                }
            }
        }
    }
    out
}

/// The things a row's path and request refer to.
struct Fixture {
    report: i64,
    section: i64,
    comment: i64,
    observation: i64,
    /// A process task of the report, owned by the sector editor.
    task: i64,
    /// A goal of the report's plan, its action (of the sector) and a follow-up.
    goal: i64,
    action: i64,
    followup: i64,
    /// A pending invitation to the own organisation and its secret token.
    invitation: i64,
    invite_token: String,
    /// A commenter of the own organisation (not a caller: rows change their role).
    member: i64,
    /// The secret token of a password-reset link for the member.
    reset_token: String,
    /// A dialogue of the own municipality and its welfare region.
    dialogue: i64,
    /// A report of Heinola that invites the own organisation as a partner.
    partnership: i64,
}

/// What the public rows refer to: a published report of the own organisation and the
/// anchor of a table in it.
struct Published {
    report: i64,
    anchor: String,
}

/// A number for unique e-mail addresses.
fn unique() -> u64 {
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A fresh report of the own organisation with a sector-owned section, a comment, an
/// observation, a process task owned by `task_owner`, a plan (goal, action,
/// follow-up); and, of the organisation, a pending invitation, a member and a
/// dialogue. With `approved`, the report is also moved to council approval with a
/// frozen version 1.
async fn fixture(app: &TestApp, approved: bool, task_owner: i64) -> Fixture {
    let template = parse_outline_template(THL_OUTLINE_CSV).unwrap();
    let r = store_report(
        &app.store,
        &NewReport {
            org: OWN.parse().unwrap(),
            partners: vec![],
            kind: ReportKind::TermReport,
            title: "Matriisi".into(),
            term_start: 2025,
            term_end: 2029,
            year: None,
            languages: vec!["fi".into()],
            created_by: "matrix@hyte.example.fi".into(),
        },
        &template[..2],
    )
    .await;
    let section = app.store.sections(r.id).await.unwrap()[0].clone();
    assert_eq!(section.owner_sector.as_deref(), Some(SECTOR));
    let mut tx = app.store.begin().await.unwrap();
    let comment = tx
        .add_comment(
            r.id,
            Some(section.id),
            None,
            None,
            "matrix@hyte.example.fi",
            "Matriisi",
            "Kommentti",
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = app.store.begin().await.unwrap();
    let observation = tx
        .add_observation(
            r.id,
            ObservationKind::Concern,
            "Nuorten työttömyys",
            None,
            ObservationOrigin::WorkingGroup,
            None,
            "accepted",
            &[IND],
            "matrix@hyte.example.fi",
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = app.store.begin().await.unwrap();
    tx.put_selection(
        r.id,
        &Selection {
            item_key: format!("sotkanet:{IND}"),
            indicator_id: Some(IND),
            title: "Matriisi-indikaattori".into(),
            state: SelectionState::Pending,
            reason: String::new(),
            source: None,
            section_id: None,
            measure_kind: MeasureKind::State,
            from_preset: true,
            theme: None,
            population_group: None,
            updated_by: "matrix@hyte.example.fi".into(),
            updated_at: String::new(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    if approved {
        let mut state = ApprovalState::Draft;
        for mv in [Move::StartCommenting, Move::ToBoard, Move::CouncilApprove] {
            let t = decide(
                Role::Coordinator,
                state,
                mv,
                &MoveInput {
                    decision_date: "2026-05-18".into(),
                    minutes_section: "§ 45".into(),
                    ..Default::default()
                },
            )
            .unwrap();
            let freeze = (t.to == ApprovalState::CouncilApproved).then(Default::default);
            let mut tx = app.store.begin().await.unwrap();
            tx.record_transition(r.id, &t, "matrix@hyte.example.fi", freeze.as_ref())
                .await
                .unwrap();
            tx.commit().await.unwrap();
            state = t.to;
        }
    }
    let by = "matrix@hyte.example.fi";
    let mut tx = app.store.begin().await.unwrap();
    tx.ensure_tasks(r.id, by).await.unwrap();
    let task = tx.add_task(r.id, 1, "Matriisi-tehtävä", by).await.unwrap();
    tx.update_task(
        task.id,
        &hyte_app::model::process::TaskChange {
            owner_id: Some(Some(task_owner)),
            ..Default::default()
        },
        by,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let year = |y| BudgetYear::new(y).unwrap();
    let mut tx = app.store.begin().await.unwrap();
    let goal = tx
        .add_goal(
            r.id,
            &GoalInput {
                title: "Matriisi-tavoite".into(),
                description: String::new(),
                tags: vec![],
                observations: vec![],
            },
            by,
        )
        .await
        .unwrap();
    let action = tx
        .add_action(
            goal,
            &ActionInput {
                title: "Matriisi-toimenpide".into(),
                sector: SECTOR.into(),
                responsible: "Kunnanjohtaja".into(),
                start_year: year(2026),
                end_year: year(2027),
                tags: vec![],
                resources: vec![],
            },
            by,
        )
        .await
        .unwrap();
    let followup = tx
        .add_followup(
            &FollowUpInput {
                goal_id: goal,
                action_id: Some(action),
                indicator_id: IND,
                baseline_year: 2022,
                baseline_value: 12.5,
                baseline_overridden: false,
                target_year: 2028,
                target_value: 10.0,
            },
            by,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let n = unique();
    let invite_token = hyte_web::auth::random_token();
    let mut tx = app.store.begin().await.unwrap();
    let invitation = tx
        .create_invitation(
            &OWN.parse().unwrap(),
            &format!("kutsuttu-{n}@hyte.example.fi"),
            Role::Commenter,
            None,
            &invite_token,
            by,
        )
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    let mut tx = app.store.begin().await.unwrap();
    let member = tx
        .create_user(&NewUser {
            email: format!("jasen-{n}@hyte.example.fi"),
            name: format!("Jäsen {n}"),
            org: Some(OWN.parse().unwrap()),
            role: Role::Commenter,
            sector: None,
            // Never signs in.
            password_hash: "-".into(),
        })
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    let reset_token = hyte_web::auth::random_token();
    let mut tx = app.store.begin().await.unwrap();
    tx.create_password_reset(member, &reset_token, "matrix", 3600)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = app.store.begin().await.unwrap();
    let dialogue = tx
        .create_dialogue(
            &OWN.parse().unwrap(),
            &REGION.parse().unwrap(),
            DialogueInput {
                year: 2026,
                held_on: None,
                participants: "Kunnanjohtaja, hyvinvointialueen edustaja".into(),
                support_needs: String::new(),
                goals: vec![Goal {
                    goal: "Yhteinen tavoite".into(),
                    status: String::new(),
                    note: String::new(),
                }],
            },
            by,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Partners by consent: the report invites Heinola (withdrawn in its row), and a
    // report of Heinola invites the own organisation (accepted or declined in theirs).
    let heinola: hyte_domain::RegionKey = "KUNTA:111".parse().unwrap();
    let theirs = store_report(
        &app.store,
        &NewReport {
            org: heinola.clone(),
            partners: vec![],
            kind: ReportKind::TermReport,
            title: "Heinolan kertomus".into(),
            term_start: 2025,
            term_end: 2029,
            year: None,
            languages: vec!["fi".into()],
            created_by: "matrix@hyte.example.fi".into(),
        },
        &[],
    )
    .await;
    let mut tx = app.store.begin().await.unwrap();
    tx.invite_partner(r.id, &heinola, by).await.unwrap();
    tx.invite_partner(theirs.id, &OWN.parse().unwrap(), by)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Fixture {
        partnership: theirs.id,
        report: r.id,
        section: section.id,
        comment,
        observation,
        task: task.id,
        goal,
        action,
        followup,
        invitation,
        invite_token,
        member,
        reset_token,
        dialogue,
    }
}

/// A published report (publication switched on) whose first section holds an
/// indicator block, so its public page, files and a table exist.
async fn published(app: &TestApp, task_owner: i64) -> Published {
    let f = fixture(app, false, task_owner).await;
    let mut tx = app.store.begin().await.unwrap();
    tx.save_section(
        f.section,
        0,
        &format!("Julkinen teksti.\n\n{{{{indicator {IND} chart=trend compare=country}}}}\n"),
        "matrix@hyte.example.fi",
        None,
    )
    .await
    .unwrap();
    tx.set_published(f.report, true, "matrix@hyte.example.fi")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let res = plain_client()
        .get(app.url(&format!("/api/v1/public/reports/{}", f.report)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "the published fixture");
    let doc = json(res).await;
    let anchor = doc["sections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["parts"].as_array().into_iter().flatten())
        .find(|p| p["headers"].as_array().is_some_and(|h| !h.is_empty()))
        .and_then(|p| p["anchor"].as_str())
        .expect("a table in the published report")
        .to_string();
    Published {
        report: f.report,
        anchor,
    }
}

/// A signed-in caller: a browser session and an API token.
struct Caller {
    user_id: Option<i64>,
}

async fn callers(app: &TestApp) -> Vec<Caller> {
    let mut out = vec![Caller { user_id: None }];
    let specs: [(Option<&str>, Role, Option<&str>); 8] = [
        (Some(OWN), Role::Reader, None),
        (Some(OWN), Role::Commenter, None),
        (Some(OWN), Role::Editor, None),
        (Some(OWN), Role::Editor, Some(SECTOR)),
        (Some(OWN), Role::Coordinator, None),
        (None, Role::Admin, None),
        (Some(FOREIGN), Role::Coordinator, None),
        (Some(REGION), Role::Coordinator, None),
    ];
    // One password hash for all: hashing is the slow part of making users.
    let hash = hyte_web::auth::hash_password(PASSWORD).unwrap();
    for (i, (org, role, sector)) in specs.into_iter().enumerate() {
        let mut tx = app.store.begin().await.unwrap();
        let u = tx
            .create_user(&NewUser {
                email: format!("matrix-{i}@hyte.example.fi"),
                name: format!("Matrix {role}"),
                org: org.map(|o| o.parse::<RegionKey>().unwrap()),
                role,
                sector: sector.map(str::to_string),
                password_hash: hash.clone(),
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        out.push(Caller {
            user_id: Some(u.id),
        });
    }
    out
}

async fn data(app: &TestApp) {
    for id in [IND, IND + 1] {
        app.store
            .put_indicator(&definition(id, "Matriisi-indikaattori", "low_is_good"))
            .await
            .unwrap();
    }
    let csv = format!(
        "indicator,region_category,region_code,region_title_fi,year,gender,value\n{IND},KUNTA,016,Asikkala,2022,total,12.5\n{IND},MAA,SSS,Koko maa,2022,total,10.0\n"
    );
    app.store
        .ingest("matrix.csv", csv.into_bytes(), None, "test")
        .await
        .unwrap();
}

/// Sends one cell's request and returns the observed outcome as the table writes it.
async fn send(app: &TestApp, row: &Row, caller: &Caller, f: &Fixture, p: &Published) -> String {
    // A fresh session (the row may sign out or change the password) and token.
    let mut session = None;
    let mut token = None;
    let mut tid = 0;
    if let Some(uid) = caller.user_id {
        let s = hyte_web::auth::random_token();
        let c = hyte_web::auth::random_token();
        app.store.create_session(uid, &s, &c, 3600).await.unwrap();
        session = Some((s, c));
        let t = format!("hyte_{}", hyte_web::auth::random_token());
        let mut tx = app.store.begin().await.unwrap();
        tx.create_api_token(uid, &t, "matrix").await.unwrap();
        tx.commit().await.unwrap();
        tid = app
            .store
            .api_tokens_of(uid)
            .await
            .unwrap()
            .last()
            .unwrap()
            .0;
        token = Some(t);
    }
    // The row's own browser session, as its user's session list names it.
    let session_handle = session
        .as_ref()
        .map(|(s, _)| hyte_app::model::users::token_hash(s)[..16].to_string())
        .unwrap_or_else(|| "0".repeat(16));
    let fill = |s: &str| {
        s.replace("{org}", OWN)
            .replace("{id}", &f.report.to_string())
            .replace("{sid}", &f.section.to_string())
            .replace("{cid}", &f.comment.to_string())
            .replace("{oid}", &f.observation.to_string())
            .replace("{ind}", &IND.to_string())
            .replace("{tid}", &tid.to_string())
            .replace("{item_key}", &format!("sotkanet:{IND}"))
            .replace("{v}", "1")
            .replace("{region}", REGION)
            .replace("{task}", &f.task.to_string())
            .replace("{goal}", &f.goal.to_string())
            .replace("{action}", &f.action.to_string())
            .replace("{followup}", &f.followup.to_string())
            .replace("{inv}", &f.invitation.to_string())
            .replace("{token}", &f.invite_token)
            .replace("{member}", &f.member.to_string())
            .replace("{reset}", &f.reset_token)
            .replace("{session}", &session_handle)
            .replace("{dlg}", &f.dialogue.to_string())
            .replace("{partnership}", &f.partnership.to_string())
            .replace("{pub}", &p.report.to_string())
            .replace("{anchor}", &p.anchor)
            .replace("{n}", &unique().to_string())
            .replace(
                "{csrf}",
                session.as_ref().map(|(_, c)| c.as_str()).unwrap_or(""),
            )
    };
    let path = fill(&row.path);
    let method: Method = row.method.parse().unwrap();
    let mut req = plain_client().request(method, app.url(&path));
    let api = path.starts_with("/api/");
    match (api, &token, &session) {
        (true, Some(t), _) => req = req.header(AUTHORIZATION, format!("Bearer {t}")),
        (false, _, Some((s, _))) => {
            req = req.header(COOKIE, format!("{}={s}", hyte_web::auth::SESSION_COOKIE))
        }
        _ => {}
    }
    let request = fill(&row.request);
    if let Some(body) = request.strip_prefix("form ") {
        req = req
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.to_string());
    } else if let Some(body) = request.strip_prefix("json ") {
        req = req
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
    } else if let Some(body) = request.strip_prefix("multipart ") {
        let mut form = reqwest::multipart::Form::new();
        for kv in body.split('&') {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            form = if k == "file" {
                form.part(
                    "file",
                    reqwest::multipart::Part::bytes(v.replace(';', "\n").into_bytes())
                        .file_name("matrix.csv"),
                )
            } else {
                form.text(k.to_string(), v.to_string())
            };
        }
        req = req.multipart(form);
    } else if let Some(body) = request.strip_prefix("csv ") {
        req = req
            .header(CONTENT_TYPE, "text/csv")
            .body(body.replace(';', "\n"));
    } else {
        assert!(
            request == "-" || request.is_empty(),
            "unknown request syntax: {request}"
        );
    }
    let res = req.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = res.status();
    if status.is_redirection() {
        let to = res
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .unwrap_or("");
        if to.starts_with("/login") {
            return "login".into();
        }
    }
    status.as_u16().to_string()
}

fn needs_version(row: &Row) -> bool {
    row.path.contains("{v}")
}

both!(walk_the_whole_matrix, |app: TestApp| async move {
    let rows = rows();
    // Every declared route has a row.
    let documented: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    let normalise = |p: &str| {
        // Path parameters are named per module; compare the shape only (a row may
        // add a query).
        p.split('?')
            .next()
            .unwrap_or(p)
            .split('/')
            .map(|s| if s.starts_with('{') { "{}" } else { s })
            .collect::<Vec<_>>()
            .join("/")
    };
    let documented_shapes: Vec<(String, String)> = documented
        .iter()
        .map(|(m, p)| (m.clone(), normalise(p)))
        .collect();
    // A row covers a route when the shapes match; a route's parameter may also be
    // written as a value (`…/progress/2026`, `…/summary.svg`).
    let covers = |row: &str, route: &str| {
        let (a, b): (Vec<&str>, Vec<&str>) = (row.split('/').collect(), route.split('/').collect());
        a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x == y || *y == "{}")
    };
    let missing: Vec<String> = declared_routes()
        .into_iter()
        .filter(|(m, p)| {
            let route = normalise(p);
            !documented_shapes
                .iter()
                .any(|(dm, dp)| dm == m && covers(dp, &route))
        })
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a row in docs/PERMISSIONS.md:\n{}",
        missing.join("\n")
    );

    data(&app).await;
    let callers = callers(&app).await;
    // The sector editor owns the fixtures' process task.
    let owner = callers[4].user_id.unwrap();
    let shared = fixture(&app, false, owner).await;
    let approved = fixture(&app, true, owner).await;
    let public = published(&app, owner).await;
    let print = std::env::var("PERMISSION_MATRIX_PRINT").is_ok();
    let mut wrong = vec![];
    for row in &rows {
        let mut got = vec![];
        for (i, caller) in callers.iter().enumerate() {
            // Reads share one fixture; each write gets its own, so one caller's
            // change never decides another caller's answer.
            let fresh;
            let f = if needs_version(row) {
                &approved
            } else if row.method == "GET" {
                &shared
            } else {
                fresh = fixture(&app, false, owner).await;
                &fresh
            };
            let outcome = send(&app, row, caller, f, &public).await;
            if outcome != row.expect[i] {
                wrong.push(format!(
                    "{} {} as {}: expected {}, got {outcome}",
                    row.method, row.path, CALLERS[i], row.expect[i]
                ));
            }
            got.push(outcome);
        }
        if print {
            println!(
                "| {} | `{}` | `{}` | {} |",
                row.method,
                row.path,
                if row.request.is_empty() {
                    "-"
                } else {
                    &row.request
                },
                got.join(" | ")
            );
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ from docs/PERMISSIONS.md:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
});

#[test]
fn every_row_is_well_formed() {
    let allowed = [
        "200", "201", "204", "303", "400", "401", "403", "404", "409", "415", "422", "login",
    ];
    for r in rows() {
        for c in &r.expect {
            assert!(
                allowed.contains(&c.as_str()),
                "{} {}: cell '{c}'",
                r.method,
                r.path
            );
        }
    }
}
