//! Line-list benchmark: a national-scale case line list, generated from a seed, read, checked and
//! aggregated to kelurahan × day by `crisis::linelist`.
//!
//! ```sh
//! cargo bench -p terbuka-domain --bench linelist -- --rows 10000000 --seed 42 --out /tmp/linelist.csv
//! ```
//!
//! Options: `--rows N` (default 10 000 000), `--seed S` (42), `--out PATH` (CSV written once;
//! kept with a `PATH.stamp` naming rows, seed and generator version, and reused while the stamp
//! matches), `--runs R` (3), `--threads T` (0 = all cores), `--agg-out PATH` (writes the
//! aggregate as CSV, sorted, for comparison with another tool; not timed), `--whole` (read the
//! whole file into memory, one `pread` per thread, then call `aggregate`; by default the file is
//! read in 16 MiB blocks into one reused buffer and pushed into a `LineListReader`).
//!
//! It prints a human summary and one machine-readable line starting `RESULT` for
//! `scripts/bench-linelist`.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};
use terbuka_domain::crisis::linelist::{aggregate, LineListAggregate, LineListErrors, LineListReader, Options, STATUSES};
use terbuka_domain::region::{RegionLevel, Regions};

const REGIONS: &str = include_str!("../../terbuka-app/data/jakarta-regions.csv");
/// Bump when the generated file changes for the same seed and rows.
const GENERATOR_VERSION: u32 = 1;

struct Args {
    rows: u64,
    seed: u64,
    out: String,
    runs: usize,
    threads: usize,
    agg_out: Option<String>,
    /// Read the whole file into memory first, then call `aggregate` (instead of streaming).
    whole: bool,
}

fn args() -> Args {
    let mut a = Args { rows: 10_000_000, seed: 42, out: "/tmp/linelist.csv".into(), runs: 3, threads: 0, agg_out: None, whole: false };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => a.rows = value().parse().expect("--rows"),
            "--seed" => a.seed = value().parse().expect("--seed"),
            "--out" => a.out = value(),
            "--runs" => a.runs = value().parse().expect("--runs"),
            "--threads" => a.threads = value().parse().expect("--threads"),
            "--agg-out" => a.agg_out = Some(value()),
            "--whole" => a.whole = true,
            // `cargo bench` passes `--bench`; ignore it and anything else unknown.
            _ => {}
        }
    }
    a
}

/// xorshift64* — small, fast and reproducible.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, so that nearby seeds give unrelated streams.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Picks an index with probability proportional to its weight (binary search on the CDF).
struct Cdf(Vec<f64>);

impl Cdf {
    fn new(weights: &[f64]) -> Cdf {
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        Cdf(weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect())
    }

    fn pick(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.0.partition_point(|c| *c <= u).min(self.0.len() - 1)
    }
}

