//! Agreement of `terbuka_text::stem` with PySastrawi 1.2.1 on the shared dev set.
//!
//! The file lives outside the repository (`<repo>/../shared/data/stem-pairs-dev.tsv`); a missing
//! file is a hard failure, never a skip.

use std::path::PathBuf;

const REQUIRED_AGREEMENT: f64 = 0.995;

fn dev_set_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/stem-pairs-dev.tsv")
}

#[test]
fn stem_agreement_with_sastrawi_dev_set() {
    let path = dev_set_path();
    let content = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("stem dev set missing or unreadable at {}: {e} (expected <repo>/../shared/data/stem-pairs-dev.tsv)", path.display()));

    let mut total = 0usize;
    let mut agree = 0usize;
    let mut mismatches = Vec::new();
    for (n, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (word, expected) = line.split_once('\t').unwrap_or_else(|| panic!("line {}: expected `word<TAB>stem`, got {line:?}", n + 1));
        total += 1;
        let got = terbuka_text::stem(word);
        if got == expected {
            agree += 1;
        } else {
            mismatches.push(format!("{word}: expected {expected}, got {got}"));
        }
    }
    assert!(total > 3000, "dev set looks truncated: only {total} pairs in {}", path.display());

    let ratio = agree as f64 / total as f64;
    println!("stem agreement: {agree}/{total} = {:.3} %", ratio * 100.0);
    for m in mismatches.iter().take(20) {
        println!("  mismatch {m}");
    }
    assert!(
        ratio >= REQUIRED_AGREEMENT,
        "stem agreement {:.3} % < {:.1} %; first mismatches:\n{}",
        ratio * 100.0,
        REQUIRED_AGREEMENT * 100.0,
        mismatches.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}
