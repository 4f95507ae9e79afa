//! Benchmark: Terbuka search (tantivy) vs SQLite FTS5 on a synthetic Indonesian corpus.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-search cargo bench -p terbuka-search --bench search -- --docs 1000000 [--seed 42] [--queries 1000] [--no-merge] [--keep DIR] [--slowest N]
//! ```
//!
//! `--keep DIR` builds both indexes in DIR and, on the next run with the same `--docs`, `--seed`,
//! merge choice and index schema, reuses them (the indexing figures then come from the run that
//! built them, read back from DIR). `--slowest N` prints the N slowest queries of `search`;
//! `--query TEXT` only times that one query (20 runs of each path).
//!
//! The corpus is reproducible from the seed (splitmix64, no `rand`): vocabulary = real
//! Indonesian words (the Sastrawi root dictionary of terbuka-text plus the affixed forms and
//! stems of `shared/data/stem-pairs-dev.tsv`), Zipf-distributed (s = 1), public-sector title
//! templates, bodies of 50–300 words, 10 % of the documents with 100–400 words of attachment
//! text, random unit / category / year / format facets. Documents are generated on the fly
//! (doc `i` depends only on seed and `i`), never held in memory.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use terbuka_search::{DocKind, IndexOptions, SearchDoc, SearchIndex, SearchQuery};

// ------------------------------------------------------------------ PRNG

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize % n.max(1)
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

// ------------------------------------------------------------------ corpus

