//! The *permohonan informasi* state machine (kip-rules §9.1).
//!
//! [`RequestClock`] holds a request's state and the trigger dates its deadlines derive from;
//! [`transition`] is the one function that moves it, returning an error for every event the law
//! does not allow in the current state. Overdue is a flag computed from the clock, never a state.

use crate::calendar::{limits, DeadlineOwner, Deadlines};
use crate::model::{coded_enum, ExemptionGround, ObjectionGround, Outcome, UnitId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// Where a request stands.
    RequestState {
        /// Received and numbered; waiting for the PPID Utama to route it to a unit.
        Registered = "registered",
        /// Routed to the unit that holds the information.
        InProcess = "in_process",
        /// The one extension of up to 7 working days was given.
        Extended = "extended",
        /// The written notice granted the request (fully or partly).
        Granted = "granted",
        /// A fee for copying or delivery was notified; waiting for payment.
        AwaitingPayment = "awaiting_payment",
        /// The information was delivered.
        Delivered = "delivered",
        /// Refused on an exemption ground.
        Refused = "refused",
        /// Not held by this body (forwarded when the holder is named).
        NotHeld = "not_held",
        /// Not yet held or documented; the notice states when it will be.
        NotYetDocumented = "not_yet_documented",
        /// Withdrawn by the requester.
        Withdrawn = "withdrawn",
        /// The objection window passed, or the objection was concluded.
        Closed = "closed",
        /// A keberatan is being handled.
        UnderObjection = "under_objection",
    }
}

impl RequestState {
    /// States in which the body still owes the written notice.
    pub fn awaiting_notice(self) -> bool {
        matches!(self, RequestState::Registered | RequestState::InProcess | RequestState::Extended)
    }

    /// States in which the request is still open (can be withdrawn).
    pub fn is_open(self) -> bool {
        matches!(self, RequestState::Registered | RequestState::InProcess | RequestState::Extended | RequestState::Granted | RequestState::AwaitingPayment)
    }
}

/// A Pasal 17 exemption as recorded in a refusal or a partial grant: ground, consequence test
/// (*uji konsekuensi*) and the Atasan PPID's approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exemption {
    pub ground: ExemptionGround,
    /// What precisely is withheld, the harm if opened and the public-interest balance.
    pub consequence_test: String,
    /// Reference of the Atasan PPID's written approval (number and date).
    pub atasan_approval: String,
}

/// The written notice (*pemberitahuan tertulis*, UU KIP Pasal 22(7)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub outcome: Outcome,
    /// The notice text sent to the requester (what is given, how, format, costs).
    pub text: String,
    /// Required for `refused_exempt` and `granted_partial`.
    pub exemption: Option<Exemption>,
    /// The body that holds the information, for `not_held` (a forwarding when present).
    pub holder: Option<String>,
    /// When the information will be documented, for `not_yet_documented`.
    pub expected_date: Option<NaiveDate>,
    /// Copying/delivery fee in rupiah; 0 when free.
    pub fee: i64,
}

/// Why a notice is not acceptable. Each maps to a translated message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NoticeProblem {
    TextMissing,
    ExemptionRequired,
    ConsequenceTestMissing,
    ApprovalMissing,
    ExpectedDateRequired,
    NegativeFee,
    FeeOnlyWhenGranted,
}

impl NoticeProblem {
    pub fn code(self) -> &'static str {
        match self {
            NoticeProblem::TextMissing => "err.notice_text",
            NoticeProblem::ExemptionRequired => "err.exemption_required",
            NoticeProblem::ConsequenceTestMissing => "err.consequence_test",
            NoticeProblem::ApprovalMissing => "err.atasan_approval",
            NoticeProblem::ExpectedDateRequired => "err.expected_date",
            NoticeProblem::NegativeFee => "err.fee",
            NoticeProblem::FeeOnlyWhenGranted => "err.fee_only_granted",
        }
    }
}

