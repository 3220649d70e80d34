//! Timestamps as the existing service writes them: RFC 3339 with a `+00:00` offset and
//! microseconds, the fraction left out when it is zero (Python's `isoformat()`).

use chrono::{DateTime, Timelike, Utc};
use serde::{Serialize, Serializer};
use tokio_postgres::types::{FromSql, Type};

/// A `timestamptz` read from the database or taken from the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// The current time, truncated to microseconds like PostgreSQL stores it.
    pub fn now() -> Self {
        let now = Utc::now();
        let micros = now.timestamp_subsec_micros();
        Timestamp(now.with_nanosecond(micros * 1000).unwrap_or(now))
    }

    /// The RFC 3339 text used on the wire.
    pub fn to_wire(&self) -> String {
        if self.0.timestamp_subsec_micros() == 0 {
            self.0.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
        } else {
            self.0.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_wire())
    }
}

impl<'a> FromSql<'a> for Timestamp {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        DateTime::<Utc>::from_sql(ty, raw).map(Timestamp)
    }

    fn accepts(ty: &Type) -> bool {
        <DateTime<Utc> as FromSql>::accepts(ty)
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .examples([serde_json::json!("2026-02-19T00:00:00.123456+00:00")])
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn whole_seconds_are_written_without_a_fraction() {
        let t = Timestamp(Utc.with_ymd_and_hms(2026, 2, 19, 0, 0, 0).unwrap());
        assert_eq!(t.to_wire(), "2026-02-19T00:00:00+00:00");
    }

    #[test]
    fn microseconds_are_written_with_six_digits() {
        let t = Timestamp(
            Utc.with_ymd_and_hms(2026, 2, 19, 0, 0, 0).unwrap()
                + chrono::Duration::microseconds(1230),
        );
        assert_eq!(t.to_wire(), "2026-02-19T00:00:00.001230+00:00");
    }
}