const UNITS: &[(&str, &str)] = &[
    ("DISDIK", "Dinas Pendidikan"),
    ("DINKES", "Dinas Kesehatan"),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah"),
    ("BPKD", "Badan Pengelola Keuangan Daerah"),
    ("DISHUB", "Dinas Perhubungan"),
    ("DPRKP", "Dinas Perumahan Rakyat dan Kawasan Permukiman"),
    ("DSDA", "Dinas Sumber Daya Air"),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DINSOS", "Dinas Sosial"),
    ("DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
    ("BKD", "Badan Kepegawaian Daerah"),
    ("SATPOLPP", "Satuan Polisi Pamong Praja"),
    ("DISPARBUD", "Dinas Pariwisata dan Ekonomi Kreatif"),
    ("DKPKP", "Dinas Ketahanan Pangan Kelautan dan Pertanian"),
    ("DISNAKER", "Dinas Tenaga Kerja Transmigrasi dan Energi"),
    ("BPBD", "Badan Penanggulangan Bencana Daerah"),
    ("INSPEKTORAT", "Inspektorat Provinsi"),
    ("DISKOMINFO", "Dinas Komunikasi Informatika dan Statistik"),
    ("BIROHUKUM", "Biro Hukum Sekretariat Daerah"),
    ("DPPAPP", "Dinas Pemberdayaan Perlindungan Anak dan Pengendalian Penduduk"),
    ("DISPORA", "Dinas Pemuda dan Olahraga"),
    ("DCKTRP", "Dinas Cipta Karya Tata Ruang dan Pertanahan"),
    ("DBM", "Dinas Bina Marga"),
    ("PERPUSDA", "Dinas Perpustakaan dan Kearsipan"),
    ("WALKOTPUS", "Kota Administrasi Jakarta Pusat"),
    ("WALKOTUT", "Kota Administrasi Jakarta Utara"),
    ("WALKOTBAR", "Kota Administrasi Jakarta Barat"),
    ("WALKOTSEL", "Kota Administrasi Jakarta Selatan"),
    ("WALKOTTIM", "Kota Administrasi Jakarta Timur"),
];

const TOPICS: &[&str] = &[
    "penetapan lokasi pembangunan",
    "tarif retribusi daerah",
    "bantuan sosial tunai",
    "pengelolaan sampah rumah tangga",
    "penanganan banjir dan genangan",
    "izin mendirikan bangunan",
    "penerimaan peserta didik baru",
    "jaminan kesehatan daerah",
    "pengadaan barang dan jasa",
    "penataan pedagang kaki lima",
    "pengendalian pencemaran udara",
    "pembinaan usaha mikro kecil dan menengah",
    "pelayanan administrasi kependudukan",
    "pemeliharaan jalan dan jembatan",
    "penyediaan air bersih",
    "rehabilitasi gedung sekolah",
    "tunjangan kinerja pegawai",
    "hibah kepada organisasi kemasyarakatan",
    "penanggulangan kemiskinan",
    "perlindungan anak dan perempuan",
    "transportasi umum massal",
    "ruang terbuka hijau",
    "ketahanan pangan",
    "pencegahan stunting",
    "pengawasan bangunan gedung",
];

const KOTA: &[&str] = &["Jakarta Pusat", "Jakarta Utara", "Jakarta Barat", "Jakarta Selatan", "Jakarta Timur", "Kepulauan Seribu"];
const FILLERS: &[&str] = &["dan", "yang", "di", "dari", "untuk", "dengan", "pada", "dalam", "oleh", "ke", "tahun", "sebagai", "atas", "kepada"];
const INFO_CATS: &[&str] = &["berkala", "serta_merta", "setiap_saat"];
const REQ_STATES: &[&str] = &["diajukan", "diproses", "diperpanjang", "selesai", "ditolak", "keberatan"];
const FORMATS: &[&str] = &["PDF", "PDF", "PDF", "XLSX", "XLSX", "DOCX", "CSV", ""];

struct Vocab {
    words: Vec<String>,
    cdf: Vec<f64>,
}

impl Vocab {
    fn load(seed: u64) -> Vocab {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let roots_path = manifest.join("../terbuka-text/data/kata-dasar.txt");
        let pairs_path =
            [manifest.join("../../../shared/data/stem-pairs-dev.tsv"), PathBuf::from("/work/shared/data/stem-pairs-dev.tsv")].into_iter().find(|p| p.exists());
        let clean = |w: &str| -> Option<String> {
            let w = w.trim().to_lowercase();
            (w.len() >= 2 && !w.starts_with('#') && w.chars().all(|c| c.is_alphabetic() || c == '-')).then_some(w)
        };
        let mut seen = HashSet::new();
        let mut common = Vec::new();
        if let Some(p) = &pairs_path {
            for line in std::fs::read_to_string(p).unwrap_or_default().lines() {
                for w in line.split('\t').filter_map(clean) {
                    if seen.insert(w.clone()) {
                        common.push(w);
                    }
                }
            }
        }
        let mut roots = Vec::new();
        for w in std::fs::read_to_string(&roots_path).unwrap_or_default().lines().filter_map(clean) {
            if seen.insert(w.clone()) {
                roots.push(w);
            }
        }
        if common.is_empty() && roots.is_empty() {
            common = "anggaran laporan keuangan daerah pembangunan jalan sekolah kesehatan pelayanan masyarakat informasi publik data kegiatan program"
                .split(' ')
                .map(String::from)
                .collect();
        }
        let mut rng = Rng::new(seed ^ 0x5eed);
        shuffle(&mut common, &mut rng);
        shuffle(&mut roots, &mut rng);
        eprintln!(
            "vocabulary: {} affixed/common words ({}) + {} roots ({})",
            common.len(),
            pairs_path.map(|p| p.display().to_string()).unwrap_or_else(|| "missing".into()),
            roots.len(),
            roots_path.display()
        );
        let words: Vec<String> = common.into_iter().chain(roots).collect();
        let mut cdf = Vec::with_capacity(words.len());
        let mut acc = 0.0;
        for r in 0..words.len() {
            acc += 1.0 / (r as f64 + 2.7);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Vocab { words, cdf }
    }

    fn rank(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u).min(self.words.len() - 1)
    }
    fn word(&self, rng: &mut Rng) -> &str {
        &self.words[self.rank(rng)]
    }
}

fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i + 1);
        v.swap(i, j);
    }
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

struct Corpus {
    vocab: Vocab,
    seed: u64,
}

