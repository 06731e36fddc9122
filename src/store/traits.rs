//! One trait per resource; `Store` (in `store/mod.rs`) is all of them together.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::models::*;
use super::page::Page;
use super::{audit, outbox, StoreResult};
use crate::domain::ids::{OrgId, RoleId, TeamId, UserId};
use crate::grant::team_perms::{TeamDelete, TeamUserAddAndEdit};
use crate::grant::{perms, Granted, OwnerOnly, TeamGranted};

/// Users and their API tokens.
#[async_trait]
pub trait UserStore {
    /// How many users exist (zero means the instance needs its bootstrap administrator).
    async fn count_users(&self) -> StoreResult<i64>;
    /// Creates the user, or returns the existing one with that e-mail (`created` tells which).
    async fn ensure_user(&self, user: NewUser) -> StoreResult<(User, bool)>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<Option<User>>;
    /// Stores a token by its digest with its scopes; returns the token id.
    async fn issue_token(
        &self,
        user_id: UserId,
        digest: &str,
        scopes: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// Revokes the token with that digest; false when no live token had it.
    async fn revoke_token(&self, digest: &str, now: DateTime<Utc>) -> StoreResult<bool>;
}

/// A person's own API tokens (`/users/me/api-tokens`), each named by its creation time.
#[async_trait]
pub trait ApiTokenStore {
    /// The user's live tokens, oldest first.
    async fn api_tokens(&self, user_id: UserId) -> StoreResult<Vec<ApiToken>>;
    /// Stores a new token at a creation time no other token of the user has; `LimitExceeded` when the user already
    /// holds `domain::api_tokens::MAX_LIVE_TOKENS` live tokens.
    async fn create_api_token(&self, token: NewApiToken) -> StoreResult<ApiToken>;
    /// Revokes the user's live token that `created` names (to the millisecond) and returns it; `NotFound` when
    /// none does.
    async fn revoke_api_token(
        &self,
        user_id: UserId,
        created: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<ApiToken>;
}

/// The reads on every request's path. Each backend serves them its own way: SQLite on the request's own thread
/// without a hand-off to the pool (`sqlite/hot.rs`), PostgreSQL from a per-node cache that change notifications
/// keep true (`postgres/hot.rs`, `postgres/cache.rs`).
#[async_trait]
pub trait RequestReads {
    /// The live token with that digest and its user.
    async fn authenticate(&self, digest: &str) -> StoreResult<Option<TokenAuth>>;
    /// Whether the organization exists and what role `user_id` holds in it.
    async fn org_access(&self, org_id: OrgId, user_id: UserId) -> StoreResult<OrgAccess>;
    /// Teams of the given organizations, by organization id, each list ordered by team name.
    async fn teams_of(&self, org_ids: &[i64]) -> StoreResult<HashMap<i64, Vec<Team>>>;
    /// Usage summed per organization over `[from, to)`.
    async fn usage_totals(
        &self,
        org_ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<HashMap<i64, UsageTotals>>;
    /// Both of the above, as an organization's answer shows them; a backend where every statement is a round
    /// trip reads them in one.
    async fn teams_and_usage(
        &self,
        org_ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<(HashMap<i64, Vec<Team>>, HashMap<i64, UsageTotals>)> {
        Ok((self.teams_of(org_ids).await?, self.usage_totals(org_ids, from, to).await?))
    }
}

/// Organizations and their default team.
#[async_trait]
pub trait OrgStore {
    /// Creates the organization, its team "My Team", the creator as Owner and as that team's Team Admin.
    async fn create_org(&self, org: NewOrg) -> StoreResult<(Org, Team)>;
    /// Organizations where the filter's user is an active member, sorted and paged.
    async fn list_orgs(&self, filter: &OrgFilter, page: &Page) -> StoreResult<Vec<Org>>;
    async fn update_org(&self, g: &Granted<perms::OrganizationEdit>, patch: OrgPatch) -> StoreResult<Org>;
    /// Deletes the organization with its teams, memberships and everything else it owns.
    async fn delete_org(&self, g: &Granted<perms::OrganizationDelete>) -> StoreResult<()>;
    /// The user's active organization roles.
    async fn memberships_of_user(&self, user_id: UserId) -> StoreResult<Vec<Membership>>;
    /// The user's team roles.
    async fn team_roles_of_user(&self, user_id: UserId) -> StoreResult<Vec<TeamRole>>;
    /// An organization by id, without any authorization (for operator commands).
    async fn org_by_id(&self, org_id: OrgId) -> StoreResult<Option<Org>>;
    /// Adds usage booked at `at` (concurrent adds all count).
    async fn add_usage(
        &self,
        org_id: OrgId,
        at: DateTime<Utc>,
        amounts: UsageTotals,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// One organization's usage records in `[from, to)`, oldest first.
    async fn usage_records(
        &self,
        g: &Granted<perms::OrganizationView>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, UsageTotals)>>;
}

/// Invitations and their acceptance.
#[async_trait]
pub trait InvitationStore {
    /// Creates the invitation (and the invitee's account if the e-mail is new), replacing an older pending
    /// invitation of the same user, and queues its e-mail in the same transaction. Conflict when the user is
    /// already an active member; RateLimited when the organization queued `mails_per_hour` invitation messages
    /// in the last hour.
    async fn invite(&self, g: &Granted<perms::UserAddAndEdit>, inv: NewInvitation) -> StoreResult<MemberRole>;
    /// The invitation with that hash, accepted or not.
    async fn invitation_by_hash(&self, hash: &str) -> StoreResult<Option<Invitation>>;
    /// Accepts an invitation still open at `now`: the user becomes an active member and joins the invitation's
    /// teams still in the organization. NotFound when it was used meanwhile (exactly one of racing accepts wins).
    async fn accept_invitation(&self, invitation_id: i64, now: DateTime<Utc>) -> StoreResult<MemberRole>;
    /// Open (not accepted, not expired) invitations of a user.
    async fn open_invitations_of(&self, user_id: UserId, now: DateTime<Utc>) -> StoreResult<Vec<Invitation>>;
}

/// User–organization roles.
#[async_trait]
pub trait MemberStore {
    /// Active members and not yet accepted invitations of an organization, by user id.
    async fn org_roles(&self, g: &Granted<perms::OrganizationView>) -> StoreResult<Vec<MemberRole>>;
    /// A user's roles in every organization (active and invited).
    async fn user_roles(&self, user_id: UserId) -> StoreResult<Vec<MemberRole>>;
    /// Sets an active member's or invitee's organization role. The Owner's role changes only by transfer.
    async fn set_org_role(
        &self,
        g: &Granted<perms::UserAddAndEdit>,
        user_id: UserId,
        role: RoleId,
    ) -> StoreResult<MemberRole>;
    /// Removes the user from the organization and its teams (or withdraws their invitation).
    async fn remove_member(&self, g: &Granted<perms::UserAddAndEdit>, user_id: UserId) -> StoreResult<MemberRole>;
    /// Makes `to_user` the Owner and the current Owner an Admin, atomically, and queues the new Owner's e-mail.
    /// Returns `[new, previous]`.
    async fn transfer_ownership(
        &self,
        g: &Granted<OwnerOnly>,
        to_user: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<[MemberRole; 2]>;
    /// Active members' user records with their `tfaStatus`, optionally only those with one role and one
    /// `tfaStatus`, sorted and paged.
    async fn org_users(
        &self,
        g: &Granted<perms::OrganizationView>,
        role: Option<RoleId>,
        tfa_status: Option<i64>,
        page: &Page,
    ) -> StoreResult<Vec<OrgUser>>;
}

/// Teams and team roles.
#[async_trait]
pub trait TeamStore {
    async fn teams_in_org(&self, g: &Granted<perms::OrganizationView>, page: &Page) -> StoreResult<Vec<Team>>;
    async fn team(&self, team_id: TeamId) -> StoreResult<Option<Team>>;
    /// Creates a team with its creator as Team Admin; LimitExceeded past the plan's `teams`.
    async fn create_team(&self, g: &Granted<perms::TeamAdd>, team: NewTeam) -> StoreResult<Team>;
    /// Deletes a team; Conflict when it is the organization's last one.
    async fn delete_team(&self, g: &TeamGranted<TeamDelete>) -> StoreResult<()>;
    /// The user's roles in the teams of one organization.
    async fn team_roles_in_org(&self, org_id: OrgId, user_id: UserId) -> StoreResult<Vec<TeamRole>>;
    /// A team's members and their roles.
    async fn team_members(&self, team_id: TeamId) -> StoreResult<Vec<TeamMember>>;
    /// Sets (`Some`) or removes (`None`) a member's team role; the user must be an active organization member.
    async fn set_team_role(
        &self,
        g: &TeamGranted<TeamUserAddAndEdit>,
        user_id: UserId,
        role: Option<RoleId>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
}

/// Subscriptions and payments (no payment processor: plans switch at once and are recorded).
#[async_trait]
pub trait BillingStore {
    async fn subscription(&self, g: &Granted<perms::PaymentsGet>) -> StoreResult<Option<Subscription>>;
    /// Switches the plan, updates the subscription and records a payment, in one transaction. Conflict when the
    /// subscription is not in the state the kind needs; LimitExceeded when current usage exceeds the new plan.
    async fn change_plan(
        &self,
        g: &Granted<perms::PaymentEdit>,
        change: PlanChange,
    ) -> StoreResult<(Subscription, Payment)>;
    async fn payments(&self, g: &Granted<perms::PaymentsGet>, page: &Page) -> StoreResult<Vec<Payment>>;
    /// The subscription a checkout session started.
    async fn subscription_by_session(&self, session: &str) -> StoreResult<Option<Subscription>>;
}

/// Organization variables and their history.
#[async_trait]
pub trait VariableStore {
    /// Custom variables by name.
    async fn variables(&self, g: &Granted<perms::OrganizationView>) -> StoreResult<Vec<Variable>>;
    /// Creates a variable and its first history entry; Conflict when the name is taken.
    async fn create_variable(&self, g: &Granted<perms::OrganizationEdit>, w: VariableWrite) -> StoreResult<Variable>;
    /// Changes `typeId` and/or `value` and appends a history entry; NotFound for an unknown name.
    async fn update_variable(&self, g: &Granted<perms::OrganizationEdit>, w: VariableWrite) -> StoreResult<Variable>;
    /// Deletes a variable and appends a history entry; NotFound for an unknown name.
    async fn delete_variable(
        &self,
        g: &Granted<perms::OrganizationEdit>,
        name: &str,
        author: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// History newest first; `None` when the name has neither a variable nor history.
    async fn variable_history(
        &self,
        g: &Granted<perms::OrganizationView>,
        name: &str,
    ) -> StoreResult<Option<Vec<HistoryEntry>>>;
}

/// Feature controls, TFA enforcement and installed apps.
#[async_trait]
pub trait FeatureStore {
    /// The organization's controls, highest id first.
    async fn feature_controls(&self, g: &Granted<perms::OrganizationView>) -> StoreResult<Vec<FeatureControl>>;
    /// Enables or disables one control of the organization; NotFound for an id it does not have.
    async fn set_feature_control(
        &self,
        g: &Granted<perms::OrganizationEdit>,
        id: i64,
        enabled: bool,
    ) -> StoreResult<FeatureControl>;
    async fn set_tfa_enforced(&self, g: &Granted<perms::OrganizationEdit>, enforced: bool) -> StoreResult<()>;
    /// Sets a user's two-factor flag by e-mail; false when no such user.
    async fn set_user_tfa(&self, email: &str, enabled: bool) -> StoreResult<bool>;
    async fn installed_apps(&self, g: &Granted<perms::OrganizationView>) -> StoreResult<Vec<InstalledApp>>;
}

/// The audit log; entries are written by the other stores inside each change's transaction.
#[async_trait]
pub trait AuditStore {
    /// One page of a log, filtered, in cursor order.
    async fn audit_page(&self, q: &audit::Query) -> StoreResult<Vec<audit::Entry>>;
    async fn audit_entry(&self, org_id: OrgId, uuid: &str) -> StoreResult<Option<audit::Entry>>;
    /// The users, teams and events that occur in a log.
    async fn audit_filters(&self, scope: audit::Scope) -> StoreResult<audit::Filters>;
    /// Deletes up to `batch` entries older than `before`; returns how many went.
    async fn prune_audit(&self, before: DateTime<Utc>, batch: i64) -> StoreResult<u64>;
}

/// The e-mail outbox; messages are queued by the other stores inside each change's transaction.
#[async_trait]
pub trait OutboxStore {
    /// Claims the oldest message due at `now_ms` for `node` until `until_ms`, counting an attempt; `None` when
    /// nothing is due. On PostgreSQL concurrent claims skip each other's rows, so every message has one sender.
    async fn claim_mail(&self, node: &str, now_ms: i64, until_ms: i64) -> StoreResult<Option<outbox::Claimed>>;
    /// Records how sending a claimed message ended; false when `node` no longer held the claim.
    async fn finish_mail(&self, id: i64, node: &str, outcome: &outbox::Outcome, max_attempts: i64)
        -> StoreResult<bool>;
    /// Drops claims of other processes when the backend serves a single node (SQLite): a process that was
    /// killed mid-send left them. PostgreSQL leaves them to expire, as another node may hold them.
    async fn release_stale_claims(&self, node: &str) -> StoreResult<u64>;
    /// Messages newest first, optionally of one status.
    async fn outbox_list(&self, status: Option<&str>, limit: i64) -> StoreResult<Vec<outbox::Message>>;
    /// Makes a failed or waiting message due now with its attempts reset. Returns the status it had before the
    /// call (`None`: no such message); only `failed` and `pending` ones change.
    async fn outbox_retry(&self, id: i64, now_ms: i64) -> StoreResult<Option<String>>;
    /// How many messages have each status.
    async fn outbox_counts(&self) -> StoreResult<Vec<(String, i64)>>;
    /// Deletes up to `batch` sent or cancelled messages created before `before_ms`.
    async fn prune_outbox(&self, before_ms: i64, batch: i64) -> StoreResult<u64>;
    /// Queues account mail that goes with no other change (a notice of a credential change, an "account exists"
    /// answer to open sign-up).
    async fn queue_mail(&self, message: outbox::NewMessage, now_ms: i64) -> StoreResult<()>;
}
