//! The indicator list and the joys and concerns as use cases, on SQLite and
//! PostgreSQL alike, without HTTP: who may decide what, the refusal (key and field)
//! every adapter shows for the same bad input, the audit entry of every change, and
//! that a change and its audit entry commit together or not at all.

#[macro_use]
mod common;

use common::*;
use hyte_app::indicators::{SelectionInput, SelfAssessmentInput};
use hyte_app::observations::{proposal_reason, ObservationInput, ObservationPatch, Proposal};
use hyte_app::{Actor, App, AppError, ReportCtx};
use hyte_domain::report::ObservationKind;
use hyte_domain::{IndicatorId, Role};
use hyte_store::indicators::{Denominator, Indicator, Localized};

/// An indicator Hyte has (no values).
const IND: i64 = 90_501;

/// Asikkala's coordinator, editor and commenter, the welfare region's coordinator
/// (who reads Asikkala's work), a report of Asikkala from THL's outline and one
/// indicator definition.
struct Fx {
    db: TestStore,
    app: App,
    coord: Actor,
    editor: Actor,
    commenter: Actor,
    region: Actor,
    report: i64,
}

fn definition(id: i64) -> Indicator {
    Indicator {
        id: IndicatorId(id),
        title: Localized {
            fi: "Testityöttömyys".into(),
            sv: "Testarbetslöshet".into(),
            en: "Test unemployment".into(),
        },
        unit: "PROS".into(),
        decimals: 1,
        polarity: "low_is_good".parse().unwrap(),
        denominator: Denominator::Population,
        kind: "register".into(),
        producer: Localized::default(),
        description: Localized::default(),
        interpretation: Localized::default(),
        limits: Localized::default(),
        theme: Some("Testi".into()),
        population_group: Some("working_age".into()),
        sexes: "total".into(),
        data_updated: None,
        range_start: None,
        range_end: None,
        source: "test".into(),
        updated_at: String::new(),
    }
}

impl Fx {
    async fn sqlite() -> Fx {
        Fx::on(TestStore::sqlite().await).await
    }

    async fn postgres() -> Option<Fx> {
        Some(Fx::on(TestStore::postgres().await?).await)
    }

    async fn on(db: TestStore) -> Fx {
        let app = App::new(db.store.clone());
        let actors = actors(
            &db.store,
            &[
                ("coord@asikkala.fi", "KUNTA:016", Role::Coordinator, None),
                ("editor@asikkala.fi", "KUNTA:016", Role::Editor, None),
                ("commenter@asikkala.fi", "KUNTA:016", Role::Commenter, None),
                (
                    "coord@phhyky.fi",
                    "HYVINVOINTIALUE:09",
                    Role::Coordinator,
                    None,
                ),
            ],
        )
        .await;
        db.store.put_indicator(&definition(IND)).await.unwrap();
        let report = asikkala_report(&app, &actors[0]).await;
        let mut a = actors.into_iter();
        Fx {
            app,
            coord: a.next().unwrap(),
            editor: a.next().unwrap(),
            commenter: a.next().unwrap(),
            region: a.next().unwrap(),
            report,
            db,
        }
    }

    async fn ctx(&self, actor: &Actor) -> ReportCtx {
        self.app.load_report(actor, self.report).await.unwrap()
    }

    async fn last_audit(&self) -> (String, String) {
        last_audit(&self.db).await
    }

    async fn audit_count(&self) -> usize {
        audit_count(&self.db).await
    }
}

fn field_of(e: &AppError) -> &'static str {
    match e {
        AppError::Invalid { field, .. } => field,
        _ => "",
    }
}

fn decision(state: &str, reason: &str) -> SelectionInput {
    SelectionInput {
        state: state.into(),
        reason: reason.into(),
        ..Default::default()
    }
}