impl Corpus {
    fn doc_rng(&self, i: u64) -> Rng {
        let mut r = Rng::new(self.seed ^ i.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        r.next();
        r
    }

    fn text(&self, rng: &mut Rng, words: usize, out: &mut String) {
        let mut in_sentence = 0;
        for _ in 0..words {
            if !out.is_empty() {
                out.push(' ');
            }
            let w: &str = if rng.chance(0.18) {
                FILLERS[rng.below(FILLERS.len())]
            } else if rng.chance(0.02) {
                TOPICS[rng.below(TOPICS.len())]
            } else {
                self.vocab.word(rng)
            };
            if in_sentence == 0 {
                out.push_str(&cap(w));
            } else {
                out.push_str(w);
            }
            in_sentence += 1;
            if in_sentence >= 8 && rng.chance(0.15) {
                out.push('.');
                in_sentence = 0;
            }
        }
        out.push('.');
    }

    fn doc(&self, i: u64) -> SearchDoc {
        let mut rng = self.doc_rng(i);
        let kind = if rng.chance(0.8) { DocKind::Info } else { DocKind::Request };
        let (unit_code, unit_name) = *rng.pick(UNITS);
        let year = rng.range(2015, 2026) as i32;
        let topic = *rng.pick(TOPICS);
        let n = rng.range(1, 999);
        let kota = *rng.pick(KOTA);
        let w1 = cap(self.vocab.word(&mut rng));
        let title = match (kind, rng.below(8)) {
            (DocKind::Request, _) => format!("Permohonan informasi {topic} {}", self.vocab.word(&mut rng)),
            (_, 0) => format!("Laporan Realisasi Anggaran {unit_name} Tahun {year}"),
            (_, 1) => format!("Keputusan Gubernur Nomor {n} Tahun {year} tentang {}", cap(topic)),
            (_, 2) => format!("Peraturan Daerah Nomor {n} Tahun {year} tentang {}", cap(topic)),
            (_, 3) => format!("Data {} di {kota} Tahun {year}", cap(topic)),
            (_, 4) => format!("Rencana Strategis {unit_name} {year}-{}", year + 4),
            (_, 5) => format!("Laporan Kinerja Instansi Pemerintah {unit_name} Tahun {year}"),
            (_, 6) => format!("Daftar {w1} {} {kota}", self.vocab.word(&mut rng)),
            _ => format!("{w1} {} {} {}", self.vocab.word(&mut rng), self.vocab.word(&mut rng), topic),
        };
        let mut body = String::with_capacity(2048);
        let len = rng.range(50, 300);
        self.text(&mut rng, len, &mut body);
        let mut attachments_text = String::new();
        if rng.chance(0.1) {
            let len = rng.range(100, 400);
            self.text(&mut rng, len, &mut attachments_text);
        }
        let category = match kind {
            DocKind::Info => rng.pick(INFO_CATS).to_string(),
            DocKind::Request => rng.pick(REQ_STATES).to_string(),
        };
        let format = if kind == DocKind::Request { String::new() } else { rng.pick(FORMATS).to_string() };
        let key = match kind {
            DocKind::Info => format!("info:{i}"),
            DocKind::Request => format!("request:PMH-{year}-{i:07}"),
        };
        SearchDoc {
            url: format!("/dip/{i}"),
            key,
            kind,
            title,
            body,
            attachments_text,
            unit_code: unit_code.to_string(),
            category,
            year,
            format,
            updated_unix: 1_420_070_400 + (year as i64 - 2015) * 31_536_000 + rng.below(31_536_000) as i64,
        }
    }
}

// ------------------------------------------------------------------ queries

#[derive(Clone, Debug)]
enum Part {
    Word(String),
    Phrase(Vec<String>),
    Not(String),
}

#[derive(Clone, Debug)]
struct BenchQuery {
    class: &'static str,
    parts: Vec<Part>,
    unit: Option<String>,
    year: Option<i32>,
}

impl BenchQuery {
    fn terbuka_text(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Word(w) => w.clone(),
                Part::Phrase(ws) => format!("\"{}\"", ws.join(" ")),
                Part::Not(w) => format!("-{w}"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
    /// The same query in FTS5 syntax, every term quoted (no FTS5 syntax errors possible).
    fn fts5_text(&self) -> String {
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let mut pos = Vec::new();
        let mut neg = Vec::new();
        for p in &self.parts {
            match p {
                Part::Word(w) => pos.push(q(w)),
                Part::Phrase(ws) => pos.push(q(&ws.join(" "))),
                Part::Not(w) => neg.push(q(w)),
            }
        }
        let mut s = pos.join(" ");
        for n in neg {
            s.push_str(" NOT ");
            s.push_str(&n);
        }
        s
    }
    fn search_query(&self) -> SearchQuery {
        SearchQuery { text: self.terbuka_text(), unit: self.unit.clone(), year: self.year, per_page: 10, page: 1, ..SearchQuery::default() }
    }
}

fn doc_words(d: &SearchDoc) -> Vec<String> {
    terbuka_text::tokenize(&format!("{} {}", d.title, d.body))
        .into_iter()
        .map(|t| t.text)
        .filter(|w| w.chars().all(char::is_alphabetic) && w.len() >= 3)
        .collect()
}

fn typo(w: &str, rng: &mut Rng) -> String {
    let mut c: Vec<char> = w.chars().collect();
    let i = rng.range(1, c.len() - 2);
    match rng.below(3) {
        0 => {
            c.remove(i);
        }
        1 => c.swap(i, i + 1),
        _ => c[i] = (b'a' + rng.below(26) as u8) as char,
    }
    c.into_iter().collect()
}

fn make_queries(corpus: &Corpus, n_docs: u64, n: usize, seed: u64) -> Vec<BenchQuery> {
    let mut rng = Rng::new(seed ^ 0x0051_e7e5);
    let mut out = Vec::with_capacity(n);
    let stop = |w: &str| terbuka_text::is_stopword(w);
    while out.len() < n {
        let d = corpus.doc(rng.below(n_docs as usize) as u64);
        let words: Vec<String> = doc_words(&d).into_iter().filter(|w| !stop(w)).collect();
        if words.len() < 4 {
            continue;
        }
        let r = rng.below(100);
        let q = match r {
            // single common word (Zipf top 100)
            0..=19 => BenchQuery { class: "common", parts: vec![Part::Word(corpus.vocab.words[rng.below(100)].clone())], unit: None, year: None },
            // rare word (Zipf rank ≥ 5000)
            20..=34 => {
                let i = rng.range(5_000, corpus.vocab.words.len().max(5_001) - 1).min(corpus.vocab.words.len() - 1);
                BenchQuery { class: "rare", parts: vec![Part::Word(corpus.vocab.words[i].clone())], unit: None, year: None }
            }
            // 2–3 words of one document (AND)
            35..=59 => {
                let k = rng.range(2, 3);
                let parts = (0..k).map(|_| Part::Word(rng.pick(&words).clone())).collect();
                BenchQuery { class: "and", parts, unit: None, year: None }
            }
            // phrase: two consecutive words of the document
            60..=74 => {
                let toks: Vec<String> = terbuka_text::tokenize(&d.body).into_iter().map(|t| t.text).collect();
                let i = rng.below(toks.len() - 1);
                BenchQuery { class: "phrase", parts: vec![Part::Phrase(vec![toks[i].clone(), toks[i + 1].clone()])], unit: None, year: None }
            }
            // a word with a typo
            75..=84 => {
                let long: Vec<&String> = words.iter().filter(|w| w.chars().count() >= 5).collect();
                if long.is_empty() {
                    continue;
                }
                let w0: String = rng.pick(&long).to_string();
                let w = typo(&w0, &mut rng);
                BenchQuery { class: "typo", parts: vec![Part::Word(w)], unit: None, year: None }
            }
            // word + exclusion
            85..=89 => BenchQuery {
                class: "exclude",
                parts: vec![Part::Word(corpus.vocab.words[rng.below(300)].clone()), Part::Not(corpus.vocab.words[rng.below(300)].clone())],
                unit: None,
                year: None,
            },
            // filtered by facet
            _ => {
                let w = if rng.chance(0.5) { corpus.vocab.words[rng.below(200)].clone() } else { rng.pick(&words).clone() };
                let (unit, year) = match rng.below(3) {
                    0 => (Some(d.unit_code.clone()), None),
                    1 => (None, Some(d.year)),
                    _ => (Some(d.unit_code.clone()), Some(d.year)),
                };
                BenchQuery { class: "filtered", parts: vec![Part::Word(w)], unit, year }
            }
        };
        out.push(q);
    }
    out
}

// ------------------------------------------------------------------ measuring

struct Stats {
    lat: Vec<Duration>,
    hits: u64,
    totals: u64,
    zero: u64,
}

impl Stats {
    fn new() -> Self {
        Stats { lat: Vec::new(), hits: 0, totals: 0, zero: 0 }
    }
    fn pct(&self, p: f64) -> f64 {
        let mut v = self.lat.clone();
        v.sort();
        let i = ((v.len() as f64 - 1.0) * p).round() as usize;
        v[i].as_secs_f64() * 1000.0
    }
    fn max(&self) -> f64 {
        self.lat.iter().max().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
    }
    fn mean(&self) -> f64 {
        self.lat.iter().map(Duration::as_secs_f64).sum::<f64>() * 1000.0 / self.lat.len().max(1) as f64
    }
}

fn dir_size(p: &Path) -> u64 {
    let mut n = 0;
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let m = match e.metadata() {
                Ok(m) => m,
                Err(_) => continue,
            };
            n += if m.is_dir() { dir_size(&e.path()) } else { m.len() };
        }
    }
    n
}

fn mib(b: u64) -> String {
    format!("{:.0} MiB", b as f64 / 1024.0 / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let n_docs: u64 = arg("--docs").and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(1_000_000);
    let seed: u64 = arg("--seed").and_then(|v| v.parse().ok()).unwrap_or(42);
    let n_queries: usize = arg("--queries").and_then(|v| v.parse().ok()).unwrap_or(1000);
    let merge = !args.iter().any(|a| a == "--no-merge");
    let slowest: usize = arg("--slowest").and_then(|v| v.parse().ok()).unwrap_or(0);
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);

    let corpus = Corpus { vocab: Vocab::load(seed), seed };
    let tmp = tempfile::tempdir().expect("tempdir");
    let keep = arg("--keep").map(PathBuf::from);
    let base: PathBuf = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&base).expect("bench dir");
    let tag = format!("docs={n_docs} seed={seed} merge={merge} schema={}", terbuka_search::SCHEMA_VERSION);
    // a kept index is reused only when it was built completely with the same parameters
    let kept = |name: &str| -> Option<String> {
        let s = std::fs::read_to_string(base.join(format!("{name}.built"))).ok()?;
        let (t, figures) = s.split_once('\n')?;
        (keep.is_some() && t == tag).then(|| figures.to_string())
    };
    let mark = |name: &str, figures: &str| {
        if keep.is_some() {
            std::fs::write(base.join(format!("{name}.built")), format!("{tag}\n{figures}")).expect("write marker");
        }
    };
    eprintln!("docs={n_docs} seed={seed} queries={n_queries} cores={threads} dir={}", base.display());

