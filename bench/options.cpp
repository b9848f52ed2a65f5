#include "options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace bench {

const char* usage_text() {
  return R"(emuscim-bench: load benchmark for the emuscim SCIM server (loopback only).

Usage:
  emuscim-bench [--server PATH] [options]          start the server itself (default)
  emuscim-bench --target 127.0.0.1:PORT --token T [--enterprise E] [--pid PID] [options]

Server:
  --server PATH            emuscim binary (default: emuscim next to this program, or ../emuscim)
  --server-threads N       `serve --threads N` (default 2; the floor gets as many)
  --floor PATH             emuscim-floor binary for workload 0 (default: next to this program)
  --server-arg ARG         extra argument for `emuscim serve` (repeatable)
  --db PATH                database file (default: a new temp dir, removed at the end)
  --reuse-db               use an existing --db; skip seeding when it already holds the users
  --keep                   keep the temp dir (database, server logs)
  --no-restart             do not restart the server after seeding (no seeded start-up time)
  --startup-timeout S      wait this long for "listening on" (default 60)
  --stop-timeout S         SIGTERM, then SIGKILL after S seconds (default 10)
Running server:
  --target HOST:PORT       a server on 127.0.0.0/8, [::1] or localhost
  --token T                bearer token (default emuscim-bench-token)
  --enterprise E           enterprise slug (default bench)
  --pid PID                the server's pid, to read its peak RSS from /proc
Load:
  --users N                seeded users (default 10000)
  --groups N               seeded 10-member groups (default 10)
  --connections C          concurrent keep-alive connections (default 64)
  --seed-connections C     connections used while seeding (default: --connections)
  --duration S             measured seconds per workload (default 10)
  --warmup S               unmeasured seconds before each workload (default 1)
  --threads N              client io_context threads (default 1)
  --workloads LIST         comma list of 0,1,2a,2b,3a,3b,4,5a,5b,6,7a,7b,8,soak (2, 3, 5, 7 = both parts; default all)
  --membership-target M    members in the big group for workload 5 (default 100000)
  --membership-full-response  send the 5a PATCHes without ?excludedAttributes=members
  --soak-seconds S         measured time of the soak workload (default 120)
  --soak-warmup S          its warm-up; memory growth is judged from its end (default 30)
  --max-requests N         cap on requests per workload (default 20000000)
  --request-timeout S      per-request timeout (default 30)
  --walk-timeout S         cap for count-bounded phases: list walk, membership build (default 600)
  --seed-timeout S         cap for seeding (default 7200)
  --seed N                 client RNG seed (default 1)
  --json FILE              write the results as JSON
  --help
)";
}

bool options::wants(const std::string& workload) const {
  return std::find(workloads.begin(), workloads.end(), workload) != workloads.end();
}

namespace {

struct bad_option : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::uint64_t to_u64(const std::string& flag, const std::string& v, std::uint64_t min_value) {
  std::uint64_t out = 0;
  std::string digits;
  for (char ch : v)
    if (ch != '_' && ch != ',') digits.push_back(ch);  // allow 1_000_000 and 1,000,000
  const auto* end = digits.data() + digits.size();
  auto [p, ec] = std::from_chars(digits.data(), end, out);
  if (digits.empty() || ec != std::errc{} || p != end)
    throw bad_option(flag + ": expected a non-negative integer, got '" + v + "'");
  if (out < min_value) throw bad_option(flag + ": must be at least " + std::to_string(min_value));
  return out;
}

double to_seconds(const std::string& flag, const std::string& v, double min_value) {
  double out = 0;
  const auto* end = v.data() + v.size();
  auto [p, ec] = std::from_chars(v.data(), end, out);
  if (v.empty() || ec != std::errc{} || p != end || !std::isfinite(out))
    throw bad_option(flag + ": expected a number of seconds, got '" + v + "'");
  if (out < min_value) throw bad_option(flag + ": must be at least " + std::to_string(min_value));
  return out;
}

std::vector<std::string> parse_workloads(const std::string& v) {
  std::vector<std::string> wanted;
  std::size_t pos = 0;
  while (pos <= v.size()) {
    auto comma = v.find(',', pos);
    if (comma == std::string::npos) comma = v.size();
    std::string item = v.substr(pos, comma - pos);
    pos = comma + 1;
    if (item.empty()) continue;
    for (auto& ch : item) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (item == "all") {
      wanted = all_workloads;
    } else if (item == "2" || item == "3" || item == "5" || item == "7") {
      wanted.push_back(item + "a");
      wanted.push_back(item + "b");
    } else if (std::find(all_workloads.begin(), all_workloads.end(), item) != all_workloads.end()) {
      wanted.push_back(item);
    } else {
      throw bad_option("--workloads: unknown workload '" + item + "' (known: 0,1,2a,2b,3a,3b,4,5a,5b,6,7a,7b,8,soak)");
    }
  }
  // Canonical order, no duplicates.
  std::vector<std::string> out;
  for (const auto& w : all_workloads)
    if (std::find(wanted.begin(), wanted.end(), w) != wanted.end()) out.push_back(w);
  if (out.empty()) throw bad_option("--workloads: nothing selected");
  return out;
}

}  // namespace

