//! The crisis console through HTTP (`/konsol/krisis`): who may use it (every role, anonymous),
//! uploads through the form (every problem listed by line and column, nothing saved; a good file
//! becomes a public release; an unchanged file is a message, not an error), the template CSV, new
//! datasets from a definition (every problem listed, nothing created; a good one is live at once),
//! CSRF, and hostile input that never gives a 5xx.

use super::util::*;
use axum::http::StatusCode;
use chrono::Utc;
use terbuka_domain::crisis::{Definition, COVID19_DEFINITION, FLOODS_DEFINITION};
use terbuka_domain::validate::RawOfficer;
use terbuka_domain::{Lang, Role};

/// Form fields as sent, and file parts (field, file name, bytes).
type Fields = Vec<(&'static str, String)>;
type FilePart<'a> = (&'a str, &'a str, &'a [u8]);

const INTERNAL: &str = "Terjadi kesalahan pada sistem kami";
const K1: &str = "31.71.01.1001"; // Gambir
const K2: &str = "31.71.01.1002"; // Cideng

/// What minijinja's HTML auto-escaping makes of a text.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#x27;").replace('/', "&#x2f;")
}

fn msg(lang: Lang, key: &str) -> String {
    esc(&terbuka_web::http::render::tr(lang, key))
}

/// A page with `status`, no template failure and no missing catalog key, showing every text.
#[track_caller]
fn page(r: &Resp, status: StatusCode, expect: &[String], what: &str) -> String {
    let body = r.text();
    assert_eq!(r.status, status, "{what}: {}", body.chars().take(3000).collect::<String>());
    assert!(!body.contains(INTERNAL), "{what}: internal error page");
    assert!(!body.contains("console_crisis."), "{what}: a catalog key is missing: {body}");
    for e in expect {
        assert!(body.contains(e.as_str()), "{what}: {e:?} not in page: {body}");
    }
    body
}

async fn setup() -> TestApp {
    prepare(TestApp::sqlite().await).await
}

/// The shipped datasets and a social-affairs officer (a role the test organisation lacks).
async fn prepare(t: TestApp) -> TestApp {
    t.app.ensure_crisis_datasets(Utc::now()).await.unwrap();
    let raw = RawOfficer {
        username: Some("sosial".into()),
        display_name: Some("Petugas Sosial".into()),
        email: Some("sosial@ppid.example.go.id".into()),
        role: Some(Role::PetugasSosial.as_str().into()),
        unit: None,
        password: Some(PASSWORD.into()),
    };
    t.app.add_officer(None, &raw, Utc::now()).await.unwrap();
    t
}

async fn releases(t: &TestApp, slug: &str) -> usize {
    t.app.crisis_releases(slug).await.unwrap().len()
}

async fn datasets(t: &TestApp) -> Vec<String> {
    t.app.crisis_datasets().await.unwrap().into_iter().map(|d| d.slug).collect()
}

fn good_csv(value: i64) -> String {
    format!("region,date,confirmed,deaths\n{K1},2021-07-01,{value},0\n{K2},2021-07-01,{},1\n", value + 5)
}

/// A small valid definition with its own id.
fn small_definition(id: &str) -> String {
    format!(
        r#"id = "{id}"
version = 1
level = "kelurahan"
grain = "day"
title = {{ id = "Pengungsi {id}", en = "Evacuees {id}" }}

[[measure]]
id = "evacuees"
kind = "count"
temporal = "snapshot"
aggregate = "sum"
unit = {{ id = "orang", en = "people" }}
label = {{ id = "Pengungsi", en = "Evacuees" }}
explain = {{ id = "Jumlah pengungsi di wilayah.", en = "People evacuated in the area." }}
"#
    )
}

// ------------------------------------------------------------------------------- authorization

