//! The demo's *kolaborasi* ledger: about forty organisations across the six kota/kabupaten of DKI
//! Jakarta and some three hundred aid needs with their pledges, deliveries and confirmations.
//!
//! Like the rest of the demo, nothing is written into the tables directly: every organisation,
//! need, pledge, delivery, dispute, report and expiry goes through the use cases of [`App`] with
//! simulated times, replayed in chronological order, and the daily expiry job
//! ([`App::run_aid_schedule`]) runs at 00:30 WIB of every simulated day. So each tally, state,
//! history line, queued mail and audit entry is what the live service would have produced.
//!
//! The picture, relative to `now`:
//! - organisations registered about half a year ago (kelurahan offices, RT/RW boards, community
//!   groups, puskesmas and hospitals, a couple of companies, the provincial social-affairs agency
//!   and its city offices), more that formed when the flood came, a few waiting in the moderation
//!   queue, one rejected with a reason and one whose verification was later suspended;
//! - a Covid-19 wave five to four months ago (food parcels, masks, oxygen, medicines, protective
//!   equipment, cash), then a flood two months ago (clean water, blankets, ready meals, baby
//!   supplies): most needs were covered, delivered with a proof and confirmed, some expired half
//!   covered, one was still waiting for the organisation to confirm, a couple were cancelled;
//! - needs open now, in every stage: nothing pledged yet, partly or fully pledged, delivered and
//!   waiting for confirmation, and some already verified;
//! - disputes (one accepted, one rejected and delivered again, one still open), pledges cancelled
//!   by their pledgers, a need taken down with a public note and another reported and waiting;
//! - beneficiary lists for two flood needs of the same kind whose periods overlap and which share
//!   a few households, so the duplicate-aid guard flags them.
//!
//! Pledgers are invented people (`budi.santoso17@example.org`); about half chose to be named on
//! the ledger with a name that is never their private one (a shop, a company, a community).
//! Everything comes from a fixed seed, relative to `now`.

use crate::error::AppError;
use crate::kolaborasi::BeneficiaryError;
use crate::service::{App, Upload};
use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};
use terbuka_domain::authz::Actor;
use terbuka_domain::calendar::wib_date;
use terbuka_domain::kolaborasi::{DeliveryState, NeedState, OrgEvent, OrgKind, OrgState, PledgeState, RawDelivery, RawNeed, RawOrg, RawPledge, RawReport};
use terbuka_domain::region::{Region, RegionLevel};
use terbuka_files::samples;
use terbuka_store::NeedFilter;

const SEED: u64 = 4_2026;
const COVID_NEEDS: usize = 120;
const FLOOD_NEEDS: usize = 110;
const CURRENT_NEEDS: usize = 72;

/// The six kota/kabupaten of DKI Jakarta (Kemendagri codes).
const KOTA: &[&str] = &["31.71", "31.72", "31.73", "31.74", "31.75", "31.01"];
/// How often a province-wide organisation's need lands in each of them (percent).
const KOTA_WEIGHTS: &[usize] = &[12, 20, 23, 20, 24, 1];

// ------------------------------------------------------------------ vocabulary

/// A catalogue entry as the demo uses it: need sizes and pledge sizes, in steps of `step`.
struct Item {
    code: &'static str,
    /// What the proof and descriptions call it.
    name: &'static str,
    unit: &'static str,
    need: (i64, i64),
    pledge: (i64, i64),
    step: i64,
    health: bool,
}

const ITEMS: &[Item] = &[
    Item { code: "sembako", name: "paket sembako", unit: "paket", need: (40, 300), pledge: (10, 90), step: 5, health: false },
    Item { code: "masker", name: "masker", unit: "buah", need: (1_000, 10_000), pledge: (200, 3_000), step: 100, health: true },
    Item { code: "tabung_oksigen", name: "tabung oksigen", unit: "tabung", need: (4, 30), pledge: (1, 8), step: 1, health: true },
    Item { code: "obat", name: "paket obat", unit: "paket", need: (20, 150), pledge: (5, 50), step: 5, health: true },
    Item { code: "apd", name: "set alat pelindung diri", unit: "set", need: (50, 400), pledge: (10, 120), step: 10, health: true },
    // Quantities are capped at 1 000 000 (MAX_QUANTITY), so a cash need is at most Rp 1 juta.
    Item { code: "bantuan_tunai", name: "bantuan tunai", unit: "rupiah", need: (500_000, 1_000_000), pledge: (50_000, 300_000), step: 50_000, health: false },
    Item { code: "air_bersih", name: "air bersih", unit: "liter", need: (2_000, 20_000), pledge: (500, 6_000), step: 500, health: false },
    Item { code: "selimut", name: "selimut dan tikar", unit: "buah", need: (50, 400), pledge: (10, 100), step: 10, health: false },
    Item { code: "makanan_siap_saji", name: "makanan siap saji", unit: "porsi", need: (200, 2_000), pledge: (50, 500), step: 50, health: false },
    Item { code: "perlengkapan_bayi", name: "paket perlengkapan bayi", unit: "paket", need: (15, 120), pledge: (5, 40), step: 5, health: false },
];

fn item(code: &str) -> &'static Item {
    ITEMS.iter().find(|i| i.code == code).expect("demo item code")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Episode {
    Covid,
    Flood,
    Current,
}