both!(
    the_indicator_list_is_decided_by_coordinators_with_reasons,
    |fx: Fx| async move {
        let coord = fx.ctx(&fx.coord).await;
        let editor = fx.ctx(&fx.editor).await;
        let e = fx.app.seed_indicators(&editor).await.unwrap_err();
        assert_eq!(key_of(&e), "rd-error-decide-forbidden");
        let (added, _) = fx.app.seed_indicators(&coord).await.unwrap();
        assert_eq!(added, 37);
        assert_eq!(fx.last_audit().await.0, "report_indicators_seeded");
        // Seeding again adds nothing and is not audited.
        let before = fx.audit_count().await;
        assert_eq!(fx.app.seed_indicators(&coord).await.unwrap().0, 0);
        assert_eq!(fx.audit_count().await, before);

        // A reader is refused before the input is even looked at.
        let e = fx
            .app
            .decide_indicator(&editor, "preset:gini-kerroin", &decision("maybe", ""))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        // Refusals name the field and carry the catalogue key.
        let added_key = format!("sotkanet:{IND}");
        let cases = [
            (
                "preset:gini-kerroin",
                decision("maybe", ""),
                "state",
                "rd-error-state",
            ),
            (
                "preset:gini-kerroin",
                decision("excluded", "  "),
                "reason",
                "rd-error-reason-required",
            ),
            (
                added_key.as_str(),
                decision("added", "Paikallinen ilmiö"),
                "source",
                "rd-error-source-required",
            ),
        ];
        for (key, input, field, refusal) in cases {
            let e = fx
                .app
                .decide_indicator(&coord, key, &input)
                .await
                .unwrap_err();
            assert_eq!((field_of(&e), key_of(&e)), (field, refusal), "{e:?}");
        }
        let e = fx
            .app
            .decide_indicator(&coord, "preset:no-such", &decision("included", ""))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)));
        assert_eq!(key_of(&e), "rd-error-not-on-list");
        let with_source = SelectionInput {
            source: Some("Sotkanet".into()),
            ..decision("added", "x")
        };
        let e = fx
            .app
            .decide_indicator(&coord, "sotkanet:180", &with_source)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "rd-error-already-on-list");
        let e = fx
            .app
            .decide_indicator(&coord, "sotkanet:99999999", &with_source)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "rd-error-unknown-indicator");

        // Accepted decisions are audited with their reason.
        let (s, _) = fx
            .app
            .decide_indicator(
                &coord,
                "preset:gini-kerroin",
                &decision("excluded", "Seudullinen"),
            )
            .await
            .unwrap();
        assert_eq!(s.state.as_str(), "excluded");
        let (action, detail) = fx.last_audit().await;
        assert_eq!(action, "report_indicator_selection");
        assert!(
            detail.ends_with("preset:gini-kerroin is excluded (Seudullinen)"),
            "{detail}"
        );
        let (s, _) = fx
            .app
            .decide_indicator(&coord, &added_key, &with_source)
            .await
            .unwrap();
        assert!(!s.from_preset);
        assert_eq!(s.source.as_deref(), Some("Sotkanet"));
        let a = fx.app.appendix(&editor, "fi").await.unwrap();
        assert_eq!(a.excluded.len(), 1);
        assert_eq!(a.added.len(), 1);
        assert_eq!(a.pending, 36);
    }
);

both!(
    self_assessment_is_for_editors_and_is_audited,
    |fx: Fx| async move {
        let commenter = fx.ctx(&fx.commenter).await;
        let editor = fx.ctx(&fx.editor).await;
        let input = SelfAssessmentInput {
            topic: "Hyte-rakenteet".into(),
            body: "Ryhmä kokoontuu.".into(),
            score: Some(4),
        };
        let e = fx
            .app
            .add_self_assessment(&commenter, &input)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "rd-error-sa-forbidden");
        let bad = SelfAssessmentInput {
            score: Some(9),
            ..input.clone()
        };
        let e = fx.app.add_self_assessment(&editor, &bad).await.unwrap_err();
        assert_eq!((field_of(&e), key_of(&e)), ("score", "rd-error-sa-score"));
        let bad = SelfAssessmentInput {
            topic: " ".into(),
            ..input.clone()
        };
        let e = fx.app.add_self_assessment(&editor, &bad).await.unwrap_err();
        assert_eq!(key_of(&e), "rd-error-sa-topic");
        fx.app.add_self_assessment(&editor, &input).await.unwrap();
        let (action, detail) = fx.last_audit().await;
        assert_eq!(action, "report_self_assessment_added");
        assert!(detail.contains("'Hyte-rakenteet', score 4"), "{detail}");
        assert_eq!(fx.db.self_assessments(fx.report).await.unwrap().len(), 1);
    }
);