#[tokio::test]
async fn console_crisis_role_matrix() {
    let t = setup().await;
    // (username, allowed)
    let who = [("admin", true), ("utama", true), ("dinkes", false), ("atasan", false), ("sosial", false)];
    let gets = [
        "/konsol/krisis",
        "/konsol/krisis/baru",
        "/konsol/krisis/covid19/unggah",
        "/konsol/krisis/covid19/templat.csv",
        "/konsol/krisis/contoh/contoh-covid19.toml",
    ];
    for (i, (user, allowed)) in who.iter().enumerate() {
        let mut c = t.officer_client(user).await;
        for path in gets {
            let r = c.get(path).await;
            let want = if *allowed { StatusCode::OK } else { StatusCode::FORBIDDEN };
            assert_eq!(r.status, want, "{user} GET {path}: {}", r.text().chars().take(500).collect::<String>());
            if !*allowed {
                assert!(r.text().contains(&msg(Lang::Id, "err.forbidden")), "{user} GET {path}: the 403 page");
            }
        }
        // The console menu links the crisis pages only for those who may use them.
        let inbox = c.get("/konsol/kalender").await;
        assert_eq!(inbox.text().contains(&format!("href=\"{}\"", esc("/konsol/krisis"))), *allowed, "{user}: menu link");

        let before = (releases(&t, "covid19").await, datasets(&t).await.len());
        let slug = format!("uji-{i}");
        let r = c.post_multipart("/konsol/krisis/baru", &[("slug", slug.clone()), ("definition", small_definition("uji"))], &[]).await;
        let r2 = c
            .post_multipart("/konsol/krisis/covid19/unggah", &[("note", format!("oleh {user}"))], &[("file", "data.csv", good_csv(10 + i as i64).as_bytes())])
            .await;
        let after = (releases(&t, "covid19").await, datasets(&t).await.len());
        if *allowed {
            assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/konsol/krisis?baru={slug}")), "{user} creates: {}", r.text());
            page(
                &r2,
                StatusCode::OK,
                &[msg(Lang::Id, "console_crisis.upload.correction_log").replace("{seq}", &after.0.to_string())],
                &format!("{user} uploads"),
            );
            assert_eq!(after, (before.0 + 1, before.1 + 1), "{user}: one release and one dataset more");
        } else {
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} creates");
            assert_eq!(r2.status, StatusCode::FORBIDDEN, "{user} uploads");
            assert_eq!(after, before, "{user}: nothing changed");
        }
    }

    // Anonymous: every page sends to the sign-in page, and posting changes nothing.
    let mut anon = t.client();
    let before = (releases(&t, "covid19").await, datasets(&t).await.len());
    for path in gets {
        let r = anon.get(path).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/masuk".to_string()), "anonymous GET {path}");
    }
    let r = anon.post_multipart("/konsol/krisis/baru", &[("slug", "anon".into()), ("definition", small_definition("anon"))], &[]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/masuk".to_string()));
    let r = anon.post_multipart("/konsol/krisis/covid19/unggah", &[], &[("file", "data.csv", good_csv(99).as_bytes())]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/masuk".to_string()));
    assert_eq!((releases(&t, "covid19").await, datasets(&t).await.len()), before);
}

#[tokio::test]
async fn console_crisis_forms_refuse_a_missing_csrf_token() {
    let t = setup().await;
    let mut c = t.officer_client("utama").await;
    let before = (releases(&t, "covid19").await, datasets(&t).await);
    // Multipart without the token (the helper adds it; these are built by hand).
    for (path, fields) in [
        ("/konsol/krisis/baru", vec![("slug", "tanpa-token".to_string()), ("definition", small_definition("x"))]),
        ("/konsol/krisis/covid19/unggah", vec![("note", "tanpa token".to_string())]),
    ] {
        let r = c.post_form_raw(path, &fields).await;
        page(&r, StatusCode::FORBIDDEN, &[msg(Lang::Id, "err.csrf")], path);
        let mut with_wrong = fields.clone();
        with_wrong.push(("csrf_token", "x".repeat(43)));
        let r = c.post_form_raw(path, &with_wrong).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} with a wrong token");
    }
    assert_eq!((releases(&t, "covid19").await, datasets(&t).await), before);
}

// ------------------------------------------------------------------------------------- uploads

