//! Single sign-on: orgd as an OpenID Connect relying party (authorization code flow, PKCE S256, `state`, `nonce`),
//! with discovery and the ID token's checks (signature, `iss`, `aud`, `exp`, `nonce`) left to the `openidconnect`
//! crate. One provider, set by `--oidc-issuer`; its discovery document is fetched on first use and kept an hour,
//! so that orgd starts while the provider is down and follows its key rotation.
//!
//! The HTTP client follows no redirects: a discovery or token request that a provider (or whoever answers at its
//! address) redirected could reach into orgd's own network (SSRF), as the crate's documentation warns.

use std::time::{Duration, Instant};

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    reqwest, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use tokio::sync::Mutex;

use crate::config::{Config, Secret, TlsSetting};

/// The callback's path under the public URL (the redirect URI registered at the provider).
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";
/// How long a discovery document is kept.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// How long the provider has to answer one request: a hung provider must not hold a sign-in page for minutes.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// `amr` values (RFC 8176) that say the provider checked more than one factor, or a factor that is itself strong.
const MULTI_FACTOR_AMR: &[&str] = &["mfa", "otp", "hwk", "swk", "sc", "fido", "face", "fpt", "iris", "retina"];

/// The provider's settings, checked when the settings load.
#[derive(Debug, Clone)]
pub struct Settings {
    pub issuer: IssuerUrl,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub label: String,
}

impl Settings {
    /// `None` without `oidc_issuer`; an error for an issuer without a client id, or one that is not a URL.
    pub fn from_config(c: &Config) -> anyhow::Result<Option<Settings>> {
        let Some(issuer) = c.oidc_issuer.as_deref().filter(|s| !s.is_empty()) else { return Ok(None) };
        let issuer =
            IssuerUrl::new(issuer.to_string())
                .ok()
                .filter(|u| matches!(u.url().scheme(), "http" | "https"))
                .ok_or_else(|| anyhow::anyhow!("oidc_issuer must be an http:// or https:// URL, not '{issuer}'"))?;
        let Some(client_id) = c.oidc_client_id.clone().filter(|s| !s.is_empty()) else {
            anyhow::bail!("oidc_issuer is set but oidc_client_id is not");
        };
        let label = c.oidc_label.trim().to_string();
        if label.is_empty() || label.len() > 60 {
            anyhow::bail!("oidc_label must have 1 to 60 characters");
        }
        Ok(Some(Settings { issuer, client_id, client_secret: c.oidc_client_secret.clone(), label }))
    }
}

/// Why a sign-in through the provider did not happen.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider did not answer, or not with what OpenID Connect says: the person can try again later.
    #[error("the identity provider is not reachable: {0}")]
    Unavailable(String),
    /// The answer does not prove the person (a wrong state or nonce, a bad token, a refusal at the provider).
    #[error("the sign-in was refused: {0}")]
    Refused(String),
}

/// A sign-in on its way to the provider: where to send the browser, and what the callback must find again.
pub struct Begin {
    pub url: url::Url,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// Who the provider says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    /// The e-mail address, only when the provider says it verified it (`email_verified: true`).
    pub verified_email: Option<String>,
    pub name: Option<String>,
    /// Whether the ID token's `amr` names a multi-factor method.
    pub multi_factor: bool,
}

/// The relying party.
pub struct Oidc {
    pub settings: Settings,
    redirect: RedirectUrl,
    http: reqwest::Client,
    metadata: Mutex<Option<(CoreProviderMetadata, Instant)>>,
}

impl Oidc {
    /// The relying party for `settings`, its callback under `public_url`.
    pub fn new(settings: Settings, public_url: &str) -> anyhow::Result<Oidc> {
        let redirect = RedirectUrl::new(format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/')))?;
        let http =
            reqwest::ClientBuilder::new().redirect(reqwest::redirect::Policy::none()).timeout(HTTP_TIMEOUT).build()?;
        Ok(Oidc { settings, redirect, http, metadata: Mutex::new(None) })
    }

    /// The relying party of the settings, if `oidc_issuer` is set; its callback under `public_url`, else under the
    /// address the zone names (as e-mailed links are).
    pub fn from_config(config: &Config, zone: &str) -> anyhow::Result<Option<Oidc>> {
        let Some(settings) = Settings::from_config(config)? else { return Ok(None) };
        let https = config.tls != TlsSetting::Off || config.tls_cert.is_some();
        let public_url = match &config.public_url {
            Some(url) => url.clone(),
            None => format!("{}://{zone}", if https { "https" } else { "http" }),
        };
        Ok(Some(Oidc::new(settings, &public_url)?))
    }

    /// The redirect URI to register at the provider.
    pub fn redirect_uri(&self) -> &str {
        self.redirect.as_str()
    }

    /// The provider's metadata, fetched again after an hour; the issuer in it must be exactly the configured one
    /// (the crate checks that).
    async fn metadata(&self) -> Result<CoreProviderMetadata, OidcError> {
        let mut cached = self.metadata.lock().await;
        if let Some((m, _)) = cached.as_ref().filter(|(_, at)| at.elapsed() < METADATA_TTL) {
            return Ok(m.clone());
        }
        let m = CoreProviderMetadata::discover_async(self.settings.issuer.clone(), &self.http)
            .await
            .map_err(|e| OidcError::Unavailable(error_chain(&e)))?;
        *cached = Some((m.clone(), Instant::now()));
        Ok(m)
    }

    /// Forgets the metadata, so that the next sign-in fetches it again (after a token failed to verify: the
    /// provider may have rotated its keys).
    async fn forget_metadata(&self) {
        *self.metadata.lock().await = None;
    }

    async fn client(&self) -> Result<ClientOf, OidcError> {
        let secret = self.settings.client_secret.as_ref().map(|s| ClientSecret::new(s.expose().to_string()));
        let client = CoreClient::from_provider_metadata(
            self.metadata().await?,
            ClientId::new(self.settings.client_id.clone()),
            secret,
        );
        Ok(client.set_redirect_uri(self.redirect.clone()))
    }

    /// Starts a sign-in: the provider's authorization URL with a fresh `state`, `nonce` and PKCE S256 challenge.
    pub async fn begin(&self) -> Result<Begin, OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        let (state, nonce, verifier) = (state.into_secret(), nonce.secret().clone(), verifier.into_secret());
        Ok(Begin { url, state, nonce, verifier })
    }

