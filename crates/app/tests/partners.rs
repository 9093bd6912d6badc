//! Partners of a joint report by consent (issue #14, item 11), on SQLite and
//! PostgreSQL alike, without HTTP. The attack: Asikkala names Lahti (`KUNTA:398`) a
//! partner of its report; before, Lahti's coordinator then had coordinator rights on
//! it. Now Lahti is only invited: its users can neither read nor change the report,
//! its coordinator sees the invitation (inviter and title) and gets the partner's
//! rights only by accepting. Declining and withdrawing remove the invitation; every
//! step is audited in both organisations' logs.

#[macro_use]
mod common;

use common::*;
use hyte_app::{Access, Actor, App, AppError};
use hyte_domain::{RegionKey, Role};

const ASIKKALA: &str = "KUNTA:016";
const LAHTI: &str = "KUNTA:398";
const HEINOLA: &str = "KUNTA:111";

fn key(s: &str) -> RegionKey {
    s.parse().unwrap()
}

/// Asikkala's coordinator, Lahti's coordinator and editor, Heinola's coordinator.
struct Fx {
    db: TestStore,
    app: App,
    coord: Actor,
    lahti: Actor,
    lahti_editor: Actor,
    heinola: Actor,
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
        let mut a = actors(
            &db.store,
            &[
                ("coord@asikkala.fi", ASIKKALA, Role::Coordinator, None),
                ("coord@lahti.fi", LAHTI, Role::Coordinator, None),
                (
                    "editor@lahti.fi",
                    LAHTI,
                    Role::Editor,
                    Some("central_administration"),
                ),
                ("coord@heinola.fi", HEINOLA, Role::Coordinator, None),
            ],
        )
        .await
        .into_iter();
        Fx {
            app,
            coord: a.next().unwrap(),
            lahti: a.next().unwrap(),
            lahti_editor: a.next().unwrap(),
            heinola: a.next().unwrap(),
            db,
        }
    }

    /// A report of Asikkala naming partners, as its coordinator starts it.
    async fn joint_report(&self, partners: &[&str]) -> i64 {
        let mut d = draft("term_report");
        d.partners = partners.iter().map(|p| p.to_string()).collect();
        self.app
            .create_report(&self.coord, &key(ASIKKALA), &d)
            .await
            .expect("a coordinator starts a joint report")
            .id
    }

    /// The actions of the audit log of an organisation, newest first.
    async fn actions(&self, org: &str) -> Vec<(String, String)> {
        self.db
            .store
            .audit_entries(Some(&key(org)), 1000)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.action, e.detail))
            .collect()
    }

    async fn access(&self, actor: &Actor, id: i64) -> Option<Access> {
        match self.app.load_report(actor, id).await {
            Ok(ctx) => Some(ctx.access),
            Err(e) => {
                assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
                assert_eq!(key_of(&e), "rep-err-forbidden");
                None
            }
        }
    }
}

fn forbidden(r: Result<impl std::fmt::Debug, AppError>, k: &str) {
    let e = r.expect_err("refused");
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    assert_eq!(key_of(&e), k);
}

fn not_found(r: Result<impl std::fmt::Debug, AppError>) {
    let e = r.expect_err("refused");
    assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
    assert_eq!(key_of(&e), "partner-err-no-invitation");
}

both!(
    an_invited_partner_has_no_access_until_its_coordinator_accepts,
    |fx: Fx| async move {
        let id = fx.joint_report(&[LAHTI]).await;
        let r = fx.app.load_report(&fx.coord, id).await.unwrap().report;
        assert!(r.partners.is_empty(), "nobody is a partner without consent");
        assert_eq!(r.invited_partners, vec![key(LAHTI)]);

        // The attack: Lahti's coordinator and editor can neither read nor change it.
        assert_eq!(fx.access(&fx.lahti, id).await, None);
        assert_eq!(fx.access(&fx.lahti_editor, id).await, None);
        let lahti_org = fx.app.organisation(&key(LAHTI)).await.unwrap();
        let listed = fx.app.reports_of(&fx.lahti, &lahti_org).await.unwrap();
        assert!(listed.iter().all(|r| r.id != id), "not in Lahti's reports");

        // Lahti's coordinator sees the invitation: who invites, to which report.
        let inv = fx
            .app
            .partner_invitations(&fx.lahti, &key(LAHTI))
            .await
            .unwrap();
        assert_eq!(inv.len(), 1);
        assert_eq!(inv[0].report_id, id);
        assert_eq!(inv[0].owner, key(ASIKKALA));
        assert_eq!(inv[0].report_title, "Hyvinvointikertomus 2025–2029");
        assert_eq!(inv[0].invited_by.as_deref(), Some("coord@asikkala.fi"));

        // Only Lahti's coordinators see and answer Lahti's invitations.
        forbidden(
            fx.app
                .partner_invitations(&fx.lahti_editor, &key(LAHTI))
                .await,
            "partner-err-forbidden",
        );
        forbidden(
            fx.app.partner_invitations(&fx.coord, &key(LAHTI)).await,
            "partner-err-forbidden",
        );
        forbidden(
            fx.app.accept_partnership(&fx.coord, &key(LAHTI), id).await,
            "partner-err-forbidden",
        );
        forbidden(
            fx.app
                .accept_partnership(&fx.lahti_editor, &key(LAHTI), id)
                .await,
            "partner-err-forbidden",
        );
        // Heinola's coordinator has no invitation to accept in its own name.
        not_found(
            fx.app
                .accept_partnership(&fx.heinola, &key(HEINOLA), id)
                .await,
        );
        assert_eq!(fx.access(&fx.heinola, id).await, None);

        // The invitation is in both organisations' audit logs.
        for org in [ASIKKALA, LAHTI] {
            let log = fx.actions(org).await;
            assert!(
                log.iter().any(|(a, d)| a == "partner_invited"
                    && d.contains(&format!("report {id}"))
                    && d.contains(LAHTI)),
                "{org}: {log:?}"
            );
        }

        // Accepting makes Lahti a partner: its coordinator gets the partner rights.
        fx.app
            .accept_partnership(&fx.lahti, &key(LAHTI), id)
            .await
            .unwrap();
        let ctx = fx.app.load_report(&fx.lahti, id).await.unwrap();
        assert_eq!(ctx.access, Access::Member(Role::Coordinator));
        assert!(ctx.can_manage());
        assert_eq!(ctx.report.partners, vec![key(LAHTI)]);
        assert!(ctx.report.invited_partners.is_empty());
        assert_eq!(
            fx.access(&fx.lahti_editor, id).await,
            Some(Access::Member(Role::Editor))
        );
        let listed = fx.app.reports_of(&fx.lahti, &lahti_org).await.unwrap();
        assert!(listed.iter().any(|r| r.id == id), "in Lahti's reports");
        for org in [ASIKKALA, LAHTI] {
            let (a, d) = fx.actions(org).await.remove(0);
            assert_eq!(a, "partner_accepted", "{org}");
            assert!(d.contains(&format!("report {id}")), "{d}");
        }
        // Answered: nothing left to accept, and the list is empty.
        not_found(fx.app.accept_partnership(&fx.lahti, &key(LAHTI), id).await);
        assert!(fx
            .app
            .partner_invitations(&fx.lahti, &key(LAHTI))
            .await
            .unwrap()
            .is_empty());
        // A partner's coordinator does not invite others or withdraw invitations.
        forbidden(
            fx.app.invite_partner(&ctx, HEINOLA).await,
            "partner-err-owner-only",
        );
    }
);

