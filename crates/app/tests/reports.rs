//! The report use cases' rules on SQLite and PostgreSQL alike, without HTTP: who may
//! change what, the refusal each adapter shows, and that a change and its audit entry
//! commit together or not at all.

#[macro_use]
mod common;

use common::*;
use hyte_app::reports::comments::NewComment;
use hyte_app::reports::create::ReportDraft;
use hyte_app::reports::sections::{Saved, SectionMeta, SectionPatch, TextSave};
use hyte_app::{Actor, App, AppError, ReportCtx};
use hyte_domain::Role;

/// A store with Asikkala's coordinator, an education editor, a commenter, the welfare
/// region's reader, Lahti's coordinator and a report of Asikkala with THL's outline.
struct Fx {
    db: TestStore,
    app: App,
    coord: Actor,
    editor: Actor,
    commenter: Actor,
    region: Actor,
    outsider: Actor,
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
                (
                    "editor@asikkala.fi",
                    "KUNTA:016",
                    Role::Editor,
                    Some("education"),
                ),
                ("commenter@asikkala.fi", "KUNTA:016", Role::Commenter, None),
                (
                    "reader@phhyky.fi",
                    "HYVINVOINTIALUE:09",
                    Role::Coordinator,
                    None,
                ),
                ("coord@lahti.fi", "KUNTA:398", Role::Coordinator, None),
            ],
        )
        .await;
        let report = asikkala_report(&app, &actors[0]).await;
        let mut a = actors.into_iter();
        Fx {
            app,
            coord: a.next().unwrap(),
            editor: a.next().unwrap(),
            commenter: a.next().unwrap(),
            region: a.next().unwrap(),
            outsider: a.next().unwrap(),
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

both!(
    creating_a_report_is_for_coordinators_and_is_audited,
    |fx: Fx| async move {
        let (action, detail) = fx.last_audit().await;
        assert_eq!(action, "report_created");
        assert!(detail.contains("Hyvinvointikertomus 2025–2029"), "{detail}");
        let ctx = fx.ctx(&fx.coord).await;
        assert_eq!(
            ctx.report.languages,
            vec!["fi".to_string()],
            "the organisation's languages"
        );
        let draft = ReportDraft {
            kind: "term_report".into(),
            title: "Toinen".into(),
            term_start: "2025".into(),
            term_end: "2029".into(),
            ..Default::default()
        };
        let asikkala = "KUNTA:016".parse().unwrap();
        let e = fx
            .app
            .create_report(&fx.editor, &asikkala, &draft)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let e = fx
            .app
            .create_report(&fx.outsider, &asikkala, &draft)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        let bad = ReportDraft {
            term_end: "2020".into(),
            ..draft.clone()
        };
        let e = fx
            .app
            .create_report(&fx.coord, &asikkala, &bad)
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                AppError::Invalid {
                    field: "term_end",
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(key_of(&e), "rep-err-term");
        let bad = ReportDraft {
            partners: vec!["KUNTA:999".into()],
            ..draft
        };
        let e = fx
            .app
            .create_report(&fx.coord, &asikkala, &bad)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "rep-err-partner");
    }
);

both!(
    sections_are_edited_by_their_sector_and_every_save_is_audited,
    |fx: Fx| async move {
        let coord = fx.ctx(&fx.coord).await;
        let (sid, _) = fx
            .app
            .add_section(
                &coord,
                &SectionMeta {
                    heading: "Oppiminen".into(),
                    areas: vec!["welfare_policy".into()],
                    sector: Some("education".into()),
                },
            )
            .await
            .unwrap();
        assert_eq!(fx.last_audit().await.0, "section_added");
        let editor = fx.ctx(&fx.editor).await;
        let s = fx.app.current_section(&editor, sid).await.unwrap();
        let save = TextSave {
            base_revision: 0,
            body: "Koulut voivat hyvin.".into(),
            note: None,
        };
        match fx.app.save_section_text(&editor, &s, &save).await.unwrap() {
            Saved::Revision(r) => assert_eq!(r.number, 1),
            other => panic!("{other:?}"),
        }
        let (action, detail) = fx.last_audit().await;
        assert_eq!(action, "section_saved");
        assert!(
            detail.contains(&format!("section {sid} revision 1")),
            "{detail}"
        );
        // A save on the old base is refused, the current text comes back, and the
        // refusal is audited too.
        let stale = TextSave {
            body: "Toinen teksti".into(),
            ..save.clone()
        };
        match fx.app.save_section_text(&editor, &s, &stale).await.unwrap() {
            Saved::Conflict {
                current_revision,
                current_body,
                ..
            } => {
                assert_eq!(current_revision, 1);
                assert_eq!(current_body, "Koulut voivat hyvin.");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(fx.last_audit().await.0, "section_save_conflict");
        // Another sector's section, the outline, and readers are refused.
        let other = fx
            .app
            .section(&coord, coord_first_section(&fx, &coord).await)
            .await
            .unwrap()
            .0;
        let e = fx
            .app
            .save_section_text(&editor, &other, &save)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "sec-err-edit-forbidden");
        let e = fx
            .app
            .update_section(
                &editor,
                &s,
                &SectionPatch {
                    heading: Some("X".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "rep-err-manage-forbidden");
        let region = fx.ctx(&fx.region).await;
        let e = fx
            .app
            .save_section_text(&region, &s, &save)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)));
        // The section's editor may change its status; a bad status names the field.
        let patch = SectionPatch {
            status: Some("done".into()),
            ..Default::default()
        };
        fx.app.update_section(&editor, &s, &patch).await.unwrap();
        assert_eq!(fx.last_audit().await.0, "section_status");
        let patch = SectionPatch {
            status: Some("finished".into()),
            ..Default::default()
        };
        let e = fx
            .app
            .update_section(&editor, &s, &patch)
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                AppError::Invalid {
                    field: "status",
                    ..
                }
            ),
            "{e:?}"
        );
        // Too long a text is refused before anything is written.
        let long = TextSave {
            base_revision: 1,
            body: "x".repeat(hyte_domain::document::MAX_SECTION_CHARS + 1),
            note: None,
        };
        let e = fx
            .app
            .save_section_text(&editor, &s, &long)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "sec-err-too-long");
        // Nobody outside the report even gets its context.
        let e = fx
            .app
            .load_report(&fx.outsider, fx.report)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "rep-err-forbidden");
    }
);

