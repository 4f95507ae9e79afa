//! Prints `tokenize` and `analyze` output for each line of stdin (debugging aid).

use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let tokens: Vec<String> = terbuka_text::tokenize(&line).iter().map(|t| format!("{}@{}[{}..{}]", t.text, t.position, t.from, t.to)).collect();
        let analyzed: Vec<String> = terbuka_text::analyze(&line).iter().map(|t| format!("{}@{}", t.text, t.position)).collect();
        println!("{}\n  tokens:   {}\n  analyzed: {}", line, tokens.join(" "), analyzed.join(" "));
    }
}