both!(
    declining_and_withdrawing_remove_the_invitation,
    |fx: Fx| async move {
        let id = fx.joint_report(&[LAHTI, HEINOLA]).await;
        let before = audit_count(&fx.db.store).await;

        // Lahti declines: the invitation is gone and Lahti still has no access.
        fx.app
            .decline_partnership(&fx.lahti, &key(LAHTI), id)
            .await
            .unwrap();
        assert_eq!(fx.access(&fx.lahti, id).await, None);
        not_found(fx.app.accept_partnership(&fx.lahti, &key(LAHTI), id).await);
        for org in [ASIKKALA, LAHTI] {
            assert_eq!(fx.actions(org).await[0].0, "partner_declined", "{org}");
        }
        assert_eq!(audit_count(&fx.db.store).await, before + 2);

        // Asikkala withdraws Heinola's invitation.
        let coord = fx.app.load_report(&fx.coord, id).await.unwrap();
        assert_eq!(coord.report.invited_partners, vec![key(HEINOLA)]);
        fx.app
            .withdraw_partner(&coord, &key(HEINOLA))
            .await
            .unwrap();
        for org in [ASIKKALA, HEINOLA] {
            assert_eq!(fx.actions(org).await[0].0, "partner_withdrawn", "{org}");
        }
        assert!(fx
            .app
            .partner_invitations(&fx.heinola, &key(HEINOLA))
            .await
            .unwrap()
            .is_empty());
        not_found(
            fx.app
                .accept_partnership(&fx.heinola, &key(HEINOLA), id)
                .await,
        );
        assert_eq!(fx.access(&fx.heinola, id).await, None);
        let coord = fx.app.load_report(&fx.coord, id).await.unwrap();
        assert!(coord.report.partners.is_empty());
        assert!(coord.report.invited_partners.is_empty());
        not_found(fx.app.withdraw_partner(&coord, &key(HEINOLA)).await);

        // Inviting again on the report's partner page: once; not itself, not nonsense.
        fx.app.invite_partner(&coord, LAHTI).await.unwrap();
        assert_eq!(fx.actions(LAHTI).await[0].0, "partner_invited");
        let e = fx.app.invite_partner(&coord, LAHTI).await.unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
        assert_eq!(key_of(&e), "partner-err-exists");
        let e = fx.app.invite_partner(&coord, ASIKKALA).await.unwrap_err();
        assert_eq!(key_of(&e), "partner-err-self");
        let e = fx
            .app
            .invite_partner(&coord, "KUNTA:999")
            .await
            .unwrap_err();
        assert_eq!(key_of(&e), "rep-err-partner");
        assert_eq!(
            fx.access(&fx.lahti, id).await,
            None,
            "invited again: no access"
        );

        // An accepted partnership is not withdrawn as an invitation.
        fx.app
            .accept_partnership(&fx.lahti, &key(LAHTI), id)
            .await
            .unwrap();
        not_found(fx.app.withdraw_partner(&coord, &key(LAHTI)).await);
        assert!(fx.access(&fx.lahti, id).await.is_some());
    }
);

both!(
    an_invited_partner_lists_no_published_report,
    |fx: Fx| async move {
        let id = fx.joint_report(&[LAHTI]).await;
        let mut tx = fx.db.store.begin().await.unwrap();
        tx.set_published(id, true, "coord@asikkala.fi")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            fx.app.published_report_ids(&key(ASIKKALA)).await.unwrap(),
            vec![id]
        );
        // The public list of Lahti's reports names only reports it is a partner of.
        assert!(fx
            .app
            .published_report_ids(&key(LAHTI))
            .await
            .unwrap()
            .is_empty());
        fx.app
            .accept_partnership(&fx.lahti, &key(LAHTI), id)
            .await
            .unwrap();
        assert_eq!(
            fx.app.published_report_ids(&key(LAHTI)).await.unwrap(),
            vec![id]
        );
    }
);
