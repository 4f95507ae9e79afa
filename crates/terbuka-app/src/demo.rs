//! Demo data: a realistic provincial public body, "Pemerintah Provinsi DKI Jakarta", with about
//! 18 months of request history.
//!
//! The history is not written into the tables directly: it is replayed through the real use
//! cases of [`App`] with past timestamps, in chronological order, so every registration number,
//! deadline, history entry, queued mail and audit entry is what the live service would have
//! produced. The daily closing job runs during the replay (at 00:30 WIB each day), so requests
//! close on the day their objection window passed.
//!
//! Everything is generated from a fixed seed (`StdRng::seed_from_u64(2026)`) relative to `now`:
//! the same `now` and count give the same history. All people and organisations are invented;
//! NIKs carry the DKI province code (31) and plausible birth dates, e-mail addresses use the
//! reserved `example.*` domains.
//!
//! The shape of the history:
//! - older requests mostly got their written notice on time, some late, some after the one
//!   extension; every outcome appears (full and partial grants with released documents,
//!   refusals with ground, consequence test and the Atasan PPID's approval, forwardings to the
//!   body holding the information, "not yet documented" with a date); most grants were delivered,
//!   a few after a copying fee; a few requests were withdrawn or re-routed;
//! - the last weeks are left open: unrouted, in process (some due soon), extended, a few overdue,
//!   and some recent decisions whose objection window is still running;
//! - about 5% carry a keberatan: upheld, rejected, settled by deliberation, some still open, and
//!   some taken on to the Komisi Informasi (filed, registered, one mediated to the end).

use crate::error::AppError;
use crate::service::{App, Upload};
use anyhow::{anyhow, Context, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use rand::distributions::uniform::SampleRange;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use terbuka_domain::audit::NewAuditEntry;
use terbuka_domain::authz::Actor;
use terbuka_domain::calendar::{wib_date, CutiBersama, DeadlineOwner, Deadlines};
use terbuka_domain::objection::ObjectionEvent;
use terbuka_domain::validate::{RawNotice, RawObjection, RawOfficer, RawRequest};
use terbuka_domain::{ExemptionGround, ObjectionId, OfficerId, Outcome, RequestId, Role, UnitId, UnitKind};
use terbuka_store::NewUnit;

/// A demo account, as printed by `terbuka demo` and the README.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    pub username: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub unit_code: Option<&'static str>,
}

/// What [`seed_if_empty`] created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSummary {
    pub units: usize,
    pub officers: usize,
    pub requests: usize,
    pub objections: usize,
    /// Items of the public information register.
    pub items: usize,
    /// Kolaborasi: organisations registered and aid needs posted.
    pub aid_orgs: usize,
    pub aid_needs: usize,
}

const SEED: u64 = 2026;
/// How far back the history reaches (about 18 months).
const HISTORY_DAYS: f64 = 548.0;
const AUDIT_ACTOR: &str = "system:demo";

// ------------------------------------------------------------------ the organisation

struct UnitSpec {
    code: &'static str,
    name: &'static str,
    name_en: &'static str,
    kind: UnitKind,
    /// Who holds information this unit does not (the body a `not_held` notice forwards to).
    holder: &'static str,
}

const U_UTAMA: usize = 0;
const U_DINKES: usize = 1;
const U_DINSOS: usize = 2;
const U_BPBD: usize = 3;
const U_KOMINFO: usize = 4;
const U_DISDIK: usize = 5;
const U_JAKPUS: usize = 6;
const U_KEBONSIRIH: usize = 7;

const UNITS: &[UnitSpec] = &[
    UnitSpec {
        code: "ppid-utama",
        name: "PPID Utama — Dinas Komunikasi, Informatika dan Statistik",
        name_en: "Main PPID — Communication, Informatics and Statistics Agency",
        kind: UnitKind::Utama,
        holder: "Badan Pusat Statistik Provinsi DKI Jakarta",
    },
    UnitSpec { code: "dinkes", name: "Dinas Kesehatan", name_en: "Health Agency", kind: UnitKind::Pelaksana, holder: "Kementerian Kesehatan RI" },
    UnitSpec { code: "dinsos", name: "Dinas Sosial", name_en: "Social Affairs Agency", kind: UnitKind::Pelaksana, holder: "Kementerian Sosial RI" },
    UnitSpec {
        code: "bpbd",
        name: "Badan Penanggulangan Bencana Daerah (BPBD)",
        name_en: "Regional Disaster Management Agency (BPBD)",
        kind: UnitKind::Pelaksana,
        holder: "Badan Meteorologi, Klimatologi, dan Geofisika (BMKG)",
    },
    UnitSpec {
        code: "diskominfotik",
        name: "Dinas Komunikasi, Informatika dan Statistik",
        name_en: "Communication, Informatics and Statistics Agency",
        kind: UnitKind::Pelaksana,
        holder: "Badan Pusat Statistik Provinsi DKI Jakarta",
    },
    UnitSpec {
        code: "disdik",
        name: "Dinas Pendidikan",
        name_en: "Education Agency",
        kind: UnitKind::Pelaksana,
        holder: "Kementerian Pendidikan Dasar dan Menengah RI",
    },
    UnitSpec {
        code: "kota-jakpus",
        name: "Kota Administrasi Jakarta Pusat",
        name_en: "Central Jakarta City Administration",
        kind: UnitKind::Pelaksana,
        holder: "Kantor Pertanahan Kota Administrasi Jakarta Pusat (BPN)",
    },
    UnitSpec {
        code: "kel-kebon-sirih",
        name: "Kelurahan Kebon Sirih",
        name_en: "Kebon Sirih Urban Village Office",
        kind: UnitKind::Pelaksana,
        holder: "Badan Pusat Statistik Kota Jakarta Pusat",
    },
];

struct OfficerSpec {
    username: &'static str,
    password: &'static str,
    role: Role,
    unit: Option<usize>,
    display_name: &'static str,
    email: &'static str,
}

const OFFICERS: &[OfficerSpec] = &[
    OfficerSpec {
        username: "admin",
        password: "demo-admin-2026!",
        role: Role::Admin,
        unit: None,
        display_name: "Administrator Sistem PPID",
        email: "admin@ppid.example.go.id",
    },
    OfficerSpec {
        username: "utama",
        password: "demo-utama-2026!",
        role: Role::PpidUtama,
        unit: Some(U_UTAMA),
        display_name: "Rina Kusumawati",
        email: "utama@ppid.example.go.id",
    },
    OfficerSpec {
        username: "dinkes",
        password: "demo-dinkes-2026!",
        role: Role::PpidPelaksana,
        unit: Some(U_DINKES),
        display_name: "dr. Hendra Wijaya",
        email: "dinkes@ppid.example.go.id",
    },
    OfficerSpec {
        username: "dinsos",
        password: "demo-dinsos-2026!",
        role: Role::PpidPelaksana,
        unit: Some(U_DINSOS),
        display_name: "Sri Wahyuningsih",
        email: "dinsos@ppid.example.go.id",
    },
    OfficerSpec {
        username: "bpbd",
        password: "demo-bpbd-2026!",
        role: Role::PpidPelaksana,
        unit: Some(U_BPBD),
        display_name: "Bambang Hermawan",
        email: "bpbd@ppid.example.go.id",
    },
    OfficerSpec {
        username: "kominfotik",
        password: "demo-kominfotik-2026!",
        role: Role::PpidPelaksana,
        unit: Some(U_KOMINFO),
        display_name: "Dewi Anggraini",
        email: "kominfotik@ppid.example.go.id",
    },
    OfficerSpec {
        username: "disdik",
        password: "demo-disdik-2026!",
        role: Role::PpidPelaksana,
        unit: Some(U_DISDIK),
        display_name: "Yusuf Hidayat",
        email: "disdik@ppid.example.go.id",
    },
    OfficerSpec {
        username: "jakpus",
        password: "demo-jakpus-2026!",
        role: Role::PpidPelaksana,
        unit: Some(U_JAKPUS),
        display_name: "Maria Simanjuntak",
        email: "jakpus@ppid.example.go.id",
    },
    OfficerSpec {
        username: "kebonsirih",
        password: "demo-kebonsirih-2026!",
        role: Role::PpidPelaksana,
        unit: Some(U_KEBONSIRIH),
        display_name: "Ahmad Fauzi",
        email: "kebonsirih@ppid.example.go.id",
    },
    OfficerSpec {
        username: "atasan",
        password: "demo-atasan-2026!",
        role: Role::AtasanPpid,
        unit: None,
        display_name: "Sekretaris Daerah Provinsi DKI Jakarta",
        email: "sekda@ppid.example.go.id",
    },
    OfficerSpec {
        username: "sosial",
        password: "demo-sosial-2026!",
        role: Role::PetugasSosial,
        unit: None,
        display_name: "Nur Aini Lubis",
        email: "sosial@ppid.example.go.id",
    },
];

/// The demo accounts with their fixed passwords (demo only: never use them on a real system).
pub fn demo_logins() -> Vec<DemoLogin> {
    OFFICERS.iter().map(|o| DemoLogin { username: o.username, password: o.password, role: o.role, unit_code: o.unit.map(|u| UNITS[u].code) }).collect()
}

// ------------------------------------------------------------------ vocabulary

/// (kelurahan, kecamatan, kota, NIK regency code)
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Kebon Sirih", "Menteng", "Jakarta Pusat", "3173"),
    ("Gondangdia", "Menteng", "Jakarta Pusat", "3173"),
    ("Cikini", "Menteng", "Jakarta Pusat", "3173"),
    ("Petojo Utara", "Gambir", "Jakarta Pusat", "3173"),
    ("Kebon Kacang", "Tanah Abang", "Jakarta Pusat", "3173"),
    ("Bendungan Hilir", "Tanah Abang", "Jakarta Pusat", "3173"),
    ("Galur", "Johar Baru", "Jakarta Pusat", "3173"),
    ("Kampung Melayu", "Jatinegara", "Jakarta Timur", "3172"),
    ("Bidara Cina", "Jatinegara", "Jakarta Timur", "3172"),
    ("Cawang", "Kramat Jati", "Jakarta Timur", "3172"),
    ("Pondok Kopi", "Duren Sawit", "Jakarta Timur", "3172"),
    ("Tebet Barat", "Tebet", "Jakarta Selatan", "3171"),
    ("Pela Mampang", "Mampang Prapatan", "Jakarta Selatan", "3171"),
    ("Cilandak Barat", "Cilandak", "Jakarta Selatan", "3171"),
    ("Pejaten Timur", "Pasar Minggu", "Jakarta Selatan", "3171"),
    ("Pluit", "Penjaringan", "Jakarta Utara", "3175"),
    ("Kapuk Muara", "Penjaringan", "Jakarta Utara", "3175"),
    ("Sunter Agung", "Tanjung Priok", "Jakarta Utara", "3175"),
    ("Rawa Buaya", "Cengkareng", "Jakarta Barat", "3174"),
    ("Duri Kosambi", "Cengkareng", "Jakarta Barat", "3174"),
    ("Tomang", "Grogol Petamburan", "Jakarta Barat", "3174"),
];

