use terbuka_search::{DocKind, SearchDoc, SearchIndex, SearchQuery};

fn doc(key: &str, kind: DocKind, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        key: key.to_string(),
        kind,
        title: title.to_string(),
        body: body.to_string(),
        attachments_text: String::new(),
        unit_code: "DISDIK".to_string(),
        category: "berkala".to_string(),
        year: 2025,
        format: "PDF".to_string(),
        url: format!("/x/{key}"),
        updated_unix: 1_700_000_000,
    }
}

fn keys(idx: &SearchIndex, q: &SearchQuery) -> Vec<String> {
    let mut k: Vec<String> = idx.search(q).expect("search").hits.into_iter().map(|h| h.key).collect();
    k.sort();
    k
}

fn text_keys(idx: &SearchIndex, text: &str) -> Vec<String> {
    keys(idx, &SearchQuery::text(text))
}

fn index_with(docs: Vec<SearchDoc>) -> SearchIndex {
    let idx = SearchIndex::in_memory().expect("index");
    idx.apply(docs, vec![], 1).expect("apply");
    idx
}

/// The stemmer is being replaced, so the expectation is derived from it at run time: two forms
/// with the same stem must find each other; forms with different stems must not.
#[test]
fn stemming_links_word_forms_exactly_when_the_stemmer_says_so() {
    let pairs = [
        ("penanganan", "tangani"),
        ("pengaduan", "diadukan"),
        ("kebijakan", "bijak"),
        ("pembangunan", "membangun"),
        ("permohonan", "memohon"),
        ("keuangan", "uang"),
        ("kasus-kasus", "kasus"),
        ("perencanaan", "rencana"),
    ];
    let docs: Vec<SearchDoc> =
        pairs.iter().enumerate().map(|(i, (_, indexed))| doc(&format!("info:{i}"), DocKind::Info, "Dokumen", &format!("isi tentang {indexed} saja"))).collect();
    let idx = index_with(docs);
    let mut linked = 0;
    for (i, (query, indexed)) in pairs.iter().enumerate() {
        let q: Vec<String> = terbuka_text::analyze(query).into_iter().map(|t| t.text).collect();
        let d: Vec<String> = terbuka_text::analyze(indexed).into_iter().map(|t| t.text).collect();
        let same_stem = !q.is_empty() && q.iter().all(|w| d.contains(w));
        let r = idx.search(&SearchQuery::text(*query)).unwrap();
        let found = r.hits.iter().any(|h| h.key == format!("info:{i}")) && !r.fuzzy;
        assert_eq!(found, same_stem, "query {query:?} vs indexed {indexed:?} (analyzed {q:?} / {d:?})");
        linked += usize::from(same_stem);
    }
    eprintln!("stemming: {linked}/{} pairs share a stem with the current stemmer", pairs.len());
}

#[test]
fn exact_word_ranks_above_other_forms_of_the_stem() {
    // two docs with the same stem; the one containing the typed form must rank first
    let w1 = "pembangunan";
    let w2 = "membangun";
    if terbuka_text::stem(w1) != terbuka_text::stem(w2) {
        eprintln!("stemmer does not link {w1}/{w2}; nothing to rank");
        return;
    }
    let idx = index_with(vec![
        doc("info:1", DocKind::Info, "Berita", &format!("kami {w2} jalan")),
        doc("info:2", DocKind::Info, "Berita", &format!("kami {w1} jalan")),
    ]);
    let r = idx.search(&SearchQuery::text(w1)).unwrap();
    assert_eq!(r.hits.len(), 2);
    assert_eq!(r.hits[0].key, "info:2");
}

#[test]
fn phrase_requires_adjacent_words_and_plain_words_do_not() {
    let idx = index_with(vec![
        doc("info:1", DocKind::Info, "Dokumen satu", "laporan keuangan daerah tahun ini"),
        doc("info:2", DocKind::Info, "Dokumen dua", "keuangan desa dibahas dalam laporan akhir"),
        doc("info:3", DocKind::Info, "Dokumen tiga", "hanya laporan kegiatan"),
    ]);
    assert_eq!(text_keys(&idx, "laporan keuangan"), vec!["info:1", "info:2"]);
    assert_eq!(text_keys(&idx, "\"laporan keuangan\""), vec!["info:1"]);
    assert_eq!(text_keys(&idx, "\u{201C}keuangan desa\u{201D}"), vec!["info:2"]);
    // phrase in the title
    assert_eq!(text_keys(&idx, "\"dokumen tiga\""), vec!["info:3"]);
}

