//! The register part of the storage contract: every scenario runs against SQLite and PostgreSQL
//! (PostgreSQL needs `TERBUKA_TEST_POSTGRES_URL`; without it the tests fail, never skip).

use chrono::{DateTime, NaiveDate, Utc};
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::dip::{Category, ItemFields, ItemState, RetentionKind};
use terbuka_domain::UnitKind;
use terbuka_store::*;

type R<T = ()> = terbuka_store::Result<T>;

macro_rules! contract {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = terbuka_store::testing::sqlite().await;
                super::$name(&t.store).await.expect(concat!(stringify!($name), " on SQLite"));
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = terbuka_store::testing::postgres().await;
                super::$name(&t.store).await.expect(concat!(stringify!($name), " on PostgreSQL"));
            }
        }
    };
}

contract!(items_versions_and_files);
contract!(bulk_insert_is_all_or_nothing);
contract!(filters_facets_and_due_items);
contract!(change_log_is_ordered);

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn unit(s: &dyn Store, code: &str) -> R<i64> {
    let audit = NewAuditEntry { actor: "test".into(), action: "unit.add".into(), subject: code.into(), detail: "{}".into() };
    s.insert_unit(NewUnit { code: code.into(), name: code.into(), name_en: code.into(), kind: UnitKind::Pelaksana, parent: None }, audit).await
}

fn fields(unit: i64, title: &str, category: Category, year: i32) -> ItemFields {
    ItemFields {
        title: title.into(),
        summary: format!("Ringkasan {title}"),
        unit,
        official: "Kepala".into(),
        produced_on: NaiveDate::from_ymd_opt(year, 3, 1).unwrap(),
        produced_place: "Jakarta".into(),
        period: String::new(),
        softcopy: true,
        hardcopy: false,
        retention: RetentionKind::Years,
        retention_years: Some(5),
        how_to_obtain: "Unduh".into(),
        category,
        cadence_months: (category == Category::Berkala).then_some(6),
        exemption: None,
    }
}

fn file(name: &str, ct: &str, text: &str) -> NewInfoFile {
    NewInfoFile {
        blob_key: format!("dip/xx/{name}"),
        filename: name.into(),
        content_type: ct.into(),
        size: 10,
        sha256: format!("sha-{name}"),
        text: text.into(),
    }
}

fn write(at: &str, action: &str) -> ItemWrite {
    ItemWrite {
        at: t(at),
        actor: "officer:1".into(),
        audit: NewAuditEntry { actor: "officer:1".into(), action: action.into(), subject: "info:{id}".into(), detail: "{}".into() },
    }
}

fn new_item(f: ItemFields, state: ItemState, files: Vec<NewInfoFile>) -> NewItem {
    NewItem { state, fields: f, publish_at: None, source_document: None, files, action: "create".into(), note: None }
}

fn change(item: &StoredItem, action: &str) -> ItemChange {
    ItemChange {
        state: item.state,
        fields: item.fields.clone(),
        publish_at: item.publish_at,
        withdrawn_reason: item.withdrawn_reason.clone(),
        content_changed: false,
        add_files: vec![],
        replace_files: vec![],
        remove_slots: vec![],
        action: action.into(),
        note: None,
    }
}