/// (item code, weight, title templates). `{kel}`, `{kec}`, `{rw}` and `{org}` are filled in.
type TitleSet = (&'static str, u32, &'static [&'static str]);

const COVID: &[TitleSet] = &[
    (
        "sembako",
        30,
        &[
            "Paket sembako untuk warga isolasi mandiri di {kel}",
            "Sembako bagi keluarga pekerja harian terdampak PPKM di RW {rw} {kel}",
            "Paket sembako untuk lansia yang tinggal sendiri di {kel}",
        ],
    ),
    ("masker", 14, &["Masker medis untuk warga dan petugas posko {kel}", "Masker kain untuk pedagang pasar di Kecamatan {kec}"]),
    ("tabung_oksigen", 14, &["Tabung oksigen untuk pasien isolasi mandiri di Kecamatan {kec}", "Tabung oksigen cadangan untuk {org}"]),
    ("obat", 14, &["Paket obat dan vitamin untuk warga isoman di {kel}", "Obat-obatan untuk pasien Covid-19 bergejala ringan di Kecamatan {kec}"]),
    ("apd", 10, &["Alat pelindung diri untuk tenaga kesehatan {org}", "APD untuk relawan pemulasaraan jenazah di Kecamatan {kec}"]),
    (
        "bantuan_tunai",
        12,
        &["Bantuan tunai untuk keluarga yang kehilangan penghasilan di RW {rw} {kel}", "Bantuan tunai untuk biaya isolasi mandiri warga {kel}"],
    ),
];

const FLOOD: &[TitleSet] = &[
    ("air_bersih", 20, &["Air bersih untuk pengungsi banjir di {kel}", "Air bersih untuk posko pengungsian RW {rw} {kel}"]),
    ("selimut", 15, &["Selimut dan tikar untuk pengungsi banjir di {kel}", "Selimut untuk lansia dan anak di posko banjir Kecamatan {kec}"]),
    ("makanan_siap_saji", 20, &["Makanan siap saji untuk dapur umum banjir {kel}", "Nasi bungkus untuk pengungsi banjir RW {rw} {kel}"]),
    ("perlengkapan_bayi", 12, &["Perlengkapan bayi untuk pengungsi banjir di {kel}", "Popok, susu dan perlengkapan bayi untuk posko Kecamatan {kec}"]),
    ("sembako", 20, &["Sembako untuk warga terdampak banjir di RW {rw} {kel}", "Paket sembako bagi keluarga yang rumahnya terendam di {kel}"]),
    ("obat", 8, &["Obat-obatan untuk posko kesehatan banjir {kel}", "Obat diare dan penyakit kulit untuk pengungsi di Kecamatan {kec}"]),
];

const CURRENT: &[TitleSet] = &[
    ("sembako", 22, &["Sembako untuk lansia dan penyandang disabilitas di {kel}", "Paket sembako bulanan untuk keluarga prasejahtera RW {rw} {kel}"]),
    ("perlengkapan_bayi", 12, &["Perlengkapan bayi untuk balita gizi kurang di {kel}"]),
    ("selimut", 10, &["Selimut untuk korban kebakaran permukiman di {kel}"]),
    ("air_bersih", 12, &["Air bersih untuk warga terdampak kebakaran di {kel}", "Air bersih selama gangguan pasokan air perpipaan di {kel}"]),
    ("obat", 10, &["Obat dan vitamin untuk posyandu lansia {kel}"]),
    ("masker", 8, &["Masker untuk warga saat kualitas udara tidak sehat di Kecamatan {kec}"]),
    ("makanan_siap_saji", 12, &["Makanan siap saji untuk korban kebakaran di {kel}"]),
    ("bantuan_tunai", 8, &["Bantuan tunai untuk biaya sekolah anak yatim di {kel}"]),
];

const MALE: &[&str] =
    &["Budi", "Agus", "Andi", "Rizky", "Fajar", "Dimas", "Arif", "Yoga", "Hendra", "Taufik", "Irfan", "Bayu", "Reza", "Ilham", "Wahyu", "Joko", "Eko", "Fikri"];
const FEMALE: &[&str] =
    &["Siti", "Dewi", "Ayu", "Rina", "Nurul", "Putri", "Fitri", "Indah", "Maya", "Ratna", "Lestari", "Anisa", "Wulan", "Intan", "Yuni", "Dian"];
const SURNAMES: &[&str] = &[
    "Santoso", "Wijaya", "Saputra", "Hidayat", "Pratama", "Kusuma", "Setiawan", "Nugroho", "Siregar", "Nasution", "Purba", "Lubis", "Hakim", "Rahman",
    "Gunawan", "Halim", "Tanjung", "Permana",
];
const MAIL_DOMAINS: &[&str] = &["example.org", "example.com", "example.net", "mail.example.id"];

/// Names pledgers chose to show on the ledger. None of them contains a private name.
const PUBLIC_DONORS: &[&str] = &[
    "Toko Sumber Rejeki",
    "PT Maju Bersama",
    "Komunitas Berbagi Jakarta",
    "Warung Makan Bu Tini",
    "Apotek Sehat Sentosa",
    "CV Cahaya Abadi Logistik",
    "Paguyuban Pedagang Pasar Jatinegara",
    "Alumni SMA Negeri 8 Jakarta Angkatan 2005",
    "Ikatan Keluarga Minang Jakarta Timur",
    "Bank Sampah Melati Bersih",
    "Klub Lari Pagi Senayan",
    "Hamba Allah",
    "Majelis Taklim Nurul Iman",
    "Toko Bangunan Jaya Makmur",
    "Koperasi Pedagang Tanah Abang",
    "PT Sentosa Pangan Nusantara",
    "Jemaat Gereja Kasih Karunia",
    "Kedai Kopi Teman Ngobrol",
    "Komunitas Sepeda Lipat Jakarta",
    "Yayasan Pendidikan Tunas Bangsa",
    "Perkumpulan Peduli Sesama Glodok",
    "Arisan Ibu-Ibu Kemang",
    "Mahasiswa Peduli Universitas Nusantara",
];

const PLEDGE_NOTES: &[&str] = &[
    "Diantar langsung ke posko.",
    "Dikirim lewat kurir, mohon dikabari jika sudah sampai.",
    "Semoga bermanfaat.",
    "Titip untuk warga yang paling membutuhkan.",
    "Diambil dari hasil penggalangan dana kantor.",
];

const DELIVERY_NOTES: &[&str] = &[
    "Diserahkan kepada ketua RW di posko.",
    "Diterima petugas kelurahan, tanda terima terlampir.",
    "Dikirim dengan mobil bak terbuka, dua kali angkut.",
    "Diserahkan langsung kepada koordinator relawan.",
];

const DISPUTE_PARTIAL: &str = "Barang yang tiba hanya sebagian dari jumlah yang dicatat; sisanya belum diterima posko.";
const DISPUTE_MISSING: &str = "Kiriman yang dicatat terkirim tidak pernah sampai ke posko pengungsian kami.";
const DISPUTE_OPEN: &str = "Jumlah paket yang diterima di posko kurang dari yang dicatat; kami sedang mencocokkan tanda terima.";
const RESOLVE_ACCEPT: &str = "Petugas memeriksa tanda terima dan foto serah terima: barang diterima lengkap di gudang kelurahan. Sanggahan tidak terbukti.";
const RESOLVE_REJECT: &str =
    "Tanda terima tidak cocok dengan catatan pengiriman dan posko tidak menerima barang. Pengiriman ini tidak dihitung; donatur mengirim ulang.";
const CANCEL_NEED_REASONS: &[&str] =
    &["Kebutuhan sudah dipenuhi oleh bantuan Dinas Sosial Provinsi.", "Warga sudah kembali ke rumah masing-masing; posko pengungsian ditutup."];
const TAKEDOWN_NOTE: &str =
    "Diturunkan oleh moderator setelah pemeriksaan: pengurus RW setempat tidak mengenal posko ini dan alamat penyaluran tidak dapat diverifikasi.";
const REJECT_NOTE: &str = "Identitas pengurus dan alamat sekretariat tidak dapat diverifikasi; nomor telepon yang dicantumkan tidak aktif.";
const SUSPEND_NOTE: &str = "Verifikasi ditangguhkan: laporan penyaluran bantuan masa Covid-19 belum dipertanggungjawabkan kepada warga penerima.";

// ------------------------------------------------------------------ small helpers

fn wib_at(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(hour.min(23), minute.min(59), 0).unwrap_or(NaiveTime::MIN);
    (date.and_time(t) - Duration::hours(7)).and_utc()
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn weighted<'a>(rng: &mut StdRng, sets: &'a [TitleSet]) -> &'a TitleSet {
    let total: u32 = sets.iter().map(|s| s.1).sum();
    let mut roll = rng.gen_range(0..total);
    for s in sets {
        if roll < s.1 {
            return s;
        }
        roll -= s.1;
    }
    &sets[0]
}

/// A random multiple of `step` in `[lo, hi]` (at least one step).
fn amount(rng: &mut StdRng, (lo, hi): (i64, i64), step: i64) -> i64 {
    let (a, b) = ((lo + step - 1) / step, (hi / step).max(1));
    rng.gen_range(a.max(1)..=b.max(a.max(1))) * step
}

/// The local part of an organisation's e-mail address: its name without the administrative
/// words, cut at a word boundary.
fn handle_of(name: &str) -> String {
    const DROP: &[&str] = &["kelurahan", "kecamatan", "kota", "kabupaten", "administrasi", "provinsi", "pengurus", "dan", "unit"];
    let words: Vec<String> = slug(name).split('-').filter(|w| !DROP.contains(w)).map(str::to_string).collect();
    let mut out = String::new();
    for w in words {
        if !out.is_empty() && out.len() + w.len() + 1 > 32 {
            break;
        }
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(&w);
    }
    out
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn app_err(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(f) => anyhow!("invalid input: {:?}", f.0),
        AppError::Rejected(code) => anyhow!("not possible: {code}"),
        other => anyhow::Error::new(other),
    }
}

/// A moment uniformly between three minutes after `a` and `b`, never after `limit` (unless
/// `limit` is less than three minutes after `a`); moved out of the small hours when that stays
/// before `limit`.
fn between(rng: &mut StdRng, a: DateTime<Utc>, b: DateTime<Utc>, limit: DateTime<Utc>) -> DateTime<Utc> {
    let min = a + Duration::minutes(3);
    let span = (b.min(limit) - min).num_seconds();
    let t = if span <= 0 { min } else { min + Duration::seconds(rng.gen_range(0..=span)) };
    let local = t + Duration::hours(7);
    if local.hour() < 6 {
        let moved = wib_at(wib_date(t), rng.gen_range(6..9), rng.gen_range(0..60));
        if moved <= limit {
            return moved;
        }
    }
    t
}

/// A tiny but valid RGB PNG (a blurry "photo" of a hand-over), different for every `seed`.
fn png_photo(seed: u64) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(data);
        out.extend_from_slice(&c);
        out.extend_from_slice(&crc32(&c).to_be_bytes());
    }
    let (w, h) = (24u32, 16u32);
    let mut rng = StdRng::seed_from_u64(seed);
    let base: [u8; 3] = [rng.gen_range(60..200), rng.gen_range(60..200), rng.gen_range(60..200)];
    let mut raw = Vec::with_capacity(((w * 3 + 1) * h) as usize);
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            for c in base {
                let v = i32::from(c) + ((x * 5 + y * 3) as i32 % 40) - 20 + rng.gen_range(-12..12);
                raw.push(v.clamp(0, 255) as u8);
            }
        }
    }
    // zlib: one stored (uncompressed) deflate block and the Adler-32 of the data.
    let mut z = vec![0x78, 0x01, 0x01];
    z.extend_from_slice(&(raw.len() as u16).to_le_bytes());
    z.extend_from_slice(&(!(raw.len() as u16)).to_le_bytes());
    z.extend_from_slice(&raw);
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

// ------------------------------------------------------------------ places

/// A kelurahan with the names of the regions above it.
#[derive(Debug, Clone)]
struct Place {
    code: String,
    kel: String,
    kec: String,
    kota: String,
}

struct Places {
    /// Kelurahan of each kota in [`KOTA`] order.
    by_kota: Vec<Vec<Place>>,
    used: BTreeSet<String>,
}

impl Places {
    fn new(app: &App) -> Result<Places> {
        let r = &app.regions;
        let name = |code: &str, level| r.ancestor_at(code, level).map(|x: &Region| x.short_name.clone()).unwrap_or_default();
        let mut by_kota: Vec<Vec<Place>> = vec![Vec::new(); KOTA.len()];
        for k in r.at_level(RegionLevel::Kelurahan) {
            let kota = r.ancestor_at(&k.code, RegionLevel::KotaKab).map(|x| x.code.clone()).unwrap_or_default();
            if let Some(i) = KOTA.iter().position(|c| *c == kota) {
                by_kota[i].push(Place {
                    code: k.code.clone(),
                    kel: k.short_name.clone(),
                    kec: name(&k.code, RegionLevel::Kecamatan),
                    kota: name(&k.code, RegionLevel::KotaKab),
                });
            }
        }
        if by_kota.iter().any(Vec::is_empty) {
            bail!("demo: the regions file lacks kelurahan in some kota of DKI Jakarta");
        }
        Ok(Places { by_kota, used: BTreeSet::new() })
    }

