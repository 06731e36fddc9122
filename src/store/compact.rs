//! Values that SQLite stores more compactly than their plain sqlx encoding, so that 1 000 000 organizations fit in
//! 0.6 GiB (issue 27; migrations `…0090_compact_members`, `…0091_compact_audit_log`). PostgreSQL stores them as
//! before: each type encodes as its usual type there, and the SQL stays the same text for both backends.

use chrono::{DateTime, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};
use uuid::Uuid;

/// An audit entry's uuid: 32 lowercase hex digits to the code (and as `text` on PostgreSQL), its 16 bytes on
/// SQLite, where it is stored twice (table and unique index) for millions of entries. The bytes compare as the
/// hex digits do, so the log's order and cursor mean the same on both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryId(pub String);

impl From<EntryId> for String {
    fn from(id: EntryId) -> String {
        id.0
    }
}

impl Type<Sqlite> for EntryId {
    fn type_info() -> SqliteTypeInfo {
        <Vec<u8> as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <Vec<u8> as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for EntryId {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        let bytes = Uuid::try_parse(&self.0)?.as_bytes().to_vec();
        <Vec<u8> as Encode<Sqlite>>::encode(bytes, buf)
    }
}

impl<'r> Decode<'r, Sqlite> for EntryId {
    /// The 16 bytes; a 32-digit text too (an entry written as text by hand, as a test does), taken as it is.
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let raw = <&[u8] as Decode<Sqlite>>::decode(value)?;
        Ok(EntryId(match Uuid::from_slice(raw) {
            Ok(u) => u.simple().to_string(),
            Err(_) => std::str::from_utf8(raw)?.to_string(),
        }))
    }
}

impl Type<Postgres> for EntryId {
    fn type_info() -> PgTypeInfo {
        <String as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <String as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for EntryId {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <String as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for EntryId {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(EntryId(<String as Decode<Postgres>>::decode(value)?))
    }
}

/// When a team or a membership (of an organization or a team) was made: epoch milliseconds on SQLite, 6 bytes a
/// row instead of 32 to 35 characters of RFC 3339 text, in 5 000 000 rows at 1 000 000 organizations;
/// `timestamptz` on PostgreSQL. Written once and read by nothing, so it has no decoding: a column that comes to
/// be read decodes its integer with `DateTime::from_timestamp_millis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Created(pub DateTime<Utc>);

impl Type<Sqlite> for Created {
    fn type_info() -> SqliteTypeInfo {
        <i64 as Type<Sqlite>>::type_info()
    }
}

impl<'q> Encode<'q, Sqlite> for Created {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <i64 as Encode<Sqlite>>::encode(self.0.timestamp_millis(), buf)
    }
}

impl Type<Postgres> for Created {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for Created {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <DateTime<Utc> as Encode<Postgres>>::encode_by_ref(&self.0, buf)
    }
}
