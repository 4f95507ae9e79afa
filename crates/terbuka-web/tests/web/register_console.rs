//! The register console through HTTP: an item's whole life through the pages, every life-cycle
//! step allowed and refused, the authorization matrix of the register routes, bulk import and
//! export, the promotion of a released document, and bad input on every form (always a 4xx with
//! a message, never a 5xx, never anything half-saved).

use super::util::*;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use terbuka_app::register::Intent;
use terbuka_app::service::Upload;
use terbuka_domain::dip::{ItemEvent, ItemState};
use terbuka_domain::validate::{RawItem, RawRequest, ITEM_COLUMNS};
use terbuka_domain::Lang;
use terbuka_store::ItemFilter;

// ------------------------------------------------------------------------------------ helpers

const INTERNAL: &str = "Terjadi kesalahan pada sistem kami";

/// Form fields as sent, and one file part (field, file name, bytes).
type Fields = Vec<(&'static str, String)>;
type FilePart<'a> = (&'a str, &'a str, &'a [u8]);

/// What minijinja's HTML auto-escaping makes of a message.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#x27;").replace('/', "&#x2f;")
}

/// The message for a catalog key, as it appears in a page.
fn msg(key: &str) -> String {
    esc(&terbuka_web::http::render::tr(Lang::Id, key))
}

fn msg_en(key: &str) -> String {
    esc(&terbuka_web::http::render::tr(Lang::En, key))
}

/// A page with `status`, rendered without a template failure or a missing catalog key, showing
/// every expected text.
#[track_caller]
fn page(r: &Resp, status: StatusCode, expect: &[String], what: &str) -> String {
    let body = r.text();
    assert_eq!(r.status, status, "{what}: {}", body.chars().take(3000).collect::<String>());
    assert!(!body.contains(INTERNAL), "{what}: internal error page");
    assert!(!body.contains("console_register."), "{what}: a catalog key is missing: {}", body);
    for e in expect {
        assert!(body.contains(e.as_str()), "{what}: {e:?} not in page: {body}");
    }
    body
}

fn pdf(title: &str) -> Vec<u8> {
    terbuka_files::samples::pdf(title, &["Realisasi anggaran pendapatan dan belanja daerah."])
}

/// A valid item as the form sends it (formats as two checkboxes; the exemption fields empty).
fn item_form(unit: &str, title: &str) -> Vec<(&'static str, String)> {
    let mut f: Vec<(&'static str, String)> = vec![
        ("title", title.into()),
        ("summary", "Laporan realisasi anggaran pendapatan dan belanja tahun 2025.".into()),
        ("unit", unit.into()),
        ("official", "Kepala Dinas Kesehatan".into()),
        ("produced_on", "2025-06-30".into()),
        ("produced_place", "Jakarta".into()),
        ("period", "Tahun 2025".into()),
        ("formats", "softcopy".into()),
        ("formats", "hardcopy".into()),
        ("retention", "5 tahun".into()),
        ("how_to_obtain", "Unduh langsung dari laman ini.".into()),
        ("category", "berkala".into()),
        ("cadence_months", "6".into()),
    ];
    for k in ["exemption_ground", "legal_basis", "withheld", "consequence", "public_interest", "approval_ref", "decided_on", "exempt_until", "category_after"] {
        f.push((k, String::new()));
    }
    f
}

fn with(mut base: Vec<(&'static str, String)>, extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    for (k, v) in extra {
        base.retain(|(bk, _)| bk != k);
        base.push((k, v.to_string()));
    }
    base
}

fn raw_item(unit: &str, title: &str) -> RawItem {
    RawItem {
        title: Some(title.into()),
        summary: Some("Laporan realisasi anggaran pendapatan dan belanja tahun 2025.".into()),
        unit: Some(unit.into()),
        official: Some("Kepala Dinas Kesehatan".into()),
        produced_on: Some("2025-06-30".into()),
        formats: Some("softcopy".into()),
        retention: Some("5 tahun".into()),
        how_to_obtain: Some("Unduh langsung dari laman ini.".into()),
        category: Some("setiap_saat".into()),
        ..Default::default()
    }
}

fn exempt_item(unit: &str, title: &str) -> RawItem {
    RawItem {
        category: Some("dikecualikan".into()),
        exemption_ground: Some("h".into()),
        legal_basis: Some("UU 14/2008 Pasal 17 huruf h".into()),
        withheld: Some("Rekam medis per pasien".into()),
        consequence: Some("Membuka rahasia pribadi pasien dan keluarganya".into()),
        public_interest: Some("Kepentingan publik terpenuhi oleh data agregat".into()),
        approval_ref: Some("SK-PPID-01/2026".into()),
        decided_on: Some("2025-07-01".into()),
        category_after: Some("setiap_saat".into()),
        ..raw_item(unit, title)
    }
}

/// An item of the health office made through the use case, in `state`.
async fn item_in(t: &TestApp, state: ItemState, title: &str) -> i64 {
    let o = t.org;
    let now = Utc::now();
    let files = vec![Upload { filename: "laporan.pdf".into(), content_type: "application/pdf".into(), data: pdf(title) }];
    let intent = match state {
        ItemState::Draft => Intent::Draft,
        ItemState::Scheduled => Intent::Schedule(now + Duration::days(3)),
        ItemState::Published | ItemState::Withdrawn => Intent::Publish,
    };
    let it = t.app.create_item(&o.health_officer, &raw_item("dinkes", title), intent, files, now).await.unwrap();
    if state == ItemState::Withdrawn {
        t.app.item_event(&o.health_officer, it.id, it.version, ItemEvent::Withdraw, None, Some("Data keliru dan perlu diperbaiki.".into()), now).await.unwrap();
    }
    it.id
}

/// Everything a refused submission must leave as it was.
#[derive(Debug, PartialEq, Clone)]
struct Snap {
    items: Vec<(i64, i64, String)>,
    versions: usize,
    files: usize,
    audit: i64,
}

async fn snap(t: &TestApp) -> Snap {
    let s = &t.app.store;
    let items = t.app.all_items(ItemFilter::default()).await.unwrap();
    let (mut versions, mut files) = (0, 0);
    for it in &items {
        versions += s.item_versions(it.id).await.unwrap().len();
        files += s.item_files(it.id).await.unwrap().len();
    }
    let mut items: Vec<_> = items.iter().map(|it| (it.id, it.version, it.state.as_str().to_string())).collect();
    items.sort();
    Snap { items, versions, files, audit: s.audit_head().await.unwrap().count }
}

async fn item(t: &TestApp, id: i64) -> terbuka_store::StoredItem {
    t.app.store.item(id).await.unwrap().unwrap()
}

fn id_from_location(loc: &str) -> i64 {
    let rest = loc.strip_prefix("/konsol/informasi/").unwrap_or_else(|| panic!("not an item location: {loc}"));
    rest.split(['?', '#']).next().unwrap().parse().unwrap()
}

// ------------------------------------------------------------------------------------ full flow

