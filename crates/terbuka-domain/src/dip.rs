//! The public information register (*Daftar Informasi Publik*, DIP) and the list of exempt
//! information (DIK): categories, the life-cycle of an item, exemption periods and the update
//! cadence of periodic information (kip-rules §2).
//!
//! An item carries exactly one category. The first three form the DIP; `dikecualikan` items form
//! the DIK: they are listed (title, unit, legal ground, period) but their content, files and
//! consequence-test text never leave the console. When an exemption period ends the item stops
//! being exempt and joins `category_after` (UU KIP Pasal 20).

use crate::model::{coded_enum, ExemptionGround, UnitId};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

coded_enum! {
    /// The four legal categories (UU KIP Pasal 9, 10, 11, 17).
    Category {
        /// *Informasi berkala*: published proactively, refreshed at least every 6 months.
        Berkala = "berkala",
        /// *Informasi serta-merta*: announced without delay.
        SertaMerta = "serta_merta",
        /// *Informasi tersedia setiap saat*: ready on request, may be published.
        SetiapSaat = "setiap_saat",
        /// *Informasi yang dikecualikan*: exempt (DIK).
        Dikecualikan = "dikecualikan",
    }
}

impl Category {
    /// The categories an item may fall back to when its exemption ends.
    pub const OPEN: &'static [Category] = &[Category::Berkala, Category::SertaMerta, Category::SetiapSaat];
    pub fn is_exempt(self) -> bool {
        self == Category::Dikecualikan
    }
}

coded_enum! {
    /// Where an item is in its life-cycle. Only `published` items are public.
    ItemState {
        Draft = "draft",
        /// Will be published by the jobs at `publish_at`.
        Scheduled = "scheduled",
        Published = "published",
        /// Taken off the public register; the withdrawal, its reason and the officer stay in the
        /// history and a public notice says when and why it was withdrawn.
        Withdrawn = "withdrawn",
    }
}

coded_enum! {
    /// What an officer (or the scheduler) does to an item's life-cycle.
    ItemEvent {
        Publish = "publish",
        Schedule = "schedule",
        Unschedule = "unschedule",
        /// The scheduler reached `publish_at`.
        ScheduleDue = "schedule_due",
        Withdraw = "withdraw",
        /// A withdrawn item goes back to draft, to be corrected and published again.
        Restore = "restore",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("event {event} is not allowed in state {state}")]
pub struct ForbiddenItemTransition {
    pub state: ItemState,
    pub event: ItemEvent,
}

/// The item life-cycle as a table. Every (state, event) pair not listed is forbidden.
pub fn transition(state: ItemState, event: ItemEvent) -> Result<ItemState, ForbiddenItemTransition> {
    use ItemEvent as E;
    use ItemState as S;
    let next = match (state, event) {
        (S::Draft | S::Scheduled, E::Publish) => S::Published,
        (S::Draft | S::Scheduled, E::Schedule) => S::Scheduled,
        (S::Scheduled, E::Unschedule) => S::Draft,
        (S::Scheduled, E::ScheduleDue) => S::Published,
        (S::Published, E::Withdraw) => S::Withdrawn,
        (S::Withdrawn, E::Restore) => S::Draft,
        _ => return Err(ForbiddenItemTransition { state, event }),
    };
    Ok(next)
}

coded_enum! {
    /// Retention period per the records schedule (*JRA*).
    RetentionKind {
        Years = "years",
        Permanent = "permanent",
    }
}

/// The exemption record of a `dikecualikan` item: the consequence test (*uji konsekuensi*,
/// UU KIP Pasal 19, Perki SLIP Pasal 49) and the determination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExemptionRecord {
    pub ground: ExemptionGround,
    /// The Law and article(s), e.g. "UU 14/2008 Pasal 17 huruf h angka 2".
    pub legal_basis: String,
    /// Precisely which information is withheld.
    pub withheld: String,
    /// The harm disclosure would cause.
    pub consequence: String,
    /// The public-interest consideration weighed against it.
    pub public_interest: String,
    /// Reference of the Atasan PPID's approval (e.g. the SK number).
    pub approval_ref: String,
    pub decided_on: NaiveDate,
    /// Last day of the exemption; `None` only for grounds without a fixed end (g, h, i, j).
    pub until: Option<NaiveDate>,
    /// The category the item joins when the exemption ends.
    pub category_after: Category,
}

/// Longest exemption period the rules allow (PP 61/2010: at most 30 years).
pub const MAX_EXEMPTION_YEARS: u32 = 30;

/// Whether a ground must carry an end date (UU KIP Pasal 20: letters a-f are time-limited).
pub fn ground_is_time_limited(g: ExemptionGround) -> bool {
    use ExemptionGround as G;
    matches!(g, G::A | G::B | G::C | G::D | G::E | G::F)
}

impl ExemptionRecord {
    /// Whether the exemption still holds on `today` (WIB date). It ends after `until`.
    pub fn holds_on(&self, today: NaiveDate) -> bool {
        self.until.is_none_or(|u| today <= u)
    }
}

