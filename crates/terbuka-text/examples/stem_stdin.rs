//! Stems words read from stdin (one per line), like `terbuka text stem`.
//! `cargo run --release -p terbuka-text --example stem_stdin < words.txt`

fn main() -> std::io::Result<()> {
    terbuka_text::stem_lines(std::io::stdin().lock(), std::io::stdout().lock())
}