    // generation alone (sample), to separate it from indexing
    let sample = n_docs.min(50_000);
    let t = Instant::now();
    let mut bytes = 0usize;
    for i in 0..sample {
        let d = corpus.doc(i);
        bytes += d.title.len() + d.body.len() + d.attachments_text.len();
    }
    let gen_rate = sample as f64 / t.elapsed().as_secs_f64();
    eprintln!("generator: {gen_rate:.0} docs/s, {:.0} bytes of text per doc", bytes as f64 / sample as f64);

    // ---- Terbuka (tantivy)
    let tdir = base.join("tantivy");
    let tantivy_kept = kept("tantivy");
    if tantivy_kept.is_none() && tdir.exists() {
        std::fs::remove_dir_all(&tdir).expect("clear old index");
    }
    let idx = SearchIndex::open_with_options(&tdir, IndexOptions { writer_memory_bytes: 1024 * 1024 * 1024, writer_threads: threads }).expect("open");
    let (t_rate, t_merge_s, segs_before, t_size) =
        match tantivy_kept.as_deref().map(|f| f.split(' ').map(|x| x.parse::<f64>().unwrap_or(0.0)).collect::<Vec<_>>()) {
            Some(v) if v.len() == 4 => {
                eprintln!("tantivy: reusing the index in {}", tdir.display());
                (v[0], v[1], v[2] as usize, v[3] as u64)
            }
            _ => {
                let t = Instant::now();
                let mut last = Instant::now();
                let added = idx
                    .rebuild((0..n_docs).map(|i| corpus.doc(i)), 1, &mut |k| {
                        if last.elapsed() > Duration::from_secs(20) {
                            eprintln!("  tantivy: {k} docs, {:.0}/s", k as f64 / t.elapsed().as_secs_f64());
                            last = Instant::now();
                        }
                    })
                    .expect("rebuild");
                let t_index = t.elapsed();
                let segs_before = idx.num_segments();
                let t = Instant::now();
                if merge {
                    idx.optimize().expect("optimize");
                }
                let t_merge = t.elapsed();
                let t_size = dir_size(&tdir);
                let rate = added as f64 / t_index.as_secs_f64();
                eprintln!(
                    "tantivy: {added} docs in {:.1}s ({rate:.0} docs/s incl. generation), {segs_before} segments -> merge {:.1}s -> {} segments, {}",
                    t_index.as_secs_f64(),
                    t_merge.as_secs_f64(),
                    idx.num_segments(),
                    mib(t_size)
                );
                mark("tantivy", &format!("{rate} {} {segs_before} {t_size}", t_merge.as_secs_f64()));
                (rate, t_merge.as_secs_f64(), segs_before, t_size)
            }
        };

