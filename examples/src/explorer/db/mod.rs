//! The explorer's database behind one small trait, [`Sql`]: statements with positional
//! parameters (`$1`, `$2`, …), rows of plain [`Value`]s, and explicit transactions. The
//! index's queries ([`crate::explorer::store`]) are written once over it; [`sqlite`] (the
//! embedded default, compiled in) and [`postgres`] implement it. Migrations are the SQL
//! files under `examples/explorer/migrations/`, applied in order and recorded.

pub mod postgres;
pub mod sqlite;

/// A column value: the index stores only integers and text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A BIGINT.
    Int(i64),
    /// TEXT.
    Text(String),
}

impl Value {
    /// The integer, or `None` for another kind.
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }

    /// The text, or `None` for another kind.
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(v) => Some(v),
            _ => None,
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// What went wrong in the database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// The SQLite driver failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The PostgreSQL driver failed.
    #[error("postgres: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// The index does not hold what the processor expects (a bug, or another writer).
    #[error("index inconsistent: {0}")]
    Inconsistent(String),
    /// An amount or height does not fit the database's 64-bit signed integers.
    #[error("value out of range: {0}")]
    Range(String),
}

/// A database connection the index runs its statements on.
pub trait Sql: Send {
    /// Runs a statement, returning the rows it changed.
    ///
    /// # Errors
    /// The driver's error.
    fn execute(&mut self, sql: &'static str, params: &[Value]) -> Result<u64, DbError>;

    /// Runs a query, returning its rows.
    ///
    /// # Errors
    /// The driver's error.
    fn query(&mut self, sql: &'static str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError>;

    /// Runs statements without parameters (DDL, `BEGIN`, `COMMIT`).
    ///
    /// # Errors
    /// The driver's error.
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;

    /// The first row of a query, if any.
    ///
    /// # Errors
    /// The driver's error.
    fn query_one(&mut self, sql: &'static str, params: &[Value]) -> Result<Option<Vec<Value>>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Runs `f` in one database transaction: committed when it returns `Ok`, rolled back
    /// otherwise.
    ///
    /// # Errors
    /// `f`'s error, or the driver's.
    fn transaction<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, DbError>) -> Result<T, DbError>
    where
        Self: Sized,
    {
        self.batch("BEGIN")?;
        match f(self) {
            Ok(value) => {
                self.batch("COMMIT")?;
                Ok(value)
            }
            Err(e) => {
                // The connection may be gone; the original error is the one to report.
                let _ = self.batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// The schema migrations, in order: (version, SQL).
pub const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("../../../explorer/migrations/0001_index.sql"))];

/// Applies the migrations not yet applied, each in its own transaction with its record in
/// `schema_migrations`.
///
/// # Errors
/// The driver's error.
pub fn migrate<S: Sql>(db: &mut S) -> Result<(), DbError> {
    db.batch("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")?;
    for (version, sql) in MIGRATIONS {
        let applied = db.query_one("SELECT version FROM schema_migrations WHERE version = $1", &[(*version).into()])?;
        if applied.is_some() {
            continue;
        }
        db.transaction(|db| {
            db.batch(sql)?;
            db.execute("INSERT INTO schema_migrations (version) VALUES ($1)", &[(*version).into()])?;
            Ok(())
        })?;
    }
    Ok(())
}

/// Where the index lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DbConfig {
    /// An SQLite file.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL connection URL (`postgres://user@host:port/db`).
    Postgres(String),
}

/// A connection to either database.
pub enum Db {
    /// SQLite.
    Sqlite(sqlite::SqliteDb),
    /// PostgreSQL.
    Postgres(postgres::PostgresDb),
}

impl Db {
    /// Opens a connection (migrations not applied: see [`migrate`]).
    ///
    /// # Errors
    /// The driver's error.
    pub fn open(config: &DbConfig) -> Result<Self, DbError> {
        Ok(match config {
            DbConfig::Sqlite(path) => Db::Sqlite(sqlite::SqliteDb::open(path)?),
            DbConfig::Postgres(url) => Db::Postgres(postgres::PostgresDb::connect(url)?),
        })
    }
}

impl Db {
    /// Opens a connection that only reads: SQLite's `query_only`, PostgreSQL's read-only
    /// transactions. The API's connections are these.
    ///
    /// # Errors
    /// The driver's error.
    pub fn open_reader(config: &DbConfig) -> Result<Self, DbError> {
        let mut db = Self::open(config)?;
        match &mut db {
            Db::Sqlite(db) => db.batch("PRAGMA query_only = ON")?,
            Db::Postgres(db) => db.batch("SET default_transaction_read_only = on")?,
        }
        Ok(db)
    }
}

impl Sql for Db {
    fn execute(&mut self, sql: &'static str, params: &[Value]) -> Result<u64, DbError> {
        match self {
            Db::Sqlite(db) => db.execute(sql, params),
            Db::Postgres(db) => db.execute(sql, params),
        }
    }

    fn query(&mut self, sql: &'static str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        match self {
            Db::Sqlite(db) => db.query(sql, params),
            Db::Postgres(db) => db.query(sql, params),
        }
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        match self {
            Db::Sqlite(db) => db.batch(sql),
            Db::Postgres(db) => db.batch(sql),
        }
    }
}