#[test]
fn phrases_keep_stopword_gaps_and_long_phrases_are_checked_in_place() {
    let idx = index_with(vec![
        doc("info:1", DocKind::Info, "Satu", "dana untuk sekolah negeri dibagikan"),
        doc("info:2", DocKind::Info, "Dua", "dana bagi sekolah swasta"),
        doc("info:3", DocKind::Info, "Tiga", "dana beasiswa sekolah"),
        doc("info:4", DocKind::Info, "Empat", "dana sekolah"),
        // "sekolah negeri" and "negeri dibagikan" both occur, but not as one phrase
        doc("info:5", DocKind::Info, "Lima", "sekolah negeri ditutup. negeri dibagikan dua"),
    ]);
    // one stopword between: any stopword there matches, another word does not
    assert_eq!(text_keys(&idx, "\"dana untuk sekolah\""), vec!["info:1", "info:2"]);
    assert_eq!(text_keys(&idx, "\"dana sekolah\""), vec!["info:4"]);
    // three words: every consecutive pair, in one place
    assert_eq!(text_keys(&idx, "\"sekolah negeri dibagikan\""), vec!["info:1"]);
    assert_eq!(text_keys(&idx, "dana -\"sekolah negeri dibagikan\""), vec!["info:2", "info:3", "info:4"]);
    assert_eq!(text_keys(&idx, "negeri -\"sekolah negeri\""), Vec::<String>::new());
    // a two-word phrase is one pair term: its total is exact
    let r = idx.search(&SearchQuery::text("\"sekolah negeri\"")).unwrap();
    assert_eq!((r.total, r.total_is_lower_bound), (2, false));
}

#[test]
fn exclusion_removes_documents() {
    let idx = index_with(vec![
        doc("info:1", DocKind::Info, "Anggaran hibah", "anggaran untuk hibah sekolah"),
        doc("info:2", DocKind::Info, "Anggaran rutin", "anggaran belanja pegawai"),
    ]);
    assert_eq!(text_keys(&idx, "anggaran"), vec!["info:1", "info:2"]);
    assert_eq!(text_keys(&idx, "anggaran -hibah"), vec!["info:2"]);
    assert_eq!(text_keys(&idx, "anggaran -\"belanja pegawai\""), vec!["info:1"]);
    // only an exclusion: browse everything but the excluded
    assert_eq!(text_keys(&idx, "-hibah"), vec!["info:2"]);
}

fn facet_corpus() -> SearchIndex {
    let mut docs = Vec::new();
    let units = ["DISDIK", "DINKES", "BAPPEDA"];
    for i in 0..12 {
        let mut d = doc(&format!("info:{i}"), if i % 4 == 0 { DocKind::Request } else { DocKind::Info }, "Data sekolah", "data jumlah sekolah dan guru");
        d.unit_code = units[i % 3].to_string();
        d.year = 2022 + (i % 2) as i32;
        d.category = if i < 6 { "berkala".into() } else { "setiap_saat".into() };
        d.format = if i % 3 == 0 { String::new() } else { "XLSX".into() };
        d.updated_unix = 1_000 + i as i64;
        docs.push(d);
    }
    docs.push(doc("info:99", DocKind::Info, "Lain", "tidak relevan"));
    index_with(docs)
}

