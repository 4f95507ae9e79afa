use super::*;

fn texts(tokens: &[Token]) -> Vec<&str> {
    tokens.iter().map(|t| t.text.as_str()).collect()
}

/// Every token's span, lower-cased and with apostrophes removed, equals its text; positions
/// are 0, 1, 2, ...; spans are increasing and on char boundaries.
fn check_invariants(input: &str, tokens: &[Token]) {
    let mut last_end = 0;
    for (i, t) in tokens.iter().enumerate() {
        assert_eq!(t.position, i, "positions must count every token in {input:?}");
        assert!(t.from < t.to && t.to <= input.len(), "bad span {t:?} in {input:?}");
        assert!(t.from >= last_end, "overlapping spans in {input:?}: {tokens:?}");
        assert!(input.is_char_boundary(t.from) && input.is_char_boundary(t.to));
        let slice: String = input[t.from..t.to].chars().filter(|&c| !is_apostrophe(c)).map(|c| if is_hyphen(c) { '-' } else { c }).collect();
        assert_eq!(slice.to_lowercase(), t.text, "span text differs from token in {input:?}");
        last_end = t.to;
    }
}

#[test]
fn tokenizer_offsets_point_into_original() {
    let input = "Pemerintah Provinsi DKI Jakarta menerbitkan LAPORAN Keuangan 2024 (versi ke-2): «Ëxtra» café, naïve.";
    let tokens = tokenize(input);
    check_invariants(input, &tokens);
    assert_eq!(
        texts(&tokens),
        ["pemerintah", "provinsi", "dki", "jakarta", "menerbitkan", "laporan", "keuangan", "2024", "versi", "ke", "2", "ëxtra", "café", "naïve"]
    );
    let laporan = &tokens[5];
    assert_eq!(&input[laporan.from..laporan.to], "LAPORAN");
    assert_eq!(tokens[7].text, "2024");
}

#[test]
fn tokenizer_empty_and_separators_only() {
    assert!(tokenize("").is_empty());
    assert!(tokenize("  ... --- ''' ,;: \n\t").is_empty());
}

#[test]
fn reduplication_is_one_token() {
    for word in ["kasus-kasus", "sehari-hari", "sayur-mayur", "warna-warnanya", "berhari-hari", "tolong-menolong", "bolak-balik", "gotong-royong", "lauk-pauk"]
    {
        let input = format!("ada {word} lagi");
        let tokens = tokenize(&input);
        check_invariants(&input, &tokens);
        assert_eq!(texts(&tokens), ["ada", word, "lagi"], "{word} should stay one token");
        assert_eq!(tokens[2].position, 2);
    }
    // Capitalised and with a hyphenated clitic.
    let tokens = tokenize("Kasus-Kasus malaikat-malaikat-nya, nikmat-Ku");
    assert_eq!(texts(&tokens), ["kasus-kasus", "malaikat-malaikat-nya", "nikmat-ku"]);
}

#[test]
fn other_hyphen_compounds_are_split_at_consecutive_positions() {
    let input = "kasus Covid-19, e-mail, gerakan anti-korupsi dan pasca-banjir; Jawa-Bali";
    let tokens = tokenize(input);
    check_invariants(input, &tokens);
    assert_eq!(texts(&tokens), ["kasus", "covid", "19", "e", "mail", "gerakan", "anti", "korupsi", "dan", "pasca", "banjir", "jawa", "bali"]);
    assert_eq!(&input[tokens[1].from..tokens[1].to], "Covid");
    assert_eq!(&input[tokens[2].from..tokens[2].to], "19");
    // Dangling and doubled hyphens are separators.
    assert_eq!(texts(&tokenize("-awal akhir- a--b")), ["awal", "akhir", "a", "b"]);
}

#[test]
fn apostrophes_join_and_are_dropped() {
    let input = "Shalat Jum'at dan Qur’an, 'kutipan'";
    let tokens = tokenize(input);
    check_invariants(input, &tokens);
    assert_eq!(texts(&tokens), ["shalat", "jumat", "dan", "quran", "kutipan"]);
    assert_eq!(&input[tokens[1].from..tokens[1].to], "Jum'at");
}

#[test]
fn numbers_codes_and_abbreviations() {
    let input = "Kode 31.71.01, UU No. 14/2008 tentang KIP; Rp1.000.000";
    let tokens = tokenize(input);
    check_invariants(input, &tokens);
    assert_eq!(texts(&tokens), ["kode", "31", "71", "01", "uu", "no", "14", "2008", "tentang", "kip", "rp1", "000", "000"]);
}

