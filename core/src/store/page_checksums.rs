//! Page checksums: a flipped bit in a journal file gives an error, never a changed read.
//!
//! Every connection to a journal opens through [`connect`], which uses a VFS of ours
//! wrapping the process's default one. A journal keeps 8 bytes at the end of each page
//! for it (SQLite's "reserved bytes", set when the journal is created, or added by a
//! `VACUUM` on upgrade: see [`add_to`]). When the main file's pages are written, the VFS
//! puts a checksum of the rest of the page there; when they are read, it checks it and
//! answers `SQLITE_IOERR_DATA` if the page changed, which [`super::open::name_damage`]
//! names as damage. A file whose header says it reserves no 8 bytes (a journal from
//! before checksums, or any other SQLite file) passes through unchanged.
//!
//! What it leaves to SQLite: the WAL. Its frames carry SQLite's own checksums, checked
//! when a WAL is recovered after a crash, and a frame's page gets our checksum when a
//! checkpoint copies it into the main file. So a flip inside a WAL that is still live
//! reads on; the WAL is folded into the main file by the idle tidy and at every close.
//!
//! Why this and not a checksum per row: the reads come from the index rows, the kind
//! tables, tags, links and the search index; a page checksum covers them all and
//! SQLite's own b-tree pages too, at the cost of 8 bytes a page and one pass over each
//! page read from the file (see RELIABILITY.md, "Silent corruption").
//!
//! Anything that writes a journal must go through [`connect`]: a plain SQLite
//! connection would write pages without their checksums, and the next read would take
//! them for damage.

use super::vfs_shim::{self, ShimHead};
use rusqlite::{ffi, Connection, OpenFlags};
use std::ffi::{c_int, c_void, CStr};
use std::path::Path;
use std::ptr;
use std::sync::OnceLock;

/// The bytes at the end of every page that hold its checksum.
pub const RESERVED_BYTES: u8 = 8;

const VFS_NAME: &CStr = c"onward-checksums";

/// Opens a connection to a journal file through the checksum VFS (registered on the
/// first call, over the default VFS of that moment).
pub fn connect(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    register()?;
    Connection::open_with_flags_and_vfs(path, flags, VFS_NAME)
}

/// [`connect`] with the flags of `Connection::open`: read-write, created if missing.
pub fn connect_default(path: &Path) -> rusqlite::Result<Connection> {
    connect(path, OpenFlags::default())
}

/// The reserved bytes per page the file has (or, for a database not written yet, will
/// have).
pub fn reserved_bytes(conn: &Connection) -> rusqlite::Result<u8> {
    reserve(conn, -1)
}

/// Gives the pages of a database that has none yet their 8 reserved bytes: at once
/// for a new, empty database; for one with pages, only from its next `VACUUM`.
pub fn reserve_for_checksums(conn: &Connection) -> rusqlite::Result<()> {
    reserve(conn, i32::from(RESERVED_BYTES)).map(|_| ())
}