    /// A kelurahan of kota `k` not used for an organisation yet (if any is left).
    fn fresh(&mut self, rng: &mut StdRng, k: usize) -> Place {
        let list = &self.by_kota[k];
        for _ in 0..20 {
            let p = &list[rng.gen_range(0..list.len())];
            if !self.used.contains(&p.code) {
                self.used.insert(p.code.clone());
                return p.clone();
            }
        }
        list[rng.gen_range(0..list.len())].clone()
    }

    /// A kelurahan inside `region` (itself when it is one). For the whole province the kota is
    /// drawn by rough population: Kepulauan Seribu has few people.
    fn any_in(&self, rng: &mut StdRng, region: &str) -> Place {
        let region = if region == "31" {
            let roll = rng.gen_range(0..100);
            let k = KOTA_WEIGHTS.iter().scan(0, |acc, w| {
                *acc += w;
                Some(*acc)
            });
            let k = k.take_while(|acc| *acc <= roll).count().min(KOTA.len() - 1);
            KOTA[k]
        } else {
            region
        };
        let all: Vec<&Place> = self.by_kota.iter().flatten().filter(|p| p.code == region || p.code.starts_with(&format!("{region}."))).collect();
        if all.is_empty() {
            let k = rng.gen_range(0..KOTA.len() - 1);
            return self.by_kota[k][rng.gen_range(0..self.by_kota[k].len())].clone();
        }
        all[rng.gen_range(0..all.len())].clone()
    }

    fn get(&self, code: &str) -> Option<&Place> {
        self.by_kota.iter().flatten().find(|p| p.code == code)
    }
}

// ------------------------------------------------------------------ the plan

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OrgGroup {
    /// Registered half a year ago; verified; posts needs.
    Early,
    /// Formed when the flood came; verified; posts flood and current needs.
    Flood,
    /// Waiting in the moderation queue.
    Pending,
    Rejected,
}