/// The register fields of an item (kip-rules §2.5 columns plus category and cadence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFields {
    pub title: String,
    /// *Ringkasan isi informasi*.
    pub summary: String,
    pub unit: UnitId,
    /// *Penanggung jawab pembuatan/penerbitan*.
    pub official: String,
    /// *Waktu pembuatan*.
    pub produced_on: NaiveDate,
    /// *Tempat pembuatan*.
    pub produced_place: String,
    /// Period covered, free text (e.g. "Semester I 2026").
    pub period: String,
    pub softcopy: bool,
    pub hardcopy: bool,
    pub retention: RetentionKind,
    /// Years when `retention` is `years`.
    pub retention_years: Option<u32>,
    /// *Cara memperoleh*: how to obtain the information.
    pub how_to_obtain: String,
    pub category: Category,
    /// For `berkala` items: refresh at least every N months (1-6).
    pub cadence_months: Option<u32>,
    pub exemption: Option<ExemptionRecord>,
}

impl ItemFields {
    pub fn year(&self) -> i32 {
        self.produced_on.year()
    }
}

/// Default and maximum refresh cadence of periodic information (UU KIP Pasal 9(4)).
pub const MAX_CADENCE_MONTHS: u32 = 6;

/// When a periodic item must next be refreshed, counted from its last content update.
pub fn next_update_due(fields: &ItemFields, last_update: NaiveDate) -> Option<NaiveDate> {
    if fields.category != Category::Berkala {
        return None;
    }
    let months = fields.cadence_months.unwrap_or(MAX_CADENCE_MONTHS).clamp(1, MAX_CADENCE_MONTHS);
    last_update.checked_add_months(Months::new(months))
}

/// A published periodic item is stale when `today` is past its refresh date.
pub fn is_stale(fields: &ItemFields, state: ItemState, last_update: NaiveDate, today: NaiveDate) -> bool {
    state == ItemState::Published && next_update_due(fields, last_update).is_some_and(|due| today > due)
}

/// What the public may see of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Not on any public page (draft, scheduled).
    Hidden,
    /// Withdrawn: only a notice that it was withdrawn (title, date, reason).
    WithdrawnNotice,
    /// Exempt: listed in the DIK (title, unit, ground, legal basis, period), nothing else.
    ListedExempt,
    /// Everything: content, files, history.
    Full,
}

/// The one rule deciding what of an item is public. Exempt content never goes beyond
/// `ListedExempt`; an exemption whose period has ended but has not been converted yet by the
/// jobs stays `ListedExempt` until it is (the conversion writes a version and re-indexes).
pub fn visibility(state: ItemState, category: Category) -> Visibility {
    match state {
        ItemState::Draft | ItemState::Scheduled => Visibility::Hidden,
        ItemState::Withdrawn => Visibility::WithdrawnNotice,
        ItemState::Published if category.is_exempt() => Visibility::ListedExempt,
        ItemState::Published => Visibility::Full,
    }
}

/// Whether a scheduled item is due for publication.
pub fn schedule_due(state: ItemState, publish_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    state == ItemState::Scheduled && publish_at.is_some_and(|t| t <= now)
}

/// The fields after an exemption ended: same item, now in its open category, with no exemption.
pub fn end_exemption(fields: &ItemFields) -> Option<ItemFields> {
    let ex = fields.exemption.as_ref()?;
    let mut f = fields.clone();
    f.category = ex.category_after;
    if f.category == Category::Berkala && f.cadence_months.is_none() {
        f.cadence_months = Some(MAX_CADENCE_MONTHS);
    }
    f.exemption = None;
    Some(f)
}