/// Days since 1970-01-01 to `YYYY-MM-DD` (civil-from-days, Howard Hinnant).
fn ymd(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Writes the line list: `rows` cases over 730 days from 2020-03-01, in random order (not sorted
/// by date), over the 267 kelurahan with a skewed weight each, in three epidemic waves.
fn generate(path: &str, rows: u64, seed: u64, codes: &[String]) -> std::io::Result<()> {
    let mut rng = Rng::new(seed);
    // Kelurahan: log-normal-ish weights (a few dense kelurahan carry many cases).
    let kel_weights: Vec<f64> = codes.iter().map(|_| (rng.unit() * 2.5).exp() + rng.unit()).collect();
    let kel = Cdf::new(&kel_weights);
    // Days: a base level plus three waves (Jan 2021, Jul 2021, Feb 2022).
    const DAYS: usize = 730;
    let first = 18_322i64; // 2020-03-01 in days since 1970-01-01
    let wave = |d: f64, peak: f64, width: f64, height: f64| height * (-((d - peak) / width).powi(2)).exp();
    let day_weights: Vec<f64> =
        (0..DAYS).map(|d| d as f64).map(|d| 1.0 + wave(d, 330.0, 30.0, 8.0) + wave(d, 495.0, 18.0, 25.0) + wave(d, 710.0, 20.0, 15.0)).collect();
    let day = Cdf::new(&day_weights);
    let dates: Vec<String> = (0..DAYS as i64)
        .map(|i| {
            let (y, m, d) = ymd(first + i);
            format!("{y:04}-{m:02}-{d:02}")
        })
        .collect();

    let tmp = format!("{path}.tmp");
    let mut w = BufWriter::with_capacity(1 << 20, fs::File::create(&tmp)?);
    w.write_all(b"tanggal,kelurahan,status,umur,jenis_kelamin\n")?;
    for _ in 0..rows {
        let d = day.pick(&mut rng);
        let k = kel.pick(&mut rng);
        // Older cases are mostly closed; recent ones still open.
        let age_days = (DAYS - 1 - d) as f64;
        let open = (0.6 * (-age_days / 14.0).exp()).max(0.01);
        let u = rng.unit();
        let status = if u < 0.025 {
            3
        } else if u < 0.025 + open * 0.35 {
            0
        } else if u < 0.025 + open {
            1
        } else {
            2
        };
        w.write_all(dates[d].as_bytes())?;
        w.write_all(b",")?;
        w.write_all(codes[k].as_bytes())?;
        w.write_all(b",")?;
        w.write_all(STATUSES[status].as_bytes())?;
        w.write_all(b",")?;
        if rng.below(100) >= 3 {
            let age = ((rng.unit() + rng.unit() + rng.unit()) / 3.0 * 100.0) as u32;
            write!(w, "{age}")?;
        }
        w.write_all(match rng.below(100) {
            0 | 1 => b",\n",
            n if n % 2 == 0 => b",L\n",
            _ => b",P\n",
        })?;
    }
    w.flush()?;
    drop(w);
    fs::rename(&tmp, path)
}

fn stamp(rows: u64, seed: u64) -> String {
    format!("rows={rows} seed={seed} generator={GENERATOR_VERSION}\n")
}

/// Reads the file in blocks of [`BLOCK`] bytes into one reused buffer and pushes each into a
/// [`LineListReader`]; returns the answer and the time spent in `read` calls.
fn read_streaming(path: &str, regions: &Regions, options: &Options) -> std::io::Result<(Result<LineListAggregate, LineListErrors>, Duration)> {
    use std::io::Read;
    let mut file = fs::File::open(path)?;
    let mut buf = vec![0u8; BLOCK];
    let mut reader = LineListReader::new(regions, options);
    let mut read_time = Duration::ZERO;
    loop {
        let t = Instant::now();
        let mut filled = 0;
        while filled < buf.len() {
            match file.read(&mut buf[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        read_time += t.elapsed();
        if filled == 0 {
            break;
        }
        reader.push(&buf[..filled]);
    }
    Ok((reader.finish(), read_time))
}

/// CPU time (user + system, all threads) of this process so far, from `/proc/self/stat`
/// (in clock ticks of 1/100 s); 0 where that file does not exist.
fn cpu_seconds() -> f64 {
    let Ok(stat) = fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line; the first field after the name is field 3.
    (tick(11) + tick(12)) / 100.0
}

/// The block size of the streaming read.
const BLOCK: usize = 16 << 20;

/// Reads a whole file with `threads` threads, each reading its own part (`pread`), so that the
/// copy from the page cache and the page faults of the fresh buffer are shared between cores.
fn read_parallel(path: &str, threads: usize) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let file = fs::File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).expect("file fits in memory");
    let mut buf = vec![0u8; len];
    let part = len.div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = buf
            .chunks_mut(part)
            .enumerate()
            .map(|(i, chunk)| {
                let file = &file;
                s.spawn(move || file.read_exact_at(chunk, (i * part) as u64))
            })
            .collect();
        handles.into_iter().try_for_each(|h| h.join().expect("reader thread"))
    })?;
    Ok(buf)
}

fn median(v: &[Duration]) -> Duration {
    let mut s = v.to_vec();
    s.sort();
    s[s.len() / 2]
}

fn main() {
    let a = args();
    let regions = Regions::parse_csv(REGIONS).expect("bundled regions");
    let codes: Vec<String> = regions.at_level(RegionLevel::Kelurahan).map(|r| r.code.clone()).collect();
    let stamp_path = format!("{}.stamp", a.out);
    let fresh = fs::read_to_string(&stamp_path).ok().as_deref() == Some(stamp(a.rows, a.seed).as_str()) && Path::new(&a.out).exists();
    if fresh {
        println!("line list: reusing {} ({} rows, seed {})", a.out, a.rows, a.seed);
    } else {
        let t = Instant::now();
        let _ = fs::remove_file(&stamp_path);
        generate(&a.out, a.rows, a.seed, &codes).expect("write the line list");
        fs::write(&stamp_path, stamp(a.rows, a.seed)).expect("write the stamp");
        println!("line list: generated {} ({} rows, seed {}) in {:.1} s", a.out, a.rows, a.seed, t.elapsed().as_secs_f64());
    }
    let size = fs::metadata(&a.out).expect("line list").len();
    let threads = match a.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let mode = if a.whole { "whole file in memory, then aggregate" } else { "streamed in 16 MiB blocks through LineListReader" };
    println!("file: {:.1} MB; threads: {threads}; runs: {}; read: {mode}", size as f64 / 1e6, a.runs);

    let options = Options { threads, ..Options::default() };
    let mut totals = Vec::new();
    let mut cpus: Vec<f64> = Vec::new();
    let (mut reads, mut aggs, mut obss) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = None;
    for run in 1..=a.runs.max(1) {
        let cpu0 = cpu_seconds();
        let t0 = Instant::now();
        let (agg, read_time) = if a.whole {
            let bytes = read_parallel(&a.out, threads).expect("read the line list");
            let read_time = t0.elapsed();
            let agg = aggregate(&bytes, &regions, &options);
            drop(bytes);
            (agg, read_time)
        } else {
            read_streaming(&a.out, &regions, &options).expect("read the line list")
        };
        let agg = match agg {
            Ok(agg) => agg,
            Err(e) => panic!("the generated line list was refused: {e}"),
        };
        let t1 = t0 + read_time;
        let t2 = Instant::now();
        let obs = agg.to_observations();
        let t3 = Instant::now();
        let n_obs = obs.len();
        drop(obs);
        let total = t3 - t0;
        let cpu = cpu_seconds() - cpu0;
        cpus.push(cpu);
        println!(
            "run {run}: {:.3} s, CPU {cpu:.2} s (read {:.3} s, check + aggregate {:.3} s, to_observations {:.3} s: {n_obs} observations)",
            total.as_secs_f64(),
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            (t3 - t2).as_secs_f64()
        );
        totals.push(total);
        reads.push(t1 - t0);
        aggs.push(t2 - t1);
        obss.push(t3 - t2);
        last = Some((agg, n_obs));
    }
    let Some((agg, n_obs)) = last else { return };
    let best = *totals.iter().min().expect("one run");
    let med = median(&totals);
    let t = agg.totals();
    println!(
        "terbuka: best {:.3} s, median {:.3} s; {:.2} M rows/s, {:.0} MB/s (best); parts, median: read {:.3} s, check + aggregate {:.3} s, to_observations {:.3} s",
        best.as_secs_f64(),
        med.as_secs_f64(),
        agg.rows() as f64 / best.as_secs_f64() / 1e6,
        size as f64 / best.as_secs_f64() / 1e6,
        median(&reads).as_secs_f64(),
        median(&aggs).as_secs_f64(),
        median(&obss).as_secs_f64()
    );
    println!(
        "result: {} rows, {} kelurahan × day groups with cases, {} kelurahan × {} days, {n_obs} observations; dirawat {} isolasi_mandiri {} sembuh {} meninggal {}",
        agg.rows(),
        agg.groups(),
        agg.kelurahan().len(),
        agg.days(),
        t.in_treatment,
        t.self_isolation,
        t.recovered,
        t.deaths
    );
    println!(
        "RESULT best={:.6} median={:.6} cpu={:.2} rows={} bytes={size} groups={} dirawat={} isolasi_mandiri={} sembuh={} meninggal={} threads={threads}",
        best.as_secs_f64(),
        med.as_secs_f64(),
        {
            cpus.sort_by(f64::total_cmp);
            cpus[cpus.len() / 2]
        },
        agg.rows(),
        agg.groups(),
        t.in_treatment,
        t.self_isolation,
        t.recovered,
        t.deaths
    );
    if let Some(path) = a.agg_out {
        let mut w = BufWriter::new(fs::File::create(&path).expect("aggregate file"));
        let mut lines: Vec<String> = agg
            .cells()
            .map(|(k, day, c)| format!("{k},{day},{},{},{},{},{}", c.confirmed(), c.in_treatment, c.self_isolation, c.recovered, c.deaths))
            .collect();
        lines.sort();
        for l in lines {
            writeln!(w, "{l}").expect("write the aggregate");
        }
        w.flush().expect("write the aggregate");
    }
}
