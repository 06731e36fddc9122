//! Native HTTPS: certificates from PEM files (`--tls-cert`, `--tls-key`) or a local certificate authority made on
//! first start (`--tls self-signed`), reloaded from disk on SIGHUP. Plain HTTP stays the default, for deployments
//! behind a proxy. rustls with the ring provider: no system OpenSSL.

pub mod selfsigned;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use anyhow::{bail, Context};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

/// What the settings ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Off,
    Files { cert: PathBuf, key: PathBuf },
    SelfSigned { dir: PathBuf },
}

/// A running TLS setup: the rustls configuration and where its certificate comes from.
pub struct Tls {
    pub server_config: Arc<rustls::ServerConfig>,
    resolver: Arc<Resolver>,
    cert: PathBuf,
    key: PathBuf,
    /// With `--tls self-signed`: the certificate authority clients must trust.
    pub ca: Option<PathBuf>,
}

impl Tls {
    /// Loads (or, for `self-signed`, first creates) the certificate. `hosts` are the names the server is reached
    /// at, used only for a self-signed certificate.
    pub fn setup(mode: &Mode, hosts: &[String]) -> anyhow::Result<Option<Tls>> {
        let (cert, key, ca) = match mode {
            Mode::Off => return Ok(None),
            Mode::Files { cert, key } => (cert.clone(), key.clone(), None),
            Mode::SelfSigned { dir } => {
                let files = selfsigned::ensure(dir, hosts)?;
                (files.cert, files.key, Some(files.ca))
            }
        };
        let resolver = Arc::new(Resolver(RwLock::new(Arc::new(load(&cert, &key)?))));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut server_config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?
            .with_no_client_auth()
            .with_cert_resolver(resolver.clone());
        // HTTP/2 where the client offers it; axum's server speaks both.
        server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Some(Tls { server_config: Arc::new(server_config), resolver, cert, key, ca }))
    }

    /// Reads the certificate and key files again; on any error the certificate in use stays.
    pub fn reload(&self) -> anyhow::Result<()> {
        let fresh = load(&self.cert, &self.key)?;
        *self.resolver.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        Ok(())
    }

    /// Reloads the certificate whenever the process gets SIGHUP (renewals without a restart).
    pub fn reload_on_sighup(self: Arc<Self>) {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let Ok(mut hup) = signal(SignalKind::hangup()) else { return };
            tokio::spawn(async move {
                while hup.recv().await.is_some() {
                    match self.reload() {
                        Ok(()) => tracing::info!(cert = %self.cert.display(), "reloaded the TLS certificate"),
                        Err(e) => tracing::error!(error = %format!("{e:#}"), "TLS certificate not reloaded"),
                    }
                }
            });
        }
    }
}

/// Hands every handshake the current certificate.
#[derive(Debug)]
struct Resolver(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.read().unwrap_or_else(|e| e.into_inner()).clone())
    }
}

/// A certificate chain and its private key from PEM files, checked to belong together.
fn load(cert: &Path, key: &Path) -> anyhow::Result<CertifiedKey> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect())
        .with_context(|| format!("reading TLS certificates from {}", cert.display()))?;
    if chain.is_empty() {
        bail!("{} holds no PEM certificate", cert.display());
    }
    let key_der = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("reading the TLS private key from {}", key.display()))?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&key_der)
        .with_context(|| format!("unsupported private key in {}", key.display()))?;
    let certified = CertifiedKey::new(chain, signing);
    certified.keys_match().with_context(|| {
        format!("the key in {} does not belong to the certificate in {}", key.display(), cert.display())
    })?;
    Ok(certified)
}

/// The host part of `host:port`, `[v6]:port` or a bare host.
pub fn host_of(zone: &str) -> &str {
    if let Some(rest) = zone.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match zone.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => zone,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_of_zones() {
        assert_eq!(host_of("localhost:8443"), "localhost");
        assert_eq!(host_of("orgd.example.com"), "orgd.example.com");
        assert_eq!(host_of("[::1]:8443"), "::1");
        assert_eq!(host_of("::1"), "::1");
        assert_eq!(host_of("127.0.0.1:0"), "127.0.0.1");
    }
}
