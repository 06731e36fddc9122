//! People's own sign-in to the console (docs/people.md): account passwords ([`password`]), server-side
//! sessions and their cookie ([`session`]), the `Origin` check on cookie-authorized writes ([`origin`]), and the
//! one place that decides what a session may do next ([`steps`]).
//!
//! How a session reaches `/api/v2`: never by its cookie. A session at stage `full` asks `POST /auth/token`
//! (cookie and `Origin` checked) for an API token that lives no longer than the session; the console keeps it in
//! memory and sends it as `Authorization: Token`, like any client. So no `/api/v2` request is authorized by a
//! cookie, and a forged cross-site request has nothing to ride on.

pub mod origin;
pub mod password;
pub mod session;
pub mod steps;

pub use session::SignedIn;
pub use steps::{Action, Stage};
