//! The working-day calendar and the deadline policy (kip-rules §3.8).
//!
//! A *working day* (hari kerja) is Monday to Friday that is neither a national holiday nor, depending
//! on the policy, a *cuti bersama* (joint leave) day. Deadlines are "the N-th working day after
//! day 0", where the day of receipt is day 0 and never counted.
//!
//! The plain calendar ([`Calendar::add_working_days`] with [`CutiBersama::NonWorking`]) is what
//! `terbuka calendar due` prints. The [`DeadlinePolicy`] applies the unconfirmed conventions on top,
//! defaulting to the reading that protects the requester:
//! - cuti bersama counts as a working day for deadlines the public body owes (so the body's clock
//!   does not stop on joint-leave days), and as a non-working day for deadlines the requester owes
//!   (so the requester's window is not shortened by them);
//! - a request received outside office hours (WIB) or on a non-working day counts as received on
//!   the next working day, as UU KIP practice and the issue state.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What kind of day off a calendar entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayOffKind {
    /// *Hari libur nasional*: never a working day.
    Holiday,
    /// *Cuti bersama*: a working day or not, depending on [`CutiBersama`].
    CutiBersama,
}

impl DayOffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayOffKind::Holiday => "holiday",
            DayOffKind::CutiBersama => "cuti_bersama",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "holiday" => Some(DayOffKind::Holiday),
            "cuti_bersama" => Some(DayOffKind::CutiBersama),
            _ => None,
        }
    }
}

/// One day off in the calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayOff {
    pub date: NaiveDate,
    pub kind: DayOffKind,
    pub name: String,
    pub name_en: String,
}

/// How cuti bersama days count for one deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CutiBersama {
    /// Cuti bersama is a working day (the clock keeps running).
    Working,
    /// Cuti bersama is a day off (the clock stops).
    NonWorking,
}

/// Who owes a deadline; the policy decides how cuti bersama counts for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineOwner {
    /// The public body: the 10-day notice, the 7-day extension, the Atasan's 30 days, the
    /// Komisi Informasi's own clocks.
    Body,
    /// The requester: the 30 days to file a keberatan, the 14 days to go to the Komisi Informasi.
    Requester,
}

/// The calendar of days off. Built once from storage and passed to every deadline computation.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, DayOffKind>,
}

impl Calendar {
    /// Builds a calendar. When one date carries two entries (2021-05-13), a holiday wins over
    /// cuti bersama.
    pub fn new(days: impl IntoIterator<Item = DayOff>) -> Self {
        let mut map = BTreeMap::new();
        for d in days {
            let entry = map.entry(d.date).or_insert(d.kind);
            if d.kind == DayOffKind::Holiday {
                *entry = DayOffKind::Holiday;
            }
        }
        Calendar { days: map }
    }

    /// Parses the `date,kind,name,name_en,...` CSV format of `id-holidays.csv`.
    pub fn parse_csv(text: &str) -> Result<Vec<DayOff>, String> {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if i == 0 || line.is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split(',').collect();
            if cols.len() < 4 {
                return Err(format!("line {}: expected at least 4 columns", i + 1));
            }
            let date = NaiveDate::parse_from_str(cols[0], "%Y-%m-%d").map_err(|e| format!("line {}: bad date {:?}: {e}", i + 1, cols[0]))?;
            let kind = DayOffKind::parse(cols[1]).ok_or_else(|| format!("line {}: bad kind {:?}", i + 1, cols[1]))?;
            out.push(DayOff { date, kind, name: cols[2].to_string(), name_en: cols[3].to_string() });
        }
        Ok(out)
    }

    pub fn day_off(&self, date: NaiveDate) -> Option<DayOffKind> {
        self.days.get(&date).copied()
    }

    /// Whether `date` is a working day when cuti bersama counts as `cuti`.
    pub fn is_working_day(&self, date: NaiveDate, cuti: CutiBersama) -> bool {
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            return false;
        }
        match self.days.get(&date) {
            None => true,
            Some(DayOffKind::Holiday) => false,
            Some(DayOffKind::CutiBersama) => cuti == CutiBersama::Working,
        }
    }

    /// The n-th working day after `start` (`start` itself is day 0 and never counted).
    /// `n = 0` returns `start` unchanged.
    pub fn add_working_days(&self, start: NaiveDate, n: u32, cuti: CutiBersama) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d, cuti) {
                left -= 1;
            }
        }
        d
    }

    /// Working days strictly after `from` up to and including `to` (0 when `to <= from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate, cuti: CutiBersama) -> u32 {
        let mut d = from;
        let mut count = 0;
        while d < to {
            d += Duration::days(1);
            if self.is_working_day(d, cuti) {
                count += 1;
            }
        }
        count
    }

    /// The first working day on or after `date`.
    pub fn on_or_next_working_day(&self, date: NaiveDate, cuti: CutiBersama) -> NaiveDate {
        let mut d = date;
        while !self.is_working_day(d, cuti) {
            d += Duration::days(1);
        }
        d
    }

    pub fn entries(&self) -> impl Iterator<Item = (NaiveDate, DayOffKind)> + '_ {
        self.days.iter().map(|(d, k)| (*d, *k))
    }
}