    /// Finishes a sign-in: exchanges the code (with the PKCE verifier) and checks the ID token against `nonce`.
    /// `iss` is the callback's `iss` parameter (RFC 9207), checked when the provider sends one (mix-up defence).
    pub async fn finish(
        &self,
        code: &str,
        nonce: &str,
        verifier: &str,
        iss: Option<&str>,
    ) -> Result<Identity, OidcError> {
        if iss.is_some_and(|i| i != self.settings.issuer.as_str()) {
            return Err(OidcError::Refused("the answer names another issuer".into()));
        }
        let client = self.client().await?;
        let exchange = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Unavailable(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()));
        let token = exchange.request_async(&self.http).await.map_err(|e| match e {
            openidconnect::RequestTokenError::ServerResponse(r) => OidcError::Refused(r.to_string()),
            other => OidcError::Unavailable(error_chain(&other)),
        })?;
        let id_token = token.id_token().ok_or_else(|| OidcError::Refused("no ID token in the answer".into()))?;
        let claims = match id_token.claims(&client.id_token_verifier(), &Nonce::new(nonce.to_string())) {
            Ok(c) => c,
            Err(e) => {
                self.forget_metadata().await;
                return Err(OidcError::Refused(format!("the ID token does not verify: {e}")));
            }
        };
        let verified = claims.email_verified() == Some(true);
        let amr: Option<Vec<String>> =
            claims.auth_method_refs().map(|v| v.iter().map(|a| a.as_str().to_string()).collect());
        Ok(Identity {
            issuer: claims.issuer().as_str().to_string(),
            subject: claims.subject().as_str().to_string(),
            verified_email: claims.email().filter(|_| verified).map(|e| e.as_str().trim().to_lowercase()),
            name: claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string()),
            multi_factor: is_multi_factor(amr.as_deref()),
        })
    }
}

/// The client type with the endpoints discovery gives (authorization set, token and user-info maybe).
type ClientOf = openidconnect::core::CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// Whether an `amr` list names a multi-factor method.
fn is_multi_factor(amr: Option<&[String]>) -> bool {
    amr.is_some_and(|list| list.iter().any(|a| MULTI_FACTOR_AMR.contains(&a.as_str())))
}

/// An error with its causes, for the log and the "provider unavailable" page.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(issuer: &str, client: Option<&str>) -> Config {
        Config {
            oidc_issuer: Some(issuer.into()),
            oidc_client_id: client.map(Into::into),
            oidc_client_secret: Some("s3cret".into()),
            ..Config::default()
        }
    }

    #[test]
    fn settings_are_checked() {
        assert!(Settings::from_config(&Config::default()).unwrap().is_none());
        let s = Settings::from_config(&config("http://127.0.0.1:4011", Some("orgd"))).unwrap().unwrap();
        assert_eq!(
            (s.issuer.as_str(), s.client_id.as_str(), s.label.as_str()),
            ("http://127.0.0.1:4011", "orgd", "Single sign-on")
        );
        assert!(!format!("{s:?}").contains("s3cret"));
        assert!(Settings::from_config(&config("http://127.0.0.1:4011", None)).is_err());
        assert!(Settings::from_config(&config("idp.example.com", Some("orgd"))).is_err());
        let o = Oidc::new(s, "https://orgd.example.com/").unwrap();
        assert_eq!(o.redirect_uri(), "https://orgd.example.com/auth/oidc/callback");
    }

    #[test]
    fn multi_factor_is_read_from_amr() {
        let amr = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(is_multi_factor(Some(&amr(&["pwd", "otp"]))));
        assert!(is_multi_factor(Some(&amr(&["mfa"]))));
        assert!(!is_multi_factor(Some(&amr(&["pwd"]))));
        assert!(!is_multi_factor(None));
    }
}