parse_result parse_options(const std::vector<std::string>& args) {
  parse_result r;
  options& o = r.opts;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::string flag = args[i];
      std::optional<std::string> inline_value;
      if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
        inline_value = flag.substr(eq + 1);
        flag = flag.substr(0, eq);
      }
      auto value = [&]() -> std::string {
        if (inline_value) return *inline_value;
        if (i + 1 >= args.size()) throw bad_option(flag + ": expected a value");
        return args[++i];
      };
      if (flag == "--help" || flag == "-h") {
        r.help = true;
        return r;
      } else if (flag == "--server") {
        o.server_path = value();
      } else if (flag == "--server-arg") {
        o.server_args.push_back(value());
      } else if (flag == "--server-threads") {
        o.server_threads = to_u64(flag, value(), 1);
      } else if (flag == "--no-restart") {
        o.restart_after_seed = false;
      } else if (flag == "--startup-timeout") {
        o.startup_timeout_s = to_seconds(flag, value(), 0.1);
      } else if (flag == "--stop-timeout") {
        o.stop_timeout_s = to_seconds(flag, value(), 0.1);
      } else if (flag == "--floor") {
        o.floor_path = value();
      } else if (flag == "--db") {
        o.db = value();
      } else if (flag == "--reuse-db") {
        o.reuse_db = true;
      } else if (flag == "--keep") {
        o.keep = true;
      } else if (flag == "--target") {
        o.target = value();
      } else if (flag == "--pid") {
        o.pid = static_cast<long>(to_u64(flag, value(), 1));
      } else if (flag == "--token") {
        o.token = value();
        if (o.token.empty()) throw bad_option("--token: must not be empty");
      } else if (flag == "--enterprise") {
        o.enterprise = value();
        if (o.enterprise.empty()) throw bad_option("--enterprise: must not be empty");
      } else if (flag == "--users") {
        o.users = to_u64(flag, value(), 20);
      } else if (flag == "--groups") {
        o.groups = to_u64(flag, value(), 0);
      } else if (flag == "--connections") {
        o.connections = to_u64(flag, value(), 1);
      } else if (flag == "--seed-connections") {
        o.seed_connections = to_u64(flag, value(), 1);
      } else if (flag == "--duration") {
        o.duration_s = to_seconds(flag, value(), 0.1);
      } else if (flag == "--warmup") {
        o.warmup_s = to_seconds(flag, value(), 0.0);
      } else if (flag == "--threads") {
        o.threads = to_u64(flag, value(), 1);
      } else if (flag == "--workloads") {
        o.workloads = parse_workloads(value());
      } else if (flag == "--json") {
        o.json_path = value();
      } else if (flag == "--membership-target") {
        o.membership_target = to_u64(flag, value(), 100);
      } else if (flag == "--membership-full-response") {
        o.membership_full_response = true;
      } else if (flag == "--max-requests") {
        o.max_requests = to_u64(flag, value(), 1);
      } else if (flag == "--request-timeout") {
        o.request_timeout_s = to_seconds(flag, value(), 0.1);
      } else if (flag == "--walk-timeout") {
        o.walk_timeout_s = to_seconds(flag, value(), 1);
      } else if (flag == "--seed-timeout") {
        o.seed_timeout_s = to_seconds(flag, value(), 1);
      } else if (flag == "--soak-seconds") {
        o.soak_s = to_seconds(flag, value(), 1);
      } else if (flag == "--soak-warmup") {
        o.soak_warmup_s = to_seconds(flag, value(), 0);
      } else if (flag == "--seed") {
        o.seed = to_u64(flag, value(), 0);
      } else {
        throw bad_option("unknown option '" + args[i] + "' (see --help)");
      }
    }
    if (o.target && o.server_path) throw bad_option("--server and --target exclude each other");
    if (o.target && (o.db || o.reuse_db || !o.server_args.empty()))
      throw bad_option("--db, --reuse-db and --server-arg need a server the bench starts (not --target)");
    if (o.pid && !o.target) throw bad_option("--pid goes with --target");
    if (o.reuse_db && !o.db) throw bad_option("--reuse-db needs --db PATH");
    if (o.threads > 64) throw bad_option("--threads: at most 64");
    if (o.connections > 4096) throw bad_option("--connections: at most 4096");
  } catch (const bad_option& e) {
    r.error = e.what();
  }
  return r;
}

}  // namespace bench