    // ---- SQLite FTS5
    let fpath = base.join("fts.db");
    let fts_kept = kept("fts5");
    if fts_kept.is_none() && fpath.exists() {
        std::fs::remove_file(&fpath).expect("clear old fts5 db");
    }
    let conn = rusqlite::Connection::open(&fpath).expect("sqlite");
    conn.execute_batch("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576; PRAGMA temp_store=MEMORY;").expect("pragma");
    let sqlite_version: String = conn.query_row("select sqlite_version()", [], |r| r.get(0)).expect("version");
    let (f_rate, f_merge_s, f_size) = match fts_kept.as_deref().map(|f| f.split(' ').map(|x| x.parse::<f64>().unwrap_or(0.0)).collect::<Vec<_>>()) {
        Some(v) if v.len() == 3 => {
            eprintln!("fts5: reusing {}", fpath.display());
            (v[0], v[1], v[2] as u64)
        }
        _ => {
            conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(title, body, unit UNINDEXED, year UNINDEXED);")
                .expect("FTS5 is not compiled into this SQLite");
            let t = Instant::now();
            {
                conn.execute_batch("BEGIN").expect("begin");
                let mut st = conn.prepare("INSERT INTO t(rowid, title, body, unit, year) VALUES (?1, ?2, ?3, ?4, ?5)").expect("prepare");
                for i in 0..n_docs {
                    let d = corpus.doc(i);
                    // FTS5 gets title + body + attachments (in body), like the tantivy index
                    let body = if d.attachments_text.is_empty() { d.body } else { format!("{}\n{}", d.body, d.attachments_text) };
                    st.execute(rusqlite::params![i as i64, d.title, body, d.unit_code, d.year]).expect("insert");
                    if (i + 1) % 200_000 == 0 {
                        eprintln!("  fts5: {} docs, {:.0}/s", i + 1, (i + 1) as f64 / t.elapsed().as_secs_f64());
                    }
                }
                drop(st);
                conn.execute_batch("COMMIT").expect("commit");
            }
            let f_index = t.elapsed();
            let t = Instant::now();
            if merge {
                conn.execute_batch("INSERT INTO t(t) VALUES('optimize')").expect("optimize");
            }
            let f_merge = t.elapsed();
            let f_size = std::fs::metadata(&fpath).map(|m| m.len()).unwrap_or(0);
            let rate = n_docs as f64 / f_index.as_secs_f64();
            eprintln!(
                "fts5 (SQLite {sqlite_version}): {n_docs} docs in {:.1}s ({rate:.0} docs/s incl. generation), optimize {:.1}s, {}",
                f_index.as_secs_f64(),
                f_merge.as_secs_f64(),
                mib(f_size)
            );
            mark("fts5", &format!("{rate} {} {f_size}", f_merge.as_secs_f64()));
            (rate, f_merge.as_secs_f64(), f_size)
        }
    };

