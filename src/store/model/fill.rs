//! Reads through the model: each answers from memory when it can, else runs the backend's read and keeps what
//! it found. A read is given whether its answer will be kept (`fill`): a kept answer must come from the primary.

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, Utc};

use super::ReadModel;
use crate::store::models::{OrgAccess, Team, TeamRole, TokenAuth, UsageTotals};
use crate::store::private_spaces::SeenSpace;
use crate::store::roles::CustomRole;
use crate::store::StoreResult;

/// Teams and usage by organization, as `RequestReads::teams_and_usage` answers.
pub(crate) type TeamsAndUsage = (HashMap<i64, Vec<Team>>, HashMap<i64, UsageTotals>);

impl ReadModel {
    /// The live token with this digest and its user.
    pub(crate) async fn token<Fut>(
        &self,
        digest: &str,
        read: impl FnOnce(bool) -> Fut,
    ) -> StoreResult<Option<TokenAuth>>
    where
        Fut: Future<Output = StoreResult<Option<TokenAuth>>>,
    {
        let ticket = match self.token_hit(digest) {
            Ok(hit) => return Ok(Some(hit)),
            Err(ticket) => ticket,
        };
        let found = read(ticket.fills()).await?;
        if let Some(auth) = &found {
            self.keep_token(ticket, digest, auth);
        }
        Ok(found)
    }

    /// Whether organization `org_id` exists and the role `user_id` holds in it.
    pub(crate) async fn access<Fut>(
        &self,
        org_id: i64,
        user_id: i64,
        read: impl FnOnce(bool) -> Fut,
    ) -> StoreResult<OrgAccess>
    where
        Fut: Future<Output = StoreResult<OrgAccess>>,
    {
        let ticket = match self.access_hit(org_id, user_id) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let found = read(ticket.fills()).await?;
        self.keep_access(ticket, user_id, &found);
        Ok(found)
    }

    /// The team roles `user_id` holds in organization `org_id`'s teams.
    pub(crate) async fn team_roles<Fut>(
        &self,
        org_id: i64,
        user_id: i64,
        read: impl FnOnce(bool) -> Fut,
    ) -> StoreResult<Vec<TeamRole>>
    where
        Fut: Future<Output = StoreResult<Vec<TeamRole>>>,
    {
        let ticket = match self.team_roles_hit(org_id, user_id) {
            Ok(hit) => return Ok(hit.to_vec()),
            Err(ticket) => ticket,
        };
        let found = read(ticket.fills()).await?;
        self.keep_team_roles(ticket, org_id, user_id, &found);
        Ok(found)
    }

    /// The custom role `role_id`.
    pub(crate) async fn role<Fut>(
        &self,
        role_id: i64,
        read: impl FnOnce(bool) -> Fut,
    ) -> StoreResult<Option<CustomRole>>
    where
        Fut: Future<Output = StoreResult<Option<CustomRole>>>,
    {
        let ticket = match self.role_hit(role_id) {
            Ok(hit) => return Ok(Some((*hit).clone())),
            Err(ticket) => ticket,
        };
        let found = read(ticket.fills()).await?;
        if let Some(role) = &found {
            self.keep_role(ticket, role);
        }
        Ok(found)
    }

    /// The private spaces `user_id` sees.
    pub(crate) async fn spaces<Fut>(&self, user_id: i64, read: impl FnOnce(bool) -> Fut) -> StoreResult<Vec<SeenSpace>>
    where
        Fut: Future<Output = StoreResult<Vec<SeenSpace>>>,
    {
        let ticket = match self.spaces_hit(user_id) {
            Ok(hit) => return Ok(hit.to_vec()),
            Err(ticket) => ticket,
        };
        let found = read(ticket.fills()).await?;
        self.keep_spaces(ticket, user_id, &found);
        Ok(found)
    }

    /// The teams of the organizations `ids`.
    pub(crate) async fn teams<Fut>(
        &self,
        ids: &[i64],
        read: impl FnOnce(bool) -> Fut,
    ) -> StoreResult<HashMap<i64, Vec<Team>>>
    where
        Fut: Future<Output = StoreResult<HashMap<i64, Vec<Team>>>>,
    {
        let ticket = match self.teams_hit(ids) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let found = read(ticket.fills()).await?;
        self.keep_teams(ticket, ids, &found);
        Ok(found)
    }

    /// The usage of the organizations `ids` over `period`.
    pub(crate) async fn usage<Fut>(
        &self,
        ids: &[i64],
        period: (DateTime<Utc>, DateTime<Utc>),
        read: impl FnOnce(bool) -> Fut,
    ) -> StoreResult<HashMap<i64, UsageTotals>>
    where
        Fut: Future<Output = StoreResult<HashMap<i64, UsageTotals>>>,
    {
        let ticket = match self.usage_hit(ids, period.0, period.1) {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let found = read(ticket.fills()).await?;
        self.keep_usage(ticket, ids, period, &found);
        Ok(found)
    }

    /// Both of the above, read together when either is missing.
    pub(crate) async fn teams_and_usage<Fut>(
        &self,
        ids: &[i64],
        period: (DateTime<Utc>, DateTime<Utc>),
        read: impl FnOnce(bool) -> Fut,
    ) -> StoreResult<TeamsAndUsage>
    where
        Fut: Future<Output = StoreResult<TeamsAndUsage>>,
    {
        let hit = self.teams_hit(ids).and_then(|teams| Ok((teams, self.usage_hit(ids, period.0, period.1)?)));
        let ticket = match hit {
            Ok(hit) => return Ok(hit),
            Err(ticket) => ticket,
        };
        let (teams, usage) = read(ticket.fills()).await?;
        self.keep_teams(ticket, ids, &teams);
        self.keep_usage(ticket, ids, period, &usage);
        Ok((teams, usage))
    }
}
