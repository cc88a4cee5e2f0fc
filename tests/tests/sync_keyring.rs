//! Where the command line keeps a device's keys, with a real Secret Service: a D-Bus
//! session bus and GNOME Keyring started for each test (Debian's `dbus-daemon` and
//! `gnome-keyring`; tests/run installs them), the real `onward` binary and a relay on
//! 127.0.0.1. With a keyring that answers the keys go there and nowhere else; without one
//! they go to a private folder that the command names; asking for a keyring that isn't
//! there is a clear error that turns nothing on.

mod sync_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use sync_support::{assert_nowhere, stored_keys, Device, LoopbackRelay};

/// A session bus with GNOME Keyring's Secret Service on it, unlocked, in a folder of its
/// own (stopped on drop).
struct SecretService {
    bus: Child,
    address: String,
    home: PathBuf,
    _dir: tempfile::TempDir,
}

impl SecretService {
    fn start() -> SecretService {
        for tool in ["dbus-daemon", "gnome-keyring-daemon", "secret-tool"] {
            assert!(
                which(tool),
                "{tool} is missing: tests/run installs dbus-daemon, gnome-keyring and libsecret-tools"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let socket = dir.path().join("bus");
        let address = format!("unix:path={}", socket.display());
        let bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address={address}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for(|| socket.exists(), "the session bus");
        let service = SecretService {
            bus,
            address,
            home,
            _dir: dir,
        };
        // `--unlock` reads the login keyring's password from stdin and creates it unlocked;
        // `--daemonize` returns once the daemon is on the bus.
        let mut keyring = service
            .command("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets", "--daemonize"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let mut stdin = keyring.stdin.take().unwrap();
            stdin.write_all(b"test-password").unwrap();
        }
        assert!(keyring.wait().unwrap().success(), "gnome-keyring-daemon");
        service
    }

    /// A command on this session (its bus, its home).
    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd
    }

    fn env(&self) -> Vec<(String, String)> {
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), self.address.clone()),
            ("HOME".into(), self.home.display().to_string()),
            (
                "XDG_DATA_HOME".into(),
                self.home.join(".local/share").display().to_string(),
            ),
        ]
    }

    /// The secrets filed under "onward", as `secret-tool` (libsecret, not our code) finds
    /// them: (account name, secret).
    fn onward_secrets(&self) -> Vec<(String, Vec<u8>)> {
        let out = self
            .command("secret-tool")
            .args(["search", "--all", "--unlock", "service", "onward"])
            .output()
            .unwrap();
        let listed = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let mut found: Vec<(String, Vec<u8>)> = listed
            .lines()
            .filter_map(|l| l.strip_prefix("attribute.username = "))
            .map(|user| {
                let secret = self
                    .command("secret-tool")
                    .args(["lookup", "service", "onward", "username", user])
                    .output()
                    .unwrap();
                assert!(secret.status.success(), "secret-tool lookup {user}");
                (user.to_string(), secret.stdout)
            })
            .collect();
        found.sort();
        found
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        // The keyring daemon leaves when its bus goes away.
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

fn which(tool: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|p| p.join(tool).is_file()))
        .unwrap_or(false)
}

fn wait_for(ready: impl Fn() -> bool, what: &str) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{what} never came up"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A device whose keys go wherever the command finds best (no `ONWARD_KEYS`).
fn device_on(dir: &Path, name: &str, env: Vec<(String, String)>) -> Device {
    let mut device = Device::new(dir, name);
    device.env = env;
    device.env.push(("ONWARD_KEYS".into(), "auto".into()));
    device
}

#[test]
fn keys_go_to_the_system_keyring_and_nowhere_else_when_it_answers() {
    let service = SecretService::start();
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(dir.path());
    let laptop = device_on(dir.path(), "laptop", service.env());
    laptop.run(&[
        "entry",
        "add",
        "--kind",
        "free",
        "--text",
        "written on the laptop",
    ]);

    let init = laptop.run(&["sync", "init", "--relay", &relay.url()]);
    assert!(
        init.contains("This device's keys are in your system keyring"),
        "{init}"
    );
    assert!(
        !laptop.keys_dir().exists(),
        "no key folder beside the journal"
    );
    let secrets = service.onward_secrets();
    assert_eq!(secrets.len(), 1, "one item for this device: {secrets:?}");
    let (account, secret) = &secrets[0];
    assert!(account.starts_with("onward-sync-"), "{account}");
    assert!(secret.len() > 32, "the device's keys, not a stub");

    // The keys are read back from the keyring: an invitation, a second device, a sync.
    let phone = Device::new(dir.path(), "phone");
    phone.join(&laptop, &[]);
    assert_eq!(
        phone.titles(),
        laptop.titles(),
        "the phone has the laptop's entry"
    );
    phone.run(&[
        "entry",
        "add",
        "--kind",
        "free",
        "--text",
        "written on the phone",
    ]);
    phone.run(&["sync", "now"]);
    laptop.run(&["sync", "now"]);
    assert_eq!(laptop.titles().len(), 2, "the laptop has the phone's entry");
    assert_eq!(laptop.titles(), phone.titles());

    // The keyring may hold a newer copy after the sync (new epoch keys); whatever it
    // holds now is in neither the journal file nor its WAL.
    for (_, secret) in service.onward_secrets() {
        let mut keys = stored_keys(&secret);
        keys.push(secret);
        assert_nowhere(&keys, &laptop.journal_files());
    }

    // Turning sync off forgets the keys in the keyring too.
    laptop.run(&["sync", "off", "--leave"]);
    assert_eq!(service.onward_secrets(), Vec::new());
}

#[test]
fn without_a_keyring_keys_go_to_a_private_folder_the_command_names() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(dir.path());
    // A bus address with nothing behind it: no keyring answers.
    let nobody = vec![(
        "DBUS_SESSION_BUS_ADDRESS".to_string(),
        format!("unix:path={}", dir.path().join("no-bus").display()),
    )];
    let laptop = device_on(dir.path(), "laptop", nobody);
    let init = laptop.run(&["sync", "init", "--relay", &relay.url()]);
    let folder = laptop.keys_dir();
    assert!(
        init.contains(&format!(
            "This device's keys are in {} (readable only by you)",
            folder.display()
        )),
        "{init}"
    );
    let files = laptop.key_files();
    assert_eq!(files.len(), 1, "{files:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&files[0].0), 0o600);
    }
    assert_nowhere(&[files[0].1.clone()], &laptop.journal_files());
    laptop.run(&["sync", "now"]);
}

#[test]
fn asking_for_a_keyring_that_is_not_there_turns_nothing_on() {
    let dir = tempfile::tempdir().unwrap();
    let relay = LoopbackRelay::start(dir.path());
    let mut laptop = Device::new(dir.path(), "laptop");
    laptop.env = vec![
        (
            "DBUS_SESSION_BUS_ADDRESS".into(),
            format!("unix:path={}", dir.path().join("no-bus").display()),
        ),
        ("ONWARD_KEYS".into(), "keyring".into()),
    ];
    let err = laptop.fail(&["sync", "init", "--relay", &relay.url()]);
    assert!(
        err.contains("ONWARD_KEYS asks for the system keyring, and it didn't answer"),
        "{err}"
    );
    assert!(!laptop.keys_dir().exists());
    let status = laptop.fail(&["sync", "status"]);
    assert!(status.contains("sync isn't set up"), "{status}");

    laptop.env[1].1 = "vault".into();
    let err = laptop.fail(&["sync", "init", "--relay", &relay.url()]);
    assert!(err.contains("it takes auto, keyring or file"), "{err}");
}
