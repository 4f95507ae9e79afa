//! The crisis channel over HTTP: two releases of a small Covid-19 upload (3 kelurahan, 20 days,
//! then one correction) through the real ingest, then every page, download and API answer is
//! checked for the right numbers; filters, 422s with suggestions, ETag/304, 404s and hostile
//! input that never gives a 5xx.

use crate::util::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, NaiveDate, Utc};

const K1: &str = "31.71.01.1001"; // Gambir (kecamatan Gambir)
const K2: &str = "31.71.01.1002"; // Cideng (kecamatan Gambir)
const K3: &str = "31.71.02.1001"; // Pasar Baru (kecamatan Sawah Besar)

fn day(i: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 7, 1).unwrap() + Duration::days(i)
}

/// Cumulative confirmed of each kelurahan on day `d` (0..20): grows by 2, 3 and 5 a day.
fn confirmed(k: usize, d: i64) -> i64 {
    [100, 200, 50][k] + [2, 3, 5][k] * d
}

fn upload() -> String {
    let mut csv = String::from("region,date,confirmed,deaths\n");
    for d in 0..20 {
        for (k, code) in [K1, K2, K3].iter().enumerate() {
            csv.push_str(&format!("{code},{},{},{}\n", day(d), confirmed(k, d), 1 + d / 4));
        }
    }
    csv
}

async fn ingest(t: &TestApp, csv: &str, note: &str) {
    t.app.crisis_ingest(None, "covid19", "data.csv", csv.as_bytes(), Some(note), Utc::now(), &mut |_| {}).await.unwrap();
}

/// Datasets, a first (generated) release and a correction of Cideng's last confirmed value.
async fn setup() -> TestApp {
    let t = TestApp::sqlite().await;
    t.app.ensure_crisis_datasets(Utc::now()).await.unwrap();
    ingest(&t, &upload(), "Data contoh yang dibangkitkan untuk uji").await;
    ingest(&t, &format!("region,date,confirmed\n{K2},{},260\n", day(19)), "Koreksi Cideng").await;
    t
}

