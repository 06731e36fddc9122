//! Second factors and single sign-on, below the HTTP layer: TOTP enrolment and checks with recovery codes
//! ([`totp`]), the enrolment QR code ([`qr`]) and the OpenID Connect relying party ([`oidc`]).

pub mod oidc;
pub mod qr;
pub mod totp;