impl Notice {
    /// Checks the notice carries what its outcome requires (kip-rules §3.5, Pasal 19).
    pub fn check(&self) -> Result<(), NoticeProblem> {
        if self.text.trim().len() < 10 {
            return Err(NoticeProblem::TextMissing);
        }
        if self.fee < 0 {
            return Err(NoticeProblem::NegativeFee);
        }
        let granted = matches!(self.outcome, Outcome::GrantedFull | Outcome::GrantedPartial);
        if self.fee > 0 && !granted {
            return Err(NoticeProblem::FeeOnlyWhenGranted);
        }
        if matches!(self.outcome, Outcome::RefusedExempt | Outcome::GrantedPartial) {
            let ex = self.exemption.as_ref().ok_or(NoticeProblem::ExemptionRequired)?;
            if ex.consequence_test.trim().len() < 20 {
                return Err(NoticeProblem::ConsequenceTestMissing);
            }
            if ex.atasan_approval.trim().len() < 3 {
                return Err(NoticeProblem::ApprovalMissing);
            }
        }
        if self.outcome == Outcome::NotYetDocumented && self.expected_date.is_none() {
            return Err(NoticeProblem::ExpectedDateRequired);
        }
        Ok(())
    }

    /// The state a notice leads to.
    pub fn resulting_state(&self) -> RequestState {
        match self.outcome {
            Outcome::GrantedFull | Outcome::GrantedPartial => RequestState::Granted,
            Outcome::RefusedExempt => RequestState::Refused,
            Outcome::NotHeld => RequestState::NotHeld,
            Outcome::NotYetDocumented => RequestState::NotYetDocumented,
        }
    }
}

/// The state of a request and the trigger dates its deadlines derive from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestClock {
    pub state: RequestState,
    pub unit: Option<UnitId>,
    /// Day 0: the working day the request counts as received.
    pub day0: NaiveDate,
    /// When the written notice is due (10 working days, +7 once extended).
    pub notice_due: NaiveDate,
    pub extended: bool,
    pub outcome: Option<Outcome>,
    /// The day the written notice was given.
    pub notice_day: Option<NaiveDate>,
    /// The day a fee was notified.
    pub fee_day: Option<NaiveDate>,
    /// The day the information was delivered.
    pub delivered_day: Option<NaiveDate>,
}

impl RequestClock {
    /// A newly registered request counted from `day0`.
    pub fn registered(day0: NaiveDate, dl: &Deadlines) -> Self {
        RequestClock {
            state: RequestState::Registered,
            unit: None,
            day0,
            notice_due: dl.due(day0, limits::NOTICE, DeadlineOwner::Body),
            extended: false,
            outcome: None,
            notice_day: None,
            fee_day: None,
            delivered_day: None,
        }
    }

    /// The body owes the notice, or the granted information itself, and the deadline has passed
    /// (objection grounds c and g). Delivery is held to the notice deadline too: kip-rules §3.4
    /// leaves the delivery limit unconfirmed and several ministries read it so, which protects
    /// the requester. A request waiting for the requester's payment is not the body's delay.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.body_owes() && today > self.notice_due
    }

    /// Whether the body still owes the notice or the granted information.
    pub fn body_owes(&self) -> bool {
        self.state.awaiting_notice() || self.state == RequestState::Granted
    }

    pub fn is_due_soon(&self, today: NaiveDate, dl: &Deadlines) -> bool {
        self.body_owes() && dl.due_soon(today, self.notice_due, DeadlineOwner::Body)
    }

    /// Whether the notice was given after its deadline.
    pub fn answered_late(&self) -> Option<bool> {
        self.notice_day.map(|d| d > self.notice_due)
    }

    /// The day the last decision reached the requester, from which the 30 days to object run.
    pub fn decision_day(&self) -> Option<NaiveDate> {
        self.delivered_day.or(self.fee_day).or(self.notice_day)
    }

    /// The last day to file a keberatan against the notice or delivery (requester-owed, 30 working days).
    pub fn objection_window_end(&self, dl: &Deadlines) -> Option<NaiveDate> {
        self.decision_day().map(|d| dl.due(d, limits::OBJECTION_FILING, DeadlineOwner::Requester))
    }

    /// The day each objection ground arose, used only to flag late filing (never to block it).
    /// Ground b (periodic information) has no request-bound date.
    pub fn ground_date(&self, ground: ObjectionGround) -> Option<NaiveDate> {
        match ground {
            ObjectionGround::A | ObjectionGround::D | ObjectionGround::E => self.notice_day,
            ObjectionGround::F => self.fee_day.or(self.notice_day),
            ObjectionGround::G => self.delivered_day.or(self.notice_day),
            ObjectionGround::C => Some(match self.notice_day {
                Some(d) if d > self.notice_due => d,
                _ => self.notice_due,
            }),
            ObjectionGround::B => None,
        }
    }

    /// Whether a keberatan with these grounds filed on `filed` is late. To protect the requester
    /// the latest ground date counts, and a filing is never blocked for lateness (kip-rules §4.2).
    pub fn objection_late(&self, grounds: &[ObjectionGround], filed: NaiveDate, dl: &Deadlines) -> bool {
        let latest = grounds.iter().filter_map(|g| self.ground_date(*g)).max();
        match latest {
            Some(d) => filed > dl.due(d, limits::OBJECTION_FILING, DeadlineOwner::Requester),
            None => false,
        }
    }
}

