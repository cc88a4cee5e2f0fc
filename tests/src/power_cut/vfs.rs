//! The VFS itself: SQLite's "unix" VFS with every write, truncation and sync of a named
//! file logged in [`FileLog`]s, the power cut, and the failing disk.

use super::undo::FileLog;
use super::{Config, Failure, CUT_STATUS};
use onward_core::store::vfs_shim::{self, real, real_methods, ShimHead};
use rand::SeedableRng;
use rusqlite::ffi;
use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Everything the VFS knows, behind one lock: SQLite calls it from any thread.
struct State {
    config: Config,
    /// I/O calls so far (writes, truncations, syncs of named files), since arming.
    calls: u64,
    armed: bool,
    /// Bytes written, and bytes files grew by, since the process started.
    written: u64,
    grown: u64,
    /// By path: files keep their log after closing (their data still sits in the page
    /// cache, not on the disk) and lose it when deleted.
    files: BTreeMap<String, FileLog>,
}

static STATE: OnceLock<Mutex<State>> = OnceLock::new();
static METHODS: OnceLock<ffi::sqlite3_io_methods> = OnceLock::new();

fn state() -> MutexGuard<'static, State> {
    STATE
        .get()
        .expect("the power-cut VFS is registered")
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Our file: SQLite allocates `szOsFile` bytes, ours first, then the unix VFS's file.
#[repr(C)]
struct ShimFile {
    head: ShimHead,
    /// The path of a file whose writes are logged; null for temporary files. Owned
    /// (from `CString::into_raw`), freed on close.
    path: *mut c_char,
}

pub(super) fn register(config: Config) -> Result<(), String> {
    let armed = config.armed_by.is_none();
    if STATE
        .set(Mutex::new(State {
            config,
            calls: 0,
            armed,
            written: 0,
            grown: 0,
            files: BTreeMap::new(),
        }))
        .is_err()
    {
        return Ok(());
    }
    METHODS.get_or_init(|| {
        vfs_shim::io_methods(vfs_shim::OwnCalls {
            close: x_close,
            read: vfs_shim::pass_read,
            write: x_write,
            truncate: x_truncate,
            sync: x_sync,
            file_control: x_file_control,
            memory_mapped: true,
        })
    });
    // SAFETY: sqlite3_vfs_find and sqlite3_vfs_register are thread-safe; the VFS we
    // register is leaked, so it lives as long as the process, as SQLite requires.
    unsafe {
        if ffi::sqlite3_initialize() != ffi::SQLITE_OK {
            return Err("SQLite did not initialise".into());
        }
        let unix = ffi::sqlite3_vfs_find(c"unix".as_ptr());
        if unix.is_null() {
            return Err("SQLite has no unix VFS to wrap".into());
        }
        let mut vfs = vfs_shim::vfs_over(
            unix,
            c"onward-power-cut",
            std::mem::size_of::<ShimFile>(),
            x_open,
        );
        vfs.xDelete = Some(x_delete);
        let vfs = Box::leak(Box::new(vfs));
        let rc = ffi::sqlite3_vfs_register(vfs, 1);
        if rc != ffi::SQLITE_OK {
            return Err(format!("registering the power-cut VFS failed ({rc})"));
        }
    }
    Ok(())
}

unsafe fn path_of(file: *mut ffi::sqlite3_file) -> Option<String> {
    let path = (*file.cast::<ShimFile>()).path;
    (!path.is_null()).then(|| CStr::from_ptr(path).to_string_lossy().into_owned())
}

/// The file's size as the unix VFS sees it.
unsafe fn real_size(file: *mut ffi::sqlite3_file) -> u64 {
    let mut size: ffi::sqlite3_int64 = 0;
    let _ = (real_methods(file).xFileSize.expect("xFileSize"))(real(file), &mut size);
    size.max(0) as u64
}