/// The statutory clocks, in working days (UU KIP Pasal 22, 35-38).
pub mod limits {
    /// Written notice after receipt (Pasal 22(7)).
    pub const NOTICE: u32 = 10;
    /// The one extension (Pasal 22(8)).
    pub const EXTENSION: u32 = 7;
    /// Filing a keberatan after its ground arises (Pasal 36(1)).
    pub const OBJECTION_FILING: u32 = 30;
    /// The Atasan PPID's written response (Pasal 36(2)).
    pub const OBJECTION_RESPONSE: u32 = 30;
    /// Applying to the Komisi Informasi (Pasal 37(2)).
    pub const DISPUTE_FILING: u32 = 14;
    /// The Komisi Informasi must start (Pasal 38(1)).
    pub const KI_START: u32 = 14;
    /// The Komisi Informasi must finish (Pasal 38(2)).
    pub const KI_FINISH: u32 = 100;
    /// Officers are warned when a deadline is this many working days away or less.
    pub const DUE_SOON: u32 = 2;
}

/// The configurable conventions on top of the plain calendar (kip-rules §3.8, §9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeadlinePolicy {
    /// How cuti bersama counts for deadlines the body owes. Default `working`: protective, unconfirmed.
    pub cuti_bersama_body: CutiBersama,
    /// How cuti bersama counts for deadlines the requester owes. Default `non_working`: protective, unconfirmed.
    pub cuti_bersama_requester: CutiBersama,
    /// Office opening time, WIB (UTC+7).
    pub office_open: NaiveTime,
    /// Office closing time, WIB. A submission at or after this time counts as received the next working day.
    pub office_close: NaiveTime,
    /// Whether receipt outside office hours or on a day off rolls over to the next working day.
    pub roll_over_after_hours: bool,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            cuti_bersama_body: CutiBersama::Working,
            cuti_bersama_requester: CutiBersama::NonWorking,
            office_open: NaiveTime::from_hms_opt(8, 0, 0).expect("valid time"),
            office_close: NaiveTime::from_hms_opt(16, 0, 0).expect("valid time"),
            roll_over_after_hours: true,
        }
    }
}

/// Western Indonesia Time, UTC+7, in which office hours and dates are reckoned.
pub fn wib() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

/// The WIB calendar date of an instant.
pub fn wib_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&wib()).date_naive()
}

/// A calendar plus a policy: everything a deadline needs.
#[derive(Debug, Clone)]
pub struct Deadlines<'a> {
    pub calendar: &'a Calendar,
    pub policy: DeadlinePolicy,
}

impl<'a> Deadlines<'a> {
    pub fn new(calendar: &'a Calendar, policy: DeadlinePolicy) -> Self {
        Deadlines { calendar, policy }
    }

    pub fn cuti(&self, owner: DeadlineOwner) -> CutiBersama {
        match owner {
            DeadlineOwner::Body => self.policy.cuti_bersama_body,
            DeadlineOwner::Requester => self.policy.cuti_bersama_requester,
        }
    }

    /// The n-th working day after `day0` for a deadline owed by `owner`.
    pub fn due(&self, day0: NaiveDate, n: u32, owner: DeadlineOwner) -> NaiveDate {
        self.calendar.add_working_days(day0, n, self.cuti(owner))
    }

    /// Day 0 of a clock started by something the body receives at `at` (a request, a keberatan):
    /// the WIB date, rolled to the next working day when received on a day off or outside office
    /// hours (if the policy says so). A submission before opening time on a working day counts
    /// that same day.
    pub fn receipt_day(&self, at: DateTime<Utc>) -> NaiveDate {
        let local = at.with_timezone(&wib());
        let date = local.date_naive();
        if !self.policy.roll_over_after_hours {
            return date;
        }
        let cuti = self.cuti(DeadlineOwner::Body);
        if !self.calendar.is_working_day(date, cuti) {
            return self.calendar.on_or_next_working_day(date, cuti);
        }
        if local.time() >= self.policy.office_close {
            return self.calendar.on_or_next_working_day(date + Duration::days(1), cuti);
        }
        date
    }

