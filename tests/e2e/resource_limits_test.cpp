// Out of file descriptors (issue 14; docs/RELIABILITY.md): the server runs with a small
// RLIMIT_NOFILE (set in the child before exec), idle connections exhaust it, and accept()
// fails with EMFILE. The accept loop must back off instead of spinning (measured: the
// server's CPU time while it cannot accept), log the episode once, keep answering a
// keep-alive connection it already has (reads and writes), and accept again as soon as
// descriptors are free.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "reliability_support.hpp"
#include "scim_support.hpp"

namespace emuscim::test {
namespace {

using namespace reliability;

// User + system CPU time of a process, from /proc/<pid>/stat.
std::optional<std::chrono::milliseconds> cpu_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  const long ticks = ::sysconf(_SC_CLK_TCK);
  return std::chrono::milliseconds((utime + stime) * 1000 / static_cast<unsigned long long>(ticks));
}

std::size_t open_descriptors(pid_t pid) {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

TEST(ResourceLimits, outOfFileDescriptorsNeitherSpinsNorCrashesAndAcceptsAgain) {
  constexpr std::uint64_t kLimit = 64;
  server_process srv;
  ASSERT_NO_THROW(srv.start({.extra_args = {"--threads", "1"}, .max_open_files = kLimit}));

  // A keep-alive connection the server already has (served once, so its read connection exists).
  auto keep = make_client(srv, 10s);
  ASSERT_EQ(keep.get("Users").status, 200);
  ASSERT_EQ(keep.post("Users", make_user(unique("fd") + "@example.com", unique("e"))).status, 201);
  const std::size_t connects_before = keep.connect_count();

  // Idle connections until the server runs out of descriptors: the kernel completes the
  // handshakes (listen backlog) whether or not the server can accept them.
  std::vector<raw_socket> hogs;
  for (std::uint64_t i = 0; i < kLimit + 16; ++i) hogs.push_back(raw_socket::connect(srv.port()));
  ASSERT_TRUE(srv.wait_for_log(std::regex("accept failed.*(Too many open files|descriptors)"), 5s))
      << "the server never ran out of descriptors; it holds " << open_descriptors(srv.pid());
  EXPECT_GE(open_descriptors(srv.pid()), kLimit - 1);

  // Not spinning: the accept loop waits between attempts.
  const auto cpu0 = cpu_time(srv.pid());
  std::this_thread::sleep_for(1s);
  const auto cpu1 = cpu_time(srv.pid());
  ASSERT_TRUE(cpu0 && cpu1);
  EXPECT_LT(*cpu1 - *cpu0, 250ms) << "CPU time over one second while accept() fails";
  EXPECT_EQ(lines_containing(srv.log_text(), "accept failed").size(), 1u) << "logged once per episode";

  // The open connection is still served, reads and writes.
  EXPECT_EQ(keep.get("Users").status, 200);
  EXPECT_EQ(keep.post("Users", make_user(unique("fd") + "@example.com", unique("e"))).status, 201);
  EXPECT_EQ(keep.connect_count(), connects_before) << "the keep-alive connection was dropped";

  // Descriptors come back: new connections are accepted again.
  hogs.clear();
  auto fresh = make_client(srv, 10s);
  EXPECT_EQ(fresh.get("Users").status, 200);
  EXPECT_TRUE(srv.wait_for_log(std::regex("accepting connections again"), 5s));
  EXPECT_TRUE(srv.running());
}

}  // namespace
}  // namespace emuscim::test
