//! The demo's public information register: a few hundred items across the demo units and the
//! four categories, written through the same use cases officers use, with real PDF, DOCX and
//! XLSX attachments (generated), a history spread over two years, periodic items that are past
//! their refresh date, withdrawn items, exemptions (one whose period has ended) and a scheduled
//! publication. Reproducible: a fixed seed.

use crate::error::AppError;
use crate::register::Intent;
use crate::service::{App, Upload};
use anyhow::{anyhow, Context, Result};
use chrono::{DateTime, Datelike, Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use terbuka_domain::authz::Actor;
use terbuka_domain::calendar::wib_date;
use terbuka_domain::dip::ItemEvent;
use terbuka_domain::validate::RawItem;
use terbuka_domain::UnitId;
use terbuka_files::samples;

const SEED: u64 = 3_2026;

/// (title pattern, summary pattern, category, file kind). `{unit}` and `{year}` are filled in.
const BERKALA: &[(&str, &str, &str)] = &[
    ("Profil dan Struktur Organisasi {unit}", "Profil {unit}: kedudukan, alamat lengkap, tugas pokok dan fungsi, struktur organisasi, ringkasan profil pejabat struktural dan Laporan Harta Kekayaan Penyelenggara Negara (LHKPN) pejabat yang wajib melapor.", "pdf"),
    ("Ringkasan Program dan Kegiatan {unit} Tahun {year}", "Daftar program dan kegiatan yang sedang berjalan: nama kegiatan, penanggung jawab, pelaksana, target dan capaian, jadwal pelaksanaan, serta anggaran dan sumber dananya.", "xlsx"),
    ("Laporan Kinerja Instansi Pemerintah (LKjIP) {unit} Tahun {year}", "Ringkasan kinerja: narasi realisasi kegiatan, capaian indikator kinerja utama, analisis efisiensi penggunaan sumber daya dan rencana tindak lanjut.", "pdf"),
    ("Laporan Realisasi Anggaran {unit} Tahun {year}", "Rencana dan realisasi anggaran pendapatan dan belanja, neraca, laporan arus kas, catatan atas laporan keuangan yang telah diaudit, serta daftar aset dan investasi.", "xlsx"),
    ("Ringkasan Laporan Layanan Informasi Publik {unit} Tahun {year}", "Jumlah permohonan informasi publik yang diterima, waktu yang diperlukan untuk memenuhi setiap permohonan, jumlah permohonan yang dikabulkan dan ditolak, serta alasan penolakan.", "pdf"),
    ("Daftar Rancangan dan Peraturan yang Ditetapkan {unit} Tahun {year}", "Daftar rancangan peraturan, keputusan dan kebijakan yang sedang disusun beserta tahapannya, dan daftar peraturan yang telah ditetapkan dengan tautan ke JDIH.", "docx"),
    ("Prosedur Permohonan Informasi, Keberatan dan Sengketa Informasi di {unit}", "Hak masyarakat atas informasi, tata cara mengajukan permohonan informasi publik, keberatan kepada atasan PPID dan sengketa ke Komisi Informasi, beserta kontak yang bertanggung jawab.", "docx"),
    ("Tata Cara Pengaduan Penyalahgunaan Wewenang di {unit}", "Kanal pengaduan masyarakat atas penyalahgunaan wewenang atau pelanggaran oleh pejabat, termasuk melalui SP4N-LAPOR!, dan tindak lanjutnya.", "pdf"),
    ("Pengumuman Pengadaan Barang dan Jasa {unit} Tahun {year}", "Rencana umum pengadaan, pengumuman tender dan hasil pemilihan penyedia barang dan jasa, dengan tautan ke SiRUP dan LPSE.", "xlsx"),
    ("Informasi Ketenagakerjaan dan Rekrutmen {unit} Tahun {year}", "Pengumuman penerimaan pegawai, tenaga kontrak dan magang, persyaratan, jadwal seleksi dan hasil seleksi.", "pdf"),
    ("Prosedur Peringatan Dini dan Evakuasi Keadaan Darurat Kantor {unit}", "Prosedur peringatan dini dan evakuasi keadaan darurat untuk setiap kantor: jalur evakuasi, titik kumpul, petugas penanggung jawab dan nomor darurat.", "pdf"),
];

const SERTA_MERTA: &[(&str, &str, &str)] = &[
    ("Peringatan Dini Banjir dan Status Siaga Pintu Air {year}", "Status siaga pintu air Manggarai, Karet dan Pasar Ikan, perkiraan wilayah terdampak genangan, lokasi pengungsian, jalur evakuasi dan cara meminta bantuan.", "pdf"),
    ("Informasi Kejadian Luar Biasa Demam Berdarah Dengue {year}", "Sebaran kasus demam berdarah dengue per kecamatan, wilayah dengan kasus meningkat, langkah pemberantasan sarang nyamuk, dan fasilitas kesehatan rujukan.", "xlsx"),
    ("Informasi Penanganan Pandemi Covid-19 dan Vaksinasi {year}", "Data kasus terkonfirmasi, sembuh dan meninggal, lokasi vaksinasi, protokol kesehatan, dan cara mendapatkan pertolongan bagi warga yang melakukan isolasi mandiri.", "pdf"),
    ("Pengumuman Gangguan Layanan Air Bersih dan Listrik {year}", "Rencana pemadaman dan gangguan layanan air bersih di beberapa kelurahan, jadwal pemulihan, dan titik distribusi air bersih darurat.", "docx"),
    ("Peringatan Kualitas Udara Tidak Sehat {year}", "Indeks standar pencemar udara di lima kota administrasi, kelompok rentan yang terdampak, anjuran mengurangi aktivitas luar ruangan dan penggunaan masker.", "pdf"),
];

const SETIAP_SAAT: &[(&str, &str, &str)] = &[
    (
        "Keputusan Kepala {unit} Nomor {n} Tahun {year} tentang Standar Pelayanan",
        "Keputusan beserta pertimbangannya tentang standar pelayanan publik: persyaratan, prosedur, jangka waktu, biaya dan maklumat pelayanan.",
        "pdf",
    ),
    (
        "Perjanjian Kerja Sama {unit} dengan Pihak Ketiga Tahun {year}",
        "Naskah perjanjian kerja sama dengan badan usaha dan organisasi masyarakat: para pihak, ruang lingkup, jangka waktu, hak dan kewajiban.",
        "docx",
    ),
    (
        "Rencana Strategis {unit} 2023-2026",
        "Visi, misi, tujuan, sasaran strategis, program prioritas dan indikator kinerja untuk periode rencana strategis.",
        "pdf",
    ),
    ("Rencana Kerja dan Anggaran {unit} Tahun {year}", "Rencana kerja tahunan beserta perkiraan pengeluaran tahunan per program dan kegiatan.", "xlsx"),
    ("Standar Operasional Prosedur Pelayanan {unit}", "Kumpulan standar operasional prosedur pelayanan publik dan prosedur kerja pegawai.", "docx"),
    ("Agenda Kerja Pimpinan {unit} Tahun {year}", "Agenda kerja pimpinan: rapat koordinasi, kunjungan lapangan dan pertemuan dengan masyarakat.", "xlsx"),
    (
        "Data Statistik Layanan {unit} Tahun {year}",
        "Statistik layanan publik per bulan: jumlah layanan, waktu penyelesaian rata-rata dan tingkat kepuasan masyarakat.",
        "xlsx",
    ),
    ("Daftar Temuan Audit Internal dan Tindak Lanjut {unit} Tahun {year}", "Jumlah dan jenis temuan pengawasan internal serta status tindak lanjutnya.", "pdf"),
    (
        "Laporan Pengaduan Masyarakat dan Tindak Lanjut {unit} Tahun {year}",
        "Jumlah dan jenis pengaduan masyarakat yang diterima serta tindak lanjut penyelesaiannya.",
        "pdf",
    ),
    ("Notulen Rapat Terbuka {unit} Tahun {year}", "Informasi dan kebijakan yang disampaikan pejabat dalam pertemuan yang terbuka untuk umum.", "docx"),
];

/// Exempt items: title, ground, legal basis, withheld, years (None = no fixed end).
const EXEMPT: &[(&str, &str, &str, &str, Option<i32>)] = &[
    (
        "Data Rekam Medis Pasien Rumah Sakit Umum Daerah",
        "h",
        "UU 14/2008 Pasal 17 huruf h angka 2; UU 17/2023 tentang Kesehatan",
        "riwayat, kondisi dan perawatan kesehatan pasien",
        None,
    ),
    (
        "Dokumen Penyelidikan Dugaan Penyalahgunaan Bantuan Sosial",
        "a",
        "UU 14/2008 Pasal 17 huruf a angka 1",
        "identitas pelapor, saksi dan isi berkas penyelidikan",
        Some(3),
    ),
    (
        "Rencana Pengamanan Objek Vital Pusat Data Pemerintah",
        "c",
        "UU 14/2008 Pasal 17 huruf c angka 6",
        "tata letak, sistem pengamanan dan sandi akses pusat data",
        Some(5),
    ),
    (
        "Memorandum Internal Evaluasi Kinerja Pejabat",
        "i",
        "UU 14/2008 Pasal 17 huruf i",
        "isi memorandum antarpejabat yang menurut sifatnya dirahasiakan",
        None,
    ),
    (
        "Data Kependudukan dan Kondisi Keuangan Penerima Bantuan Sosial",
        "h",
        "UU 14/2008 Pasal 17 huruf h angka 3; UU 27/2022 tentang Pelindungan Data Pribadi",
        "nama, NIK, alamat dan kondisi keuangan keluarga penerima",
        None,
    ),
    (
        "Dokumen Penawaran Rahasia Dagang Peserta Tender",
        "b",
        "UU 14/2008 Pasal 17 huruf b",
        "rincian harga satuan dan metode kerja peserta yang merupakan rahasia dagang",
        Some(2),
    ),
];

fn app_err(e: AppError) -> anyhow::Error {
    anyhow!("{e:?}")
}

fn fill(s: &str, unit: &str, year: i32, n: u32) -> String {
    s.replace("{unit}", unit).replace("{year}", &year.to_string()).replace("{n}", &n.to_string())
}

fn attachment(kind: &str, title: &str, summary: &str, year: i32, rng: &mut StdRng) -> Upload {
    let slug: String = title
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .take(6)
        .collect::<Vec<_>>()
        .join("-");
    match kind {
        "xlsx" => {
            let rows: Vec<Vec<String>> =
                ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"]
                    .iter()
                    .map(|m| vec![format!("{m} {year}"), rng.gen_range(100..5000).to_string(), format!("{}", rng.gen_range(60..100)), "Tercapai".into()])
                    .collect();
            Upload {
                filename: format!("{slug}.xlsx"),
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
                data: samples::xlsx("Data", &["Periode", "Jumlah", "Capaian (%)", "Keterangan"], &rows),
            }
        }
        "docx" => Upload {
            filename: format!("{slug}.docx"),
            content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document".into(),
            data: samples::docx(
                title,
                &[
                    summary,
                    "Dokumen ini disusun oleh Pejabat Pengelola Informasi dan Dokumentasi sebagai bagian dari Daftar Informasi Publik.",
                    "Pertanyaan dapat disampaikan melalui meja layanan PPID atau laman permohonan informasi.",
                ],
            ),
        },
        _ => Upload {
            filename: format!("{slug}.pdf"),
            content_type: "application/pdf".into(),
            data: samples::pdf(
                title,
                &[
                    summary,
                    "Informasi ini diumumkan sesuai Undang-Undang Nomor 14 Tahun 2008 tentang Keterbukaan Informasi Publik.",
                    "Salinan cetak dapat diperoleh di meja layanan PPID pada hari dan jam kerja.",
                ],
            ),
        },
    }
}

/// Seeds the register; returns how many items were created. `units` are (id, code, name) of
/// the demo units, `utama` the PPID Utama who writes them.
pub async fn seed(app: &App, utama: &Actor, units: &[(UnitId, String, String)], now: DateTime<Utc>) -> Result<usize> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut created = 0usize;
    let year_now = wib_date(now).year();
    let pelaksana_units: Vec<&(UnitId, String, String)> = units.iter().skip(1).collect();
    // Writes happen at past instants so histories, cadences and feeds look lived-in.
    let past = |rng: &mut StdRng, max_days: i64| now - Duration::days(rng.gen_range(1..max_days.max(2))) - Duration::minutes(rng.gen_range(0..600));

    for (uid, code, uname) in units {
        let kinds: Vec<&(&str, &str, &str)> = BERKALA.iter().collect();
        // Periodic information: this year and last year for the financial and programme items.
        for (k, (title, summary, file)) in kinds.iter().enumerate() {
            let years: &[i32] = if title.contains("{year}") { &[year_now - 1, year_now] } else { &[year_now] };
            for &year in years {
                let at = if year < year_now { now - Duration::days(rng.gen_range(300..600)) } else { past(&mut rng, 300) };
                let raw = item(title, summary, code, uname, year, at, "berkala", &mut rng, k as u32);
                let up = attachment(file, &raw.title.clone().unwrap_or_default(), summary, year, &mut rng);
                app.create_item(utama, &raw, Intent::Publish, vec![up], at).await.map_err(app_err).with_context(|| format!("demo: item {title} for {code}"))?;
                created += 1;
            }
        }
        for (k, (title, summary, file)) in SETIAP_SAAT.iter().enumerate() {
            let years: Vec<i32> =
                if title.contains("{year}") { vec![year_now - 1 - rng.gen_range(0..2), year_now] } else { vec![year_now - rng.gen_range(0..3)] };
            for year in years {
                let at = past(&mut rng, 700)
                    .max(chrono::NaiveDate::from_ymd_opt(year, 1, 10).and_then(|d| d.and_hms_opt(3, 0, 0)).map(|d| d.and_utc()).unwrap_or(now));
                let at = at.min(now - Duration::hours(1));
                let raw = item(title, summary, code, uname, year.min(wib_date(at).year()), at, "setiap_saat", &mut rng, k as u32 + 1);
                let files = if rng.gen_bool(0.8) { vec![attachment(file, &raw.title.clone().unwrap_or_default(), summary, year, &mut rng)] } else { vec![] };
                app.create_item(utama, &raw, Intent::Publish, files, at).await.map_err(app_err).with_context(|| format!("demo: item {title} for {code}"))?;
                created += 1;
            }
        }
        let _ = uid;
    }
    // Immediate information, mostly from the disaster and health units.
    for (k, (title, summary, file)) in SERTA_MERTA.iter().enumerate() {
        for year in [year_now - 1, year_now] {
            let (_, code, uname) = pelaksana_units.choose(&mut rng).copied().unwrap_or(&units[0]);
            let at = if year < year_now { now - Duration::days(rng.gen_range(330..600)) } else { past(&mut rng, 200) };
            let raw = item(title, summary, code, uname, year, at, "serta_merta", &mut rng, k as u32);
            let up = attachment(file, &raw.title.clone().unwrap_or_default(), summary, year, &mut rng);
            app.create_item(utama, &raw, Intent::Publish, vec![up], at).await.map_err(app_err).with_context(|| format!("demo: item {title}"))?;
            created += 1;
        }
    }
    // The DIK: exempt items, with the consequence test. One exemption ended last month.
    for (k, (title, ground, basis, withheld, years)) in EXEMPT.iter().enumerate() {
        let (_, code, uname) = pelaksana_units[k % pelaksana_units.len().max(1)];
        let decided = now - Duration::days(rng.gen_range(60..500));
        let until = if k == 1 { Some(wib_date(now) - Duration::days(30)) } else { years.map(|y| wib_date(decided) + Duration::days(365 * y as i64)) };
        let decided =
            if let Some(u) = until { decided.min(u.and_hms_opt(0, 0, 0).map(|d| d.and_utc()).unwrap_or(decided) - Duration::days(200)) } else { decided };
        let mut raw = item(
            title,
            "Dokumen yang memuat informasi yang dikecualikan berdasarkan uji konsekuensi.",
            code,
            uname,
            wib_date(decided).year(),
            decided,
            "dikecualikan",
            &mut rng,
            0,
        );
        raw.exemption_ground = Some(ground.to_string());
        raw.legal_basis = Some(basis.to_string());
        raw.withheld = Some(withheld.to_string());
        raw.consequence = Some(format!("Membuka {withheld} dapat merugikan pihak yang dilindungi dan menghambat tugas badan publik."));
        raw.public_interest = Some("Kepentingan publik yang lebih besar terlayani dengan menutup informasi ini; ringkasan statistik tetap diumumkan.".into());
        raw.approval_ref = Some(format!("Persetujuan Atasan PPID Nomor {}/PPID/{}", 10 + k, wib_date(decided).year()));
        raw.decided_on = Some(wib_date(decided).to_string());
        raw.exempt_until = until.map(|u| u.to_string());
        app.create_item(utama, &raw, Intent::Publish, vec![], decided).await.map_err(app_err).with_context(|| format!("demo: exempt item {title}"))?;
        created += 1;
    }
    // Life-cycle stories: a few withdrawn items, one restored to draft, one scheduled.
    let page =
        app.store.list_items(&terbuka_store::ItemFilter { states: vec![terbuka_domain::dip::ItemState::Published], limit: 400, ..Default::default() }).await?;
    let mut published: Vec<_> = page.items.into_iter().filter(|i| !i.fields.category.is_exempt()).collect();
    published.shuffle(&mut rng);
    for (k, it) in published.iter().take(4).enumerate() {
        let at = now - Duration::days(rng.gen_range(1..20));
        let at = at.max(it.updated_at + Duration::minutes(5));
        let reason = if k % 2 == 0 {
            "Ditarik karena memuat data yang keliru; versi perbaikan sedang disiapkan."
        } else {
            "Ditarik sementara: dokumen digantikan oleh revisi yang akan segera diterbitkan."
        };
        let w =
            app.item_event(utama, it.id, it.version, ItemEvent::Withdraw, None, Some(reason.into()), at).await.map_err(app_err).context("demo: withdraw")?;
        if k == 3 {
            app.item_event(utama, w.id, w.version, ItemEvent::Restore, None, None, at + Duration::minutes(30))
                .await
                .map_err(app_err)
                .context("demo: restore")?;
        }
    }
    // Replaced files: new revisions of a few items (the old ones stay downloadable).
    for it in published.iter().skip(4).take(6) {
        let at = (now - Duration::days(rng.gen_range(1..30))).max(it.updated_at + Duration::minutes(5));
        let files = app.store.item_files(it.id).await?;
        if let Some(f) = files.iter().find(|f| f.is_current()) {
            let kind = if f.filename.ends_with(".xlsx") {
                "xlsx"
            } else if f.filename.ends_with(".docx") {
                "docx"
            } else {
                "pdf"
            };
            let mut up = attachment(
                kind,
                &format!("{} (revisi)", it.fields.title),
                &format!("{} Revisi: angka diperbarui.", it.fields.summary),
                it.fields.year(),
                &mut rng,
            );
            up.filename = f.filename.clone();
            app.change_files(utama, it.id, it.version, vec![], Some((f.slot, up)), None, Some("Revisi data".into()), at)
                .await
                .map_err(app_err)
                .context("demo: replace file")?;
        }
    }
    // A scheduled publication next week.
    let (_, code, uname) = pelaksana_units.first().copied().unwrap_or(&units[0]);
    let raw = item(
        "Laporan Realisasi Anggaran Semester II {year}",
        "Laporan realisasi anggaran semester kedua yang akan diterbitkan sesuai jadwal.",
        code,
        uname,
        year_now,
        now,
        "berkala",
        &mut rng,
        3,
    );
    app.create_item(utama, &raw, Intent::Schedule(now + Duration::days(7)), vec![], now).await.map_err(app_err).context("demo: scheduled item")?;
    created += 1;
    // Exemptions whose period ended are opened by the job, as in production.
    app.run_register_schedule(now).await.map_err(app_err).context("demo: register schedule")?;
    // One released document of a granted request promoted into the register.
    let granted = app
        .store
        .list_requests(&terbuka_store::RequestFilter {
            states: vec![terbuka_domain::request::RequestState::Delivered, terbuka_domain::request::RequestState::Closed],
            limit: 200,
            ..Default::default()
        })
        .await?;
    'outer: for r in granted.items {
        for d in app.store.documents(r.id).await? {
            if d.kind == terbuka_store::DocumentKind::Released {
                app.promote_document(utama, d.id, now - Duration::hours(2)).await.map_err(app_err).context("demo: promote")?;
                created += 1;
                break 'outer;
            }
        }
    }
    Ok(created)
}

