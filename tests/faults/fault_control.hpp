#pragma once
// The control block of the fault-injecting SQLite VFS (sqlite_fault_vfs.cpp), shared between a
// test and the process whose SQLite it breaks: a small file both map with MAP_SHARED. The
// test arms a fault ("fail the N-th xWrite from now with SQLITE_FULL", "fail every xSync
// until cleared"), the VFS counts calls and fails the chosen ones. Nothing else is shared.
//
// Semantics: every xWrite / xSync / xTruncate increments its own counter and `all`. A fault
// names one counter (target) and a window [fail_from, fail_from + fail_count) of its values
// (fail_count < 0: no end); a call whose new counter value falls in the window fails without
// touching the file. fault_kind::none disarms. Counters never reset, so "the N-th call from
// now" is fail_from = counter + N.
//
// Thread- and process-safety: lock-free atomics in shared memory (address-free on Linux).
// Arm by writing target, window, then kind last; the VFS reads kind first.
//
// Header-only and SQLite-free on purpose: the end-to-end tests include it without linking
// SQLite or any emuscim library.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace emuscim::test::faults {

// Environment variable naming the control file; the VFS registers itself only when it is set.
inline constexpr const char* control_env = "EMUSCIM_FAULT_CONTROL";
inline constexpr std::uint32_t control_magic = 0x454d4653;  // "EMFS"
inline constexpr std::uint32_t control_version = 1;

enum class fault_kind : std::int32_t {
  none = 0,
  full = 1,   // SQLITE_FULL (a full disk: write(2) failing with ENOSPC)
  ioerr = 2,  // SQLITE_IOERR_WRITE / _FSYNC / _TRUNCATE (EIO, or EROFS after a remount read-only)
};

enum class op : std::int32_t { write = 0, sync = 1, truncate = 2, all = 3 };
inline constexpr int op_count = 4;

inline const char* op_name(op o) {
  switch (o) {
    case op::write: return "xWrite";
    case op::sync: return "xSync";
    case op::truncate: return "xTruncate";
    case op::all: return "any";
  }
  return "?";
}
inline const char* kind_name(fault_kind k) {
  switch (k) {
    case fault_kind::none: return "none";
    case fault_kind::full: return "SQLITE_FULL";
    case fault_kind::ioerr: return "SQLITE_IOERR";
  }
  return "?";
}

struct control_block {
  std::uint32_t magic;
  std::uint32_t version;
  // Set by the test.
  std::atomic<std::int32_t> kind;        // fault_kind
  std::atomic<std::int32_t> target;      // op
  std::atomic<std::int64_t> fail_from;   // first counter value that fails
  std::atomic<std::int64_t> fail_count;  // how many fail; < 0: every one until disarmed
  // Set by the VFS.
  std::atomic<std::int64_t> calls[op_count];  // per op (index = op), and all
  std::atomic<std::int64_t> injected;         // failures injected so far
  std::atomic<std::int32_t> attached;         // processes that registered the VFS on this block
};
static_assert(std::atomic<std::int64_t>::is_always_lock_free && std::atomic<std::int32_t>::is_always_lock_free,
              "the control block is shared between processes: its atomics must be lock-free");

// Maps a control file (creating it when `create`); unmaps on destruction. Move-only.
class control_file {
 public:
  control_file() = default;
  control_file(const std::string& path, bool create) : path_(path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0600);
    if (fd < 0) throw std::runtime_error("fault control '" + path + "': open: " + std::strerror(errno));
    if (create && ::ftruncate(fd, sizeof(control_block)) != 0) {
      int e = errno;
      ::close(fd);
      throw std::runtime_error("fault control '" + path + "': ftruncate: " + std::strerror(e));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || static_cast<std::size_t>(st.st_size) < sizeof(control_block)) {
      ::close(fd);
      throw std::runtime_error("fault control '" + path + "': not a control file (too short)");
    }
    void* p = ::mmap(nullptr, sizeof(control_block), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) throw std::runtime_error("fault control '" + path + "': mmap: " + std::strerror(errno));
    block_ = static_cast<control_block*>(p);
    if (create) {
      // A fresh file is all zero bytes, which is a valid, disarmed block with zero counters.
      block_->version = control_version;
      block_->magic = control_magic;
    } else if (block_->magic != control_magic || block_->version != control_version) {
      ::munmap(p, sizeof(control_block));
      block_ = nullptr;
      throw std::runtime_error("fault control '" + path + "': bad magic or version");
    }
  }
  ~control_file() {
    if (block_) ::munmap(block_, sizeof(control_block));
  }
  control_file(control_file&& o) noexcept : path_(std::move(o.path_)), block_(o.block_) { o.block_ = nullptr; }
  control_file& operator=(control_file&& o) noexcept {
    if (this != &o) {
      if (block_) ::munmap(block_, sizeof(control_block));
      path_ = std::move(o.path_);
      block_ = o.block_;
      o.block_ = nullptr;
    }
    return *this;
  }
  control_file(const control_file&) = delete;
  control_file& operator=(const control_file&) = delete;

  const std::string& path() const { return path_; }
  control_block& block() const { return *block_; }

  std::int64_t calls(op o) const { return block_->calls[static_cast<int>(o)].load(); }
  std::int64_t injected() const { return block_->injected.load(); }
  int attached() const { return block_->attached.load(); }

  // Fail `count` calls of `target` (count < 0: all of them until clear()), starting with the
  // nth one (1-based) from now.
  void arm(fault_kind kind, op target, std::int64_t nth, std::int64_t count = 1) {
    block_->kind.store(static_cast<std::int32_t>(fault_kind::none));
    block_->target.store(static_cast<std::int32_t>(target));
    block_->fail_from.store(calls(target) + nth);
    block_->fail_count.store(count);
    block_->kind.store(static_cast<std::int32_t>(kind));
  }
  void clear() { block_->kind.store(static_cast<std::int32_t>(fault_kind::none)); }

 private:
  std::string path_;
  control_block* block_ = nullptr;
};

}  // namespace emuscim::test::faults
