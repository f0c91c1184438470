//! SQLite through rusqlite, compiled in (`bundled`): the explorer's default database. The
//! file runs in WAL mode, so API readers see committed blocks while the processor writes.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};

use super::{DbError, Sql, Value};

/// One SQLite connection.
pub struct SqliteDb {
    conn: Connection,
    /// The SQLite form of each statement: `$N` parameters become `?N`.
    rewritten: HashMap<&'static str, String>,
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
        })
    }
}

/// `$N` parameters as SQLite's numbered `?N`.
fn rewrite(sql: &str) -> String {
    sql.replace('$', "?")
}

impl SqliteDb {
    /// Opens (creating) the file at `path`: WAL journal, `synchronous = NORMAL` (a commit
    /// survives a process crash; a power cut may lose the last ones, never corrupt), and a
    /// busy timeout so readers and the writer wait for each other instead of failing.
    ///
    /// # Errors
    /// The driver's error.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;")?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Self { conn, rewritten: HashMap::new() })
    }

    /// The connection and the SQLite form of `sql` (rewritten once per statement).
    fn prepare(&mut self, sql: &'static str) -> rusqlite::Result<rusqlite::CachedStatement<'_>> {
        let text = self.rewritten.entry(sql).or_insert_with(|| rewrite(sql));
        self.conn.prepare_cached(text)
    }
}

fn value_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Int(f as i64),
        ValueRef::Text(t) | ValueRef::Blob(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
    }
}

impl Sql for SqliteDb {
    fn execute(&mut self, sql: &'static str, params: &[Value]) -> Result<u64, DbError> {
        let mut statement = self.prepare(sql)?;
        Ok(statement.execute(rusqlite::params_from_iter(params.iter()))? as u64)
    }

    fn query(&mut self, sql: &'static str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        let mut statement = self.prepare(sql)?;
        let columns = statement.column_count();
        let mut rows = statement.query(rusqlite::params_from_iter(params.iter()))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push((0..columns).map(|i| row.get_ref(i).map(value_of)).collect::<Result<Vec<_>, _>>()?);
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.conn.execute_batch(sql)?)
    }
}
