//! The organization console at `/console`: a web page for the people who run organizations, compiled into the
//! binary. Its files (`console/` at the repository root: HTML, vanilla JavaScript modules, CSS) are embedded with
//! `include_bytes!`, so the page works offline and needs no build step. The page signs in with an API token kept
//! in the tab's `sessionStorage` and calls only the public `/api/v2` endpoints with `Authorization: Token …`;
//! this module serves files and nothing else (docs/console.md).
//!
//! Every answer carries a strict Content-Security-Policy (scripts, styles, images and requests from this origin
//! only, no inline script or style, no framing), `X-Content-Type-Options: nosniff` and
//! `Referrer-Policy: no-referrer`. Files carry a content-hash `ETag` with `Cache-Control: no-cache`, so a browser
//! revalidates them with one cheap 304 and never runs a stale copy after an upgrade.

use std::sync::LazyLock;

use axum::extract::{Path, Request};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::error::ApiError;

/// Where the console lives; `/` redirects here.
pub const PATH: &str = "/console";

/// The console's Content-Security-Policy: nothing but this origin, no inline script or style, no plugins, no
/// `<base>`, forms only to this origin, and no framing (clickjacking).
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
    connect-src 'self'; font-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/console/", $name)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file of `console/` (a unit test checks that the list and the folder agree).
static ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("favicon.svg", "image/svg+xml"),
    asset!("main.js", JS),
    asset!("api.js", JS),
    asset!("session.js", JS),
    asset!("signin.js", JS),
    asset!("join.js", JS),
    asset!("reset.js", JS),
    asset!("signup.js", JS),
    asset!("profile.js", JS),
    asset!("factors.js", JS),
    asset!("dom.js", JS),
    asset!("chart.js", JS),
    asset!("orgs.js", JS),
    asset!("org.js", JS),
    asset!("members.js", JS),
    asset!("teams.js", JS),
    asset!("variables.js", JS),
    asset!("usage.js", JS),
    asset!("billing.js", JS),
    asset!("settings.js", JS),
    asset!("audit.js", JS),
    asset!("roles.js", JS),
    asset!("tokens.js", JS),
];

/// The strong ETag of each asset (the first 128 bits of its SHA-256), in the order of [`ASSETS`].
static ETAGS: LazyLock<Vec<HeaderValue>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            let digest = Sha256::digest(a.body);
            HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..16]))).expect("hex is a valid header")
        })
        .collect()
});

/// The console's routes: `/` (redirect), `/console` (the page), `/console/` (redirect) and `/console/{file}`.
/// HTML and assets for people, like the `/docs` page, not API operations (the OpenAPI test knows this file).
pub fn router() -> Router<AppState> {
    routes()
}

fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(root))
        .route(PATH, get(index))
        .route("/console/", get(root))
        .route("/console/{file}", get(file))
        .layer(middleware::from_fn(security_headers))
}

async fn root() -> Redirect {
    Redirect::to(PATH)
}

async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

async fn file(Path(name): Path<String>, headers: HeaderMap) -> Response {
    if name == "index.html" {
        return Redirect::to(PATH).into_response();
    }
    serve(&name, &headers)
}

