//! TLS to the mail server (rustls with the ring provider): STARTTLS insisted on, TLS from the first byte, a
//! private CA from `smtp_ca_file`, credentials in the URL or from `ORGD_SMTP_PASSWORD`, and an untrusted
//! certificate refused.

use std::path::Path;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use reqwest::StatusCode;

use crate::sink::{self, Sink};
use crate::{all_sent, create_org, invite, outbox, serve, wait_outbox, Db};

/// A CA and a certificate for 127.0.0.1 signed by it, written to `dir` as ca.pem, cert.pem and key.pem.
fn make_certificates(dir: &Path) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name.push(DnType::CommonName, "orgd mail test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert =
        CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap().signed_by(&key, &issuer).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
}

fn tls_sink(dir: &Path, extra: &[&str]) -> Sink {
    let (cert, key) = (dir.join("cert.pem").display().to_string(), dir.join("key.pem").display().to_string());
    let mut args = vec!["--tls-cert", &cert, "--tls-key", &key];
    args.extend_from_slice(extra);
    Sink::start(&args)
}

#[tokio::test]
async fn starttls_required_with_a_private_ca_and_the_password_from_the_environment() {
    if !sink::available() {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    make_certificates(certs.path());
    let smtp = tls_sink(certs.path(), &["--require-starttls", "--auth", "mailer:s3cret"]);
    let db = Db::fresh().await;
    let url = format!("smtp://mailer@127.0.0.1:{}?tls=required", smtp.port);
    let ca = certs.path().join("ca.pem").display().to_string();
    let node = serve(&db, Some(&url), &[("ORGD_SMTP_PASSWORD", "s3cret"), ("ORGD_SMTP_CA_FILE", &ca)]);
    let org = create_org(&node, "Acme").await;
    assert_eq!(invite(&node, org, "ann@example.com", 13).await.0, StatusCode::OK);
    let m = &smtp.wait_for(1, 30).await[0];
    assert_eq!((m["tls"].as_bool(), m["authenticated"].as_bool()), (Some(true), Some(true)), "{m}");
    wait_outbox(&db, 10, "sent", all_sent).await;
}

#[tokio::test]
async fn implicit_tls_with_credentials_in_the_url() {
    if !sink::available() {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    make_certificates(certs.path());
    let smtp = tls_sink(certs.path(), &["--implicit-tls", "--auth", "mailer:p@ss:word"]);
    let db = Db::fresh().await;
    let url = format!("smtps://mailer:p%40ss%3Aword@127.0.0.1:{}", smtp.port);
    let ca = certs.path().join("ca.pem").display().to_string();
    let node = serve(&db, Some(&url), &[("ORGD_SMTP_CA_FILE", &ca)]);
    let org = create_org(&node, "Acme").await;
    assert_eq!(invite(&node, org, "ann@example.com", 13).await.0, StatusCode::OK);
    let m = &smtp.wait_for(1, 30).await[0];
    assert_eq!((m["tls"].as_bool(), m["authenticated"].as_bool()), (Some(true), Some(true)), "{m}");
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused_and_the_message_waits_for_a_trusted_one() {
    if !sink::available() {
        return;
    }
    let certs = tempfile::tempdir().unwrap();
    make_certificates(certs.path());
    // The server offers STARTTLS; orgd takes it by default, and checks the certificate.
    let smtp = tls_sink(certs.path(), &[]);
    let db = Db::fresh().await;
    let node = serve(&db, Some(&smtp.url()), &[]);
    let org = create_org(&node, "Acme").await;
    assert_eq!(invite(&node, org, "ann@example.com", 13).await.0, StatusCode::OK);
    let rows = wait_outbox(&db, 30, "a failed attempt", |r| r[0]["lastError"].is_string()).await;
    assert!(rows[0]["lastError"].as_str().unwrap().contains("certificate"), "{rows:?}");
    assert_eq!(rows[0]["status"], "pending");
    assert!(smtp.messages().is_empty(), "nothing goes out over an unverified connection");
    drop(node);

    let ca = certs.path().join("ca.pem").display().to_string();
    let node = serve(&db, Some(&smtp.url()), &[("ORGD_SMTP_CA_FILE", &ca)]);
    let m = &smtp.wait_for(1, 30).await[0];
    assert_eq!(m["tls"], true);
    assert_eq!(outbox(&db).len(), 1);
    drop(node);
}