fn joy(text: &str, origin: &str) -> ObservationInput {
    ObservationInput {
        kind: "joy".into(),
        text: text.into(),
        origin: origin.into(),
        ..Default::default()
    }
}

both!(
    joys_and_concerns_are_recorded_decided_and_audited,
    |fx: Fx| async move {
        let commenter = fx.ctx(&fx.commenter).await;
        let region = fx.ctx(&fx.region).await;
        let e = fx
            .app
            .add_observation(&region, &joy("Kirjasto", "worry"))
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "rd-error-observe-forbidden", "authorised first");
        let bad = [
            (joy("x", "council"), "origin", "rd-error-origin"),
            (joy("x", "data"), "origin", "rd-error-origin-data"),
            (
                joy("x", "municipality"),
                "origin",
                "rd-error-origin-municipality",
            ),
            (joy("  ", "ngo"), "text", "rd-error-obs-text"),
            (
                ObservationInput {
                    kind: "worry".into(),
                    ..joy("x", "ngo")
                },
                "kind",
                "rd-error-obs-kind",
            ),
            (
                ObservationInput {
                    population_group: Some("pets".into()),
                    ..joy("x", "ngo")
                },
                "population_group",
                "rd-error-group",
            ),
            (
                ObservationInput {
                    indicators: vec![99_999_999],
                    ..joy("x", "ngo")
                },
                "indicators",
                "rd-error-link-unknown",
            ),
        ];
        for (input, field, key) in bad {
            let e = fx
                .app
                .add_observation(&commenter, &input)
                .await
                .unwrap_err();
            assert_eq!((field_of(&e), key_of(&e)), (field, key), "{input:?}");
        }
        assert!(fx.db.observations(fx.report).await.unwrap().is_empty());

        let input = ObservationInput {
            indicators: vec![IND, IND],
            ..joy("Liikunta lisääntyi", "residents")
        };
        let (oid, _) = fx.app.add_observation(&commenter, &input).await.unwrap();
        let (action, detail) = fx.last_audit().await;
        assert_eq!(action, "report_observation_added");
        assert!(
            detail.contains(&format!("joy {oid} from residents")),
            "{detail}"
        );
        let o = &fx.db.observations(fx.report).await.unwrap()[0];
        assert_eq!(
            (o.status.as_str(), o.indicators.clone()),
            ("open", vec![IND])
        );

        // A commenter links indicators but does not decide; an editor decides.
        let status = |s: &str| ObservationPatch {
            status: Some(s.into()),
            indicators: None,
        };
        let e = fx
            .app
            .update_observation(&commenter, oid, &status("accepted"))
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "rd-error-status-forbidden");
        let links = ObservationPatch {
            status: None,
            indicators: Some(vec![]),
        };
        fx.app
            .update_observation(&commenter, oid, &links)
            .await
            .unwrap();
        assert_eq!(fx.last_audit().await.0, "report_observation_indicators");
        let editor = fx.ctx(&fx.editor).await;
        let e = fx
            .app
            .update_observation(&editor, oid, &status("proposed"))
            .await
            .unwrap_err();
        assert_eq!(
            (field_of(&e), key_of(&e)),
            ("status", "rd-error-obs-status")
        );
        let e = fx
            .app
            .update_observation(&editor, 424_242, &status("accepted"))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)));
        let e = fx
            .app
            .update_observation(&editor, oid, &ObservationPatch::default())
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "rd-error-nothing-to-change");
        fx.app
            .update_observation(&editor, oid, &status(" accepted "))
            .await
            .unwrap();
        let (action, detail) = fx.last_audit().await;
        assert_eq!(action, "report_observation_status");
        assert!(
            detail.ends_with(&format!("joy/concern {oid} is accepted")),
            "{detail}"
        );
    }
);