struct OrgPlan {
    raw: RawOrg,
    kind: OrgKind,
    /// The kelurahan it works in, or the kota/province it covers.
    region: String,
    group: OrgGroup,
    registered: DateTime<Utc>,
    decisions: Vec<(DateTime<Utc>, OrgEvent, Option<&'static str>)>,
    /// Verified from this moment until `posts_until`.
    posts_from: DateTime<Utc>,
    posts_until: DateTime<Utc>,
    /// How often it posts, relative to the others.
    weight: u32,
}

struct Person {
    name: String,
    email: Option<String>,
    phone: Option<String>,
}

fn person(rng: &mut StdRng, i: usize) -> Person {
    let first = if rng.gen_bool(0.5) { *pick(rng, MALE) } else { *pick(rng, FEMALE) };
    let last = *pick(rng, SURNAMES);
    let name = format!("{first} {last}");
    let email = format!("{}.{}{}@{}", first.to_lowercase(), last.to_lowercase(), i, pick(rng, MAIL_DOMAINS));
    // Mostly an e-mail address; some leave a phone number too, a few only a phone number.
    let roll = rng.gen_range(0..100);
    let phone = (roll < 25).then(|| format!("08{}{:08}", rng.gen_range(11..=99), i));
    Person { name, email: (roll >= 8).then_some(email), phone: phone.or_else(|| (roll < 8).then(|| format!("0813{i:08}"))) }
}

fn org_plan(
    rng: &mut StdRng,
    i: usize,
    name: String,
    (kind, group): (OrgKind, OrgGroup),
    region: String,
    place: Option<&Place>,
    registered: DateTime<Utc>,
) -> OrgPlan {
    let contact = person(rng, 10_000 + i);
    let (description, address) = match place {
        Some(p) => (
            match kind {
                OrgKind::Kelurahan => format!("Kantor kelurahan yang mengoordinasikan bantuan bagi warga {} bersama pengurus RT/RW.", p.kel),
                OrgKind::RtRw => format!("Pengurus lingkungan yang mendata warga terdampak dan mengelola posko di {}.", p.kel),
                OrgKind::Komunitas => format!("Kelompok warga dan relawan yang menggalang dan menyalurkan bantuan di Kecamatan {}.", p.kec),
                OrgKind::RumahSakit => format!("Fasilitas kesehatan yang melayani warga Kecamatan {} dan sekitarnya.", p.kec),
                OrgKind::Perusahaan => format!("Program kepedulian perusahaan bagi karyawan dan warga sekitar di {}.", p.kota),
                _ => format!("Lembaga sosial yang melayani warga {} dan sekitarnya.", p.kel),
            },
            Some(format!("Jl. {} No. {}, {}, Kec. {}, {}", pick(rng, STREETS), rng.gen_range(1..180), p.kel, p.kec, p.kota)),
        ),
        None => (
            "Perangkat daerah yang mengoordinasikan bantuan sosial dan penanganan bencana bagi warga.".to_string(),
            Some(format!("Jl. {} No. {}, Jakarta", pick(rng, STREETS), rng.gen_range(1..60))),
        ),
    };
    let handle = handle_of(&name);
    let domain = if kind == OrgKind::UnitPemda || kind == OrgKind::Kelurahan { "jakarta.example.go.id" } else { "example.org" };
    let public_email = rng.gen_bool(0.85).then(|| format!("{handle}@{domain}"));
    let public_phone = (public_email.is_none() || rng.gen_bool(0.5)).then(|| format!("021-{}", rng.gen_range(2_000_000..8_999_999)));
    let raw = RawOrg {
        name: Some(name),
        kind: Some(kind.as_str().into()),
        description: Some(description),
        region: Some(region.clone()),
        address,
        public_email,
        public_phone,
        contact_name: Some(contact.name),
        contact_email: contact.email,
        contact_phone: contact.phone,
    };
    // Kepulauan Seribu is small; the provincial agencies post a lot.
    let weight = if region.starts_with("31.01") {
        2
    } else if region == "31" {
        16
    } else {
        10
    };
    OrgPlan { raw, kind, region, group, registered, decisions: Vec::new(), posts_from: registered, posts_until: registered, weight }
}

const STREETS: &[&str] = &[
    "Kebon Sirih",
    "Cikini Raya",
    "Kramat Raya",
    "Salemba Tengah",
    "Tebet Raya",
    "Pluit Karang",
    "Daan Mogot",
    "Otista Raya",
    "Pemuda",
    "Letjen Suprapto",
    "Percetakan Negara",
    "Jatinegara Barat",
    "Pejaten Raya",
    "Sunter Jaya",
    "Tomang Raya",
    "Raya Bogor",
    "Kalibata Raya",
    "Cilincing Raya",
];

/// The organisations: (name, kind, kota index or None for the province, kelurahan-level?).
fn plan_orgs(rng: &mut StdRng, places: &mut Places, now: DateTime<Utc>) -> Vec<OrgPlan> {
    let mut out: Vec<OrgPlan> = Vec::new();
    let early = |rng: &mut StdRng| now - Duration::days(rng.gen_range(170..200)) - Duration::minutes(rng.gen_range(0..600));
    // Provincial and city agencies.
    let agencies: &[(&str, Option<usize>)] = &[
        ("Dinas Sosial Provinsi DKI Jakarta", None),
        ("Badan Penanggulangan Bencana Daerah Provinsi DKI Jakarta", None),
        ("Suku Dinas Sosial Kota Administrasi Jakarta Timur", Some(4)),
        ("Suku Dinas Kesehatan Kota Administrasi Jakarta Utara", Some(1)),
        ("Suku Dinas Sosial Kabupaten Administrasi Kepulauan Seribu", Some(5)),
    ];
    for (name, k) in agencies {
        let region = k.map(|k| KOTA[k].to_string()).unwrap_or_else(|| "31".into());
        let at = early(rng);
        out.push(org_plan(rng, out.len(), name.to_string(), (OrgKind::UnitPemda, OrgGroup::Early), region, None, at));
    }
    // Every kota has kelurahan offices, boards, groups and health facilities.
    let kelurahan_kota = [0, 1, 2, 3, 4, 5, 1, 4];
    for k in kelurahan_kota {
        let p = places.fresh(rng, k);
        let at = early(rng);
        out.push(org_plan(rng, out.len(), format!("Kelurahan {}", p.kel), (OrgKind::Kelurahan, OrgGroup::Early), p.code.clone(), Some(&p), at));
    }
    for (j, k) in [0, 1, 2, 3, 4, 4, 2].into_iter().enumerate() {
        let p = places.fresh(rng, k);
        let rw = rng.gen_range(1..15);
        let name = if j % 2 == 0 {
            format!("Pengurus RW {rw:02} Kelurahan {}", p.kel)
        } else {
            format!("Pengurus RT {:03}/RW {rw:03} {}", rng.gen_range(1..12), p.kel)
        };
        let at = early(rng);
        out.push(org_plan(rng, out.len(), name, (OrgKind::RtRw, OrgGroup::Early), p.code.clone(), Some(&p), at));
    }
    let groups: &[(&str, usize)] = &[
        ("Karang Taruna Kelurahan {kel}", 4),
        ("Dapur Umum Warga {kel}", 1),
        ("Tim Penggerak PKK Kelurahan {kel}", 3),
        ("Relawan Isoman Kecamatan {kec}", 0),
        ("Komunitas Peduli Ciliwung {kel}", 4),
        ("Forum Warga Peduli {kec}", 2),
        ("Karang Taruna Unit RW 03 {kel}", 1),
        ("Komunitas Relawan {kel}", 5),
    ];
    for (pattern, k) in groups {
        let p = places.fresh(rng, *k);
        let name = pattern.replace("{kel}", &p.kel).replace("{kec}", &p.kec);
        let at = early(rng);
        out.push(org_plan(rng, out.len(), name, (OrgKind::Komunitas, OrgGroup::Early), p.code.clone(), Some(&p), at));
    }
    let health: &[(&str, usize)] = &[
        ("Puskesmas Kecamatan {kec}", 0),
        ("Puskesmas Kecamatan {kec}", 3),
        ("Puskesmas Kecamatan {kec}", 1),
        ("Puskesmas Kelurahan {kel}", 2),
        ("RSUD {kec}", 4),
        ("RSUD {kec}", 2),
    ];
    for (pattern, k) in health {
        let p = places.fresh(rng, *k);
        let name = pattern.replace("{kel}", &p.kel).replace("{kec}", &p.kec);
        let at = early(rng);
        out.push(org_plan(rng, out.len(), name, (OrgKind::RumahSakit, OrgGroup::Early), p.code.clone(), Some(&p), at));
    }
    let others: &[(&str, OrgKind, usize)] = &[
        ("PT Sinar Logistik Nusantara (Posko Peduli Karyawan)", OrgKind::Perusahaan, 1),
        ("Koperasi Karyawan PT Cahaya Sentosa Abadi", OrgKind::Perusahaan, 4),
        ("Masjid Jami' Al-Ikhlas {kel}", OrgKind::Lainnya, 3),
        ("Yayasan Panti Asuhan Kasih Bunda", OrgKind::Lainnya, 2),
        ("Lembaga Amil Zakat Baitul Maal {kec}", OrgKind::Lainnya, 0),
    ];
    for (pattern, kind, k) in others {
        let p = places.fresh(rng, *k);
        let name = pattern.replace("{kel}", &p.kel).replace("{kec}", &p.kec);
        let at = early(rng);
        out.push(org_plan(rng, out.len(), name, (*kind, OrgGroup::Early), p.code.clone(), Some(&p), at));
    }
    // Formed when the flood came (about two months ago).
    let flood_at = now - Duration::days(66);
    for (pattern, kind, k) in [
        ("Dapur Umum Banjir {kel}", OrgKind::Komunitas, 4),
        ("Posko Pengungsian RW 07 {kel}", OrgKind::RtRw, 1),
        ("Relawan Tanggap Banjir Kecamatan {kec}", OrgKind::Komunitas, 2),
        ("Dapur Umum Banjir {kel}", OrgKind::Komunitas, 3),
    ] {
        let p = places.fresh(rng, k);
        let name = pattern.replace("{kel}", &p.kel).replace("{kec}", &p.kec);
        let at = flood_at + Duration::minutes(rng.gen_range(0..1_440));
        out.push(org_plan(rng, out.len(), name, (kind, OrgGroup::Flood), p.code.clone(), Some(&p), at));
    }
    // Waiting for an officer, and one refused.
    for (pattern, kind, k) in [
        ("Komunitas Berbagi Nasi Kecamatan {kec}", OrgKind::Komunitas, 3),
        ("Pengurus RW 06 Kelurahan {kel}", OrgKind::RtRw, 0),
        ("Yayasan Peduli Lansia {kota}", OrgKind::Lainnya, 4),
    ] {
        let p = places.fresh(rng, k);
        let name = pattern.replace("{kel}", &p.kel).replace("{kec}", &p.kec).replace("{kota}", &p.kota);
        let at = now - Duration::days(rng.gen_range(1..4)) - Duration::minutes(rng.gen_range(0..600));
        out.push(org_plan(rng, out.len(), name, (kind, OrgGroup::Pending), p.code.clone(), Some(&p), at));
    }
    let p = places.fresh(rng, 0);
    let at = now - Duration::days(30);
    out.push(org_plan(rng, out.len(), "Gerakan Bantuan Cepat Jakarta".into(), (OrgKind::Lainnya, OrgGroup::Rejected), p.code.clone(), Some(&p), at));

    // Decisions by the petugas sosial, during office hours a day or two later.
    for o in &mut out {
        let d = wib_date(o.registered) + Duration::days(if o.group == OrgGroup::Flood { 0 } else { rng.gen_range(1..3) });
        let mut at = wib_at(d, rng.gen_range(8..16), rng.gen_range(0..60));
        if at <= o.registered {
            at = o.registered + Duration::minutes(rng.gen_range(40..180));
        }
        match o.group {
            OrgGroup::Early | OrgGroup::Flood => {
                o.decisions.push((at, OrgEvent::Verify, None));
                o.posts_from = at + Duration::minutes(30);
                o.posts_until = now;
            }
            OrgGroup::Rejected => o.decisions.push((at, OrgEvent::Reject, Some(REJECT_NOTE))),
            OrgGroup::Pending => {}
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Covered, delivered and confirmed.
    Verified,
    /// Covered and delivered; the organisation never confirmed the last delivery.
    Delivered,
    /// Partly covered when its date passed.
    ExpiredPartly,
    /// Fully pledged, but a pledger never delivered.
    ExpiredFull,
    /// Nobody pledged.
    ExpiredOpen,
    /// Withdrawn by the organisation.
    Cancelled,
    // Open now:
    Open,
    Partly,
    Fully,
    DeliveredNow,
    VerifiedNow,
}

impl Fate {
    fn coverage(self, rng: &mut StdRng) -> f64 {
        match self {
            Fate::ExpiredOpen | Fate::Open => 0.0,
            Fate::ExpiredPartly | Fate::Partly => rng.gen_range(0.2..0.8),
            Fate::Cancelled => rng.gen_range(0.2..0.6),
            _ => 1.0,
        }
    }
}

/// What happens after a delivery is recorded.
#[derive(Debug, Clone)]
enum Then {
    Nothing,
    Confirm(DateTime<Utc>),
    Dispute { at: DateTime<Utc>, reason: &'static str, resolve: Option<(DateTime<Utc>, bool, &'static str)> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proof {
    Pdf,
    Png,
    None,
}

struct DeliveryPlan {
    qty: i64,
    at: DateTime<Utc>,
    proof: Proof,
    note: Option<&'static str>,
    then: Then,
}

struct PledgePlan {
    qty: i64,
    at: DateTime<Utc>,
    raw: RawPledge,
    cancel_at: Option<DateTime<Utc>>,
    deliveries: Vec<DeliveryPlan>,
}

struct NeedPlan {
    org: usize,
    item: &'static Item,
    raw: RawNeed,
    posted: DateTime<Utc>,
    pledges: Vec<PledgePlan>,
    cancel: Option<(DateTime<Utc>, &'static str)>,
    report: Option<(DateTime<Utc>, RawReport)>,
    take_down: Option<DateTime<Utc>>,
    beneficiaries: Option<(DateTime<Utc>, Vec<Vec<String>>)>,
}

struct Planner {
    rng: StdRng,
    donors: usize,
    /// Whether a pledger may cancel and be replaced (off for needs the specials rework).
    may_cancel: bool,
}

impl Planner {
    fn pledge_raw(&mut self, qty: i64, deliver_by: Option<NaiveDate>) -> RawPledge {
        self.donors += 1;
        let i = self.donors;
        let p = person(&mut self.rng, i);
        let public = self.rng.gen_bool(0.5).then(|| pick(&mut self.rng, PUBLIC_DONORS).to_string());
        let note = self.rng.gen_bool(0.3).then(|| pick(&mut self.rng, PLEDGE_NOTES).to_string());
        RawPledge {
            quantity: Some(qty.to_string()),
            name: Some(p.name),
            email: p.email,
            phone: p.phone,
            show_name: public.as_ref().map(|_| "on".to_string()),
            public_name: public,
            deliver_by: deliver_by.map(|d| d.to_string()),
            note,
        }
    }

    fn proof(&mut self) -> Proof {
        match self.rng.gen_range(0..100) {
            0..=64 => Proof::Pdf,
            65..=89 => Proof::Png,
            _ => Proof::None,
        }
    }

    /// Splits `total` into pledges of the item's usual sizes (at most three).
    fn split(&mut self, item: &Item, total: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut left = total;
        while left > 0 {
            let c = if out.len() == 2 { left } else { amount(&mut self.rng, item.pledge, item.step).min(left) };
            out.push(c);
            left -= c;
        }
        out
    }

    /// Pledges, deliveries and confirmations of one need. `end` is when activity must be over
    /// (the afternoon of `until`, or a little before `now` for needs open now); `late` is how
    /// late an organisation may still confirm.
    fn activity(&mut self, n: &mut NeedPlan, fate: Fate, end: DateTime<Utc>, late: DateTime<Utc>) {
        let quantity: i64 = n.raw.quantity.as_deref().and_then(|q| q.parse().ok()).unwrap_or(0);
        let coverage = fate.coverage(&mut self.rng);
        let target = ((quantity as f64 * coverage) as i64 / n.item.step) * n.item.step;
        let target = if coverage > 0.0 && target == 0 { n.item.step } else { target };
        let parts = if matches!(fate, Fate::Open | Fate::ExpiredOpen) { vec![] } else { self.split(n.item, target) };
        let m = parts.len();
        // Which pledges are never delivered.
        let undelivered: BTreeSet<usize> = match fate {
            Fate::ExpiredPartly | Fate::ExpiredFull => {
                let mut s: BTreeSet<usize> = (0..m).filter(|_| self.rng.gen_bool(0.4)).collect();
                s.insert(self.rng.gen_range(0..m.max(1)));
                s
            }
            Fate::Partly | Fate::Fully => (0..m).filter(|_| self.rng.gen_bool(0.6)).collect(),
            Fate::Cancelled => (0..m).collect(),
            _ => BTreeSet::new(),
        };
        let span_end = n.posted + (end - n.posted) * 3 / 5;
        let mut last_delivery: Option<(usize, usize)> = None;
        let mut latest = n.posted;
        for (k, qty) in parts.into_iter().enumerate() {
            let at = between(&mut self.rng, n.posted, span_end, end);
            let mut deliveries = Vec::new();
            if !undelivered.contains(&k) {
                let split = qty >= 2 * n.item.step && self.rng.gen_bool(0.1);
                let first = if split { (qty / 2 / n.item.step).max(1) * n.item.step } else { qty };
                let mut prev = at;
                for part in if split { vec![first, qty - first] } else { vec![qty] } {
                    let d_at = between(&mut self.rng, prev, prev + (end - prev) / 2, end);
                    prev = d_at;
                    let proof = self.proof();
                    let note = self.rng.gen_bool(0.4).then(|| *pick(&mut self.rng, DELIVERY_NOTES));
                    deliveries.push(DeliveryPlan { qty: part, at: d_at, proof, note, then: Then::Nothing });
                }
                if prev > latest {
                    latest = prev;
                    last_delivery = Some((k, deliveries.len() - 1));
                }
            }
            // Some pledgers name the day they will deliver by.
            let (named, slack) = (self.rng.gen_bool(0.25), self.rng.gen_range(0..3));
            let deliver_by = deliveries.last().filter(|_| named).map(|d| (wib_date(d.at) + Duration::days(slack)).min(end_date(&n.raw)));
            let raw = self.pledge_raw(qty, deliver_by);
            n.pledges.push(PledgePlan { qty, at, raw, cancel_at: None, deliveries });
        }
        // Confirmations.
        let confirm_share = match fate {
            Fate::Verified | Fate::VerifiedNow | Fate::Delivered | Fate::ExpiredPartly | Fate::ExpiredFull => 1.0,
            Fate::DeliveredNow => 0.5,
            _ => 0.6,
        };
        // Organisations of needs that will expire confirm before the date passes; the others
        // may confirm after it (by then the need is delivered and no longer expires).
        let confirm_by = if matches!(fate, Fate::ExpiredPartly | Fate::ExpiredFull) { end } else { late };
        for (k, p) in n.pledges.iter_mut().enumerate() {
            for (j, d) in p.deliveries.iter_mut().enumerate() {
                let keep_open = match fate {
                    Fate::Delivered | Fate::DeliveredNow => last_delivery == Some((k, j)),
                    _ => false,
                };
                if !keep_open && self.rng.gen_bool(confirm_share) {
                    let hours = self.rng.gen_range(4..60);
                    d.then = Then::Confirm(between(&mut self.rng, d.at, d.at + Duration::hours(hours), confirm_by));
                }
            }
        }
        // A pledger who could not deliver cancels; someone else takes the quantity over.
        if matches!(fate, Fate::Verified | Fate::VerifiedNow) && self.may_cancel && n.pledges.len() >= 2 && self.rng.gen_bool(0.12) {
            let k = self.rng.gen_range(0..n.pledges.len());
            let p = &n.pledges[k];
            let cancel_at = between(&mut self.rng, p.at, p.at + (end - p.at) / 4, end);
            let qty = p.qty;
            let old = std::mem::take(&mut n.pledges[k].deliveries);
            n.pledges[k].cancel_at = Some(cancel_at);
            // It never delivers, so it names no delivery date (it would expire first).
            n.pledges[k].raw.deliver_by = None;
            // The replacement pledge comes after the cancellation and delivers what the first
            // one would have.
            let at = between(&mut self.rng, cancel_at, cancel_at + Duration::hours(12), end);
            let mut prev = at;
            let mut deliveries = Vec::new();
            for mut d in old {
                d.at = between(&mut self.rng, prev, prev + (end - prev) / 3, end);
                if let Then::Confirm(_) = d.then {
                    let hours = self.rng.gen_range(4..60);
                    d.then = Then::Confirm(between(&mut self.rng, d.at, d.at + Duration::hours(hours), late));
                }
                prev = d.at;
                deliveries.push(d);
            }
            let raw = self.pledge_raw(qty, None);
            n.pledges.push(PledgePlan { qty, at, raw, cancel_at: None, deliveries });
        }
    }
}

/// The `until` date of a planned need.
fn end_date(raw: &RawNeed) -> NaiveDate {
    raw.until.as_deref().and_then(|u| NaiveDate::parse_from_str(u, "%Y-%m-%d").ok()).unwrap_or(NaiveDate::MIN)
}

fn fill(t: &str, p: &Place, rw: &str, org: &str) -> String {
    t.replace("{kel}", &p.kel).replace("{kec}", &p.kec).replace("{rw}", rw).replace("{org}", org)
}

fn description(rng: &mut StdRng, episode: Episode, p: &Place, org: &str, households: i64, people: i64, rw: &str) -> String {
    let why = match episode {
        Episode::Covid => format!("Gelombang Covid-19: banyak warga {} menjalani isolasi mandiri dan sebagian kehilangan penghasilan harian.", p.kel),
        Episode::Flood => format!("Banjir merendam permukiman di {} setelah hujan deras dan luapan sungai; warga mengungsi ke posko terdekat.", p.kel),
        Episode::Current => format!("{org} mendata warga {} yang membutuhkan bantuan ini dalam beberapa pekan ke depan.", p.kel),
    };
    let drop = match rng.gen_range(0..3) {
        0 => "di kantor kelurahan pada jam kerja".to_string(),
        1 => format!("di posko RW {rw}"),
        _ => format!("di sekretariat {org}"),
    };
    format!("{why} Sasaran: {households} kepala keluarga ({people} jiwa) di Kecamatan {}, {}. Bantuan diterima {drop}.", p.kec, p.kota)
}

struct Plan {
    orgs: Vec<OrgPlan>,
    needs: Vec<NeedPlan>,
}

/// Valid beneficiary rows: NIK (province 31, the kota and kecamatan of the need, a birth date,
/// +40 on the day for women) and the family card number, `households` of them starting at `serial`.
fn beneficiary_rows(rng: &mut StdRng, region: &str, households: std::ops::Range<u32>) -> Vec<Vec<String>> {
    let parts: Vec<&str> = region.split('.').collect();
    let (kota, kec) = (parts.get(1).copied().unwrap_or("71"), parts.get(2).copied().unwrap_or("01"));
    let mut rows = vec![vec!["nik".to_string(), "no_kk".to_string()]];
    for h in households {
        // The same household always has the same head and card number, whichever list it is on.
        let mut hr = StdRng::seed_from_u64(u64::from(h) * 7_919 + 17);
        let kk = format!("31{kota}{kec}{:02}{:02}{:02}{:04}", hr.gen_range(1..29), hr.gen_range(1..13), hr.gen_range(5..24), h);
        let members = if hr.gen_bool(0.2) { 2 } else { 1 };
        for m in 0..members {
            let day = hr.gen_range(1..29) + if (h + m) % 2 == 0 { 40 } else { 0 };
            let nik = format!("31{kota}{kec}{day:02}{:02}{:02}{:04}", hr.gen_range(1..13), hr.gen_range(50..100), h * 2 + m);
            rows.push(vec![nik, kk.clone()]);
        }
    }
    // Shuffle a little so lists do not look generated in order.
    let n = rows.len();
    for i in 1..n {
        let j = rng.gen_range(1..n);
        rows.swap(i, j);
    }
    rows
}

fn plan(app: &App, now: DateTime<Utc>) -> Result<Plan> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut places = Places::new(app)?;
    let mut orgs = plan_orgs(&mut rng, &mut places, now);
    let today = wib_date(now);

    // One early community group loses its verification after the Covid wave.
    let suspended = orgs.iter().position(|o| o.raw.name.as_deref().is_some_and(|n| n.starts_with("Forum Warga Peduli"))).unwrap_or(0);
    let suspend_at = wib_at(today - Duration::days(80), 10, 15);
    orgs[suspended].decisions.push((suspend_at, OrgEvent::Suspend, Some(SUSPEND_NOTE)));
    orgs[suspended].posts_until = suspend_at - Duration::days(30);

    let mut planner = Planner { rng: StdRng::seed_from_u64(SEED + 1), donors: 0, may_cancel: true };
    let mut needs: Vec<NeedPlan> = Vec::new();
    let episodes: [(Episode, usize, &[TitleSet]); 3] =
        [(Episode::Covid, COVID_NEEDS, COVID), (Episode::Flood, FLOOD_NEEDS, FLOOD), (Episode::Current, CURRENT_NEEDS, CURRENT)];
    for (episode, count, sets) in episodes {
        for i in 0..count {
            // When it is posted and how long it runs.
            let (post_day, days) = match episode {
                Episode::Covid => (today - Duration::days(rng.gen_range(128..152)), rng.gen_range(10..28)),
                Episode::Flood => {
                    let d = if i < 2 { today - Duration::days(61 - i as i64) } else { today - Duration::days(rng.gen_range(54..63)) };
                    (d, if i < 2 { 14 - 2 * i as i64 } else { rng.gen_range(7..22) })
                }
                Episode::Current => {
                    let d = today - Duration::days(rng.gen_range(1..22));
                    (d, (today - d).num_days() + rng.gen_range(4..40))
                }
            };
            let posted = wib_at(post_day, rng.gen_range(7..21), rng.gen_range(0..60));
            let until = post_day + Duration::days(days);
            // What, by whom, where.
            let set = if episode == Episode::Flood && i < 2 { &FLOOD[4] } else { weighted(&mut rng, sets) };
            let it = item(set.0);
            let eligible: Vec<usize> = (0..orgs.len())
                .filter(|&o| {
                    let org = &orgs[o];
                    org.posts_from < posted
                        && posted < org.posts_until
                        && (!it.health || matches!(org.kind, OrgKind::RumahSakit | OrgKind::UnitPemda | OrgKind::Kelurahan | OrgKind::Komunitas))
                })
                .collect();
            if eligible.is_empty() {
                bail!("demo kolaborasi: no verified organisation can post need {i} of {episode:?}");
            }
            let health_first: Vec<usize> = eligible.iter().copied().filter(|&o| orgs[o].kind == OrgKind::RumahSakit).collect();
            let o = if it.health && !health_first.is_empty() && rng.gen_bool(0.6) {
                *pick(&mut rng, &health_first)
            } else if episode == Episode::Flood && i == 1 {
                needs[needs.len() - 1].org
            } else {
                let total: u32 = eligible.iter().map(|&o| orgs[o].weight).sum();
                let mut roll = rng.gen_range(0..total.max(1));
                let mut chosen = eligible[0];
                for &o in &eligible {
                    if roll < orgs[o].weight {
                        chosen = o;
                        break;
                    }
                    roll -= orgs[o].weight;
                }
                chosen
            };
            let place = if episode == Episode::Flood && i == 1 {
                places
                    .get(needs[needs.len() - 1].raw.region.as_deref().unwrap_or_default())
                    .cloned()
                    .unwrap_or_else(|| places.any_in(&mut rng, &orgs[o].region))
            } else {
                places.any_in(&mut rng, &orgs[o].region)
            };
            let org_name = orgs[o].raw.name.clone().unwrap_or_default();
            let rw_n = rng.gen_range(1..16);
            let rw = format!("{rw_n:02}");
            let template = *pick(&mut rng, set.2);
            let title = fill(template, &place, &rw, &org_name);
            let households = rng.gen_range(15..320);
            let people = households * rng.gen_range(3..5);
            let quantity = amount(&mut rng, it.need, it.step);
            let raw = RawNeed {
                title: Some(title),
                item_type: Some(it.code.into()),
                description: Some(description(&mut rng, episode, &place, &org_name, households, people, &rw)),
                quantity: Some(quantity.to_string()),
                region: Some(place.code.clone()),
                rw: set.2.iter().any(|t| t.contains("{rw}")).then(|| rw_n.to_string()),
                households: Some(households.to_string()),
                people: rng.gen_bool(0.7).then(|| people.to_string()),
                until: Some(until.to_string()),
                allow_over_pledge: (rng.gen_bool(0.1)).then(|| "on".to_string()),
            };
            // Activity must be over by the afternoon of `until` (or shortly before now).
            let (end, late) = match episode {
                Episode::Current => (now - Duration::minutes(30), now - Duration::minutes(20)),
                _ => (wib_at(until, 17, 0), (wib_at(until, 17, 0) + Duration::days(3)).min(now - Duration::minutes(20))),
            };
            let roll = rng.gen_range(0..100);
            let mut fate = match episode {
                Episode::Covid | Episode::Flood => match roll {
                    0..=59 => Fate::Verified,
                    60..=65 => Fate::Delivered,
                    66..=82 => Fate::ExpiredPartly,
                    83..=89 => Fate::ExpiredFull,
                    _ => Fate::ExpiredOpen,
                },
                Episode::Current => match roll {
                    0..=19 => Fate::Open,
                    20..=49 => Fate::Partly,
                    50..=66 => Fate::Fully,
                    67..=82 => Fate::DeliveredNow,
                    _ => Fate::VerifiedNow,
                },
            };
            // The cases the demo must show whatever the dice say.
            match (episode, i) {
                (Episode::Covid, 7) | (Episode::Flood, 9) => fate = Fate::Cancelled,
                (Episode::Flood, 0..=5) => fate = Fate::Verified,
                (Episode::Current, 0) => fate = Fate::Partly,
                (Episode::Current, 1) => fate = Fate::Open,
                (Episode::Current, 2) => fate = Fate::DeliveredNow,
                (Episode::Current, 3) => fate = Fate::Fully,
                (Episode::Current, 4) => fate = Fate::VerifiedNow,
                _ => {}
            }
            let mut n = NeedPlan { org: o, item: it, raw, posted, pledges: Vec::new(), cancel: None, report: None, take_down: None, beneficiaries: None };
            if episode == Episode::Current && i == 3 {
                // A popular need whose organisation accepts more than asked.
                n.raw.allow_over_pledge = Some("on".into());
            }
            planner.may_cancel = !matches!((episode, i), (Episode::Flood, 0..=5) | (Episode::Current, 0..=4));
            planner.activity(&mut n, fate, end, late);
            if episode == Episode::Current && i == 3 {
                let extra = (quantity / 10 / it.step).max(1) * it.step;
                let at = between(&mut planner.rng, posted, end, end);
                let raw = planner.pledge_raw(extra, None);
                n.pledges.push(PledgePlan { qty: extra, at, raw, cancel_at: None, deliveries: Vec::new() });
            }
            if fate == Fate::Cancelled {
                let at = between(&mut planner.rng, posted + (end - posted) * 2 / 3, end, end);
                n.cancel = Some((at, CANCEL_NEED_REASONS[usize::from(episode == Episode::Flood)]));
            }
            needs.push(n);
        }
    }
    specials(&mut planner.rng, &mut needs, now)?;
    Ok(Plan { orgs, needs })
}

/// Disputes, reports, a take-down and the beneficiary lists, on needs chosen by index.
fn specials(rng: &mut StdRng, needs: &mut [NeedPlan], now: DateTime<Utc>) -> Result<()> {
    let first_flood = COVID_NEEDS;
    let first_current = COVID_NEEDS + FLOOD_NEEDS;
    // Flood 2: the last delivery is disputed; a moderator finds it did arrive.
    {
        let n = &mut needs[first_flood + 2];
        let end = wib_at(end_date(&n.raw), 17, 0);
        let d = last_delivery(n).context("demo: flood need 2 has a delivery")?;
        let dispute = between(rng, d.at, d.at + Duration::hours(20), end);
        let resolve = between(rng, dispute, dispute + Duration::hours(30), now - Duration::minutes(20));
        d.then = Then::Dispute { at: dispute, reason: DISPUTE_PARTIAL, resolve: Some((resolve, true, RESOLVE_ACCEPT)) };
    }
    // Flood 3: a delivery that never arrived; the moderator rejects it, the pledger delivers again.
    {
        let n = &mut needs[first_flood + 3];
        let end = wib_at(end_date(&n.raw), 17, 0);
        let p = n.pledges.iter_mut().find(|p| p.deliveries.len() == 1 && p.cancel_at.is_none()).context("demo: flood need 3 has a pledge delivered at once")?;
        p.at = between(rng, n.posted, n.posted + Duration::hours(6), end);
        p.raw.deliver_by = None;
        let d0 = between(rng, p.at, p.at + Duration::hours(20), end);
        let dispute = between(rng, d0, d0 + Duration::hours(10), end);
        let reject = between(rng, dispute, dispute + Duration::hours(10), end);
        let again = between(rng, reject, reject + Duration::hours(20), end);
        let confirm = between(rng, again, again + Duration::hours(10), end);
        let qty = p.qty;
        p.deliveries = vec![
            DeliveryPlan {
                qty,
                at: d0,
                proof: Proof::Png,
                note: None,
                then: Then::Dispute { at: dispute, reason: DISPUTE_MISSING, resolve: Some((reject, false, RESOLVE_REJECT)) },
            },
            DeliveryPlan {
                qty,
                at: again,
                proof: Proof::Pdf,
                note: Some("Dikirim ulang dan diterima langsung oleh koordinator posko."),
                then: Then::Confirm(confirm),
            },
        ];
    }
    // Flood 0 and 1: sembako in the same kelurahan, overlapping periods; the lists share five
    // households.
    {
        let region = needs[first_flood].raw.region.clone().unwrap_or_default();
        let a = needs[first_flood].posted + Duration::hours(26);
        needs[first_flood].beneficiaries = Some((a, beneficiary_rows(rng, &region, 1..41)));
        let b = needs[first_flood + 1].posted + Duration::hours(28);
        needs[first_flood + 1].beneficiaries = Some((b.max(a + Duration::hours(1)), beneficiary_rows(rng, &region, 36..71)));
    }
    // Current 0: reported as fraud and taken down (its pledge is released).
    {
        let n = &mut needs[first_current];
        let first = n.pledges.iter().map(|p| p.at).min().unwrap_or(n.posted);
        let report = between(rng, first, first + (now - first) / 3, now);
        let down = between(rng, report, report + Duration::hours(20), now - Duration::minutes(10));
        for p in &mut n.pledges {
            p.deliveries.retain(|d| d.at < report);
            for d in &mut p.deliveries {
                if let Then::Confirm(c) = d.then {
                    if c >= report {
                        d.then = Then::Nothing;
                    }
                }
            }
        }
        n.pledges.retain(|p| p.at < report);
        n.report =
            Some((report, RawReport { reason: Some("fraud".into()), detail: Some("Pengurus RW setempat tidak mengenal posko ini; mohon diperiksa.".into()) }));
        n.take_down = Some(down);
    }
    // Current 1: reported as a duplicate; waiting in the moderation queue.
    {
        let n = &mut needs[first_current + 1];
        let at = between(rng, n.posted, now - Duration::minutes(40), now - Duration::minutes(30));
        n.report =
            Some((at, RawReport { reason: Some("duplicate".into()), detail: Some("Sepertinya sama dengan kebutuhan lain di kelurahan yang sama.".into()) }));
    }
    // Current 2: the organisation disputes the last delivery; still open.
    {
        let n = &mut needs[first_current + 2];
        let d = last_delivery(n).context("demo: current need 2 has a delivery")?;
        let at = between(rng, d.at, now - Duration::minutes(15), now - Duration::minutes(10));
        d.then = Then::Dispute { at, reason: DISPUTE_OPEN, resolve: None };
    }
    Ok(())
}

fn last_delivery(n: &mut NeedPlan) -> Option<&mut DeliveryPlan> {
    n.pledges.iter_mut().flat_map(|p| p.deliveries.iter_mut()).max_by_key(|d| d.at)
}

// ------------------------------------------------------------------ the replay

#[derive(Debug, Clone, Copy)]
enum Step {
    OrgRegister(usize),
    OrgDecide(usize, usize),
    Post(usize),
    Pledge(usize, usize),
    CancelPledge(usize, usize),
    Deliver(usize, usize, usize),
    Confirm(usize, usize, usize),
    Dispute(usize, usize, usize),
    Resolve(usize, usize, usize),
    CancelNeed(usize),
    Report(usize),
    TakeDown(usize),
    Beneficiaries(usize),
    Schedule,
}

#[derive(Default)]
struct Live {
    orgs: Vec<Option<(i64, String)>>,
    needs: Vec<Option<i64>>,
    /// (pledge id, private token) per need and pledge; `None` when the pledge did not happen.
    pledges: Vec<Vec<Option<(i64, String)>>>,
    deliveries: BTreeMap<(usize, usize, usize), i64>,
    proofs: usize,
    flagged: usize,
}

fn timeline(p: &Plan, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, usize, Step)> {
    let mut steps: Vec<(DateTime<Utc>, usize, Step)> = Vec::new();
    let mut push = |at: DateTime<Utc>, s: Step| {
        let n = steps.len();
        steps.push((at, n, s));
    };
    for (o, org) in p.orgs.iter().enumerate() {
        push(org.registered, Step::OrgRegister(o));
        for (j, d) in org.decisions.iter().enumerate() {
            push(d.0, Step::OrgDecide(o, j));
        }
    }
    for (i, n) in p.needs.iter().enumerate() {
        push(n.posted, Step::Post(i));
        for (k, pl) in n.pledges.iter().enumerate() {
            push(pl.at, Step::Pledge(i, k));
            if let Some(c) = pl.cancel_at {
                push(c, Step::CancelPledge(i, k));
            }
            for (j, d) in pl.deliveries.iter().enumerate() {
                push(d.at, Step::Deliver(i, k, j));
                match d.then {
                    Then::Nothing => {}
                    Then::Confirm(c) => push(c, Step::Confirm(i, k, j)),
                    Then::Dispute { at, resolve, .. } => {
                        push(at, Step::Dispute(i, k, j));
                        if let Some((r, _, _)) = resolve {
                            push(r, Step::Resolve(i, k, j));
                        }
                    }
                }
            }
        }
        if let Some((at, _)) = n.cancel {
            push(at, Step::CancelNeed(i));
        }
        if let Some((at, _)) = &n.report {
            push(*at, Step::Report(i));
        }
        if let Some(at) = n.take_down {
            push(at, Step::TakeDown(i));
        }
        if let Some((at, _)) = &n.beneficiaries {
            push(*at, Step::Beneficiaries(i));
        }
    }
    // The expiry job, every night at 00:30 WIB.
    let first = p.needs.iter().map(|n| wib_date(n.posted)).min().unwrap_or_else(|| wib_date(now));
    let mut d = first + Duration::days(1);
    while wib_at(d, 0, 30) <= now {
        push(wib_at(d, 0, 30), Step::Schedule);
        d += Duration::days(1);
    }
    steps.sort_by_key(|s| (s.0, s.1));
    steps
}

fn proof_upload(app_seq: usize, plan: &NeedPlan, pledge: &PledgePlan, d: &DeliveryPlan, at: DateTime<Utc>) -> Option<Upload> {
    let month = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"];
    let date = wib_date(at);
    match d.proof {
        Proof::None => None,
        Proof::Png => {
            Some(Upload { filename: format!("foto-serah-terima-{app_seq}.png"), content_type: "image/png".into(), data: png_photo(app_seq as u64 + 91) })
        }
        Proof::Pdf => {
            let title = format!("Berita Acara Serah Terima Bantuan Nomor {app_seq:04}/BAST/{}/{}", date.month(), date.year());
            let donor = pledge.raw.public_name.clone().unwrap_or_else(|| "donatur".into());
            let body = [
                format!(
                    "Pada tanggal {} {} {} telah diserahkan bantuan berupa {} {} {}.",
                    date.day(),
                    month[date.month0() as usize],
                    date.year(),
                    d.qty,
                    plan.item.unit,
                    plan.item.name
                ),
                format!("Bantuan ini memenuhi sebagian kebutuhan: {}.", plan.raw.title.clone().unwrap_or_default()),
                format!("Pihak yang menyerahkan: {donor}. Pihak yang menerima: koordinator posko penerima bantuan."),
                "Berita acara ini dibuat dalam rangkap dua dan ditandatangani kedua belah pihak.".to_string(),
            ];
            let refs: Vec<&str> = body.iter().map(String::as_str).collect();
            Some(Upload { filename: format!("bast-{app_seq:04}.pdf"), content_type: "application/pdf".into(), data: samples::pdf(&title, &refs) })
        }
    }
}

async fn delivery_id(app: &App, need: i64, pledge: i64) -> Result<i64> {
    app.store.deliveries_of(need).await?.iter().filter(|d| d.pledge == pledge).map(|d| d.id).max().ok_or_else(|| anyhow!("the recorded delivery is missing"))
}

async fn replay(app: &App, officer: &Actor, p: &Plan, live: &mut Live, step: Step, at: DateTime<Utc>) -> Result<()> {
    let org_of = |live: &Live, i: usize| live.orgs[p.needs[i].org].clone().ok_or_else(|| anyhow!("organisation not registered"));
    match step {
        Step::OrgRegister(o) => {
            let (org, token) = app.register_org(&p.orgs[o].raw, at).await.map_err(app_err)?;
            live.orgs[o] = Some((org.id, token));
        }
        Step::OrgDecide(o, j) => {
            let (_, event, note) = p.orgs[o].decisions[j];
            let id = live.orgs[o].as_ref().map(|x| x.0).ok_or_else(|| anyhow!("organisation not registered"))?;
            app.decide_org(officer, id, event, &note.map(str::to_string), at).await.map_err(app_err)?;
        }
        Step::Post(i) => {
            let (_, token) = org_of(live, i)?;
            let need = app.post_need(&token, &p.needs[i].raw, at).await.map_err(app_err)?;
            live.needs[i] = Some(need.id);
        }
        Step::Pledge(i, k) => {
            let Some(id) = live.needs[i] else { return Ok(()) };
            let need = app.store.need(id).await?.ok_or_else(|| anyhow!("need vanished"))?;
            let plan = &p.needs[i].pledges[k];
            // Never more than is still needed (unless the organisation allows it).
            let qty = if need.allow_over_pledge { plan.qty } else { plan.qty.min(need.tally.remaining()) };
            if qty <= 0 || !need.state.takes_pledges() {
                return Ok(());
            }
            let mut raw = plan.raw.clone();
            raw.quantity = Some(qty.to_string());
            let client = format!("demo-{i}-{k}");
            let (saved, token) = app.pledge(id, &raw, &client, at).await.map_err(app_err)?;
            live.pledges[i][k] = Some((saved.pledge.ok_or_else(|| anyhow!("pledge id missing"))?, token));
        }
        Step::CancelPledge(i, k) => {
            if let Some((_, token)) = live.pledges[i][k].clone() {
                app.cancel_pledge(&token, at).await.map_err(app_err)?;
            }
        }
        Step::Deliver(i, k, j) => {
            let (Some(need), Some((pid, token))) = (live.needs[i], live.pledges[i][k].clone()) else { return Ok(()) };
            let pledge = app.store.pledge(pid).await?.ok_or_else(|| anyhow!("pledge vanished"))?;
            let plan = &p.needs[i].pledges[k];
            let d = &plan.deliveries[j];
            let qty = d.qty.min(pledge.quantity - pledge.delivered);
            if qty <= 0 || pledge.state != PledgeState::Active {
                return Ok(());
            }
            live.proofs += 1;
            let proof = proof_upload(live.proofs, &p.needs[i], plan, d, at);
            let raw = RawDelivery { quantity: Some(qty.to_string()), delivered_on: None, note: d.note.map(str::to_string) };
            app.record_delivery(&token, &raw, proof, at).await.map_err(app_err)?;
            live.deliveries.insert((i, k, j), delivery_id(app, need, pid).await?);
        }
        Step::Confirm(i, k, j) => {
            let (Some(need), Some(did)) = (live.needs[i], live.deliveries.get(&(i, k, j)).copied()) else { return Ok(()) };
            let (_, token) = org_of(live, i)?;
            app.confirm_delivery(&token, need, did, at).await.map_err(app_err)?;
        }
        Step::Dispute(i, k, j) => {
            let (Some(need), Some(did)) = (live.needs[i], live.deliveries.get(&(i, k, j)).copied()) else { return Ok(()) };
            let Then::Dispute { reason, .. } = p.needs[i].pledges[k].deliveries[j].then else { return Ok(()) };
            let (_, token) = org_of(live, i)?;
            app.dispute_delivery(&token, need, did, &Some(reason.to_string()), at).await.map_err(app_err)?;
        }
        Step::Resolve(i, k, j) => {
            let Some(did) = live.deliveries.get(&(i, k, j)).copied() else { return Ok(()) };
            let Then::Dispute { resolve: Some((_, accept, note)), .. } = p.needs[i].pledges[k].deliveries[j].then else { return Ok(()) };
            app.resolve_dispute(officer, did, accept, &Some(note.to_string()), at).await.map_err(app_err)?;
        }
        Step::CancelNeed(i) => {
            let (Some(need), Some((_, reason))) = (live.needs[i], p.needs[i].cancel) else { return Ok(()) };
            let (_, token) = org_of(live, i)?;
            app.cancel_need(&token, need, &Some(reason.to_string()), at).await.map_err(app_err)?;
        }
        Step::Report(i) => {
            let (Some(need), Some((_, raw))) = (live.needs[i], &p.needs[i].report) else { return Ok(()) };
            app.report_need(need, raw, at).await.map_err(app_err)?;
        }
        Step::TakeDown(i) => {
            let Some(need) = live.needs[i] else { return Ok(()) };
            app.take_down(officer, need, &Some(TAKEDOWN_NOTE.to_string()), at).await.map_err(app_err)?;
        }
        Step::Beneficiaries(i) => {
            let (Some(need), Some((_, rows))) = (live.needs[i], &p.needs[i].beneficiaries) else { return Ok(()) };
            let outcome = app.upload_beneficiaries(officer, need, rows, at).await.map_err(|e| match e {
                BeneficiaryError::App(e) => app_err(e),
                BeneficiaryError::Rows(problems) => anyhow!("beneficiary list refused: {problems:?}"),
            })?;
            live.flagged += outcome.flags.len();
        }
        Step::Schedule => {
            app.run_aid_schedule(at).await.map_err(app_err)?;
        }
    }
    Ok(())
}

/// Seeds the kolaborasi demo through the use cases; `officer` is the petugas sosial who verifies
/// and moderates. Returns (organisations, needs). Fails if the result misses a state the demo
/// must show.
pub async fn seed(app: &App, officer: &Actor, now: DateTime<Utc>) -> Result<(usize, usize)> {
    let plan = plan(app, now)?;
    let mut live = Live {
        orgs: vec![None; plan.orgs.len()],
        needs: vec![None; plan.needs.len()],
        pledges: plan.needs.iter().map(|n| vec![None; n.pledges.len()]).collect(),
        ..Default::default()
    };
    for (at, _, step) in timeline(&plan, now) {
        replay(app, officer, &plan, &mut live, step, at).await.with_context(|| format!("demo kolaborasi: {step:?} at {at}"))?;
    }
    app.run_aid_schedule(now).await.map_err(app_err).context("demo kolaborasi: expiry job")?;
    if live.flagged == 0 {
        bail!("demo kolaborasi: the duplicate-aid guard flagged no household on the overlapping lists");
    }
    // The replay queued months of mail (registrations, pledges, deliveries); mark them handled
    // so the demo does not send them on its first start. New activity sends mail as usual.
    loop {
        let batch = app.store.claim_mails(now, 60, 100).await.context("demo kolaborasi: outbox")?;
        if batch.is_empty() {
            break;
        }
        for m in batch {
            app.store.mail_sent(m.id, now).await.context("demo kolaborasi: outbox")?;
        }
    }
    check_states(app).await?;
    let orgs = live.orgs.iter().filter(|o| o.is_some()).count();
    let needs = live.needs.iter().filter(|n| n.is_some()).count();
    tracing::info!(orgs, needs, proofs = live.proofs, "demo kolaborasi seeded");
    Ok((orgs, needs))
}

/// Every organisation, need, pledge and delivery state appears.
async fn check_states(app: &App) -> Result<()> {
    let orgs: BTreeSet<OrgState> = app.store.list_orgs(OrgState::ALL).await?.iter().map(|o| o.state).collect();
    let needs = app.store.list_needs(&NeedFilter::default()).await?.items;
    let need_states: BTreeSet<NeedState> = needs.iter().map(|n| n.state).collect();
    let mut pledge_states = BTreeSet::new();
    let mut delivery_states = BTreeSet::new();
    for n in &needs {
        pledge_states.extend(app.store.pledges_of(n.id).await?.iter().map(|p| p.state));
        delivery_states.extend(app.store.deliveries_of(n.id).await?.iter().map(|d| d.state));
    }
    let missing: Vec<&str> = OrgState::ALL
        .iter()
        .filter(|s| !orgs.contains(s))
        .map(|s| s.as_str())
        .chain(NeedState::ALL.iter().filter(|s| !need_states.contains(s)).map(|s| s.as_str()))
        .chain(PledgeState::ALL.iter().filter(|s| !pledge_states.contains(s)).map(|s| s.as_str()))
        .chain(DeliveryState::ALL.iter().filter(|s| !delivery_states.contains(s)).map(|s| s.as_str()))
        .collect();
    if !missing.is_empty() {
        bail!("demo kolaborasi: no organisation, need, pledge or delivery is in state(s) {missing:?}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use terbuka_domain::kolaborasi::parse_beneficiaries;

    #[test]
    fn photos_are_png() {
        let a = png_photo(1);
        assert!(a.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(a.ends_with(&[0xAE, 0x42, 0x60, 0x82]), "IEND with its CRC");
        assert_ne!(a, png_photo(2));
    }

    #[test]
    fn beneficiary_lists_parse_and_overlap() {
        let mut rng = StdRng::seed_from_u64(1);
        let a = beneficiary_rows(&mut rng, "31.75.03.1001", 1..41);
        let b = beneficiary_rows(&mut rng, "31.75.03.1001", 36..71);
        let a = parse_beneficiaries(&a).expect("list a");
        let b = parse_beneficiaries(&b).expect("list b");
        let ka: BTreeSet<&str> = a.iter().map(|x| x.household.as_str()).collect();
        let kb: BTreeSet<&str> = b.iter().map(|x| x.household.as_str()).collect();
        assert_eq!(ka.intersection(&kb).count(), 5);
        assert_eq!(ka.len(), 40);
    }

    #[test]
    fn amounts_are_steps() {
        let mut rng = StdRng::seed_from_u64(3);
        for it in ITEMS {
            for _ in 0..50 {
                let q = amount(&mut rng, it.need, it.step);
                assert!(q >= it.step && q <= it.need.1 && q % it.step == 0, "{} {q}", it.code);
                assert!(q <= terbuka_domain::kolaborasi::MAX_QUANTITY);
            }
        }
    }
}
