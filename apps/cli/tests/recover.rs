//! `onward doctor --recover NEW_PATH`: a damaged journal is named in every error with
//! the way out, and what can still be read comes back in a new file.

mod support;

use support::Onward;

#[test]
fn a_damaged_journal_points_to_recovery_and_recovery_keeps_what_reads() {
    let o = Onward::new();
    let companies: Vec<String> = (0..30).map(|i| format!("Company {i}")).collect();
    for company in &companies {
        o.run(&[
            "application",
            "add",
            "--company",
            company,
            "--role",
            "Analyst",
        ]);
    }
    // A copy that stopped before its last page.
    let whole = std::fs::read(&o.journal).unwrap();
    std::fs::write(&o.journal, &whole[..whole.len() - 4096]).unwrap();
    let damaged = std::fs::read(&o.journal).unwrap();
    let modified = std::fs::metadata(&o.journal).unwrap().modified().unwrap();

    let f = o.fail(&["timeline"]);
    assert!(
        f.stderr.contains(o.journal.to_str().unwrap()),
        "{}",
        f.stderr
    );
    assert!(f.stderr.contains("cut short"), "{}", f.stderr);
    assert!(f.stderr.contains("doctor --recover"), "{}", f.stderr);

    let into = o.path("recovered.onward");
    let out = o.run(&["doctor", "--recover", into.to_str().unwrap()]);
    assert!(out.starts_with("Recovered "), "{out}");
    assert!(out.contains("was left as it was"), "{out}");
    assert_eq!(std::fs::read(&o.journal).unwrap(), damaged);
    assert_eq!(
        std::fs::metadata(&o.journal).unwrap().modified().unwrap(),
        modified
    );

    let mut recovered = Onward::new();
    recovered.journal = into.clone();
    let listed = recovered.json(&["application", "list"]);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["fields"]["company"].as_str().unwrap())
        .collect();
    assert!(names.len() >= companies.len() / 2, "{out}");
    for name in &names {
        assert!(
            companies.iter().any(|c| c == name),
            "{name} was never written"
        );
    }
    assert!(
        out.contains(&format!("Recovered {} records", names.len())),
        "{out}"
    );

    // Never over an existing file.
    let f = o.fail(&["doctor", "--recover", into.to_str().unwrap()]);
    assert!(f.stderr.contains("already exists"), "{}", f.stderr);
}
