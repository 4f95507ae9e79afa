//! Stemming throughput: every word of the given file (one per line, first TAB-separated column)
//! stemmed repeatedly. `cargo run --release -p terbuka-text --example stem_bench -- FILE [ROUNDS]`

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: stem_bench FILE [ROUNDS]");
    let rounds: usize = args.next().map_or(100, |r| r.parse().expect("ROUNDS must be a number"));
    let content = std::fs::read_to_string(&path).expect("cannot read word file");
    let words: Vec<&str> = content.lines().filter_map(|l| l.split('\t').next()).filter(|w| !w.is_empty()).collect();
    // Build the dictionary outside the timed loop.
    let _ = terbuka_text::stem("membaca");
    let start = Instant::now();
    let mut bytes = 0usize;
    for _ in 0..rounds {
        for w in &words {
            bytes += terbuka_text::stem(w).len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = words.len() * rounds;
    println!("{n} stems in {secs:.3} s = {:.0} words/s ({bytes} output bytes)", n as f64 / secs);
}
