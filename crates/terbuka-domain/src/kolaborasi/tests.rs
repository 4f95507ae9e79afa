use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn org_table_every_pair() {
    use OrgEvent as E;
    use OrgState as S;
    let allowed = [
        (S::Pending, E::Verify, S::Verified),
        (S::Pending, E::Reject, S::Rejected),
        (S::Rejected, E::Verify, S::Verified),
        (S::Verified, E::Suspend, S::Suspended),
        (S::Suspended, E::Reinstate, S::Verified),
    ];
    let mut checked = 0;
    for st in S::ALL {
        for ev in E::ALL {
            let want = allowed.iter().find(|(a, b, _)| a == st && b == ev).map(|t| t.2);
            match want {
                Some(next) => assert_eq!(org_transition(*st, *ev), Ok(next), "{st} {ev}"),
                None => assert_eq!(org_transition(*st, *ev), Err(Forbidden { state: st.as_str(), event: ev.as_str() }), "{st} {ev}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
}

#[test]
fn tally_progress() {
    let t = |q, p, dl, c| Tally { quantity: q, pledged: p, delivered: dl, confirmed: c };
    assert_eq!(t(10, 0, 0, 0).progress(), NeedState::Open);
    assert_eq!(t(10, 3, 0, 0).progress(), NeedState::PartlyPledged);
    assert_eq!(t(10, 10, 0, 0).progress(), NeedState::FullyPledged);
    assert_eq!(t(10, 12, 0, 0).progress(), NeedState::FullyPledged, "over-pledged (allowed by the organisation)");
    assert_eq!(t(10, 10, 9, 9).progress(), NeedState::FullyPledged);
    assert_eq!(t(10, 10, 10, 4).progress(), NeedState::Delivered);
    assert_eq!(t(10, 10, 10, 10).progress(), NeedState::Verified);
    assert_eq!(t(10, 3, 0, 0).remaining(), 7);
    assert_eq!(t(10, 12, 0, 0).remaining(), 0);
}

/// The need table, written out by hand. For progress events the result is the tally's progress;
/// the tally used is "partly pledged" so that a result differing from it is visible.
#[test]
fn need_table_every_pair() {
    use NeedEvent as E;
    use NeedState as S;
    let partly = Tally { quantity: 10, pledged: 4, delivered: 0, confirmed: 0 };
    let p = S::PartlyPledged; // what `partly.progress()` is
    #[rustfmt::skip]
    let allowed: &[(S, E, S)] = &[
        (S::Open, E::Pledge, p), (S::PartlyPledged, E::Pledge, p), (S::FullyPledged, E::Pledge, p),
        (S::PartlyPledged, E::PledgeReleased, p), (S::FullyPledged, E::PledgeReleased, p), (S::Delivered, E::PledgeReleased, p),
        (S::Expired, E::PledgeReleased, S::Expired), (S::Cancelled, E::PledgeReleased, S::Cancelled), (S::TakenDown, E::PledgeReleased, S::TakenDown),
        (S::PartlyPledged, E::DeliveryRecorded, p), (S::FullyPledged, E::DeliveryRecorded, p), (S::Delivered, E::DeliveryRecorded, p),
        (S::PartlyPledged, E::DeliveryConfirmed, p), (S::FullyPledged, E::DeliveryConfirmed, p), (S::Delivered, E::DeliveryConfirmed, p),
        (S::PartlyPledged, E::DeliveryDisputed, p), (S::FullyPledged, E::DeliveryDisputed, p), (S::Delivered, E::DeliveryDisputed, p),
        (S::Open, E::Expire, S::Expired), (S::PartlyPledged, E::Expire, S::Expired), (S::FullyPledged, E::Expire, S::Expired),
        (S::Open, E::Cancel, S::Cancelled), (S::PartlyPledged, E::Cancel, S::Cancelled), (S::FullyPledged, E::Cancel, S::Cancelled),
        (S::Open, E::TakeDown, S::TakenDown), (S::PartlyPledged, E::TakeDown, S::TakenDown), (S::FullyPledged, E::TakeDown, S::TakenDown),
        (S::Delivered, E::TakeDown, S::TakenDown), (S::Verified, E::TakeDown, S::TakenDown), (S::Expired, E::TakeDown, S::TakenDown),
        (S::TakenDown, E::Reinstate, p),
        (S::Verified, E::PledgeReleased, S::Verified),
        (S::Expired, E::DeliveryConfirmed, S::Expired),
        (S::Cancelled, E::DeliveryConfirmed, S::Cancelled),
        (S::TakenDown, E::DeliveryConfirmed, S::TakenDown),
        (S::Expired, E::DeliveryDisputed, S::Expired),
        (S::Cancelled, E::DeliveryDisputed, S::Cancelled),
        (S::TakenDown, E::DeliveryDisputed, S::TakenDown),
    ];
    let mut forbidden_count = 0;
    for st in S::ALL {
        for ev in E::ALL {
            let got = need_transition(*st, *ev, &partly);
            match allowed.iter().find(|(a, b, _)| a == st && b == ev) {
                Some((_, _, next)) => assert_eq!(got, Ok(*next), "{st} {ev}"),
                None => {
                    assert!(got.is_err(), "{st} {ev} must be forbidden");
                    forbidden_count += 1;
                }
            }
        }
    }
    assert_eq!(allowed.len() + forbidden_count, S::ALL.len() * E::ALL.len());
    assert_eq!(allowed.len(), 38);
}

#[test]
fn need_progress_follows_the_tally() {
    let full = Tally { quantity: 10, pledged: 10, delivered: 0, confirmed: 0 };
    assert_eq!(need_transition(NeedState::PartlyPledged, NeedEvent::Pledge, &full), Ok(NeedState::FullyPledged));
    let back = Tally { quantity: 10, pledged: 0, delivered: 0, confirmed: 0 };
    assert_eq!(need_transition(NeedState::FullyPledged, NeedEvent::PledgeReleased, &back), Ok(NeedState::Open));
    let done = Tally { quantity: 10, pledged: 10, delivered: 10, confirmed: 10 };
    assert_eq!(need_transition(NeedState::Delivered, NeedEvent::DeliveryConfirmed, &done), Ok(NeedState::Verified));
    let undone = Tally { quantity: 10, pledged: 10, delivered: 6, confirmed: 0 };
    assert_eq!(need_transition(NeedState::Delivered, NeedEvent::DeliveryDisputed, &undone), Ok(NeedState::FullyPledged), "a rejected delivery reopens the gap");
}

#[test]
fn pledge_table_every_pair() {
    use PledgeEvent as E;
    use PledgeState as S;
    // With delivered < quantity the progress is Active; with delivered == quantity, Fulfilled.
    #[rustfmt::skip]
    let allowed: &[(S, E, S, S)] = &[
        // (state, event, next when partly delivered, next when wholly delivered)
        (S::Active, E::Deliver, S::Active, S::Fulfilled),
        (S::Active, E::DeliveryRejected, S::Active, S::Fulfilled),
        (S::Fulfilled, E::DeliveryRejected, S::Active, S::Fulfilled),
        (S::Expired, E::DeliveryRejected, S::Expired, S::Expired),
        (S::Cancelled, E::DeliveryRejected, S::Cancelled, S::Cancelled),
        (S::Active, E::Expire, S::Expired, S::Expired),
        (S::Active, E::Cancel, S::Cancelled, S::Cancelled),
    ];
    let mut n = 0;
    for st in S::ALL {
        for ev in E::ALL {
            let part = pledge_transition(*st, *ev, 3, 5);
            let whole = pledge_transition(*st, *ev, 5, 5);
            match allowed.iter().find(|t| t.0 == *st && t.1 == *ev) {
                Some(t) => {
                    assert_eq!(part, Ok(t.2), "{st} {ev} partly");
                    assert_eq!(whole, Ok(t.3), "{st} {ev} wholly");
                }
                None => {
                    assert!(part.is_err() && whole.is_err(), "{st} {ev} must be forbidden");
                }
            }
            n += 1;
        }
    }
    assert_eq!(n, 16);
}

#[test]
fn delivery_table_every_pair() {
    use DeliveryEvent as E;
    use DeliveryState as S;
    let allowed = [
        (S::Recorded, E::Confirm, S::Confirmed),
        (S::Recorded, E::Dispute, S::Disputed),
        (S::Disputed, E::ResolveAccept, S::Confirmed),
        (S::Disputed, E::ResolveReject, S::Rejected),
    ];
    for st in S::ALL {
        for ev in E::ALL {
            match allowed.iter().find(|t| t.0 == *st && t.1 == *ev) {
                Some(t) => assert_eq!(delivery_transition(*st, *ev), Ok(t.2)),
                None => assert!(delivery_transition(*st, *ev).is_err(), "{st} {ev} must be forbidden"),
            }
        }
    }
}

#[test]
fn over_pledge_rule() {
    let t = Tally { quantity: 100, pledged: 70, delivered: 0, confirmed: 0 };
    let (u, today) = (d("2026-12-31"), d("2026-11-27"));
    let v = OrgState::Verified;
    assert_eq!(check_pledge(NeedState::PartlyPledged, v, &t, u, today, 30, false), Ok(()));
    assert_eq!(check_pledge(NeedState::PartlyPledged, v, &t, u, today, 31, false), Err(PledgeRefusal::OverPledge { remaining: 30 }));
    assert_eq!(check_pledge(NeedState::PartlyPledged, v, &t, u, today, 31, true), Ok(()), "allowed by the posting organisation");
    let full = Tally { pledged: 100, ..t };
    assert_eq!(check_pledge(NeedState::FullyPledged, v, &full, u, today, 1, false), Err(PledgeRefusal::OverPledge { remaining: 0 }));
    assert_eq!(check_pledge(NeedState::FullyPledged, v, &full, u, today, 1, true), Ok(()));
    assert_eq!(check_pledge(NeedState::PartlyPledged, v, &t, u, d("2027-01-01"), 1, false), Err(PledgeRefusal::PastUntil));
    assert_eq!(check_pledge(NeedState::PartlyPledged, v, &t, u, u, 1, false), Ok(()), "the last day still counts");
    for closed in [NeedState::Delivered, NeedState::Verified, NeedState::Expired, NeedState::Cancelled, NeedState::TakenDown] {
        assert_eq!(check_pledge(closed, v, &t, u, today, 1, true), Err(PledgeRefusal::Closed), "{closed}");
    }
    for org in [OrgState::Pending, OrgState::Rejected, OrgState::Suspended] {
        assert_eq!(check_pledge(NeedState::Open, org, &t, u, today, 1, false), Err(PledgeRefusal::OrgNotVerified));
    }
    assert_eq!(PledgeRefusal::OverPledge { remaining: 3 }.code(), "err.aid_over_pledge");
}

#[test]
fn expiry_rules() {
    let by = d("2026-12-01");
    assert!(!pledge_expired(by, by));
    assert!(pledge_expired(by, d("2026-12-02")));
    assert!(!need_expired(NeedState::Open, by, by));
    assert!(need_expired(NeedState::Open, by, d("2026-12-02")));
    assert!(need_expired(NeedState::FullyPledged, by, d("2026-12-02")));
    assert!(!need_expired(NeedState::Delivered, by, d("2026-12-02")), "delivered needs wait for confirmation");
    assert!(!need_expired(NeedState::Verified, by, d("2027-12-02")));
}

#[test]
fn duplicate_aid_flags() {
    let w = |need, item, from: &str, until: &str| AidWindow { need, item_type: item, from: d(from), until: d(until) };
    let h = |x: &str| x.to_string();
    let mine = w(1, 7, "2026-07-01", "2026-07-31");
    let others = vec![
        (w(2, 7, "2026-07-20", "2026-08-20"), vec![h("a"), h("b")]), // overlaps, same kind
        (w(3, 7, "2026-08-01", "2026-08-31"), vec![h("a")]),         // after: no clash
        (w(4, 8, "2026-07-01", "2026-07-31"), vec![h("a")]),         // other kind
        (w(5, 7, "2026-06-01", "2026-07-01"), vec![h("c"), h("a")]), // touches the first day
        (w(1, 7, "2026-07-01", "2026-07-31"), vec![h("a")]),         // the same need
    ];
    let flags = duplicate_flags(&mine, &[h("a"), h("c"), h("z")], &others);
    let got: Vec<(&str, i64)> = flags.iter().map(|f| (f.household.as_str(), f.other_need)).collect();
    assert_eq!(got, [("a", 2), ("a", 5), ("c", 5)]);
    assert!(duplicate_flags(&mine, &[h("z")], &others).is_empty());
}

fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
}

#[test]
fn beneficiary_list_parsing() {
    let ok = parse_beneficiaries(&rows("NIK,No KK\n3171014506900001,3171010101090001\n3171015506900002,3171010101090001\n,\n")).unwrap();
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[1].household, "3171010101090001");
    assert_eq!(format!("{:?}", ok[0]), "Beneficiary(..)", "Debug never shows a NIK");

    let bad = parse_beneficiaries(&rows(
        "nik,no_kk\n123,3171010101090001\n3171014506900001,abc\n3171014506900001,3171010101090001\n3171014506900001,3171010101090002\n",
    ))
    .unwrap_err();
    let got: Vec<(usize, &str, &str)> = bad.iter().map(|p| (p.line, p.column, p.code)).collect();
    assert_eq!(got, [(2, "nik", "err.nik_format"), (3, "no_kk", "err.kk_format"), (5, "nik", "err.aid_list_duplicate")]);

    let missing = parse_beneficiaries(&rows("name,address\nx,y\n")).unwrap_err();
    assert_eq!(missing.len(), 2);
    assert!(parse_beneficiaries(&rows("nik,kk\n")).unwrap_err()[0].code == "err.aid_list_empty");
    assert!(parse_beneficiaries(&[]).is_err());
}

#[test]
fn need_validation() {
    let today = d("2026-11-27");
    let raw = RawNeed {
        title: s("Paket sembako untuk warga terdampak banjir"),
        item_type: s("sembako"),
        quantity: s("1.500"),
        region: s("31.71.01.1001"),
        rw: s("RW 5"),
        households: s("300"),
        until: s("2026-12-15"),
        allow_over_pledge: s("on"),
        ..Default::default()
    };
    let n = raw.validate(today, |c| c == "sembako", |r| r == "31.71.01.1001").unwrap();
    assert_eq!((n.quantity, n.rw.as_deref(), n.households, n.allow_over_pledge), (1500, Some("005"), Some(300), true));

    let bad = RawNeed {
        title: s("x"),
        item_type: s("mobil"),
        quantity: s("-3"),
        region: s("31.71"),
        rw: s("RW lima"),
        people: s("banyak"),
        until: s("2026-11-01"),
        ..Default::default()
    };
    let e = bad.validate(today, |c| c == "sembako", |r| r == "31.71.01.1001").unwrap_err();
    assert_eq!(e.get("title"), Some("err.too_short"));
    assert_eq!(e.get("item_type"), Some("err.choice"));
    assert_eq!(e.get("quantity"), Some("err.quantity_positive"));
    assert_eq!(e.get("region"), Some("err.kelurahan_unknown"));
    assert_eq!(e.get("rw"), Some("err.rw_format"));
    assert_eq!(e.get("people"), Some("err.quantity_number"));
    assert_eq!(e.get("until"), Some("err.date_in_past"));
    let far = RawNeed { until: s("2028-01-01"), quantity: s("99999999999"), ..raw.clone() };
    let e = far.validate(today, |_| true, |_| true).unwrap_err();
    assert_eq!(e.get("until"), Some("err.date_too_far"));
    assert_eq!(e.get("quantity"), Some("err.quantity_too_large"));
    let empty = RawNeed::default().validate(today, |_| true, |_| true).unwrap_err();
    for f in ["title", "item_type", "quantity", "region", "until"] {
        assert_eq!(empty.get(f), Some("err.required"), "{f}");
    }
}

#[test]
fn pledge_validation() {
    let (today, until) = (d("2026-11-27"), d("2026-12-15"));
    let raw = RawPledge { quantity: s("20"), name: s("Budi Santoso"), email: s("Budi@Example.org"), ..Default::default() };
    let (p, c) = raw.validate(today, until).unwrap();
    assert_eq!((p.quantity, p.public_name, p.deliver_by), (20, None, until));
    assert_eq!(c.email.as_deref(), Some("budi@example.org"));
    assert_eq!(format!("{c:?}"), "PledgerContact(..)");

    let named = RawPledge { show_name: s("1"), public_name: s("Toko Makmur"), deliver_by: s("2026-12-01"), ..raw.clone() };
    let (p, _) = named.validate(today, until).unwrap();
    assert_eq!((p.public_name.as_deref(), p.deliver_by), (Some("Toko Makmur"), d("2026-12-01")));
    // A public name typed without the opt-in is not shown.
    let not_opted = RawPledge { public_name: s("Toko Makmur"), ..raw.clone() };
    assert_eq!(not_opted.validate(today, until).unwrap().0.public_name, None);

    let bad = RawPledge { quantity: s("0"), name: s(""), email: s("not-an-email"), show_name: s("on"), deliver_by: s("2027-01-01"), ..Default::default() };
    let e = bad.validate(today, until).unwrap_err();
    assert_eq!(e.get("quantity"), Some("err.quantity_positive"));
    assert_eq!(e.get("name"), Some("err.required"));
    assert_eq!(e.get("email"), Some("err.email_format"));
    assert_eq!(e.get("public_name"), Some("err.required"));
    assert_eq!(e.get("deliver_by"), Some("err.aid_after_until"));
    let no_contact = RawPledge { email: None, ..raw };
    assert_eq!(no_contact.validate(today, until).unwrap_err().get("email"), Some("err.contact_required"));
}

#[test]
fn delivery_and_report_validation() {
    let today = d("2026-11-27");
    let ok = RawDelivery { quantity: s("5"), delivered_on: s("2026-11-26"), note: None }.validate(today, d("2026-11-20"), 5).unwrap();
    assert_eq!((ok.quantity, ok.delivered_on), (5, d("2026-11-26")));
    let e = RawDelivery { quantity: s("6"), delivered_on: s("2026-11-28"), note: None }.validate(today, d("2026-11-20"), 5).unwrap_err();
    assert_eq!(e.get("quantity"), Some("err.aid_over_delivery"));
    assert_eq!(e.get("delivered_on"), Some("err.date_in_future"));
    let e = RawDelivery { quantity: s("1"), delivered_on: s("2026-11-01"), note: None }.validate(today, d("2026-11-20"), 5).unwrap_err();
    assert_eq!(e.get("delivered_on"), Some("err.aid_before_pledge"));

    assert_eq!(RawReport { reason: s("fraud"), detail: None }.validate().unwrap(), (ReportReason::Fraud, None));
    assert_eq!(RawReport { reason: s("other"), detail: None }.validate().unwrap_err().get("detail"), Some("err.required"));
    assert_eq!(RawReport { reason: s("spam!"), detail: None }.validate().unwrap_err().get("reason"), Some("err.choice"));
}

#[test]
fn org_validation() {
    let raw = RawOrg {
        name: s("Karang Taruna RW 05 Cideng"),
        kind: s("komunitas"),
        region: s("31.71.01.1002"),
        public_phone: s("0812-3456-7890"),
        contact_name: s("Siti Aminah"),
        contact_email: s("siti@example.org"),
        ..Default::default()
    };
    let (o, c) = raw.validate(|r| r.starts_with("31")).unwrap();
    assert_eq!((o.kind, o.public_phone.as_deref()), (OrgKind::Komunitas, Some("081234567890")));
    assert_eq!(c.email.as_deref(), Some("siti@example.org"));
    let e = RawOrg { kind: s("partai"), region: s("99"), ..Default::default() }.validate(|r| r.starts_with("31")).unwrap_err();
    assert_eq!(e.get("name"), Some("err.required"));
    assert_eq!(e.get("kind"), Some("err.choice"));
    assert_eq!(e.get("region"), Some("err.region_unknown"));
    assert_eq!(e.get("public_email"), Some("err.contact_required"));
    assert_eq!(e.get("contact_name"), Some("err.required"));
    assert_eq!(e.get("contact_email"), Some("err.contact_required"));
}
