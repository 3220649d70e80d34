//! The migration runner: plain SQL files applied in order, each in its own transaction, recorded
//! with a checksum. An applied migration whose text has changed is refused: migrations are
//! forward-only and never edited once landed. Run by `tools/local`, the test harness and the
//! `migrate` command of deploy pipelines; never on a Lambda cold start.

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use super::DbError;

/// One migration: its version number, name and SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration of this build, in order. A test checks that it lists every file in
/// `migrations/`.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "V001__initial",
        sql: include_str!("../../../migrations/V001__initial.sql"),
    },
    Migration {
        version: 2,
        name: "V002__jobs",
        sql: include_str!("../../../migrations/V002__jobs.sql"),
    },
    Migration {
        version: 3,
        name: "V003__topology",
        sql: include_str!("../../../migrations/V003__topology.sql"),
    },
    Migration {
        version: 4,
        name: "V004__deploy",
        sql: include_str!("../../../migrations/V004__deploy.sql"),
    },
    Migration {
        version: 5,
        name: "V005__push",
        sql: include_str!("../../../migrations/V005__push.sql"),
    },
];

impl Migration {
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// A checksum over every migration: names a template database built from exactly these.
pub fn fingerprint(migrations: &[Migration]) -> String {
    let mut h = Sha256::new();
    for m in migrations {
        h.update(m.name.as_bytes());
        h.update(m.sql.as_bytes());
    }
    hex::encode(h.finalize())[..16].to_string()
}

/// Applies what is missing; returns the versions applied now.
pub async fn run(client: &mut Client, migrations: &[Migration]) -> Result<Vec<i32>, DbError> {
    client
        .batch_execute(
            "SELECT pg_advisory_lock(7245001);
             CREATE SCHEMA IF NOT EXISTS sfdc_meta;
             CREATE TABLE IF NOT EXISTS sfdc_meta.schema_migrations (
                 version    integer PRIMARY KEY,
                 name       text NOT NULL,
                 checksum   text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now()
             );",
        )
        .await?;
    let result = apply(client, migrations).await;
    client
        .batch_execute("SELECT pg_advisory_unlock(7245001)")
        .await?;
    result
}

async fn apply(client: &mut Client, migrations: &[Migration]) -> Result<Vec<i32>, DbError> {
    let rows = client
        .query(
            "SELECT version, name, checksum FROM sfdc_meta.schema_migrations ORDER BY version",
            &[],
        )
        .await?;
    let applied: Vec<(i32, String, String)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    for (version, name, checksum) in &applied {
        match migrations.iter().find(|m| m.version == *version) {
            None => {
                return Err(DbError::Setup(format!(
                    "the database has migration {name} which this build does not know"
                )));
            }
            Some(m) if m.checksum() != *checksum => {
                return Err(DbError::Setup(format!(
                    "migration {name} was edited after it was applied (checksum {checksum} in the \
                     database, {} here); write a new migration instead",
                    m.checksum()
                )));
            }
            Some(_) => {}
        }
    }
    let mut done = Vec::new();
    for m in migrations {
        if applied.iter().any(|(v, _, _)| *v == m.version) {
            continue;
        }
        let tx = client.transaction().await?;
        tx.batch_execute(m.sql).await?;
        tx.execute(
            "INSERT INTO sfdc_meta.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[&m.version, &m.name, &m.checksum()],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(migration = m.name, "applied migration");
        done.push(m.version);
    }
    Ok(done)
}

/// Opens one plain connection (no pool) for migrating; used by tools and tests.
pub async fn connect_once(url: &str) -> Result<Client, DbError> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "migration connection closed");
        }
    });
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_migrations_is_listed_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .map(|n| n.trim_end_matches(".sql").to_string())
            .collect();
        files.sort();
        let listed: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
        assert_eq!(files, listed);
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{} is out of sequence", m.name);
            assert!(m.name.starts_with(&format!("V{:03}__", m.version)));
        }
    }
}
