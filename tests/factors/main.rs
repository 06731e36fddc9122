//! Two-factor and single sign-on: the OpenID Connect relying party against a real provider (oidc-provider under
//! Node.js), and the console's sign-in steps over HTTP against orgd on 127.0.0.1:0 over a fresh database.

#[path = "../common/mod.rs"]
mod common;
#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../people/kit.rs"]
mod kit;
mod provider;
mod rp;
mod sso;
mod totp;
