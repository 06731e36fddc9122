//! Seed files on the command line: refused whole with the JSON path, for `orgd sandbox` and `orgd seed`.

use std::process::Command;

use serde_json::json;

use crate::{common, example_seed};

fn bad_seed() -> serde_json::Value {
    let mut seed = example_seed();
    seed["organizations"][0]["members"][0]["usersRoleId"] = json!("13");
    seed
}

#[test]
fn a_bad_seed_stops_the_sandbox_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seed.json");
    std::fs::write(&file, bad_seed().to_string()).unwrap();
    let out =
        Command::new(common::BIN).args(["sandbox", "--bind", "127.0.0.1:0", "--seed"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("organizations[0].members[0].usersRoleId: expected an integer"), "{stderr}");
    let mut unknown_owner = example_seed();
    unknown_owner["organizations"][1]["owner"] = json!("zed@example.com");
    std::fs::write(&file, unknown_owner.to_string()).unwrap();
    let out =
        Command::new(common::BIN).args(["sandbox", "--bind", "127.0.0.1:0", "--seed"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("organizations[1].owner: no user under users"));
}

#[test]
fn orgd_seed_loads_a_file_into_a_database_or_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("orgd.db").display());
    let file = dir.path().join("seed.json");
    let seed = |doc: &serde_json::Value| {
        std::fs::write(&file, doc.to_string()).unwrap();
        Command::new(common::BIN).args(["seed", "--from"]).arg(&file).env("ORGD_DATABASE_URL", &url).output().unwrap()
    };
    let usage_on = |org: &str| {
        Command::new(common::BIN)
            .args(["usage", "add", "--organization", org, "--date", "2026-12-01", "--operations", "1"])
            .env("ORGD_DATABASE_URL", &url)
            .output()
            .unwrap()
            .status
            .success()
    };
    let out = seed(&bad_seed());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("organizations[0].members[0].usersRoleId"));
    assert!(!usage_on("1"), "the bad file wrote nothing");
    let out = seed(&example_seed());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(usage_on("1") && usage_on("2") && !usage_on("3"), "the two organizations, ids 1 and 2");
}

#[test]
fn without_a_configured_token_the_sandbox_prints_one_and_it_refuses_to_write_certificates() {
    let mut cmd = Command::new(common::BIN);
    cmd.args(["sandbox"]);
    let sb = common::serve_command(cmd, &[]);
    let token = sb.bootstrap_token.clone().expect("a printed bootstrap token");
    assert!(uuid::Uuid::try_parse(&token).is_ok_and(|u| u.get_version_num() == 4), "{token}");
    drop(sb);
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(common::BIN)
        .args(["sandbox", "--bind", "127.0.0.1:0", "--tls", "self-signed"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("writes no files"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_seed_books_usage_to_a_members_private_space_and_the_cli_does_too() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("orgd.db").display());
    let file = dir.path().join("seed.json");
    let run = |args: &[&str]| Command::new(common::BIN).args(args).env("ORGD_DATABASE_URL", &url).output().unwrap();
    let mut doc = example_seed();
    doc["organizations"][0]["usage"][0]["privateSpace"] = json!("carol@example.com");
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = run(&["seed", "--from", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "no space without auto-creation");
    assert!(String::from_utf8_lossy(&out.stderr).contains("organizations[0].usage[0].privateSpace: needs"));
    doc["organizations"][0]["privateSpacesSettings"] = json!({"privateSpacesAutoCreationEnabled": true});
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = run(&["seed", "--from", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Carol's space is the first one: spaces are numbered from 1e12 + 1.
    let usage = |space: &str| {
        run(&[
            "usage",
            "add",
            "--organization",
            "1",
            "--private-space",
            space,
            "--date",
            "2026-12-01",
            "--operations",
            "3",
        ])
        .status
        .success()
    };
    assert!(usage("1000000000001") && !usage("1000000000002") && !usage("1"));
}
