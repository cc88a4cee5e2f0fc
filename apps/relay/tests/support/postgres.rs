//! A throwaway PostgreSQL server for one test: initdb in a temp dir, started on a free
//! loopback port, stopped (and the dir removed) on drop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// A running PostgreSQL server owned by the test.
pub struct PgServer {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_postgres_user: bool,
    _dir: TempDir,
}

/// The newest Debian PostgreSQL server binaries, or a clear failure naming the package.
fn server_binaries() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
        .collect();
    found.sort_by_key(|bin| {
        bin.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    found.pop().unwrap_or_else(|| {
        panic!(
            "The PostgreSQL tests need the server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin. \
             Install the Debian package `postgresql` (apt-get install -y postgresql); .ci/run does this."
        )
    })
}

fn running_as_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

fn check(what: &str, output: Output) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

impl PgServer {
    /// Creates and starts a server with a database `onward_relay`.
    pub fn start() -> PgServer {
        PgServer::start_with(false)
    }

    /// [`PgServer::start`] with TLS on and plaintext refused (`hostssl` only), under a
    /// certificate for 127.0.0.1 signed by a root of its own ([`PgServer::certificate`]).
    pub fn start_tls() -> PgServer {
        PgServer::start_with(true)
    }

    /// The root (PEM) that signed the server's certificate, when it runs with TLS.
    pub fn certificate(&self) -> PathBuf {
        self.socket_dir().join("ca.crt")
    }

    fn start_with(tls: bool) -> PgServer {
        let bin = server_binaries();
        let as_postgres_user = running_as_root();
        let dir = tempfile::Builder::new()
            .prefix("onward-pg")
            .tempdir()
            .expect("temp dir");
        if as_postgres_user {
            // initdb refuses to run as root: the server runs as the `postgres` user.
            check(
                "chown",
                Command::new("chown")
                    .arg("postgres")
                    .arg(dir.path())
                    .output()
                    .expect("run chown"),
            );
        }
        let data = dir.path().join("data");
        let mut server = PgServer {
            bin,
            data,
            port: 0,
            as_postgres_user,
            _dir: dir,
        };
        let data_arg = server.data.to_str().expect("utf-8 temp path").to_owned();
        check(
            "initdb",
            server
                .command(
                    "initdb",
                    &["-N", "-D", &data_arg, "-A", "trust", "-U", "postgres"],
                )
                .output()
                .expect("run initdb"),
        );
        if tls {
            server.set_up_tls();
        }
        // Another process may take the port between our probe and the server's bind: retry.
        let mut last = None;
        for _ in 0..3 {
            server.port = free_port();
            let options = format!(
                "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
                server.port,
                server.socket_dir().display()
            );
            let log = server.socket_dir().join("server.log");
            let output = server
                .command(
                    "pg_ctl",
                    &[
                        "-D",
                        &data_arg,
                        "-l",
                        log.to_str().unwrap(),
                        "-o",
                        &options,
                        "-w",
                        "-t",
                        "30",
                        "start",
                    ],
                )
                .output()
                .expect("run pg_ctl");
            if output.status.success() {
                last = None;
                break;
            }
            last = Some(output);
        }
        if let Some(output) = last {
            check("pg_ctl start", output);
        }
        check(
            "createdb",
            Command::new(server.bin.join("createdb"))
                .args([
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &server.port.to_string(),
                    "-U",
                    "postgres",
                    "onward_relay",
                ])
                .output()
                .expect("run createdb"),
        );
        server
    }

    /// A certificate for 127.0.0.1 and its key beside the data directory, `ssl = on`, and
    /// `hostssl` in place of `host` in pg_hba.conf so a plaintext connection is refused.
    fn set_up_tls(&self) {
        let dir = self.socket_dir();
        let (crt, key) = (dir.join("server.crt"), dir.join("server.key"));
        let (ca, ca_key, csr) = (
            dir.join("ca.crt"),
            dir.join("ca.key"),
            dir.join("server.csr"),
        );
        let ext = dir.join("server.ext");
        std::fs::write(
            &ext,
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
        )
        .expect("write the extension file");
        let openssl = |what: &str, args: &[&std::ffi::OsStr]| {
            check(
                what,
                Command::new("openssl")
                    .args(args)
                    .output()
                    .expect("run openssl (Debian package openssl)"),
            )
        };
        let os = |s: &'static str| std::ffi::OsStr::new(s);
        // A root of its own, and the server's certificate signed by it.
        openssl(
            "openssl req (root)",
            &[
                os("req"),
                os("-x509"),
                os("-newkey"),
                os("rsa:2048"),
                os("-nodes"),
                os("-days"),
                os("2"),
                os("-subj"),
                os("/CN=onward test root"),
                os("-keyout"),
                ca_key.as_os_str(),
                os("-out"),
                ca.as_os_str(),
            ],
        );
        openssl(
            "openssl req (server)",
            &[
                os("req"),
                os("-newkey"),
                os("rsa:2048"),
                os("-nodes"),
                os("-subj"),
                os("/CN=127.0.0.1"),
                os("-keyout"),
                key.as_os_str(),
                os("-out"),
                csr.as_os_str(),
            ],
        );
        openssl(
            "openssl x509 (sign)",
            &[
                os("x509"),
                os("-req"),
                os("-in"),
                csr.as_os_str(),
                os("-CA"),
                ca.as_os_str(),
                os("-CAkey"),
                ca_key.as_os_str(),
                os("-CAcreateserial"),
                os("-days"),
                os("2"),
                os("-extfile"),
                ext.as_os_str(),
                os("-out"),
                crt.as_os_str(),
            ],
        );
        for file in [&crt, &key] {
            if self.as_postgres_user {
                check(
                    "chown",
                    Command::new("chown")
                        .arg("postgres")
                        .arg(file)
                        .output()
                        .expect("run chown"),
                );
            }
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod key");
        std::fs::set_permissions(&crt, std::fs::Permissions::from_mode(0o644)).expect("chmod crt");
        let conf = self.data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
        text.push_str(&format!(
            "\nssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\n",
            crt.display(),
            key.display()
        ));
        std::fs::write(&conf, text).expect("write postgresql.conf");
        let hba = self.data.join("pg_hba.conf");
        let text = std::fs::read_to_string(&hba).expect("pg_hba.conf");
        let text: Vec<String> = text
            .lines()
            .map(|line| match line.strip_prefix("host ") {
                Some(rest) => format!("hostssl {rest}"),
                None => line.to_owned(),
            })
            .collect();
        std::fs::write(&hba, text.join("\n") + "\n").expect("write pg_hba.conf");
    }

    /// The URL of the test database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/onward_relay", self.port)
    }

    /// `pg_dump -Fc` of the test database into `name` in the server's own directory
    /// (writable by the server's user, which runs the tools); returns the dump's path.
    pub fn dump(&self, name: &str) -> PathBuf {
        let file = self.socket_dir().join(name);
        let port = self.port.to_string();
        let file_arg = file.to_str().expect("utf-8 temp path");
        check(
            "pg_dump",
            self.command(
                "pg_dump",
                &[
                    "-Fc",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &port,
                    "-U",
                    "postgres",
                    "-f",
                    file_arg,
                    "onward_relay",
                ],
            )
            .output()
            .expect("run pg_dump"),
        );
        file
    }

    /// `pg_restore --clean` of a [`PgServer::dump`] over the test database: every table
    /// is dropped and recreated as it was at the dump. Stop the relay first.
    pub fn restore(&self, dump: &Path) {
        let port = self.port.to_string();
        check(
            "pg_restore",
            self.command(
                "pg_restore",
                &[
                    "--clean",
                    "--if-exists",
                    "--exit-on-error",
                    "--single-transaction",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &port,
                    "-U",
                    "postgres",
                    "-d",
                    "onward_relay",
                    dump.to_str().expect("utf-8 temp path"),
                ],
            )
            .output()
            .expect("run pg_restore"),
        );
    }

    /// Runs `sql` with psql on the test database; what it printed (unaligned, tuples only).
    pub fn psql(&self, sql: &str) -> String {
        self.psql_on("onward_relay", sql)
    }

    /// [`PgServer::psql`] on the database `db` (`postgres` while `onward_relay` takes no
    /// connections).
    pub fn psql_on(&self, db: &str, sql: &str) -> String {
        let port = self.port.to_string();
        let output = self
            .command(
                "psql",
                &[
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &port,
                    "-U",
                    "postgres",
                    "-d",
                    db,
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-tA",
                    "-c",
                    sql,
                ],
            )
            .output()
            .expect("run psql");
        let out = String::from_utf8_lossy(&output.stdout).trim().to_string();
        check("psql", output);
        out
    }

    /// The server's data directory (every file the server stores lives under it).
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    fn socket_dir(&self) -> &Path {
        self.data.parent().expect("data has a parent")
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command
                .args(["-u", "postgres", "--"])
                .arg(program)
                .args(args);
            command
        } else {
            let mut command = Command::new(program);
            command.args(args);
            command
        }
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.data.to_str().unwrap_or_default().to_owned();
        let _ = self
            .command(
                "pg_ctl",
                &["-D", &data, "-m", "immediate", "-w", "-t", "30", "stop"],
            )
            .output();
    }
}