    /// Day 0 for a request received on paper on `date` (desk or post): the real date of receipt,
    /// rolled forward if it is not a working day.
    pub fn receipt_day_of_date(&self, date: NaiveDate) -> NaiveDate {
        if !self.policy.roll_over_after_hours {
            return date;
        }
        self.calendar.on_or_next_working_day(date, self.cuti(DeadlineOwner::Body))
    }

    /// Working days the body took from `day0` to `done` (used for statistics).
    pub fn working_days_taken(&self, day0: NaiveDate, done: NaiveDate) -> u32 {
        self.calendar.working_days_between(day0, done, self.cuti(DeadlineOwner::Body))
    }

    /// Whether a deadline owed by `owner` is within `DUE_SOON` working days of `today` (and not past).
    pub fn due_soon(&self, today: NaiveDate, due: NaiveDate, owner: DeadlineOwner) -> bool {
        today <= due && self.calendar.working_days_between(today, due, self.cuti(owner)) <= limits::DUE_SOON
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal(entries: &[(&str, DayOffKind)]) -> Calendar {
        Calendar::new(entries.iter().map(|(s, k)| DayOff { date: d(s), kind: *k, name: "x".into(), name_en: "x".into() }))
    }

    /// One check(input, expected) helper for many small cases of the plain calendar.
    fn check(c: &Calendar, start: &str, n: u32, cuti: CutiBersama, expected: &str) {
        assert_eq!(c.add_working_days(d(start), n, cuti), d(expected), "{n} working days after {start} ({cuti:?})");
    }

    #[test]
    fn plain_weeks_skip_weekends() {
        let c = Calendar::default();
        check(&c, "2026-11-02", 1, CutiBersama::NonWorking, "2026-11-03"); // Mon -> Tue
        check(&c, "2026-11-06", 1, CutiBersama::NonWorking, "2026-11-09"); // Fri -> Mon
        check(&c, "2026-11-07", 1, CutiBersama::NonWorking, "2026-11-09"); // Sat -> Mon
        check(&c, "2026-11-02", 10, CutiBersama::NonWorking, "2026-11-16");
        check(&c, "2026-11-02", 0, CutiBersama::NonWorking, "2026-11-02");
    }

    #[test]
    fn year_end_with_christmas_and_new_year() {
        // 2025-12-25 holiday, 2025-12-26 cuti bersama, 2026-01-01 holiday.
        let c = cal(&[("2025-12-25", DayOffKind::Holiday), ("2025-12-26", DayOffKind::CutiBersama), ("2026-01-01", DayOffKind::Holiday)]);
        // From Wed 2025-12-24: Mon 29, Tue 30, Wed 31, Fri 2 Jan, Mon 5 ... (cuti off).
        check(&c, "2025-12-24", 4, CutiBersama::NonWorking, "2026-01-02");
        // Cuti bersama counted as working: Fri 26 is day 1.
        check(&c, "2025-12-24", 4, CutiBersama::Working, "2025-12-31");
        check(&c, "2025-12-24", 10, CutiBersama::NonWorking, "2026-01-12");
    }

    #[test]
    fn long_idul_fitri_run() {
        // Nyepi and Idul Fitri 2026 as in id-holidays.csv (SKB 3 Menteri 2026).
        let c = cal(&[
            ("2026-03-18", DayOffKind::CutiBersama),
            ("2026-03-19", DayOffKind::Holiday),
            ("2026-03-20", DayOffKind::CutiBersama),
            ("2026-03-21", DayOffKind::Holiday),
            ("2026-03-22", DayOffKind::Holiday),
            ("2026-03-23", DayOffKind::CutiBersama),
            ("2026-03-24", DayOffKind::CutiBersama),
        ]);
        // Received Tue 17 March: plain calendar resumes Wed 25.
        check(&c, "2026-03-17", 1, CutiBersama::NonWorking, "2026-03-25");
        check(&c, "2026-03-17", 10, CutiBersama::NonWorking, "2026-04-07");
        // Body-owed with cuti as working: 18, 20, 23, 24, 25, ...
        check(&c, "2026-03-17", 1, CutiBersama::Working, "2026-03-18");
        check(&c, "2026-03-17", 10, CutiBersama::Working, "2026-04-01");
    }

    #[test]
    fn duplicate_date_keeps_holiday() {
        let c = Calendar::new(vec![
            DayOff { date: d("2021-05-13"), kind: DayOffKind::CutiBersama, name: "a".into(), name_en: "a".into() },
            DayOff { date: d("2021-05-13"), kind: DayOffKind::Holiday, name: "b".into(), name_en: "b".into() },
        ]);
        assert_eq!(c.day_off(d("2021-05-13")), Some(DayOffKind::Holiday));
        assert!(!c.is_working_day(d("2021-05-13"), CutiBersama::Working));
    }

    #[test]
    fn working_days_between_inverts_add() {
        let c = cal(&[("2026-03-20", DayOffKind::Holiday), ("2026-03-23", DayOffKind::CutiBersama)]);
        for n in 0..40 {
            for cuti in [CutiBersama::Working, CutiBersama::NonWorking] {
                let due = c.add_working_days(d("2026-03-02"), n, cuti);
                assert_eq!(c.working_days_between(d("2026-03-02"), due, cuti), n);
            }
        }
    }

    #[test]
    fn receipt_rolls_over_after_hours_and_on_days_off() {
        let c = cal(&[("2026-11-10", DayOffKind::CutiBersama), ("2026-11-11", DayOffKind::Holiday)]);
        let p = DeadlinePolicy::default();
        let dl = Deadlines::new(&c, p);
        let at = |y, m, day, h, min| wib().with_ymd_and_hms(y, m, day, h, min, 0).unwrap().with_timezone(&Utc);
        // Monday 09:00 WIB: same day.
        assert_eq!(dl.receipt_day(at(2026, 11, 9, 9, 0)), d("2026-11-09"));
        // Monday 07:00 WIB, before opening: same day (nothing is lost by arriving early).
        assert_eq!(dl.receipt_day(at(2026, 11, 9, 7, 0)), d("2026-11-09"));
        // Monday 16:00 WIB: after hours -> Tuesday, a cuti bersama day that the body must work
        // under the protective default.
        assert_eq!(dl.receipt_day(at(2026, 11, 9, 16, 0)), d("2026-11-10"));
        // Saturday -> Monday.
        assert_eq!(dl.receipt_day(at(2026, 11, 7, 10, 0)), d("2026-11-09"));
        // Wednesday holiday -> Thursday.
        assert_eq!(dl.receipt_day(at(2026, 11, 11, 10, 0)), d("2026-11-12"));
        // 23:30 UTC Sunday is 06:30 WIB Monday: the WIB date counts, not the UTC one.
        assert_eq!(dl.receipt_day(Utc.with_ymd_and_hms(2026, 11, 8, 23, 30, 0).unwrap()), d("2026-11-09"));
        // With cuti bersama as non-working for the body, Tuesday rolls to Thursday.
        let strict = Deadlines::new(&c, DeadlinePolicy { cuti_bersama_body: CutiBersama::NonWorking, ..p });
        assert_eq!(strict.receipt_day(at(2026, 11, 9, 17, 0)), d("2026-11-12"));
        // Roll-over can be switched off.
        let no_roll = Deadlines::new(&c, DeadlinePolicy { roll_over_after_hours: false, ..p });
        assert_eq!(no_roll.receipt_day(at(2026, 11, 7, 10, 0)), d("2026-11-07"));
    }

    #[test]
    fn owners_count_cuti_bersama_differently() {
        let c = cal(&[("2026-11-10", DayOffKind::CutiBersama)]);
        let dl = Deadlines::new(&c, DeadlinePolicy::default());
        assert_eq!(dl.due(d("2026-11-09"), 1, DeadlineOwner::Body), d("2026-11-10"));
        assert_eq!(dl.due(d("2026-11-09"), 1, DeadlineOwner::Requester), d("2026-11-11"));
    }

    #[test]
    fn due_soon_window() {
        let c = Calendar::default();
        let dl = Deadlines::new(&c, DeadlinePolicy::default());
        // Due Monday: Thursday is 2 working days before (Fri, Mon).
        assert!(dl.due_soon(d("2026-11-12"), d("2026-11-16"), DeadlineOwner::Body));
        assert!(!dl.due_soon(d("2026-11-11"), d("2026-11-16"), DeadlineOwner::Body));
        assert!(dl.due_soon(d("2026-11-16"), d("2026-11-16"), DeadlineOwner::Body));
        assert!(!dl.due_soon(d("2026-11-17"), d("2026-11-16"), DeadlineOwner::Body));
    }

    #[test]
    fn parses_the_shared_csv_shape() {
        let text = "date,kind,name,name_en,estimated,weekday\n2026-01-01,holiday,Tahun Baru Masehi,New Year's Day,false,Thu\n2026-03-18,cuti_bersama,Cuti Bersama Idul Fitri,Joint leave,false,Wed\n";
        let days = Calendar::parse_csv(text).unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[1].kind, DayOffKind::CutiBersama);
        assert!(Calendar::parse_csv("h\n2026-13-01,holiday,a,b\n").is_err());
        assert!(Calendar::parse_csv("h\n2026-01-01,libur,a,b\n").is_err());
    }
}