#[test]
fn filters_and_facet_counts() {
    let idx = facet_corpus();
    let r = idx.search(&SearchQuery::text("sekolah")).unwrap();
    assert_eq!(r.total, 12);
    assert_eq!(r.facets.kind, vec![("info".to_string(), 9), ("request".to_string(), 3)]);
    assert_eq!(r.facets.unit, vec![("BAPPEDA".to_string(), 4), ("DINKES".to_string(), 4), ("DISDIK".to_string(), 4)]);
    assert_eq!(r.facets.year, vec![("2023".to_string(), 6), ("2022".to_string(), 6)]);
    assert_eq!(r.facets.format, vec![("XLSX".to_string(), 8)]);
    assert_eq!(r.facets.category, vec![("berkala".to_string(), 6), ("setiap_saat".to_string(), 6)]);

    let q = SearchQuery { text: "sekolah".into(), unit: Some("DINKES".into()), year: Some(2023), ..SearchQuery::default() };
    let r = idx.search(&q).unwrap();
    // i % 3 == 1 and i odd: 1, 7
    assert_eq!(r.total, 2);
    let mut k: Vec<_> = r.hits.iter().map(|h| h.key.as_str()).collect();
    k.sort();
    assert_eq!(k, vec!["info:1", "info:7"]);
    assert!(r.hits.iter().all(|h| h.unit_code == "DINKES" && h.year == 2023 && h.format == "XLSX"));
    assert_eq!(r.facets.unit, vec![("DINKES".to_string(), 2)]);

    let q = SearchQuery { text: "sekolah".into(), kind: Some(DocKind::Request), category: Some("berkala".into()), ..SearchQuery::default() };
    assert_eq!(keys(&idx, &q), vec!["info:0", "info:4"]);
    let q = SearchQuery { text: "sekolah".into(), format: Some("PDF".into()), ..SearchQuery::default() };
    assert_eq!(idx.search(&q).unwrap().total, 0);
    // empty-string filter = no filter
    let q = SearchQuery { text: "sekolah".into(), format: Some(String::new()), ..SearchQuery::default() };
    assert_eq!(idx.search(&q).unwrap().total, 12);
}

#[test]
fn browse_mode_lists_newest_first_and_pagination_clamps() {
    let idx = facet_corpus();
    let q = SearchQuery { unit: Some("DISDIK".into()), ..SearchQuery::default() };
    let r = idx.search(&q).unwrap();
    assert_eq!(r.total, 5);
    let k: Vec<_> = r.hits.iter().map(|h| h.key.as_str()).collect();
    assert_eq!(k, vec!["info:99", "info:9", "info:6", "info:3", "info:0"]);

    let q = SearchQuery { text: "sekolah".into(), per_page: 5, page: 3, ..SearchQuery::default() };
    let r = idx.search(&q).unwrap();
    assert_eq!(r.total, 12);
    assert_eq!(r.hits.len(), 2);
    let q = SearchQuery { text: "sekolah".into(), per_page: 0, page: 0, ..SearchQuery::default() };
    assert_eq!(idx.search(&q).unwrap().hits.len(), 1);
    let q = SearchQuery { text: "sekolah".into(), per_page: 10_000, ..SearchQuery::default() };
    assert_eq!(idx.search(&q).unwrap().hits.len(), 12);
    let q = SearchQuery { text: "sekolah".into(), per_page: 100, page: u32::MAX, ..SearchQuery::default() };
    let r = idx.search(&q).unwrap();
    assert!(r.hits.is_empty());
    assert_eq!(r.total, 12);
    // pages of a ranked query do not overlap and cover everything
    let mut all = Vec::new();
    for page in 1..=3 {
        let q = SearchQuery { text: "sekolah".into(), per_page: 5, page, ..SearchQuery::default() };
        all.extend(idx.search(&q).unwrap().hits.into_iter().map(|h| h.key));
    }
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 12);
}

#[test]
fn typo_falls_back_to_fuzzy_and_suggests() {
    let idx = index_with(vec![
        doc("info:1", DocKind::Info, "Realisasi anggaran pendidikan", "realisasi anggaran pendidikan dasar"),
        doc("info:2", DocKind::Info, "Anggaran kesehatan", "anggaran kesehatan puskesmas"),
        doc("info:3", DocKind::Info, "Jadwal", "jadwal pelayanan kantor"),
    ]);
    let exact = idx.search(&SearchQuery::text("anggaran")).unwrap();
    assert!(!exact.fuzzy);
    assert_eq!(exact.total, 2);
    assert_eq!(exact.suggestion, None);

    let r = idx.search(&SearchQuery::text("angaran")).unwrap();
    assert!(r.fuzzy, "{r:?}");
    assert_eq!(r.total, 2);
    assert_eq!(r.suggestion.as_deref(), Some("anggaran"));

    // distance 2 for long words, transposition counts 1
    let r = idx.search(&SearchQuery::text("realisais angaran pendidkan")).unwrap();
    assert!(r.fuzzy);
    assert_eq!(r.hits.iter().map(|h| h.key.as_str()).collect::<Vec<_>>(), vec!["info:1"]);
    assert_eq!(r.suggestion.as_deref(), Some("realisasi anggaran pendidikan"));

    // short words get no typo budget
    let r = idx.search(&SearchQuery::text("jadwl")).unwrap();
    assert_eq!(r.total, 1);
    let r = idx.search(&SearchQuery::text("xyz")).unwrap();
    assert_eq!(r.total, 0);
    assert!(!r.fuzzy);
    assert_eq!(r.suggestion, None);

    // nothing close: no suggestion
    let r = idx.search(&SearchQuery::text("zzzzqqqq")).unwrap();
    assert_eq!(r.total, 0);
    assert_eq!(r.suggestion, None);
}