/// Everything that can happen to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestEvent {
    /// The PPID Utama routes the request to the unit holding the information (or re-routes it).
    Route { unit: UnitId },
    /// The one extension, with its mandatory written reason.
    Extend { reason: String },
    /// The written notice with its outcome.
    Answer(Notice),
    /// A fee for copying or delivery was notified (only after a grant with a fee).
    NotifyFee,
    /// The information was delivered to the requester.
    Deliver,
    /// The requester withdraws the request.
    Withdraw,
    /// The objection window passed with no keberatan.
    Close,
    /// The requester filed a keberatan.
    FileObjection,
    /// The keberatan was concluded; `release` when the Atasan ordered the information released.
    ObjectionConcluded { release: bool },
}

impl RequestEvent {
    /// A stable code for history and audit entries.
    pub fn code(&self) -> &'static str {
        match self {
            RequestEvent::Route { .. } => "route",
            RequestEvent::Extend { .. } => "extend",
            RequestEvent::Answer(_) => "answer",
            RequestEvent::NotifyFee => "notify_fee",
            RequestEvent::Deliver => "deliver",
            RequestEvent::Withdraw => "withdraw",
            RequestEvent::Close => "close",
            RequestEvent::FileObjection => "file_objection",
            RequestEvent::ObjectionConcluded { .. } => "objection_concluded",
        }
    }
}

/// Why a transition is refused. Each maps to a translated message (`err.<code>`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum TransitionError {
    #[error("event {event} is not allowed in state {state}")]
    NotAllowed { state: &'static str, event: &'static str },
    #[error("the request was already extended once")]
    AlreadyExtended,
    #[error("an extension must be sent before the notice is due")]
    ExtensionTooLate,
    #[error("an extension needs a written reason")]
    ReasonRequired,
    #[error("the notice is incomplete: {0:?}")]
    BadNotice(NoticeProblem),
    #[error("the objection window has not ended yet")]
    WindowStillOpen,
    #[error("a fee can only be notified when the notice states one")]
    NoFee,
    #[error("already in that unit")]
    SameUnit,
    #[error("the request must be routed to a unit first")]
    NotRouted,
}

impl TransitionError {
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::NotAllowed { .. } => "err.transition_not_allowed",
            TransitionError::AlreadyExtended => "err.already_extended",
            TransitionError::ExtensionTooLate => "err.extension_too_late",
            TransitionError::ReasonRequired => "err.reason_required",
            TransitionError::BadNotice(p) => p.code(),
            TransitionError::WindowStillOpen => "err.window_open",
            TransitionError::NoFee => "err.no_fee",
            TransitionError::SameUnit => "err.same_unit",
            TransitionError::NotRouted => "err.not_routed",
        }
    }
}