#[test]
fn stopword_list() {
    for w in ["yang", "dan", "di", "ke", "dari", "untuk", "dengan", "ini", "itu", "tidak", "Yang", "DAN"] {
        assert!(is_stopword(w), "{w} should be a stopword");
    }
    for w in ["informasi", "data", "publik", "laporan", "anggaran", "pemerintah", "kasus", "hari", "jakarta", "2024", ""] {
        assert!(!is_stopword(w), "{w} must not be a stopword");
    }
    let n = stopwords().len();
    assert!((100..400).contains(&n), "stopword list should stay moderate, has {n}");
}

#[test]
fn stem_examples() {
    let cases = [
        ("membacakan", "baca"),
        ("pemerintahan", "perintah"),
        ("keuangan", "uang"),
        ("menerbitkan", "terbit"),
        ("kasus-kasus", "kasus"),
        ("sehari-hari", "hari"),
        ("warna-warnanya", "warna"),
        ("berhari-hari", "hari"),
        ("sayur-mayur", "sayur-mayur"),
        ("MEMBACA", "baca"),
        ("informasi", "informasi"),
        ("2024", "2024"),
        ("", ""),
        ("café", "café"),
        ("jum'at", "jum'at"),
    ];
    for (word, expected) in cases {
        assert_eq!(stem(word), expected, "stem({word:?})");
    }
}

#[test]
fn analyze_drops_stopwords_keeps_positions_and_offsets() {
    let input = "Laporan keuangan yang dipublikasikan oleh pemerintah dan kasus-kasus korupsi";
    let tokens = analyze(input);
    let got: Vec<(&str, usize)> = tokens.iter().map(|t| (t.text.as_str(), t.position)).collect();
    assert_eq!(got, [("lapor", 0), ("uang", 1), ("publikasi", 3), ("perintah", 5), ("kasus", 7), ("korupsi", 8)]);
    assert_eq!(&input[tokens[4].from..tokens[4].to], "kasus-kasus");
    assert_eq!(&input[tokens[0].from..tokens[0].to], "Laporan");
}

#[test]
fn stem_lines_maps_line_by_line() {
    let input = "membacakan\n\nKasus-Kasus\r\n  \npemerintahan";
    let mut out = Vec::new();
    stem_lines(input.as_bytes(), &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "baca\n\nkasus\n\nperintah\n");

    // Invalid UTF-8 does not abort the stream.
    let mut out = Vec::new();
    stem_lines(&b"\xff\xfe\nmembaca\n"[..], &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "\u{fffd}\u{fffd}\nbaca\n");
}

#[test]
fn no_panic_on_odd_inputs() {
    let long_word = "me".repeat(5_000) + &"kan".repeat(5_000);
    let long_hyphens = "ab-".repeat(3_000);
    let mut inputs: Vec<String> = [
        "",
        "-",
        "--",
        "---",
        "a-",
        "-a",
        "a--b",
        "ku",
        "kau",
        "-nya",
        "x-lah",
        "a-b-c",
        "12-12",
        "9",
        "me",
        "mem",
        "meng",
        "peng",
        "ber",
        "ter",
        "be",
        "di",
        "ke",
        "se",
        "kan",
        "i",
        "an",
        "lah",
        "nya",
        "pelajar",
        "belajar",
        "ß",
        "İstanbul",
        "ǅemal",
        "日本語",
        "😀-😀",
        "'",
        "’’",
        "a'",
        "'a",
        "a'-'b",
        "ab-'c",
        "\u{0}",
        "\u{301}é",
        "\u{feff}kata",
        "x\u{2010}x",
        "\u{2011}",
        "no.14/2008",
        "31.71.01",
        "1.000.000,50",
        "\r\n\r\n",
        "\t",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    inputs.push(long_word);
    inputs.push(long_hyphens);
    inputs.push("a".repeat(100_000));
    // Deterministic pseudo-random strings over a tricky alphabet.
    let alphabet: Vec<char> = "abdeikmnprstuy-'’. 0İß😀\u{301}".chars().collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..3_000 {
        let mut s = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 24) as usize;
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        inputs.push(s);
    }
    for input in &inputs {
        let tokens = tokenize(input);
        check_invariants(input, &tokens);
        let analyzed = analyze(input);
        assert!(analyzed.len() <= tokens.len());
        let _ = stem(input);
        let _ = is_stopword(input);
        for t in &tokens {
            let _ = stem(&t.text);
        }
    }
}