async fn coord_first_section(fx: &Fx, ctx: &ReportCtx) -> i64 {
    let s = fx.db.sections(ctx.report.id).await.unwrap();
    s.iter()
        .find(|s| s.owner_sector.as_deref() != Some("education"))
        .unwrap()
        .id
}

both!(a_locked_report_refuses_text_changes, |fx: Fx| async move {
    let coord = fx.ctx(&fx.coord).await;
    let sid = coord_first_section(&fx, &coord).await;
    let s = fx.app.current_section(&coord, sid).await.unwrap();
    sqlx::query("UPDATE report SET approval_state = 'board_review' WHERE id = $1")
        .bind(fx.report)
        .execute(fx.db.pool())
        .await
        .unwrap();
    let before = fx.audit_count().await;
    let save = TextSave {
        base_revision: 0,
        body: "Uusi".into(),
        note: None,
    };
    let e = fx
        .app
        .save_section_text(&coord, &s, &save)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Locked(_)), "{e:?}");
    let meta = SectionMeta {
        heading: "Uusi luku".into(),
        ..Default::default()
    };
    let e = fx.app.add_section(&coord, &meta).await.unwrap_err();
    assert!(matches!(e, AppError::Locked(_)), "{e:?}");
    assert_eq!(
        fx.audit_count().await,
        before,
        "nothing happened, nothing is logged"
    );
});