#[test]
fn relaxed_stage_when_not_all_words_match() {
    let idx = index_with(vec![
        doc("info:1", DocKind::Info, "Anggaran sekolah", "anggaran sekolah dasar"),
        doc("info:2", DocKind::Info, "Jalan rusak", "perbaikan jalan"),
    ]);
    let r = idx.search(&SearchQuery::text("anggaran sekolah helikopter")).unwrap();
    assert!(r.relaxed && r.fuzzy, "{r:?}");
    assert_eq!(r.hits.iter().map(|h| h.key.as_str()).collect::<Vec<_>>(), vec!["info:1"]);
    // one word of two: also relaxed (min 1 of 2)
    let r = idx.search(&SearchQuery::text("jalan helikopter")).unwrap();
    assert_eq!(r.hits.iter().map(|h| h.key.as_str()).collect::<Vec<_>>(), vec!["info:2"]);
    // a single unknown word: nothing
    assert_eq!(idx.search(&SearchQuery::text("helikopter")).unwrap().total, 0);
}

#[test]
fn snippets_mark_matches_and_escape_html() {
    let mut d = doc(
        "info:1",
        DocKind::Info,
        "Laporan <b>Keuangan</b> & Aset",
        "Awal teks. <script>alert('x')</script> Laporan keuangan daerah disusun setiap tahun oleh badan pengelola keuangan.",
    );
    d.attachments_text = "lampiran berisi neraca saldo <img src=x onerror=alert(1)>".into();
    let idx = index_with(vec![d, doc("info:2", DocKind::Info, "Lain", "teks lain")]);
    let r = idx.search(&SearchQuery::text("keuangan")).unwrap();
    let h = &r.hits[0];
    assert!(h.snippet_html.contains("<mark>"), "{}", h.snippet_html);
    assert!(!h.snippet_html.contains("<b>"));
    assert!(!h.snippet_html.contains("<script>"), "{}", h.snippet_html);
    assert!(h.title_html.contains("<mark>Keuangan</mark>"), "{}", h.title_html);
    assert!(h.title_html.starts_with("Laporan &lt;b&gt;"), "{}", h.title_html);
    assert!(h.title_html.ends_with("&amp; Aset"), "{}", h.title_html);
    assert!(h.snippet_html.chars().count() < 300);

    let r = idx.search(&SearchQuery::text("alert")).unwrap();
    let h = &r.hits[0];
    assert!(h.snippet_html.contains("&lt;script&gt;"), "{}", h.snippet_html);
    assert!(!h.snippet_html.contains("<script"), "{}", h.snippet_html);

    // only the attachment matches: snippet from the attachment, escaped
    let r = idx.search(&SearchQuery::text("neraca")).unwrap();
    let h = &r.hits[0];
    assert!(h.snippet_html.contains("<mark>neraca</mark>"), "{}", h.snippet_html);
    assert!(h.snippet_html.contains("&lt;img"), "{}", h.snippet_html);
    assert!(!h.snippet_html.contains("<img"), "{}", h.snippet_html);
    assert_eq!(h.title_html, "Laporan &lt;b&gt;Keuangan&lt;/b&gt; &amp; Aset");
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let idx = SearchIndex::in_memory().unwrap();
    assert_eq!(idx.cursor(), 0);
    idx.apply(vec![doc("info:1", DocKind::Info, "Alpha", "pertama")], vec![], 5).unwrap();
    assert_eq!(idx.cursor(), 5);
    idx.apply(vec![doc("info:1", DocKind::Info, "Beta", "kedua")], vec![], 6).unwrap();
    assert_eq!(idx.num_docs(), 1);
    assert!(text_keys(&idx, "alpha").is_empty());
    assert_eq!(text_keys(&idx, "beta"), vec!["info:1"]);
    // the same key twice in one batch: last wins
    idx.apply(vec![doc("info:2", DocKind::Info, "Gamma", "x"), doc("info:2", DocKind::Info, "Delta", "y")], vec![], 7).unwrap();
    assert_eq!(idx.num_docs(), 2);
    assert!(text_keys(&idx, "gamma").is_empty());
    assert_eq!(text_keys(&idx, "delta"), vec!["info:2"]);
    idx.apply(vec![], vec!["info:1".into(), "nonexistent".into()], 8).unwrap();
    assert_eq!(idx.num_docs(), 1);
    assert!(text_keys(&idx, "beta").is_empty());
    assert_eq!(idx.cursor(), 8);
    // a key never given is never found
    assert!(idx.search(&SearchQuery::default()).unwrap().hits.iter().all(|h| h.key == "info:2"));
}

