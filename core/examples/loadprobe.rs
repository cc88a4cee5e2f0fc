use automerge::{AutoCommit, LoadOptions, ReadDoc, VerificationMode};
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let snap: Vec<u8> = conn
        .query_row("SELECT bytes FROM document_snapshot", [], |r| r.get(0))
        .unwrap();
    let chunks: Vec<Vec<u8>> = conn
        .prepare("SELECT bytes FROM document_chunks ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    println!("snapshot {} bytes, {} chunks", snap.len(), chunks.len());
    let t = Instant::now();
    let mut d = AutoCommit::load(&snap).unwrap();
    println!("load checked: {:?}", t.elapsed());
    let t = Instant::now();
    let _d2 = AutoCommit::load_with_options(
        &snap,
        LoadOptions::new().verification_mode(VerificationMode::DontCheck),
    )
    .unwrap();
    println!("load unchecked: {:?}", t.elapsed());
    let t = Instant::now();
    for c in &chunks {
        d.load_incremental(c).unwrap();
    }
    println!("chunks one by one: {:?}", t.elapsed());
    let all: Vec<u8> = chunks.concat();
    let mut d3 = AutoCommit::load(&snap).unwrap();
    let t = Instant::now();
    d3.load_incremental(&all).unwrap();
    println!("chunks concatenated: {:?}", t.elapsed());
    let t = Instant::now();
    let saved = d.save();
    println!("save: {:?} ({} bytes)", t.elapsed(), saved.len());
    let t = Instant::now();
    let _ = AutoCommit::load(&saved).unwrap();
    println!("load compacted: {:?}", t.elapsed());
    println!("stats {:?}", d.stats());
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    for l in s
        .lines()
        .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
    {
        println!("{l}");
    }
}
