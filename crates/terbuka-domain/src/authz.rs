//! Who may do what: every authorization decision in Terbuka is made by [`can`].
//!
//! Handlers never check roles themselves; they ask `can(actor, action, target_unit)`. The matrix
//! test below writes the whole role × action × own/other-unit table out by hand.

use crate::model::{coded_enum, OfficerId, Role, UnitId};
use serde::{Deserialize, Serialize};

/// A signed-in officer as far as authorization is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub officer: OfficerId,
    pub role: Role,
    /// The officer's unit. For PPID Pelaksana it scopes everything they do; an Atasan PPID with
    /// no unit is the body-level Atasan (e.g. the Sekretaris Daerah).
    pub unit: Option<UnitId>,
}

coded_enum! {
    Action {
        /// Open the officer console at all.
        UseConsole = "use_console",
        /// See a request's detail and history.
        ViewRequest = "view_request",
        /// See the requester's identity and contacts (personal data).
        ViewRequesterIdentity = "view_requester_identity",
        /// Register a request received at the desk or by post.
        RegisterPaperRequest = "register_paper_request",
        /// Route a request to a unit.
        RouteRequest = "route_request",
        /// Extend, answer, notify fee, deliver, attach documents.
        HandleRequest = "handle_request",
        /// See a keberatan.
        ViewObjection = "view_objection",
        /// Decide a keberatan (Atasan PPID only).
        DecideObjection = "decide_objection",
        /// Record the steps of a dispute at the Komisi Informasi.
        RecordDispute = "record_dispute",
        /// Add, list and disable officers.
        ManageOfficers = "manage_officers",
        /// Edit the holiday and cuti bersama calendar.
        EditCalendar = "edit_calendar",
        /// See a unit's register items in the console, drafts and exempt content included.
        ViewInfo = "view_info",
        /// Create, edit, attach files to, publish, schedule, withdraw and import register items.
        ManageInfo = "manage_info",
        /// Verify, reject, suspend and reinstate kolaborasi organisations and see their contact
        /// person.
        VerifyOrganisation = "verify_organisation",
        /// Work the kolaborasi moderation queue: reports, take-downs, disputes, the catalogue,
        /// and the pledgers' contacts when a dispute needs them.
        ModerateAid = "moderate_aid",
        /// Upload beneficiary lists and see duplicate-aid flags (hashes only, never a NIK).
        ManageBeneficiaries = "manage_beneficiaries",
        /// Define crisis-channel datasets and upload their data (body-level: not unit-bound).
        ManageCrisisData = "manage_crisis_data",
    }
}