const KECAMATAN_PUSAT: &[&str] = &["Gambir", "Sawah Besar", "Kemayoran", "Senen", "Cempaka Putih", "Menteng", "Tanah Abang", "Johar Baru"];
const KOTA: &[&str] = &["Jakarta Pusat", "Jakarta Utara", "Jakarta Barat", "Jakarta Selatan", "Jakarta Timur"];
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
    "Kemang Selatan",
    "Letjen Suprapto",
    "Percetakan Negara",
    "Kali Pasir",
    "Jatinegara Barat",
    "Bendungan Hilir Raya",
    "Pejaten Raya",
    "Sunter Jaya",
    "Tomang Raya",
];
const MONTHS: &[&str] = &["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"];
const ROMAN: &[&str] = &["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];

const MALE: &[&str] = &[
    "Budi", "Agus", "Andi", "Rizky", "Fajar", "Dimas", "Arif", "Yoga", "Hendra", "Taufik", "Irfan", "Bayu", "Reza", "Ilham", "Wahyu", "Joko", "Eko", "Fikri",
    "Aditya", "Gilang", "Rudi", "Yohanes", "Made", "Kevin",
];
const FEMALE: &[&str] = &[
    "Siti", "Dewi", "Ayu", "Rina", "Nurul", "Putri", "Fitri", "Indah", "Maya", "Ratna", "Lestari", "Anisa", "Wulan", "Intan", "Yuni", "Dian", "Sari", "Mega",
    "Nadia", "Aulia", "Ketut", "Maria", "Cindy",
];
const SURNAMES: &[&str] = &[
    "Santoso",
    "Wijaya",
    "Saputra",
    "Hidayat",
    "Pratama",
    "Kusuma",
    "Setiawan",
    "Nugroho",
    "Siregar",
    "Nasution",
    "Simanjuntak",
    "Hutapea",
    "Lubis",
    "Harahap",
    "Rahman",
    "Hakim",
    "Purnomo",
    "Susanto",
    "Gunawan",
    "Halim",
    "Tanjung",
    "Sitompul",
    "Wibowo",
    "Pangaribuan",
    "Manurung",
    "Sembiring",
    "Ginting",
    "Rangkuti",
    "Maulana",
    "Ramadhan",
    "Firmansyah",
    "Permana",
    "Rahayu",
    "Utami",
    "Handayani",
    "Safitri",
    "Tanoto",
    "Sutanto",
];
const OCCUPATIONS: &[&str] = &[
    "Mahasiswa",
    "Mahasiswa",
    "Peneliti",
    "Wiraswasta",
    "Karyawan Swasta",
    "Karyawan Swasta",
    "Guru",
    "Dosen",
    "Ibu Rumah Tangga",
    "Wartawan",
    "Pensiunan",
    "Advokat",
    "Pengemudi Ojek Daring",
    "Pedagang",
    "Pegiat Lingkungan",
    "Pengurus RT",
];
const PSEUDONYMS: &[&str] = &[
    "Warga Menteng",
    "Pemerhati Kesehatan",
    "Mahasiswa Jakarta",
    "Jurnalis Warga",
    "Peneliti Independen",
    "Ibu Rumah Tangga Cempaka Putih",
    "Relawan Banjir",
    "Orang Tua Murid",
    "Warga Kebon Sirih",
    "Pemantau Anggaran",
];
const PURPOSES_PERSON: &[&str] = &[
    "Bahan penulisan skripsi di program studi administrasi publik.",
    "Penelitian tesis magister kebijakan publik.",
    "Kepentingan pribadi untuk mengetahui hak saya sebagai warga.",
    "Pemantauan pelayanan publik di lingkungan tempat tinggal saya.",
    "Bahan diskusi warga dalam rapat RW.",
    "Pengawasan penggunaan anggaran publik oleh warga.",
    "Bahan penyusunan usulan Musrenbang kelurahan.",
    "Referensi untuk tugas kuliah mata kuliah kebijakan kesehatan.",
];

/// A legal entity that asks for information: an NGO or a media company (invented names).
struct Entity {
    name: &'static str,
    slug: &'static str,
    media: bool,
    address: &'static str,
}

const ENTITIES: &[Entity] = &[
    Entity {
        name: "Perkumpulan Pemantau Anggaran Kota",
        slug: "pemantauanggaran",
        media: false,
        address: "Jl. Tebet Timur Dalam Raya No. 18, Tebet, Jakarta Selatan",
    },
    Entity { name: "Yayasan Transparansi Warga Jakarta", slug: "transparansiwarga", media: false, address: "Jl. Cikini Raya No. 42, Menteng, Jakarta Pusat" },
    Entity {
        name: "Perkumpulan Jaringan Advokasi Kesehatan Publik",
        slug: "advokasikesehatan",
        media: false,
        address: "Jl. Salemba Tengah No. 9, Paseban, Jakarta Pusat",
    },
    Entity { name: "Yayasan Peduli Bencana Nusantara", slug: "pedulibencana", media: false, address: "Jl. Otista Raya No. 77, Jatinegara, Jakarta Timur" },
    Entity {
        name: "Perkumpulan Kajian Kebijakan Pendidikan",
        slug: "kajianpendidikan",
        media: false,
        address: "Jl. Pejaten Raya No. 5, Pasar Minggu, Jakarta Selatan",
    },
    Entity { name: "PT Kabar Ibu Kota Media", slug: "kabaribukota", media: true, address: "Jl. Kebon Sirih No. 60, Menteng, Jakarta Pusat" },
    Entity { name: "PT Warta Metropolitan Digital", slug: "wartametropolitan", media: true, address: "Jl. Letjen S. Parman Kav. 12, Slipi, Jakarta Barat" },
    Entity { name: "PT Suara Warga Nusantara Pers", slug: "suarawarga", media: true, address: "Jl. Pemuda No. 101, Rawamangun, Jakarta Timur" },
];

// ------------------------------------------------------------------ what people ask for

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sens {
    /// Ordinary public information.
    Open,
    /// Public in aggregate, but the documents name people (partial grants with ground h).
    Personal,
    /// Likely exempt on the given Pasal 17 ground.
    Exempt(ExemptionGround),
}

struct Tpl {
    unit: usize,
    subject: &'static str,
    details: &'static str,
    sens: Sens,
}

const fn tpl(unit: usize, subject: &'static str, details: &'static str, sens: Sens) -> Tpl {
    Tpl { unit, subject, details, sens }
}

use ExemptionGround as G;
use Sens::{Exempt, Open, Personal};

/// Placeholders: {kec}, {kel}, {kota}, {kecpusat}, {year}, {next}, {month}.
const TEMPLATES: &[Tpl] = &[
    // Dinas Kesehatan
    tpl(U_DINKES, "Data kasus demam berdarah per kecamatan {year}", "Mohon data jumlah kasus demam berdarah dengue (DBD) per kecamatan di Kota Administrasi {kota} tahun {year}, dirinci per bulan, beserta jumlah kasus meninggal.", Open),
    tpl(U_DINKES, "Anggaran pengadaan vaksin tahun {year}", "Rincian anggaran dan realisasi pengadaan vaksin (termasuk influenza dan HPV) di Dinas Kesehatan tahun anggaran {year}, beserta nama penyedia dan nilai kontraknya.", Open),
    tpl(U_DINKES, "Jumlah tenaga kesehatan di Puskesmas Kecamatan {kec}", "Data jumlah dokter umum, dokter gigi, perawat, bidan dan tenaga kesehatan lain yang bertugas di Puskesmas Kecamatan {kec} per {month} {year}.", Open),
    tpl(U_DINKES, "Prevalensi stunting balita per kelurahan {year}", "Data prevalensi stunting balita hasil penimbangan di posyandu per kelurahan di Kecamatan {kec} tahun {year}, serta program intervensi yang dijalankan.", Open),
    tpl(U_DINKES, "Cakupan imunisasi dasar lengkap Kota Administrasi {kota} {year}", "Persentase cakupan imunisasi dasar lengkap bayi per kecamatan di Kota Administrasi {kota} tahun {year} dan target yang ditetapkan.", Open),
    tpl(U_DINKES, "Kunjungan pasien ISPA di puskesmas {month} {year}", "Jumlah kunjungan pasien infeksi saluran pernapasan akut (ISPA) di seluruh puskesmas kecamatan pada bulan {month} {year}, dirinci per kecamatan.", Open),
    tpl(U_DINKES, "Daftar pasien tuberkulosis Puskesmas Kecamatan {kec} {year}", "Daftar pasien tuberkulosis yang ditangani Puskesmas Kecamatan {kec} tahun {year} beserta status pengobatannya, untuk pemantauan program pendampingan pasien.", Personal),
    tpl(U_DINKES, "Identitas pasien HIV yang berobat di Puskesmas Kecamatan {kec}", "Nama, alamat dan status pengobatan pasien HIV yang terdaftar di layanan PDP Puskesmas Kecamatan {kec} tahun {year}.", Exempt(G::H)),
    // Dinas Sosial
    tpl(U_DINSOS, "Data penerima bansos per kelurahan di Kecamatan {kec} {year}", "Jumlah keluarga penerima bantuan sosial (sembako, PKH dan bantuan pangan daerah) per kelurahan di Kecamatan {kec} tahun {year}.", Open),
    tpl(U_DINSOS, "Daftar penerima Kartu Lansia Jakarta di Kelurahan {kel}", "Daftar nama penerima Kartu Lansia Jakarta (KLJ) di Kelurahan {kel} tahun {year}, untuk mencocokkan dengan data warga lansia di RW kami.", Personal),
    tpl(U_DINSOS, "Anggaran penanganan PMKS tahun {year}", "Rincian anggaran dan realisasi penanganan Penyandang Masalah Kesejahteraan Sosial (PMKS) di Dinas Sosial tahun {year}, per jenis kegiatan.", Open),
    tpl(U_DINSOS, "Jumlah penghuni panti sosial per {month} {year}", "Jumlah penghuni tiap panti sosial milik Pemerintah Provinsi DKI Jakarta per {month} {year} dan kapasitas tampungnya.", Open),
    tpl(U_DINSOS, "Mekanisme pemutakhiran DTKS di Provinsi DKI Jakarta {year}", "Standar operasional prosedur verifikasi dan validasi Data Terpadu Kesejahteraan Sosial (DTKS) yang digunakan tahun {year} dan jadwal pemutakhirannya.", Open),
    tpl(U_DINSOS, "Bantuan sosial bagi korban kebakaran di Kecamatan {kec} {year}", "Realisasi bantuan sosial bagi warga korban kebakaran permukiman di Kecamatan {kec} tahun {year}: jumlah keluarga, jenis dan nilai bantuan.", Open),
    tpl(U_DINSOS, "NIK dan alamat penerima Kartu Penyandang Disabilitas Jakarta", "Data NIK, nama dan alamat lengkap seluruh penerima Kartu Penyandang Disabilitas Jakarta di Kota Administrasi {kota} tahun {year}.", Exempt(G::H)),
    // BPBD
    tpl(U_BPBD, "Daftar lokasi pengungsian banjir {month} {year}", "Daftar lokasi pengungsian saat banjir {month} {year} beserta jumlah pengungsi, lama pengungsian dan bantuan logistik yang disalurkan.", Open),
    tpl(U_BPBD, "Peta rawan banjir Kecamatan {kec}", "Peta kawasan rawan banjir dan genangan di Kecamatan {kec} yang digunakan BPBD sebagai dasar rencana penanggulangan bencana.", Open),
    tpl(U_BPBD, "Belanja Tidak Terduga penanganan banjir {year}", "Rincian penggunaan Belanja Tidak Terduga (BTT) untuk penanganan darurat banjir tahun {year}, termasuk pengadaan perahu karet dan pompa mobile.", Open),
    tpl(U_BPBD, "Tinggi muka air Pintu Air Manggarai {month} {year}", "Data tinggi muka air harian di Pintu Air Manggarai dan Bendung Katulampa selama {month} {year}.", Open),
    tpl(U_BPBD, "Lokasi sirene peringatan dini banjir", "Jumlah, lokasi dan status berfungsinya sirene peringatan dini (Disaster Warning System) banjir di wilayah Kota Administrasi {kota}.", Open),
    tpl(U_BPBD, "Rencana kontinjensi gempa bumi Provinsi DKI Jakarta", "Dokumen rencana kontinjensi menghadapi gempa bumi yang berlaku di Provinsi DKI Jakarta, termasuk titik kumpul evakuasi.", Open),
    tpl(U_BPBD, "Kejadian bencana dan warga terdampak di Kota Administrasi {kota} {year}", "Rekapitulasi kejadian bencana (banjir, angin kencang, tanah longsor) dan jumlah warga terdampak di Kota Administrasi {kota} tahun {year}.", Open),
    tpl(U_BPBD, "Notulen rapat koordinasi internal penanganan banjir awal {year}", "Notulen dan bahan paparan rapat koordinasi internal pimpinan BPBD tentang evaluasi penanganan banjir awal tahun {year}.", Exempt(G::I)),
    // Dinas Komunikasi, Informatika dan Statistik
    tpl(U_KOMINFO, "Statistik laporan warga melalui aplikasi JAKI {year}", "Jumlah laporan warga yang masuk melalui aplikasi JAKI tahun {year}, dirinci per kategori, per wilayah kota dan rata-rata waktu penyelesaian.", Open),
    tpl(U_KOMINFO, "Lokasi titik JakWIFI di Kecamatan {kec}", "Daftar lokasi titik akses internet publik JakWIFI di Kecamatan {kec} dan jumlah penggunanya per bulan tahun {year}.", Open),
    tpl(U_KOMINFO, "Kontrak pengadaan layanan pusat data tahun {year}", "Salinan ringkasan kontrak pengadaan layanan pusat data (data center) dan cloud tahun anggaran {year}: penyedia, nilai dan jangka waktu.", Open),
    tpl(U_KOMINFO, "Daftar Informasi Publik Pemerintah Provinsi DKI Jakarta {year}", "Salinan Daftar Informasi Publik (DIP) Pemerintah Provinsi DKI Jakarta yang ditetapkan untuk tahun {year}.", Open),
    tpl(U_KOMINFO, "Data kunjungan situs resmi Pemprov DKI Jakarta {year}", "Jumlah kunjungan bulanan situs resmi Pemerintah Provinsi DKI Jakarta tahun {year} dan halaman yang paling banyak diakses.", Open),
    tpl(U_KOMINFO, "Anggaran pemeliharaan kamera CCTV di Kecamatan {kec} {year}", "Rincian anggaran pemeliharaan kamera CCTV milik Pemprov DKI di Kecamatan {kec} tahun {year} dan jumlah kamera yang berfungsi.", Open),
    tpl(U_KOMINFO, "Kajian internal integrasi data kependudukan {year}", "Dokumen kajian internal rencana integrasi data kependudukan antar perangkat daerah tahun {year}, termasuk rekomendasi yang belum diputuskan pimpinan.", Exempt(G::I)),
    // Dinas Pendidikan
    tpl(U_DISDIK, "Data penerima KJP Plus per jenjang di Kecamatan {kec} {year}", "Jumlah penerima Kartu Jakarta Pintar (KJP) Plus per jenjang sekolah di Kecamatan {kec} tahun {year} dan besaran dana yang disalurkan.", Open),
    tpl(U_DISDIK, "Daya tampung SMA negeri tahun ajaran {year}/{next}", "Daya tampung tiap SMA negeri di Kota Administrasi {kota} pada penerimaan murid baru tahun ajaran {year}/{next}, per jalur penerimaan.", Open),
    tpl(U_DISDIK, "Ruang kelas rusak di SD negeri Kota Administrasi {kota} {year}", "Data jumlah ruang kelas rusak ringan, sedang dan berat di sekolah dasar negeri Kota Administrasi {kota} tahun {year} serta rencana rehabilitasinya.", Open),
    tpl(U_DISDIK, "Anggaran rehabilitasi gedung sekolah tahun {year}", "Daftar sekolah yang direhabilitasi tahun {year} beserta nilai kontrak dan nama penyedia jasa konstruksinya.", Open),
    tpl(U_DISDIK, "Jumlah guru honorer di sekolah negeri Kecamatan {kec}", "Jumlah guru honorer dan guru kontrak kerja individu (KKI) di sekolah negeri Kecamatan {kec} per {month} {year}.", Open),
    tpl(U_DISDIK, "Nama dan nilai siswa penerima beasiswa prestasi {year}", "Daftar nama, sekolah dan nilai rapor siswa penerima beasiswa prestasi Pemprov DKI tahun {year}.", Personal),
    // Kota Administrasi Jakarta Pusat
    tpl(U_JAKPUS, "Penertiban bangunan liar di Kecamatan {kecpusat} {year}", "Data kegiatan penertiban bangunan liar di Kecamatan {kecpusat} tahun {year}: lokasi, jumlah bangunan dan dasar surat perintahnya.", Open),
    tpl(U_JAKPUS, "Rekapitulasi pengaduan warga Jakarta Pusat {year}", "Rekapitulasi pengaduan warga melalui kanal CRM yang ditangani Kota Administrasi Jakarta Pusat tahun {year}, per kategori dan status penyelesaian.", Open),
    tpl(U_JAKPUS, "Realisasi anggaran kegiatan Kecamatan {kecpusat} {year}", "Realisasi anggaran kegiatan Kecamatan {kecpusat} tahun {year} per program, termasuk kegiatan pemberdayaan masyarakat.", Open),
    tpl(U_JAKPUS, "Izin penyelenggaraan reklame di Jalan MH Thamrin {year}", "Daftar izin penyelenggaraan reklame di koridor Jalan MH Thamrin tahun {year}: lokasi titik, ukuran dan masa berlaku.", Open),
    tpl(U_JAKPUS, "Rencana penataan kawasan Kecamatan {kecpusat} {year}", "Dokumen rencana penataan kawasan permukiman padat di Kecamatan {kecpusat} tahun {year} dan jadwal sosialisasinya kepada warga.", Open),
    tpl(U_JAKPUS, "Jadwal Musrenbang tingkat Kota Jakarta Pusat {year}", "Jadwal, lokasi dan hasil Musyawarah Perencanaan Pembangunan (Musrenbang) tingkat Kota Administrasi Jakarta Pusat tahun {year}.", Open),
    tpl(U_JAKPUS, "Berkas pemeriksaan dugaan pungutan liar di Kecamatan {kecpusat}", "Berita acara dan laporan hasil pemeriksaan atas dugaan pungutan liar pelayanan perizinan di Kecamatan {kecpusat} tahun {year}.", Exempt(G::A)),
    tpl(U_JAKPUS, "Nota dinas internal relokasi pedagang kaki lima Tanah Abang", "Nota dinas internal Wali Kota dan bahan rapat pimpinan tentang rencana relokasi pedagang kaki lima di kawasan Tanah Abang tahun {year}.", Exempt(G::I)),
    // Kelurahan Kebon Sirih
    tpl(U_KEBONSIRIH, "Jumlah penduduk per RW Kelurahan Kebon Sirih {year}", "Data jumlah penduduk, kepala keluarga dan komposisi usia per RW di Kelurahan Kebon Sirih per {month} {year}.", Open),
    tpl(U_KEBONSIRIH, "Usulan Musrenbang Kelurahan Kebon Sirih {year}", "Daftar usulan kegiatan hasil Musrenbang Kelurahan Kebon Sirih tahun {year} dan status usulan yang diterima di tingkat kecamatan.", Open),
    tpl(U_KEBONSIRIH, "Laporan penggunaan Dana Kelurahan Kebon Sirih {year}", "Laporan realisasi penggunaan dana kelurahan Kebon Sirih tahun {year}, termasuk kegiatan padat karya dan pemeliharaan prasarana.", Open),
    tpl(U_KEBONSIRIH, "Jadwal pengangkutan sampah RW 01-10 Kebon Sirih", "Jadwal pengangkutan sampah dan kerja bakti di RW 01 sampai RW 10 Kelurahan Kebon Sirih untuk bulan {month} {year}.", Open),
    tpl(U_KEBONSIRIH, "Daftar pengurus RT dan RW Kelurahan Kebon Sirih {year}", "Daftar nama ketua RT dan RW se-Kelurahan Kebon Sirih yang ditetapkan dengan keputusan lurah tahun {year}.", Open),
    tpl(U_KEBONSIRIH, "Identitas pelapor pengaduan lingkungan RW 03 Kebon Sirih", "Nama dan alamat warga yang melaporkan usaha bengkel di RW 03 Kelurahan Kebon Sirih pada {month} {year}.", Exempt(G::H)),
];

fn consequence_test(ground: ExemptionGround) -> &'static str {
    match ground {
        G::A => "Dokumen merupakan bagian dari pemeriksaan yang masih berjalan oleh Inspektorat dan aparat penegak hukum. Membukanya sekarang dapat menghambat proses penyelidikan dan mengungkap identitas saksi pelapor (UU KIP Pasal 17 huruf a angka 1 dan 4). Kepentingan publik terpenuhi dengan pengumuman hasil akhir pemeriksaan.",
        G::I => "Dokumen adalah memorandum internal yang masih menjadi bahan pertimbangan pimpinan dan belum menjadi keputusan. Membukanya dapat mengganggu proses perumusan kebijakan (UU KIP Pasal 17 huruf i); keputusan akhirnya akan diumumkan kepada publik.",
        _ => "Dokumen memuat nama, NIK, alamat dan keadaan kesehatan atau ekonomi perorangan. Membukanya mengungkap rahasia pribadi (UU KIP Pasal 17 huruf h) dan bertentangan dengan UU 27/2022 tentang Pelindungan Data Pribadi; kepentingan publik terpenuhi dengan data agregat tanpa identitas.",
    }
}

