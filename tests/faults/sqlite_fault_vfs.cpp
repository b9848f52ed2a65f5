// A fault-injecting SQLite VFS for the reliability tests, in the spirit of SQLite's own
// I/O-error tests (test_vfs.c, the "ioerr" suite): a wrapper around the default "unix" VFS
// that forwards everything and fails chosen xWrite / xSync / xTruncate calls with SQLITE_FULL
// or SQLITE_IOERR_*, as a full disk or a failing file system would.
//
// Built as a shared library for tests only. Two ways in:
//   - LD_PRELOAD it into the real server with EMUSCIM_FAULT_CONTROL=<control file>: its
//     constructor registers the wrapper as the default VFS (Debian's libsqlite3 is a shared
//     library, so the server's sqlite3_open_v2 calls come here). The server has no test hooks.
//   - link it into a test and call emuscim_fault_vfs_install(path) before opening databases.
// What fails is decided by the control block (fault_control.hpp), which the test changes at
// any time; the cost per call is a few relaxed atomic operations on shared memory.

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "fault_control.hpp"

namespace {

using emuscim::test::faults::control_block;
using emuscim::test::faults::control_file;
using emuscim::test::faults::fault_kind;
using emuscim::test::faults::op;

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs{};
control_block* g_ctl = nullptr;
control_file* g_file = nullptr;  // owns the mapping for the life of the process

struct fault_file {
  sqlite3_file base;    // must come first: SQLite sees this
  sqlite3_file* real;   // the unix VFS's file object, which follows this struct in memory
};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<fault_file*>(f)->real; }

// 0 to go ahead, else the error to return instead of doing the call.
int injected_error(op o) {
  control_block* c = g_ctl;
  if (c == nullptr) return SQLITE_OK;
  const std::int64_t n = c->calls[static_cast<int>(o)].fetch_add(1, std::memory_order_relaxed) + 1;
  const std::int64_t n_all = c->calls[static_cast<int>(op::all)].fetch_add(1, std::memory_order_relaxed) + 1;
  const auto kind = static_cast<fault_kind>(c->kind.load(std::memory_order_acquire));
  if (kind == fault_kind::none) return SQLITE_OK;
  const auto target = static_cast<op>(c->target.load(std::memory_order_relaxed));
  if (target != o && target != op::all) return SQLITE_OK;
  const std::int64_t index = target == op::all ? n_all : n;
  const std::int64_t from = c->fail_from.load(std::memory_order_relaxed);
  const std::int64_t count = c->fail_count.load(std::memory_order_relaxed);
  if (index < from || (count >= 0 && index >= from + count)) return SQLITE_OK;
  c->injected.fetch_add(1, std::memory_order_relaxed);
  if (kind == fault_kind::full) return SQLITE_FULL;
  switch (o) {
    case op::write: return SQLITE_IOERR_WRITE;
    case op::sync: return SQLITE_IOERR_FSYNC;
    case op::truncate: return SQLITE_IOERR_TRUNCATE;
    case op::all: break;
  }
  return SQLITE_IOERR;
}

// --- sqlite3_io_methods: forward, with faults on xWrite, xSync, xTruncate -------------------

int f_close(sqlite3_file* f) {
  sqlite3_file* r = real_of(f);
  int rc = r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
  f->pMethods = nullptr;
  return rc;
}
int f_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}
int f_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (int rc = injected_error(op::write)) return rc;
  return real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
}
int f_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = injected_error(op::truncate)) return rc;
  return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
int f_sync(sqlite3_file* f, int flags) {
  if (int rc = injected_error(op::sync)) return rc;
  return real_of(f)->pMethods->xSync(real_of(f), flags);
}
int f_file_size(sqlite3_file* f, sqlite3_int64* size) { return real_of(f)->pMethods->xFileSize(real_of(f), size); }
int f_lock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xLock(real_of(f), l); }
int f_unlock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xUnlock(real_of(f), l); }
int f_check_reserved(sqlite3_file* f, int* out) { return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out); }
int f_file_control(sqlite3_file* f, int o, void* arg) { return real_of(f)->pMethods->xFileControl(real_of(f), o, arg); }
int f_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int f_device_characteristics(sqlite3_file* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }
int f_shm_map(sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
  return real_of(f)->pMethods->xShmMap(real_of(f), pg, sz, extend, p);
}
int f_shm_lock(sqlite3_file* f, int off, int n, int flags) {
  return real_of(f)->pMethods->xShmLock(real_of(f), off, n, flags);
}
void f_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int f_shm_unmap(sqlite3_file* f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); }
int f_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** p) {
  return real_of(f)->pMethods->xFetch(real_of(f), off, n, p);
}
int f_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) { return real_of(f)->pMethods->xUnfetch(real_of(f), off, p); }