#[tokio::test]
async fn console_crisis_malformed_csv_lists_every_problem_and_saves_nothing() {
    let t = setup().await;
    let mut c = t.officer_client("utama").await;
    let csv = format!("region,date,confirmed,bogus\n{K1},2021-07-01,abc,\n99.99,2021-07-02,5,\n{K1},2021-13-01,5,\n");
    let r = c.post_multipart("/konsol/krisis/covid19/unggah", &[("note", "Data rusak".into())], &[("file", "rusak.csv", csv.as_bytes())]).await;
    let body = page(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        &[
            msg(Lang::Id, "console_crisis.upload.problems_title").replace("{n}", "4"),
            msg(Lang::Id, "err.crisis_unknown_column"),
            msg(Lang::Id, "err.crisis_number"),
            msg(Lang::Id, "err.crisis_region_unknown"),
            msg(Lang::Id, "err.crisis_date"),
            "Data rusak".into(),
        ],
        "malformed csv",
    );
    assert!(body.contains("4 masalah; tidak ada data yang disimpan"), "{body}");
    // Each problem's line and column, top to bottom.
    let table = &body[body.find("id=\"upload-problems\"").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    let rows: Vec<(String, String)> = table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            let cells: Vec<&str> = row.split("<td").skip(1).collect();
            let text = |c: &str| c[c.find('>').unwrap() + 1..].split('<').next().unwrap().trim().to_string();
            let column = cells[1].split("<code>").nth(1).map(|x| x.split('<').next().unwrap().to_string()).unwrap_or_default();
            (text(cells[0]), column)
        })
        .collect();
    let want = [("1", "bogus"), ("2", "confirmed"), ("3", "region"), ("4", "date")];
    assert_eq!(rows, want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>());
    assert_eq!(releases(&t, "covid19").await, 0, "nothing saved");

    // In English.
    let r = c.post_multipart("/konsol/krisis/covid19/unggah?lang=en", &[], &[("file", "rusak.csv", csv.as_bytes())]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &["4 problem(s); nothing was saved".into(), msg(Lang::En, "err.crisis_number")], "english");

    // Many problems: the first 500 are listed, the rest counted.
    let mut many = String::from("region,date,confirmed\n");
    let start = chrono::NaiveDate::from_ymd_opt(2021, 7, 1).unwrap();
    for d in 0..600 {
        many.push_str(&format!("{K1},{},x{d}\n", start + chrono::Duration::days(d)));
    }
    let r = c.post_multipart("/konsol/krisis/covid19/unggah", &[], &[("file", "banyak.csv", many.as_bytes())]).await;
    let body = page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(Lang::Id, "console_crisis.upload.more_problems").replace("{n}", "100")], "many problems");
    assert!(body.contains("600 masalah; tidak ada data yang disimpan"));
    assert_eq!(body.matches(&msg(Lang::Id, "err.crisis_number")).count(), 500);
    assert_eq!(releases(&t, "covid19").await, 0);
}