/// The part of a page from `marker` to the next `end`.
fn section<'a>(html: &'a str, marker: &str, end: &str) -> &'a str {
    let i = html.find(marker).unwrap_or_else(|| panic!("page has {marker}: {html}"));
    let rest = &html[i..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[tokio::test]
async fn crisis_pages_show_the_rolled_up_numbers_and_the_corrections() {
    let t = setup().await;
    let mut c = t.client();

    // The list.
    let r = c.get("/krisis").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("Covid-19 per kelurahan") && html.contains("/krisis/covid19") && html.contains("#2"), "{html}");
    assert!(html.contains("href=\"/krisis\""), "the nav links the channel");

    // The province: 138 + 260 + 145 = 543 on 20 July; 530 the day before; 470 a week before.
    let r = c.get("/krisis/covid19").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    let head = section(&html, "id=\"h-confirmed\"", "</li>");
    assert!(head.contains(">543<"), "{head}");
    assert!(head.contains("+13") && head.contains("+73"), "{head}");
    assert!(head.contains("3 dari 267"), "an incomplete roll-up says so: {head}");
    assert!(section(&html, "id=\"h-deaths\"", "</li>").contains(">15<"));
    assert!(!html.contains("id=\"h-recovered\""), "measures not reported are not headlines");
    assert!(html.contains("<svg class=\"chart\""), "the trend chart");
    assert!(html.contains("<svg class=\"map\""), "the map");
    assert!(html.contains("Cideng: 260 orang (20-07-2021)"), "map tooltips carry the value");
    assert!(html.contains("/krisis/covid19/wilayah/31.71.01.1002"));
    // The data table: new cases on the 20th are 13, their 7-day average (6 × 10 + 13) / 7.
    let table = section(&html, "<table class=\"trend\"", "</table>");
    assert!(table.contains("20-07-2021") && table.contains(">13<") && table.contains("10,43"), "{table}");
    assert!(table.contains("/krisis/covid19/wilayah/31/tren.csv"));
    // Comparison by kota and kecamatan.
    let kota = section(&html, "id=\"banding-kota\"", "</table>");
    assert!(kota.contains("Jakarta Pusat") && kota.contains(">543<"), "{kota}");
    let kec = section(&html, "id=\"banding-kecamatan\"", "</table>");
    assert!(kec.find("Gambir").unwrap() < kec.find("Sawah Besar").unwrap(), "sorted by confirmed, highest first");
    assert!(kec.contains(">398<") && kec.contains(">145<"));
    // The latest release's note is not about generated data; the formulas are shown.
    assert!(!html.contains("Data contoh yang dibangkitkan."));
    assert!(html.contains("baru(t) = K(t) − K(t−1)") && html.contains("rata-rata 7 hari(t)"));
    // In English.
    let mut en = t.client();
    en.get("/bahasa/en").await;
    let html = en.get("/krisis/covid19").await.text();
    assert!(section(&html, "id=\"h-confirmed\"", "</li>").contains(">543<") && html.contains("new(t) = C(t) − C(t−1)"));

    // Sorting and the map's measure.
    let html = c.get("/krisis/covid19?urut=deaths&ukuran=deaths").await.text();
    assert!(html.contains("Cideng: 5 orang"), "the map shows deaths");
    assert!(html.contains("aria-sort=\"descending\"><a href=\"?urut=deaths"));
    assert_eq!(c.get("/krisis/covid19?urut=nope&ukuran=%3Cscript%3E").await.status, StatusCode::OK);

    // Check my area.
    let html = c.get("/krisis/covid19?kelurahan=cideng").await.text();
    assert!(section(&html, "id=\"wilayahku\"", "</ul>").contains("/krisis/covid19/wilayah/31.71.01.1002"));

    // A kecamatan and a kelurahan.
    let r = c.get("/krisis/covid19/wilayah/31.71.01").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    let head = section(&html, "id=\"h-confirmed\"", "</li>");
    assert!(head.contains(">398<") && head.contains("+8"), "{head}");
    let children = section(&html, "id=\"banding-wilayah\"", "</table>");
    assert!(children.contains("Cideng") && children.contains(">260<"));
    assert!(html.contains("<svg class=\"chart\""));
    let html = c.get(&format!("/krisis/covid19/wilayah/{K2}")).await.text();
    let head = section(&html, "id=\"h-confirmed\"", "</li>");
    assert!(head.contains(">260<") && head.contains("+6"), "{head}");
    assert!(!head.contains("dari"), "a kelurahan's own value is complete");

    // The chart's numbers as CSV and JSON.
    let r = c.get("/krisis/covid19/wilayah/31.71.01/tren.csv").await;
    assert_eq!(r.status, StatusCode::OK);
    let text = r.text();
    let text = text.trim_start_matches('\u{feff}');
    assert!(text.starts_with("date,confirmed,confirmed_new,confirmed_new_avg7"));
    assert!(text.contains("2021-07-20,398,8,"), "{text}");
    let r = c.get("/krisis/covid19/wilayah/31.71.01/tren.json").await;
    assert_eq!(r.json()["rows"].as_array().unwrap().len(), 20);

    // Releases and the correction log.
    let html = c.get("/krisis/covid19/rilis").await.text();
    assert!(html.contains("Koreksi Cideng") && html.contains("/krisis/covid19/rilis/2.csv"));
    let r = c.get("/krisis/covid19/rilis/2").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    let log = section(&html, "<tbody>", "</tbody>");
    assert!(log.contains("Cideng") && log.contains(">257<") && log.contains(">260<") && log.contains("+3") && log.contains("dikoreksi"), "{log}");
    assert!(!html.contains("Data contoh yang dibangkitkan."));
    let html = c.get("/krisis/covid19/rilis/1").await.text();
    assert!(html.contains("Data contoh yang dibangkitkan."), "the generated release says so");
    assert!(html.contains("120 perubahan") && html.contains("Halaman 1 dari 3"), "paged");
    assert!(c.get("/krisis/covid19/rilis/1?page=3").await.text().contains("Halaman 3 dari 3"));

    // Downloads parse.
    let r = c.get("/krisis/covid19/rilis/2.csv").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("attachment"));
    let text = r.text();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "region,date,measure,value,note");
    assert_eq!(lines.len(), 121);
    assert!(lines.contains(&"31.71.01.1002,2021-07-20,confirmed,260,"));
    let j = c.get("/krisis/covid19/rilis/2.json").await.json();
    assert_eq!(j["observations"].as_array().unwrap().len(), 120);
    assert_eq!(j["release"]["seq"], 2);
    let text = c.get("/krisis/covid19/rilis/2/perubahan.csv").await.text();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1], "31.71.01.1002,Cideng,2021-07-20,confirmed,changed,257,260,3");
    let j = c.get("/krisis/covid19/rilis/2/perubahan.json").await.json();
    assert_eq!(j["changes"][0]["old"], 257.0);
    assert_eq!(j["changes"][0]["new"], 260.0);

    // The empty state and the 404s.
    let r = c.get("/krisis/banjir").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Belum ada rilis data"));
    for path in [
        "/krisis/nope",
        "/krisis/covid19/wilayah/99.99",
        "/krisis/covid19/wilayah/31.71/x.csv",
        "/krisis/covid19/rilis/9",
        "/krisis/covid19/rilis/0",
        "/krisis/covid19/rilis/abc",
        "/krisis/covid19/rilis/9.csv",
        "/krisis/covid19/rilis/2.xml",
        "/krisis/covid19/rilis/2/x.csv",
        "/krisis/covid19/rilis/9/perubahan.json",
        "/krisis/banjir/rilis/1",
        "/krisis/nope/rilis",
    ] {
        assert_eq!(c.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn crisis_api_filters_validates_and_revalidates() {
    let t = setup().await;
    let mut c = t.client();

    let j = c.get("/api/v1/crisis").await.json();
    let list = j.as_array().unwrap();
    let covid = list.iter().find(|d| d["slug"] == "covid19").unwrap();
    assert_eq!(covid["latest_release"]["seq"], 2);
    assert!(list.iter().find(|d| d["slug"] == "banjir").unwrap()["latest_release"].is_null());

    let r = c.get("/api/v1/crisis/covid19").await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["definition"]["measures"][0]["id"], "confirmed");
    assert_eq!(j["definition"]["measures"][0]["unit"]["id"], "orang");
    let avg = j["formulas"].as_array().unwrap().iter().find(|f| f["id"] == "confirmed_new_avg7").unwrap();
    assert!(avg["formula"]["id"].as_str().unwrap().contains("rata-rata 7 hari"));
    assert!(avg["formula"]["en"].as_str().unwrap().contains("7-day average"));

    let j = c.get("/api/v1/crisis/covid19/releases").await.json();
    assert_eq!(j["releases"].as_array().unwrap().len(), 2);
    assert_eq!(j["releases"][0]["changed"], 1);
    let j = c.get("/api/v1/crisis/covid19/releases/2/changes").await.json();
    assert_eq!(j["changes"].as_array().unwrap().len(), 1);
    assert_eq!(j["changes"][0]["old"], 257.0);
    assert_eq!(j["changes"][0]["region_name"], "Cideng");

    // Filters.
    let j = c.get(&format!("/api/v1/crisis/covid19/observations?region={K2}&measure=confirmed&from=2021-07-19&until=2021-07-20")).await.json();
    assert_eq!(j["total"], 2);
    let values: Vec<f64> = j["observations"].as_array().unwrap().iter().map(|o| o["value"].as_f64().unwrap()).collect();
    assert_eq!(values, [254.0, 260.0]);
    let j = c.get(&format!("/api/v1/crisis/covid19/observations?region={K2}&measure=confirmed&from=2021-07-20&release=1")).await.json();
    assert_eq!(j["observations"][0]["value"], 257.0);
    assert_eq!(j["release"]["seq"], 1);
    let j = c.get("/api/v1/crisis/covid19/observations?region=31.71.01&measure=deaths,confirmed&per_page=7&page=2").await.json();
    assert_eq!(j["total"], 80);
    assert_eq!(j["pages"], 12);
    assert_eq!(j["observations"].as_array().unwrap().len(), 7);

    // Bad parameters: 422 naming each, the nearest measure suggested.
    let r = c.get("/api/v1/crisis/covid19/observations?measure=confirmd").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    assert_eq!(j["error"]["fields"][0]["field"], "measure");
    assert_eq!(j["error"]["fields"][0]["suggestion"], "confirmed");
    assert!(j["error"]["fields"][0]["message"].as_str().unwrap().contains("confirmed"));
    for (q, field) in [
        ("from=2021-13-01", "from"),
        ("until=kemarin", "until"),
        ("from=2021-07-20&until=2021-07-01", "until"),
        ("region=99.99", "region"),
        ("per_page=0", "per_page"),
        ("per_page=100000", "per_page"),
        ("page=-1", "page"),
        ("release=abc", "release"),
    ] {
        let r = c.get(&format!("/api/v1/crisis/covid19/observations?{q}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(r.json()["error"]["fields"][0]["field"], field, "{q}");
    }
    let r = c.get("/api/v1/crisis/covid19/observations?release=9").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c.get("/api/v1/crisis/covid91/observations").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"]["suggestion"], "covid19");
    for path in
        ["/api/v1/crisis/nope", "/api/v1/crisis/nope/releases", "/api/v1/crisis/covid19/releases/9/changes", "/api/v1/crisis/covid19/releases/x/changes"]
    {
        assert_eq!(c.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }

    // ETag and Last-Modified; a matching If-None-Match is a 304.
    let path = format!("/api/v1/crisis/covid19/observations?region={K1}");
    let r = c.get(&path).await;
    assert_eq!(r.status, StatusCode::OK);
    let etag = r.headers[header::ETAG].to_str().unwrap().to_string();
    assert!(r.headers.contains_key(header::LAST_MODIFIED));
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let req = Request::builder().uri(&path).header(header::IF_NONE_MATCH, &etag).body(Body::empty()).unwrap();
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.bytes.is_empty());
    let other = c.get(&format!("/api/v1/crisis/covid19/observations?region={K2}")).await;
    assert_ne!(other.headers[header::ETAG].to_str().unwrap(), etag, "another query, another tag");
    let req = Request::builder().uri(&path).header(header::IF_NONE_MATCH, "\"stale\"").body(Body::empty()).unwrap();
    assert_eq!(c.send(req).await.status, StatusCode::OK);
}

#[tokio::test]
async fn crisis_hostile_input_never_gives_a_5xx() {
    let t = setup().await;
    let mut c = t.client();
    let long = "9".repeat(5000);
    let paths = [
        "/krisis/%00".to_string(),
        "/krisis/covid19/wilayah/%3Cscript%3E".into(),
        "/krisis/covid19/wilayah/31.71'--".into(),
        format!("/krisis/covid19/rilis/{long}"),
        format!("/krisis/covid19/rilis/{long}.csv"),
        "/krisis/covid19/rilis/99999999999999999999".into(),
        "/krisis/covid19/rilis/1/..%2F..%2Fetc".into(),
        "/krisis/covid19?kelurahan=%00%01".into(),
        format!("/krisis/covid19?kelurahan={long}&urut={long}&ukuran={long}"),
        "/krisis/covid19/rilis/1?page=-5".into(),
        "/krisis/covid19/rilis/1?page=99999999999999999999".into(),
        "/api/v1/crisis/covid19/observations?from=%00&until=%FF".into(),
        format!("/api/v1/crisis/covid19/observations?measure={long}&region={long}"),
        "/api/v1/crisis/covid19/observations?page=1000000&per_page=5000".into(),
        "/api/v1/crisis/covid19/observations?page=18446744073709551616".into(),
        "/api/v1/crisis/%E2%80%AE/releases".into(),
        format!("/api/v1/crisis/{long}"),
        format!("/api/v1/crisis/{long}/summary"),
        "/api/v1/crisis/covid19/summary?lang=%FF&x=%00".into(),
        "/krisis/covid19?lang=%00".into(),
        "/krisis/tidak-ada/datapackage.json".into(),
        format!("/krisis/covid19/rilis/{long}/datapackage.json"),
        "/krisis/tidak-ada/rekonsiliasi.csv".into(),
        "/krisis/covid19/rekonsiliasi.json?x=%00".into(),
    ];
    for p in &paths {
        let r = c.get(p).await;
        assert!(r.status.as_u16() < 500, "{p} gave {}", r.status);
    }
    // Hot answers under hostile request headers: odd encodings, validators and cookies.
    for (k, v) in [(header::ACCEPT_ENCODING, "gzip;q=abc, *;q=-1"), (header::IF_NONE_MATCH, "\"\", W/, *x"), (header::COOKIE, "sid=; lang=xx; lang=en")] {
        for p in ["/krisis/covid19", "/api/v1/crisis/covid19/summary"] {
            let r = get_with(&mut c, p, &[(k.clone(), v)]).await;
            assert!(r.status.as_u16() < 500, "{p} with {k}: {v} gave {}", r.status);
        }
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

async fn get_with(c: &mut Client, path: &str, headers: &[(header::HeaderName, &str)]) -> Resp {
    let mut req = Request::builder().uri(path);
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    c.send(req.body(Body::empty()).unwrap()).await
}

/// The channel home and the summary JSON are rendered once per release and then served from
/// memory: the same bytes with an ETag, 304 on a match, a gzip copy, never for a signed-in
/// officer, never for another view; and a release published on another node shows as soon as
/// the entry is re-checked (here at once: the node's cache re-checks on every request).
#[tokio::test]
async fn hot_answers_are_served_from_memory_and_follow_new_releases() {
    let t = setup().await;
    let hot = terbuka_web::AppState { app: t.app.clone(), hot: std::sync::Arc::new(terbuka_web::hot::HotCache::with_recheck(std::time::Duration::ZERO)) };
    let cache = hot.hot.clone();
    let mut c = Client { router: terbuka_web::router(hot), cookies: Default::default(), bearer: None };

    let first = c.get("/krisis/covid19").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(cache.len(), 1, "the home page is kept");
    let second = c.get("/krisis/covid19").await;
    assert_eq!(second.bytes, first.bytes, "served from memory: the same bytes");
    let etag = second.headers[header::ETAG].to_str().unwrap().to_string();
    assert!(second.headers.contains_key(header::LAST_MODIFIED));
    assert_eq!(second.headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(second.headers.contains_key(header::CONTENT_SECURITY_POLICY), "hot answers keep the security headers");
    assert!(!second.headers.contains_key(header::SET_COOKIE), "a hot answer sets no cookie");
    assert!(second.text().contains("id=\"h-confirmed\""));
    let r = get_with(&mut c, "/krisis/covid19", &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.bytes.is_empty());
    let gz = get_with(&mut c, "/krisis/covid19", &[(header::ACCEPT_ENCODING, "gzip, br")]).await;
    assert_eq!(gz.headers[header::CONTENT_ENCODING], "gzip");
    assert_ne!(gz.headers[header::ETAG].to_str().unwrap(), etag, "the gzip copy has its own ETag");
    assert_eq!(gunzip(&gz.bytes), first.bytes);
    assert!(gz.bytes.len() * 3 < first.bytes.len(), "compressed once, well");
    // English is its own entry.
    let en = c.get("/krisis/covid19?lang=en").await;
    assert!(en.text().contains("Covid-19 by kelurahan"));
    assert_eq!(cache.len(), 2);
    // Other views are rendered, and not kept.
    let sorted = c.get("/krisis/covid19?urut=deaths").await;
    assert_eq!(sorted.status, StatusCode::OK);
    assert_eq!(cache.len(), 2);

    // The summary JSON: the province and every kota with their latest figures.
    let s1 = c.get("/api/v1/crisis/covid19/summary").await;
    assert_eq!(s1.status, StatusCode::OK, "{}", s1.text());
    let j = s1.json();
    assert_eq!(j["release"]["seq"], 2);
    assert_eq!(j["regions"][0]["code"], "31");
    assert_eq!(j["regions"][0]["measures"]["confirmed"]["value"], 543.0);
    assert_eq!(j["regions"][0]["measures"]["confirmed"]["change_previous"], 13.0);
    assert_eq!(j["regions"][0]["measures"]["confirmed"]["change_week"], 73.0);
    assert_eq!(j["regions"][0]["measures"]["confirmed"]["completeness"]["parts"], 3);
    assert_eq!(j["regions"].as_array().unwrap().len(), 7, "the province and 6 kota/kabupaten");
    assert_eq!(j["labels"]["confirmed"]["label"]["en"], "Confirmed (cumulative)");
    assert_eq!(c.get("/api/v1/crisis/covid19/summary").await.bytes, s1.bytes);
    assert_eq!(cache.len(), 3);

    // A signed-in officer always gets a rendered page with their name on it.
    let mut officer = Client { router: c.router.clone(), cookies: Default::default(), bearer: None };
    officer.login("utama", PASSWORD).await;
    let mine = officer.get("/krisis/covid19").await;
    assert!(mine.text().contains("Petugas utama"), "the officer's own page");
    assert!(!c.get("/krisis/covid19").await.text().contains("Petugas utama"), "and never someone else's");

    // Another node publishes a correction: the next request sees it.
    let (other, _) = t.node();
    other
        .crisis_ingest(
            None,
            "covid19",
            "fix.csv",
            format!("region,date,confirmed\n{K3},{},150\n", day(19)).as_bytes(),
            Some("Koreksi Pasar Baru"),
            Utc::now(),
            &mut |_| {},
        )
        .await
        .unwrap();
    let after = c.get("/krisis/covid19").await;
    assert_ne!(after.bytes, first.bytes);
    assert!(section(&after.text(), "id=\"h-confirmed\"", "</li>").contains(">548<"), "543 − 145 + 150");
    assert_eq!(c.get("/api/v1/crisis/covid19/summary").await.json()["regions"][0]["measures"]["confirmed"]["value"], 548.0);
    let r = get_with(&mut c, "/krisis/covid19", &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(r.status, StatusCode::OK, "the old ETag no longer matches");
}

/// The Frictionless descriptor names the release files with their schemas; the latest and the
/// per-release descriptors point at files that exist.
#[tokio::test]
async fn frictionless_descriptor_points_at_the_release_files() {
    let t = setup().await;
    let mut c = t.client();
    let r = c.get("/krisis/covid19/datapackage.json").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["profile"], "tabular-data-package");
    assert_eq!(j["terbuka"]["release"], 2);
    assert_eq!(j["resources"][0]["path"], "http://terbuka.test/krisis/covid19/rilis/2.csv");
    assert_eq!(j["resources"][1]["path"], "http://terbuka.test/krisis/covid19/rilis/2/perubahan.csv");
    assert_eq!(j["resources"][0]["schema"]["primaryKey"], serde_json::json!(["region", "date", "measure"]));
    let fields: Vec<&str> = j["resources"][0]["schema"]["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(fields, ["region", "date", "measure", "value", "note"]);
    // The paths are the release's stable files, whose headers match the schema.
    let csv = c.get("/krisis/covid19/rilis/2.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.text().trim_start_matches('\u{feff}').starts_with("region,date,measure,value,note"));
    let ch = c.get("/krisis/covid19/rilis/2/perubahan.csv").await;
    assert!(ch.text().trim_start_matches('\u{feff}').starts_with("region,region_name,date,measure,kind,old,new,delta"));
    let old = c.get("/krisis/covid19/rilis/1/datapackage.json").await.json();
    assert_eq!(old["terbuka"]["release"], 1);
    assert_eq!(old["resources"][0]["path"], "http://terbuka.test/krisis/covid19/rilis/1.csv");
    assert_eq!(c.get("/krisis/covid19/rilis/9/datapackage.json").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/krisis/tidak-ada/datapackage.json").await.status, StatusCode::NOT_FOUND);
}

/// Totals reported directly for the province and a kota are shown next to the sum of their
/// parts, with the difference, on the page and in the downloads; every indicator's latest value
/// is shown with its formula, and per-100 000 figures say why they are missing without a
/// population.
#[tokio::test]
async fn reconciliation_and_indicator_values_are_shown() {
    let t = setup().await;
    ingest(&t, &format!("region,date,confirmed\n31,{d},560\n31.71,{d},545\n", d = day(19)), "Total resmi provinsi dan kota").await;
    let mut c = t.client();
    let html = c.get("/krisis/covid19").await.text();
    let recon = section(&html, "id=\"rekonsiliasi\"", "</table>");
    assert!(recon.contains(">560<") && recon.contains(">543") && recon.contains(">+17<"), "{recon}");
    assert!(recon.contains("3 dari 267"), "the sum says it is partial: {recon}");
    let kota = c.get("/krisis/covid19/wilayah/31.71").await.text();
    assert!(section(&kota, "id=\"rekonsiliasi\"", "</table>").contains(">+2<"));
    let kec = c.get("/krisis/covid19/wilayah/31.71.01").await.text();
    assert!(!kec.contains("id=\"rekonsiliasi\""), "no direct report, no reconciliation");
    let csv = c.get("/krisis/covid19/rekonsiliasi.csv").await.text().trim_start_matches('\u{feff}').to_string();
    assert!(csv.starts_with("region,level,date,measure,reported,computed,difference,parts,expected"), "{csv}");
    assert!(csv.contains("31,province,2021-07-20,confirmed,560,543,17,3,267"), "{csv}");
    assert!(csv.contains("31.71,kota_kab,2021-07-20,confirmed,545,543,2,3,"), "{csv}");
    let json = c.get("/krisis/covid19/rekonsiliasi.json").await.json();
    assert_eq!(json["reconciliation"].as_array().unwrap().len(), 2);

    // Cideng on 20 July: 5 deaths of 260 confirmed (CFR 1.92 %), 6 new cases (260 − 254).
    let page = c.get("/krisis/covid19/wilayah/31.71.01.1002").await.text();
    let cfr = section(&page, "id=\"rumus-cfr\"", "</dt>");
    assert!(cfr.contains(">1,92<"), "{cfr}");
    let new = section(&page, "id=\"rumus-confirmed_new\"", "</dt>");
    assert!(new.contains(">6<"), "{new}");
    assert!(section(&page, "id=\"rumus-confirmed_per_100k\"", "</dt>").contains("belum dapat dihitung"));
    assert!(page.contains("Jumlah penduduk wilayah ini belum dimuat"));
    let en = c.get("/krisis/covid19/wilayah/31.71.01.1002?lang=en").await.text();
    assert!(section(&en, "id=\"rumus-cfr\"", "</dt>").contains(">1.92<"));

    // The comparison table as CSV and JSON: the kecamatan's kelurahan with their latest values.
    let csv = c.get("/krisis/covid19/wilayah/31.71.01/banding.csv").await.text();
    let head = csv.lines().next().unwrap().trim_start_matches('\u{feff}');
    assert!(head.starts_with("region,name,level,date,confirmed,"), "{csv}");
    let cideng = csv.lines().find(|l| l.starts_with("31.71.01.1002,")).unwrap_or_else(|| panic!("{csv}"));
    assert!(cideng.contains(",kelurahan,2021-07-20,260,"), "{cideng}");
    let json = c.get("/krisis/covid19/wilayah/31/banding.json").await.json();
    let regions = json["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 6 + 44, "the province compares every kota and kecamatan");
    let pusat = regions.iter().find(|r| r["code"] == "31.71").unwrap();
    assert_eq!(pusat["latest"]["confirmed"]["value"], 543.0);
    assert_eq!(c.get("/krisis/covid19/wilayah/31/banding.xml").await.status, StatusCode::NOT_FOUND);
}

/// With a population table, per-100 000 figures are computed and the page names the population
/// and its source; a region whose parts do not all have a population gets none (no partial sums).
#[tokio::test]
async fn per_100k_uses_the_population_table() {
    let t = setup().await;
    let csv = format!("region,population,year,source\n{K1},20000,2020,BPS uji\n{K2},26000,2020,BPS uji\n{K3},50000,2020,BPS uji\n");
    t.app.set_crisis_populations(None, "penduduk.csv", csv.as_bytes(), Utc::now()).await.unwrap();
    let mut c = t.client();
    // Cideng: 260 confirmed × 100 000 / 26 000 = 1 000.
    let page = c.get("/krisis/covid19/wilayah/31.71.01.1002").await.text();
    assert!(section(&page, "id=\"rumus-confirmed_per_100k\"", "</dt>").contains(">1.000<"), "{page}");
    assert!(page.contains("26.000 jiwa") && page.contains("BPS uji, 2020"), "population and source are named");
    // The province has 264 kelurahan without a population: no partial sum.
    let province = c.get("/krisis/covid19").await.text();
    assert!(province.contains("Jumlah penduduk wilayah ini belum dimuat"));
    let summary = c.get("/api/v1/crisis/covid19/summary").await.json();
    assert!(summary["regions"][0]["population"].is_null());
}
