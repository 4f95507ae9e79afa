//! The public register (DIP/DIK), its downloads and feed, and search, over HTTP.
//!
//! The central test seeds an exempt item whose every non-public field and attached file carries
//! a unique marker, plus a draft and a withdrawn item, then fetches every public page and API
//! route of the register in both languages and asserts no marker appears anywhere.

use super::util::*;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use terbuka_app::register::Intent;
use terbuka_app::service::Upload;
use terbuka_domain::calendar::wib_date;
use terbuka_domain::dip::ItemEvent;
use terbuka_domain::validate::RawItem;
use terbuka_files::samples;

const EX_TITLE: &str = "Rencana Pengamanan Objek Vital Bendungan";
const EX_SUMMARY: &str = "RAHASIA-7F3K-SUMMARY";
const EX_WITHHELD: &str = "RAHASIA-7F3K-WITHHELD";
const EX_CONSEQUENCE: &str = "RAHASIA-7F3K-CONSEQUENCE";
const EX_PUBLIC_INTEREST: &str = "RAHASIA-7F3K-PUBINTEREST";
const EX_APPROVAL: &str = "RAHASIA-7F3K-APPROVAL";
const EX_PDF: &str = "RAHASIA-7F3K-PDFTEXT";
const EX_DOCX: &str = "RAHASIA-7F3K-DOCXTEXT";
const EX_FILENAME: &str = "rahasia7f3kberkas";
const DRAFT_TITLE: &str = "Draftzq9w Laporan Belum Terbit";
const DRAFT_SUMMARY: &str = "DRAFT-9Q2W-SUMMARY";
const DRAFT_PDF: &str = "DRAFT-9Q2W-PDFTEXT";
const WD_TITLE: &str = "Laporan Survei Kepuasan Ditarik";
const WD_SUMMARY: &str = "WDRN-4H8J-SUMMARY";
const WD_REASON: &str = "Data survei keliru dan akan diganti dengan versi yang benar.";

/// Everything that must never leave through a public door.
const SECRETS: &[&str] = &[
    EX_SUMMARY,
    EX_WITHHELD,
    EX_CONSEQUENCE,
    EX_PUBLIC_INTEREST,
    EX_APPROVAL,
    EX_PDF,
    EX_DOCX,
    EX_FILENAME,
    "7F3K",
    "7f3k",
    DRAFT_TITLE,
    "Draftzq9w",
    DRAFT_SUMMARY,
    DRAFT_PDF,
    "9Q2W",
    "9q2w",
    WD_SUMMARY,
    "4H8J",
    "4h8j",
];

fn today() -> chrono::NaiveDate {
    wib_date(Utc::now())
}

fn item(title: &str, summary: &str, category: &str) -> RawItem {
    RawItem {
        title: Some(title.into()),
        summary: Some(summary.into()),
        unit: Some("dinkes".into()),
        official: Some("Kepala Dinas Kesehatan".into()),
        produced_on: Some((today() - Duration::days(30)).to_string()),
        produced_place: Some("Jakarta".into()),
        period: Some("Semester I".into()),
        formats: Some("softcopy".into()),
        retention: Some("5 tahun".into()),
        how_to_obtain: Some("Unduh langsung dari laman ini.".into()),
        category: Some(category.into()),
        cadence_months: if category == "berkala" { Some("6".into()) } else { None },
        ..Default::default()
    }
}

fn exempt_item() -> RawItem {
    RawItem {
        exemption_ground: Some("c".into()),
        legal_basis: Some("UU 14/2008 Pasal 17 huruf c".into()),
        withheld: Some(format!("{EX_WITHHELD} denah dan jadwal penjagaan")),
        consequence: Some(format!("{EX_CONSEQUENCE} pengungkapan membahayakan keamanan objek vital")),
        public_interest: Some(format!("{EX_PUBLIC_INTEREST} kepentingan publik lebih kecil dari risikonya")),
        approval_ref: Some(format!("{EX_APPROVAL}/SK/2026")),
        decided_on: Some((today() - Duration::days(10)).to_string()),
        exempt_until: Some((today() + Duration::days(700)).to_string()),
        category_after: Some("setiap_saat".into()),
        ..item(EX_TITLE, &format!("{EX_SUMMARY} isi rencana pengamanan bendungan"), "dikecualikan")
    }
}