    // ---- one query only (diagnostics): `--query TEXT` runs it 20 times on each path
    if let Some(text) = arg("--query") {
        let sq = SearchQuery { text, ..SearchQuery::default() };
        for (name, lean) in [("search", false), ("lean", true)] {
            let mut v = Vec::new();
            for _ in 0..20 {
                let t = Instant::now();
                let total = if lean { idx.search_lean(&sq).expect("search").total } else { idx.search(&sq).expect("search").total };
                v.push((t.elapsed().as_secs_f64() * 1000.0, total));
            }
            println!("{name}: {:?}", v.iter().map(|(ms, _)| format!("{ms:.2}")).collect::<Vec<_>>());
            println!("  total {}", v[0].1);
        }
        return;
    }

    // ---- queries
    let queries = make_queries(&corpus, n_docs, n_queries, seed);
    let mut classes: Vec<&str> = queries.iter().map(|q| q.class).collect();
    classes.sort();
    classes.dedup();
    let mix: Vec<String> = classes.iter().map(|c| format!("{c} {}", queries.iter().filter(|q| q.class == *c).count())).collect();
    eprintln!("query mix: {}", mix.join(", "));
    for q in queries.iter().take(12) {
        eprintln!("  e.g. {:<8} {:?} unit={:?} year={:?}  | fts5: {}", q.class, q.terbuka_text(), q.unit, q.year, q.fts5_text());
    }

