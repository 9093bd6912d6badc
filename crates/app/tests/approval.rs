//! The approval moves and the publication settings without HTTP: who may move, the
//! refusal each adapter shows, that a version is frozen only for a decided council
//! approval, and that a move, its publication and its audit entries commit together.

#[macro_use]
mod common;

use common::*;
use hyte_app::publication::PublicationContent;
use hyte_app::{Actor, App, AppError, AppResult, ReportCtx};
use hyte_domain::approval::{ApprovalState, Move, MoveInput};
use hyte_domain::Role;
use hyte_store::versions::Freeze;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Asikkala's coordinator and editor, the welfare region's coordinator (read access)
/// and a report of Asikkala.
struct Fx {
    db: TestStore,
    app: App,
    coord: Actor,
    editor: Actor,
    region: Actor,
    report: i64,
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
                (
                    "coord@phhyky.fi",
                    "HYVINVOINTIALUE:09",
                    Role::Coordinator,
                    None,
                ),
            ],
        )
        .await;
        let report = asikkala_report(&app, &actors[0]).await;
        let mut a = actors.into_iter();
        Fx {
            app,
            coord: a.next().unwrap(),
            editor: a.next().unwrap(),
            region: a.next().unwrap(),
            report,
            db,
        }
    }

    async fn ctx(&self, actor: &Actor) -> ReportCtx {
        self.app.load_report(actor, self.report).await.unwrap()
    }

    /// The newest audit entries' actions and details, newest first.
    async fn audits(&self, n: i64) -> Vec<(String, String)> {
        self.db
            .audit_entries(None, n)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.action, e.detail))
            .collect()
    }

    async fn audit_count(&self) -> usize {
        self.db.audit_entries(None, 10_000).await.unwrap().len()
    }

    /// Makes a move with a freezer that counts its calls.
    async fn mv(
        &self,
        ctx: &ReportCtx,
        mv: Move,
        input: &MoveInput,
        calls: &AtomicUsize,
    ) -> AppResult<hyte_store::approval::ApprovalEvent> {
        let freeze = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(Freeze::default())
        };
        Ok(self.app.transition(ctx, mv, input, freeze).await?.0)
    }
}

fn decision() -> MoveInput {
    MoveInput {
        decision_date: "2026-05-18".into(),
        minutes_section: "§ 45".into(),
        ..Default::default()
    }
}

both!(
    only_coordinators_move_and_a_refused_move_freezes_nothing,
    |fx: Fx| async move {
        let calls = AtomicUsize::new(0);
        let before = fx.audit_count().await;
        for actor in [&fx.editor, &fx.region] {
            let ctx = fx.ctx(actor).await;
            assert!(hyte_app::approval::allowed_moves(ctx.access, ApprovalState::Draft).is_empty());
            let e = fx
                .mv(&ctx, Move::StartCommenting, &MoveInput::default(), &calls)
                .await
                .unwrap_err();
            assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
            assert_eq!(key_of(&e), "appr-err-not-allowed");
        }
        let coord = fx.ctx(&fx.coord).await;
        let e = fx
            .mv(&coord, Move::CouncilApprove, &decision(), &calls)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Refused(_)), "{e:?}");
        assert_eq!(key_of(&e), "appr-err-not-from-state");
        let r = e.refusal().unwrap();
        assert!(r.args.contains(&("state", "draft".to_string())), "{r:?}");
        assert!(
            r.args.contains(&("move", "council_approve".to_string())),
            "{r:?}"
        );
        let e = hyte_app::approval::parse_move("approve_everything").unwrap_err();
        assert_eq!(key_of(&e), "appr-err-unknown-move");
        assert_eq!(calls.load(Ordering::SeqCst), 0, "nothing rendered");
        assert_eq!(fx.audit_count().await, before, "nothing audited");
        assert_eq!(
            fx.db.approval_state(fx.report).await.unwrap(),
            ApprovalState::Draft
        );
    }
);

