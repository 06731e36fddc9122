//! orgd's OpenID Connect relying party against the real provider: the code flow with PKCE, `state` and `nonce`,
//! and each check refusing what it must.

use orgd::config::Config;
use orgd::factors::oidc::{Begin, Identity, Oidc, OidcError};

use crate::provider::{Provider, CLIENT_ID, CLIENT_SECRET};

/// Where the provider sends the browser back; nothing needs to listen there, the walk stops at it.
const PUBLIC_URL: &str = "http://127.0.0.1:9";

fn relying_party(issuer: &str) -> Oidc {
    let config = Config {
        oidc_issuer: Some(issuer.into()),
        oidc_client_id: Some(CLIENT_ID.into()),
        oidc_client_secret: Some(CLIENT_SECRET.into()),
        public_url: Some(PUBLIC_URL.into()),
        ..Config::default()
    };
    Oidc::from_config(&config, "unused").unwrap().unwrap()
}

/// Follows the provider's redirects as a browser would (cookies kept) until one leads to the callback; answers
/// the callback's query parameters.
async fn walk(begin: &Begin, redirect_uri: &str) -> Vec<(String, String)> {
    let http =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut url = begin.url.clone();
    for _ in 0..12 {
        let r = http.get(url.clone()).send().await.unwrap();
        assert!(r.status().is_redirection(), "{} at {url}: {}", r.status(), r.text().await.unwrap());
        let location = r.headers()["location"].to_str().unwrap().to_string();
        url = url.join(&location).unwrap();
        if url.as_str().starts_with(redirect_uri) {
            return url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        }
    }
    panic!("the provider never sent the browser back");
}

fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A whole sign-in as `email`; answers what `finish` says, with the callback's own parameters.
async fn sign_in(op: &Provider, rp: &Oidc, email: &str, verified: bool, amr: Option<&[&str]>) -> Identity {
    op.next_login(email, verified, amr).await;
    let begin = rp.begin().await.unwrap();
    let q = walk(&begin, rp.redirect_uri()).await;
    assert_eq!(param(&q, "state"), Some(begin.state.as_str()), "the state comes back");
    rp.finish(param(&q, "code").unwrap(), &begin.nonce, &begin.verifier, param(&q, "iss")).await.unwrap()
}

#[tokio::test]
async fn the_code_flow_proves_who_signed_in() {
    let op = Provider::start(&format!("{PUBLIC_URL}/auth/oidc/callback"));
    let rp = relying_party(&op.issuer);
    let begin = rp.begin().await.unwrap();
    let q: Vec<(String, String)> = begin.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(param(&q, "code_challenge_method"), Some("S256"));
    assert!(param(&q, "nonce").is_some() && param(&q, "state").is_some() && param(&q, "code_challenge").is_some());
    assert!(param(&q, "scope").unwrap().split(' ').any(|s| s == "email"));

    let ann = sign_in(&op, &rp, "ann@example.com", true, None).await;
    assert_eq!(ann.issuer, op.issuer);
    assert_eq!(ann.subject, "sub-ann@example.com");
    assert_eq!(ann.verified_email.as_deref(), Some("ann@example.com"));
    assert!(!ann.multi_factor);

    let unverified = sign_in(&op, &rp, "bob@example.com", false, None).await;
    assert_eq!(unverified.verified_email, None, "an unverified e-mail is not taken");
    let strong = sign_in(&op, &rp, "cy@example.com", true, Some(&["pwd", "otp"])).await;
    assert!(strong.multi_factor, "amr names a second factor");
}

#[tokio::test]
async fn a_wrong_nonce_verifier_issuer_or_a_used_code_is_refused() {
    let op = Provider::start(&format!("{PUBLIC_URL}/auth/oidc/callback"));
    let rp = relying_party(&op.issuer);
    op.next_login("ann@example.com", true, None).await;
    let refused = |r: Result<Identity, OidcError>| matches!(r, Err(OidcError::Refused(_)));

    let begin = rp.begin().await.unwrap();
    let q = walk(&begin, rp.redirect_uri()).await;
    let code = param(&q, "code").unwrap();
    let mix_up = rp.finish(code, &begin.nonce, &begin.verifier, Some("http://127.0.0.1:1")).await;
    assert!(refused(mix_up), "another issuer named in the answer (mix-up)");
    let other = rp.begin().await.unwrap();
    assert!(refused(rp.finish(code, &begin.nonce, &other.verifier, None).await), "another PKCE verifier");

    let begin = rp.begin().await.unwrap();
    let q = walk(&begin, rp.redirect_uri()).await;
    let code = param(&q, "code").unwrap();
    let wrong_nonce = rp.finish(code, &other.nonce, &begin.verifier, None).await;
    assert!(refused(wrong_nonce), "another nonce");
    assert!(refused(rp.finish(code, &begin.nonce, &begin.verifier, None).await), "a code used once already");
}

#[tokio::test]
async fn a_provider_that_is_down_is_unavailable_not_an_error_of_ours() {
    // A port nothing listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let rp = relying_party(&format!("http://127.0.0.1:{port}"));
    assert!(matches!(rp.begin().await, Err(OidcError::Unavailable(_))));
}