both!(
    proposals_rest_on_one_indicator_each_and_collecting_is_regional,
    |fx: Fx| async move {
        assert_eq!(
            proposal_reason(Some(false), Some(true)),
            Some((
                ObservationKind::Concern,
                hyte_app::observations::ProposalReason::Worse
            ))
        );
        assert_eq!(
            proposal_reason(None, Some(false)).map(|p| p.0),
            Some(ObservationKind::Concern)
        );
        assert_eq!(
            proposal_reason(Some(true), None).map(|p| p.0),
            Some(ObservationKind::Joy)
        );
        assert_eq!(proposal_reason(None, Some(true)), None);

        let region = fx.ctx(&fx.region).await;
        let e = fx.app.proposable_indicators(&region).await.unwrap_err();
        assert_eq!(key_of(&e), "rd-error-propose-forbidden");
        let commenter = fx.ctx(&fx.commenter).await;
        // No values anywhere: nothing to propose from.
        assert!(fx
            .app
            .proposable_indicators(&commenter)
            .await
            .unwrap()
            .is_empty());
        let p = Proposal {
            indicator_id: IND,
            kind: ObservationKind::Concern,
            text: "Testityöttömyys: huononee".into(),
            population_group: Some("working_age".into()),
        };
        let (ids, _) = fx
            .app
            .add_proposals(&commenter, &[p.clone(), p.clone()])
            .await
            .unwrap();
        assert_eq!(ids.len(), 1, "an indicator is proposed once");
        assert_eq!(fx.last_audit().await.0, "report_observations_proposed");
        let before = fx.audit_count().await;
        let (ids, _) = fx.app.add_proposals(&commenter, &[p]).await.unwrap();
        assert!(ids.is_empty());
        assert_eq!(
            fx.audit_count().await,
            before,
            "nothing new, nothing audited"
        );

        // A municipality's report has no members; readers may not collect.
        let e = fx.app.collect_from_members(&commenter).await.unwrap_err();
        assert_eq!(key_of(&e), "rd-error-collect-municipality");
        let e = fx.app.collect_from_members(&region).await.unwrap_err();
        assert_eq!(key_of(&e), "rd-error-collect-forbidden");
        // The region's own report collects Asikkala's recorded item, not the proposal.
        fx.app
            .add_observation(&commenter, &joy("Kirjasto", "residents"))
            .await
            .unwrap();
        let php = "HYVINVOINTIALUE:09".parse().unwrap();
        let regional = fx
            .app
            .create_report(&fx.region, &php, &draft("regional_report"))
            .await
            .unwrap();
        let rctx = fx.app.load_report(&fx.region, regional.id).await.unwrap();
        let (c, _) = fx.app.collect_from_members(&rctx).await.unwrap();
        assert_eq!((c.ids.len(), c.reports_read), (1, 1), "{c:?}");
        let (action, detail) = fx.last_audit().await;
        assert_eq!(action, "report_observations_collected");
        assert!(
            detail.contains("1 joys and concerns collected from 1"),
            "{detail}"
        );
        assert!(fx
            .app
            .collect_from_members(&rctx)
            .await
            .unwrap()
            .0
            .ids
            .is_empty());
    }
);

both!(
    a_decision_is_rolled_back_when_its_audit_entry_cannot_be_written,
    |fx: Fx| async move {
        let coord = fx.ctx(&fx.coord).await;
        fx.app.seed_indicators(&coord).await.unwrap();
        sqlx::query("DROP TABLE audit_log")
            .execute(fx.db.pool())
            .await
            .unwrap();
        let e = fx
            .app
            .decide_indicator(&coord, "preset:gini-kerroin", &decision("excluded", "Syy"))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Internal(_)), "{e:?}");
        let s = fx.db.selections(fx.report).await.unwrap();
        let item = s
            .iter()
            .find(|s| s.item_key == "preset:gini-kerroin")
            .unwrap();
        assert_eq!(
            item.state.as_str(),
            "pending",
            "the decision was rolled back"
        );
        let input = joy("Ei jää", "ngo");
        assert!(fx.app.add_observation(&coord, &input).await.is_err());
        assert!(fx.db.observations(fx.report).await.unwrap().is_empty());
    }
);