#[tokio::test]
async fn console_crisis_good_csv_becomes_a_public_release() {
    let t = setup().await;
    let mut c = t.officer_client("admin").await;

    // The upload page explains the columns with their units, and offers the template.
    let r = c.get("/konsol/krisis/covid19/unggah").await;
    let def = Definition::parse(COVID19_DEFINITION).unwrap();
    let mut expect = vec!["/konsol/krisis/covid19/templat.csv".to_string()];
    for m in &def.measures {
        expect.push(format!("<code>{}</code>", m.id));
        expect.push(esc(&m.unit.id));
    }
    page(&r, StatusCode::OK, &expect, "upload page");
    let r = c.get("/konsol/krisis/covid19/templat.csv").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-disposition"].to_str().unwrap().contains("templat-covid19.csv"));
    let header = r.text().trim_start_matches('\u{feff}').lines().next().unwrap().to_string();
    let want: Vec<String> = ["region".to_string(), "date".to_string()].into_iter().chain(def.measures.iter().map(|m| m.id.clone())).collect();
    assert_eq!(header.split(',').map(str::to_string).collect::<Vec<_>>(), want);

    // A good upload: the confirmation, then the release is public.
    let r = c.post_multipart("/konsol/krisis/covid19/unggah", &[("note", "Data harian 1 Juli".into())], &[("file", "data.csv", good_csv(10).as_bytes())]).await;
    let counts = msg(Lang::Id, "console_crisis.upload.done_counts")
        .replace("{uploaded}", "4")
        .replace("{added}", "4")
        .replace("{changed}", "0")
        .replace("{removed}", "0");
    page(
        &r,
        StatusCode::OK,
        &[msg(Lang::Id, "console_crisis.upload.done_title").replace("{seq}", "1"), counts, "href=\"/krisis/covid19/rilis/1\"".into()],
        "good upload",
    );
    assert_eq!(releases(&t, "covid19").await, 1);
    let public = t.client().get("/krisis/covid19/rilis").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.text().contains("Data harian 1 Juli") && public.text().contains("/krisis/covid19/rilis/1"), "{}", public.text());
    assert_eq!(t.client().get("/krisis/covid19/rilis/1").await.status, StatusCode::OK);

    // The list shows the latest release.
    let r = c.get("/konsol/krisis").await;
    page(
        &r,
        StatusCode::OK,
        &[msg(Lang::Id, "console_crisis.latest").replace("{seq}", "1"), "Data harian 1 Juli".into(), "action=\"/konsol/krisis/covid19/unggah\"".into()],
        "list",
    );

    // The same file again changes nothing: a clear message, no new release.
    let r = c.post_multipart("/konsol/krisis/covid19/unggah", &[], &[("file", "data.csv", good_csv(10).as_bytes())]).await;
    page(&r, StatusCode::OK, &[msg(Lang::Id, "err.crisis_unchanged"), msg(Lang::Id, "console_crisis.upload.unchanged_title")], "unchanged");
    assert_eq!(releases(&t, "covid19").await, 1);

    // A correction as JSON: one value changed.
    let json = format!(r#"[{{"region":"{K1}","date":"2021-07-01","confirmed":12}}]"#);
    let r = c.post_multipart("/konsol/krisis/covid19/unggah", &[("note", "Koreksi Gambir".into())], &[("file", "koreksi.json", json.as_bytes())]).await;
    let counts = msg(Lang::Id, "console_crisis.upload.done_counts")
        .replace("{uploaded}", "1")
        .replace("{added}", "0")
        .replace("{changed}", "1")
        .replace("{removed}", "0");
    page(&r, StatusCode::OK, &[counts, "href=\"/krisis/covid19/rilis/2\"".into()], "json correction");
    assert_eq!(releases(&t, "covid19").await, 2);

    // A spreadsheet: the next day for both kelurahan.
    let rows = vec![vec![K1.to_string(), "2021-07-02".into(), "14".into()], vec![K2.to_string(), "2021-07-02".into(), "20".into()]];
    let xlsx = terbuka_files::table::write_xlsx("data", &["region", "date", "confirmed"], &rows);
    let r = c.post_multipart("/konsol/krisis/covid19/unggah", &[], &[("file", "data.xlsx", &xlsx)]).await;
    let counts = msg(Lang::Id, "console_crisis.upload.done_counts")
        .replace("{uploaded}", "2")
        .replace("{added}", "2")
        .replace("{changed}", "0")
        .replace("{removed}", "0");
    page(&r, StatusCode::OK, &[counts, "href=\"/krisis/covid19/rilis/3\"".into()], "xlsx upload");
    assert_eq!(releases(&t, "covid19").await, 3);
}

// -------------------------------------------------------------------------------- new datasets

#[tokio::test]
async fn console_crisis_bad_definition_shows_every_problem_and_creates_nothing() {
    let t = setup().await;
    let mut c = t.officer_client("utama").await;
    let before = datasets(&t).await;
    let bad = "id = \"Banjir Besar\"\nlevel = \"desa\"\ngrain = \"day\"\ntitle = { en = \"Floods\" }\n";
    let r = c.post_multipart("/konsol/krisis/baru", &[("slug", "banjir-besar".into()), ("definition", bad.into())], &[]).await;
    let body =
        page(&r, StatusCode::UNPROCESSABLE_ENTITY, &["value=\"banjir-besar\"".into(), esc(bad), "`Banjir Besar`".into(), "`desa`".into()], "bad definition");
    let problems = Definition::parse(bad).unwrap_err().0.len();
    assert!(problems >= 4, "the domain finds {problems}");
    assert!(body.contains(&format!("Definisi memiliki {problems} masalah")), "{body}");
    let listed = &body[body.find("id=\"definition-problems\"").unwrap()..];
    let listed = &listed[..listed.find("</ol>").unwrap()];
    assert_eq!(listed.matches("<li>").count(), problems, "every problem listed: {listed}");
    assert_eq!(datasets(&t).await, before);

    // A TOML syntax error names its line.
    let r = c.post_multipart("/konsol/krisis/baru", &[("slug", "rusak".into()), ("definition", "id = \"rusak\"\n\nversion = = 1\n".into())], &[]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &["Baris 3:".into()], "toml syntax");

    // A taken slug is a field error, the definition is kept.
    let r = c.post_multipart("/konsol/krisis/baru", &[("slug", "covid19".into()), ("definition", COVID19_DEFINITION.into())], &[]).await;
    let body = page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(Lang::Id, "err.crisis_slug_taken"), "id=\"e-new-slug\"".into()], "taken slug");
    assert!(body.contains(&esc(COVID19_DEFINITION)), "the definition is kept");
    // Malformed and reserved slugs, an empty definition.
    for (slug, def, code) in [
        ("Banjir 2027", FLOODS_DEFINITION, "err.crisis_slug"),
        ("baru", FLOODS_DEFINITION, "console_crisis.slug_reserved"),
        ("", FLOODS_DEFINITION, "err.required"),
        ("kosong", "  \n", "err.required"),
    ] {
        let r = c.post_multipart("/konsol/krisis/baru", &[("slug", slug.into()), ("definition", def.into())], &[]).await;
        page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(Lang::Id, code)], slug);
    }
    assert_eq!(datasets(&t).await, before);
}