#[allow(clippy::too_many_arguments)]
fn item(title: &str, summary: &str, code: &str, unit_name: &str, year: i32, at: DateTime<Utc>, category: &str, rng: &mut StdRng, n: u32) -> RawItem {
    let today = wib_date(at);
    let produced = chrono::NaiveDate::from_ymd_opt(year, rng.gen_range(1..=12), rng.gen_range(1..=28)).unwrap_or(today).min(today);
    let (soft, hard) = match rng.gen_range(0..10) {
        0..=5 => ("softcopy", ""),
        6..=8 => ("softcopy", "hardcopy"),
        _ => ("", "hardcopy"),
    };
    let formats = [soft, hard].iter().filter(|s| !s.is_empty()).cloned().collect::<Vec<_>>().join(",");
    RawItem {
        title: Some(fill(title, unit_name, year, 100 + n * 7)),
        summary: Some(fill(summary, unit_name, year, n)),
        unit: Some(code.to_string()),
        official: Some(format!("Kepala {unit_name}")),
        produced_on: Some(produced.to_string()),
        produced_place: Some("Jakarta".into()),
        period: Some(if category == "berkala" { format!("Tahun {year}") } else { String::new() }),
        formats: Some(formats),
        retention: Some(if rng.gen_bool(0.2) { "permanen".into() } else { format!("{} tahun", [2, 5, 10][rng.gen_range(0..3)]) }),
        how_to_obtain: Some(if soft.is_empty() {
            "Datang ke meja layanan PPID atau ajukan permohonan informasi.".into()
        } else {
            "Unduh langsung dari laman ini, atau ajukan permohonan informasi.".into()
        }),
        category: Some(category.into()),
        cadence_months: (category == "berkala").then(|| if rng.gen_bool(0.3) { "3".to_string() } else { "6".to_string() }),
        ..Default::default()
    }
}
