//! The *keberatan* and dispute state machine (kip-rules §9.2).
//!
//! A keberatan is filed by the requester, decided by the Atasan PPID within 30 working days, and
//! may then go to the Komisi Informasi (KI). The platform records the dispute's steps so the body
//! and the requester can see every clock; the KI itself decides outside the platform.

use crate::calendar::{limits, DeadlineOwner, Deadlines};
use crate::model::{coded_enum, ObjectionGround};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded_enum! {
    ObjectionState {
        /// Filed and numbered.
        Registered = "registered",
        /// The Atasan PPID is reviewing it.
        InReview = "in_review",
        /// Settled by deliberation (*musyawarah*, grounds b-g only).
        Settled = "settled",
        /// Upheld: the Atasan ordered the information released.
        Upheld = "upheld",
        /// Rejected: the PPID's decision stands, with written reasons.
        Rejected = "rejected",
        /// The requester applied to the Komisi Informasi.
        DisputeFiled = "dispute_filed",
        /// The KI registered the dispute.
        DisputeRegistered = "dispute_registered",
        Mediation = "mediation",
        /// Mediated agreement: final and binding.
        MediationDecided = "mediation_decided",
        Adjudication = "adjudication",
        AdjudicationDecided = "adjudication_decided",
        /// A suit at PTUN or PN.
        InCourt = "in_court",
        DisputeClosed = "dispute_closed",
    }
}

impl ObjectionState {
    /// Whether the Atasan PPID still owes the response.
    pub fn awaiting_response(self) -> bool {
        matches!(self, ObjectionState::Registered | ObjectionState::InReview)
    }
}

/// The state of a keberatan and its trigger dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectionClock {
    pub state: ObjectionState,
    pub grounds: Vec<ObjectionGround>,
    /// Day 0 of the Atasan's clock: the working day the keberatan counts as received.
    pub day0: NaiveDate,
    /// The Atasan's response is due (30 working days, body-owed).
    pub response_due: NaiveDate,
    pub response_day: Option<NaiveDate>,
    /// The day the KI received the application.
    pub ki_received: Option<NaiveDate>,
    /// The day the adjudication decision was received.
    pub decision_received: Option<NaiveDate>,
}

impl ObjectionClock {
    pub fn registered(grounds: Vec<ObjectionGround>, day0: NaiveDate, dl: &Deadlines) -> Self {
        ObjectionClock {
            state: ObjectionState::Registered,
            grounds,
            day0,
            response_due: dl.due(day0, limits::OBJECTION_RESPONSE, DeadlineOwner::Body),
            response_day: None,
            ki_received: None,
            decision_received: None,
        }
    }

    /// Only grounds b-g may be settled by deliberation or mediated (Pasal 35(2), 40(2)).
    pub fn may_deliberate(&self) -> bool {
        !self.grounds.contains(&ObjectionGround::A)
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.state.awaiting_response() && today > self.response_due
    }

    /// The last day to apply to the KI: 14 working days (requester-owed) after the Atasan's
    /// response, or after the response period ended without one (UU KIP Pasal 37(2)).
    pub fn dispute_due(&self, dl: &Deadlines) -> NaiveDate {
        let from = self.response_day.unwrap_or(self.response_due);
        dl.due(from, limits::DISPUTE_FILING, DeadlineOwner::Requester)
    }

    /// When the KI must start and finish (Pasal 38), once it received the application.
    pub fn ki_deadlines(&self, dl: &Deadlines) -> Option<(NaiveDate, NaiveDate)> {
        self.ki_received.map(|r| (dl.due(r, limits::KI_START, DeadlineOwner::Body), dl.due(r, limits::KI_FINISH, DeadlineOwner::Body)))
    }

