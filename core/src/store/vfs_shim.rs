//! What an SQLite VFS that wraps another needs: the head every one of its files starts
//! with, the VFS built over the wrapped one, and the calls it passes through unchanged.
//! The page checksums ([`super::page_checksums`]) are such a VFS; so is the tests'
//! power-cut disk (`tests/src/power_cut/`).
//!
//! Layout: SQLite allocates `szOsFile` bytes per file; the shim's own struct comes
//! first (starting with [`ShimHead`]), the wrapped VFS's file right after it.

use rusqlite::ffi;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;

/// The start of every shim file: SQLite's part, then the wrapped VFS's file.
#[repr(C)]
pub struct ShimHead {
    pub base: ffi::sqlite3_file,
    pub real: *mut ffi::sqlite3_file,
}

type Open = unsafe extern "C" fn(
    *mut ffi::sqlite3_vfs,
    ffi::sqlite3_filename,
    *mut ffi::sqlite3_file,
    c_int,
    *mut c_int,
) -> c_int;

/// A VFS named `name` over `inner` (kept in `pAppData`), whose files are a shim struct
/// of `shim_size` bytes followed by `inner`'s. Deleting, access checks and full paths go
/// to `inner` unchanged; `open` opens `inner`'s file with [`open_real`].
///
/// # Safety
/// `inner` must be a registered VFS, which SQLite keeps for the life of the process.
pub unsafe fn vfs_over(
    inner: *mut ffi::sqlite3_vfs,
    name: &'static CStr,
    shim_size: usize,
    open: Open,
) -> ffi::sqlite3_vfs {
    ffi::sqlite3_vfs {
        iVersion: 2,
        szOsFile: shim_size as c_int + (*inner).szOsFile,
        mxPathname: (*inner).mxPathname,
        pNext: ptr::null_mut(),
        zName: name.as_ptr(),
        pAppData: inner.cast(),
        xOpen: Some(open),
        xDelete: Some(pass_delete),
        xAccess: Some(pass_access),
        xFullPathname: Some(pass_full_pathname),
        // These ignore the VFS they are given.
        xDlOpen: (*inner).xDlOpen,
        xDlError: (*inner).xDlError,
        xDlSym: (*inner).xDlSym,
        xDlClose: (*inner).xDlClose,
        xRandomness: (*inner).xRandomness,
        xSleep: (*inner).xSleep,
        xCurrentTime: (*inner).xCurrentTime,
        xGetLastError: (*inner).xGetLastError,
        xCurrentTimeInt64: (*inner).xCurrentTimeInt64,
        xSetSystemCall: None,
        xGetSystemCall: None,
        xNextSystemCall: None,
    }
}

/// The calls a shim makes its own; [`io_methods`] passes the rest through.
pub struct OwnCalls {
    pub close: unsafe extern "C" fn(*mut ffi::sqlite3_file) -> c_int,
    pub read: unsafe extern "C" fn(
        *mut ffi::sqlite3_file,
        *mut c_void,
        c_int,
        ffi::sqlite3_int64,
    ) -> c_int,
    pub write: unsafe extern "C" fn(
        *mut ffi::sqlite3_file,
        *const c_void,
        c_int,
        ffi::sqlite3_int64,
    ) -> c_int,
    pub truncate: unsafe extern "C" fn(*mut ffi::sqlite3_file, ffi::sqlite3_int64) -> c_int,
    pub sync: unsafe extern "C" fn(*mut ffi::sqlite3_file, c_int) -> c_int,
    pub file_control: unsafe extern "C" fn(*mut ffi::sqlite3_file, c_int, *mut c_void) -> c_int,
    /// Whether SQLite may map the file into memory (its reads then bypass `read`).
    pub memory_mapped: bool,
}

/// A shim's file methods: its own calls, and the wrapped file's for the rest.
pub fn io_methods(own: OwnCalls) -> ffi::sqlite3_io_methods {
    ffi::sqlite3_io_methods {
        iVersion: if own.memory_mapped { 3 } else { 2 },
        xClose: Some(own.close),
        xRead: Some(own.read),
        xWrite: Some(own.write),
        xTruncate: Some(own.truncate),
        xSync: Some(own.sync),
        xFileSize: Some(pass_file_size),
        xLock: Some(pass_lock),
        xUnlock: Some(pass_unlock),
        xCheckReservedLock: Some(pass_check_reserved_lock),
        xFileControl: Some(own.file_control),
        xSectorSize: Some(pass_sector_size),
        xDeviceCharacteristics: Some(pass_device_characteristics),
        xShmMap: Some(pass_shm_map),
        xShmLock: Some(pass_shm_lock),
        xShmBarrier: Some(pass_shm_barrier),
        xShmUnmap: Some(pass_shm_unmap),
        xFetch: own.memory_mapped.then_some(pass_fetch as _),
        xUnfetch: own.memory_mapped.then_some(pass_unfetch as _),
    }
}

/// The VFS a shim wraps.
///
/// # Safety
/// `vfs` must be one made by [`vfs_over`].
pub unsafe fn inner(vfs: *mut ffi::sqlite3_vfs) -> *mut ffi::sqlite3_vfs {
    (*vfs).pAppData.cast()
}

/// The first half of a shim's `xOpen`: opens the wrapped VFS's file in its place
/// after the shim's `shim_size` bytes and returns it, or SQLite's error code (the shim
/// file then has no methods, so SQLite won't close it).
///
/// # Safety
/// The arguments must be those SQLite gave `xOpen` of a VFS made by [`vfs_over`].
pub unsafe fn open_real(
    vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
    shim_size: usize,
) -> Result<*mut ffi::sqlite3_file, c_int> {
    let real = file.cast::<u8>().add(shim_size).cast::<ffi::sqlite3_file>();
    (*file).pMethods = ptr::null();
    let inner = inner(vfs);
    match ((*inner).xOpen.expect("xOpen"))(inner, name, real, flags, out_flags) {
        ffi::SQLITE_OK => Ok(real),
        rc => Err(rc),
    }
}