/// Whether `actor` may perform `action` on something belonging to `target` (a request's unit;
/// `None` for things not yet routed or not unit-bound).
pub fn can(actor: &Actor, action: Action, target: Option<UnitId>) -> bool {
    use Action as A;
    let own = target.is_some() && target == actor.unit;
    match actor.role {
        Role::Admin => matches!(action, A::UseConsole | A::ManageOfficers | A::EditCalendar | A::ManageCrisisData),
        Role::PpidUtama => matches!(
            action,
            A::UseConsole
                | A::ViewRequest
                | A::ViewRequesterIdentity
                | A::RegisterPaperRequest
                | A::RouteRequest
                | A::HandleRequest
                | A::ViewObjection
                | A::RecordDispute
                | A::ViewInfo
                | A::ManageInfo
                | A::VerifyOrganisation
                | A::ModerateAid
                | A::ManageCrisisData
        ),
        Role::PpidPelaksana => match action {
            A::UseConsole | A::RegisterPaperRequest => true,
            A::ViewRequest | A::ViewRequesterIdentity | A::HandleRequest | A::ViewObjection | A::ViewInfo | A::ManageInfo => own,
            _ => false,
        },
        Role::AtasanPpid => {
            // A unit-bound Atasan decides only its unit's keberatan; the body-level one decides all.
            let in_scope = actor.unit.is_none() || own;
            match action {
                A::UseConsole => true,
                A::ViewRequest | A::ViewRequesterIdentity | A::ViewObjection | A::DecideObjection | A::RecordDispute | A::ViewInfo => in_scope,
                _ => false,
            }
        }
        Role::PetugasSosial => matches!(action, A::UseConsole | A::VerifyOrganisation | A::ModerateAid | A::ManageBeneficiaries),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The full matrix, written out by hand: for each role, the actions allowed on its own
    /// unit's things ("own"), another unit's ("other"), and unrouted ones ("none").
    /// Legend per action: (own, other, none).
    fn expected(role: Role, action: Action) -> (bool, bool, bool) {
        use Action as A;
        let all = (true, true, true);
        let nothing = (false, false, false);
        let own_only = (true, false, false);
        match (role, action) {
            (Role::Admin, A::UseConsole | A::ManageOfficers | A::EditCalendar | A::ManageCrisisData) => all,
            (Role::Admin, _) => nothing,
            (Role::PpidUtama, A::DecideObjection | A::ManageOfficers | A::EditCalendar | A::ManageBeneficiaries) => nothing,
            (Role::PpidUtama, _) => all,
            (Role::PpidPelaksana, A::UseConsole | A::RegisterPaperRequest) => all,
            (Role::PpidPelaksana, A::ViewRequest | A::ViewRequesterIdentity | A::HandleRequest | A::ViewObjection | A::ViewInfo | A::ManageInfo) => own_only,
            (Role::PpidPelaksana, _) => nothing,
            (Role::AtasanPpid, A::UseConsole) => all,
            (Role::AtasanPpid, A::ViewRequest | A::ViewRequesterIdentity | A::ViewObjection | A::DecideObjection | A::RecordDispute | A::ViewInfo) => own_only,
            (Role::AtasanPpid, _) => nothing,
            (Role::PetugasSosial, A::UseConsole | A::VerifyOrganisation | A::ModerateAid | A::ManageBeneficiaries) => all,
            (Role::PetugasSosial, _) => nothing,
        }
    }

    #[test]
    fn full_matrix_for_unit_bound_officers() {
        let mut cells = 0;
        for role in Role::ALL {
            let actor = Actor { officer: 1, role: *role, unit: Some(10) };
            for action in Action::ALL {
                let (own, other, none) = expected(*role, *action);
                assert_eq!(can(&actor, *action, Some(10)), own, "{role} {action} own unit");
                assert_eq!(can(&actor, *action, Some(11)), other, "{role} {action} other unit");
                assert_eq!(can(&actor, *action, None), none, "{role} {action} no unit");
                cells += 3;
            }
        }
        assert_eq!(cells, 5 * 17 * 3);
    }

    #[test]
    fn body_level_atasan_decides_everywhere() {
        let atasan = Actor { officer: 1, role: Role::AtasanPpid, unit: None };
        for target in [Some(10), Some(11), None] {
            assert!(can(&atasan, Action::DecideObjection, target));
            assert!(can(&atasan, Action::ViewRequesterIdentity, target));
            assert!(!can(&atasan, Action::HandleRequest, target));
            assert!(!can(&atasan, Action::ManageOfficers, target));
        }
    }

    #[test]
    fn crisis_data_is_managed_by_admin_and_ppid_utama_only_whatever_their_unit() {
        for role in Role::ALL {
            for unit in [None, Some(10)] {
                let actor = Actor { officer: 1, role: *role, unit };
                let allowed = matches!(role, Role::Admin | Role::PpidUtama);
                for target in [None, Some(10), Some(11)] {
                    assert_eq!(can(&actor, Action::ManageCrisisData, target), allowed, "{role} unit {unit:?} target {target:?}");
                }
            }
        }
    }

    #[test]
    fn pelaksana_without_unit_sees_nothing_unit_bound() {
        let p = Actor { officer: 1, role: Role::PpidPelaksana, unit: None };
        assert!(!can(&p, Action::ViewRequest, None));
        assert!(!can(&p, Action::ViewRequest, Some(3)));
    }
}