both!(
    comments_follow_one_rule_for_adding_and_resolving,
    |fx: Fx| async move {
        let coord = fx.ctx(&fx.coord).await;
        let sid = coord_first_section(&fx, &coord).await;
        let commenter = fx.ctx(&fx.commenter).await;
        let c = NewComment {
            section_id: Some(sid),
            body: "Hyvä alku".into(),
            ..Default::default()
        };
        let (thread, _) = fx.app.add_comment(&commenter, &c).await.unwrap();
        assert_eq!(fx.last_audit().await.0, "comment_added");
        let reply = NewComment {
            parent_id: Some(thread.id),
            body: "Kiitos".into(),
            ..c.clone()
        };
        let (reply, _) = fx.app.add_comment(&coord, &reply).await.unwrap();
        assert_eq!(reply.section_id, Some(sid));
        // Readers do not comment; empty text and a line 0 name their field.
        let region = fx.ctx(&fx.region).await;
        let e = fx.app.add_comment(&region, &c).await.unwrap_err();
        assert_eq!(key_of(&e), "com-err-forbidden");
        let empty = NewComment {
            body: "  ".into(),
            ..c.clone()
        };
        let e = fx.app.add_comment(&commenter, &empty).await.unwrap_err();
        assert!(
            matches!(e, AppError::Invalid { field: "body", .. }),
            "{e:?}"
        );
        let line0 = NewComment {
            block_line: Some(0),
            ..c.clone()
        };
        let e = fx.app.add_comment(&commenter, &line0).await.unwrap_err();
        assert!(
            matches!(
                e,
                AppError::Invalid {
                    field: "block_line",
                    ..
                }
            ),
            "{e:?}"
        );
        // A reply is resolved with its thread; the editor of another sector may not
        // resolve; the author and the coordinator may.
        let e = fx
            .app
            .resolve_comment(&coord, reply.id, None, true)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "com-err-reply-resolve");
        let editor = fx.ctx(&fx.editor).await;
        let e = fx
            .app
            .resolve_comment(&editor, thread.id, None, true)
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "com-err-resolve-forbidden");
        let (done, _) = fx
            .app
            .resolve_comment(&commenter, thread.id, None, true)
            .await
            .unwrap();
        assert!(done.resolved_at.is_some());
        assert_eq!(fx.last_audit().await.0, "comment_resolved");
        let (open, _) = fx
            .app
            .resolve_comment(&coord, thread.id, Some(sid), false)
            .await
            .unwrap();
        assert!(open.resolved_at.is_none());
        assert_eq!(fx.last_audit().await.0, "comment_reopened");
        // The thread is not in another section.
        let e = fx
            .app
            .resolve_comment(&coord, thread.id, Some(sid + 1000), true)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)));
    }
);

both!(
    a_change_is_rolled_back_when_its_audit_entry_cannot_be_written,
    |fx: Fx| async move {
        let coord = fx.ctx(&fx.coord).await;
        let sid = coord_first_section(&fx, &coord).await;
        let s = fx.app.current_section(&coord, sid).await.unwrap();
        let sections_before = fx.db.sections(fx.report).await.unwrap().len();
        // The audit log is gone: every audit insert fails from now on.
        sqlx::query("DROP TABLE audit_log")
            .execute(fx.db.pool())
            .await
            .unwrap();
        let save = TextSave {
            base_revision: 0,
            body: "Ei tallennu".into(),
            note: None,
        };
        let e = fx
            .app
            .save_section_text(&coord, &s, &save)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Internal(_)), "{e:?}");
        let after = fx.db.section(sid).await.unwrap().unwrap();
        assert_eq!(after.revision, 0, "the revision was rolled back");
        assert_eq!(after.body, "");
        let meta = SectionMeta {
            heading: "Ei lisäänny".into(),
            ..Default::default()
        };
        assert!(fx.app.add_section(&coord, &meta).await.is_err());
        assert_eq!(
            fx.db.sections(fx.report).await.unwrap().len(),
            sections_before
        );
        let c = NewComment {
            section_id: Some(sid),
            body: "Ei jää".into(),
            ..Default::default()
        };
        assert!(fx.app.add_comment(&coord, &c).await.is_err());
        assert!(fx.db.comments(fx.report).await.unwrap().is_empty());
        let draft = ReportDraft {
            kind: "term_report".into(),
            title: "Ei synny".into(),
            term_start: "2025".into(),
            term_end: "2029".into(),
            ..Default::default()
        };
        let asikkala = "KUNTA:016".parse().unwrap();
        assert!(fx
            .app
            .create_report(&fx.coord, &asikkala, &draft)
            .await
            .is_err());
        assert_eq!(fx.db.reports_of(&asikkala).await.unwrap().len(), 1);
    }
);