fn pdf(name: &str, words: &str) -> Upload {
    Upload { filename: format!("{name}.pdf"), content_type: "application/pdf".into(), data: samples::pdf("Lampiran", &[words]) }
}

fn docx(name: &str, words: &str) -> Upload {
    Upload {
        filename: format!("{name}.docx"),
        content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
        data: samples::docx("Lampiran", &[words]),
    }
}

struct Seeded {
    open: Vec<i64>,
    formula: i64,
    exempt: i64,
    exempt_files: Vec<i64>,
    draft: i64,
    draft_files: Vec<i64>,
    withdrawn: i64,
    withdrawn_files: Vec<i64>,
}

async fn seed(t: &TestApp) -> Seeded {
    let now = Utc::now();
    let a = &t.app;
    let u = &t.org.utama;
    let mut open = Vec::new();
    let o1 = a
        .create_item(
            u,
            &item("Laporan <Keuangan> & Anggaran Dinas 2026", "Laporan realisasi anggaran dan program imunisasi anak.", "berkala"),
            Intent::Publish,
            vec![pdf("laporan-keuangan", "Lampiran memuat kata zebrakudaunik yang hanya ada di berkas ini.")],
            now,
        )
        .await
        .unwrap();
    open.push(o1.id);
    let o2 = a
        .create_item(u, &item("Penanganan Banjir Kota", "Rencana penanganan banjir di wilayah kota.", "serta_merta"), Intent::Publish, vec![], now)
        .await
        .unwrap();
    open.push(o2.id);
    let f = a.create_item(u, &item("=SUM(A1:A2) Rekap Data", "Rekapitulasi data layanan.", "setiap_saat"), Intent::Publish, vec![], now).await.unwrap();
    open.push(f.id);
    let ex = a
        .create_item(
            u,
            &exempt_item(),
            Intent::Publish,
            vec![pdf(EX_FILENAME, &format!("{EX_PDF} denah")), docx(EX_FILENAME, &format!("{EX_DOCX} jadwal"))],
            now,
        )
        .await
        .unwrap();
    let draft = a
        .create_item(
            u,
            &item(DRAFT_TITLE, &format!("{DRAFT_SUMMARY} belum terbit"), "berkala"),
            Intent::Draft,
            vec![pdf("draft", &format!("{DRAFT_PDF} isi"))],
            now,
        )
        .await
        .unwrap();
    let wd = a
        .create_item(u, &item(WD_TITLE, &format!("{WD_SUMMARY} hasil survei"), "setiap_saat"), Intent::Publish, vec![pdf("survei", "isi survei")], now)
        .await
        .unwrap();
    a.item_event(u, wd.id, wd.version, ItemEvent::Withdraw, None, Some(WD_REASON.into()), now).await.unwrap();
    let files = |id: i64| async move { t.app.store.item_files(id).await.unwrap().into_iter().map(|f| f.id).collect::<Vec<_>>() };
    let exempt_files = files(ex.id).await;
    assert_eq!(exempt_files.len(), 2);
    Seeded {
        open,
        formula: f.id,
        exempt: ex.id,
        exempt_files,
        draft: draft.id,
        draft_files: files(draft.id).await,
        withdrawn: wd.id,
        withdrawn_files: files(wd.id).await,
    }
}

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} leaks {s:?}");
    }
}