#[tokio::test]
async fn console_crisis_new_dataset_is_live_at_once() {
    new_dataset_is_live_at_once(setup().await).await;
}

#[tokio::test]
async fn console_crisis_new_dataset_is_live_at_once_on_postgres() {
    new_dataset_is_live_at_once(prepare(TestApp::postgres().await).await).await;
}

async fn new_dataset_is_live_at_once(t: TestApp) {
    let mut c = t.officer_client("admin").await;
    // The examples download.
    let r = c.get("/konsol/krisis/contoh/contoh-banjir.toml").await;
    assert_eq!((r.status, r.text()), (StatusCode::OK, FLOODS_DEFINITION.to_string()));
    assert_eq!(c.get("/konsol/krisis/contoh/rahasia.toml").await.status, StatusCode::NOT_FOUND);
    let r = c.get("/konsol/krisis/baru").await;
    page(&r, StatusCode::OK, &["/konsol/krisis/contoh/contoh-covid19.toml".into(), "/konsol/krisis/contoh/contoh-banjir.toml".into()], "new form");

    // From the text box.
    let r = c.post_multipart("/konsol/krisis/baru", &[("slug", "banjir-2027".into()), ("definition", FLOODS_DEFINITION.into())], &[]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/konsol/krisis?baru=banjir-2027".to_string()), "{}", r.text());
    let r = c.get("/konsol/krisis?baru=banjir-2027").await;
    page(&r, StatusCode::OK, &[msg(Lang::Id, "console_crisis.created").replace("{slug}", "banjir-2027"), "href=\"/krisis/banjir-2027\"".into()], "created");
    let title = Definition::parse(FLOODS_DEFINITION).unwrap().title.id;
    let public = t.client().get("/krisis/banjir-2027").await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.text());
    assert!(public.text().contains(&esc(&title)));

    // From a .toml file (the text box empty), then data goes in through the form.
    let def = small_definition("pengungsi");
    let r = c
        .post_multipart(
            "/konsol/krisis/baru",
            &[("slug", "pengungsi".into()), ("definition", String::new())],
            &[("definition_file", "pengungsi.toml", def.as_bytes())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let public = t.client().get("/krisis/pengungsi").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.text().contains("Pengungsi pengungsi"));
    let csv = format!("region,date,evacuees\n{K1},2027-01-05,120\n");
    let r = c.post_multipart("/konsol/krisis/pengungsi/unggah", &[], &[("file", "pengungsi.csv", csv.as_bytes())]).await;
    page(&r, StatusCode::OK, &["href=\"/krisis/pengungsi/rilis/1\"".into()], "upload to the new dataset");
    assert_eq!(t.client().get("/krisis/pengungsi/rilis/1").await.status, StatusCode::OK);
    let r = c.get("/konsol/krisis/pengungsi/templat.csv").await;
    assert_eq!(r.text().trim_start_matches('\u{feff}').lines().next(), Some("region,date,evacuees"));
}

// ---------------------------------------------------------------------------------- bad input

#[tokio::test]
async fn console_crisis_bad_input_never_gives_a_5xx() {
    bad_input_never_gives_a_5xx(setup().await).await;
}

#[tokio::test]
async fn console_crisis_bad_input_never_gives_a_5xx_on_postgres() {
    bad_input_never_gives_a_5xx(prepare(TestApp::postgres().await).await).await;
}

async fn bad_input_never_gives_a_5xx(t: TestApp) {
    let mut c = t.officer_client("utama").await;
    let garbage: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let uploads: Vec<(&str, Vec<u8>, Fields)> = vec![
        ("garbage.csv", garbage.clone(), vec![]),
        ("garbage.xlsx", garbage.clone(), vec![]),
        ("garbage.json", garbage.clone(), vec![]),
        ("broken.json", b"[{\"region\":".to_vec(), vec![]),
        ("object.json", b"{\"region\":1}".to_vec(), vec![]),
        ("empty.json", b"[]".to_vec(), vec![]),
        ("header-only.csv", b"region,date,confirmed\n".to_vec(), vec![]),
        ("nul.csv", format!("region,date,confirmed\n{K1}\0,2021-07-01,1\n").into_bytes(), vec![]),
        ("latin1.csv", b"region,date,confirmed\n31.71.01.1001,2021-07-01,\xff\n".to_vec(), vec![]),
        ("data.csv", good_csv(1).into_bytes(), vec![("note", "x".repeat(600))]),
        ("data.csv", good_csv(1).into_bytes(), vec![("note", "catatan\0nul".into())]),
        ("data.exe", b"MZ\x90\x00".to_vec(), vec![]),
    ];
    for (name, data, fields) in &uploads {
        let r = c.post_multipart("/konsol/krisis/covid19/unggah", fields, &[("file", name, data)]).await;
        assert!(r.status.is_client_error(), "{name}: {} {}", r.status, r.text().chars().take(800).collect::<String>());
        page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[], name);
    }
    // No file at all.
    let r = c.post_multipart("/konsol/krisis/covid19/unggah", &[("note", "tanpa berkas".into())], &[]).await;
    page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[msg(Lang::Id, "err.required"), "tanpa berkas".into()], "no file");
    assert_eq!(releases(&t, "covid19").await, 0);

    // Definitions: a NUL, a binary file, a huge paste, a TOML that is not a definition.
    let huge = format!("# {}\n{}", "x".repeat(300 * 1024), FLOODS_DEFINITION);
    let defs: Vec<(Fields, Vec<FilePart>)> = vec![
        (vec![("slug", "nul".into()), ("definition", format!("{FLOODS_DEFINITION}\0"))], vec![]),
        (vec![("slug", "biner".into()), ("definition", String::new())], vec![("definition_file", "biner.toml", &garbage)]),
        (vec![("slug", "besar".into()), ("definition", huge.clone())], vec![]),
        (vec![("slug", "besar2".into())], vec![("definition_file", "besar.toml", huge.as_bytes())]),
        (vec![("slug", "lain".into()), ("definition", "[server]\nport = 1\n".into())], vec![]),
        (vec![("slug", "a\0b".into()), ("definition", FLOODS_DEFINITION.into())], vec![]),
        (vec![("slug", "x".repeat(10_000)), ("definition", FLOODS_DEFINITION.into())], vec![]),
    ];
    for (fields, files) in &defs {
        let r = c.post_multipart("/konsol/krisis/baru", fields, files).await;
        page(&r, StatusCode::UNPROCESSABLE_ENTITY, &[], &format!("definition {:?}", fields[0]));
    }
    assert_eq!(datasets(&t).await.len(), 2, "nothing created");

    // Paths: unknown or malformed datasets are "not found".
    for path in [
        "/konsol/krisis/tidak-ada/unggah",
        "/konsol/krisis/%00/unggah",
        "/konsol/krisis/%E2%80%AE/templat.csv",
        "/konsol/krisis/COVID19/unggah",
        "/konsol/krisis/contoh/..%2f..%2fetc",
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let r = c.post_multipart("/konsol/krisis/tidak-ada/unggah", &[], &[("file", "data.csv", good_csv(1).as_bytes())]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A form action called with GET, a GET page called with POST.
    let r = c.post_form("/konsol/krisis/covid19/templat.csv", &[]).await;
    assert!(r.status.is_client_error(), "{}", r.status);
}

#[tokio::test]
async fn console_crisis_oversized_upload_is_refused_cleanly() {
    let mut config = test_config();
    config.uploads.max_document_bytes = 100_000; // body limit: 5 × this + 1 MiB
    let t = TestApp::on(terbuka_store::testing::sqlite().await, config).await;
    t.app.ensure_crisis_datasets(Utc::now()).await.unwrap();
    let mut c = t.officer_client("utama").await;
    let mut big = String::from("region,date,confirmed\n");
    while big.len() < 2_000_000 {
        big.push_str(&format!("{K1},2021-07-01,1\n"));
    }
    let r = c.post_multipart("/konsol/krisis/covid19/unggah", &[], &[("file", "besar.csv", big.as_bytes())]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text().chars().take(500).collect::<String>());
    assert!(r.text().contains(&msg(Lang::Id, "err.payload_too_large")));
    assert_eq!(releases(&t, "covid19").await, 0);
}