// One method table per iVersion of the wrapped file, so SQLite sees the same capabilities.
sqlite3_io_methods make_methods(int version) {
  sqlite3_io_methods m{};
  m.iVersion = version;
  m.xClose = f_close;
  m.xRead = f_read;
  m.xWrite = f_write;
  m.xTruncate = f_truncate;
  m.xSync = f_sync;
  m.xFileSize = f_file_size;
  m.xLock = f_lock;
  m.xUnlock = f_unlock;
  m.xCheckReservedLock = f_check_reserved;
  m.xFileControl = f_file_control;
  m.xSectorSize = f_sector_size;
  m.xDeviceCharacteristics = f_device_characteristics;
  if (version >= 2) {
    m.xShmMap = f_shm_map;
    m.xShmLock = f_shm_lock;
    m.xShmBarrier = f_shm_barrier;
    m.xShmUnmap = f_shm_unmap;
  }
  if (version >= 3) {
    m.xFetch = f_fetch;
    m.xUnfetch = f_unfetch;
  }
  return m;
}
const sqlite3_io_methods g_methods[4] = {make_methods(0), make_methods(1), make_methods(2), make_methods(3)};

// --- sqlite3_vfs: forward to the real one ----------------------------------------------------

int v_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* ff = reinterpret_cast<fault_file*>(f);
  ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
  ff->real->pMethods = nullptr;
  int rc = g_real->xOpen(g_real, name, ff->real, flags, out_flags);
  const sqlite3_io_methods* rm = ff->real->pMethods;
  if (rm == nullptr) {
    f->pMethods = nullptr;
  } else {
    int v = rm->iVersion < 0 ? 0 : (rm->iVersion > 3 ? 3 : rm->iVersion);
    f->pMethods = &g_methods[v];
  }
  return rc;
}
int v_delete(sqlite3_vfs*, const char* name, int sync_dir) { return g_real->xDelete(g_real, name, sync_dir); }
int v_access(sqlite3_vfs*, const char* name, int flags, int* out) { return g_real->xAccess(g_real, name, flags, out); }
int v_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}
void* v_dlopen(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void v_dlerror(sqlite3_vfs*, int n, char* msg) { g_real->xDlError(g_real, n, msg); }
void (*v_dlsym(sqlite3_vfs*, void* h, const char* sym))(void) { return g_real->xDlSym(g_real, h, sym); }
void v_dlclose(sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); }
int v_randomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int v_sleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int v_current_time(sqlite3_vfs*, double* t) { return g_real->xCurrentTime(g_real, t); }
int v_get_last_error(sqlite3_vfs*, int n, char* msg) { return g_real->xGetLastError(g_real, n, msg); }
int v_current_time64(sqlite3_vfs*, sqlite3_int64* t) { return g_real->xCurrentTimeInt64(g_real, t); }

int install(const char* control_path) {
  if (g_ctl != nullptr) return SQLITE_OK;
  try {
    g_file = new control_file(control_path, false);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "emuscim-fault-vfs: %s\n", e.what());
    return SQLITE_ERROR;
  }
  g_real = sqlite3_vfs_find(nullptr);
  if (g_real == nullptr) return SQLITE_ERROR;
  g_vfs.iVersion = 2;  // up to xCurrentTimeInt64; the system-call hooks stay the real VFS's business
  g_vfs.szOsFile = static_cast<int>(sizeof(fault_file)) + g_real->szOsFile;
  g_vfs.mxPathname = g_real->mxPathname;
  g_vfs.zName = "emuscim-fault";
  g_vfs.xOpen = v_open;
  g_vfs.xDelete = v_delete;
  g_vfs.xAccess = v_access;
  g_vfs.xFullPathname = v_full_pathname;
  g_vfs.xDlOpen = v_dlopen;
  g_vfs.xDlError = v_dlerror;
  g_vfs.xDlSym = v_dlsym;
  g_vfs.xDlClose = v_dlclose;
  g_vfs.xRandomness = v_randomness;
  g_vfs.xSleep = v_sleep;
  g_vfs.xCurrentTime = v_current_time;
  g_vfs.xGetLastError = v_get_last_error;
  g_vfs.xCurrentTimeInt64 = v_current_time64;
  int rc = sqlite3_vfs_register(&g_vfs, 1);
  if (rc != SQLITE_OK) return rc;
  g_ctl = &g_file->block();
  g_ctl->attached.fetch_add(1);
  return SQLITE_OK;
}

// LD_PRELOAD entry: registers the VFS when the control file is named in the environment.
__attribute__((constructor)) void install_from_environment() {
  const char* path = std::getenv(emuscim::test::faults::control_env);
  if (path == nullptr || *path == '\0') return;
  if (install(path) != SQLITE_OK) {
    std::fprintf(stderr, "emuscim-fault-vfs: cannot install the fault VFS (control file '%s')\n", path);
    std::_Exit(3);  // a test that asked for faults must not silently run without them
  }
}

}  // namespace

// For tests that link the library instead of preloading it. Returns an SQLite result code.
extern "C" __attribute__((visibility("default"))) int emuscim_fault_vfs_install(const char* control_path) {
  return install(control_path);
}
