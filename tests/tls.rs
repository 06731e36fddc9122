//! Native HTTPS against the real binary: `--tls self-signed` makes a CA once and keeps it across restarts,
//! `--tls-cert/--tls-key` serve given files and reload them on SIGHUP, HTTP/2 through ALPN, bad settings refused.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use reqwest::{Certificate, Client, StatusCode, Version};
use serde_json::Value;

const TOKEN: &str = "7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";

fn start(dir: &Path, extra: &[(&str, &str)]) -> common::Process {
    let db = format!("sqlite://{}", dir.join("orgd.db").display());
    let mut env = vec![("ORGD_DATABASE_URL", db.as_str()), ("ORGD_BOOTSTRAP_TOKEN", TOKEN)];
    env.extend_from_slice(extra);
    common::serve(&env)
}

/// A client that trusts only `ca_pem`, optionally limited to HTTP/1.1, resolving `host` to the server.
fn client(ca_pem: &[u8], http1_only: bool, host: Option<(&str, &str)>) -> Client {
    let mut b = Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(Certificate::from_pem(ca_pem).unwrap())
        .timeout(Duration::from_secs(10));
    if http1_only {
        b = b.http1_only();
    }
    if let Some((name, addr)) = host {
        b = b.resolve(name, addr.parse().unwrap());
    }
    b.build().unwrap()
}

async fn me(c: &Client, url: &str) -> Result<(StatusCode, Version, Value), reqwest::Error> {
    let res = c.get(format!("{url}/users/me")).header("Authorization", format!("Token {TOKEN}")).send().await?;
    let (status, version) = (res.status(), res.version());
    Ok((status, version, res.json().await.unwrap_or(Value::Null)))
}

fn ca_path_printed(p: &common::Process) -> PathBuf {
    let line = p.startup.iter().find_map(|l| l.strip_prefix("NODE_EXTRA_CA_CERTS=")).expect("CA line printed");
    PathBuf::from(line.trim())
}

#[tokio::test]
async fn self_signed_ca_is_made_once_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_dir = data.to_str().unwrap();
    let p = start(dir.path(), &[("ORGD_TLS", "self-signed"), ("ORGD_DATA_DIR", data_dir)]);
    assert_eq!(p.scheme, "https");
    let ca_file = ca_path_printed(&p);
    assert_eq!(ca_file, std::fs::canonicalize(data.join("tls/ca.pem")).unwrap());
    let ca = std::fs::read(&ca_file).unwrap();

    let url = format!("https://localhost:{}/api/v2", p.addr.rsplit(':').next().unwrap());
    let (status, version, body) = me(&client(&ca, false, None), &url).await.unwrap();
    assert_eq!((status, version), (StatusCode::OK, Version::HTTP_2), "HTTP/2 through ALPN");
    assert_eq!(body["authUser"]["email"], "admin@localhost");
    let (status, version, _) = me(&client(&ca, true, None), &p.base()).await.unwrap();
    assert_eq!((status, version), (StatusCode::OK, Version::HTTP_11), "HTTP/1.1 on 127.0.0.1 too");
    let plain = Client::new().get(format!("http://{}/livez", p.addr)).send().await;
    assert!(plain.map(|r| r.status() != StatusCode::OK).unwrap_or(true), "no plain HTTP on a TLS port");
    let key_mode = std::fs::metadata(data.join("tls/ca-key.pem")).unwrap();
    assert_eq!(std::os::unix::fs::PermissionsExt::mode(&key_mode.permissions()) & 0o077, 0, "CA key private");
    drop(p);

    // A restart under a new zone: the same CA (no new trust step), a server certificate that names the zone.
    let p =
        start(dir.path(), &[("ORGD_TLS", "self-signed"), ("ORGD_DATA_DIR", data_dir), ("ORGD_ZONE", "orgd.test:8443")]);
    assert_eq!(std::fs::read(ca_path_printed(&p)).unwrap(), ca, "the CA is reused");
    let via_zone = client(&ca, false, Some(("orgd.test", &p.addr)));
    let url = format!("https://orgd.test:{}/api/v2", p.addr.rsplit(':').next().unwrap());
    let (status, _, _) = me(&via_zone, &url).await.unwrap();
    assert_eq!(status, StatusCode::OK, "the certificate names the zone's host");
    let (status, _, _) = me(&client(&ca, false, None), &p.base()).await.unwrap();
    assert_eq!(status, StatusCode::OK);
}

/// A CA and a server certificate for localhost/127.0.0.1 signed by it, as PEM (ca, cert, key).
fn make_ca_and_cert(name: &str) -> (String, String, String) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name.push(DnType::CommonName, format!("{name} test CA"));
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    (ca_cert.pem(), cert.pem(), key.serialize_pem())
}

#[tokio::test]
async fn certificate_files_are_served_and_reloaded_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let (cert_file, key_file) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let (ca1, cert1, key1) = make_ca_and_cert("first");
    std::fs::write(&cert_file, cert1).unwrap();
    std::fs::write(&key_file, key1).unwrap();
    let p = start(
        dir.path(),
        &[("ORGD_TLS_CERT", cert_file.to_str().unwrap()), ("ORGD_TLS_KEY", key_file.to_str().unwrap())],
    );
    assert!(!p.startup.iter().any(|l| l.starts_with("NODE_EXTRA_CA_CERTS")), "no CA of its own");
    assert_eq!(me(&client(ca1.as_bytes(), false, None), &p.base()).await.unwrap().0, StatusCode::OK);

    // Renewal: new files, SIGHUP, and new connections get the new certificate without a restart.
    let (ca2, cert2, key2) = make_ca_and_cert("second");
    std::fs::write(&cert_file, cert2).unwrap();
    std::fs::write(&key_file, key2).unwrap();
    let pid = p.child.id().to_string();
    assert!(Command::new("kill").args(["-HUP", &pid]).status().unwrap().success());
    let trusts_second = client(ca2.as_bytes(), false, None);
    let mut served_new = false;
    for _ in 0..50 {
        if me(&trusts_second, &p.base()).await.is_ok_and(|r| r.0 == StatusCode::OK) {
            served_new = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served_new, "the reloaded certificate is served");
    assert!(me(&client(ca1.as_bytes(), false, None), &p.base()).await.is_err(), "the old one is gone");

    // A broken file on reload keeps the certificate in use.
    std::fs::write(&key_file, "not a key").unwrap();
    assert!(Command::new("kill").args(["-HUP", &pid]).status().unwrap().success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(me(&client(ca2.as_bytes(), false, None), &p.base()).await.unwrap().0, StatusCode::OK);
}

#[test]
fn bad_tls_settings_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("orgd.db").display());
    let run = |args: &[&str]| {
        let out = Command::new(common::BIN)
            .args(args)
            .env("ORGD_DATABASE_URL", &db)
            .env("ORGD_BIND", "127.0.0.1:0")
            .env_remove("ORGD_TLS")
            .env_remove("ORGD_TLS_CERT")
            .env_remove("ORGD_TLS_KEY")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} must fail");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    assert!(run(&["serve", "--tls-cert", "/nonexistent.pem"]).contains("tls_key"));
    let missing = dir.path().join("missing.pem");
    let m = missing.to_str().unwrap();
    assert!(run(&["serve", "--tls-cert", m, "--tls-key", m]).contains("missing.pem"));
    assert!(run(&["serve", "--tls", "self-signed", "--tls-cert", m, "--tls-key", m]).contains("self-signed"));
}