/// The wrapped VFS's file.
///
/// # Safety
/// `file` must be an open shim file (starting with [`ShimHead`]).
pub unsafe fn real(file: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    (*file.cast::<ShimHead>()).real
}

/// The wrapped VFS's file methods.
///
/// # Safety
/// As [`real`].
pub unsafe fn real_methods(file: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    &*(*real(file)).pMethods
}

// The calls passed through unchanged.

unsafe extern "C" fn pass_delete(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    sync_dir: c_int,
) -> c_int {
    let inner = inner(vfs);
    ((*inner).xDelete.expect("xDelete"))(inner, name, sync_dir)
}

unsafe extern "C" fn pass_access(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    flags: c_int,
    out: *mut c_int,
) -> c_int {
    let inner = inner(vfs);
    ((*inner).xAccess.expect("xAccess"))(inner, name, flags, out)
}

unsafe extern "C" fn pass_full_pathname(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    let inner = inner(vfs);
    ((*inner).xFullPathname.expect("xFullPathname"))(inner, name, n, out)
}

/// Passes the call to the wrapped file, for [`OwnCalls`].
///
/// # Safety
/// For SQLite to call on an open shim file (one starting with [`ShimHead`]).
pub unsafe extern "C" fn pass_close(file: *mut ffi::sqlite3_file) -> c_int {
    (real_methods(file).xClose.expect("xClose"))(real(file))
}

/// Passes the call to the wrapped file, for [`OwnCalls`].
///
/// # Safety
/// For SQLite to call on an open shim file (one starting with [`ShimHead`]).
pub unsafe extern "C" fn pass_read(
    file: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    (real_methods(file).xRead.expect("xRead"))(real(file), buf, amount, offset)
}

/// Passes the call to the wrapped file, for [`OwnCalls`].
///
/// # Safety
/// For SQLite to call on an open shim file (one starting with [`ShimHead`]).
pub unsafe extern "C" fn pass_truncate(
    file: *mut ffi::sqlite3_file,
    size: ffi::sqlite3_int64,
) -> c_int {
    (real_methods(file).xTruncate.expect("xTruncate"))(real(file), size)
}

/// Passes the call to the wrapped file, for [`OwnCalls`].
///
/// # Safety
/// For SQLite to call on an open shim file (one starting with [`ShimHead`]).
pub unsafe extern "C" fn pass_sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    (real_methods(file).xSync.expect("xSync"))(real(file), flags)
}

/// Passes the call to the wrapped file, for [`OwnCalls`].
///
/// # Safety
/// For SQLite to call on an open shim file (one starting with [`ShimHead`]).
pub unsafe extern "C" fn pass_file_control(
    file: *mut ffi::sqlite3_file,
    op: c_int,
    arg: *mut c_void,
) -> c_int {
    (real_methods(file).xFileControl.expect("xFileControl"))(real(file), op, arg)
}

unsafe extern "C" fn pass_file_size(
    file: *mut ffi::sqlite3_file,
    size: *mut ffi::sqlite3_int64,
) -> c_int {
    (real_methods(file).xFileSize.expect("xFileSize"))(real(file), size)
}

unsafe extern "C" fn pass_lock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    (real_methods(file).xLock.expect("xLock"))(real(file), level)
}

unsafe extern "C" fn pass_unlock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    (real_methods(file).xUnlock.expect("xUnlock"))(real(file), level)
}

unsafe extern "C" fn pass_check_reserved_lock(
    file: *mut ffi::sqlite3_file,
    out: *mut c_int,
) -> c_int {
    (real_methods(file)
        .xCheckReservedLock
        .expect("xCheckReservedLock"))(real(file), out)
}

unsafe extern "C" fn pass_sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    (real_methods(file).xSectorSize.expect("xSectorSize"))(real(file))
}

unsafe extern "C" fn pass_device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    (real_methods(file)
        .xDeviceCharacteristics
        .expect("xDeviceCharacteristics"))(real(file))
}

unsafe extern "C" fn pass_shm_map(
    file: *mut ffi::sqlite3_file,
    region: c_int,
    size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    (real_methods(file).xShmMap.expect("xShmMap"))(real(file), region, size, extend, out)
}

unsafe extern "C" fn pass_shm_lock(
    file: *mut ffi::sqlite3_file,
    offset: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    (real_methods(file).xShmLock.expect("xShmLock"))(real(file), offset, n, flags)
}

unsafe extern "C" fn pass_shm_barrier(file: *mut ffi::sqlite3_file) {
    (real_methods(file).xShmBarrier.expect("xShmBarrier"))(real(file))
}

unsafe extern "C" fn pass_shm_unmap(file: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    (real_methods(file).xShmUnmap.expect("xShmUnmap"))(real(file), delete)
}

unsafe extern "C" fn pass_fetch(
    file: *mut ffi::sqlite3_file,
    offset: ffi::sqlite3_int64,
    amount: c_int,
    out: *mut *mut c_void,
) -> c_int {
    (real_methods(file).xFetch.expect("xFetch"))(real(file), offset, amount, out)
}

unsafe extern "C" fn pass_unfetch(
    file: *mut ffi::sqlite3_file,
    offset: ffi::sqlite3_int64,
    p: *mut c_void,
) -> c_int {
    (real_methods(file).xUnfetch.expect("xUnfetch"))(real(file), offset, p)
}