/// Moves a request. `today` is the WIB date the event happens; `fee` is the fee stated in the
/// notice (needed for `NotifyFee`).
pub fn transition(clock: &RequestClock, event: &RequestEvent, today: NaiveDate, fee: i64, dl: &Deadlines) -> Result<RequestClock, TransitionError> {
    use RequestState as S;
    let not_allowed = || TransitionError::NotAllowed { state: clock.state.as_str(), event: event.code() };
    let mut next = clock.clone();
    match (clock.state, event) {
        (S::Registered | S::InProcess, RequestEvent::Route { unit }) => {
            if clock.unit == Some(*unit) {
                return Err(TransitionError::SameUnit);
            }
            next.state = S::InProcess;
            next.unit = Some(*unit);
        }
        (S::InProcess, RequestEvent::Extend { reason }) => {
            if clock.extended {
                return Err(TransitionError::AlreadyExtended);
            }
            if reason.trim().len() < 10 {
                return Err(TransitionError::ReasonRequired);
            }
            if today > clock.notice_due {
                return Err(TransitionError::ExtensionTooLate);
            }
            next.state = S::Extended;
            next.extended = true;
            next.notice_due = dl.due(clock.notice_due, limits::EXTENSION, DeadlineOwner::Body);
        }
        (S::Extended, RequestEvent::Extend { .. }) => return Err(TransitionError::AlreadyExtended),
        (S::InProcess | S::Extended, RequestEvent::Answer(notice)) => {
            notice.check().map_err(TransitionError::BadNotice)?;
            next.state = notice.resulting_state();
            next.outcome = Some(notice.outcome);
            next.notice_day = Some(today);
        }
        (S::Registered, RequestEvent::Extend { .. } | RequestEvent::Answer(_)) => return Err(TransitionError::NotRouted),
        (S::Granted, RequestEvent::NotifyFee) => {
            if fee <= 0 {
                return Err(TransitionError::NoFee);
            }
            next.state = S::AwaitingPayment;
            next.fee_day = Some(today);
        }
        (S::Granted | S::AwaitingPayment, RequestEvent::Deliver) => {
            next.state = S::Delivered;
            next.delivered_day = Some(today);
        }
        (s, RequestEvent::Withdraw) if s.is_open() => next.state = S::Withdrawn,
        (S::Delivered | S::Refused | S::NotHeld | S::NotYetDocumented, RequestEvent::Close) => match clock.objection_window_end(dl) {
            Some(end) if today > end => next.state = S::Closed,
            _ => return Err(TransitionError::WindowStillOpen),
        },
        // A keberatan may be filed from any state but withdrawn or already under objection; late
        // filings are recorded as late, never blocked (kip-rules §4.2, protective reading).
        (s, RequestEvent::FileObjection) if s != S::Withdrawn && s != S::UnderObjection => {
            next.state = S::UnderObjection;
        }
        (S::UnderObjection, RequestEvent::ObjectionConcluded { release }) => {
            next.state = if *release { S::Granted } else { S::Closed };
        }
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

    fn notice(outcome: Outcome) -> Notice {
        let exemption = matches!(outcome, Outcome::RefusedExempt | Outcome::GrantedPartial).then(|| Exemption {
            ground: ExemptionGround::H,
            consequence_test: "Membuka data kesehatan pribadi pasien merugikan hak privasi.".into(),
            atasan_approval: "ND-12/2026".into(),
        });
        Notice {
            outcome,
            text: "Informasi diberikan dalam bentuk salinan elektronik.".into(),
            exemption,
            holder: None,
            expected_date: (outcome == Outcome::NotYetDocumented).then(|| d("2026-12-31")),
            fee: 0,
        }
    }

    /// One representative of every event kind.
    fn all_events() -> Vec<RequestEvent> {
        vec![
            RequestEvent::Route { unit: 2 },
            RequestEvent::Extend { reason: "Dokumen berada di arsip inaktif.".into() },
            RequestEvent::Answer(notice(Outcome::GrantedFull)),
            RequestEvent::NotifyFee,
            RequestEvent::Deliver,
            RequestEvent::Withdraw,
            RequestEvent::Close,
            RequestEvent::FileObjection,
            RequestEvent::ObjectionConcluded { release: true },
        ]
    }

    /// A request in `state`, unit 1, received 2026-11-02 (notice due 2026-11-16), decided on
    /// 2026-11-05 where that applies.
    fn clock_in(state: RequestState, dl: &Deadlines) -> RequestClock {
        let mut c = RequestClock::registered(d("2026-11-02"), dl);
        c.state = state;
        if state != RequestState::Registered {
            c.unit = Some(1);
        }
        if state == RequestState::Extended {
            c.extended = true;
        }
        if matches!(
            state,
            RequestState::Granted
                | RequestState::AwaitingPayment
                | RequestState::Delivered
                | RequestState::Refused
                | RequestState::NotHeld
                | RequestState::NotYetDocumented
                | RequestState::Closed
        ) {
            c.notice_day = Some(d("2026-11-05"));
        }
        c
    }

    /// The transition table written out independently of `transition`: (state, event) pairs
    /// that are allowed. Every other pair must be refused.
    fn allowed(state: RequestState, event: &str) -> bool {
        use RequestState as S;
        let open = matches!(state, S::Registered | S::InProcess | S::Extended | S::Granted | S::AwaitingPayment);
        match event {
            "route" => matches!(state, S::Registered | S::InProcess),
            "extend" => state == S::InProcess,
            "answer" => matches!(state, S::InProcess | S::Extended),
            "notify_fee" => state == S::Granted,
            "deliver" => matches!(state, S::Granted | S::AwaitingPayment),
            "withdraw" => open,
            "close" => matches!(state, S::Delivered | S::Refused | S::NotHeld | S::NotYetDocumented),
            "file_objection" => !matches!(state, S::Withdrawn | S::UnderObjection),
            "objection_concluded" => state == S::UnderObjection,
            _ => unreachable!(),
        }
    }

    #[test]
    fn every_state_event_pair_matches_the_table() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let mut checked = 0;
        for state in RequestState::ALL {
            for event in all_events() {
                let clock = clock_in(*state, &dl);
                // Late enough for the objection window to have passed, early enough to extend?
                // Use the day that makes each guard pass, so only the table decides.
                let today = match event {
                    RequestEvent::Close => d("2027-02-01"),
                    _ => d("2026-11-06"),
                };
                let result = transition(&clock, &event, today, 50_000, &dl);
                assert_eq!(result.is_ok(), allowed(*state, event.code()), "state {state} event {}: {result:?}", event.code());
                checked += 1;
            }
        }
        assert_eq!(checked, RequestState::ALL.len() * 9);
    }

    #[test]
    fn refused_pairs_name_the_state_and_event() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let err = transition(&clock_in(RequestState::Withdrawn, &dl), &RequestEvent::Deliver, d("2026-11-06"), 0, &dl).unwrap_err();
        assert_eq!(err, TransitionError::NotAllowed { state: "withdrawn", event: "deliver" });
        assert_eq!(err.code(), "err.transition_not_allowed");
    }

    #[test]
    fn answers_lead_to_their_states() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let c = clock_in(RequestState::InProcess, &dl);
        for (o, s) in [
            (Outcome::GrantedFull, RequestState::Granted),
            (Outcome::GrantedPartial, RequestState::Granted),
            (Outcome::RefusedExempt, RequestState::Refused),
            (Outcome::NotHeld, RequestState::NotHeld),
            (Outcome::NotYetDocumented, RequestState::NotYetDocumented),
        ] {
            let next = transition(&c, &RequestEvent::Answer(notice(o)), d("2026-11-06"), 0, &dl).unwrap();
            assert_eq!(next.state, s);
            assert_eq!(next.outcome, Some(o));
            assert_eq!(next.notice_day, Some(d("2026-11-06")));
            assert_eq!(next.answered_late(), Some(false));
        }
    }

    #[test]
    fn notices_must_carry_what_the_outcome_requires() {
        let mut n = notice(Outcome::RefusedExempt);
        n.exemption = None;
        assert_eq!(n.check(), Err(NoticeProblem::ExemptionRequired));
        let mut n = notice(Outcome::GrantedPartial);
        n.exemption.as_mut().unwrap().consequence_test = "singkat".into();
        assert_eq!(n.check(), Err(NoticeProblem::ConsequenceTestMissing));
        let mut n = notice(Outcome::RefusedExempt);
        n.exemption.as_mut().unwrap().atasan_approval = "".into();
        assert_eq!(n.check(), Err(NoticeProblem::ApprovalMissing));
        let mut n = notice(Outcome::NotYetDocumented);
        n.expected_date = None;
        assert_eq!(n.check(), Err(NoticeProblem::ExpectedDateRequired));
        let mut n = notice(Outcome::NotHeld);
        n.fee = 1000;
        assert_eq!(n.check(), Err(NoticeProblem::FeeOnlyWhenGranted));
        let mut n = notice(Outcome::GrantedFull);
        n.text = "ok".into();
        assert_eq!(n.check(), Err(NoticeProblem::TextMissing));
        let mut n = notice(Outcome::GrantedFull);
        n.fee = -1;
        assert_eq!(n.check(), Err(NoticeProblem::NegativeFee));
    }

    #[test]
    fn extension_adds_seven_working_days_once_and_only_in_time() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let c = clock_in(RequestState::InProcess, &dl);
        assert_eq!(c.notice_due, d("2026-11-16"));
        let ext = RequestEvent::Extend { reason: "Dokumen berada di arsip inaktif.".into() };
        let e = transition(&c, &ext, d("2026-11-16"), 0, &dl).unwrap();
        assert_eq!(e.state, RequestState::Extended);
        assert_eq!(e.notice_due, d("2026-11-25"));
        assert_eq!(transition(&e, &ext, d("2026-11-17"), 0, &dl), Err(TransitionError::AlreadyExtended));
        assert_eq!(transition(&c, &ext, d("2026-11-17"), 0, &dl), Err(TransitionError::ExtensionTooLate));
        let short = RequestEvent::Extend { reason: " ".into() };
        assert_eq!(transition(&c, &short, d("2026-11-10"), 0, &dl), Err(TransitionError::ReasonRequired));
    }

    #[test]
    fn overdue_is_a_flag_not_a_state() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let c = clock_in(RequestState::InProcess, &dl);
        assert!(!c.is_overdue(d("2026-11-16")));
        assert!(c.is_overdue(d("2026-11-17")));
        assert!(c.is_due_soon(d("2026-11-12"), &dl));
        let answered = transition(&c, &RequestEvent::Answer(notice(Outcome::NotHeld)), d("2026-11-18"), 0, &dl).unwrap();
        assert!(!answered.is_overdue(d("2026-11-30")));
        assert_eq!(answered.answered_late(), Some(true));
        // Granted but not delivered by the deadline: still overdue (delivery is owed too).
        let granted = transition(&c, &RequestEvent::Answer(notice(Outcome::GrantedFull)), d("2026-11-10"), 0, &dl).unwrap();
        assert!(!granted.is_overdue(d("2026-11-16")));
        assert!(granted.is_overdue(d("2026-11-17")));
        let delivered = transition(&granted, &RequestEvent::Deliver, d("2026-11-17"), 0, &dl).unwrap();
        assert!(!delivered.is_overdue(d("2026-11-30")));
    }

    #[test]
    fn closing_waits_for_the_objection_window() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let c = clock_in(RequestState::Refused, &dl);
        // Notice 2026-11-05 + 30 working days = 2026-12-17.
        assert_eq!(c.objection_window_end(&dl), Some(d("2026-12-17")));
        assert_eq!(transition(&c, &RequestEvent::Close, d("2026-12-17"), 0, &dl), Err(TransitionError::WindowStillOpen));
        assert_eq!(transition(&c, &RequestEvent::Close, d("2026-12-18"), 0, &dl).unwrap().state, RequestState::Closed);
    }

    #[test]
    fn fees_and_delivery() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let c = clock_in(RequestState::Granted, &dl);
        assert_eq!(transition(&c, &RequestEvent::NotifyFee, d("2026-11-06"), 0, &dl), Err(TransitionError::NoFee));
        let p = transition(&c, &RequestEvent::NotifyFee, d("2026-11-06"), 5000, &dl).unwrap();
        assert_eq!(p.state, RequestState::AwaitingPayment);
        let del = transition(&p, &RequestEvent::Deliver, d("2026-11-09"), 5000, &dl).unwrap();
        assert_eq!(del.state, RequestState::Delivered);
        assert_eq!(del.decision_day(), Some(d("2026-11-09")));
    }

    #[test]
    fn objection_lateness_is_flagged_from_the_latest_ground() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let c = clock_in(RequestState::Refused, &dl);
        // Ground a arose on the notice day 2026-11-05; window ends 2026-12-17.
        assert!(!c.objection_late(&[ObjectionGround::A], d("2026-12-17"), &dl));
        assert!(c.objection_late(&[ObjectionGround::A], d("2026-12-18"), &dl));
        // Ground b is never late.
        assert!(!c.objection_late(&[ObjectionGround::B], d("2027-06-01"), &dl));
        // Unanswered request: ground c arises at the notice deadline.
        let open = clock_in(RequestState::InProcess, &dl);
        assert_eq!(open.ground_date(ObjectionGround::C), Some(d("2026-11-16")));
        // Objection filing is allowed even when late; the state machine does not block it.
        assert!(transition(&c, &RequestEvent::FileObjection, d("2027-06-01"), 0, &dl).is_ok());
    }

    #[test]
    fn routing_rules() {
        let cal = Calendar::default();
        let dl = Deadlines::new(&cal, DeadlinePolicy::default());
        let c = clock_in(RequestState::Registered, &dl);
        assert_eq!(transition(&c, &RequestEvent::Answer(notice(Outcome::GrantedFull)), d("2026-11-03"), 0, &dl), Err(TransitionError::NotRouted));
        let r = transition(&c, &RequestEvent::Route { unit: 3 }, d("2026-11-03"), 0, &dl).unwrap();
        assert_eq!((r.state, r.unit), (RequestState::InProcess, Some(3)));
        // Routing does not restart the clock: the deadline runs from receipt.
        assert_eq!(r.notice_due, c.notice_due);
        assert_eq!(transition(&r, &RequestEvent::Route { unit: 3 }, d("2026-11-03"), 0, &dl), Err(TransitionError::SameUnit));
    }
}