#[tokio::test]
async fn an_item_through_the_console_pages() {
    let t = TestApp::sqlite().await;
    let mut dinkes = t.officer_client("dinkes").await;

    // The list and the form render; the unit is preset for a PPID Pelaksana.
    page(&dinkes.get("/konsol/informasi").await, StatusCode::OK, &[msg("console_register.list.title")], "empty list");
    let form = page(&dinkes.get("/konsol/informasi/baru").await, StatusCode::OK, &[msg("console_register.exemption.note")], "new form");
    assert!(form.contains("value=\"dinkes\" selected"), "unit preset: {form}");
    assert!(!form.contains("value=\"dinsos\""), "only the officer's own unit is offered");

    // Create a draft with a PDF.
    let first = pdf("Laporan Keuangan 2025");
    let fields = with(item_form("dinkes", "Laporan Keuangan 2025"), &[("intent", "draft")]);
    let r = dinkes.post_multipart("/konsol/informasi/baru", &fields, &[("files", "laporan.pdf", &first)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id = id_from_location(&r.location());
    assert!(r.location().ends_with("?ok=created"));
    let it = item(&t, id).await;
    assert_eq!((it.state, it.version), (ItemState::Draft, 1));
    let html = page(
        &dinkes.get(&r.location()).await,
        StatusCode::OK,
        &[msg("console_register.ok.created"), "Laporan Keuangan 2025".into(), "laporan.pdf".into()],
        "detail",
    );
    assert!(html.contains("name=\"event\" value=\"publish\"") && html.contains("name=\"event\" value=\"schedule\""));
    assert!(!html.contains("name=\"event\" value=\"withdraw\""));
    assert!(html.contains("Kepala Dinas Kesehatan"), "the edit form is prefilled");

    // Edit: a new version, the old title kept in the history.
    let fields = with(item_form("dinkes", "Laporan Keuangan Tahun 2025"), &[("version", "1"), ("note", "Judul diperjelas")]);
    let r = dinkes.post_form(&format!("/konsol/informasi/{id}/ubah"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(r.location().ends_with("ok=edited"));
    // The same values again: nothing to save, no new version.
    let fields = with(item_form("dinkes", "Laporan Keuangan Tahun 2025"), &[("version", "2")]);
    let r = dinkes.post_form(&format!("/konsol/informasi/{id}/ubah"), &fields).await;
    assert!(r.location().ends_with("ok=unchanged"), "{}", r.location());
    assert_eq!(item(&t, id).await.version, 2);

    // Publish.
    let r = dinkes.post_form(&format!("/konsol/informasi/{id}/aksi"), &[("version", "2".into()), ("event", "publish".into())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(item(&t, id).await.state, ItemState::Published);

    // Replace the file: the old revision stays listed and downloadable.
    let files = t.app.store.item_files(id).await.unwrap();
    assert_eq!(files.len(), 1);
    let (old_id, slot) = (files[0].id, files[0].slot);
    let second = pdf("Laporan Keuangan 2025 revisi");
    let r = dinkes
        .post_multipart(
            &format!("/konsol/informasi/{id}/berkas"),
            &[("version", "3".into()), ("op", "replace".into()), ("slot", slot.to_string()), ("note", String::new())],
            &[("file", "laporan-revisi.pdf", &second)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html =
        page(&dinkes.get(&format!("/konsol/informasi/{id}")).await, StatusCode::OK, &["laporan.pdf".into(), "laporan-revisi.pdf".into()], "after replace");
    assert!(html.contains(&format!("/konsol/informasi/berkas/{old_id}")), "the old revision is listed");
    assert!(html.contains(&msg("console_register.files.superseded")));
    let old = dinkes.get(&format!("/konsol/informasi/berkas/{old_id}")).await;
    assert_eq!(old.status, StatusCode::OK);
    assert_eq!(old.bytes, first);
    assert!(old.headers.get("content-disposition").unwrap().to_str().unwrap().starts_with("attachment"));

    // Withdraw: a reason is required.
    let r =
        dinkes.post_form(&format!("/konsol/informasi/{id}/aksi"), &[("version", "4".into()), ("event", "withdraw".into()), ("reason", String::new())]).await;
    let html = page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg("err.required")], "withdraw without reason");
    assert!(html.contains("id=\"form-event-withdraw\""));
    let r = dinkes
        .post_form(
            &format!("/konsol/informasi/{id}/aksi"),
            &[("version", "4".into()), ("event", "withdraw".into()), ("reason", "Angka realisasi keliru, sedang diperbaiki.".into())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let it = item(&t, id).await;
    assert_eq!(it.state, ItemState::Withdrawn);
    assert_eq!(it.withdrawn_reason.as_deref(), Some("Angka realisasi keliru, sedang diperbaiki."));

    // Restore: back to draft.
    let r = dinkes.post_form(&format!("/konsol/informasi/{id}/aksi"), &[("version", "5".into()), ("event", "restore".into())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(item(&t, id).await.state, ItemState::Draft);

    // The history shows every step, with the changed field and the reason.
    let actions: Vec<String> = t.app.store.item_versions(id).await.unwrap().iter().map(|v| v.action.clone()).collect();
    assert_eq!(actions, ["create", "edit", "publish", "replace_file", "withdraw", "restore"]);
    let html = page(
        &dinkes.get(&format!("/konsol/informasi/{id}")).await,
        StatusCode::OK,
        &[
            msg("console_register.action.create"),
            msg("console_register.action.edit"),
            msg("console_register.action.publish"),
            msg("console_register.action.replace_file"),
            msg("console_register.action.withdraw"),
            msg("console_register.action.restore"),
            "Angka realisasi keliru, sedang diperbaiki.".into(),
            "Judul diperjelas".into(),
            "<del>Laporan Keuangan 2025</del>".into(),
            "<ins>Laporan Keuangan Tahun 2025</ins>".into(),
        ],
        "history",
    );
    assert_eq!(html.matches("<li id=\"versi-").count(), 6);
    // In English too.
    page(
        &dinkes.get(&format!("/konsol/informasi/{id}?lang=en")).await,
        StatusCode::OK,
        &["Version history".into(), msg_en("console_register.action.restore")],
        "english",
    );
    // The list shows it, and filters work.
    let list = page(&dinkes.get("/konsol/informasi?state=draft&q=keuangan").await, StatusCode::OK, &[format!("href=\"/konsol/informasi/{id}\"")], "list");
    assert!(list.contains(&msg("console_register.state.draft")));
    let list = page(&dinkes.get("/konsol/informasi?state=published").await, StatusCode::OK, &[], "list published");
    assert!(!list.contains(&format!("href=\"/konsol/informasi/{id}\"")));
    assert!(t.app.verify_audit().await.unwrap().is_ok(), "the audit chain holds");
}

/// Scheduling, unscheduling, exempt items and the stale flag through the pages.
#[tokio::test]
async fn schedules_exemptions_and_stale_items() {
    let t = TestApp::sqlite().await;
    let mut utama = t.officer_client("utama").await;
    // Utama may file for any unit; scheduled at creation.
    let at = (Utc::now() + Duration::days(2)).with_timezone(&terbuka_domain::calendar::wib()).format("%Y-%m-%dT%H:%M").to_string();
    let fields = with(item_form("dinsos", "Data penerima bantuan sosial 2025"), &[("intent", "schedule"), ("publish_at", &at)]);
    let r = utama.post_multipart("/konsol/informasi/baru", &fields, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id = id_from_location(&r.location());
    let it = item(&t, id).await;
    assert_eq!(it.state, ItemState::Scheduled);
    assert_eq!(it.fields.unit, t.org.social);
    let html = page(&utama.get(&format!("/konsol/informasi/{id}")).await, StatusCode::OK, &[msg("console_register.state.scheduled")], "scheduled");
    assert!(html.contains("name=\"event\" value=\"unschedule\"") && html.contains("name=\"event\" value=\"publish\""));
    let r = utama.post_form(&format!("/konsol/informasi/{id}/aksi"), &[("version", "1".into()), ("event", "unschedule".into())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(item(&t, id).await.state, ItemState::Draft);
    let r =
        utama.post_form(&format!("/konsol/informasi/{id}/aksi"), &[("version", "2".into()), ("event", "schedule".into()), ("publish_at", at.clone())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(item(&t, id).await.state, ItemState::Scheduled);

    // An exempt item: the exemption fieldset is required, its values shown in the console.
    let fields = with(item_form("dinkes", "Rekam medis pasien DBD"), &[("intent", "publish"), ("category", "dikecualikan"), ("cadence_months", "")]);
    let r = utama.post_multipart("/konsol/informasi/baru", &fields, &[]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg("err.required"), "Rekam medis pasien DBD".into()], "exempt without ground");
    let fields = with(
        fields,
        &[
            ("exemption_ground", "a"),
            ("legal_basis", "UU 14/2008 Pasal 17 huruf a"),
            ("withheld", "Identitas pelapor"),
            ("consequence", "Membahayakan keselamatan pelapor dan saksi"),
            ("public_interest", "Kepentingan publik terpenuhi oleh data agregat"),
            ("approval_ref", "SK-PPID-02/2026"),
            ("decided_on", "2025-07-01"),
        ],
    );
    let r = utama.post_multipart("/konsol/informasi/baru", &fields, &[]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg("err.exempt_until_required")], "ground a without end");
    let fields = with(fields, &[("exempt_until", "2030-12-31")]);
    let r = utama.post_multipart("/konsol/informasi/baru", &fields, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let ex = id_from_location(&r.location());
    page(
        &utama.get(&format!("/konsol/informasi/{ex}")).await,
        StatusCode::OK,
        &[msg("console_register.badge.exempt"), "Identitas pelapor".into(), msg("enum.exemption_ground.a")],
        "exempt detail",
    );

    // A periodic item past its refresh date is flagged and counted.
    let old = Utc::now() - Duration::days(400);
    let mut raw = raw_item("dinkes", "Laporan berkala lama");
    raw.category = Some("berkala".into());
    raw.cadence_months = Some("3".into());
    raw.produced_on = Some((old - Duration::days(1)).format("%Y-%m-%d").to_string());
    let stale = t.app.create_item(&t.org.health_officer, &raw, Intent::Publish, vec![], old).await.unwrap();
    let mut dinkes = t.officer_client("dinkes").await;
    let list = page(&dinkes.get("/konsol/informasi").await, StatusCode::OK, &[msg("console_register.badge.stale")], "stale flag");
    assert!(list.contains("href=\"/konsol/informasi?stale=1\""));
    let only = page(&dinkes.get("/konsol/informasi?stale=1").await, StatusCode::OK, &[format!("href=\"/konsol/informasi/{}\"", stale.id)], "stale only");
    assert!(!only.contains(&format!("href=\"/konsol/informasi/{ex}\"")));
    page(&dinkes.get(&format!("/konsol/informasi/{}", stale.id)).await, StatusCode::OK, &[msg("console_register.badge.stale")], "stale detail");
}

// ------------------------------------------------------------------------------------ life-cycle

/// The life-cycle table, written out by hand: (state, event, resulting state or refused).
#[rustfmt::skip]
const LIFE_CYCLE: &[(ItemState, &str, Option<ItemState>)] = &[
    (ItemState::Draft,     "publish",    Some(ItemState::Published)),
    (ItemState::Draft,     "schedule",   Some(ItemState::Scheduled)),
    (ItemState::Draft,     "unschedule", None),
    (ItemState::Draft,     "withdraw",   None),
    (ItemState::Draft,     "restore",    None),
    (ItemState::Scheduled, "publish",    Some(ItemState::Published)),
    (ItemState::Scheduled, "schedule",   Some(ItemState::Scheduled)),
    (ItemState::Scheduled, "unschedule", Some(ItemState::Draft)),
    (ItemState::Scheduled, "withdraw",   None),
    (ItemState::Scheduled, "restore",    None),
    (ItemState::Published, "publish",    None),
    (ItemState::Published, "schedule",   None),
    (ItemState::Published, "unschedule", None),
    (ItemState::Published, "withdraw",   Some(ItemState::Withdrawn)),
    (ItemState::Published, "restore",    None),
    (ItemState::Withdrawn, "publish",    None),
    (ItemState::Withdrawn, "schedule",   None),
    (ItemState::Withdrawn, "unschedule", None),
    (ItemState::Withdrawn, "withdraw",   None),
    (ItemState::Withdrawn, "restore",    Some(ItemState::Draft)),
];

#[tokio::test]
async fn every_life_cycle_step_through_http() {
    let t = TestApp::sqlite().await;
    let mut dinkes = t.officer_client("dinkes").await;
    let at = (Utc::now() + Duration::days(5)).with_timezone(&terbuka_domain::calendar::wib()).format("%Y-%m-%dT%H:%M").to_string();
    for (n, (state, event, expected)) in LIFE_CYCLE.iter().enumerate() {
        let id = item_in(&t, *state, &format!("Laporan siklus {n}")).await;
        let version = item(&t, id).await.version.to_string();
        // The page offers the form exactly when the step is allowed.
        let html = page(&dinkes.get(&format!("/konsol/informasi/{id}")).await, StatusCode::OK, &[], "detail");
        assert_eq!(html.contains(&format!("name=\"event\" value=\"{event}\"")), expected.is_some(), "{state} {event}: form shown");
        let before = snap(&t).await;
        let r = dinkes
            .post_form(
                &format!("/konsol/informasi/{id}/aksi"),
                &[("version", version), ("event", event.to_string()), ("publish_at", at.clone()), ("reason", "Data keliru dan perlu diperbaiki.".into())],
            )
            .await;
        match expected {
            Some(next) => {
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{state} {event}: {}", r.text());
                assert_eq!(r.location(), format!("/konsol/informasi/{id}?ok={event}"));
                assert_eq!(item(&t, id).await.state, *next, "{state} {event}");
                page(&dinkes.get(&r.location()).await, StatusCode::OK, &[msg(&format!("console_register.ok.{event}"))], "after step");
            }
            None => {
                page(&r, StatusCode::CONFLICT, &[msg("err.transition_not_allowed")], &format!("{state} {event}"));
                assert_eq!(snap(&t).await, before, "{state} {event}: nothing changed");
            }
        }
    }
    // The scheduler's own event is not an officer's action.
    let id = item_in(&t, ItemState::Scheduled, "Laporan terjadwal").await;
    let before = snap(&t).await;
    let r = dinkes.post_form(&format!("/konsol/informasi/{id}/aksi"), &[("version", "1".into()), ("event", "schedule_due".into())]).await;
    page(&r, StatusCode::BAD_REQUEST, &[msg("err.bad_request")], "schedule_due");
    assert_eq!(snap(&t).await, before);
}

// ------------------------------------------------------------------------------------ authorization

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Who {
    Anon,
    Admin,
    Utama,
    /// PPID Pelaksana of the item's unit (dinkes).
    Own,
    /// PPID Pelaksana of another unit (dinsos).
    Other,
    /// The body-level Atasan PPID.
    Atasan,
}

const EVERYONE: [Who; 6] = [Who::Anon, Who::Admin, Who::Utama, Who::Own, Who::Other, Who::Atasan];

impl Who {
    fn username(self) -> Option<&'static str> {
        match self {
            Who::Anon => None,
            Who::Admin => Some("admin"),
            Who::Utama => Some("utama"),
            Who::Own => Some("dinkes"),
            Who::Other => Some("dinsos"),
            Who::Atasan => Some("atasan"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Act {
    /// `GET /konsol/informasi` lists the item.
    List,
    /// `GET /konsol/informasi/{id}`.
    Detail,
    /// `GET /konsol/informasi/baru`.
    NewForm,
    /// `POST /konsol/informasi/baru` for the health office.
    Create,
    /// `POST /konsol/informasi/{id}/ubah`.
    Edit,
    /// `POST /konsol/informasi/{id}/aksi` (publish a draft).
    Publish,
    /// `POST /konsol/informasi/{id}/berkas` (add a file).
    AddFile,
    /// `GET /konsol/informasi/berkas/{file_id}`.
    Download,
    /// `GET /konsol/informasi/impor`.
    ImportForm,
    /// `POST /konsol/informasi/impor` (one row for the health office).
    Import,
    /// `GET /konsol/informasi/ekspor.csv` contains the item.
    Export,
    /// `GET /konsol/informasi/templat.csv`.
    Template,
    /// `POST /konsol/dokumen/{id}/jadikan-informasi` (a health office request's document).
    Promote,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exp {
    /// Allowed: the page shows the item, or the change is made.
    Yes,
    /// 200, but the item is not in it.
    Hidden,
    /// Refused with this status and nothing changes.
    No(u16),
    /// Not signed in: 303 to `/masuk`, nothing changes.
    SignIn,
}

use Act::*;
use Exp::*;
use Who::*;

/// Written out by hand from `authz::can` and the use cases: an officer who may not see a unit's
/// items gets 404 for them (not even their existence leaks); one who sees but may not manage
/// them gets 403; the Atasan PPID sees everything and manages nothing; the admin sees no item.
#[rustfmt::skip]
const MATRIX: &[(Act, Who, Exp)] = &[
    (List,       Anon,   SignIn),
    (List,       Admin,  No(403)),
    (List,       Utama,  Yes),
    (List,       Own,    Yes),
    (List,       Other,  Hidden),
    (List,       Atasan, Yes),

    (Detail,     Anon,   SignIn),
    (Detail,     Admin,  No(404)),
    (Detail,     Utama,  Yes),
    (Detail,     Own,    Yes),
    (Detail,     Other,  No(404)),
    (Detail,     Atasan, Yes),

    (NewForm,    Anon,   SignIn),
    (NewForm,    Admin,  No(403)),
    (NewForm,    Utama,  Yes),
    (NewForm,    Own,    Yes),
    (NewForm,    Other,  Yes),
    (NewForm,    Atasan, No(403)),

    (Create,     Anon,   SignIn),
    (Create,     Admin,  No(403)),
    (Create,     Utama,  Yes),
    (Create,     Own,    Yes),
    (Create,     Other,  No(403)),
    (Create,     Atasan, No(403)),

    (Edit,       Anon,   SignIn),
    (Edit,       Admin,  No(404)),
    (Edit,       Utama,  Yes),
    (Edit,       Own,    Yes),
    (Edit,       Other,  No(404)),
    (Edit,       Atasan, No(403)),

    (Publish,    Anon,   SignIn),
    (Publish,    Admin,  No(404)),
    (Publish,    Utama,  Yes),
    (Publish,    Own,    Yes),
    (Publish,    Other,  No(404)),
    (Publish,    Atasan, No(403)),

    (AddFile,    Anon,   SignIn),
    (AddFile,    Admin,  No(404)),
    (AddFile,    Utama,  Yes),
    (AddFile,    Own,    Yes),
    (AddFile,    Other,  No(404)),
    (AddFile,    Atasan, No(403)),

    (Download,   Anon,   SignIn),
    (Download,   Admin,  No(404)),
    (Download,   Utama,  Yes),
    (Download,   Own,    Yes),
    (Download,   Other,  No(404)),
    (Download,   Atasan, Yes),

    (ImportForm, Anon,   SignIn),
    (ImportForm, Admin,  No(403)),
    (ImportForm, Utama,  Yes),
    (ImportForm, Own,    Yes),
    (ImportForm, Other,  Yes),
    (ImportForm, Atasan, No(403)),

    // Another unit's officer may import, but not rows of the health office: the row is refused.
    (Import,     Anon,   SignIn),
    (Import,     Admin,  No(403)),
    (Import,     Utama,  Yes),
    (Import,     Own,    Yes),
    (Import,     Other,  No(422)),
    (Import,     Atasan, No(403)),

    (Export,     Anon,   SignIn),
    (Export,     Admin,  No(403)),
    (Export,     Utama,  Yes),
    (Export,     Own,    Yes),
    (Export,     Other,  Hidden),
    (Export,     Atasan, Yes),

    (Template,   Anon,   SignIn),
    (Template,   Admin,  Yes),
    (Template,   Utama,  Yes),
    (Template,   Own,    Yes),
    (Template,   Other,  Yes),
    (Template,   Atasan, Yes),

    (Promote,    Anon,   SignIn),
    (Promote,    Admin,  No(404)),
    (Promote,    Utama,  Yes),
    (Promote,    Own,    Yes),
    (Promote,    Other,  No(404)),
    (Promote,    Atasan, No(404)),
];

/// A granted request of the health office with a document released to the public.
async fn released_document(t: &TestApp, n: usize) -> i64 {
    let now = Utc::now();
    let raw = RawRequest {
        requester_kind: Some("individual".into()),
        name: Some("Siti Aminah".into()),
        id_number: Some("3171014501900001".into()),
        address: Some("Jl. Kebon Sirih No. 1, Jakarta Pusat".into()),
        email: Some("siti@example.com".into()),
        subject: Some(format!("Data kasus demam berdarah sel {n}")),
        details: Some("Jumlah kasus DBD per kecamatan per bulan sepanjang 2025.".into()),
        purpose: Some("Penelitian kesehatan masyarakat".into()),
        obtain: Some("soft_copy".into()),
        delivery: Some("email".into()),
        ..Default::default()
    };
    let sub = t.app.submit_request(&raw, None, now).await.unwrap();
    let o = t.org;
    t.app.route(&o.utama, sub.request.id, o.health, now).await.unwrap();
    let notice = terbuka_domain::validate::RawNotice {
        outcome: Some("granted_full".into()),
        text: Some("Informasi terlampir dalam berkas PDF.".into()),
        ..Default::default()
    };
    let doc = Upload { filename: "jawaban.pdf".into(), content_type: "application/pdf".into(), data: pdf("Kasus DBD 2025") };
    t.app.answer(&o.health_officer, sub.request.id, &notice, vec![(doc, true)], now).await.unwrap();
    t.app.store.documents(sub.request.id).await.unwrap().iter().find(|d| d.kind.as_str() == "released").unwrap().id
}

fn import_csv(unit: &str, title: &str) -> Vec<u8> {
    let headers: Vec<&str> = ITEM_COLUMNS.iter().map(|(_, id)| *id).collect();
    let row: Vec<String> = ITEM_COLUMNS
        .iter()
        .map(|(f, _)| match *f {
            "title" => title.to_string(),
            "summary" => "Laporan realisasi anggaran pendapatan dan belanja tahun 2025.".into(),
            "unit" => unit.into(),
            "official" => "Kepala Dinas".into(),
            "produced_on" => "2025-06-30".into(),
            "formats" => "softcopy".into(),
            "retention" => "5 tahun".into(),
            "how_to_obtain" => "Unduh langsung dari laman ini.".into(),
            "category" => "setiap_saat".into(),
            _ => String::new(),
        })
        .collect();
    terbuka_files::table::write_csv(&headers, &[row])
}

async fn run_matrix(t: &TestApp) -> usize {
    let mut clients = std::collections::HashMap::new();
    for who in EVERYONE {
        let mut c = t.client();
        if let Some(u) = who.username() {
            c.login(u, PASSWORD).await;
        }
        clients.insert(who, c);
    }
    let mut cells = 0;
    for (n, (act, who, exp)) in MATRIX.iter().enumerate() {
        let what = format!("{act:?} by {who:?}");
        let title = format!("Laporan matriks sel {n}");
        let id = item_in(t, ItemState::Draft, &title).await;
        let file = t.app.store.item_files(id).await.unwrap()[0].id;
        let doc = if *act == Promote { released_document(t, n).await } else { 0 };
        let c = clients.get_mut(who).unwrap();
        let before = snap(t).await;
        let new_title = format!("Laporan baru sel {n}");
        let r = match act {
            List => c.get("/konsol/informasi?q=matriks").await,
            Detail => c.get(&format!("/konsol/informasi/{id}")).await,
            NewForm => c.get("/konsol/informasi/baru").await,
            Create => c.post_multipart("/konsol/informasi/baru", &with(item_form("dinkes", &new_title), &[("intent", "draft")]), &[]).await,
            Edit => c.post_form(&format!("/konsol/informasi/{id}/ubah"), &with(item_form("dinkes", &new_title), &[("version", "1")])).await,
            Publish => c.post_form(&format!("/konsol/informasi/{id}/aksi"), &[("version", "1".into()), ("event", "publish".into())]).await,
            AddFile => {
                c.post_multipart(
                    &format!("/konsol/informasi/{id}/berkas"),
                    &[("version", "1".into()), ("op", "add".into())],
                    &[("files", "lampiran.pdf", &pdf("Lampiran"))],
                )
                .await
            }
            Download => c.get(&format!("/konsol/informasi/berkas/{file}")).await,
            ImportForm => c.get("/konsol/informasi/impor").await,
            Import => c.post_multipart("/konsol/informasi/impor", &[], &[("file", "dip.csv", &import_csv("dinkes", &new_title))]).await,
            Export => c.get("/konsol/informasi/ekspor.csv").await,
            Template => c.get("/konsol/informasi/templat.csv").await,
            Promote => c.post_form(&format!("/konsol/dokumen/{doc}/jadikan-informasi"), &[]).await,
        };
        assert!(r.status.as_u16() < 500, "{what}: {}", r.status);
        match exp {
            SignIn => {
                assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/masuk".to_string()), "{what}");
                assert_eq!(snap(t).await, before, "{what}: nothing changed");
            }
            No(code) => {
                let expect = match code {
                    403 => vec![msg("err.forbidden")],
                    404 => vec![msg("err.not_found")],
                    _ => vec![msg("err.unit_forbidden"), msg("console_register.import.nothing_saved")],
                };
                page(&r, StatusCode::from_u16(*code).unwrap(), &expect, &what);
                assert!(!r.text().contains(&title), "{what}: the refusal does not show the item");
                assert_eq!(snap(t).await, before, "{what}: nothing changed");
            }
            Hidden => {
                assert_eq!(r.status, StatusCode::OK, "{what}");
                assert!(!r.text().contains(&title), "{what}: the item is not shown");
                assert_eq!(snap(t).await, before, "{what}: nothing changed");
            }
            Yes => {
                let shown = |r: &Resp| r.status == StatusCode::OK && r.text().contains(&title);
                let ok = match act {
                    List | Detail | Export => shown(&r),
                    NewForm => r.status == StatusCode::OK && r.text().contains("action=\"/konsol/informasi/baru\""),
                    ImportForm => r.status == StatusCode::OK && r.text().contains("action=\"/konsol/informasi/impor\""),
                    Template => r.status == StatusCode::OK && r.text().contains("judul,ringkasan_isi,unit"),
                    Download => r.status == StatusCode::OK && r.bytes.starts_with(b"%PDF-"),
                    Create => r.status == StatusCode::SEE_OTHER && snap(t).await.items.len() == before.items.len() + 1,
                    Import => r.status == StatusCode::SEE_OTHER && r.location() == "/konsol/informasi?ok=imported&n=1",
                    Edit => r.status == StatusCode::SEE_OTHER && item(t, id).await.fields.title == new_title,
                    Publish => r.status == StatusCode::SEE_OTHER && item(t, id).await.state == ItemState::Published,
                    AddFile => r.status == StatusCode::SEE_OTHER && t.app.store.item_files(id).await.unwrap().len() == 2,
                    Promote => r.status == StatusCode::SEE_OTHER && t.app.store.item_by_source(doc).await.unwrap().is_some(),
                };
                assert!(ok, "{what}: {} {}", r.status, r.text().chars().take(1500).collect::<String>());
            }
        }
        cells += 1;
    }
    cells
}

#[tokio::test]
async fn the_register_authorization_matrix() {
    let t = TestApp::sqlite().await;
    assert_eq!(run_matrix(&t).await, 13 * 6);
}

#[tokio::test]
async fn the_register_authorization_matrix_on_postgres() {
    let t = TestApp::postgres().await;
    assert_eq!(run_matrix(&t).await, 13 * 6);
}

// ------------------------------------------------------------------------------------ import / export

fn rows3(units: [&str; 3]) -> Vec<Vec<String>> {
    units
        .iter()
        .enumerate()
        .map(|(i, unit)| {
            ITEM_COLUMNS
                .iter()
                .map(|(f, _)| match *f {
                    "title" => format!("Informasi impor nomor {}", i + 1),
                    "summary" => "Ringkasan informasi yang diimpor dari tabel lama.".into(),
                    "unit" => unit.to_string(),
                    "official" => "Sekretaris Dinas".into(),
                    "produced_on" => "2025-03-15".into(),
                    "formats" => "softcopy,hardcopy".into(),
                    "retention" => "permanen".into(),
                    "how_to_obtain" => "Minta salinan di meja layanan PPID.".into(),
                    "category" => if i == 0 { "berkala" } else { "serta-merta" }.into(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect()
}

fn headers() -> Vec<&'static str> {
    ITEM_COLUMNS.iter().map(|(_, id)| *id).collect()
}

#[tokio::test]
async fn bulk_import_is_all_or_nothing() {
    let t = TestApp::sqlite().await;
    let mut utama = t.officer_client("utama").await;
    page(&utama.get("/konsol/informasi/impor").await, StatusCode::OK, &[msg("console_register.import.intro")], "import form");
    // The template downloads with the Indonesian headers and an example row that imports.
    let tpl = utama.get("/konsol/informasi/templat.csv").await;
    assert_eq!(tpl.status, StatusCode::OK);
    assert!(tpl.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));
    let table = terbuka_files::table::read_table("templat.csv", &tpl.bytes).unwrap();
    assert_eq!(table.headers, headers());
    assert_eq!(table.rows.len(), 1);

    // A valid CSV of three rows: three drafts.
    let csv = terbuka_files::table::write_csv(&headers(), &rows3(["dinkes", "dinsos", "ppid-utama"]));
    let before = snap(&t).await;
    let r = utama.post_multipart("/konsol/informasi/impor", &[], &[("file", "dip.csv", &csv)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location(), "/konsol/informasi?ok=imported&n=3");
    page(&utama.get(&r.location()).await, StatusCode::OK, &["3 informasi telah diimpor.".into()], "import message");
    let after = snap(&t).await;
    assert_eq!(after.items.len(), before.items.len() + 3);
    assert!(after.items.iter().all(|(_, _, s)| s == "draft"));

    // The same as XLSX, published at once.
    let xlsx = terbuka_files::samples::xlsx("DIP", &headers(), &rows3(["dinkes", "dinkes", "dinsos"]));
    let r = utama.post_multipart("/konsol/informasi/impor", &[("publish", "on".into())], &[("file", "dip.xlsx", &xlsx)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let s = snap(&t).await;
    assert_eq!(s.items.len(), before.items.len() + 6);
    assert_eq!(s.items.iter().filter(|(_, _, st)| st == "published").count(), 3);

    // One bad row in the middle (three problems on three lines): nothing saved, every error listed.
    let mut rows = rows3(["dinkes", "dinsos", "dinkes"]);
    let col = |name: &str| ITEM_COLUMNS.iter().position(|(f, _)| *f == name).unwrap();
    let mut unknown_unit = rows[0].clone();
    unknown_unit[col("unit")] = "dinas-tidak-ada".into();
    let mut bad_date = rows[1].clone();
    bad_date[col("produced_on")] = "31/02/2025".into();
    let mut exempt = rows[2].clone();
    exempt[col("category")] = "dikecualikan".into();
    exempt[col("legal_basis")] = "UU 14/2008 Pasal 17".into();
    rows.insert(1, unknown_unit);
    rows.insert(2, bad_date);
    rows.insert(3, exempt);
    let csv = terbuka_files::table::write_csv(&headers(), &rows);
    let before = snap(&t).await;
    let r = utama.post_multipart("/konsol/informasi/impor", &[("publish", "on".into())], &[("file", "dip.csv", &csv)]).await;
    let html = page(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg("console_register.import.nothing_saved"), msg("err.unit_unknown"), msg("err.date_format"), msg("err.required")],
        "bad rows",
    );
    for (line, column) in [(3, "unit"), (4, "waktu_pembuatan"), (5, "dasar_pengecualian")] {
        assert!(
            html.contains(&format!("<td data-label=\"Baris\">{line}</td><td data-label=\"Kolom\"><code>{column}</code>")),
            "line {line} column {column} listed: {html}"
        );
    }
    assert!(!html.contains("<td data-label=\"Baris\">2</td>") && !html.contains("<td data-label=\"Baris\">6</td>"), "good rows are not listed");
    assert!(html.contains("checked"), "the publish choice is kept");
    assert_eq!(snap(&t).await, before, "nothing saved");
    // In English the columns are named by field.
    let r = utama.post_multipart("/konsol/informasi/impor?lang=en", &[], &[("file", "dip.csv", &csv)]).await;
    page(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg_en("console_register.import.nothing_saved"), "<code>produced_on</code>".into(), msg_en("err.unit_unknown")],
        "english",
    );
    assert_eq!(snap(&t).await, before, "nothing saved");
}

#[tokio::test]
async fn export_then_import_round_trips() {
    let t = TestApp::sqlite().await;
    let o = t.org;
    let now = Utc::now();
    let mut periodic = raw_item("dinkes", "Laporan berkala dinkes");
    periodic.category = Some("berkala".into());
    periodic.cadence_months = Some("3".into());
    periodic.period = Some("Triwulan I 2025".into());
    periodic.formats = Some("softcopy,hardcopy".into());
    for raw in [periodic, exempt_item("dinkes", "Rekam medis dinkes"), raw_item("dinkes", "Daftar fasilitas kesehatan")] {
        t.app.create_item(&o.health_officer, &raw, Intent::Publish, vec![], now).await.unwrap();
    }
    t.app.create_item(&o.social_officer, &raw_item("dinsos", "Data dinsos"), Intent::Draft, vec![], now).await.unwrap();
    let mut dinkes = t.officer_client("dinkes").await;
    let fields_of = |items: Vec<terbuka_store::StoredItem>| {
        let mut f: Vec<String> = items.iter().filter(|i| i.fields.unit == o.health).map(|i| serde_json::to_string(&i.fields).unwrap()).collect();
        f.sort();
        f
    };
    let original = fields_of(t.app.all_items(ItemFilter::default()).await.unwrap());
    assert_eq!(original.len(), 3);

    let mut exports = Vec::new();
    for (path, name) in [("/konsol/informasi/ekspor.csv", "ekspor.csv"), ("/konsol/informasi/ekspor.xlsx", "ekspor.xlsx")] {
        let export = dinkes.get(path).await;
        assert_eq!(export.status, StatusCode::OK, "{path}");
        assert!(export.headers.get("content-disposition").unwrap().to_str().unwrap().contains("attachment"));
        let table = terbuka_files::table::read_table(name, &export.bytes).unwrap();
        assert_eq!(table.rows.len(), 3, "only the officer's unit is exported");
        exports.push((name, export.bytes));
    }
    for (name, bytes) in exports {
        let r = dinkes.post_multipart("/konsol/informasi/impor", &[("publish", "on".into())], &[("file", name, &bytes)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name}: {}", r.text());
        assert_eq!(r.location(), "/konsol/informasi?ok=imported&n=3");
    }
    // Every original now exists three times, with the same fields.
    let all = fields_of(t.app.all_items(ItemFilter::default()).await.unwrap());
    let mut expected: Vec<String> = original.iter().flat_map(|f| [f.clone(), f.clone(), f.clone()]).collect();
    expected.sort();
    assert_eq!(all, expected);
}

// ------------------------------------------------------------------------------------ promotion

#[tokio::test]
async fn promoting_a_released_document() {
    let t = TestApp::sqlite().await;
    let now = Utc::now();
    let raw = RawRequest {
        requester_kind: Some("individual".into()),
        name: Some("Siti Aminah".into()),
        id_number: Some("3171014501900001".into()),
        address: Some("Jl. Kebon Sirih No. 1, Jakarta Pusat".into()),
        email: Some("siti@example.com".into()),
        subject: Some("Data kasus demam berdarah per kecamatan 2025".into()),
        details: Some("Jumlah kasus DBD per kecamatan per bulan sepanjang 2025.".into()),
        purpose: Some("Penelitian kesehatan masyarakat".into()),
        obtain: Some("soft_copy".into()),
        delivery: Some("email".into()),
        ..Default::default()
    };
    let sub = t.app.submit_request(&raw, None, now).await.unwrap();
    let rid = sub.request.id;
    let mut utama = t.officer_client("utama").await;
    let r = utama.post_form(&format!("/konsol/permohonan/{rid}/route"), &[("unit", t.org.health.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The unit answers through its page: one document released to the public, one for the
    // requester only.
    let mut dinkes = t.officer_client("dinkes").await;
    let released = pdf("Kasus DBD per kecamatan 2025");
    let r = dinkes
        .post_multipart(
            &format!("/konsol/permohonan/{rid}/answer"),
            &[("outcome", "granted_full".into()), ("text", "Informasi terlampir dalam berkas PDF.".into()), ("publish", "on".into())],
            &[("document", "dbd-2025.pdf", &released)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = dinkes.post_multipart(&format!("/konsol/permohonan/{rid}/attach"), &[], &[("document", "surat-pemohon.pdf", &pdf("Surat"))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let docs = t.app.store.documents(rid).await.unwrap();
    let doc = docs.iter().find(|d| d.kind.as_str() == "released").unwrap().id;
    let private = docs.iter().find(|d| d.kind.as_str() == "response").unwrap().id;

    // The request page offers the promotion for the released document only.
    let html = page(&dinkes.get(&format!("/konsol/permohonan/{rid}")).await, StatusCode::OK, &[msg("console_register.promote.submit")], "request page");
    assert!(html.contains(&format!("/konsol/dokumen/{doc}/jadikan-informasi")));
    assert!(!html.contains(&format!("/konsol/dokumen/{private}/jadikan-informasi")));

    // Another unit's officer learns nothing; a private document is refused; nothing changes.
    let mut dinsos = t.officer_client("dinsos").await;
    let before = snap(&t).await;
    page(&dinsos.post_form(&format!("/konsol/dokumen/{doc}/jadikan-informasi"), &[]).await, StatusCode::NOT_FOUND, &[msg("err.not_found")], "other unit");
    page(
        &dinkes.post_form(&format!("/konsol/dokumen/{private}/jadikan-informasi"), &[]).await,
        StatusCode::CONFLICT,
        &[msg("err.promote_not_released")],
        "private document",
    );
    page(&dinkes.post_form("/konsol/dokumen/999999/jadikan-informasi", &[]).await, StatusCode::NOT_FOUND, &[msg("err.not_found")], "unknown document");
    page(&dinkes.post_form("/konsol/dokumen/abc/jadikan-informasi", &[]).await, StatusCode::NOT_FOUND, &[msg("err.not_found")], "bad id");
    let r = dinkes.post_form_raw(&format!("/konsol/dokumen/{doc}/jadikan-informasi"), &[]).await;
    page(&r, StatusCode::FORBIDDEN, &[msg("err.csrf")], "no CSRF token");
    assert_eq!(snap(&t).await, before);

    // Promote: a published item with the document's file, linked to its source.
    let r = dinkes.post_form(&format!("/konsol/dokumen/{doc}/jadikan-informasi"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(r.location().ends_with("?ok=promoted"));
    let id = id_from_location(&r.location());
    let it = item(&t, id).await;
    assert_eq!((it.state, it.source_document), (ItemState::Published, Some(doc)));
    let html = page(
        &dinkes.get(&r.location()).await,
        StatusCode::OK,
        &[msg("console_register.ok.promoted"), "dbd-2025.pdf".into(), msg("console_register.action.promote"), sub.request.reg_no.clone()],
        "promoted item",
    );
    assert!(html.contains(&format!("href=\"/konsol/dokumen/{doc}\"")));
    let files = t.app.store.item_files(id).await.unwrap();
    assert_eq!(dinkes.get(&format!("/konsol/informasi/berkas/{}", files[0].id)).await.bytes, released);

    // A second promotion (by the PPID Utama too) opens the same item.
    let after = snap(&t).await;
    for c in [&mut dinkes, &mut utama] {
        let r = c.post_form(&format!("/konsol/dokumen/{doc}/jadikan-informasi"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(id_from_location(&r.location()), id);
    }
    assert_eq!(snap(&t).await, after);
}

// ------------------------------------------------------------------------------------ bad input

#[tokio::test]
async fn bad_input_on_every_register_form() {
    let t = TestApp::sqlite().await;
    let mut dinkes = t.officer_client("dinkes").await;
    let id = item_in(&t, ItemState::Published, "Laporan yang tidak boleh rusak").await;
    let slot = t.app.store.item_files(id).await.unwrap()[0].slot;
    let base = snap(&t).await;
    let exe: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";
    let huge = "x".repeat(100_000);
    let good = || with(item_form("dinkes", "Laporan baru yang valid"), &[("intent", "draft")]);

    // ---- create
    let cases: Vec<(&str, Fields, Vec<FilePart>, Vec<String>)> = vec![
        (
            "missing everything",
            vec![("intent", "draft".into())],
            vec![],
            vec![msg("err.required"), msg("err.unit_required"), msg("err.choose_at_least_one"), msg("err.choose_one")],
        ),
        ("no intent", with(good(), &[("intent", "")]), vec![], vec![msg("err.choose_one"), "Laporan baru yang valid".into()]),
        ("unknown intent", with(good(), &[("intent", "nanti")]), vec![], vec![msg("err.choose_one")]),
        ("schedule without time", with(good(), &[("intent", "schedule")]), vec![], vec![msg("err.required")]),
        ("schedule with words", with(good(), &[("intent", "schedule"), ("publish_at", "besok pagi")]), vec![], vec![msg("err.datetime_format")]),
        ("schedule in the past", with(good(), &[("intent", "schedule"), ("publish_at", "2020-01-01T08:00")]), vec![], vec![msg("err.publish_at_past")]),
        (
            "wrong types",
            with(
                good(),
                &[
                    ("produced_on", "kemarin"),
                    ("cadence_months", "enam"),
                    ("retention", "selamanya"),
                    ("formats", "papirus"),
                    ("unit", "dinas-antah"),
                    ("category", "rahasia"),
                ],
            ),
            vec![],
            vec![msg("err.date_format"), msg("err.retention_format"), msg("err.unit_unknown"), msg("err.choose_one"), "kemarin".into()],
        ),
        (
            "future date and cadence",
            with(good(), &[("produced_on", "2999-01-01"), ("cadence_months", "12")]),
            vec![],
            vec![msg("err.date_in_future"), msg("err.cadence_range")],
        ),
        ("huge title", with(good(), &[("title", &huge)]), vec![], vec![msg("err.too_long")]),
        ("NUL in the title", with(good(), &[("title", "Laporan\u{0} rusak")]), vec![], vec![msg("err.control_chars")]),
        ("executable as a file", good(), vec![("files", "laporan.exe", exe)], vec![msg("err.file_type_document")]),
        ("not really a PDF", good(), vec![("files", "laporan.pdf", b"bukan pdf".as_slice())], vec![msg("err.file_type_document")]),
        ("another unit", with(good(), &[("unit", "dinsos")]), vec![], vec![]),
    ];
    for (what, fields, files, expect) in cases {
        let r = dinkes.post_multipart("/konsol/informasi/baru", &fields, &files).await;
        if what == "another unit" {
            page(&r, StatusCode::FORBIDDEN, &[msg("err.forbidden")], what);
        } else {
            let html = page(&r, StatusCode::UNPROCESSABLE_ENTITY, &expect, what);
            assert!(html.contains("role=\"alert\"") && html.contains("class=\"err\""), "{what}: messages at the fields");
        }
        assert_eq!(snap(&t).await, base, "create {what}: nothing saved");
    }
    // Urlencoded works too; without the CSRF token nothing happens.
    page(
        &dinkes.post_form("/konsol/informasi/baru", &[("intent", "draft".into())]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg("err.required")],
        "urlencoded",
    );
    page(&dinkes.post_form_raw("/konsol/informasi/baru", &good()).await, StatusCode::FORBIDDEN, &[msg("err.csrf")], "no CSRF");
    // Not UTF-8.
    let r = dinkes
        .send(
            axum::http::Request::builder()
                .method("POST")
                .uri("/konsol/informasi/baru")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", dinkes.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "))
                .body(axum::body::Body::from(format!("csrf_token={}&title=Lap%FFran&intent=draft", dinkes.cookies["csrf"])))
                .unwrap(),
        )
        .await;
    page(&r, StatusCode::BAD_REQUEST, &[msg("err.bad_request")], "not UTF-8");
    assert_eq!(snap(&t).await, base);

    // ---- edit
    let edit = |v: &str| with(item_form("dinkes", "Laporan yang diubah"), &[("version", v)]);
    let url = format!("/konsol/informasi/{id}/ubah");
    page(&dinkes.post_form(&url, &edit("0")).await, StatusCode::CONFLICT, &[msg("err.conflict")], "stale version");
    page(&dinkes.post_form(&url, &with(item_form("dinkes", "x"), &[])).await, StatusCode::BAD_REQUEST, &[msg("err.bad_request")], "no version");
    page(&dinkes.post_form(&url, &edit("satu")).await, StatusCode::BAD_REQUEST, &[msg("err.bad_request")], "version not a number");
    let html = page(
        &dinkes.post_form(&url, &with(edit("1"), &[("title", "x"), ("summary", &huge), ("exempt_until", "kapan-kapan")])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg("err.too_short"), msg("err.too_long")],
        "bad edit",
    );
    assert!(html.contains("id=\"form-edit\"") && html.contains("id=\"edit-title\" name=\"title\" type=\"text\" value=\"x\""), "typed values kept: {html}");
    page(
        &dinkes.post_form(&url, &with(edit("1"), &[("note", "catatan\u{0}")])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg("err.control_chars")],
        "NUL note",
    );
    page(&dinkes.post_form(&url, &with(edit("1"), &[("note", &huge)])).await, StatusCode::UNPROCESSABLE_ENTITY, &[msg("err.too_long")], "huge note");
    page(&dinkes.post_form("/konsol/informasi/999999/ubah", &edit("1")).await, StatusCode::NOT_FOUND, &[msg("err.not_found")], "unknown item");
    page(&dinkes.post_form("/konsol/informasi/abc/ubah", &edit("1")).await, StatusCode::NOT_FOUND, &[msg("err.not_found")], "item abc");
    assert_eq!(snap(&t).await, base, "edit: nothing saved");

    // ---- life-cycle
    let url = format!("/konsol/informasi/{id}/aksi");
    let ev = |fields: &[(&'static str, &str)]| fields.iter().map(|(k, v)| (*k, v.to_string())).collect::<Vec<_>>();
    page(&dinkes.post_form(&url, &ev(&[("version", "1"), ("event", "hapus")])).await, StatusCode::BAD_REQUEST, &[msg("err.bad_request")], "unknown event");
    page(&dinkes.post_form(&url, &ev(&[("version", "1")])).await, StatusCode::BAD_REQUEST, &[msg("err.bad_request")], "no event");
    page(&dinkes.post_form(&url, &ev(&[("event", "withdraw")])).await, StatusCode::BAD_REQUEST, &[msg("err.bad_request")], "no version");
    page(
        &dinkes.post_form(&url, &ev(&[("version", "1"), ("event", "withdraw"), ("reason", "pendek")])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg("err.too_short"), "pendek".into()],
        "short reason",
    );
    page(
        &dinkes.post_form(&url, &ev(&[("version", "1"), ("event", "withdraw"), ("reason", "Alasan yang\u{0} cukup panjang")])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg("err.control_chars")],
        "NUL reason",
    );
    page(
        &dinkes.post_form(&url, &ev(&[("version", "0"), ("event", "withdraw"), ("reason", "Alasan yang cukup panjang")])).await,
        StatusCode::CONFLICT,
        &[msg("err.conflict")],
        "stale version",
    );
    page(
        &dinkes.post_form(&url, &ev(&[("version", "1"), ("event", "schedule")])).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg("err.required")],
        "schedule without time",
    );
    assert_eq!(snap(&t).await, base, "life-cycle: nothing saved");

    // ---- files
    let url = format!("/konsol/informasi/{id}/berkas");
    let f = |op: &str, slot: &str, version: &str| vec![("version", version.to_string()), ("op", op.to_string()), ("slot", slot.to_string())];
    let s = slot.to_string();
    let good_pdf = pdf("Lampiran");
    page(&dinkes.post_multipart(&url, &f("add", "", "1"), &[]).await, StatusCode::UNPROCESSABLE_ENTITY, &[msg("err.required")], "add nothing");
    page(
        &dinkes.post_multipart(&url, &f("add", "", "1"), &[("files", "virus.exe", exe)]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg("err.file_type_document")],
        "add exe",
    );
    page(&dinkes.post_multipart(&url, &f("replace", &s, "1"), &[]).await, StatusCode::UNPROCESSABLE_ENTITY, &[msg("err.required")], "replace with nothing");
    page(
        &dinkes.post_multipart(&url, &f("replace", &s, "1"), &[("file", "x.pdf", b"%PNG")]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg("err.file_type_document")],
        "replace with junk",
    );
    page(
        &dinkes.post_multipart(&url, &f("replace", "999", "1"), &[("file", "x.pdf", &good_pdf)]).await,
        StatusCode::NOT_FOUND,
        &[msg("err.not_found")],
        "unknown slot",
    );
    page(&dinkes.post_multipart(&url, &f("remove", "satu", "1"), &[]).await, StatusCode::BAD_REQUEST, &[msg("err.bad_request")], "slot not a number");
    page(&dinkes.post_multipart(&url, &f("remove", "", "1"), &[]).await, StatusCode::BAD_REQUEST, &[msg("err.bad_request")], "remove without slot");
    page(&dinkes.post_multipart(&url, &f("bakar", &s, "1"), &[]).await, StatusCode::BAD_REQUEST, &[msg("err.bad_request")], "unknown op");
    page(&dinkes.post_multipart(&url, &f("remove", &s, "0"), &[]).await, StatusCode::CONFLICT, &[msg("err.conflict")], "stale version");
    page(
        &dinkes.post_multipart(&url, &with(f("add", "", "1"), &[("note", "x\u{0}")]), &[("files", "a.pdf", &good_pdf)]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg("err.control_chars")],
        "NUL note",
    );
    assert_eq!(snap(&t).await, base, "files: nothing saved");

    // ---- import
    let nul_csv = import_csv("dinkes", "Laporan\u{0} rusak");
    let huge_csv = import_csv("dinkes", &huge);
    let cases: Vec<(&str, Vec<FilePart>, Option<String>)> = vec![
        ("no file", vec![], Some(msg("err.required"))),
        ("a PDF", vec![("file", "dip.pdf", good_pdf.as_slice())], Some(msg("err.table.unsupported"))),
        ("empty CSV", vec![("file", "dip.csv", b"   \n".as_slice())], Some(msg("err.table.empty"))),
        ("not UTF-8", vec![("file", "dip.csv", b"judul,unit\nLap\xffran,dinkes\n".as_slice())], Some(msg("err.table.not_utf8"))),
        ("damaged XLSX", vec![("file", "dip.xlsx", b"PK\x03\x04rusak".as_slice())], None),
        ("only headers", vec![("file", "dip.csv", b"judul,unit\n".as_slice())], Some(msg("err.table.empty"))),
        ("unknown column", vec![("file", "dip.csv", b"judul,warna\nLaporan,merah\n".as_slice())], Some(msg("err.import_unknown_column"))),
        ("no title column", vec![("file", "dip.csv", b"unit\ndinkes\n".as_slice())], Some(msg("err.import_missing_column"))),
        ("NUL in a cell", vec![("file", "dip.csv", nul_csv.as_slice())], None),
        ("huge cell", vec![("file", "dip.csv", huge_csv.as_slice())], Some(msg("err.too_long"))),
    ];
    for (what, files, expect) in cases {
        let r = dinkes.post_multipart("/konsol/informasi/impor", &[], &files).await;
        let mut texts = vec![msg("console_register.import.nothing_saved")];
        texts.extend(expect);
        let body = page(&r, StatusCode::UNPROCESSABLE_ENTITY, &texts, what);
        if what == "NUL in a cell" {
            // Read as a binary file, or refused at the cell: either way a message, nothing saved.
            assert!(body.contains(&msg("err.control_chars")) || body.contains(&msg("err.table.unsupported")), "{body}");
        }
        assert_eq!(snap(&t).await, base, "import {what}: nothing saved");
    }

    // ---- paths and downloads
    for path in
        ["/konsol/informasi/abc", "/konsol/informasi/999999", "/konsol/informasi/berkas/abc", "/konsol/informasi/berkas/999999", "/konsol/informasi/1e3"]
    {
        page(&dinkes.get(path).await, StatusCode::NOT_FOUND, &[msg("err.not_found")], path);
    }
    // Filters that do not parse are ignored.
    for q in ["state=rahasia", "category=%00", "unit=abc", "page=-5", "q=%00", "stale=%00", &format!("q={}", "a".repeat(5000))] {
        assert_eq!(dinkes.get(&format!("/konsol/informasi?{q}")).await.status, StatusCode::OK, "{q}");
    }
    assert_eq!(snap(&t).await, base, "nothing saved");
}

/// PostgreSQL refuses a NUL byte in text: every register form with one answers a 4xx.
#[tokio::test]
async fn nul_bytes_never_reach_postgres_through_the_register_console() {
    let t = TestApp::postgres().await;
    let mut dinkes = t.officer_client("dinkes").await;
    let id = item_in(&t, ItemState::Published, "Laporan uji NUL").await;
    let base = snap(&t).await;
    let fields = with(item_form("dinkes", "Laporan baru"), &[("intent", "draft"), ("summary", "Ringkasan\u{0} laporan yang cukup panjang")]);
    page(&dinkes.post_multipart("/konsol/informasi/baru", &fields, &[]).await, StatusCode::UNPROCESSABLE_ENTITY, &[msg("err.control_chars")], "create");
    let fields = with(item_form("dinkes", "Laporan uji NUL"), &[("version", "1"), ("note", "\u{0}")]);
    page(&dinkes.post_form(&format!("/konsol/informasi/{id}/ubah"), &fields).await, StatusCode::UNPROCESSABLE_ENTITY, &[msg("err.control_chars")], "edit note");
    let fields = with(item_form("dinkes", "Laporan uji NUL"), &[("version", "1"), ("period", "Tahun\u{0} 2025")]);
    page(
        &dinkes.post_form(&format!("/konsol/informasi/{id}/ubah"), &fields).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[msg("err.control_chars")],
        "edit period",
    );
    let r = dinkes
        .post_form(
            &format!("/konsol/informasi/{id}/aksi"),
            &[("version", "1".into()), ("event", "withdraw".into()), ("reason", "Alasan\u{0} penarikan panjang".into())],
        )
        .await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg("err.control_chars")], "withdraw reason");
    let r = dinkes
        .post_multipart(
            &format!("/konsol/informasi/{id}/berkas"),
            &[("version", "1".into()), ("op", "add".into())],
            &[("files", "lap\u{0}oran.pdf", &pdf("Lampiran"))],
        )
        .await;
    assert!(r.status.as_u16() < 500, "file name with NUL: {}", r.status);
    let r = dinkes.post_multipart("/konsol/informasi/impor", &[], &[("file", "dip.csv", &import_csv("dinkes", "Laporan\u{0}"))]).await;
    let body = page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg("console_register.import.nothing_saved")], "import");
    assert!(body.contains(&msg("err.control_chars")) || body.contains(&msg("err.table.unsupported")), "{body}");
    assert_eq!(dinkes.get("/konsol/informasi?q=%00laporan&state=%00").await.status, StatusCode::OK);
    // The file with a NUL in its name may be saved (the name is cleaned); nothing else is.
    let after = snap(&t).await;
    assert_eq!(after.items.len(), base.items.len());
}
