//! Report lists and starting a report.

use super::*;

// ---------------------------------------------------------------------------
// Report list and creation

/// A report in a list.
pub struct ReportRow {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Kind, translated.
    pub kind: String,
    /// Council term, e.g. `2025–2029`.
    pub term: String,
    /// Year of a yearly report.
    pub year: String,
    /// Owner and partners of a joint report.
    pub partners: String,
}

/// Values of the creation form.
#[derive(Default, Clone)]
pub struct CreateValues {
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Term start.
    pub term_start: String,
    /// Term end.
    pub term_end: String,
    /// Year of a yearly report.
    pub year: String,
    /// Partner ids as typed.
    pub partners: String,
    /// `thl` or `empty`.
    pub outline: String,
    /// Checked languages.
    pub languages: Vec<String>,
}

/// The reports card of the dashboard and of the report list page.
pub struct ReportsCard {
    /// Organisation id.
    pub org_key: String,
    /// Reports.
    pub rows: Vec<ReportRow>,
    /// Whether the viewer may create reports.
    pub can_create: bool,
    /// Whether the creation form starts open.
    pub open: bool,
    /// Error of a refused creation.
    pub error: Option<String>,
    /// Form values.
    pub form: CreateValues,
    /// Kinds: value and label.
    pub kinds: Vec<(String, String)>,
    /// Languages: code and label.
    pub languages: Vec<(String, String)>,
}

impl ReportsCard {
    /// Whether a language box is checked.
    pub fn lang_checked(&self, code: &str) -> bool {
        self.form.languages.iter().any(|l| l == code)
    }
}

fn default_term() -> (i64, i64) {
    let year = i64::from(time::OffsetDateTime::now_utc().year());
    let start = 2021 + ((year - 2021).max(0) / 4) * 4;
    (start, start + 4)
}

/// Builds the reports card for an organisation the viewer may read.
pub async fn reports_card(
    state: &AppState,
    viewer: &Viewer,
    region: &Region,
) -> AppResult<ReportsCard> {
    let tr = Tr::new(viewer.lang);
    let lang = tr.code();
    let user = viewer.user()?;
    let can_create =
        matches!(access(user, region), Access::Member(r) if r.at_least(Role::Coordinator));
    let mut rows = vec![];
    for r in state
        .app
        .reports_of(&crate::auth::actor(viewer)?, region)
        .await?
    {
        let mut partners = vec![];
        for k in std::iter::once(&r.org).chain(r.partners.iter()) {
            if r.partners.is_empty() {
                break;
            }
            partners.push(match state.app.region(k).await? {
                Some(x) => x.name(lang).to_string(),
                None => k.to_string(),
            });
        }
        rows.push(ReportRow {
            id: r.id,
            title: r.title.clone(),
            kind: kind_label(&tr, r.kind),
            term: format!("{}–{}", r.term_start, r.term_end),
            year: r.year.map(|y| y.to_string()).unwrap_or_default(),
            partners: partners.join(", "),
        });
    }
    let (start, end) = default_term();
    let kind = if region.key.category() == hyte_domain::RegionCategory::Hyvinvointialue {
        ReportKind::RegionalReport
    } else {
        ReportKind::TermReport
    };
    Ok(ReportsCard {
        org_key: region.key.to_string(),
        open: rows.is_empty(),
        rows,
        can_create,
        error: None,
        form: CreateValues {
            kind: kind.as_str().to_string(),
            title: String::new(),
            term_start: start.to_string(),
            term_end: end.to_string(),
            year: String::new(),
            partners: String::new(),
            outline: "thl".into(),
            languages: region.languages().iter().map(|l| l.to_string()).collect(),
        },
        kinds: ReportKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), kind_label(&tr, *k)))
            .collect(),
        languages: ["fi", "sv", "en"]
            .iter()
            .map(|l| (l.to_string(), tr.t(&format!("lang-{l}"))))
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "report_list.html")]
struct ListTpl {
    page: Page,
    org: Region,
    card: ReportsCard,
}

/// `GET /org/{org}/reports`: the organisation's reports and, for coordinators, the
/// creation form.
pub async fn list(
    State(state): State<AppState>,
    SignedIn { viewer, .. }: SignedIn,
    uri: Uri,
    Path(org): Path<String>,
) -> AppResult<Response> {
    let region = readable_org(&state, &viewer, &org).await?;
    let card = reports_card(&state, &viewer, &region).await?;
    list_page(&viewer, region, card, &uri.to_string())
}

/// The list page of `region`'s reports with `card`, at `address`.
fn list_page(
    viewer: &Viewer,
    region: Region,
    card: ReportsCard,
    address: &str,
) -> AppResult<Response> {
    let tr = Tr::new(viewer.lang);
    let page = Page::new(
        viewer,
        format!("{} – {}", tr.t("org-reports"), region.name(tr.code())),
        address,
    );
    render(&ListTpl {
        page,
        org: region,
        card,
    })
}

/// `POST /org/{org}/reports`: a coordinator creates a report.
pub async fn create(
    State(state): State<AppState>,
    SignedIn { viewer, actor }: SignedIn,
    Path(org): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let f = FormData(pairs);
    viewer.check_csrf(f.get("csrf"))?;
    let region = readable_org(&state, &viewer, &org).await?;
    let tr = Tr::new(viewer.lang);
    let values = CreateValues {
        kind: f.get("kind").trim().to_string(),
        title: f.get("title").trim().to_string(),
        term_start: f.get("term_start").trim().to_string(),
        term_end: f.get("term_end").trim().to_string(),
        year: f.get("year").trim().to_string(),
        partners: f.get("partners").trim().to_string(),
        outline: f.get("outline").trim().to_string(),
        languages: f.all("languages").iter().map(|s| s.to_string()).collect(),
    };
    let draft = ReportDraft {
        kind: values.kind.clone(),
        title: values.title.clone(),
        term_start: values.term_start.clone(),
        term_end: values.term_end.clone(),
        year: values.year.clone(),
        partners: values
            .partners
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .map(str::to_string)
            .collect(),
        outline: Some(values.outline.clone()),
        languages: values.languages.clone(),
    };
    let refusal = match state.app.create_report(&actor, &region.key, &draft).await {
        Ok(report) => return Ok(see_other(format!("/reports/{}", report.id))),
        Err(hyte_app::AppError::Invalid { refusal, .. }) => refusal,
        Err(e) => return Err(e.into()),
    };
    let mut card = reports_card(&state, &viewer, &region).await?;
    card.form = values;
    card.error = Some(tr.refusal(&refusal));
    card.open = true;
    let address = format!("/org/{}/reports", region.key);
    let mut res = list_page(&viewer, region, card, &address)?;
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}