    let run_full = |st: &mut Option<&mut Stats>| {
        for q in &queries {
            let sq = q.search_query();
            let t = Instant::now();
            let r = idx.search(&sq).expect("search");
            let el = t.elapsed();
            if let Some(s) = st.as_deref_mut() {
                s.lat.push(el);
                s.hits += r.hits.len() as u64;
                s.totals += r.total;
                s.zero += u64::from(r.total == 0);
            }
        }
    };
    let run_lean = |st: &mut Option<&mut Stats>| {
        for q in &queries {
            let sq = q.search_query();
            let t = Instant::now();
            let r = idx.search_lean(&sq).expect("search");
            let el = t.elapsed();
            if let Some(s) = st.as_deref_mut() {
                s.lat.push(el);
                s.hits += r.hits.len() as u64;
                s.totals += r.total;
                s.zero += u64::from(r.total == 0);
            }
        }
    };
    let mut plain_st = conn.prepare("SELECT rowid, bm25(t) FROM t WHERE t MATCH ?1 ORDER BY bm25(t) LIMIT 10").expect("prepare");
    let mut unit_st = conn.prepare("SELECT rowid, bm25(t) FROM t WHERE t MATCH ?1 AND unit = ?2 ORDER BY bm25(t) LIMIT 10").expect("prepare");
    let mut year_st = conn.prepare("SELECT rowid, bm25(t) FROM t WHERE t MATCH ?1 AND year = ?2 ORDER BY bm25(t) LIMIT 10").expect("prepare");
    let mut both_st = conn.prepare("SELECT rowid, bm25(t) FROM t WHERE t MATCH ?1 AND unit = ?2 AND year = ?3 ORDER BY bm25(t) LIMIT 10").expect("prepare");
    let mut run_fts = |st: &mut Option<&mut Stats>| {
        for q in &queries {
            let m = q.fts5_text();
            let t = Instant::now();
            let rows: Vec<(i64, f64)> = match (&q.unit, q.year) {
                (None, None) => plain_st.query_map(rusqlite::params![m], |r| Ok((r.get(0)?, r.get(1)?))).expect("q").collect::<Result<_, _>>(),
                (Some(u), None) => unit_st.query_map(rusqlite::params![m, u], |r| Ok((r.get(0)?, r.get(1)?))).expect("q").collect::<Result<_, _>>(),
                (None, Some(y)) => year_st.query_map(rusqlite::params![m, y], |r| Ok((r.get(0)?, r.get(1)?))).expect("q").collect::<Result<_, _>>(),
                (Some(u), Some(y)) => both_st.query_map(rusqlite::params![m, u, y], |r| Ok((r.get(0)?, r.get(1)?))).expect("q").collect::<Result<_, _>>(),
            }
            .expect("fts5 query");
            let el = t.elapsed();
            if let Some(s) = st.as_deref_mut() {
                s.lat.push(el);
                s.hits += rows.len() as u64;
                s.zero += u64::from(rows.is_empty());
            }
        }
    };

