//! `spotcheck publish` on a batch bundle (SPEC §10.7): the joint plan's
//! batch is published, its public bundle verifies with its own files,
//! and any edit to a list or to public.json fails, naming the file.

use crate::util::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const SEED: &str = "20250301-QDN";

fn publish(bundle: &Path, out: &Path) -> Run {
    spotcheck([
        "publish".as_ref(),
        bundle.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
}

/// The joint plan drawn into `out/b` and published into `out/pub`.
fn published() -> (Work, PathBuf, PathBuf) {
    let w = Work::new();
    let bundle = w.out("b");
    draw(&repo().join("plans/joint-2025.toml"), SEED, &bundle, &[]).ok();
    let public = w.out("pub");
    publish(&bundle, &public).ok().stdout_has(&[
        "published batch QDN-2025-LH",
        "tasks/<id>/targets.csv (50 files)",
        "visits.csv",
    ]);
    (w, bundle, public)
}

fn public_json(public: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(public.join("public.json")).unwrap()).unwrap()
}

fn write_public_json(public: &Path, v: &Value) {
    let mut bytes = serde_json::to_vec_pretty(v).unwrap();
    bytes.push(b'\n');
    std::fs::write(public.join("public.json"), bytes).unwrap();
}

/// Records the file's new SHA-256 in public.json, so that the check
/// behind the hash is what fails.
fn rehash(public: &Path, name: &str) {
    let mut v = public_json(public);
    let sha = spotcheck::base::sha256::sha256_hex(&std::fs::read(public.join(name)).unwrap());
    v["files"][name] = Value::String(sha);
    write_public_json(public, &v);
}

/// A task of the batch with at least two targets, and its list's name.
fn some_task(public: &Path) -> (String, String) {
    let v = public_json(public);
    let task = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["totals"]["targets"].as_u64().unwrap() >= 2)
        .unwrap();
    let id = task["id"].as_str().unwrap().to_string();
    let file = format!("tasks/{id}/targets.csv");
    (id, file)
}

#[test]
fn the_joint_plan_publishes_and_its_public_bundle_verifies() {
    let (_w, bundle, public) = published();
    let files = snapshot(&public);
    assert!(files.contains_key("public.json") && files.contains_key("index.html"));
    assert!(files.contains_key("visits.csv"));
    assert_eq!(files.keys().filter(|k| k.starts_with("tasks/")).count(), 50);
    for private in ["manifest.json", "assignments.csv", "load.csv"] {
        assert!(!files.contains_key(private), "{private} is published");
    }
    let v = public_json(&public);
    assert_eq!(v["format"], "spotcheck-public-batch/1");
    let sha = spotcheck::base::sha256::sha256_hex(&std::fs::read(bundle.join("manifest.json")).unwrap());
    assert_eq!(v["source_manifest_sha256"], Value::String(sha));
    assert_eq!(v["batch"]["id"], "QDN-2025-LH");
    assert_eq!(v["tasks"].as_array().unwrap().len(), 50);
    assert!(v["inputs"]["items"]["sha256"].is_string());
    assert!(
        v["inputs"]["enterprises"].get("path").is_none(),
        "paths are not published"
    );
    let task = &v["tasks"][0];
    assert_eq!(
        task["seed"],
        Value::String(format!("{SEED}:task:{}", task["id"].as_str().unwrap()))
    );
    assert!(task["items"][0]["name"].is_string());
    // Classes are withheld by the joint plan: no class column, opaque labels.
    let (_, file) = some_task(&public);
    let text = String::from_utf8(files[&file].clone()).unwrap();
    assert!(
        text.starts_with("stratum,rank,ticket,uscc,name,county,industry\n"),
        "{text}"
    );
    assert!(!text.contains("credit_class"));
    assert_eq!(v["withheld"][0]["item"], "credit_class");
    // Inspector names are published by the joint plan.
    let visits = String::from_utf8(files["visits.csv"].clone()).unwrap();
    assert!(
        visits.starts_with("visit,uscc,name,county,start,end,tasks,items,departments,inspector_ids,inspector_names\n")
    );
    assert_eq!(
        visits.lines().count() as u64,
        v["totals"]["visits"].as_u64().unwrap() + 1
    );
    // Every file is listed with its hash.
    for (name, bytes) in &files {
        if name != "public.json" {
            assert_eq!(
                v["files"][name],
                Value::String(spotcheck::base::sha256::sha256_hex(bytes)),
                "{name}"
            );
        }
    }
    let page = String::from_utf8(files["index.html"].clone()).unwrap();
    for needle in [
        "抽查计划公告",
        "抽查任务公告",
        "id=\"firm-search\"",
        "consistent_sampler.sampler(ids, seed=S_t",
    ] {
        assert!(page.contains(needle), "the page lacks {needle}");
    }
    verify(&public, &[]).ok().stdout_has(&[
        "verified:",
        "public bundle of batch QDN-2025-LH: 50 tasks",
        "ticket(S_t, code)",
        "visits:",
        "index.html: shows exactly",
    ]);
    // Never over an existing folder.
    publish(&bundle, &public).error(&["already exists"]);
}