unsafe extern "C" fn x_open(
    vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let shim = file.cast::<ShimFile>();
    let shim_size = std::mem::size_of::<ShimFile>();
    let real = match vfs_shim::open_real(vfs, name, file, flags, out_flags, shim_size) {
        Ok(real) => real,
        Err(rc) => return rc,
    };
    ptr::write(ptr::addr_of_mut!((*shim).head.real), real);
    let logged = !name.is_null() && flags & ffi::SQLITE_OPEN_DELETEONCLOSE == 0;
    let path = if logged {
        CStr::from_ptr(name).to_owned().into_raw()
    } else {
        ptr::null_mut()
    };
    ptr::write(ptr::addr_of_mut!((*shim).path), path);
    (*file).pMethods = METHODS.get().expect("methods");
    if let Some(path) = path_of(file) {
        let size = real_size(file);
        state()
            .files
            .entry(path)
            .or_insert_with(|| FileLog::new(size));
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn x_delete(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    sync_dir: c_int,
) -> c_int {
    let unix = vfs_shim::inner(vfs);
    let rc = ((*unix).xDelete.expect("xDelete"))(unix, name, sync_dir);
    if rc == ffi::SQLITE_OK && !name.is_null() {
        let path = CStr::from_ptr(name).to_string_lossy().into_owned();
        state().files.remove(&path);
    }
    rc
}

unsafe extern "C" fn x_close(file: *mut ffi::sqlite3_file) -> c_int {
    let rc = (real_methods(file).xClose.expect("xClose"))(real(file));
    let shim = file.cast::<ShimFile>();
    if !(*shim).path.is_null() {
        drop(std::ffi::CString::from_raw((*shim).path));
        (*shim).path = ptr::null_mut();
    }
    rc
}

/// Counts one I/O call; true when the power goes at it.
fn cut_here(st: &mut State) -> bool {
    if !st.armed {
        return false;
    }
    st.calls += 1;
    st.config.cut_at == Some(st.calls)
}

/// Saves the last-synced bytes of the sectors `from..to` of a logged file is about to
/// change, reading them through the unix VFS.
unsafe fn save_before(
    st: &mut State,
    path: &str,
    file: *mut ffi::sqlite3_file,
    from: u64,
    to: u64,
) {
    let log = st.files.get_mut(path).expect("a logged file");
    for (sector, range) in log.unsaved(from, to) {
        let mut bytes = vec![0u8; (range.end - range.start) as usize];
        if !bytes.is_empty() {
            let rc = (real_methods(file).xRead.expect("xRead"))(
                real(file),
                bytes.as_mut_ptr().cast(),
                bytes.len() as c_int,
                range.start as ffi::sqlite3_int64,
            );
            assert_eq!(rc, ffi::SQLITE_OK, "reading {path} to log a write");
        }
        log.save(sector, bytes);
    }
}

unsafe extern "C" fn x_write(
    file: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    let write = real_methods(file).xWrite.expect("xWrite");
    let Some(path) = path_of(file) else {
        return write(real(file), buf, amount, offset);
    };
    let mut st = state();
    let cut = cut_here(&mut st);
    let (from, to) = (offset as u64, offset as u64 + amount as u64);
    let len = st.files[&path].file_len();
    let growth = to.saturating_sub(len);
    match st.config.fail {
        Some(Failure::Full { after_bytes }) if growth > 0 && st.grown + growth > after_bytes => {
            return ffi::SQLITE_FULL;
        }
        Some(Failure::Failing { after_bytes }) if st.written + amount as u64 > after_bytes => {
            return ffi::SQLITE_IOERR_WRITE;
        }
        _ => {}
    }
    save_before(&mut st, &path, file, from, to);
    let rc = write(real(file), buf, amount, offset);
    if rc == ffi::SQLITE_OK {
        st.written += amount as u64;
        st.grown += growth;
        st.files
            .get_mut(&path)
            .expect("logged")
            .resized(len.max(to));
    }
    if cut {
        // After the write: its sectors may reach the disk or not.
        power_cut(&st);
    }
    rc
}

unsafe extern "C" fn x_truncate(file: *mut ffi::sqlite3_file, size: ffi::sqlite3_int64) -> c_int {
    let truncate = real_methods(file).xTruncate.expect("xTruncate");
    let Some(path) = path_of(file) else {
        return truncate(real(file), size);
    };
    let mut st = state();
    if cut_here(&mut st) {
        power_cut(&st);
    }
    let len = st.files[&path].file_len();
    save_before(&mut st, &path, file, size as u64, len);
    let rc = truncate(real(file), size);
    // The unix VFS may round the size up to its chunk size: ask it.
    let now = real_size(file);
    if now > len {
        save_before(&mut st, &path, file, len, now);
    }
    st.files.get_mut(&path).expect("logged").resized(now);
    rc
}

unsafe extern "C" fn x_sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    let sync = real_methods(file).xSync.expect("xSync");
    let Some(path) = path_of(file) else {
        return sync(real(file), flags);
    };
    let mut st = state();
    if cut_here(&mut st) {
        // Before the sync: whatever it would have made durable is at risk.
        power_cut(&st);
    }
    if let Some(Failure::Failing { after_bytes }) = st.config.fail {
        if st.written >= after_bytes {
            return ffi::SQLITE_IOERR_FSYNC;
        }
    }
    let rc = sync(real(file), flags);
    if rc == ffi::SQLITE_OK {
        st.files.get_mut(&path).expect("logged").synced();
    }
    rc
}

unsafe extern "C" fn x_file_control(
    file: *mut ffi::sqlite3_file,
    op: c_int,
    arg: *mut c_void,
) -> c_int {
    let control = real_methods(file).xFileControl.expect("xFileControl");
    let Some(path) = path_of(file).filter(|_| op == ffi::SQLITE_FCNTL_SIZE_HINT) else {
        return control(real(file), op, arg);
    };
    // A size hint may grow the file (with a chunk size set): log the growth.
    let mut st = state();
    let rc = control(real(file), op, arg);
    let (len, now) = (st.files[&path].file_len(), real_size(file));
    if now > len {
        save_before(&mut st, &path, file, len, now);
        st.files.get_mut(&path).expect("logged").resized(now);
    }
    rc
}

pub(super) fn arm(what: &str) {
    if STATE.get().is_some() {
        let mut st = state();
        if st.config.armed_by.as_deref() == Some(what) {
            st.armed = true;
        }
    }
}

pub(super) fn cut_now() {
    if STATE.get().is_some() {
        power_cut(&state());
    }
}

/// Puts back what the cut takes from every logged file and ends the process at once.
/// Called with the state locked: no other thread touches a file meanwhile.
fn power_cut(st: &State) -> ! {
    use std::os::unix::fs::FileExt;
    let mut rng = st.config.tear_seed.map(rand::rngs::StdRng::seed_from_u64);
    for (path, log) in &st.files {
        if log.is_synced() {
            continue;
        }
        let restore = log.restore(rng.as_mut().map(|r| r as &mut dyn rand::Rng));
        let Ok(file) = std::fs::OpenOptions::new().write(true).open(path) else {
            continue;
        };
        for (at, bytes) in &restore.writes {
            file.write_all_at(bytes, *at)
                .unwrap_or_else(|e| panic!("restoring {path} for a power cut: {e}"));
        }
        file.set_len(restore.len)
            .unwrap_or_else(|e| panic!("restoring {path} for a power cut: {e}"));
    }
    // SAFETY: _exit ends the process without running anything else.
    unsafe { libc::_exit(CUT_STATUS) }
}