/// Every public door of the register, in both languages: no marker anywhere.
async fn no_leaks(t: TestApp) {
    let s = seed(&t).await;
    let mut c = t.client();
    let units = t.app.store.list_units().await.unwrap();
    let year = (today() - Duration::days(30)).format("%Y").to_string();
    let mut paths: Vec<String> = vec![
        "/".into(),
        "/informasi".into(),
        "/informasi?page=2".into(),
        format!("/informasi?tahun={year}"),
        "/informasi?format=PDF".into(),
        "/informasi?format=DOCX".into(),
        "/informasi?kategori=dikecualikan".into(),
        "/informasi?q=Rencana+Pengamanan".into(),
        "/informasi?q=Draftzq".into(),
        "/informasi/dik".into(),
        format!("/informasi/{}", s.exempt),
        format!("/informasi/{}", s.withdrawn),
        "/cari?q=Rencana+Pengamanan+Objek+Vital+Bendungan".into(),
        "/cari?q=bendungan".into(),
        "/cari?q=denah".into(),
        "/cari?q=jadwal+penjagaan".into(),
        "/cari?q=Laporan".into(),
        "/cari?jenis=info".into(),
        "/cari?q=survei".into(),
        "/api/v1/informasi".into(),
        format!("/api/v1/informasi?year={year}"),
        "/api/v1/informasi?format=PDF".into(),
        "/api/v1/informasi?q=Rencana".into(),
        format!("/api/v1/informasi/{}", s.exempt),
        format!("/api/v1/informasi/{}", s.withdrawn),
        "/api/v1/dik".into(),
        "/api/v1/search?q=bendungan".into(),
        "/api/v1/search?q=denah".into(),
        "/api/v1/search?q=Rencana+Pengamanan".into(),
        "/api/v1/search?kind=info&per_page=100".into(),
        "/api/v1/search?q=survei".into(),
        "/informasi/feed.atom".into(),
        "/informasi/dip.csv".into(),
    ];
    for cat in ["berkala", "serta_merta", "setiap_saat"] {
        paths.push(format!("/informasi?kategori={cat}"));
        paths.push(format!("/api/v1/informasi?category={cat}"));
        paths.push(format!("/cari?kategori={cat}"));
    }
    for u in &units {
        paths.push(format!("/informasi?unit={}", u.id));
        paths.push(format!("/api/v1/informasi?unit={}", u.code));
        paths.push(format!("/cari?unit={}", u.code));
    }
    for lang in ["id", "en"] {
        for p in &paths {
            let sep = if p.contains('?') { '&' } else { '?' };
            let url = format!("{p}{sep}lang={lang}");
            let r = c.get(&url).await;
            assert!(r.status.is_success(), "{url} answered {}", r.status);
            assert_clean(&url, &r.text());
            assert_clean(&url, &unescape(&r.text()));
            for prefix in ["dip.list.", "dip.item.", "dip.field.", "dip.category.", "dip.search.", "dip.dik.", "dip.action.", "dip.err.", "enum."] {
                assert!(!r.text().contains(prefix), "{url}: a catalog key is missing ({prefix}…)");
            }
        }
        // The exempt item is listed, not leaked: its title is on the DIK page and its own page.
        let dik = html(&mut c, &format!("/informasi/dik?lang={lang}")).await;
        assert!(dik.contains(EX_TITLE), "the DIK lists the exempt item");
        let page = html(&mut c, &format!("/informasi/{}?lang={lang}", s.exempt)).await;
        assert!(page.contains(EX_TITLE) && page.contains("UU 14/2008 Pasal 17 huruf c"));
        let api = c.get(&format!("/api/v1/informasi/{}?lang={lang}", s.exempt)).await.json();
        assert_eq!(api["visibility"], "listed_exempt");
        assert_eq!(api["ground"], "c");
        for k in ["summary", "withheld", "consequence", "public_interest", "approval_ref", "files", "history"] {
            assert!(api.get(k).is_none(), "exempt API view has {k}");
        }
        // Searching for each marker finds nothing (the page echoes the query, so count hits).
        for m in SECRETS {
            let r = c.get(&format!("/api/v1/search?q={}&lang={lang}", urlenc(m))).await.json();
            assert_eq!(r["total"], 0, "search for {m} found {}", r);
            let page = c.get(&format!("/cari?q={}&lang={lang}", urlenc(m))).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(!page.text().contains("class=\"hit\""), "search page for {m} has hits");
            let r = c.get(&format!("/api/v1/informasi?q={}&lang={lang}", urlenc(m))).await.json();
            assert_eq!(r["total"], 0, "list filter {m}");
        }
    }
    // Files of the exempt, draft and withdrawn items are not served; their item pages say so.
    for f in s.exempt_files.iter().chain(&s.draft_files).chain(&s.withdrawn_files) {
        assert_eq!(c.get(&format!("/informasi/berkas/{f}")).await.status, StatusCode::NOT_FOUND);
    }
    for id in [s.exempt, s.withdrawn, s.draft] {
        assert_eq!(c.get(&format!("/api/v1/informasi/{id}/berkas")).await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(c.get(&format!("/informasi/{}", s.draft)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get(&format!("/api/v1/informasi/{}", s.draft)).await.status, StatusCode::NOT_FOUND);
    // The withdrawn item shows only its notice.
    let wd = html(&mut c, &format!("/informasi/{}", s.withdrawn)).await;
    assert!(wd.contains(WD_TITLE) && wd.contains(WD_REASON));
    assert!(!wd.contains("Unduh langsung") && !wd.contains("Kepala Dinas"), "withdrawn page shows only the notice");
    let wd = c.get(&format!("/api/v1/informasi/{}", s.withdrawn)).await.json();
    assert_eq!(wd["visibility"], "withdrawn_notice");
    assert_eq!(wd["reason"], WD_REASON);
    assert!(wd.get("summary").is_none());
    // The XLSX, read back cell by cell, and the DIP table itself.
    for lang in ["id", "en"] {
        let x = c.get(&format!("/informasi/dip.xlsx?lang={lang}")).await;
        assert_eq!(x.status, StatusCode::OK);
        let table = terbuka_files::table::read_table("dip.xlsx", &x.bytes).unwrap();
        let all: String = table.headers.iter().chain(table.rows.iter().flatten()).cloned().collect::<Vec<_>>().join("\n");
        assert_clean("dip.xlsx", &all);
        assert!(!all.contains(EX_TITLE) && !all.contains(WD_TITLE));
        assert_eq!(table.rows.len(), s.open.len());
    }
    let (_, rows) = t.app.dip_table(terbuka_domain::Lang::Id).await.unwrap();
    assert!(rows.iter().all(|r| !r.iter().any(|c| c.contains(EX_TITLE))));
    // The open items are there, though.
    let list = html(&mut c, "/informasi").await;
    assert!(list.contains("Penanganan Banjir Kota"));
    assert!(!list.contains(EX_TITLE) && !list.contains(WD_TITLE));
}

/// Page text with the entities minijinja writes turned back into characters.
fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/").replace("&#x27;", "'").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

async fn html(c: &mut Client, url: &str) -> String {
    let r = c.get(url).await;
    assert_eq!(r.status, StatusCode::OK, "{url}");
    unescape(&r.text())
}

fn urlenc(s: &str) -> String {
    serde_urlencoded::to_string([("q", s)]).unwrap().trim_start_matches("q=").to_string()
}

#[tokio::test]
async fn exempt_draft_and_withdrawn_content_never_leaks() {
    no_leaks(TestApp::sqlite().await).await;
}

#[tokio::test]
async fn exempt_draft_and_withdrawn_content_never_leaks_on_postgres() {
    no_leaks(TestApp::postgres().await).await;
}

#[tokio::test]
async fn item_page_shows_every_field_files_and_history() {
    let t = TestApp::sqlite().await;
    let now = Utc::now();
    let u = &t.org.utama;
    let it = t
        .app
        .create_item(
            u,
            &item("Profil Kesehatan Daerah", "Profil kesehatan daerah tahunan.", "berkala"),
            Intent::Publish,
            vec![pdf("profil-v1", "versi pertama"), pdf("lampiran", "lampiran tambahan")],
            now,
        )
        .await
        .unwrap();
    let files = t.app.store.item_files(it.id).await.unwrap();
    let (slot1, slot2) = (files[0].slot, files[1].slot);
    let it = t.app.change_files(u, it.id, it.version, vec![], Some((slot1, pdf("profil-v2", "versi kedua"))), None, None, now).await.unwrap();
    let it = t.app.change_files(u, it.id, it.version, vec![], None, Some(slot2), None, now).await.unwrap();
    let mut raw = item("Profil Kesehatan Daerah 2026", "Profil kesehatan daerah tahunan.", "berkala");
    raw.period = Some("Tahun 2026".into());
    t.app.edit_item(u, it.id, it.version, &raw, Some("Judul diperbarui".into()), now).await.unwrap();
    let files = t.app.store.item_files(it.id).await.unwrap();
    let v1 = files.iter().find(|f| f.filename == "profil-v1.pdf").unwrap();
    let v2 = files.iter().find(|f| f.filename == "profil-v2.pdf").unwrap();
    let removed = files.iter().find(|f| f.filename == "lampiran.pdf").unwrap();

    let mut c = t.client();
    let html = html(&mut c, &format!("/informasi/{}", it.id)).await;
    for s in [
        "Profil Kesehatan Daerah 2026",
        "Kepala Dinas Kesehatan",
        "Jakarta",
        "Tahun 2026",
        "5 tahun",
        "Unduh langsung dari laman ini.",
        "Informasi berkala",
        "Pembaruan berikutnya paling lambat",
        "Versi sebelumnya",
        "Berkas yang dihapus",
        "Judul diperbarui",
        "judul, periode",
    ] {
        assert!(html.contains(s), "item page lacks {s:?}");
    }
    assert!(html.contains(&format!("/informasi/berkas/{}", v1.id)), "previous version is linked");
    assert!(html.contains(&format!("/informasi/berkas/{}", v2.id)));
    assert!(html.contains("lampiran.pdf") && !html.contains(&format!("/informasi/berkas/{}", removed.id)), "removed file is named, not linked");
    // The old title is not in the history (names of changed fields only).
    assert_eq!(html.matches("Profil Kesehatan Daerah<").count() + html.matches("Profil Kesehatan Daerah\"").count(), 0);
    let en = unescape(&c.get(&format!("/informasi/{}?lang=en", it.id)).await.text());
    assert!(en.contains("Previous versions") && en.contains("Periodic information"));

    for (f, ok) in [(v1, true), (v2, true), (removed, false)] {
        let r = c.get(&format!("/informasi/berkas/{}", f.id)).await;
        if ok {
            assert_eq!(r.status, StatusCode::OK);
            assert!(r.bytes.starts_with(b"%PDF-"));
            let cd = r.headers["content-disposition"].to_str().unwrap();
            assert!(cd.starts_with("attachment;") && cd.contains(&f.filename));
            assert_eq!(r.headers["x-content-type-options"], "nosniff");
        } else {
            assert_eq!(r.status, StatusCode::NOT_FOUND);
        }
    }
    let api = c.get(&format!("/api/v1/informasi/{}/berkas", it.id)).await.json();
    assert_eq!(api["current"].as_array().unwrap().len(), 1);
    assert_eq!(api["previous"].as_array().unwrap().len(), 1);
    assert_eq!(api["removed"][0]["filename"], "lampiran.pdf");
    let api = c.get(&format!("/api/v1/informasi/{}", it.id)).await.json();
    assert_eq!(api["visibility"], "full");
    assert_eq!(api["category"], "berkala");
    assert!(api["next_update_due"].is_string());
    assert!(api["history"].as_array().unwrap().iter().any(|e| e["changed_fields"] == serde_json::json!(["title", "period"])));
    assert_eq!(c.get("/informasi/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/informasi/berkas/999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/informasi/abc").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn search_finds_files_stems_facets_suggestions_and_requests() {
    let t = TestApp::sqlite().await;
    let s = seed(&t).await;
    let mut c = t.client();
    // A request in the register, found by its subject.
    let r = c.post_form("/permohonan", &request_fields()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    t.app.sync_search().await.unwrap();

    // A word only in the attached PDF.
    let r = c.get("/api/v1/search?q=zebrakudaunik").await.json();
    assert_eq!(r["total"], 1, "{r}");
    assert_eq!(r["hits"][0]["url"], format!("/informasi/{}", s.open[0]));
    assert_eq!(r["hits"][0]["kind"], "info");
    let page = html(&mut c, "/cari?q=zebrakudaunik").await;
    assert!(page.contains("<mark>") && page.contains(&format!("href=\"/informasi/{}\"", s.open[0])));

    // Stemming: an inflected form of a word in the summary ("penanganan") finds the item.
    assert_eq!(terbuka_text::stem("menangani"), terbuka_text::stem("penanganan"), "the two forms share a stem");
    assert!(!terbuka_text::stem("menangani").is_empty());
    let r = c.get("/api/v1/search?q=menangani").await.json();
    assert!(r["hits"].as_array().unwrap().iter().any(|h| h["url"] == format!("/informasi/{}", s.open[1])), "{r}");
    assert_eq!(r["fuzzy"], false);

    // Typo: a suggestion, typo-tolerant results, and the page shows both.
    let r = c.get("/api/v1/search?q=imunisassi").await.json();
    assert_eq!(r["suggestion"], "imunisasi", "{r}");
    let page = html(&mut c, "/cari?q=imunisassi").await;
    assert!(page.contains("Mungkin maksud Anda:") && page.contains("href=\"?q=imunisasi\""), "{page}");
    if r["fuzzy"] == true {
        assert!(page.contains("toleran salah ketik"));
    }

    // Requests by subject, with their badge.
    let r = c.get("/api/v1/search?q=demam+berdarah").await.json();
    assert!(r["hits"].as_array().unwrap().iter().any(|h| h["kind"] == "request" && h["url"].as_str().unwrap().starts_with("/register/PMH-")), "{r}");
    let page = html(&mut c, "/cari?q=demam+berdarah").await;
    assert!(page.contains("Permohonan") && page.contains("/register/PMH-"));
    let page = html(&mut c, "/cari?q=demam+berdarah&lang=en").await;
    assert!(page.contains(">Request<"));

    // Facets: counts, translated labels, links that keep the other parameters.
    let r = c.get("/api/v1/search?kind=info&per_page=100").await.json();
    assert_eq!(r["total"], s.open.len() as u64);
    let kinds = r["facets"]["kind"].as_array().unwrap();
    assert_eq!(kinds.len(), 1);
    assert_eq!(kinds[0]["value"], "info");
    let cats = r["facets"]["category"].as_array().unwrap();
    assert!(cats.iter().any(|f| f["value"] == "berkala" && f["count"] == 1 && f["label"] == "Informasi berkala"));
    let r = c.get("/api/v1/search?category=serta_merta").await.json();
    assert_eq!(r["total"], 1);
    let page = html(&mut c, "/cari?q=laporan").await;
    assert!(page.contains("href=\"?q=laporan&jenis=info\""), "facet link keeps q");
    let page = html(&mut c, "/cari?q=laporan&jenis=info").await;
    assert!(page.contains("href=\"?q=laporan\""), "the chosen facet links back without itself");
    // Empty query: a hint, no results.
    let page = html(&mut c, "/cari").await;
    assert!(page.contains("Tuliskan kata kunci") && !page.contains("class=\"hit\""));
}

#[tokio::test]
async fn feed_and_csv_are_well_formed() {
    let t = TestApp::sqlite().await;
    let s = seed(&t).await;
    let mut c = t.client();
    let r = c.get("/informasi/feed.atom").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    let xml = r.text();
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert_eq!(xml.matches("<entry>").count(), s.open.len());
    assert_eq!(xml.matches("</entry>").count(), s.open.len());
    assert!(xml.contains("<title>Laporan &lt;Keuangan&gt; &amp; Anggaran Dinas 2026</title>"));
    assert!(!xml.contains("<Keuangan>") && !xml.contains("& Anggaran"));
    assert!(xml.contains(&format!("<id>http://terbuka.test/informasi/{}</id>", s.open[0])));
    assert!(xml.trim_end().ends_with("</feed>"));
    // Every `<`/`&` in text is part of markup or an entity.
    for (i, _) in xml.match_indices('&') {
        let rest = &xml[i..];
        assert!(["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().any(|e| rest.starts_with(e)), "bare & at {i}");
    }
    let page = html(&mut c, "/informasi").await;
    assert!(page.contains("href=\"/informasi/feed.atom\""));

    for lang in ["id", "en"] {
        let r = c.get(&format!("/informasi/dip.csv?lang={lang}")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-disposition"], "attachment; filename=\"dip.csv\"");
        assert!(r.bytes.starts_with(b"\xEF\xBB\xBF"), "BOM");
        let text = r.text();
        let header = text.trim_start_matches('\u{FEFF}').lines().next().unwrap().to_string();
        assert!(header.starts_with(if lang == "id" { "no,judul," } else { "no,title," }), "{header}");
        let table = terbuka_files::table::read_table("dip.csv", &r.bytes).unwrap();
        assert_eq!(table.rows.len(), s.open.len());
        assert!(text.contains("'=SUM(A1:A2) Rekap Data"), "formula neutralised");
        assert!(!text.contains(",=SUM"));
        let x = c.get(&format!("/informasi/dip.xlsx?lang={lang}")).await;
        assert_eq!(x.headers["content-disposition"], "attachment; filename=\"dip.xlsx\"");
        assert!(x.bytes.starts_with(b"PK"));
    }
    let _ = s.formula;
}

#[tokio::test]
async fn list_filters_paging_and_stale_count() {
    let t = TestApp::sqlite().await;
    let s = seed(&t).await;
    let mut c = t.client();
    let page = html(&mut c, "/informasi").await;
    assert!(page.contains("Penanganan Banjir Kota") && page.contains("informasi berkala"));
    assert!(page.contains("href=\"/informasi/dik\"") && page.contains("href=\"/informasi/dip.csv\"") && page.contains("href=\"/informasi/dip.xlsx\""));
    let page = html(&mut c, "/informasi?kategori=serta_merta").await;
    assert!(page.contains("Penanganan Banjir Kota") && !page.contains("Rekap Data"));
    let r = c.get("/api/v1/informasi?category=berkala").await.json();
    assert_eq!(r["total"], 1);
    assert_eq!(r["items"][0]["id"], s.open[0]);
    let r = c.get("/api/v1/informasi?format=PDF").await.json();
    assert_eq!(r["total"], 1);
    let r = c.get("/api/v1/informasi?q=banjir").await.json();
    assert_eq!(r["total"], 1);
    let r = c.get("/api/v1/informasi?unit=dinsos").await.json();
    assert_eq!(r["total"], 0);
    let r = c.get("/api/v1/informasi").await.json();
    assert_eq!((r["total"].as_i64(), r["page"].as_i64(), r["pages"].as_i64()), (Some(3), Some(1), Some(1)));
    let r = c.get("/api/v1/dik").await.json();
    assert_eq!(r["total"], 1);
    assert_eq!(r["items"][0]["title"], EX_TITLE);
    assert_eq!(r["items"][0]["ground"], "c");
    // The stale-count sentence: none yet.
    let page = html(&mut c, "/informasi").await;
    assert!(page.contains("Semua informasi berkala sudah diperbarui sesuai jadwal."));
    let en = c.get("/informasi?lang=en").await.text();
    assert!(en.contains("Public Information List"));
    // The index lists the new endpoints.
    let idx = c.get("/api/v1").await.json();
    let eps: Vec<String> = idx["endpoints"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap().to_string()).collect();
    for p in ["/informasi", "/informasi/{id}", "/informasi/{id}/berkas", "/dik", "/search"] {
        assert!(eps.contains(&p.to_string()), "{p} listed");
    }
}

#[tokio::test]
async fn hostile_parameters_never_cause_a_server_error() {
    let t = TestApp::sqlite().await;
    let s = seed(&t).await;
    let mut c = t.client();
    let long = "a".repeat(5 * 1024);
    let hostile: Vec<String> = vec![
        "page=-1".into(),
        "page=abc".into(),
        "page=0".into(),
        "page=99999999999999999999".into(),
        "tahun=99999".into(),
        "year=99999".into(),
        "tahun=-5".into(),
        format!("q={long}"),
        "q=%22unclosed".into(),
        "q=a%3Ab%3A*%22%27".into(),
        "q=%00%01".into(),
        "q=*".into(),
        "q=-".into(),
        "q=%22%22".into(),
        "q=title%3A(x+OR+y)^3~2".into(),
        "kategori=rahasia".into(),
        "category=rahasia".into(),
        "kategori=dikecualikan".into(),
        "category=dikecualikan".into(),
        "jenis=x".into(),
        "kind=x".into(),
        "unit=999999".into(),
        "unit=%27%3B+DROP+TABLE".into(),
        "format=%3Cscript%3E".into(),
        "per_page=0".into(),
        "per_page=1000".into(),
        "page=100000&per_page=100".into(),
        "lang=xx".into(),
    ];
    let bases = [
        "/informasi".to_string(),
        "/informasi/dik".into(),
        "/cari".into(),
        "/informasi/feed.atom".into(),
        "/informasi/dip.csv".into(),
        format!("/informasi/{}", s.open[0]),
        "/api/v1/informasi".into(),
        "/api/v1/dik".into(),
        "/api/v1/search".into(),
        format!("/api/v1/informasi/{}", s.open[0]),
        format!("/api/v1/informasi/{}/berkas", s.open[0]),
    ];
    for b in &bases {
        for h in &hostile {
            let url = format!("{b}?{h}");
            let r = c.get(&url).await;
            assert!(r.status.as_u16() < 500, "{url} answered {}", r.status);
            if b.starts_with("/api/") && !r.status.is_success() {
                let j = r.json();
                assert!(j["error"]["message"].is_string(), "{url}: {j}");
            }
        }
    }
    for p in
        ["/informasi/-1", "/informasi/0", "/informasi/99999999999999999999", "/informasi/berkas/abc", "/api/v1/informasi/abc", "/api/v1/informasi/-3/berkas"]
    {
        assert_eq!(c.get(p).await.status, StatusCode::NOT_FOUND, "{p}");
    }
    // The API names the bad parameter, in the caller's language.
    for (q, field) in [
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("year=99999", "year"),
        ("category=rahasia", "category"),
        ("category=dikecualikan", "category"),
        (&*format!("q={long}"), "q"),
        ("unit=999999", "unit"),
    ] {
        for path in ["/api/v1/informasi", "/api/v1/search"] {
            let r = c.get(&format!("{path}?{q}&lang=en")).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}?{q}");
            let j = r.json();
            assert_eq!(j["error"]["fields"][0]["field"], field, "{path}?{q}: {j}");
        }
    }
    let j = c.get("/api/v1/search?kind=x&lang=en").await.json();
    assert_eq!(j["error"]["fields"][0]["message"], "Choose one of the available options.", "{j}");
    let j = c.get("/api/v1/search?per_page=0").await.json();
    assert_eq!(j["error"]["fields"][0]["field"], "per_page");
    let j = c.get("/api/v1/dik?page=abc").await;
    assert_eq!(j.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Pages ignore what they cannot read.
    assert_eq!(c.get("/informasi?page=abc&tahun=99999&kategori=rahasia").await.status, StatusCode::OK);
    assert_eq!(c.get(&format!("/cari?q={long}")).await.status, StatusCode::OK);
}
