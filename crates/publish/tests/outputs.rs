//! The typeset outputs of a small document.

use hyte_publish::*;

fn sample() -> PublishedDocument {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="720" height="300" viewBox="0 0 720 300"><rect x="10" y="10" width="200" height="100" fill="#1d4f73"/><text x="20" y="150" font-family="system-ui, sans-serif" font-size="14">Asikkala 12,3</text></svg>"##;
    let block = |n: usize| {
        Part::Block(RenderedBlock {
            anchor: format!("b{n}"),
            indicator_id: Some(2328),
            title: format!("Indikaattori {n}"),
            subtitle: "Asikkala · 2023 · Kehitys · %".into(),
            svg: svg.into(),
            outcomes: vec![BlockOutcome {
                against: "vs. koko maa".into(),
                value: "10,1".into(),
                outcome: "worse".into(),
                text: "Huonompi".into(),
            }],
            headers: vec!["Vuosi".into(), "Asikkala".into(), "Koko maa".into()],
            rows: vec![
                vec!["2022".into(), "12,0".into(), "10,0".into()],
                vec!["2023".into(), "12,3".into()],
            ],
            notes: vec![],
            attribution: "Lähde: THL Sotkanet, CC BY 4.0".into(),
            error: None,
        })
    };
    PublishedDocument {
        id: 1,
        org: OrgRef {
            key: "KUNTA:016".into(),
            name: "Asikkala".into(),
        },
        kind: "term_report".into(),
        title: "Laaja hyvinvointikertomus \"2025\" #let x = 1 [*]".into(),
        term_start: 2025,
        term_end: 2029,
        year: None,
        language: "fi".into(),
        languages: vec!["fi".into(), "sv".into()],
        published_at: Some("2026-11-23T08:00:00Z".into()),
        approval: Some(Approval {
            date: "2026-11-20".into(),
            body: Some("Kunnanvaltuusto".into()),
            paragraph: Some("§ 45".into()),
            link: Some("https://example.invalid/poytakirja".into()),
        }),
        summary: "Asikkalassa **hyvinvointi** on *pääosin* hyvää.\n\n- yksi\n- kaksi".into(),
        sections: (0..3)
            .map(|i| PublishedSection {
                id: i,
                heading: format!("Luku {i} #set page(width: 1pt)"),
                parts: vec![
                    Part::Text {
                        markdown: "## Alaotsikko\n\nTekstiä $ \\ # ja [linkki](https://thl.fi)."
                            .into(),
                    },
                    block(i as usize * 2),
                    block(i as usize * 2 + 1),
                ],
            })
            .collect(),
        infographic: Infographic {
            indicators: vec![KeyIndicator {
                id: 2328,
                title: "Indikaattori".into(),
                year: Some(2023),
                value: Some(12.3),
                value_text: "12,3 %".into(),
                vs_country: Some(OutcomeRef {
                    outcome: "worse".into(),
                    text: "Huonompi".into(),
                }),
                vs_region: None,
            }],
            strengths: vec!["Liikunta".into()],
            concerns: vec!["Yksinäisyys".into()],
            goals: vec!["Nuorten työllisyys paranee".into()],
        },
        attribution: "THL Sotkanet, CC BY 4.0".into(),
        labels: Labels {
            contents: "Sisällys".into(),
            summary: "Tiivistelmä".into(),
            ..Default::default()
        },
        plan: Some(plan()),
    }
}

fn plan() -> PublishedPlan {
    let goal = |n: usize| PublishedGoal {
        number: n,
        title: format!("Tavoite {n} #emph[x]"),
        description: "Kuvaus $ ja ] merkit.".into(),
        answers: vec!["Huoli: Nuorisotyöttömyys".into()],
        percent: 50,
        progress_text: "50 %".into(),
        actions: (0..3)
            .map(|i| PublishedAction {
                title: format!("Toimenpide {n}.{i}"),
                sector: "Sivistystoimi".into(),
                responsible: "Rehtori".into(),
                schedule: "2026–2027".into(),
                status: "in_progress".into(),
                status_text: "Käynnissä".into(),
                percent: 25,
                narrative: "Aloitettu.".into(),
                planned: "10 000 € · 0,5 htv".into(),
                used: "–".into(),
            })
            .collect(),
        followups: vec![PublishedFollowUp {
            indicator_id: 3101,
            title: "Nuorisotyöttömät, %".into(),
            baseline: "12,0 (2022)".into(),
            latest: "11,0 (2023)".into(),
            target: "9,0 (2028)".into(),
            tracking: "on_track".into(),
            tracking_text: "Tavoitteen suunnassa".into(),
        }],
    };
    PublishedPlan {
        heading: "Suunnitelman toteutuminen vuonna 2026".into(),
        year: 2026,
        percent: 40,
        progress_text: "40 %".into(),
        counts: vec![StatusCount {
            label: "Käynnissä".into(),
            count: 9,
        }],
        resources: "Euroja suunniteltu: 90 000 €".into(),
        columns: PlanColumns::default(),
        goals: (1..=3).map(goal).collect(),
    }
}

#[test]
fn report_pdf_has_cover_contents_and_sections() {
    let doc = sample();
    let pdf = report_pdf(&doc).expect("pdf");
    assert!(pdf.starts_with(b"%PDF"));
    // Cover, contents, summary, three sections.
    let pages = report_page_count(&doc).expect("pages");
    assert!(pages >= 6, "{pages} pages");
}

#[test]
fn the_plan_is_a_chapter_of_the_pdf() {
    let with = sample();
    let mut without = sample();
    without.plan = None;
    let a = report_page_count(&with).expect("pages with the plan");
    let b = report_page_count(&without).expect("pages without");
    assert!(a > b, "the plan adds pages: {a} vs {b}");
}

#[test]
fn infographic_in_three_formats_on_one_page() {
    let doc = sample();
    let pdf = infographic_pdf(&doc).expect("pdf");
    assert!(pdf.starts_with(b"%PDF"));
    let svg = infographic_svg(&doc).expect("svg");
    assert!(svg.starts_with("<svg"), "{}", &svg[..50]);
    let png = infographic_png(&doc).expect("png");
    assert_eq!(&png[1..4], b"PNG");
}

#[test]
fn json_round_trips() {
    let doc = sample();
    let text = serde_json::to_string(&doc).expect("json");
    let back: PublishedDocument = serde_json::from_str(&text).expect("parse");
    assert_eq!(back, doc);
}