/// The names of the fields that differ between two versions, for the public history.
pub fn changed_fields(a: &ItemFields, b: &ItemFields) -> Vec<&'static str> {
    let mut out = Vec::new();
    macro_rules! cmp {
        ($($f:ident),*) => { $( if a.$f != b.$f { out.push(stringify!($f)); } )* };
    }
    cmp!(
        title,
        summary,
        unit,
        official,
        produced_on,
        produced_place,
        period,
        softcopy,
        hardcopy,
        retention,
        retention_years,
        how_to_obtain,
        category,
        cadence_months,
        exemption
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// The whole life-cycle table, written out by hand.
    fn expected(state: ItemState, event: ItemEvent) -> Option<ItemState> {
        use ItemEvent as E;
        use ItemState as S;
        match (state, event) {
            (S::Draft, E::Publish) => Some(S::Published),
            (S::Draft, E::Schedule) => Some(S::Scheduled),
            (S::Scheduled, E::Publish) => Some(S::Published),
            (S::Scheduled, E::Schedule) => Some(S::Scheduled),
            (S::Scheduled, E::Unschedule) => Some(S::Draft),
            (S::Scheduled, E::ScheduleDue) => Some(S::Published),
            (S::Published, E::Withdraw) => Some(S::Withdrawn),
            (S::Withdrawn, E::Restore) => Some(S::Draft),
            _ => None,
        }
    }

    #[test]
    fn every_state_event_pair() {
        let mut allowed = 0;
        let mut forbidden = 0;
        for s in ItemState::ALL {
            for e in ItemEvent::ALL {
                match (transition(*s, *e), expected(*s, *e)) {
                    (Ok(n), Some(x)) => {
                        assert_eq!(n, x, "{s} {e}");
                        allowed += 1;
                    }
                    (Err(err), None) => {
                        assert_eq!(err, ForbiddenItemTransition { state: *s, event: *e });
                        forbidden += 1;
                    }
                    (got, want) => panic!("{s} + {e}: got {got:?}, want {want:?}"),
                }
            }
        }
        assert_eq!((allowed, forbidden), (8, 4 * 6 - 8));
    }

    fn fields(category: Category) -> ItemFields {
        ItemFields {
            title: "Laporan".into(),
            summary: "Ringkasan".into(),
            unit: 1,
            official: "Kepala".into(),
            produced_on: d(2026, 1, 15),
            produced_place: "Jakarta".into(),
            period: String::new(),
            softcopy: true,
            hardcopy: false,
            retention: RetentionKind::Years,
            retention_years: Some(5),
            how_to_obtain: "Unduh".into(),
            category,
            cadence_months: None,
            exemption: None,
        }
    }

    #[test]
    fn cadence_of_periodic_items() {
        let mut f = fields(Category::Berkala);
        assert_eq!(next_update_due(&f, d(2026, 1, 31)), Some(d(2026, 7, 31)));
        f.cadence_months = Some(1);
        assert_eq!(next_update_due(&f, d(2026, 1, 31)), Some(d(2026, 2, 28)));
        f.cadence_months = Some(12); // clamped to the legal floor of 6 months
        assert_eq!(next_update_due(&f, d(2026, 1, 1)), Some(d(2026, 7, 1)));
        f.cadence_months = Some(3);
        assert!(!is_stale(&f, ItemState::Published, d(2026, 1, 1), d(2026, 4, 1)));
        assert!(is_stale(&f, ItemState::Published, d(2026, 1, 1), d(2026, 4, 2)));
        assert!(!is_stale(&f, ItemState::Draft, d(2026, 1, 1), d(2027, 1, 1)));
        assert_eq!(next_update_due(&fields(Category::SetiapSaat), d(2026, 1, 1)), None);
    }

    fn exemption(until: Option<NaiveDate>) -> ExemptionRecord {
        ExemptionRecord {
            ground: ExemptionGround::A,
            legal_basis: "UU 14/2008 Pasal 17 huruf a".into(),
            withheld: "identitas saksi".into(),
            consequence: "membahayakan saksi".into(),
            public_interest: "kecil".into(),
            approval_ref: "SK 1/2026".into(),
            decided_on: d(2026, 1, 1),
            until,
            category_after: Category::SetiapSaat,
        }
    }

    #[test]
    fn exemption_period_ends_after_until() {
        let e = exemption(Some(d(2026, 6, 30)));
        assert!(e.holds_on(d(2026, 6, 30)));
        assert!(!e.holds_on(d(2026, 7, 1)));
        assert!(exemption(None).holds_on(d(2099, 1, 1)));
        let mut f = fields(Category::Dikecualikan);
        f.exemption = Some(e);
        let opened = end_exemption(&f).unwrap();
        assert_eq!(opened.category, Category::SetiapSaat);
        assert!(opened.exemption.is_none());
        assert_eq!(changed_fields(&f, &opened), vec!["category", "exemption"]);
        assert!(end_exemption(&opened).is_none());
    }

    #[test]
    fn visibility_rule() {
        use ItemState as S;
        for c in Category::ALL {
            assert_eq!(visibility(S::Draft, *c), Visibility::Hidden);
            assert_eq!(visibility(S::Scheduled, *c), Visibility::Hidden);
            assert_eq!(visibility(S::Withdrawn, *c), Visibility::WithdrawnNotice);
        }
        assert_eq!(visibility(S::Published, Category::Dikecualikan), Visibility::ListedExempt);
        for c in Category::OPEN {
            assert_eq!(visibility(S::Published, *c), Visibility::Full);
        }
    }

    #[test]
    fn scheduling() {
        let now = DateTime::parse_from_rfc3339("2026-03-01T01:00:00Z").unwrap().with_timezone(&Utc);
        assert!(schedule_due(ItemState::Scheduled, Some(now), now));
        assert!(!schedule_due(ItemState::Scheduled, Some(now + chrono::Duration::seconds(1)), now));
        assert!(!schedule_due(ItemState::Draft, Some(now), now));
        assert!(!schedule_due(ItemState::Scheduled, None, now));
    }

    #[test]
    fn time_limited_grounds() {
        use ExemptionGround as G;
        let limited: Vec<_> = G::ALL.iter().filter(|g| ground_is_time_limited(**g)).collect();
        assert_eq!(limited, vec![&G::A, &G::B, &G::C, &G::D, &G::E, &G::F]);
    }
}
