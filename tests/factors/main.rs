//! Two-factor and single sign-on: the OpenID Connect relying party against a real provider (oidc-provider under
//! Node.js), and the console's sign-in steps over HTTP against the `orgd` binary.

mod provider;
mod rp;