/// Adds checksums to an existing journal: reserves the bytes and rewrites every page
/// with a `VACUUM`, in rollback-journal mode (a WAL journal can't change its page
/// layout), then back to WAL. SQLite's rollback journal makes it all or nothing: a
/// process killed midway leaves a hot journal that the next open rolls back. Needs
/// the journal to itself; returns `Ok(false)`, changing nothing, when another
/// connection has it open (the next open tries again).
pub fn add_to(conn: &Connection) -> rusqlite::Result<bool> {
    // Asked without waiting: another connection (the app, the CLI) holding the
    // journal open is the common reason to say no, and worth no delay.
    conn.busy_timeout(std::time::Duration::ZERO)?;
    let left = leave_wal(conn);
    conn.busy_timeout(std::time::Duration::from_secs(super::open::BUSY_SECONDS))?;
    if !left? {
        return Ok(false);
    }
    let added = reserve_for_checksums(conn).and_then(|()| conn.execute_batch("VACUUM"));
    let back: rusqlite::Result<String> =
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0));
    back?;
    match added {
        Ok(()) => Ok(true),
        // No room for the rewrite: the journal stays as it was, without checksums, and
        // opens; a later open tries again.
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Switches to rollback-journal mode; false (still in WAL mode) when another
/// connection has the journal open.
fn leave_wal(conn: &Connection) -> rusqlite::Result<bool> {
    match conn.query_row("PRAGMA journal_mode = DELETE", [], |r| {
        r.get::<_, String>(0)
    }) {
        Ok(mode) => Ok(mode.eq_ignore_ascii_case("delete")),
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// The key in `journal_meta` that says the journal's pages carry checksums.
pub const MARK_KEY: &str = "page_checksums";

/// Records, once the pages have their reserved bytes, that they carry checksums: from
/// then on a header that says otherwise is damage (see [`layout_is_whole`]).
pub fn mark_if_reserved(conn: &Connection) -> rusqlite::Result<()> {
    if reserved_bytes(conn)? == RESERVED_BYTES && !marked(conn)? {
        conn.execute(
            "INSERT OR REPLACE INTO journal_meta (key, value) VALUES (?1, ?2)",
            rusqlite::params![MARK_KEY, RESERVED_BYTES],
        )?;
    }
    Ok(())
}

/// Whether the page layout in the header agrees with the journal: its pages reserve
/// our 8 bytes, or they reserve none and the journal never had checksums (one from
/// before them, to be upgraded). Anything else is a damaged header.
pub fn layout_is_whole(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(match reserved_bytes(conn)? {
        RESERVED_BYTES => true,
        0 => !marked(conn)?,
        _ => false,
    })
}

fn marked(conn: &Connection) -> rusqlite::Result<bool> {
    use rusqlite::OptionalExtension;
    if !super::has_table(conn, "journal_meta")? {
        return Ok(false);
    }
    conn.query_row(
        "SELECT 1 FROM journal_meta WHERE key = ?1",
        [MARK_KEY],
        |_| Ok(()),
    )
    .optional()
    .map(|found| found.is_some())
}

fn reserve(conn: &Connection, mut value: c_int) -> rusqlite::Result<u8> {
    // SAFETY: the handle is a live connection, used on this thread while `conn` is
    // borrowed; SQLITE_FCNTL_RESERVE_BYTES reads and writes the int we pass.
    let rc = unsafe {
        ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            ffi::SQLITE_FCNTL_RESERVE_BYTES,
            ptr::addr_of_mut!(value).cast(),
        )
    };
    if rc != ffi::SQLITE_OK {
        return Err(rusqlite::Error::SqliteFailure(ffi::Error::new(rc), None));
    }
    Ok(value.clamp(0, 255) as u8)
}

/// The checksum of a page's bytes but its last 8: two running sums over its 32-bit
/// words, each feeding the other (so that a changed word, or two words swapped, changes
/// the result; any single flipped bit changes the first sum).
pub fn checksum(page: &[u8]) -> [u8; 8] {
    let body = &page[..page.len() - usize::from(RESERVED_BYTES)];
    let (mut a, mut b) = (0u32, 0u32);
    for pair in body.chunks_exact(8) {
        a = a
            .wrapping_add(u32::from_le_bytes(pair[..4].try_into().unwrap()))
            .wrapping_add(b);
        b = b
            .wrapping_add(u32::from_le_bytes(pair[4..].try_into().unwrap()))
            .wrapping_add(a);
    }
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&a.to_le_bytes());
    out[4..].copy_from_slice(&b.to_le_bytes());
    out
}

/// Whether a read or write of `amount` bytes is a whole page (pages are a power of two
/// from 512 to 65,536 bytes; SQLite's other reads of the main file are shorter).
fn is_page(amount: c_int) -> bool {
    (512..=65_536).contains(&amount) && amount.count_ones() == 1
}

/// Whether `bytes`, read from or written at offset 0, are an SQLite header that
/// reserves our 8 bytes: `Some(true)` or `Some(false)`; `None` if they are no header.
fn header_reserves(bytes: &[u8]) -> Option<bool> {
    (bytes.len() >= 100 && bytes.starts_with(b"SQLite format 3\0"))
        .then(|| bytes[20] == RESERVED_BYTES)
}

/// Our file: SQLite allocates `szOsFile` bytes, ours first, then the wrapped VFS's.
#[repr(C)]
struct CheckedFile {
    head: ShimHead,
    /// A main database file (the only kind whose pages carry checksums).
    main: bool,
    /// Its header, last seen, reserves our bytes: pages are checked and stamped.
    checked: bool,
}

impl CheckedFile {
    /// Follows the header whenever it is read or written whole: a file gains (or, when
    /// a rewrite is rolled back, loses) its checksums with it.
    fn note_header(&mut self, offset: ffi::sqlite3_int64, bytes: &[u8]) {
        if offset == 0 {
            if let Some(reserves) = header_reserves(bytes) {
                self.checked = reserves;
            }
        }
    }
}

static METHODS: OnceLock<ffi::sqlite3_io_methods> = OnceLock::new();
static REGISTERED: OnceLock<Result<(), c_int>> = OnceLock::new();

fn register() -> rusqlite::Result<()> {
    let registered = REGISTERED.get_or_init(|| {
        // SAFETY: sqlite3_vfs_find and sqlite3_vfs_register are thread-safe; the VFS
        // is leaked, so it lives as long as the process, as SQLite requires.
        unsafe {
            let rc = ffi::sqlite3_initialize();
            if rc != ffi::SQLITE_OK {
                return Err(rc);
            }
            let inner = ffi::sqlite3_vfs_find(ptr::null());
            if inner.is_null() {
                return Err(ffi::SQLITE_ERROR);
            }
            let vfs = Box::leak(Box::new(vfs_shim::vfs_over(
                inner,
                VFS_NAME,
                std::mem::size_of::<CheckedFile>(),
                x_open,
            )));
            match ffi::sqlite3_vfs_register(vfs, 0) {
                ffi::SQLITE_OK => Ok(()),
                rc => Err(rc),
            }
        }
    });
    registered
        .as_ref()
        .map(|_| ())
        .map_err(|rc| rusqlite::Error::SqliteFailure(ffi::Error::new(*rc), None))
}

fn methods() -> &'static ffi::sqlite3_io_methods {
    METHODS.get_or_init(|| {
        vfs_shim::io_methods(vfs_shim::OwnCalls {
            close: vfs_shim::pass_close,
            read: x_read,
            write: x_write,
            truncate: vfs_shim::pass_truncate,
            sync: vfs_shim::pass_sync,
            file_control: vfs_shim::pass_file_control,
            // Mapped pages would be read without the check.
            memory_mapped: false,
        })
    })
}

