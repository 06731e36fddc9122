-- Make's API-token endpoints (`/users/me/api-tokens`): a token's label, and its first segment (the 8 hex digits
-- before the first '-') kept in clear so that the list can show a masked token the owner recognises. The token
-- itself stays stored only as its digest; 32 of its 122 random bits in clear leave 90 to guess. Tokens issued
-- before this migration have neither and are listed fully masked with an empty label.
alter table tokens add column label text;
alter table tokens add column hint text;
create index tokens_user on tokens (user_id, created_at);
