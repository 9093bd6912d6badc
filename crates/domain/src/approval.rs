//! The approval workflow of a report as a pure state machine.
//!
//! ```text
//! draft ──► commenting ──► board_review ──► council_approved ──► published
//!   ▲            │               │
//!   └── send back (reason) ──────┘
//! ```
//!
//! - `commenting`: the sector groups comment the draft; the text can still change.
//! - `board_review`: management / the board reviews the text. From here on the text is
//!   **locked** ([`ApprovalState::locks_text`]): what the board and the council decide on
//!   must not change under them. Sending the report back to `draft` unlocks it.
//! - `council_approved`: the council's decision (date, minutes section §, optional link)
//!   is recorded, and the document is frozen as a version.
//! - `published`: the approved version is public (issue #7 serves it).
//!
//! Only coordinators (of the report's organisation) and admins move a report; editors,
//! commenters and readers cannot ([`may_move`]).

use crate::Role;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a report is in its approval.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalState {
    /// Being written.
    Draft,
    /// Sector groups comment the draft.
    Commenting,
    /// Management / board review.
    BoardReview,
    /// Approved by the council; a frozen version exists.
    CouncilApproved,
    /// Published.
    Published,
}

impl ApprovalState {
    /// All states in workflow order.
    pub const ALL: [ApprovalState; 5] = [
        ApprovalState::Draft,
        ApprovalState::Commenting,
        ApprovalState::BoardReview,
        ApprovalState::CouncilApproved,
        ApprovalState::Published,
    ];

    /// Storage and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalState::Draft => "draft",
            ApprovalState::Commenting => "commenting",
            ApprovalState::BoardReview => "board_review",
            ApprovalState::CouncilApproved => "council_approved",
            ApprovalState::Published => "published",
        }
    }

    /// Whether the text of the sections (and the outline) is locked. The board and the
    /// council decide on a fixed text, so board review and every later state lock it;
    /// only draft and commenting allow edits.
    pub fn locks_text(self) -> bool {
        !matches!(self, ApprovalState::Draft | ApprovalState::Commenting)
    }

    /// Whether the council has approved the report (approved or published).
    pub fn council_approved(self) -> bool {
        matches!(
            self,
            ApprovalState::CouncilApproved | ApprovalState::Published
        )
    }
}

impl fmt::Display for ApprovalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApprovalState {
    type Err = ApprovalError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ApprovalState::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or_else(|| ApprovalError::UnknownState(s.trim().to_string()))
    }
}

/// A move of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ApprovalMove)]
pub enum Move {
    /// draft → commenting.
    StartCommenting,
    /// commenting → board_review.
    ToBoard,
    /// board_review → council_approved (needs a [`Decision`]).
    CouncilApprove,
    /// council_approved → published.
    Publish,
    /// commenting or board_review → draft (needs a reason).
    SendBack,
}

impl Move {
    /// All moves.
    pub const ALL: [Move; 5] = [
        Move::StartCommenting,
        Move::ToBoard,
        Move::CouncilApprove,
        Move::Publish,
        Move::SendBack,
    ];

    /// Storage and API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Move::StartCommenting => "start_commenting",
            Move::ToBoard => "to_board",
            Move::CouncilApprove => "council_approve",
            Move::Publish => "publish",
            Move::SendBack => "send_back",
        }
    }

    /// The state a move leads to from `from`, if it is a move of that state.
    pub fn target(self, from: ApprovalState) -> Option<ApprovalState> {
        use ApprovalState::*;
        match (self, from) {
            (Move::StartCommenting, Draft) => Some(Commenting),
            (Move::ToBoard, Commenting) => Some(BoardReview),
            (Move::CouncilApprove, BoardReview) => Some(CouncilApproved),
            (Move::Publish, CouncilApproved) => Some(Published),
            (Move::SendBack, Commenting | BoardReview) => Some(Draft),
            _ => None,
        }
    }

    /// The moves possible from a state (for anyone allowed to move).
    pub fn from_state(from: ApprovalState) -> Vec<Move> {
        Move::ALL
            .into_iter()
            .filter(|m| m.target(from).is_some())
            .collect()
    }
}

impl fmt::Display for Move {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Move {
    type Err = ApprovalError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Move::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or_else(|| ApprovalError::UnknownMove(s.trim().to_string()))
    }
}

/// Whether a role (the caller's role in the report's organisation) may move reports:
/// coordinators and admins.
pub fn may_move(role: Role) -> bool {
    role.at_least(Role::Coordinator)
}