#[test]
fn cursor_and_docs_persist_across_reopen_and_version_change_resets() {
    let dir = tempfile::tempdir().unwrap();
    {
        let idx = SearchIndex::open(dir.path()).unwrap();
        assert!(!idx.was_reset());
        assert_eq!(idx.cursor(), 0);
        idx.apply(vec![doc("info:1", DocKind::Info, "Anggaran", "anggaran daerah")], vec![], 42).unwrap();
    }
    {
        let idx = SearchIndex::open(dir.path()).unwrap();
        assert!(!idx.was_reset());
        assert_eq!(idx.cursor(), 42);
        assert_eq!(text_keys(&idx, "anggaran"), vec!["info:1"]);
    }
    std::fs::write(dir.path().join("terbuka-search.version"), "old version\n").unwrap();
    {
        let idx = SearchIndex::open(dir.path()).unwrap();
        assert!(idx.was_reset());
        assert_eq!(idx.num_docs(), 0);
        assert_eq!(idx.cursor(), 0);
        idx.apply(vec![doc("info:2", DocKind::Info, "Baru", "isi")], vec![], 3).unwrap();
    }
    let idx = SearchIndex::open(dir.path()).unwrap();
    assert!(!idx.was_reset());
    assert_eq!(idx.cursor(), 3);
    assert_eq!(idx.num_docs(), 1);
}

#[test]
fn refuses_to_wipe_a_foreign_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("important.txt"), "data").unwrap();
    assert!(SearchIndex::open(dir.path()).is_err());
    assert!(dir.path().join("important.txt").exists());
}

#[test]
fn rebuild_replaces_everything() {
    let idx = index_with(vec![doc("info:1", DocKind::Info, "Lama", "lama")]);
    let docs = (0..25_000).map(|i| doc(&format!("info:{i}"), DocKind::Info, "Baru", &format!("dokumen nomor{i}")));
    let mut calls = Vec::new();
    let n = idx.rebuild(docs, 77, &mut |k| calls.push(k)).unwrap();
    assert_eq!(n, 25_000);
    assert_eq!(calls, vec![10_000, 20_000, 25_000]);
    assert_eq!(idx.num_docs(), 25_000);
    assert_eq!(idx.cursor(), 77);
    assert!(text_keys(&idx, "lama").is_empty());
    assert_eq!(text_keys(&idx, "nomor1234"), vec!["info:1234"]);
    let lean = idx.search_lean(&SearchQuery::text("baru")).unwrap();
    assert_eq!(lean.total, 25_000);
    assert_eq!(lean.hits.len(), 10);
}

#[test]
fn lean_and_full_search_agree() {
    let idx = facet_corpus();
    for text in ["sekolah", "guru sekolah", "\"jumlah sekolah\"", "sekolh", "", "-guru"] {
        let q = SearchQuery { text: text.into(), per_page: 20, ..SearchQuery::default() };
        let full = idx.search(&q).unwrap();
        let lean = idx.search_lean(&q).unwrap();
        assert_eq!(full.total, lean.total, "{text:?}");
        assert_eq!(full.fuzzy, lean.fuzzy, "{text:?}");
        let a: Vec<_> = full.hits.iter().map(|h| h.key.clone()).collect();
        let b: Vec<_> = lean.hits.iter().map(|h| h.0.clone()).collect();
        assert_eq!(a, b, "{text:?}");
    }
}

