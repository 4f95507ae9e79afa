//! The register use cases end to end through `App`: life-cycle, files and their text in search,
//! exemptions that never reach the index and open when their period ends, scheduled
//! publication, bulk import all-or-nothing, and two app nodes on one PostgreSQL database whose
//! search indexes converge.

use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;
use terbuka_app::crypto::PiiKey;
use terbuka_app::register::{ImportOutcome, Intent};
use terbuka_app::service::Upload;
use terbuka_app::{App, AppError, Config};
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::authz::Actor;
use terbuka_domain::dip::{Category, ItemEvent, ItemState};
use terbuka_domain::validate::RawItem;
use terbuka_domain::{Role, UnitKind};
use terbuka_search::SearchQuery;
use terbuka_store::testing::TestStore;
use terbuka_store::{NewUnit, Store};

struct Org {
    utama: Actor,
    health: Actor,
    social: Actor,
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn config(blobs: &std::path::Path) -> Config {
    let mut c = Config::default();
    c.files.local_dir = blobs.display().to_string();
    c.jobs.enabled = false;
    c
}

fn node(store: &TestStore, key: &PiiKey, blobs: &std::path::Path) -> App {
    App::new(Arc::new(store.store.clone()), config(blobs), key.clone())
}

async fn org(s: &dyn Store) -> Org {
    let mut ids = Vec::new();
    for code in ["ppid-utama", "dinkes", "dinsos"] {
        let audit = NewAuditEntry { actor: "test".into(), action: "unit.add".into(), subject: code.into(), detail: "{}".into() };
        let kind = if code == "ppid-utama" { UnitKind::Utama } else { UnitKind::Pelaksana };
        ids.push(s.insert_unit(NewUnit { code: code.into(), name: format!("Unit {code}"), name_en: code.into(), kind, parent: None }, audit).await.unwrap());
    }
    Org {
        utama: Actor { officer: 1, role: Role::PpidUtama, unit: Some(ids[0]) },
        health: Actor { officer: 2, role: Role::PpidPelaksana, unit: Some(ids[1]) },
        social: Actor { officer: 3, role: Role::PpidPelaksana, unit: Some(ids[2]) },
    }
}

fn raw(title: &str, summary: &str, unit: &str, category: &str) -> RawItem {
    RawItem {
        title: Some(title.into()),
        summary: Some(summary.into()),
        unit: Some(unit.into()),
        official: Some("Kepala Dinas".into()),
        produced_on: Some("2026-01-10".into()),
        formats: Some("softcopy".into()),
        retention: Some("5 tahun".into()),
        how_to_obtain: Some("Unduh di laman ini".into()),
        category: Some(category.into()),
        ..Default::default()
    }
}

fn exempt(mut r: RawItem, marker: &str, until: &str) -> RawItem {
    r.category = Some("dikecualikan".into());
    r.exemption_ground = Some("c".into());
    r.legal_basis = Some("UU 14/2008 Pasal 17 huruf c".into());
    r.withheld = Some(format!("Denah {marker}"));
    r.consequence = Some(format!("Membahayakan keamanan {marker}"));
    r.public_interest = Some(format!("Kepentingan umum kecil {marker}"));
    r.approval_ref = Some("SK-1/2026".into());
    r.decided_on = Some("2026-01-15".into());
    r.exempt_until = Some(until.into());
    r
}

fn pdf(text: &str) -> Upload {
    Upload { filename: "lampiran.pdf".into(), content_type: "application/pdf".into(), data: terbuka_files::samples::pdf("Lampiran", &[text]) }
}

fn keys(app: &App, q: &str) -> Vec<String> {
    let r = app.search(&SearchQuery { text: q.into(), per_page: 50, ..Default::default() }).unwrap();
    r.hits.into_iter().map(|h| h.key).collect()
}

const NOW: &str = "2026-02-02T03:00:00Z";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn life_cycle_files_and_search() {
    let ts = terbuka_store::testing::sqlite().await;
    let blobs = tempfile::tempdir().unwrap();
    let key = PiiKey::from_base64(&PiiKey::generate_base64()).unwrap();
    let app = node(&ts, &key, blobs.path());
    let o = org(&ts.store).await;
    let now = t(NOW);

    // A draft is not searchable; published, its summary and its PDF's text are.
    let item = app
        .create_item(
            &o.health,
            &raw("Data Imunisasi Anak", "Cakupan imunisasi dasar lengkap per kecamatan", "dinkes", "setiap_saat"),
            Intent::Draft,
            vec![pdf("vaksinasi campak rubela zanzibarkata")],
            now,
        )
        .await
        .unwrap();
    assert_eq!(item.state, ItemState::Draft);
    assert!(keys(&app, "imunisasi").is_empty(), "drafts are not indexed");
    let item = app.item_event(&o.health, item.id, item.version, ItemEvent::Publish, None, None, now).await.unwrap();
    let key_ = format!("info:{}", item.id);
    assert_eq!(keys(&app, "imunisasi"), vec![key_.clone()]);
    assert_eq!(keys(&app, "zanzibarkata"), vec![key_.clone()], "text from the PDF attachment is searchable");

    // Another unit's officer cannot touch it (and is told it does not exist).
    let err = app.item_event(&o.social, item.id, item.version, ItemEvent::Withdraw, None, Some("alasan yang cukup panjang".into()), now).await.unwrap_err();
    assert!(matches!(err, AppError::NotFound), "{err:?}");
    // Forbidden transitions change nothing.
    let err = app.item_event(&o.health, item.id, item.version, ItemEvent::Restore, None, None, now).await.unwrap_err();
    assert!(matches!(err, AppError::Rejected("err.transition_not_allowed")), "{err:?}");
    // Withdrawal needs a reason.
    let err = app.item_event(&o.health, item.id, item.version, ItemEvent::Withdraw, None, Some("pendek".into()), now).await.unwrap_err();
    assert!(matches!(err, AppError::Invalid(_)), "{err:?}");

    // Replacing the file: the new text is found, the old text no longer, the old revision is kept.
    let slot = app.store.item_files(item.id).await.unwrap()[0].slot;
    let item = app.change_files(&o.health, item.id, item.version, vec![], Some((slot, pdf("kuningmerah baru"))), None, None, now).await.unwrap();
    assert!(keys(&app, "zanzibarkata").is_empty());
    assert_eq!(keys(&app, "kuningmerah"), vec![key_.clone()]);
    let files = app.store.item_files(item.id).await.unwrap();
    assert_eq!(files.len(), 2);
    let old = files.iter().find(|f| !f.is_current()).unwrap();
    let (_, bytes) = app.public_file(old.id).await.unwrap().expect("old revisions stay downloadable");
    assert!(bytes.starts_with(b"%PDF-"));

    // Withdrawn: out of search, files no longer served, a notice remains.
    let item = app.item_event(&o.health, item.id, item.version, ItemEvent::Withdraw, None, Some("Data keliru, akan diperbaiki".into()), now).await.unwrap();
    assert!(keys(&app, "imunisasi").is_empty());
    assert!(app.public_file(old.id).await.unwrap().is_none());
    let public = app.public_item(item.id, now).await.unwrap().unwrap();
    assert_eq!(public.visibility, terbuka_domain::dip::Visibility::WithdrawnNotice);
    let actions: Vec<String> = app.store.item_versions(item.id).await.unwrap().into_iter().map(|v| v.action).collect();
    assert_eq!(actions, vec!["create", "publish", "replace_file", "withdraw"]);

    // A stale version is refused.
    let err = app.item_event(&o.health, item.id, item.version - 1, ItemEvent::Restore, None, None, now).await.unwrap_err();
    assert!(matches!(err, AppError::Conflict), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exemptions_never_reach_the_index_and_open_when_they_end() {
    let ts = terbuka_store::testing::sqlite().await;
    let blobs = tempfile::tempdir().unwrap();
    let key = PiiKey::from_base64(&PiiKey::generate_base64()).unwrap();
    let app = node(&ts, &key, blobs.path());
    let o = org(&ts.store).await;
    let now = t(NOW);
    let marker = "RAHASIAQX7";
    let r = exempt(raw("Denah Pusat Data", &format!("Ringkasan {marker}"), "dinkes", "dikecualikan"), marker, "2026-03-31");
    let item = app.create_item(&o.health, &r, Intent::Publish, vec![pdf(&format!("isi berkas {marker}"))], now).await.unwrap();
    assert_eq!(item.fields.category, Category::Dikecualikan);
    for q in [marker, "denah", "pusat data", "rahasiaqx7"] {
        assert!(keys(&app, q).is_empty(), "{q} finds nothing while exempt");
    }
    let file = app.store.item_files(item.id).await.unwrap()[0].clone();
    assert!(app.public_file(file.id).await.unwrap().is_none(), "exempt files are never served");
    assert!(app.dip_table(terbuka_domain::Lang::Id).await.unwrap().1.is_empty(), "exempt items are not in the DIP table");
    // A full reindex still leaves it out.
    app.reindex(&mut |_, _| {}).await.unwrap();
    assert!(keys(&app, marker).is_empty());

    // The period ends on 31 March: on 1 April the job opens it, once.
    assert_eq!(app.run_register_schedule(t("2026-03-31T10:00:00Z")).await.unwrap(), (0, 0));
    assert_eq!(app.run_register_schedule(t("2026-03-31T17:30:00Z")).await.unwrap(), (0, 1), "00:30 WIB on 1 April");
    assert_eq!(app.run_register_schedule(t("2026-04-01T05:00:00Z")).await.unwrap(), (0, 0));
    let opened = app.store.item(item.id).await.unwrap().unwrap();
    assert_eq!(opened.fields.category, Category::SetiapSaat);
    assert_eq!(keys(&app, marker), vec![format!("info:{}", item.id)]);
    assert!(app.public_file(file.id).await.unwrap().is_some());
    assert_eq!(app.store.item_versions(item.id).await.unwrap().last().unwrap().action, "exemption_ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_publication_and_stale_periodic_items() {
    let ts = terbuka_store::testing::sqlite().await;
    let blobs = tempfile::tempdir().unwrap();
    let key = PiiKey::from_base64(&PiiKey::generate_base64()).unwrap();
    let app = node(&ts, &key, blobs.path());
    let o = org(&ts.store).await;
    let now = t(NOW);
    let err = app
        .create_item(&o.health, &raw("Jadwal", "Ringkasan terjadwal", "dinkes", "setiap_saat"), Intent::Schedule(now - Duration::minutes(1)), vec![], now)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invalid(_)), "a schedule in the past is refused: {err:?}");
    let at = now + Duration::hours(2);
    let item =
        app.create_item(&o.health, &raw("Jadwal terbit", "Ringkasan terjadwal", "dinkes", "setiap_saat"), Intent::Schedule(at), vec![], now).await.unwrap();
    assert_eq!(item.state, ItemState::Scheduled);
    assert!(app.public_item(item.id, now).await.unwrap().is_none(), "scheduled items are not public yet");
    assert_eq!(app.run_register_schedule(at - Duration::seconds(1)).await.unwrap(), (0, 0));
    assert_eq!(app.run_register_schedule(at).await.unwrap(), (1, 0));
    assert_eq!(app.store.item(item.id).await.unwrap().unwrap().state, ItemState::Published);
    assert_eq!(keys(&app, "terbit").len(), 1);

    // A periodic item refreshed every 3 months is stale after that; officers get one reminder.
    let mut r = raw("Laporan Triwulan", "Laporan kinerja triwulan", "dinkes", "berkala");
    r.cadence_months = Some("3".into());
    let item = app.create_item(&o.health, &r, Intent::Publish, vec![], now).await.unwrap();
    assert!(app.stale_items(None, now + Duration::days(80)).await.unwrap().is_empty());
    let stale = app.stale_items(None, now + Duration::days(95)).await.unwrap();
    assert_eq!(stale.iter().map(|(i, _)| i.id).collect::<Vec<_>>(), vec![item.id]);
    let counts = app.register_counts(now + Duration::days(95)).await.unwrap();
    assert_eq!(counts.iter().find(|(u, _)| *u == o.health.unit).unwrap().1.stale, 1);
    assert_eq!(counts.iter().find(|(u, _)| u.is_none()).unwrap().1.stale, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_import_is_all_or_nothing() {
    let ts = terbuka_store::testing::sqlite().await;
    let blobs = tempfile::tempdir().unwrap();
    let key = PiiKey::from_base64(&PiiKey::generate_base64()).unwrap();
    let app = node(&ts, &key, blobs.path());
    let o = org(&ts.store).await;
    let now = t(NOW);
    let header = "judul;ringkasan_isi;unit;penanggung_jawab;waktu_pembuatan;bentuk_informasi;jangka_waktu_penyimpanan;cara_memperoleh;kategori\n";
    let good = "Profil Dinas;Profil lengkap dinas kesehatan;dinkes;Kepala Dinas;2025-12-01;softcopy;permanen;Unduh;berkala\n";
    let bad_unit = "Data Lain;Ringkasan data lain yang cukup;dinas-tidak-ada;Kepala Dinas;2025-12-01;softcopy;5 tahun;Unduh;setiap_saat\n";
    let bad_date = "Data Ketiga;Ringkasan data ketiga yang cukup;dinkes;Kepala Dinas;01/12/2025;softcopy;5 tahun;Unduh;setiap_saat\n";
    let upload = |body: String| Upload { filename: "dip.csv".into(), content_type: "text/csv".into(), data: body.into_bytes() };
    match app.import_items(&o.utama, &upload(format!("{header}{good}{bad_unit}{bad_date}")), true, now).await.unwrap() {
        ImportOutcome::Rejected { errors } => {
            let got: Vec<(usize, &str, &str)> = errors.iter().map(|e| (e.line, e.field.as_str(), e.code.as_str())).collect();
            assert_eq!(got, vec![(3, "unit", "err.unit_unknown"), (4, "produced_on", "err.date_format")]);
        }
        other => panic!("expected rejection, got {other:?}"),
    }
    assert_eq!(app.store.list_items(&Default::default()).await.unwrap().total, 0, "nothing saved");
    // A PPID Pelaksana may import only for their own unit.
    let social_row = "Data Sosial;Ringkasan data sosial yang cukup;dinkes;Kepala Dinas;2025-12-01;softcopy;5 tahun;Unduh;setiap_saat\n";
    match app.import_items(&o.social, &upload(format!("{header}{social_row}")), true, now).await.unwrap() {
        ImportOutcome::Rejected { errors } => assert_eq!(errors[0].code, "err.unit_forbidden"),
        other => panic!("expected rejection, got {other:?}"),
    }
    let ok = app.import_items(&o.utama, &upload(format!("{header}{good}{}", good.replace("Profil Dinas", "Profil Kedua"))), true, now).await.unwrap();
    let ImportOutcome::Saved { ids } = ok else { panic!("saved") };
    assert_eq!(ids.len(), 2);
    assert_eq!(keys(&app, "profil").len(), 2);
    // The export round-trips through the import.
    let (headers, rows) = app.export_items(&o.utama).await.unwrap();
    let hs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let csv = terbuka_files::table::write_csv(&hs, &rows);
    let again = app.import_items(&o.utama, &Upload { filename: "ekspor.csv".into(), content_type: "text/csv".into(), data: csv }, false, now).await.unwrap();
    assert!(matches!(again, ImportOutcome::Saved { ref ids } if ids.len() == 2), "{again:?}");
}

/// Two app nodes on one PostgreSQL database, each with its own index: a change made on one is
/// found on the other after its sync, and a withdrawal disappears from both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_converge_on_postgres() {
    let ts = terbuka_store::testing::postgres().await;
    let blobs = tempfile::tempdir().unwrap();
    let key = PiiKey::from_base64(&PiiKey::generate_base64()).unwrap();
    let a = node(&ts, &key, blobs.path());
    let second = terbuka_store::SqlStore::connect(&ts.url, 4).await.unwrap();
    let b = App::new(Arc::new(second), config(blobs.path()), key.clone());
    let o = org(&ts.store).await;
    let now = t(NOW);
    let item = a
        .create_item(
            &o.health,
            &raw("Peta Rawan Banjir", "Peta genangan dan pintu air", "dinkes", "serta_merta"),
            Intent::Publish,
            vec![pdf("pompa stasioner")],
            now,
        )
        .await
        .unwrap();
    assert_eq!(keys(&a, "banjir").len(), 1, "the writing node sees its change at once");
    assert!(keys(&b, "banjir").is_empty(), "node b has not synced yet");
    b.sync_search().await.unwrap();
    assert_eq!(keys(&b, "banjir"), keys(&a, "banjir"));
    assert_eq!(keys(&b, "pompa"), vec![format!("info:{}", item.id)]);
    // Concurrent writes on both nodes; after both sync, both answer the same.
    let (x, y) = (
        raw("Data Pompa Air", "Jumlah pompa air per kecamatan", "dinkes", "setiap_saat"),
        raw("Data Bantuan Banjir", "Bantuan bagi warga terdampak banjir", "dinsos", "setiap_saat"),
    );
    let (r1, r2) = tokio::join!(a.create_item(&o.health, &x, Intent::Publish, vec![], now), b.create_item(&o.social, &y, Intent::Publish, vec![], now));
    r1.unwrap();
    r2.unwrap();
    b.item_event(&o.health, item.id, item.version, ItemEvent::Withdraw, None, Some("Diganti peta terbaru".into()), now).await.unwrap();
    a.sync_search().await.unwrap();
    b.sync_search().await.unwrap();
    for q in ["banjir", "pompa", "peta"] {
        let (ka, kb) = (keys(&a, q), keys(&b, q));
        assert_eq!(ka, kb, "{q}: both nodes give the same results");
    }
    assert_eq!(keys(&a, "banjir").len(), 1, "only the aid item: the withdrawn map is gone on both");
    assert!(!keys(&a, "peta").contains(&format!("info:{}", item.id)));
}