const EXTENSION_REASONS: &[&str] = &[
    "Informasi yang dimohon tersebar di beberapa Suku Dinas dan perlu dihimpun serta diverifikasi terlebih dahulu.",
    "Dokumen perlu melalui uji konsekuensi untuk memisahkan bagian yang dikecualikan sebelum diberikan.",
    "Volume dokumen besar sehingga memerlukan waktu tambahan untuk penggandaan dan pemindaian.",
    "Data masih dalam proses rekapitulasi dari tingkat kecamatan dan kelurahan.",
];

// ------------------------------------------------------------------ small helpers

fn wib_at(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(hour.min(23), minute.min(59), 0).unwrap_or(NaiveTime::MIN);
    (date.and_time(t) - Duration::hours(7)).and_utc()
}

/// An officer's action on `date` during office hours, always after `after`.
fn office(rng: &mut StdRng, date: NaiveDate, after: DateTime<Utc>) -> DateTime<Utc> {
    let date = date.max(wib_date(after));
    let t = wib_at(date, rng.gen_range(8..16), rng.gen_range(0..60));
    if t > after + Duration::minutes(5) {
        t
    } else {
        after + Duration::minutes(rng.gen_range(10..90))
    }
}

/// A requester's action on `date`, at any waking hour, always after `after`.
fn anytime(rng: &mut StdRng, date: NaiveDate, after: DateTime<Utc>) -> DateTime<Utc> {
    let date = date.max(wib_date(after));
    let t = wib_at(date, rng.gen_range(6..23), rng.gen_range(0..60));
    if t > after + Duration::minutes(5) {
        t
    } else {
        after + Duration::minutes(rng.gen_range(10..120))
    }
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
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
    let out: String = out.trim_end_matches('-').chars().take(60).collect();
    out.trim_end_matches('-').to_string()
}