#[test]
fn hostile_input_never_errors() {
    let idx = facet_corpus();
    let big: String = "anggaran ".repeat(1200);
    let mut inputs: Vec<String> = vec![
        "\"".into(),
        "\"\"".into(),
        "\"sekolah".into(),
        "sekolah\"".into(),
        "title:sekolah".into(),
        "sekol*".into(),
        "(sekolah OR guru) AND".into(),
        "-".into(),
        "--".into(),
        "- -".into(),
        "-\"".into(),
        "\"-\"".into(),
        "🙂🙂 sekolah 🙂".into(),
        "yang dan di ke dari".into(),
        "\u{0}\u{1}\u{7f}".into(),
        "a".repeat(70_000),
        "é".repeat(5000),
        big,
        "\u{201C}sekolah".into(),
        "sekolah~2 ^3 [a TO b] {x} /regex/ \\".into(),
        "日本語のテキスト".into(),
        "   ".into(),
    ];
    // pseudo-random junk
    let mut s: u64 = 0x1234_5678;
    for _ in 0..300 {
        let mut t = String::new();
        for _ in 0..(s % 40) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let c = match s % 12 {
                0 => '"',
                1 => '-',
                2 => ' ',
                3 => ':',
                4 => '*',
                5 => '(',
                6 => '🙂',
                7 => '\u{201D}',
                _ => char::from(b'a' + (s % 26) as u8),
            };
            t.push(c);
        }
        inputs.push(t);
    }
    for text in inputs {
        for page in [1, 2, 1000] {
            let q = SearchQuery { text: text.clone(), page, ..SearchQuery::default() };
            let r = idx.search(&q);
            assert!(r.is_ok(), "{:?}: {:?}", &text.chars().take(40).collect::<String>(), r.err());
            assert!(idx.search_lean(&q).is_ok());
        }
    }
    // stopwords only -> empty
    assert_eq!(idx.search(&SearchQuery::text("yang dan")).unwrap().total, 0);
}

#[test]
fn counts_are_bounded_for_conjunctions_and_exact_otherwise() {
    let n = terbuka_search::COUNT_CAP as usize + 50;
    let mut docs: Vec<SearchDoc> = (0..n).map(|i| doc(&format!("info:{i}"), DocKind::Info, "Laporan", &format!("anggaran sekolah nomor{i}"))).collect();
    // the one document with the word in its title must win the re-ranked WAND pass
    docs.push(doc("info:title", DocKind::Info, "Anggaran Sekolah", "anggaran sekolah"));
    let idx = index_with(docs);
    let cap = terbuka_search::COUNT_CAP;

    // single word: exact, from the document frequency
    let r = idx.search(&SearchQuery::text("anggaran")).unwrap();
    assert_eq!(r.total, n as u64 + 1);
    assert!(!r.total_is_lower_bound);
    assert!(r.facets_partial);
    assert_eq!(r.facets.kind, vec![("info".to_string(), cap)]);

    // conjunction: counted up to the cap
    let r = idx.search(&SearchQuery::text("anggaran sekolah")).unwrap();
    assert_eq!(r.total, cap);
    assert!(r.total_is_lower_bound);
    assert!(r.facets_partial);
    assert_eq!(r.hits[0].key, "info:title");
    let lean = idx.search_lean(&SearchQuery::text("anggaran sekolah")).unwrap();
    assert_eq!((lean.total, lean.total_is_lower_bound), (cap, true));
    assert_eq!(lean.hits[0].0, "info:title");

    // under the cap: exact, not flagged
    let r = idx.search(&SearchQuery::text("anggaran nomor123")).unwrap();
    assert_eq!((r.total, r.total_is_lower_bound, r.facets_partial), (1, false, false));

    // exclusions and filters: counted up to the cap as well
    let r = idx.search(&SearchQuery::text("anggaran -nomor7")).unwrap();
    assert_eq!((r.total, r.total_is_lower_bound), (cap, true));
    assert_eq!(r.hits[0].key, "info:title");
    let r = idx.search(&SearchQuery::text("anggaran -sekolah")).unwrap();
    assert_eq!((r.total, r.total_is_lower_bound, r.hits.len()), (0, false, 0));
    let r = idx.search(&SearchQuery { unit: Some("DISDIK".into()), ..SearchQuery::text("anggaran") }).unwrap();
    assert_eq!((r.total, r.total_is_lower_bound), (cap, true));
    // a two-word phrase is one pair term: exact total from its document frequency
    let r = idx.search(&SearchQuery::text("\"anggaran sekolah\"")).unwrap();
    assert_eq!((r.total, r.total_is_lower_bound), (n as u64 + 1, false));
    assert_eq!(r.hits[0].key, "info:title");
}