    // warm-up: every query once per engine
    run_full(&mut None);
    run_lean(&mut None);
    run_fts(&mut None);
    let mut full = Stats::new();
    let mut lean = Stats::new();
    let mut fts = Stats::new();
    run_full(&mut Some(&mut full));
    run_lean(&mut Some(&mut lean));
    run_fts(&mut Some(&mut fts));

    // per-class p99
    let per_class = |name: &str, s: &Stats| -> String {
        let mut parts = Vec::new();
        for c in &classes {
            let mut v: Vec<Duration> = queries.iter().zip(&s.lat).filter(|(q, _)| q.class == *c).map(|(_, d)| *d).collect();
            v.sort();
            if v.is_empty() {
                continue;
            }
            let p50 = v[(v.len() - 1) / 2].as_secs_f64() * 1000.0;
            let p99 = v[((v.len() as f64 - 1.0) * 0.99).round() as usize].as_secs_f64() * 1000.0;
            parts.push(format!("{c} {p50:.2}/{p99:.2}"));
        }
        format!("| {name} | {} |", parts.join(" · "))
    };

    let nq = queries.len() as f64;
    println!();
    println!("### terbuka-search vs SQLite FTS5 — {n_docs} docs, {} queries, seed {seed}, {threads} cores", queries.len());
    println!();
    println!("| engine | index docs/s (incl. generation) | merge/optimize | size on disk |");
    println!("|---|---:|---:|---:|");
    println!("| terbuka-search (tantivy) | {t_rate:.0} | {t_merge_s:.1} s ({segs_before} → {} segments) | {} |", idx.num_segments(), mib(t_size));
    println!("| SQLite FTS5 {sqlite_version} (unicode61) | {f_rate:.0} | {f_merge_s:.1} s | {} |", mib(f_size));
    println!("| (generator alone) | {gen_rate:.0} | | |");
    println!();
    println!("| query latency (ms), warm | p50 | p90 | p99 | max | mean | mean hits returned | mean total matches | zero-hit queries |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, s, totals) in [
        ("terbuka `search` (top-10 + total + facets + snippets)", &full, true),
        ("terbuka `search_lean` (top-10 + total)", &lean, true),
        ("FTS5 `MATCH … ORDER BY bm25 LIMIT 10`", &fts, false),
    ] {
        println!(
            "| {name} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} |",
            s.pct(0.5),
            s.pct(0.9),
            s.pct(0.99),
            s.max(),
            s.mean(),
            s.hits as f64 / nq,
            if totals { format!("{:.0}", s.totals as f64 / nq) } else { "n/a".into() },
            s.zero
        );
    }
    println!();
    println!("p50/p99 (ms) by query class:");
    println!();
    println!("| engine | {} |", classes.iter().map(|c| format!("{c} ({})", queries.iter().filter(|q| q.class == *c).count())).collect::<Vec<_>>().join(" · "));
    println!("|---|---|");
    println!("{}", per_class("terbuka search", &full));
    println!("{}", per_class("terbuka lean", &lean));
    println!("{}", per_class("FTS5", &fts));
    if slowest > 0 {
        let mut order: Vec<usize> = (0..queries.len()).collect();
        order.sort_by(|a, b| full.lat[*b].cmp(&full.lat[*a]));
        println!();
        println!("slowest `search` queries (ms: search / lean / FTS5):");
        for i in order.into_iter().take(slowest) {
            let q = &queries[i];
            println!(
                "  {:>8.2} {:>8.2} {:>8.2}  {:<8} {:?} unit={:?} year={:?}",
                full.lat[i].as_secs_f64() * 1000.0,
                lean.lat[i].as_secs_f64() * 1000.0,
                fts.lat[i].as_secs_f64() * 1000.0,
                q.class,
                q.terbuka_text(),
                q.unit,
                q.year
            );
        }
    }
}