fn rupiah(v: i64) -> String {
    let digits = v.to_string();
    let groups: Vec<&str> = digits.as_bytes().rchunks(3).rev().map(|g| std::str::from_utf8(g).unwrap_or("")).collect();
    groups.join(".")
}

/// Turns a use-case error into an `anyhow` error that keeps the field codes.
fn app_err(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(f) => anyhow!("invalid input: {:?}", f.0),
        AppError::Rejected(code) => anyhow!("not possible: {code}"),
        other => anyhow::Error::new(other),
    }
}

/// A one-page PDF (Helvetica, ASCII) with correct cross-reference offsets.
fn tiny_pdf(lines: &[String]) -> Vec<u8> {
    let mut content = String::from("BT /F1 11 Tf 56 780 Td 16 TL\n");
    for line in lines {
        let ascii: String = line
            .chars()
            .map(|c| match c {
                '—' | '–' => '-',
                c if c.is_ascii() && !c.is_ascii_control() => c,
                _ => '?',
            })
            .collect();
        let escaped = ascii.replace('\\', "\\\\").replace('(', "\\(").replace(')', "\\)");
        content.push_str(&format!("({escaped}) Tj T*\n"));
    }
    content.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        format!("<< /Length {} >>\nstream\n{}\nendstream", content.len(), content),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{}\nendobj\n", i + 1, body).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n", objects.len() + 1, xref).as_bytes());
    pdf
}

// ------------------------------------------------------------------ requesters

/// Fills the requester's identity, how they want the information, and a public display name.
fn requester(rng: &mut StdRng, year: i32) -> RawRequest {
    let roll: f64 = rng.gen();
    let mut r = RawRequest::default();
    if roll < 0.12 {
        // A legal entity: an NGO or a media company, identified by its Kemenkumham decree.
        let e = pick(rng, ENTITIES);
        r.requester_kind = Some("legal_entity".into());
        r.name = Some(e.name.into());
        let (code, from) = if e.media { ("01.01", 2008) } else { ("01.07", 2012) };
        r.id_number = Some(format!("AHU-{:07}.AH.{code}.Tahun {}", rng.gen_range(1000..99999), rng.gen_range(from..=2022)));
        r.address = Some(e.address.into());
        r.phone = Some(format!("(021) {} {}", rng.gen_range(3100..8999), rng.gen_range(1000..9999)));
        r.email = Some(if e.media { format!("redaksi@{}.example.com", e.slug) } else { format!("info@{}.example.org", e.slug) });
        r.occupation = Some(if e.media { "Perusahaan Pers".into() } else { "Lembaga Swadaya Masyarakat".into() });
        if rng.gen_bool(0.3) {
            r.via_proxy = Some("on".into());
            let names = if rng.gen_bool(0.5) { MALE } else { FEMALE };
            r.proxy_name = Some(format!("{} {}", pick(rng, names), pick(rng, SURNAMES)));
            r.proxy_letter = Some(format!("Surat Kuasa Khusus No. {:03}/SKK/{}/{}", rng.gen_range(1..200), pick(rng, ROMAN), year));
        }
        if rng.gen_bool(0.5) {
            r.display_name = Some(e.name.into());
        }
        r.purpose = Some(
            if e.media {
                "Bahan pemberitaan dan liputan mendalam tentang pelayanan publik di Jakarta."
            } else {
                "Kajian dan advokasi kebijakan publik untuk laporan pemantauan tahunan lembaga."
            }
            .into(),
        );
        r.obtain = Some("soft_copy".into());
        r.delivery = Some("email".into());
        return r;
    }
    let female = rng.gen_bool(0.5);
    let first = *pick(rng, if female { FEMALE } else { MALE });
    let last = *pick(rng, SURNAMES);
    let (kel, kec, kota, kab) = *pick(rng, PLACES);
    let day = rng.gen_range(1..=28) + if female { 40 } else { 0 };
    let nik =
        format!("{kab}{:02}{day:02}{:02}{:02}{:04}", rng.gen_range(1..=10), rng.gen_range(1..=12), rng.gen_range(60..=106) % 100, rng.gen_range(1..=2999));
    r.address = Some(format!(
        "Jl. {} No. {}, RT {:03}/RW {:03}, Kel. {kel}, Kec. {kec}, {kota}",
        pick(rng, STREETS),
        rng.gen_range(1..150),
        rng.gen_range(1..15),
        rng.gen_range(1..12)
    ));
    let has_email = rng.gen_bool(0.85);
    if has_email {
        let domain = if rng.gen_bool(0.7) { "example.com" } else { "example.org" };
        r.email = Some(format!("{}.{}{}@{domain}", first.to_lowercase(), last.to_lowercase(), rng.gen_range(1..99)));
    }
    if !has_email || rng.gen_bool(0.85) {
        let prefix = pick(rng, &["11", "12", "13", "21", "22", "52", "53", "56", "57", "58", "77", "78", "81", "95", "96", "98"]);
        r.phone = Some(format!("08{prefix}-{:04}-{:04}", rng.gen_range(0..10000), rng.gen_range(0..10000)));
    }
    if rng.gen_bool(0.06) {
        // A group of residents through a proxy (kuasa).
        r.requester_kind = Some("group".into());
        r.name = Some(format!("Forum Warga RW {:02} Kelurahan {kel}", rng.gen_range(1..12)));
        r.proxy_name = Some(format!("{first} {last}"));
        r.proxy_letter = Some(format!("Surat Kuasa No. {:02}/FW/{}/{}", rng.gen_range(1..40), pick(rng, ROMAN), year));
        r.occupation = Some("Kelompok Warga".into());
    } else {
        r.requester_kind = Some("individual".into());
        r.name = Some(format!("{first} {last}"));
        r.occupation = Some((*pick(rng, OCCUPATIONS)).into());
        if rng.gen_bool(0.15) {
            r.display_name = Some((*pick(rng, PSEUDONYMS)).into());
        }
    }
    r.id_number = Some(nik);
    r.purpose = Some((*pick(rng, PURPOSES_PERSON)).into());
    let (obtain, delivery) = if has_email {
        match rng.gen_range(0..100) {
            0..=64 => ("soft_copy", "email"),
            65..=79 => ("view,soft_copy", "email"),
            80..=89 => ("hard_copy", "pickup"),
            90..=95 => ("hard_copy", "post"),
            _ => ("soft_copy,hard_copy", "courier"),
        }
    } else {
        match rng.gen_range(0..100) {
            0..=49 => ("hard_copy", "pickup"),
            50..=74 => ("view", "pickup"),
            75..=89 => ("hard_copy", "post"),
            _ => ("hard_copy", "courier"),
        }
    };
    r.obtain = Some(obtain.into());
    r.delivery = Some(delivery.into());
    r
}

fn fill(s: &str, vars: &[(&str, String)]) -> String {
    let mut out = s.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

// ------------------------------------------------------------------ fates and plans

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Timing {
    OnTime,
    Late,
    Extended,
}

/// Keberatan stories.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Obj {
    /// Refused; ground a; rejected; taken to the KI, which registered it.
    KiRegistered,
    /// Refused; ground a; upheld, the information released and delivered.
    Upheld,
    /// Never answered; ground c; upheld and delivered.
    UnansweredUpheld,
    /// Granted with a fee; ground f; settled by deliberation.
    FeeSettled,
    /// Partly granted; grounds a and e; rejected.
    PartialRejected,
    /// Refused; ground a; rejected; the requester applied to the KI (not yet registered).
    KiFiled,
    /// Not held; ground d; rejected.
    NotHeldRejected,
    /// Refused recently; the keberatan waits for the Atasan.
    OpenRegistered,
    /// Partly granted recently; the Atasan is reviewing.
    OpenInReview,
    /// Delivered late; ground g; rejected; mediated at the KI to an agreement, closed.
    Mediated,
    /// Not yet documented; ground e; the Atasan never answered; the KI registered the dispute.
    AtasanSilent,
}

const OBJECTION_ORDER: &[Obj] = &[
    Obj::KiRegistered,
    Obj::OpenRegistered,
    Obj::Upheld,
    Obj::UnansweredUpheld,
    Obj::PartialRejected,
    Obj::FeeSettled,
    Obj::KiFiled,
    Obj::NotHeldRejected,
    Obj::OpenInReview,
    Obj::Mediated,
    Obj::AtasanSilent,
    Obj::Upheld,
    Obj::PartialRejected,
    Obj::KiRegistered,
    Obj::NotHeldRejected,
    Obj::OpenRegistered,
];

impl Obj {
    /// Working days (body) the request must be old for the story to have happened by now:
    /// (minimum, maximum).
    fn age(self) -> (u32, u32) {
        match self {
            Obj::OpenRegistered => (24, 34),
            Obj::OpenInReview => (26, 40),
            Obj::KiFiled => (95, 200),
            Obj::Mediated => (230, u32::MAX),
            Obj::AtasanSilent | Obj::KiRegistered => (130, u32::MAX),
            _ => (95, u32::MAX),
        }
    }