unsafe fn ours<'a>(file: *mut ffi::sqlite3_file) -> &'a mut CheckedFile {
    &mut *file.cast::<CheckedFile>()
}

unsafe extern "C" fn x_open(
    vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let shim_size = std::mem::size_of::<CheckedFile>();
    let real = match vfs_shim::open_real(vfs, name, file, flags, out_flags, shim_size) {
        Ok(real) => real,
        Err(rc) => return rc,
    };
    ptr::write(
        file.cast::<CheckedFile>(),
        CheckedFile {
            head: ShimHead {
                base: ffi::sqlite3_file {
                    pMethods: methods(),
                },
                real,
            },
            main: flags & ffi::SQLITE_OPEN_MAIN_DB != 0,
            checked: false,
        },
    );
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_read(
    file: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    let rc = vfs_shim::pass_read(file, buf, amount, offset);
    let me = ours(file);
    if rc != ffi::SQLITE_OK || !me.main {
        return rc;
    }
    let bytes = std::slice::from_raw_parts(buf.cast::<u8>(), amount as usize);
    me.note_header(offset, bytes);
    if me.checked && is_page(amount) {
        let stored = &bytes[bytes.len() - usize::from(RESERVED_BYTES)..];
        if stored != checksum(bytes) {
            return ffi::SQLITE_IOERR_DATA;
        }
    }
    rc
}

unsafe extern "C" fn x_write(
    file: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    let write = vfs_shim::real_methods(file).xWrite.expect("xWrite");
    let real = vfs_shim::real(file);
    let me = ours(file);
    if !me.main {
        return write(real, buf, amount, offset);
    }
    let bytes = std::slice::from_raw_parts(buf.cast::<u8>(), amount as usize);
    me.note_header(offset, bytes);
    if !(me.checked && is_page(amount)) {
        return write(real, buf, amount, offset);
    }
    // Stamped on a copy: the page SQLite holds in memory is not ours to change.
    let mut page = bytes.to_vec();
    let sum = checksum(&page);
    let at = page.len() - usize::from(RESERVED_BYTES);
    page[at..].copy_from_slice(&sum);
    write(real, page.as_ptr().cast(), amount, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_single_flipped_bit_changes_the_checksum() {
        let page: Vec<u8> = (0..4096u32).map(|i| (i * 31 % 251) as u8).collect();
        let sum = checksum(&page);
        for bit in 0..(4096 - 8) * 8 {
            let mut flipped = page.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert_ne!(checksum(&flipped), sum, "bit {bit}");
        }
    }

    #[test]
    fn a_new_journal_reserves_its_bytes_and_a_changed_page_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pages.db");
        let conn = connect_default(&path).unwrap();
        reserve_for_checksums(&conn).unwrap();
        conn.execute_batch(
            "CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('the interview went well');",
        )
        .unwrap();
        assert_eq!(reserved_bytes(&conn).unwrap(), RESERVED_BYTES);
        drop(conn);

        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes
            .windows(8)
            .position(|w| w == b"went wel")
            .expect("the value is in the file");
        bytes[at] ^= 0x20; // "went" becomes "Went"
        std::fs::write(&path, &bytes).unwrap();

        let conn = connect_default(&path).unwrap();
        let err = conn
            .query_row("SELECT x FROM t", [], |r| r.get::<_, String>(0))
            .unwrap_err();
        assert_eq!(
            err.sqlite_error().map(|e| e.extended_code),
            Some(ffi::SQLITE_IOERR_DATA),
            "{err}"
        );
        // A plain connection reads the changed value: the check is what tells.
        let plain = Connection::open(&path).unwrap();
        let read: String = plain
            .query_row("SELECT x FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(read, "the interview Went well");
    }

    #[test]
    fn an_older_file_gains_checksums_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("older.db");
        let plain = Connection::open(&path).unwrap();
        plain
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
                 INSERT INTO t SELECT i FROM n;",
            )
            .unwrap();
        drop(plain);
        let conn = connect_default(&path).unwrap();
        assert_eq!(reserved_bytes(&conn).unwrap(), 0);
        assert!(add_to(&conn).unwrap());
        assert_eq!(reserved_bytes(&conn).unwrap(), RESERVED_BYTES);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let (count, sum): (i64, i64) = conn
            .query_row("SELECT count(*), sum(x) FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((count, sum), (5000, 5000 * 5001 / 2));
        drop(conn);
        // Every page of the file now carries its checksum.
        let bytes = std::fs::read(&path).unwrap();
        let page = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
        assert_eq!(bytes[20], RESERVED_BYTES);
        for (n, p) in bytes.chunks(page).enumerate() {
            assert_eq!(&p[page - 8..], checksum(p), "page {}", n + 1);
        }
    }

    #[test]
    fn a_rewrite_without_room_leaves_the_file_as_it_was_and_unmarked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("full.db");
        let plain = Connection::open(&path).unwrap();
        plain
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE journal_meta (key TEXT PRIMARY KEY, value);
                 CREATE TABLE t (x BLOB);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
                 INSERT INTO t SELECT randomblob(4058) FROM n;",
            )
            .unwrap();
        drop(plain);
        let conn = connect_default(&path).unwrap();
        // Each row fills a 4 KiB page to the last few bytes: with 8 of them reserved it
        // no longer fits and the rewrite needs more pages than the file may have, so
        // SQLite answers SQLITE_FULL, as on a full disk.
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        conn.pragma_update(None, "max_page_count", pages).unwrap();
        assert!(!add_to(&conn).unwrap(), "the rewrite had no room");
        assert_eq!(reserved_bytes(&conn).unwrap(), 0);
        mark_if_reserved(&conn).unwrap();
        assert!(!marked(&conn).unwrap());
        assert!(layout_is_whole(&conn).unwrap());
        let n: i64 = conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 200);
    }

    #[test]
    fn a_journal_open_elsewhere_is_left_for_a_later_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shared.db");
        let first = Connection::open(&path).unwrap();
        first
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);",
            )
            .unwrap();
        let conn = connect_default(&path).unwrap();
        assert!(!add_to(&conn).unwrap());
        assert_eq!(reserved_bytes(&conn).unwrap(), 0);
        let n: i64 = first
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}
