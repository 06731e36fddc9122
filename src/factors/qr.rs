//! The enrolment QR code as SVG. orgd draws it and serves it from its own origin, so the console's
//! Content-Security-Policy (`img-src 'self'`, no `data:` images) stays as it is and the secret never goes to a
//! third-party QR service.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// The SVG of `text` (an `otpauth://` URL); `None` if it does not fit in a QR code (it always does: such URLs are
/// about 120 bytes).
pub fn svg(text: &str) -> Option<String> {
    // Level M: the URL fits in a small code that phone cameras read from a screen at a glance.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    Some(code.render::<svg::Color>().min_dimensions(220, 220).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_an_svg_without_script_or_style() {
        let url = "otpauth://totp/orgd:ann%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=orgd";
        let svg = super::svg(url).unwrap();
        assert!(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.ends_with("</svg>"), "{svg}");
        assert!(!svg.contains("<script") && !svg.contains("style="));
        assert!(!svg.contains("GEZDGNBV"), "the secret is drawn, not written out");
    }
}
