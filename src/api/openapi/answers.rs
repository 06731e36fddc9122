//! Error answers that many operations document with the same words, each written once. A handler lists them in
//! its `responses(…)` next to its own (`responses((status = 200, …), NoSuchOrganization, NotAMember)`); an answer
//! whose description is particular to one operation stays in that operation's list.

use utoipa::IntoResponses;

use crate::error::ErrorBody;

// The description is the struct's doc comment, which is what `IntoResponses` puts in the document.
macro_rules! answers {
    ($($name:ident = ($status:literal, $description:literal);)*) => {$(
        #[doc = $description]
        #[derive(IntoResponses)]
        #[response(status = $status)]
        pub struct $name(pub ErrorBody);
    )*};
}

answers! {
    NoSuchOrganization = (404, "No such organization.");
    NoSuchTeam = (404, "No such team.");
    NotAMember = (403, "The token lacks the scope, or the caller is not a member.");
    LacksScope = (403, "The token lacks the scope.");
    NoOrganizationEdit = (403, "No scope, not a member, or no `organization edit`.");
    NoPaymentEdit = (403, "No scope, not a member, or no `payment edit`.");
    NotOwnerOrAdmin = (403, "No scope, not a member, or neither Owner nor Admin.");
    BadId = (400, "A bad id.");
    BadIdOrCols = (400, "A bad id or `cols[]`.");
    NotConfirmed = (406, "`confirmed=true` is missing (`IM004`).");
}