/// The council's decision, recorded with [`Move::CouncilApprove`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = CouncilDecision)]
pub struct Decision {
    /// Date of the council meeting, `YYYY-MM-DD`.
    pub date: String,
    /// Section of the minutes, e.g. `§ 45` (stored as given, trimmed).
    pub minutes_section: String,
    /// Link to the minutes, if any (`http(s)://`).
    pub link: Option<String>,
}

/// A requested move with its input, as it comes from a form or the API.
#[derive(Debug, Clone, Default)]
pub struct MoveInput {
    /// Reason (required for a send back; optional note otherwise).
    pub reason: String,
    /// Decision date (council approval).
    pub decision_date: String,
    /// Minutes section (council approval).
    pub minutes_section: String,
    /// Link to the minutes (optional).
    pub decision_link: String,
}

/// A validated move: what is stored in the approval event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The move.
    pub mv: Move,
    /// From.
    pub from: ApprovalState,
    /// To.
    pub to: ApprovalState,
    /// Reason or note, if given.
    pub reason: Option<String>,
    /// The council's decision (council approval only).
    pub decision: Option<Decision>,
}

/// Why a move was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    /// The role may not move reports.
    #[error("only the coordinator (or an admin) can move a report through approval")]
    NotAllowed,
    /// The move is not possible from the current state.
    #[error("a report in state {from} cannot be moved with {mv}")]
    NotFromState {
        /// Current state.
        from: ApprovalState,
        /// Requested move.
        mv: Move,
    },
    /// A send back without a reason.
    #[error("sending a report back needs a reason")]
    ReasonRequired,
    /// Council approval without a date.
    #[error("the council's decision date is required (YYYY-MM-DD)")]
    DateRequired,
    /// A date that is not a calendar date.
    #[error("'{0}' is not a date (use YYYY-MM-DD)")]
    BadDate(String),
    /// Council approval without the minutes section.
    #[error("the section (§) of the council's minutes is required")]
    SectionRequired,
    /// A link that is not http(s).
    #[error("the link to the minutes must start with http:// or https://")]
    BadLink,
    /// A text field too long.
    #[error("{0} is too long (at most {1} characters)")]
    TooLong(&'static str, usize),
    /// Unknown state name.
    #[error("unknown approval state '{0}'")]
    UnknownState(String),
    /// Unknown move name.
    #[error("unknown move '{0}' (expected start_commenting, to_board, council_approve, publish or send_back)")]
    UnknownMove(String),
}

impl ApprovalError {
    /// A stable key for translations (`appr-err-<key>`).
    pub fn key(&self) -> &'static str {
        match self {
            ApprovalError::NotAllowed => "not-allowed",
            ApprovalError::NotFromState { .. } => "not-from-state",
            ApprovalError::ReasonRequired => "reason-required",
            ApprovalError::DateRequired => "date-required",
            ApprovalError::BadDate(_) => "bad-date",
            ApprovalError::SectionRequired => "section-required",
            ApprovalError::BadLink => "bad-link",
            ApprovalError::TooLong(..) => "too-long",
            ApprovalError::UnknownState(_) => "unknown-state",
            ApprovalError::UnknownMove(_) => "unknown-move",
        }
    }

    /// Whether the refusal is about who asks (403) rather than what was asked (422).
    pub fn is_permission(&self) -> bool {
        matches!(self, ApprovalError::NotAllowed)
    }
}

const MAX_REASON: usize = 2000;
const MAX_SECTION: usize = 50;
const MAX_LINK: usize = 500;

/// Checks `YYYY-MM-DD` as a real calendar date.
pub fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    if !(1900..=2200).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