    fn base(self) -> Fate {
        let decided = |outcome, timing, fee, deliver| Fate::Decided { outcome, timing, fee, deliver, reroute: false };
        match self {
            Obj::KiRegistered | Obj::Upheld | Obj::KiFiled | Obj::OpenRegistered => decided(Outcome::RefusedExempt, Timing::OnTime, false, false),
            Obj::UnansweredUpheld => Fate::Neglected,
            Obj::FeeSettled => decided(Outcome::GrantedFull, Timing::OnTime, true, true),
            Obj::PartialRejected | Obj::OpenInReview => decided(Outcome::GrantedPartial, Timing::OnTime, false, true),
            Obj::NotHeldRejected => decided(Outcome::NotHeld, Timing::OnTime, false, false),
            Obj::Mediated => decided(Outcome::GrantedFull, Timing::Late, false, true),
            Obj::AtasanSilent => decided(Outcome::NotYetDocumented, Timing::OnTime, false, false),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fate {
    Decided {
        outcome: Outcome,
        timing: Timing,
        fee: bool,
        deliver: bool,
        reroute: bool,
    },
    /// Withdrawn by the requester, before or after routing.
    Withdrawn {
        routed: bool,
    },
    /// Routed and never answered (overdue).
    Neglected,
    /// Routed, extended, not yet answered.
    ExtendedOpen,
    /// Just arrived: not yet routed.
    Unrouted,
    Objection(Obj),
}

impl Fate {
    fn base(self) -> Fate {
        match self {
            Fate::Objection(o) => o.base(),
            f => f,
        }
    }

    /// Which templates fit: Some(true) exempt-ish ones, Some(false) open ones, None any.
    fn needs_sensitive(self) -> Option<bool> {
        match self.base() {
            Fate::Decided { outcome: Outcome::RefusedExempt | Outcome::GrantedPartial, .. } => Some(true),
            Fate::Decided { .. } => Some(false),
            Fate::Neglected if matches!(self, Fate::Objection(_)) => Some(false),
            _ => None,
        }
    }
}

/// What a released document looks like.
#[derive(Clone, Copy, Debug)]
struct DocSpec {
    csv: bool,
    redacted: bool,
}

enum Who {
    Atasan,
    Utama,
}

enum Step {
    Submit,
    Paper,
    Route(usize),
    Extend(String),
    Answer(Box<RawNotice>, Option<DocSpec>),
    NotifyFee,
    Deliver,
    Attach(DocSpec),
    Withdraw,
    Object(RawObjection),
    Decide(Who, ObjectionEvent, Option<String>),
}

impl Step {
    fn name(&self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Paper => "register paper request",
            Step::Route(_) => "route",
            Step::Extend(_) => "extend",
            Step::Answer(..) => "answer",
            Step::NotifyFee => "notify fee",
            Step::Deliver => "deliver",
            Step::Attach(_) => "attach documents",
            Step::Withdraw => "withdraw",
            Step::Object(_) => "file objection",
            Step::Decide(_, e, _) => e.code(),
        }
    }
}

/// When a request arrived, and for desk or post the channel and the real date of receipt.
type Arrival = (DateTime<Utc>, Option<(&'static str, NaiveDate)>);

/// One generated request before it is replayed.
struct Seeded {
    /// When it was submitted (web) or registered (desk/post).
    at: DateTime<Utc>,
    /// Desk or post: the channel and the real date of receipt.
    paper: Option<(&'static str, NaiveDate)>,
    day0: NaiveDate,
    /// Working days (body) from day 0 to today.
    age: u32,
    fate: Fate,
    tpl: usize,
    raw: RawRequest,
    soft_copy: bool,
}

struct Planner<'a> {
    dl: &'a Deadlines<'a>,
    rng: &'a mut StdRng,
    steps: Vec<(DateTime<Utc>, Step)>,
    t: DateTime<Utc>,
}

impl Planner<'_> {
    fn bd(&self, d: NaiveDate, n: u32) -> NaiveDate {
        self.dl.due(d, n, DeadlineOwner::Body)
    }
    fn rd(&self, d: NaiveDate, n: u32) -> NaiveDate {
        self.dl.due(d, n, DeadlineOwner::Requester)
    }
    /// A random number of body working days after `d`.
    fn bd_in(&mut self, d: NaiveDate, range: impl SampleRange<u32>) -> NaiveDate {
        let n = self.rng.gen_range(range);
        self.bd(d, n)
    }
    /// A random number of requester working days after `d`.
    fn rd_in(&mut self, d: NaiveDate, range: impl SampleRange<u32>) -> NaiveDate {
        let n = self.rng.gen_range(range);
        self.rd(d, n)
    }
    /// An officer acts on `date`; returns the WIB date it really happened.
    fn officer(&mut self, date: NaiveDate, step: Step) -> NaiveDate {
        let at = office(self.rng, date, self.t);
        self.t = at;
        self.steps.push((at, step));
        wib_date(at)
    }
    fn requester(&mut self, date: NaiveDate, step: Step) -> NaiveDate {
        let at = anytime(self.rng, date, self.t);
        self.t = at;
        self.steps.push((at, step));
        wib_date(at)
    }
}

fn notice_text(outcome: Outcome, unit: &UnitSpec, fee: i64, expected: Option<NaiveDate>, ground: Option<ExemptionGround>, soft: bool) -> String {
    match outcome {
        Outcome::GrantedFull if fee > 0 => format!(
            "Informasi yang Saudara mohon tersedia dan kami berikan seluruhnya dalam bentuk salinan cetak. Biaya penggandaan dan pengiriman sebesar Rp {} dibayarkan melalui transfer ke Rekening Kas Daerah di Bank DKI; rincian biaya terlampir. Salinan dikirim setelah pembayaran kami terima.",
            rupiah(fee)
        ),
        Outcome::GrantedFull if soft => "Informasi yang Saudara mohon tersedia dan kami berikan seluruhnya dalam bentuk salinan elektronik sebagaimana terlampir. Tidak dikenakan biaya.".into(),
        Outcome::GrantedFull => format!("Informasi yang Saudara mohon tersedia dan dapat dilihat atau diambil salinannya di meja layanan PPID {} pada hari dan jam kerja. Tidak dikenakan biaya.", unit.name),
        Outcome::GrantedPartial => format!(
            "Sebagian informasi yang Saudara mohon kami berikan sebagaimana terlampir. Bagian yang termasuk informasi yang dikecualikan berdasarkan Pasal 17 huruf {} UU 14/2008 telah dihitamkan, dengan alasan sebagaimana tercantum dalam uji konsekuensi.",
            ground.map(|g| g.as_str()).unwrap_or("h")
        ),
        Outcome::RefusedExempt => format!(
            "Permohonan informasi Saudara tidak dapat kami penuhi karena informasi tersebut termasuk informasi yang dikecualikan berdasarkan Pasal 17 huruf {} UU 14/2008, setelah melalui uji konsekuensi dan dengan persetujuan Atasan PPID. Saudara berhak mengajukan keberatan kepada Atasan PPID dalam 30 hari kerja.",
            ground.map(|g| g.as_str()).unwrap_or("h")
        ),
        Outcome::NotHeld => format!(
            "Informasi yang Saudara mohon tidak berada dalam penguasaan Pemerintah Provinsi DKI Jakarta. Informasi tersebut dikuasai oleh {}; permohonan Saudara telah kami teruskan ke badan publik tersebut.",
            unit.holder
        ),
        Outcome::NotYetDocumented => format!(
            "Informasi yang Saudara mohon belum dikuasai atau didokumentasikan karena masih dalam proses penyusunan. Informasi diperkirakan tersedia pada {} dan akan kami sampaikan kepada Saudara.",
            expected.map(|d| d.format("%d-%m-%Y").to_string()).unwrap_or_default()
        ),
    }
}

/// Builds the life-cycle of one request as timed steps (possibly beyond `now`; cut later).
fn plan(dl: &Deadlines, rng: &mut StdRng, s: &Seeded) -> Vec<(DateTime<Utc>, Step)> {
    let tpl = &TEMPLATES[s.tpl];
    let unit = tpl.unit;
    let mut p = Planner { dl, rng, steps: Vec::new(), t: s.at };
    p.steps.push((s.at, if s.paper.is_some() { Step::Paper } else { Step::Submit }));
    let day0 = s.day0;
    let due = p.bd(day0, 10);

    if let Fate::Withdrawn { routed: false } = s.fate {
        let d = p.rd_in(day0, 0..3);
        p.requester(d, Step::Withdraw);
        return p.steps;
    }
    if s.fate == Fate::Unrouted {
        return p.steps;
    }

    // Routing by the PPID Utama, now and then first to the wrong unit.
    let route_day = if p.rng.gen_bool(0.6) { day0 } else { p.bd(day0, 1) };
    let reroute = matches!(s.fate, Fate::Decided { reroute: true, .. });
    let mut routed = if reroute {
        let wrong = if unit == U_KOMINFO { U_JAKPUS } else { U_KOMINFO };
        let d = p.officer(route_day, Step::Route(wrong));
        p.officer(p.bd(d, 1), Step::Route(unit))
    } else {
        p.officer(route_day, Step::Route(unit))
    };

    match s.fate {
        Fate::Withdrawn { .. } => {
            let d = p.rd_in(routed, 1..5);
            p.requester(d, Step::Withdraw);
            return p.steps;
        }
        Fate::Neglected => return p.steps,
        Fate::ExtendedOpen => {
            let d = p.bd(day0, 7).max(p.bd(routed, 1));
            if d <= due {
                let reason = (*pick(p.rng, EXTENSION_REASONS)).to_string();
                p.officer(d, Step::Extend(reason));
            }
            return p.steps;
        }
        _ => {}
    }

    let obj = match s.fate {
        Fate::Objection(o) => Some(o),
        _ => None,
    };
    // The written notice and delivery.
    let mut decision: Option<NaiveDate> = None;
    if let Fate::Decided { outcome, timing, fee, deliver, .. } = s.fate.base() {
        let mut timing = timing;
        if timing == Timing::Extended {
            let d = p.bd_in(day0, 6..=10).max(p.bd(routed, 1));
            if d <= due {
                let reason = (*pick(p.rng, EXTENSION_REASONS)).to_string();
                routed = p.officer(d, Step::Extend(reason));
            } else {
                timing = Timing::Late;
            }
        }
        let answer_day = match timing {
            Timing::OnTime => {
                let k = if obj.is_some() { p.rng.gen_range(4..=8) } else { p.rng.gen_range(3..=10) };
                p.bd(day0, k).max(p.bd(routed, 1)).min(due.max(routed))
            }
            Timing::Late => p.bd_in(due, 1..=8),
            Timing::Extended => p.bd_in(due, 1..=7),
        };
        let ground = match tpl.sens {
            Sens::Exempt(g) => g,
            _ => G::H,
        };
        let granted = matches!(outcome, Outcome::GrantedFull | Outcome::GrantedPartial);
        let fee_amount = if fee && granted { (p.rng.gen_range(20..120) * 500 + 15_000) as i64 } else { 0 };
        let expected = (outcome == Outcome::NotYetDocumented).then(|| answer_day + Duration::days(p.rng.gen_range(30..120)));
        let year = answer_day.year();
        let mut raw = RawNotice {
            outcome: Some(outcome.as_str().into()),
            text: Some(notice_text(outcome, &UNITS[unit], fee_amount, expected, Some(ground), s.soft_copy)),
            ..Default::default()
        };
        if matches!(outcome, Outcome::RefusedExempt | Outcome::GrantedPartial) {
            raw.exemption_ground = Some(ground.as_str().into());
            raw.consequence_test = Some(consequence_test(ground).into());
            let approved = answer_day - Duration::days(p.rng.gen_range(1..4));
            raw.atasan_approval = Some(format!("ND-{:02}/PPID/{year} tanggal {}", p.rng.gen_range(1..99), approved.format("%d-%m-%Y")));
        }
        if outcome == Outcome::NotHeld {
            raw.holder = Some(UNITS[unit].holder.into());
        }
        if let Some(d) = expected {
            raw.expected_date = Some(d.format("%Y-%m-%d").to_string());
        }
        if fee_amount > 0 {
            raw.fee = Some(rupiah(fee_amount));
        }
        let doc = (granted && s.soft_copy).then(|| DocSpec { csv: p.rng.gen_bool(0.5), redacted: outcome == Outcome::GrantedPartial });
        let answered = p.officer(answer_day, Step::Answer(Box::new(raw), doc));
        decision = Some(answered);
        if granted && fee_amount > 0 {
            let d = p.bd_in(answered, 0..2);
            let d = p.officer(d, Step::NotifyFee);
            decision = Some(d);
            if deliver {
                let d = p.bd_in(d, 2..7);
                decision = Some(p.officer(d, Step::Deliver));
            }
        } else if granted && deliver {
            let d = if s.soft_copy { answered } else { p.bd_in(answered, 1..6) };
            decision = Some(p.officer(d, Step::Deliver));
        }
    }

    let Some(obj) = obj else { return p.steps };
    // The keberatan, filed by the requester through the tracking link.
    let (grounds, summary) = match obj {
        Obj::UnansweredUpheld => ("c", "Sampai batas waktu 10 hari kerja permohonan saya belum mendapat pemberitahuan tertulis dari PPID."),
        Obj::FeeSettled => ("f", "Biaya penggandaan yang ditetapkan terlalu tinggi dibandingkan jumlah halaman dan harga pasar fotokopi."),
        Obj::PartialRejected => ("a,e", "Terlalu banyak bagian dokumen yang dihitamkan sehingga informasi yang saya butuhkan tidak terpenuhi."),
        Obj::NotHeldRejected => ("d", "Menurut saya informasi ini dikuasai badan publik tersebut karena kegiatannya dibiayai APBD, sehingga jawaban tidak sesuai permohonan."),
        Obj::OpenInReview => ("a", "Saya keberatan atas penghitaman sebagian dokumen; data agregat tidak memuat rahasia pribadi siapa pun."),
        Obj::Mediated => ("g", "Informasi baru saya terima jauh melewati batas waktu yang ditetapkan undang-undang."),
        Obj::AtasanSilent => ("e", "Permohonan saya tidak dipenuhi dengan alasan informasi belum didokumentasikan, padahal kegiatan tersebut sudah selesai dilaksanakan."),
        _ => ("a", "Saya keberatan atas penolakan permohonan dengan alasan Pasal 17. Informasi ini menyangkut kepentingan publik dan dapat dibuka setelah data pribadi dihitamkan."),
    };
    let raw = RawObjection { grounds: Some(grounds.into()), summary: Some(summary.into()) };
    let filed_on = match (obj, decision) {
        (Obj::UnansweredUpheld, _) | (_, None) => p.rd_in(due, 2..=8),
        (Obj::OpenRegistered | Obj::OpenInReview, Some(d)) => p.rd_in(d, 2..=5),
        (_, Some(d)) => p.rd_in(d, 3..=15),
    };
    p.requester(filed_on, Step::Object(raw));
    let o0 = p.dl.receipt_day(p.t);
    let response_due = p.bd(o0, 30);
    if obj == Obj::OpenRegistered {
        return p.steps;
    }
    if obj == Obj::AtasanSilent {
        let ki = p.rd_in(response_due, 1..=8);
        let d = p.bd_in(ki, 2..=5);
        let text = "Permohonan penyelesaian sengketa diterima Komisi Informasi Provinsi DKI Jakarta karena keberatan tidak ditanggapi.";
        let d = p.officer(d, Step::Decide(Who::Utama, ObjectionEvent::FileDispute { ki_received: ki }, Some(text.into())));
        let d = p.bd_in(d, 5..=10);
        p.officer(
            d,
            Step::Decide(
                Who::Utama,
                ObjectionEvent::RegisterDispute,
                Some("Akta registrasi sengketa diterbitkan Komisi Informasi Provinsi DKI Jakarta.".into()),
            ),
        );
        return p.steps;
    }
    let d = p.bd_in(o0, 1..=4);
    let reviewed = p.officer(d, Step::Decide(Who::Atasan, ObjectionEvent::StartReview, None));
    if obj == Obj::OpenInReview {
        return p.steps;
    }
    let decide_on = p.bd_in(o0, 12..=28).max(p.bd(reviewed, 1));
    match obj {
        Obj::Upheld | Obj::UnansweredUpheld => {
            let text = "Keberatan diterima. Atasan PPID memerintahkan PPID Pelaksana memberikan informasi yang dimohon dalam waktu 7 hari kerja.";
            let d = p.officer(decide_on, Step::Decide(Who::Atasan, ObjectionEvent::Uphold, Some(text.into())));
            let d = p.bd_in(d, 2..=6);
            let d = p.officer(d, Step::Attach(DocSpec { csv: false, redacted: obj == Obj::Upheld }));
            p.officer(d, Step::Deliver);
        }
        Obj::FeeSettled => {
            let text = "Disepakati melalui musyawarah: biaya penggandaan dihitung ulang sesuai jumlah halaman dan kelebihan pembayaran dikembalikan.";
            p.officer(decide_on, Step::Decide(Who::Atasan, ObjectionEvent::Settle, Some(text.into())));
        }
        _ => {
            let reasons = match obj {
                Obj::NotHeldRejected => "Atasan PPID menguatkan jawaban PPID: informasi tidak dikuasai Pemerintah Provinsi DKI Jakarta dan permohonan telah diteruskan kepada badan publik yang menguasainya.",
                Obj::Mediated => "Atasan PPID menilai keterlambatan telah dijelaskan dalam pemberitahuan perpanjangan dan informasi telah diberikan seluruhnya, sehingga keberatan ditolak.",
                Obj::PartialRejected => "Atasan PPID menguatkan keputusan PPID: bagian yang dihitamkan memuat informasi yang dikecualikan dan uji konsekuensi telah dilakukan dengan benar.",
                _ => "Atasan PPID menguatkan keputusan PPID: informasi termasuk informasi yang dikecualikan menurut Pasal 17 UU 14/2008 dan uji konsekuensi telah dilakukan dengan benar.",
            };
            let d = p.officer(decide_on, Step::Decide(Who::Atasan, ObjectionEvent::Reject { reasons: reasons.into() }, Some(reasons.into())));
            if !matches!(obj, Obj::KiRegistered | Obj::KiFiled | Obj::Mediated) {
                return p.steps;
            }
            // The requester applies to the Komisi Informasi Provinsi DKI Jakarta; the PPID Utama
            // records each step it is notified of.
            let ki = p.rd_in(d, 3..=12);
            let d = p.bd_in(ki, 2..=5);
            let text = "Pemberitahuan permohonan penyelesaian sengketa informasi dari Komisi Informasi Provinsi DKI Jakarta.";
            let d = p.officer(d, Step::Decide(Who::Utama, ObjectionEvent::FileDispute { ki_received: ki }, Some(text.into())));
            if obj == Obj::KiFiled {
                return p.steps;
            }
            let d = p.bd_in(d, 5..=10);
            let d = p.officer(
                d,
                Step::Decide(
                    Who::Utama,
                    ObjectionEvent::RegisterDispute,
                    Some("Akta registrasi sengketa diterbitkan Komisi Informasi Provinsi DKI Jakarta.".into()),
                ),
            );
            if obj == Obj::Mediated {
                let d = p.bd_in(d, 8..=14);
                let d = p.officer(
                    d,
                    Step::Decide(Who::Utama, ObjectionEvent::StartMediation, Some("Sidang mediasi pertama di Komisi Informasi Provinsi DKI Jakarta.".into())),
                );
                let d = p.bd_in(d, 7..=14);
                let d = p.officer(
                    d,
                    Step::Decide(
                        Who::Utama,
                        ObjectionEvent::MediationAgreement,
                        Some("Para pihak menandatangani kesepakatan mediasi; putusan mediasi bersifat final dan mengikat.".into()),
                    ),
                );
                let d = p.bd_in(d, 2..=5);
                p.officer(d, Step::Decide(Who::Utama, ObjectionEvent::CloseDispute, None));
            }
        }
    }
    p.steps
}

// ------------------------------------------------------------------ the seed

/// Seeds a realistic demo public body if the store has no units yet; returns `None` when it
/// already has some (so running `terbuka demo` twice works).
pub async fn seed_if_empty(app: &App, now: DateTime<Utc>, requests: usize) -> Result<Option<DemoSummary>> {
    if !app.store.list_units().await.context("demo: listing units")?.is_empty() {
        return Ok(None);
    }
    app.seed_calendar().await.context("demo: seeding the holiday calendar")?;
    let cal = app.calendar().await.map_err(app_err).context("demo: loading the calendar")?;
    let dl = app.deadlines(&cal);
    let today = wib_date(now);
    let start = now - Duration::days(HISTORY_DAYS as i64 + 14);

    // The organisation.
    let mut unit_ids: Vec<UnitId> = Vec::with_capacity(UNITS.len());
    for u in UNITS {
        let parent = (u.kind == UnitKind::Pelaksana).then(|| unit_ids.first().copied()).flatten();
        let audit = NewAuditEntry { actor: AUDIT_ACTOR.into(), action: "unit.add".into(), subject: format!("unit:{}", u.code), detail: "{}".into() };
        let id = app
            .store
            .insert_unit(NewUnit { code: u.code.into(), name: u.name.into(), name_en: u.name_en.into(), kind: u.kind, parent }, audit)
            .await
            .with_context(|| format!("demo: adding unit {}", u.code))?;
        unit_ids.push(id);
    }
    let mut officer_ids: Vec<OfficerId> = Vec::with_capacity(OFFICERS.len());
    for o in OFFICERS {
        let raw = RawOfficer {
            username: Some(o.username.into()),
            display_name: Some(o.display_name.into()),
            email: Some(o.email.into()),
            role: Some(o.role.as_str().into()),
            unit: o.unit.map(|u| unit_ids[u].to_string()),
            password: Some(o.password.into()),
        };
        let id = app.add_officer(None, &raw, start).await.map_err(app_err).with_context(|| format!("demo: adding officer {}", o.username))?;
        officer_ids.push(id);
    }
    let actor = |i: usize| Actor { officer: officer_ids[i], role: OFFICERS[i].role, unit: OFFICERS[i].unit.map(|u| unit_ids[u]) };
    let cast = Cast {
        utama: actor(OFFICERS.iter().position(|o| o.role == Role::PpidUtama).unwrap_or(0)),
        atasan: actor(OFFICERS.iter().position(|o| o.role == Role::AtasanPpid).unwrap_or(0)),
        pelaksana: (0..UNITS.len()).map(|u| OFFICERS.iter().position(|o| o.role == Role::PpidPelaksana && o.unit == Some(u)).map(actor)).collect(),
        unit_ids: unit_ids.clone(),
    };

    // When each request arrives: more in recent months (the service grew), a few on paper.
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut arrivals: Vec<Arrival> = Vec::with_capacity(requests);
    for i in 0..requests {
        let age_days = HISTORY_DAYS * rng.gen::<f64>().powf(1.3);
        let base = now - Duration::seconds((age_days * 86_400.0) as i64);
        let date = wib_date(base);
        let channel = rng.gen_range(0..100);
        let arrival = if i + 1 == requests {
            // The newest one arrived a moment ago and is not routed yet.
            (now - Duration::minutes(95), None)
        } else if channel < 12 {
            let d = cal.on_or_next_working_day(date, CutiBersama::NonWorking);
            (wib_at(d, rng.gen_range(8..15), rng.gen_range(0..60)), Some(("desk", d)))
        } else if channel < 18 {
            let d = cal.on_or_next_working_day(date, CutiBersama::NonWorking);
            let reg = cal.add_working_days(d, rng.gen_range(0..3), CutiBersama::NonWorking);
            (wib_at(reg, rng.gen_range(8..15), rng.gen_range(0..60)), Some(("post", d)))
        } else {
            let hour = if rng.gen_bool(0.65) { rng.gen_range(8..16) } else { *pick(&mut rng, &[6, 7, 16, 17, 19, 20, 21, 22, 23]) };
            (wib_at(date, hour, rng.gen_range(0..60)), None)
        };
        // Nothing arrives in the future.
        let arrival =
            if arrival.0 >= now || arrival.1.is_some_and(|(_, d)| d > today) { (now - Duration::minutes(rng.gen_range(30..600)), None) } else { arrival };
        arrivals.push(arrival);
    }
    arrivals.sort_by_key(|a| a.0);

    let mut seeded: Vec<Seeded> = arrivals
        .into_iter()
        .map(|(at, paper)| {
            let day0 = match paper {
                Some((_, d)) => dl.receipt_day_of_date(d),
                None => dl.receipt_day(at),
            };
            let age = if day0 < today { dl.working_days_taken(day0, today) } else { 0 };
            Seeded { at, paper, day0, age, fate: Fate::Neglected, tpl: 0, raw: RawRequest::default(), soft_copy: false }
        })
        .collect();

    // Fates: first the stories that must happen, then the rest at random.
    let n = seeded.len();
    let mut fate: Vec<Option<Fate>> = vec![None; n];
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng);
    let objections_wanted = (n * 5 / 100).max(6).min(n / 8);
    for obj in OBJECTION_ORDER.iter().cycle().take(objections_wanted) {
        let (min, max) = obj.age();
        let fits = |i: usize| fate[i].is_none() && seeded[i].age >= min && seeded[i].age <= max;
        // A dispute only just filed at the KI is the youngest that fits; others anywhere.
        let found = if *obj == Obj::KiFiled { (0..n).rev().find(|&i| fits(i)) } else { order.iter().copied().find(|&i| fits(i)) };
        if let Some(i) = found {
            fate[i] = Some(Fate::Objection(*obj));
        }
    }
    if n > 0 && fate[n - 1].is_none() {
        fate[n - 1] = Some(Fate::Unrouted);
    }
    // The open end of the inbox: extended, overdue, and recent decisions still in their window.
    for (k, i) in (0..n).filter(|&i| fate[i].is_none() && (8..=16).contains(&seeded[i].age)).enumerate().collect::<Vec<_>>() {
        if k % 4 == 0 {
            fate[i] = Some(Fate::ExtendedOpen);
        }
    }
    let decided = |outcome, deliver| Fate::Decided { outcome, timing: Timing::OnTime, fee: false, deliver, reroute: false };
    let recent = [
        decided(Outcome::RefusedExempt, false),
        decided(Outcome::NotHeld, false),
        decided(Outcome::GrantedFull, true),
        decided(Outcome::NotYetDocumented, false),
        decided(Outcome::GrantedPartial, true),
    ];
    let mut recent_iter = recent.iter();
    for &i in &order {
        if fate[i].is_none() && (14..=30).contains(&seeded[i].age) {
            match recent_iter.next() {
                Some(f) => fate[i] = Some(*f),
                None => break,
            }
        }
    }
    for (k, i) in (0..n).filter(|&i| fate[i].is_none() && (11..=40).contains(&seeded[i].age)).enumerate().collect::<Vec<_>>() {
        if k % 5 == 0 {
            fate[i] = Some(Fate::Neglected);
        }
    }
    let forced = [
        decided(Outcome::NotHeld, false),
        decided(Outcome::NotYetDocumented, false),
        decided(Outcome::GrantedPartial, true),
        Fate::Decided { outcome: Outcome::GrantedFull, timing: Timing::OnTime, fee: true, deliver: true, reroute: false },
        Fate::Withdrawn { routed: false },
        Fate::Withdrawn { routed: true },
        Fate::Decided { outcome: Outcome::GrantedFull, timing: Timing::OnTime, fee: false, deliver: true, reroute: true },
        Fate::Decided { outcome: Outcome::GrantedFull, timing: Timing::Extended, fee: false, deliver: true, reroute: false },
        decided(Outcome::RefusedExempt, false),
    ];
    let mut forced_iter = forced.iter();
    for &i in &order {
        if fate[i].is_none() && seeded[i].age > 40 {
            match forced_iter.next() {
                Some(f) => fate[i] = Some(*f),
                None => break,
            }
        }
    }

    // Templates, requesters and the remaining fates.
    let weights: Vec<f64> = TEMPLATES
        .iter()
        .map(|t| match t.sens {
            Open => 1.0,
            Personal => 0.6,
            Exempt(_) => 0.5,
        })
        .collect();
    for (i, s) in seeded.iter_mut().enumerate() {
        let need = fate[i].and_then(Fate::needs_sensitive);
        let candidates: Vec<usize> = (0..TEMPLATES.len())
            .filter(|&t| match need {
                Some(true) => TEMPLATES[t].sens != Open,
                Some(false) => TEMPLATES[t].sens == Open,
                None => true,
            })
            .collect();
        let total: f64 = candidates.iter().map(|&t| weights[t]).sum();
        let mut x = rng.gen::<f64>() * total;
        s.tpl = candidates[0];
        for &t in &candidates {
            if x < weights[t] {
                s.tpl = t;
                break;
            }
            x -= weights[t];
        }
        let tpl = &TEMPLATES[s.tpl];
        s.fate = match fate[i] {
            Some(f) => f,
            None => {
                let outcome = match (tpl.sens, rng.gen_range(0..100)) {
                    (Open, 0..=79) => Outcome::GrantedFull,
                    (Open, 80..=89) => Outcome::NotHeld,
                    (Open, 90..=95) => Outcome::NotYetDocumented,
                    (Open, _) => Outcome::GrantedPartial,
                    (Personal, 0..=59) => Outcome::GrantedPartial,
                    (Personal, 60..=84) => Outcome::RefusedExempt,
                    (Personal, _) => Outcome::GrantedFull,
                    (Exempt(_), 0..=64) => Outcome::RefusedExempt,
                    (Exempt(_), 65..=94) => Outcome::GrantedPartial,
                    (Exempt(_), _) => Outcome::GrantedFull,
                };
                let timing = match rng.gen_range(0..100) {
                    0..=83 => Timing::OnTime,
                    84..=90 => Timing::Late,
                    _ => Timing::Extended,
                };
                if rng.gen_bool(0.02) {
                    Fate::Withdrawn { routed: rng.gen_bool(0.7) }
                } else {
                    Fate::Decided { outcome, timing, fee: rng.gen_bool(0.5), deliver: rng.gen_bool(0.95), reroute: rng.gen_bool(0.04) }
                }
            }
        };
        // The request itself.
        let local = wib_date(s.at);
        let year = local.year() - i32::from(local.month() < 4 || rng.gen_bool(0.4));
        let (kel, kec, _, _) = *pick(&mut rng, PLACES);
        // A month that has already passed when the request is made.
        let month = MONTHS[if year < local.year() { rng.gen_range(0..12) } else { rng.gen_range(0..local.month0().max(1) as usize) }];
        let vars = [
            ("kec", kec.to_string()),
            ("kel", kel.to_string()),
            ("kota", (*pick(&mut rng, KOTA)).to_string()),
            ("kecpusat", (*pick(&mut rng, KECAMATAN_PUSAT)).to_string()),
            ("year", year.to_string()),
            ("next", (year + 1).to_string()),
            ("month", month.to_string()),
        ];
        let mut raw = requester(&mut rng, local.year());
        raw.subject = Some(fill(tpl.subject, &vars));
        raw.details = Some(fill(tpl.details, &vars));
        if let Some((channel, received)) = s.paper {
            raw.channel = Some(channel.into());
            raw.received_on = Some(received.format("%Y-%m-%d").to_string());
        }
        s.soft_copy = raw.obtain.as_deref().is_some_and(|o| o.contains("soft_copy"));
        // Fees are for copies on paper only: a story that needs one asks for paper, a random
        // one without paper has none.
        let paper_copy = raw.obtain.as_deref().is_some_and(|o| o.contains("hard_copy"));
        if fee_needed(s.fate) && !paper_copy {
            if fate[i].is_some() {
                raw.obtain = Some("hard_copy".into());
                raw.delivery = Some("post".into());
                s.soft_copy = false;
            } else if let Fate::Decided { fee, .. } = &mut s.fate {
                *fee = false;
            }
        }
        s.raw = raw;
    }

    // Plans, cut at `now`, replayed in time order with the closing job running every night.
    let mut events: Vec<(DateTime<Utc>, usize, usize)> = Vec::new();
    let mut plans: Vec<Vec<(DateTime<Utc>, Step)>> = Vec::with_capacity(n);
    for (i, s) in seeded.iter().enumerate() {
        let mut steps = plan(&dl, &mut rng, s);
        if let Some(cut) = steps.iter().position(|(at, _)| *at >= now) {
            steps.truncate(cut);
        }
        for (k, (at, _)) in steps.iter().enumerate() {
            events.push((*at, i, k));
        }
        plans.push(steps);
    }
    if let Some(first) = events.iter().map(|e| e.0).min() {
        let mut d = wib_date(first) + Duration::days(1);
        while d <= today {
            let at = wib_at(d, 0, 30);
            if at < now {
                events.push((at, usize::MAX, 0));
            }
            d += Duration::days(1);
        }
    }
    events.sort();

    let mut live: Vec<Live> = (0..n).map(|_| Live::default()).collect();
    let mut summary = DemoSummary { units: unit_ids.len(), officers: officer_ids.len(), requests: 0, objections: 0, items: 0, aid_orgs: 0, aid_needs: 0 };
    for (at, i, k) in events {
        if i == usize::MAX {
            crate::jobs::close_expired(app, at).await.with_context(|| format!("demo: closing job at {at}"))?;
            continue;
        }
        let (s, step) = (&seeded[i], &plans[i][k].1);
        match replay(app, &cast, i, s, step, &mut live[i], at).await {
            Ok(()) => {}
            Err(e) => return Err(e.context(format!("demo: {} of request {} ({:?}) at {at}", step.name(), i + 1, s.raw.subject.as_deref().unwrap_or("")))),
        }
        match step {
            Step::Submit | Step::Paper => summary.requests += 1,
            Step::Object(_) => summary.objections += 1,
            _ => {}
        }
    }
    // And once more now, so the close-window passes up to this moment.
    crate::jobs::close_expired(app, now).await.context("demo: closing job")?;
    // The replay queued the mails of 18 months of history; mark them handled so the demo does
    // not write a thousand old messages on its first start. New activity sends mail as usual.
    loop {
        let batch = app.store.claim_mails(now, 60, 100).await.context("demo: outbox")?;
        if batch.is_empty() {
            break;
        }
        for m in batch {
            app.store.mail_sent(m.id, now).await.context("demo: outbox")?;
        }
    }
    // The public information register, written without syncing search after each item; one
    // rebuild at the end.
    let units: Vec<(UnitId, String, String)> = UNITS.iter().zip(&unit_ids).map(|(u, id)| (*id, u.code.to_string(), u.name.to_string())).collect();
    app.defer_search(true);
    let items = crate::demo_register::seed(app, &cast.utama, &units, now).await;
    app.defer_search(false);
    summary.items = items?;
    // Kolaborasi: organisations, needs, pledges and deliveries, moderated by the petugas sosial.
    let sosial = actor(OFFICERS.iter().position(|o| o.role == Role::PetugasSosial).context("demo: no petugas sosial")?);
    (summary.aid_orgs, summary.aid_needs) = crate::demo_kolaborasi::seed(app, &sosial, now).await?;
    app.sync_search().await.map_err(app_err).context("demo: building the search index")?;
    tracing::info!(requests = summary.requests, objections = summary.objections, items = summary.items, "demo data seeded");
    Ok(Some(summary))
}

/// The officers who act in the replay.
struct Cast {
    utama: Actor,
    atasan: Actor,
    /// The PPID Pelaksana of each unit (by index into [`UNITS`]).
    pelaksana: Vec<Option<Actor>>,
    unit_ids: Vec<UnitId>,
}

/// What the replay remembers about one request.
#[derive(Default)]
struct Live {
    id: Option<RequestId>,
    token: Option<String>,
    unit: Option<usize>,
    objection: Option<ObjectionId>,
}

/// Performs one step through the use cases.
async fn replay(app: &App, cast: &Cast, i: usize, s: &Seeded, step: &Step, l: &mut Live, at: DateTime<Utc>) -> Result<()> {
    let id = l.id.unwrap_or_default();
    let handler = l.unit.and_then(|u| cast.pelaksana[u]).unwrap_or(cast.utama);
    let token = l.token.clone().unwrap_or_default();
    match step {
        Step::Submit => {
            let scan = (i % 9 == 4).then(|| Upload {
                filename: "scan-ktp.pdf".into(),
                content_type: "application/pdf".into(),
                data: tiny_pdf(&["Pindaian KTP (data demo)".to_string()]),
            });
            let submitted = app.submit_request(&s.raw, scan, at).await.map_err(app_err)?;
            l.id = Some(submitted.request.id);
            l.token = Some(submitted.token);
        }
        Step::Paper => {
            let submitted = app.register_paper_request(&cast.utama, &s.raw, None, at).await.map_err(app_err)?;
            l.id = Some(submitted.request.id);
            l.token = Some(submitted.token);
        }
        Step::Route(u) => {
            app.route(&cast.utama, id, cast.unit_ids[*u], at).await.map_err(app_err)?;
            l.unit = Some(*u);
        }
        Step::Extend(reason) => {
            app.extend(&handler, id, &Some(reason.clone()), at).await.map_err(app_err)?;
        }
        Step::Answer(raw, spec) => {
            let docs = match spec {
                Some(spec) => {
                    let reg_no = app.store.request(id).await?.map(|r| r.reg_no).unwrap_or_default();
                    vec![(document(*spec, i, &reg_no, s, at), true)]
                }
                None => vec![],
            };
            app.answer(&handler, id, raw, docs, at).await.map_err(app_err)?;
        }
        Step::NotifyFee => {
            app.notify_fee(&handler, id, at).await.map_err(app_err)?;
        }
        Step::Deliver => {
            app.deliver(&handler, id, at).await.map_err(app_err)?;
        }
        Step::Attach(spec) => {
            let reg_no = app.store.request(id).await?.map(|r| r.reg_no).unwrap_or_default();
            let docs = vec![(document(*spec, i, &reg_no, s, at), true)];
            app.attach_documents(&handler, id, docs, at).await.map_err(app_err)?;
        }
        Step::Withdraw => {
            app.withdraw(&token, at).await.map_err(app_err)?;
        }
        Step::Object(raw) => {
            app.file_objection(&token, raw, at).await.map_err(app_err)?;
            l.objection = app.store.objections_of(id).await?.iter().map(|o| o.id).max();
        }
        Step::Decide(who, event, text) => {
            let actor = match who {
                Who::Atasan => cast.atasan,
                Who::Utama => cast.utama,
            };
            let oid = l.objection.ok_or_else(|| anyhow!("the keberatan was not filed"))?;
            app.objection_step(&actor, oid, event.clone(), text.clone(), at).await.map_err(app_err)?;
        }
    }
    Ok(())
}

fn fee_needed(f: Fate) -> bool {
    match f.base() {
        Fate::Decided { fee, outcome: Outcome::GrantedFull | Outcome::GrantedPartial, .. } => fee,
        _ => false,
    }
}

/// A small released document: a CSV table or a one-page PDF letter.
fn document(spec: DocSpec, i: usize, reg_no: &str, s: &Seeded, at: DateTime<Utc>) -> Upload {
    let subject = s.raw.subject.clone().unwrap_or_default();
    let unit = &UNITS[TEMPLATES[s.tpl].unit];
    let suffix = if spec.redacted { "-disamarkan" } else { "" };
    if spec.csv {
        let mut rng = StdRng::seed_from_u64(SEED ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut csv = String::from("no,wilayah,jumlah,keterangan\n");
        let mut places: Vec<&str> = PLACES.iter().map(|p| p.1).collect();
        places.dedup();
        for (k, place) in places.iter().enumerate() {
            let note = if spec.redacted && k % 4 == 0 { "sebagian data dihitamkan (Pasal 17 huruf h)" } else { "data demo" };
            csv.push_str(&format!("{},{place},{},{note}\n", k + 1, rng.gen_range(3..1200)));
        }
        Upload { filename: format!("{}{suffix}.csv", slug(&subject)), content_type: "text/csv".into(), data: csv.into_bytes() }
    } else {
        let mut lines = vec![
            "PEMERINTAH PROVINSI DKI JAKARTA".to_string(),
            format!("PPID Pelaksana {}", unit.name),
            String::new(),
            "Salinan informasi publik".to_string(),
            format!("Nomor pendaftaran: {reg_no}"),
            format!("Perihal: {subject}"),
            format!("Tanggal: {}", wib_date(at).format("%d-%m-%Y")),
            String::new(),
            "Diberikan berdasarkan UU 14/2008 tentang Keterbukaan Informasi Publik.".to_string(),
        ];
        if spec.redacted {
            lines.push("Bagian yang memuat informasi yang dikecualikan telah dihitamkan.".to_string());
        }
        lines.push("Dokumen contoh (data demo), bukan data resmi.".to_string());
        Upload { filename: format!("{}{suffix}.pdf", slug(&subject)), content_type: "application/pdf".into(), data: tiny_pdf(&lines) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terbuka_domain::validate::valid_nik;

    #[test]
    fn requesters_validate() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..500 {
            let mut r = requester(&mut rng, 2025);
            r.subject = Some("Data kasus demam berdarah 2025".into());
            r.details = Some("Rincian jumlah kasus per kecamatan.".into());
            let s = r.validate().unwrap_or_else(|e| panic!("{r:?}: {e:?}"));
            if s.identity.kind != terbuka_domain::RequesterKind::LegalEntity {
                assert!(valid_nik(&s.identity.id_number));
            }
        }
    }

    #[test]
    fn templates_fill_and_validate() {
        assert!(TEMPLATES.len() >= 40);
        for t in TEMPLATES {
            let vars = [
                ("kec", "Menteng".to_string()),
                ("kel", "Cikini".into()),
                ("kota", "Jakarta Pusat".into()),
                ("kecpusat", "Gambir".into()),
                ("year", "2025".into()),
                ("next", "2026".into()),
                ("month", "Februari".into()),
            ];
            let s = fill(t.subject, &vars);
            assert!(!s.contains('{') && s.chars().count() <= 200, "{s}");
            assert!(!fill(t.details, &vars).contains('{'));
        }
    }

    #[test]
    fn pdf_is_well_formed() {
        let pdf = tiny_pdf(&["Halo (dunia)".to_string(), "PPID Utama — Diskominfotik".to_string()]);
        assert!(pdf.starts_with(b"%PDF-1.4"));
        let text = String::from_utf8(pdf.clone()).unwrap();
        let startxref: usize = text.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        assert!(text[startxref..].starts_with("xref"));
        assert!(text.ends_with("%%EOF\n"));
    }

    #[test]
    fn logins_have_long_passwords() {
        let logins = demo_logins();
        assert_eq!(logins.len(), OFFICERS.len());
        assert!(logins.iter().all(|l| l.password.len() >= 12));
        assert_eq!(logins.iter().filter(|l| l.role == Role::PpidPelaksana).count(), UNITS.len() - 1);
    }
}
