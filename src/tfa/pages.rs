//! The HTML pages of a single sign-on that did not end in the console: the browser comes back from the identity
//! provider to orgd, so the answer is a page a person reads, not JSON. No script; the console's stylesheet and
//! Content-Security-Policy.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A page with `title` and `message` (plain text, escaped here) and a way back to the sign-in.
pub fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · orgd</title><link rel=\"stylesheet\" href=\"/console/style.css\"></head>\
         <body><main class=\"notice\"><h1>{title}</h1><p>{message}</p>\
         <p><a href=\"/console\">Back to sign-in</a></p></main></body></html>\n",
        title = escape(title),
        message = escape(message),
    );
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(crate::console::CSP)),
    ];
    (status, headers, html).into_response()
}

/// The provider could not be reached: a page that says so, with 503.
pub fn unavailable(label: &str) -> Response {
    let message = format!(
        "{label} cannot be reached right now, so orgd cannot sign you in through it. Try again in a few \
         minutes, or sign in with your e-mail and password."
    );
    page(StatusCode::SERVICE_UNAVAILABLE, "Sign-in is unavailable", &message)
}

fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '&' => "&amp;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_escaped() {
        assert_eq!(super::escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