/// Decides a move: who may make it, whether it is possible from `from`, and whether the
/// input it needs is there. Pure: the caller records the returned [`Transition`].
pub fn decide(
    role: Role,
    from: ApprovalState,
    mv: Move,
    input: &MoveInput,
) -> Result<Transition, ApprovalError> {
    if !may_move(role) {
        return Err(ApprovalError::NotAllowed);
    }
    let to = mv
        .target(from)
        .ok_or(ApprovalError::NotFromState { from, mv })?;
    let reason = input.reason.trim();
    if reason.chars().count() > MAX_REASON {
        return Err(ApprovalError::TooLong("the reason", MAX_REASON));
    }
    if mv == Move::SendBack && reason.is_empty() {
        return Err(ApprovalError::ReasonRequired);
    }
    let decision = if mv == Move::CouncilApprove {
        let date = input.decision_date.trim();
        if date.is_empty() {
            return Err(ApprovalError::DateRequired);
        }
        if !valid_date(date) {
            return Err(ApprovalError::BadDate(date.to_string()));
        }
        let section = input.minutes_section.trim();
        if section.is_empty() {
            return Err(ApprovalError::SectionRequired);
        }
        if section.chars().count() > MAX_SECTION {
            return Err(ApprovalError::TooLong("the minutes section", MAX_SECTION));
        }
        let link = input.decision_link.trim();
        if link.chars().count() > MAX_LINK {
            return Err(ApprovalError::TooLong("the link", MAX_LINK));
        }
        if !(link.is_empty() || link.starts_with("https://") || link.starts_with("http://")) {
            return Err(ApprovalError::BadLink);
        }
        Some(Decision {
            date: date.to_string(),
            minutes_section: section.to_string(),
            link: Some(link.to_string()).filter(|l| !l.is_empty()),
        })
    } else {
        None
    };
    Ok(Transition {
        mv,
        from,
        to,
        reason: Some(reason.to_string()).filter(|r| !r.is_empty()),
        decision,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApprovalState::*;

    fn decision() -> MoveInput {
        MoveInput {
            decision_date: "2026-05-18".into(),
            minutes_section: "§ 45".into(),
            ..Default::default()
        }
    }

    #[test]
    fn happy_path_and_spelling() {
        let mut s = Draft;
        for (mv, input) in [
            (Move::StartCommenting, MoveInput::default()),
            (Move::ToBoard, MoveInput::default()),
            (Move::CouncilApprove, decision()),
            (Move::Publish, MoveInput::default()),
        ] {
            let t = decide(Role::Coordinator, s, mv, &input).unwrap();
            assert_eq!(t.from, s);
            s = t.to;
        }
        assert_eq!(s, Published);
        for st in ApprovalState::ALL {
            assert_eq!(st.as_str().parse::<ApprovalState>().unwrap(), st);
        }
        for m in Move::ALL {
            assert_eq!(m.as_str().parse::<Move>().unwrap(), m);
        }
    }

    #[test]
    fn every_move_from_every_state() {
        for from in ApprovalState::ALL {
            for mv in Move::ALL {
                let input = MoveInput {
                    reason: "syy".into(),
                    ..decision()
                };
                let r = decide(Role::Admin, from, mv, &input);
                assert_eq!(r.is_ok(), mv.target(from).is_some(), "{from} {mv}");
                for role in [Role::Reader, Role::Commenter, Role::Editor] {
                    assert_eq!(
                        decide(role, from, mv, &input),
                        Err(ApprovalError::NotAllowed)
                    );
                }
            }
        }
        assert_eq!(
            Move::from_state(Commenting),
            [Move::ToBoard, Move::SendBack]
        );
        assert!(Move::from_state(Published).is_empty());
    }

    #[test]
    fn send_back_needs_a_reason_and_council_needs_date_and_section() {
        let none = MoveInput::default();
        assert_eq!(
            decide(Role::Coordinator, BoardReview, Move::SendBack, &none),
            Err(ApprovalError::ReasonRequired)
        );
        let t = decide(
            Role::Coordinator,
            Commenting,
            Move::SendBack,
            &MoveInput {
                reason: " Puuttuu talous ".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(t.to, Draft);
        assert_eq!(t.reason.as_deref(), Some("Puuttuu talous"));
        assert_eq!(
            decide(Role::Coordinator, BoardReview, Move::CouncilApprove, &none),
            Err(ApprovalError::DateRequired)
        );
        let mut d = decision();
        d.decision_date = "2026-02-30".into();
        assert!(matches!(
            decide(Role::Coordinator, BoardReview, Move::CouncilApprove, &d),
            Err(ApprovalError::BadDate(_))
        ));
        let mut d = decision();
        d.minutes_section = " ".into();
        assert_eq!(
            decide(Role::Coordinator, BoardReview, Move::CouncilApprove, &d),
            Err(ApprovalError::SectionRequired)
        );
        let mut d = decision();
        d.decision_link = "javascript:alert(1)".into();
        assert_eq!(
            decide(Role::Coordinator, BoardReview, Move::CouncilApprove, &d),
            Err(ApprovalError::BadLink)
        );
        d.decision_link = "https://asikkala.fi/poytakirja".into();
        let t = decide(Role::Coordinator, BoardReview, Move::CouncilApprove, &d).unwrap();
        assert_eq!(
            t.decision.unwrap().link.as_deref(),
            Some("https://asikkala.fi/poytakirja")
        );
    }

    #[test]
    fn text_locks_from_board_review_on() {
        assert!(!Draft.locks_text());
        assert!(!Commenting.locks_text());
        assert!(BoardReview.locks_text());
        assert!(CouncilApproved.locks_text());
        assert!(Published.locks_text());
        assert!(valid_date("2024-02-29"));
        assert!(!valid_date("2023-02-29"));
        assert!(!valid_date("18.5.2026"));
    }
}