    /// The last day to sue after the adjudication decision (Pasal 47-48).
    pub fn court_due(&self, dl: &Deadlines) -> Option<NaiveDate> {
        self.decision_received.map(|r| dl.due(r, limits::DISPUTE_FILING, DeadlineOwner::Requester))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectionEvent {
    StartReview,
    /// Settled by deliberation.
    Settle,
    /// Upheld, with the order to release.
    Uphold,
    /// Rejected with written reasons (mandatory, Pasal 36(3)).
    Reject {
        reasons: String,
    },
    /// The requester applied to the KI on `ki_received`.
    FileDispute {
        ki_received: NaiveDate,
    },
    RegisterDispute,
    StartMediation,
    MediationAgreement,
    Adjudicate,
    AdjudicationDecision {
        received: NaiveDate,
    },
    FileSuit,
    CloseDispute,
}

impl ObjectionEvent {
    pub fn code(&self) -> &'static str {
        match self {
            ObjectionEvent::StartReview => "start_review",
            ObjectionEvent::Settle => "settle",
            ObjectionEvent::Uphold => "uphold",
            ObjectionEvent::Reject { .. } => "reject",
            ObjectionEvent::FileDispute { .. } => "file_dispute",
            ObjectionEvent::RegisterDispute => "register_dispute",
            ObjectionEvent::StartMediation => "start_mediation",
            ObjectionEvent::MediationAgreement => "mediation_agreement",
            ObjectionEvent::Adjudicate => "adjudicate",
            ObjectionEvent::AdjudicationDecision { .. } => "adjudication_decision",
            ObjectionEvent::FileSuit => "file_suit",
            ObjectionEvent::CloseDispute => "close_dispute",
        }
    }

    /// Events the Atasan PPID performs (the response itself).
    pub fn is_decision(&self) -> bool {
        matches!(self, ObjectionEvent::StartReview | ObjectionEvent::Settle | ObjectionEvent::Uphold | ObjectionEvent::Reject { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum ObjectionError {
    #[error("event {event} is not allowed in state {state}")]
    NotAllowed { state: &'static str, event: &'static str },
    #[error("ground a cannot be settled by deliberation or mediation")]
    NotNegotiable,
    #[error("a rejection needs written reasons")]
    ReasonsRequired,
    #[error("the KI can only be approached after a response or after the response period")]
    TooEarlyForDispute,
    #[error("the date cannot be in the future or before the keberatan")]
    BadDate,
}

impl ObjectionError {
    pub fn code(&self) -> &'static str {
        match self {
            ObjectionError::NotAllowed { .. } => "err.transition_not_allowed",
            ObjectionError::NotNegotiable => "err.not_negotiable",
            ObjectionError::ReasonsRequired => "err.reasons_required",
            ObjectionError::TooEarlyForDispute => "err.too_early_for_dispute",
            ObjectionError::BadDate => "err.bad_date",
        }
    }
}

pub fn transition(clock: &ObjectionClock, event: &ObjectionEvent, today: NaiveDate) -> Result<ObjectionClock, ObjectionError> {
    use ObjectionEvent as E;
    use ObjectionState as S;
    let not_allowed = || ObjectionError::NotAllowed { state: clock.state.as_str(), event: event.code() };
    let mut next = clock.clone();
    match (clock.state, event) {
        (S::Registered, E::StartReview) => next.state = S::InReview,
        (S::Registered | S::InReview, E::Settle) => {
            if !clock.may_deliberate() {
                return Err(ObjectionError::NotNegotiable);
            }
            next.state = S::Settled;
            next.response_day = Some(today);
        }
        (S::Registered | S::InReview, E::Uphold) => {
            next.state = S::Upheld;
            next.response_day = Some(today);
        }
        (S::Registered | S::InReview, E::Reject { reasons }) => {
            if reasons.trim().len() < 20 {
                return Err(ObjectionError::ReasonsRequired);
            }
            next.state = S::Rejected;
            next.response_day = Some(today);
        }
        (S::Rejected | S::Upheld | S::Registered | S::InReview, E::FileDispute { ki_received }) => {
            // Without a response, the KI may be approached only once the response period ended.
            if clock.state.awaiting_response() && !clock.is_overdue(today) {
                return Err(ObjectionError::TooEarlyForDispute);
            }
            if *ki_received > today || *ki_received < clock.day0 {
                return Err(ObjectionError::BadDate);
            }
            next.state = S::DisputeFiled;
            next.ki_received = Some(*ki_received);
        }
        (S::DisputeFiled, E::RegisterDispute) => next.state = S::DisputeRegistered,
        (S::DisputeRegistered, E::StartMediation) => {
            if !clock.may_deliberate() {
                return Err(ObjectionError::NotNegotiable);
            }
            next.state = S::Mediation;
        }
        (S::Mediation, E::MediationAgreement) => next.state = S::MediationDecided,
        (S::DisputeRegistered | S::Mediation, E::Adjudicate) => next.state = S::Adjudication,
        (S::Adjudication, E::AdjudicationDecision { received }) => {
            if *received > today {
                return Err(ObjectionError::BadDate);
            }
            next.state = S::AdjudicationDecided;
            next.decision_received = Some(*received);
        }
        (S::AdjudicationDecided, E::FileSuit) => next.state = S::InCourt,
        (S::MediationDecided | S::AdjudicationDecided | S::InCourt, E::CloseDispute) => next.state = S::DisputeClosed,
        _ => return Err(not_allowed()),
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{Calendar, DeadlinePolicy};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn events() -> Vec<ObjectionEvent> {
        vec![
            ObjectionEvent::StartReview,
            ObjectionEvent::Settle,
            ObjectionEvent::Uphold,
            ObjectionEvent::Reject { reasons: "Informasi memuat rahasia pribadi pihak ketiga.".into() },
            ObjectionEvent::FileDispute { ki_received: d("2027-01-20") },
            ObjectionEvent::RegisterDispute,
            ObjectionEvent::StartMediation,
            ObjectionEvent::MediationAgreement,
            ObjectionEvent::Adjudicate,
            ObjectionEvent::AdjudicationDecision { received: d("2027-01-20") },
            ObjectionEvent::FileSuit,
            ObjectionEvent::CloseDispute,
        ]
    }

    /// The table of allowed pairs, written independently of `transition`.
    fn allowed(state: ObjectionState, event: &str) -> bool {
        use ObjectionState as S;
        match event {
            "start_review" => state == S::Registered,
            "settle" | "uphold" | "reject" => matches!(state, S::Registered | S::InReview),
            "file_dispute" => matches!(state, S::Registered | S::InReview | S::Rejected | S::Upheld),
            "register_dispute" => state == S::DisputeFiled,
            "start_mediation" => state == S::DisputeRegistered,
            "mediation_agreement" => state == S::Mediation,
            "adjudicate" => matches!(state, S::DisputeRegistered | S::Mediation),
            "adjudication_decision" => state == S::Adjudication,
            "file_suit" => state == S::AdjudicationDecided,
            "close_dispute" => matches!(state, S::MediationDecided | S::AdjudicationDecided | S::InCourt),
            _ => unreachable!(),
        }
    }

    #[test]
    fn every_state_event_pair_matches_the_table() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let mut n = 0;
        for state in ObjectionState::ALL {
            for ev in events() {
                let mut c = ObjectionClock::registered(vec![ObjectionGround::C], d("2026-11-02"), &dl);
                c.state = *state;
                // Late enough that the response period has passed, so only the table decides.
                let r = transition(&c, &ev, d("2027-01-25"));
                assert_eq!(r.is_ok(), allowed(*state, ev.code()), "{state} {}: {r:?}", ev.code());
                n += 1;
            }
        }
        assert_eq!(n, ObjectionState::ALL.len() * 12);
    }

    #[test]
    fn clocks() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let c = ObjectionClock::registered(vec![ObjectionGround::A], d("2026-11-02"), &dl);
        assert_eq!(c.response_due, d("2026-12-14"));
        assert_eq!(c.dispute_due(&dl), d("2027-01-01"));
        let r = transition(&c, &ObjectionEvent::Reject { reasons: "Pengecualian sah menurut Pasal 17 huruf h.".into() }, d("2026-11-20")).unwrap();
        assert_eq!(r.response_day, Some(d("2026-11-20")));
        assert_eq!(r.dispute_due(&dl), d("2026-12-10"));
        let f = transition(&r, &ObjectionEvent::FileDispute { ki_received: d("2026-12-01") }, d("2026-12-02")).unwrap();
        assert_eq!(f.ki_deadlines(&dl), Some((d("2026-12-21"), d("2027-04-20"))));
    }

    #[test]
    fn ground_a_is_not_negotiable() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let c = ObjectionClock::registered(vec![ObjectionGround::A, ObjectionGround::C], d("2026-11-02"), &dl);
        assert_eq!(transition(&c, &ObjectionEvent::Settle, d("2026-11-03")), Err(ObjectionError::NotNegotiable));
        let mut reg = c.clone();
        reg.state = ObjectionState::DisputeRegistered;
        assert_eq!(transition(&reg, &ObjectionEvent::StartMediation, d("2026-11-03")), Err(ObjectionError::NotNegotiable));
        assert!(transition(&reg, &ObjectionEvent::Adjudicate, d("2026-11-03")).is_ok());
    }

    #[test]
    fn dispute_guards() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let c = ObjectionClock::registered(vec![ObjectionGround::C], d("2026-11-02"), &dl);
        // No response yet and period still running: too early.
        assert_eq!(transition(&c, &ObjectionEvent::FileDispute { ki_received: d("2026-11-10") }, d("2026-11-10")), Err(ObjectionError::TooEarlyForDispute));
        assert!(c.is_overdue(d("2026-12-15")));
        assert_eq!(transition(&c, &ObjectionEvent::FileDispute { ki_received: d("2026-12-20") }, d("2026-12-15")), Err(ObjectionError::BadDate));
        assert!(transition(&c, &ObjectionEvent::FileDispute { ki_received: d("2026-12-15") }, d("2026-12-15")).is_ok());
        assert_eq!(transition(&c, &ObjectionEvent::Reject { reasons: "tidak".into() }, d("2026-11-10")), Err(ObjectionError::ReasonsRequired));
    }
}