#[test]
fn a_changed_ticket_fails_naming_the_task_list_and_line() {
    let (_w, _bundle, public) = published();
    let (_, file) = some_task(&public);
    let path = public.join(&file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut fields: Vec<String> = lines[1].split(',').map(String::from).collect();
    let ticket = fields[2].clone();
    let last = ticket.chars().last().unwrap();
    let other = if last == '1' { '2' } else { '1' };
    fields[2] = format!("{}{other}", &ticket[..ticket.len() - 1]);
    lines[1] = fields.join(",");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    // The hash catches it first.
    verify(&public, &[]).not_verified(&[&format!("{file}: SHA-256 is")]);
    // With the hash made to match, the ticket itself is wrong.
    rehash(&public, &file);
    verify(&public, &[]).not_verified(&[&format!("{file} line 2"), "is not ticket(seed, code)"]);
}

#[test]
fn a_dropped_row_fails_naming_the_task_list() {
    let (_w, _bundle, public) = published();
    let (_, file) = some_task(&public);
    let path = public.join(&file);
    let text = std::fs::read_to_string(&path).unwrap();
    let kept: Vec<&str> = text.lines().filter(|_| true).collect();
    let without: String = kept
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    std::fs::write(&path, without).unwrap();
    rehash(&public, &file);
    verify(&public, &[]).not_verified(&[&file, "visits.csv"]);
}

#[test]
fn an_edited_public_json_fails() {
    let (_w, _bundle, public) = published();
    let original = std::fs::read(public.join("public.json")).unwrap();
    // A task's k.
    let mut v = public_json(&public);
    let k = v["tasks"][0]["strata"][0]["k"].as_u64().unwrap();
    v["tasks"][0]["strata"][0]["k"] = Value::from(k + 1);
    write_public_json(&public, &v);
    verify(&public, &[]).not_verified(&["public.json task", "k = "]);
    // A task's seed.
    std::fs::write(public.join("public.json"), &original).unwrap();
    let mut v = public_json(&public);
    v["tasks"][1]["seed"] = Value::String("another seed".into());
    write_public_json(&public, &v);
    verify(&public, &[]).not_verified(&["public.json task", "is not S"]);
    // An item's name.
    std::fs::write(public.join("public.json"), &original).unwrap();
    let mut v = public_json(&public);
    v["items"][0]["name"] = Value::String("另一个事项".into());
    write_public_json(&public, &v);
    verify(&public, &[]).not_verified(&["index.html: is not the page of public.json"]);
    // A file that is not listed.
    std::fs::write(public.join("public.json"), &original).unwrap();
    std::fs::write(public.join("tasks/extra.csv"), "x\n").unwrap();
    verify(&public, &[]).not_verified(&["tasks/extra.csv: in the folder but not listed in public.json"]);
    std::fs::remove_file(public.join("tasks/extra.csv")).unwrap();
    verify(&public, &[]).ok();
}

#[test]
fn a_batch_bundle_that_does_not_verify_is_not_published() {
    let w = Work::new();
    let bundle = w.out("b");
    draw(&repo().join("plans/joint-2025.toml"), SEED, &bundle, &[]).ok();
    let list = std::fs::read_dir(bundle.join("tasks"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let path = list.join("targets.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen(",1,", ",2,", 1)).unwrap();
    let out = w.out("pub");
    publish(&bundle, &out).not_verified(&["nothing published", "targets.csv"]);
    assert_no_output(&out);
}
