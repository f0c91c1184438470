//! A throw-away PostgreSQL server for the explorer's tests and measurements: `initdb` into
//! a new temporary directory, `postgres` on a free loopback port, stopped and deleted when
//! the guard drops (also on panic). Run as root (as CI does), the server runs as the
//! `postgres` user through `setpriv`, which the server requires; the data directory is
//! handed to that user. The server binaries are looked up under
//! `/usr/lib/postgresql/<version>/bin` (the Debian package) or on `PATH`.

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Why the server could not be started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgError {
    /// The PostgreSQL server is not installed.
    #[error(
        "PostgreSQL is not installed: no initdb under /usr/lib/postgresql/*/bin or on PATH \
         (install the postgresql package; .ci/run does)"
    )]
    NotInstalled,
    /// A step failed.
    #[error("postgres: {0}")]
    Failed(String),
    /// The file system failed.
    #[error("postgres: {0}")]
    Io(#[from] std::io::Error),
}

/// A running temporary server.
pub struct TempPostgres {
    child: Option<Child>,
    dir: PathBuf,
    port: u16,
}

fn bin_dir() -> Result<PathBuf, PgError> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse::<u32>().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .find(|dir| dir.join("initdb").exists() && dir.join("postgres").exists())
        .ok_or(PgError::NotInstalled)
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

/// `program args…`, as the `postgres` user when we are root.
fn command(program: &Path, root: bool) -> Command {
    if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=postgres", "--regid=postgres", "--init-groups", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> Result<u16, PgError> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl TempPostgres {
    /// Starts a server. `durable: false` turns `fsync` off (tests: only the client is ever
    /// killed, never the server); both settings commit asynchronously
    /// (`synchronous_commit = off`: a crash of the machine may lose the last commits, never
    /// half of one), as the SQLite side does with `synchronous = NORMAL`.
    ///
    /// # Errors
    /// [`PgError::NotInstalled`], or the step that failed with its output.
    pub fn start(durable: bool) -> Result<Self, PgError> {
        let bin = bin_dir()?;
        let root = is_root();
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("pyrin-explorer-pg-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut server = Self { child: None, dir: dir.clone(), port: 0 };
        if root {
            let status = Command::new("chown").arg("postgres:postgres").arg(&dir).status()?;
            if !status.success() {
                return Err(PgError::Failed("chown of the data directory to the postgres user failed".into()));
            }
        }
        let data = dir.join("data");
        let out = command(&bin.join("initdb"), root)
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
            .output()?;
        if !out.status.success() {
            return Err(PgError::Failed(format!("initdb: {}", String::from_utf8_lossy(&out.stderr))));
        }
        server.port = free_port()?;
        let log = std::fs::File::create(dir.join("server.log"))?;
        let child = command(&bin.join("postgres"), root)
            .arg("-D")
            .arg(&data)
            .args(["-p", &server.port.to_string(), "-c", "listen_addresses=127.0.0.1"])
            .arg("-c")
            .arg(format!("unix_socket_directories={}", dir.display()))
            .args(["-c", "synchronous_commit=off", "-c", "max_connections=200"])
            .args(["-c", if durable { "fsync=on" } else { "fsync=off" }])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        server.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match postgres::Client::connect(&server.url("postgres"), postgres::NoTls) {
                Ok(_) => return Ok(server),
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
                Err(e) => {
                    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                    return Err(PgError::Failed(format!("server did not accept connections: {e}\n{log}")));
                }
            }
        }
    }

    /// The connection URL of `database`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates `database` and returns its URL.
    ///
    /// # Errors
    /// The driver's error.
    pub fn create_database(&self, database: &str) -> Result<String, PgError> {
        let mut client = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .map_err(|e| PgError::Failed(e.to_string()))?;
        client.batch_execute(&format!("CREATE DATABASE \"{database}\"")).map_err(|e| PgError::Failed(e.to_string()))?;
        Ok(self.url(database))
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Immediate shutdown (SIGQUIT), then SIGKILL if it lingers.
            let _ = Command::new("kill").arg("-QUIT").arg(child.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