async fn items_versions_and_files(s: &dyn Store) -> R {
    let u = unit(s, "dinkes").await?;
    let ids = s
        .insert_items(
            vec![new_item(fields(u, "Laporan Keuangan", Category::Berkala, 2025), ItemState::Draft, vec![file("a.pdf", "application/pdf", "teks satu")])],
            write("2026-01-05T03:00:00Z", "info.create"),
        )
        .await?;
    let item = s.item(ids[0]).await?.expect("item");
    assert_eq!((item.state, item.version, item.formats.as_str()), (ItemState::Draft, 1, "PDF"));
    assert_eq!(item.content_updated_on, d("2026-01-05"));
    assert!(item.published_at.is_none());

    // Publish, then replace the file: the old revision stays, superseded.
    let mut c = change(&item, "publish");
    c.state = ItemState::Published;
    let item = s.update_item(item.id, 1, c, write("2026-01-06T03:00:00Z", "info.publish")).await?;
    assert_eq!((item.state, item.version), (ItemState::Published, 2));
    assert_eq!(item.published_at, Some(t("2026-01-06T03:00:00Z")));
    assert_eq!(item.content_updated_on, d("2026-01-05"), "publishing is not a content change");
    let mut c = change(&item, "replace_file");
    c.replace_files = vec![(1, file("a2.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "teks dua"))];
    c.add_files = vec![file("b.csv", "text/csv; charset=utf-8", "teks tiga")];
    let item = s.update_item(item.id, 2, c, write("2026-03-01T03:00:00Z", "info.replace_file")).await?;
    assert_eq!(item.content_updated_on, d("2026-03-01"));
    assert_eq!(item.formats, "XLSX,CSV");
    let files = s.item_files(item.id).await?;
    assert_eq!(files.len(), 3);
    let old = files.iter().find(|f| f.filename == "a.pdf").unwrap();
    let new = files.iter().find(|f| f.filename == "a2.xlsx").unwrap();
    assert_eq!((old.slot, old.revision, old.is_current()), (1, 1, false));
    assert_eq!((new.slot, new.revision, new.is_current(), new.item_version), (1, 2, true, 3));
    assert_eq!(s.current_file_texts(item.id).await?, vec!["teks dua".to_string(), "teks tiga".to_string()]);
    assert_eq!(s.info_file(old.id).await?.map(|f| f.filename), Some("a.pdf".into()));

    // Remove a file: recorded, not deleted.
    let mut c = change(&item, "remove_file");
    c.remove_slots = vec![2];
    let item = s.update_item(item.id, 3, c, write("2026-03-02T03:00:00Z", "info.remove_file")).await?;
    let files = s.item_files(item.id).await?;
    assert!(files.iter().any(|f| f.filename == "b.csv" && f.removed && !f.is_current()));
    assert_eq!(item.formats, "XLSX");
    // Removing or replacing a slot that has no current file saves nothing.
    let mut c = change(&item, "remove_file");
    c.remove_slots = vec![2];
    assert!(matches!(s.update_item(item.id, 4, c, write("2026-03-03T03:00:00Z", "x")).await, Err(StoreError::NotFound)));
    assert_eq!(s.item(item.id).await?.unwrap().version, 4);

    // Withdraw with a reason; a stale version saves nothing.
    let mut c = change(&item, "withdraw");
    c.state = ItemState::Withdrawn;
    c.withdrawn_reason = Some("Data keliru".into());
    assert!(matches!(s.update_item(item.id, 3, c.clone(), write("2026-03-04T03:00:00Z", "x")).await, Err(StoreError::Conflict(_))));
    let item = s.update_item(item.id, 4, c, write("2026-03-04T03:00:00Z", "info.withdraw")).await?;
    assert_eq!(item.withdrawn_at, Some(t("2026-03-04T03:00:00Z")));
    assert_eq!(item.withdrawn_reason.as_deref(), Some("Data keliru"));

    let versions = s.item_versions(item.id).await?;
    assert_eq!(versions.iter().map(|v| v.action.as_str()).collect::<Vec<_>>(), vec!["create", "publish", "replace_file", "remove_file", "withdraw"]);
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
    assert_eq!(versions[4].state, ItemState::Withdrawn);
    assert_eq!(versions[0].fields, fields(u, "Laporan Keuangan", Category::Berkala, 2025));
    // Every write is in the audit chain.
    let audit = s.audit_entries().await?;
    assert_eq!(audit.iter().filter(|e| e.action.starts_with("info.")).count(), 5);
    assert_eq!(audit.iter().find(|e| e.action == "info.create").map(|e| e.subject.clone()), Some(format!("info:{}", item.id)));
    Ok(())
}

async fn bulk_insert_is_all_or_nothing(s: &dyn Store) -> R {
    let u = unit(s, "dinsos").await?;
    let doc_item = |title: &str, src: Option<i64>| NewItem {
        source_document: src,
        ..new_item(fields(u, title, Category::SetiapSaat, 2024), ItemState::Published, vec![])
    };
    let before_audit = s.audit_entries().await?.len();
    let ids = s.insert_items((0..5).map(|i| doc_item(&format!("Item {i}"), None)).collect(), write("2026-02-01T03:00:00Z", "info.import")).await?;
    assert_eq!(ids.len(), 5);
    assert_eq!(s.audit_entries().await?.len(), before_audit + 1, "one import, one audit entry");
    // A batch that breaks a rule (unit that does not exist) saves none of its rows.
    let mut bad = (0..3).map(|i| doc_item(&format!("Baru {i}"), None)).collect::<Vec<_>>();
    bad[2].fields.unit = 9999;
    assert!(s.insert_items(bad, write("2026-02-02T03:00:00Z", "info.import")).await.is_err());
    assert_eq!(s.list_items(&ItemFilter { limit: 100, ..Default::default() }).await?.total, 5);
    assert_eq!(s.audit_entries().await?.len(), before_audit + 1);
    assert_eq!(s.search_change_head().await?, 5, "the failed batch logged nothing");
    Ok(())
}

async fn filters_facets_and_due_items(s: &dyn Store) -> R {
    let a = unit(s, "bpbd").await?;
    let b = unit(s, "disdik").await?;
    let pdf = || vec![file("x.pdf", "application/pdf", "")];
    let mut items = vec![
        new_item(fields(a, "Banjir 2024", Category::SertaMerta, 2024), ItemState::Published, pdf()),
        new_item(fields(a, "Anggaran 2025", Category::Berkala, 2025), ItemState::Published, vec![]),
        new_item(fields(b, "Sekolah 2025", Category::SetiapSaat, 2025), ItemState::Draft, pdf()),
        new_item(fields(b, "Rahasia 100%_x", Category::Dikecualikan, 2023), ItemState::Published, vec![]),
        new_item(fields(b, "Terjadwal", Category::SetiapSaat, 2025), ItemState::Scheduled, vec![]),
    ];
    items[3].fields.exemption = Some(terbuka_domain::dip::ExemptionRecord {
        ground: terbuka_domain::ExemptionGround::C,
        legal_basis: "UU 14/2008 Pasal 17 huruf c".into(),
        withheld: "x".into(),
        consequence: "x".into(),
        public_interest: "x".into(),
        approval_ref: "x".into(),
        decided_on: d("2023-01-01"),
        until: Some(d("2026-01-31")),
        category_after: Category::SetiapSaat,
    });
    items[4].publish_at = Some(t("2026-02-10T01:00:00Z"));
    s.insert_items(items, write("2026-02-01T03:00:00Z", "info.import")).await?;
    let titles = |p: Page<StoredItem>| p.items.into_iter().map(|i| i.fields.title).collect::<Vec<_>>();
    let f = |mutate: &dyn Fn(&mut ItemFilter)| {
        let mut f = ItemFilter { limit: 50, order: ItemOrder::Title, ..Default::default() };
        mutate(&mut f);
        f
    };
    assert_eq!(titles(s.list_items(&f(&|f| f.unit = Some(a))).await?), vec!["Anggaran 2025", "Banjir 2024"]);
    assert_eq!(titles(s.list_items(&f(&|f| f.states = vec![ItemState::Published])).await?), vec!["Anggaran 2025", "Banjir 2024", "Rahasia 100%_x"]);
    assert_eq!(titles(s.list_items(&f(&|f| f.categories = vec![Category::Berkala, Category::SertaMerta])).await?), vec!["Anggaran 2025", "Banjir 2024"]);
    assert_eq!(titles(s.list_items(&f(&|f| f.year = Some(2025))).await?), vec!["Anggaran 2025", "Sekolah 2025", "Terjadwal"]);
    assert_eq!(titles(s.list_items(&f(&|f| f.format = Some("PDF".into()))).await?), vec!["Banjir 2024", "Sekolah 2025"]);
    assert_eq!(titles(s.list_items(&f(&|f| f.format = Some("DF".into()))).await?), Vec::<String>::new(), "formats match whole labels");
    assert_eq!(titles(s.list_items(&f(&|f| f.text = Some("100%_".into()))).await?), vec!["Rahasia 100%_x"], "LIKE wildcards are literal");
    assert_eq!(titles(s.list_items(&f(&|f| f.text = Some("bANJIR".into()))).await?), vec!["Banjir 2024"]);
    let page = s
        .list_items(&f(&|f| {
            f.limit = 2;
            f.offset = 2;
        }))
        .await?;
    assert_eq!((page.total, page.items.len()), (5, 2));
    let facets = s.item_facets(&[ItemState::Published]).await?;
    assert_eq!(facets.years, vec![2025, 2024, 2023]);
    assert_eq!(facets.formats, vec!["PDF".to_string()]);
    // Due: the scheduled item from its time on; the exemption the day after it ends.
    let (due, ended) = s.items_due(t("2026-02-10T00:59:00Z"), d("2026-01-31")).await?;
    assert!(due.is_empty() && ended.is_empty());
    let (due, ended) = s.items_due(t("2026-02-10T01:00:00Z"), d("2026-02-01")).await?;
    assert_eq!((due.len(), ended.len()), (1, 1));
    Ok(())
}

async fn change_log_is_ordered(s: &dyn Store) -> R {
    let u = unit(s, "kominfo").await?;
    assert_eq!(s.search_change_head().await?, 0);
    let ids = s
        .insert_items(vec![new_item(fields(u, "A", Category::SetiapSaat, 2025), ItemState::Published, vec![])], write("2026-02-01T03:00:00Z", "info.create"))
        .await?;
    let item = s.item(ids[0]).await?.unwrap();
    s.update_item(item.id, 1, change(&item, "edit"), write("2026-02-01T04:00:00Z", "info.edit")).await?;
    s.touch_search(vec!["request:PMH-2026-00001".into()]).await?;
    let log = s.search_changes_after(0, 100).await?;
    assert_eq!(log.iter().map(|(_, k)| k.as_str()).collect::<Vec<_>>(), vec![item_key(item.id).as_str(), item_key(item.id).as_str(), "request:PMH-2026-00001"]);
    assert!(log.windows(2).all(|w| w[0].0 < w[1].0), "strictly increasing");
    assert_eq!(s.search_change_head().await?, log[2].0);
    assert_eq!(s.search_changes_after(log[0].0, 1).await?, vec![log[1].clone()]);
    Ok(())
}
