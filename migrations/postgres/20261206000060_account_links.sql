-- Open sign-up (`--signup open`, docs/people.md) mails an e-mail verification link built like a password reset
-- link: a random token of which only the SHA-256 `digest` is stored, valid one hour and once. Both kinds of link
-- live in this table, told apart by `purpose` ('reset' or 'signup'), so that one kind never works as the other.
-- Asking again replaces the person's earlier unused links of the same purpose.
alter table password_resets add column purpose text not null default 'reset';