/// One embedded file, or 304 when the browser's copy is current, or Make's 404 body.
fn serve(name: &str, headers: &HeaderMap) -> Response {
    let Some(i) = ASSETS.iter().position(|a| a.name == name) else {
        return ApiError::NotFound("Route not found.".into()).into_response();
    };
    let (asset, etag) = (&ASSETS[i], &ETAGS[i]);
    let cache = [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache")), (header::ETAG, etag.clone())];
    if matches(headers, etag) {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (cache, [(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type))], asset.body).into_response()
}

/// Whether `If-None-Match` names this ETag (or is `*`).
fn matches(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(value) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else { return false };
    let etag = etag.to_str().unwrap_or_default();
    value.split(',').map(str::trim).any(|t| t == "*" || t == etag || t.strip_prefix("W/") == Some(etag))
}

/// The security headers of every console answer (pages, files, redirects and 404s alike).
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
    h.insert(HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("same-origin"));
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use std::collections::BTreeSet;
    use tower::ServiceExt;

    fn text(name: &str) -> &'static str {
        let a = ASSETS.iter().find(|a| a.name == name).expect("embedded");
        std::str::from_utf8(a.body).expect("utf-8")
    }

    async fn get(path: &str, etag: Option<&HeaderValue>) -> Response {
        let mut req = Request::builder().uri(path);
        if let Some(e) = etag {
            req = req.header(header::IF_NONE_MATCH, e);
        }
        routes::<()>().oneshot(req.body(Body::empty()).unwrap()).await.unwrap()
    }

    #[test]
    fn every_file_of_the_console_folder_is_embedded_and_nothing_else() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("console");
        let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        let embedded: BTreeSet<String> = ASSETS.iter().map(|a| a.name.to_string()).collect();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn every_page_stays_under_100_kib_of_assets() {
        let size = |names: &[&str]| -> usize { names.iter().map(|n| text(n).len()).sum() };
        // What every page loads, then what each page adds (main.js imports the page modules when needed).
        let shell =
            size(&["index.html", "style.css", "favicon.svg", "main.js", "api.js", "dom.js", "session.js", "signin.js"]);
        let org = shell + size(&["org.js"]);
        let pages = [
            ("organizations", shell + size(&["orgs.js"])),
            ("members and invitations", org + size(&["members.js"])),
            ("teams", org + size(&["teams.js"])),
            ("variables", org + size(&["variables.js"])),
            ("usage", org + size(&["usage.js", "chart.js"])),
            ("billing", org + size(&["billing.js"])),
            ("features and security", org + size(&["settings.js"])),
            ("audit log", org + size(&["audit.js"])),
            ("roles", org + size(&["roles.js"])),
            ("API tokens", shell + size(&["tokens.js"])),
            ("profile and two-factor", shell + size(&["profile.js", "factors.js"])),
            ("join by invitation", shell + size(&["join.js"])),
            ("password reset", shell + size(&["reset.js"])),
            ("create account", shell + size(&["signup.js"])),
        ];
        for (page, bytes) in pages {
            assert!(bytes < 100 * 1024, "the {page} page loads {bytes} bytes; the budget is 100 KiB");
        }
        // The whole console grows with its pages; what one page loads is the budget that matters (above). This
        // bound only catches something large slipping in (it was 128 KiB before the sign-in, profile, two-factor,
        // roles and API-token pages).
        let total: usize = ASSETS.iter().map(|a| a.body.len()).sum();
        assert!(total < 192 * 1024, "the console is {total} bytes in all");
    }

    #[test]
    fn the_page_has_no_inline_script_or_style_and_the_scripts_no_html_sinks() {
        let html = text("index.html");
        assert!(!html.contains("style="), "inline style attribute in index.html");
        assert!(!html.contains("<style"), "inline style element in index.html");
        for tag in html.split("<script").skip(1) {
            assert!(tag.contains("src=\"/console/"), "inline or foreign script in index.html: <script{tag}");
        }
        for a in ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
            let js = text(a.name);
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
                assert!(!js.contains(sink), "{}: uses {sink}; build DOM nodes and set textContent", a.name);
            }
            assert!(!js.contains("localStorage"), "{}: the token belongs in sessionStorage only", a.name);
            let js = js.replace("http://www.w3.org/2000/svg", "");
            assert!(!js.contains("http://") && !js.contains("https://"), "{}: no absolute URLs (CDN)", a.name);
        }
    }

    #[tokio::test]
    async fn root_redirects_to_the_console() {
        for path in ["/", "/console/", "/console/index.html"] {
            let res = get(path, None).await;
            assert!(res.status().is_redirection(), "{path}: {}", res.status());
            assert_eq!(res.headers()[header::LOCATION], PATH);
            assert_eq!(res.headers()[header::CONTENT_SECURITY_POLICY], CSP);
        }
    }

    #[tokio::test]
    async fn files_carry_security_headers_and_revalidate_with_their_etag() {
        for (path, kind) in [("/console", "text/html"), ("/console/main.js", "text/javascript")] {
            let res = get(path, None).await;
            assert_eq!(res.status(), StatusCode::OK);
            let h = res.headers();
            assert!(h[header::CONTENT_TYPE].to_str().unwrap().starts_with(kind));
            assert_eq!(h[header::CONTENT_SECURITY_POLICY], CSP);
            assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
            assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
            assert_eq!(h[header::CACHE_CONTROL], "no-cache");
            let etag = h[header::ETAG].clone();
            let again = get(path, Some(&etag)).await;
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
            assert_eq!(again.headers()[header::ETAG], etag);
            let stale = get(path, Some(&HeaderValue::from_static("\"0\""))).await;
            assert_eq!(stale.status(), StatusCode::OK);
        }
    }

    #[tokio::test]
    async fn unknown_files_are_make_404s() {
        for path in ["/console/nope.js", "/console/..%2Fsrc%2Fmain.rs", "/console/main.js%00"] {
            let res = get(path, None).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(res.headers()[header::CONTENT_SECURITY_POLICY], CSP);
        }
    }

    #[test]
    fn the_policy_allows_nothing_inline_and_no_framing() {
        assert!(!CSP.contains("unsafe"));
        assert!(CSP.contains("frame-ancestors 'none'"));
        assert!(CSP.contains("script-src 'self'"));
    }
}
