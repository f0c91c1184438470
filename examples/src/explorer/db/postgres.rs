//! PostgreSQL through the `postgres` crate (the synchronous client): for an explorer that
//! outgrows one machine. Statements are prepared once per connection.

use std::collections::HashMap;
use std::error::Error;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};

use super::{DbError, Sql, Value};

/// One PostgreSQL connection.
pub struct PostgresDb {
    client: Client,
    prepared: HashMap<&'static str, Statement>,
}

impl std::fmt::Debug for PostgresDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresDb").finish_non_exhaustive()
    }
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => v.to_sql(ty, out),
            Value::Text(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <i64 as ToSql>::accepts(ty) || <String as ToSql>::accepts(ty)
    }

    fn to_sql_checked(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => v.to_sql_checked(ty, out),
            Value::Text(v) => v.to_sql_checked(ty, out),
        }
    }
}

impl PostgresDb {
    /// Connects to `url` (`postgres://user@host:port/database`), without TLS: the explorer
    /// talks to a database on its own machine or network.
    ///
    /// # Errors
    /// The driver's error.
    pub fn connect(url: &str) -> Result<Self, DbError> {
        let client = Client::connect(url, NoTls)?;
        Ok(Self { client, prepared: HashMap::new() })
    }

    fn statement(&mut self, sql: &'static str) -> Result<Statement, DbError> {
        if let Some(statement) = self.prepared.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(sql)?;
        self.prepared.insert(sql, statement.clone());
        Ok(statement)
    }
}

fn params(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl Sql for PostgresDb {
    fn execute(&mut self, sql: &'static str, values: &[Value]) -> Result<u64, DbError> {
        let statement = self.statement(sql)?;
        Ok(self.client.execute(&statement, &params(values))?)
    }

    fn query(&mut self, sql: &'static str, values: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        let statement = self.statement(sql)?;
        let rows = self.client.query(&statement, &params(values))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut values = Vec::with_capacity(row.len());
            for (i, column) in row.columns().iter().enumerate() {
                let value = match *column.type_() {
                    Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map_or(Value::Null, Value::Int),
                    Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map_or(Value::Null, |v| Value::Int(v.into())),
                    _ => row.try_get::<_, Option<String>>(i)?.map_or(Value::Null, Value::Text),
                };
                values.push(value);
            }
            out.push(values);
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.client.batch_execute(sql)?)
    }
}