both!(
    a_council_approval_freezes_once_and_every_move_is_audited,
    |fx: Fx| async move {
        let calls = AtomicUsize::new(0);
        let coord = fx.ctx(&fx.coord).await;
        for m in [Move::StartCommenting, Move::ToBoard] {
            fx.mv(&coord, m, &MoveInput::default(), &calls)
                .await
                .unwrap();
        }
        let e = fx
            .mv(&coord, Move::SendBack, &MoveInput::default(), &calls)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "appr-err-reason-required");
        // A failing freeze writes nothing.
        let before = fx.audit_count().await;
        let e = fx
            .app
            .transition(&coord, Move::CouncilApprove, &decision(), || async {
                Err(AppError::Unavailable)
            })
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Unavailable), "{e:?}");
        assert_eq!(fx.audit_count().await, before);
        assert_eq!(
            fx.db.approval_state(fx.report).await.unwrap(),
            ApprovalState::BoardReview
        );
        let event = fx
            .mv(&coord, Move::CouncilApprove, &decision(), &calls)
            .await
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1, "frozen once");
        assert_eq!(event.version_number, Some(1));
        let (action, detail) = fx.audits(1).await.remove(0);
        assert_eq!(action, "approval");
        assert!(
            detail.contains("board_review → council_approved (council_approve)")
                && detail.contains("council decision 2026-05-18 § 45")
                && detail.contains("version 1 frozen"),
            "{detail}"
        );
        // Publishing through the approval tab puts the report on the public site.
        fx.mv(&coord, Move::Publish, &MoveInput::default(), &calls)
            .await
            .unwrap();
        assert!(fx.db.publication(fx.report).await.unwrap().is_published());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
);

both!(
    publication_settings_are_for_coordinators_and_audited,
    |fx: Fx| async move {
        let calls = AtomicUsize::new(0);
        let coord = fx.ctx(&fx.coord).await;
        let editor = fx.ctx(&fx.editor).await;
        let e = fx.app.publish_or_withdraw(&editor, true).await.unwrap_err();
        assert_eq!(key_of(&e), "pub-err-publish-forbidden");
        // A draft cannot be published: the publish move is refused.
        let e = fx.app.publish_or_withdraw(&coord, true).await.unwrap_err();
        assert_eq!(key_of(&e), "appr-err-not-from-state");
        assert!(!fx.db.publication(fx.report).await.unwrap().is_published());
        for m in [Move::StartCommenting, Move::ToBoard] {
            fx.mv(&coord, m, &MoveInput::default(), &calls)
                .await
                .unwrap();
        }
        fx.mv(&coord, Move::CouncilApprove, &decision(), &calls)
            .await
            .unwrap();
        fx.app.publish_or_withdraw(&coord, true).await.unwrap();
        assert!(fx.db.publication(fx.report).await.unwrap().is_published());
        let audits = fx.audits(2).await;
        assert_eq!(audits[0].0, "publication.publish");
        assert_eq!(audits[1].0, "approval", "the publish move is recorded");
        assert_eq!(
            fx.db.approval_state(fx.report).await.unwrap(),
            ApprovalState::Published
        );
        fx.app.publish_or_withdraw(&coord, false).await.unwrap();
        assert!(!fx.db.publication(fx.report).await.unwrap().is_published());
        assert_eq!(fx.audits(1).await[0].0, "publication.withdraw");
        // Put back without a new decision.
        fx.app.publish_or_withdraw(&coord, true).await.unwrap();
        assert!(fx.db.publication(fx.report).await.unwrap().is_published());

        let content = PublicationContent {
            summary: "Selkokielinen tiivistelmä.".into(),
            infographic: vec![5, 7, 5],
        };
        let e = fx
            .app
            .set_publication_content(&editor, &content)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "pub-err-content-forbidden");
        let many = PublicationContent {
            infographic: (1..=10).collect(),
            ..content.clone()
        };
        let e = fx
            .app
            .set_publication_content(&coord, &many)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "pub-err-infographic-too-many");
        fx.app
            .set_publication_content(&coord, &content)
            .await
            .unwrap();
        let p = fx.db.publication(fx.report).await.unwrap();
        assert_eq!(p.infographic, vec![5, 7]);
        assert_eq!(p.summary, "Selkokielinen tiivistelmä.");
        let (action, detail) = fx.audits(1).await.remove(0);
        assert_eq!(action, "publication.content");
        assert_eq!(
            detail,
            format!("report {}: summary and 2 infographic indicators", fx.report)
        );
    }
);
