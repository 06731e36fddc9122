//! `--tls self-signed`: a local certificate authority made on first start and a server certificate signed by it,
//! kept in the data directory. Later starts reuse both, so a client told once to trust the CA keeps trusting the
//! server; the server certificate alone is renewed when the names change or it nears its end.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SanType,
};
use sha2::{Digest, Sha256};

/// Days a server certificate is valid (the longest that browsers accept), and how early it is renewed.
const SERVER_DAYS: i64 = 397;
const RENEW_DAYS: i64 = 30;
const CA_YEARS: i32 = 10;

/// Where the certificate files are.
#[derive(Debug, Clone)]
pub struct Files {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Makes sure `dir` holds a CA and a server certificate valid for `hosts`; returns their paths.
pub fn ensure(dir: &Path, hosts: &[String]) -> anyhow::Result<Files> {
    create_private_dir(dir)?;
    let files = Files { ca: dir.join("ca.pem"), cert: dir.join("server.pem"), key: dir.join("server-key.pem") };
    let ca_key_path = dir.join("ca-key.pem");
    let ca_key = if files.ca.exists() && ca_key_path.exists() {
        let pem = fs::read_to_string(&ca_key_path).with_context(|| format!("reading {}", ca_key_path.display()))?;
        KeyPair::from_pem(&pem).with_context(|| format!("parsing {}", ca_key_path.display()))?
    } else {
        let key = KeyPair::generate().context("generating the CA key")?;
        let mut params = ca_params(&key);
        let today = Utc::now().date_naive();
        valid(&mut params, today - Duration::days(1), today.with_year(today.year() + CA_YEARS).unwrap_or(today));
        let cert = params.self_signed(&key).context("signing the CA certificate")?;
        write_private(&ca_key_path, &key.serialize_pem())?;
        write_file(&files.ca, &cert.pem(), 0o644)?;
        tracing::info!(ca = %files.ca.display(), "created a local certificate authority");
        key
    };
    let names_path = dir.join("server.names");
    if !reusable(&names_path, &files, hosts) {
        issue_server(&files, &names_path, Issuer::new(ca_params(&ca_key), ca_key), hosts)?;
    }
    Ok(files)
}

/// The CA's identity, rebuilt the same way from its key on every start (rcgen signs with the issuer's name and
/// key identifier, which depend only on these and on the key).
fn ca_params(key: &KeyPair) -> CertificateParams {
    let fingerprint = hex::encode(Sha256::digest(key.public_key_pem()));
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::OrganizationName, "orgd");
    params.distinguished_name.push(DnType::CommonName, format!("orgd local CA {}", &fingerprint[..12]));
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params
}

/// Whether the stored server certificate covers `hosts` and is not near its end.
fn reusable(names_path: &Path, files: &Files, hosts: &[String]) -> bool {
    let Ok(names) = fs::read_to_string(names_path) else { return false };
    let mut lines = names.lines();
    let expires = lines.next().and_then(|l| l.strip_prefix("expires ")).and_then(|d| d.parse::<NaiveDate>().ok());
    let covered: Vec<&str> = lines.collect();
    let fresh = expires.is_some_and(|e| e - Utc::now().date_naive() > Duration::days(RENEW_DAYS));
    fresh && files.cert.exists() && files.key.exists() && hosts.iter().all(|h| covered.contains(&h.as_str()))
}

fn issue_server(files: &Files, names_path: &Path, ca: Issuer<'_, KeyPair>, hosts: &[String]) -> anyhow::Result<()> {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, hosts.first().map(String::as_str).unwrap_or("localhost"));
    params.subject_alt_names = hosts
        .iter()
        .map(|h| match h.parse() {
            Ok(ip) => Ok(SanType::IpAddress(ip)),
            Err(_) => h.as_str().try_into().map(SanType::DnsName),
        })
        .collect::<Result<_, _>>()
        .context("a host name the certificate cannot carry")?;
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    params.use_authority_key_identifier_extension = true;
    let today = Utc::now().date_naive();
    let expires = today + Duration::days(SERVER_DAYS);
    valid(&mut params, today - Duration::days(1), expires);
    let key = KeyPair::generate().context("generating the server key")?;
    let cert = params.signed_by(&key, &ca).context("signing the server certificate")?;
    write_private(&files.key, &key.serialize_pem())?;
    write_private(&files.cert, &cert.pem())?;
    write_private(names_path, &format!("expires {expires}\n{}\n", hosts.join("\n")))?;
    tracing::info!(hosts = %hosts.join(", "), "issued a server certificate from the local CA");
    Ok(())
}

/// Sets the validity of a certificate to whole days (rcgen's own date type stays inside this function).
fn valid(params: &mut CertificateParams, from: NaiveDate, to: NaiveDate) {
    let ymd = |d: NaiveDate| rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8);
    params.not_before = ymd(from);
    params.not_after = ymd(to);
}

fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).with_context(|| format!("creating {}", dir.display()))
}

/// Writes a file readable by its owner only (keys).
fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    write_file(path, contents, 0o600)
}

/// Writes a file through a temporary file and a rename, so a crash never leaves a half-written one behind.
fn write_file(path: &Path, contents: &str, mode: u32) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    let _ = fs::remove_file(&tmp);
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    let mut file = options.open(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()?;
    fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}
