// emuscim-bench: seeds an emuscim server through its SCIM API and measures workloads 1-6.
// See bench/README.md.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/string.hpp>

#include "client.hpp"
#include "options.hpp"
#include "process.hpp"
#include "report.hpp"
#include "workloads.hpp"

namespace fs = std::filesystem;

namespace bench {
namespace {

extern "C" void on_signal(int) { g_interrupted.store(true); }

void install_signal_handlers() {
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// The emuscim binary next to this program (build/bench/emuscim-bench -> build/emuscim).
std::string find_server(const char* argv0) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(self.parent_path());
  if (argv0 && *argv0) dirs.push_back(fs::absolute(argv0, ec).parent_path());
  for (const auto& d : dirs)
    for (const auto& candidate : {d / "emuscim", d / ".." / "emuscim"})
      if (executable(candidate)) return fs::weakly_canonical(candidate, ec).string();
  throw std::runtime_error("no emuscim binary next to emuscim-bench (nor in ..); pass --server PATH");
}

// emuscim-floor next to this program (it is built beside emuscim-bench).
std::string find_floor(const char* argv0) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(self.parent_path());
  if (argv0 && *argv0) dirs.push_back(fs::absolute(argv0, ec).parent_path());
  for (const auto& d : dirs)
    if (executable(d / "emuscim-floor")) return fs::weakly_canonical(d / "emuscim-floor", ec).string();
  throw std::runtime_error("no emuscim-floor next to emuscim-bench; pass --floor PATH (or leave workload 0 out)");
}

// "HOST:PORT" on the loopback only.
tcp::endpoint parse_target(const std::string& target) {
  const auto colon = target.rfind(':');
  if (colon == std::string::npos || colon + 1 >= target.size())
    throw std::runtime_error("--target: expected HOST:PORT, got '" + target + "'");
  std::string host = target.substr(0, colon);
  const std::string port_s = target.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("--target: '" + host + "' is not an IP address (or localhost)");
  if (!addr.is_loopback()) throw std::runtime_error("--target: only loopback addresses (127.0.0.0/8, ::1) are allowed");
  if (port_s.find_first_not_of("0123456789") != std::string::npos || port_s.size() > 5)
    throw std::runtime_error("--target: bad port '" + port_s + "'");
  const unsigned long port = std::stoul(port_s);
  if (port == 0 || port > 65535) throw std::runtime_error("--target: bad port '" + port_s + "'");
  return {addr, static_cast<unsigned short>(port)};
}

std::string make_nonce() {
  static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  auto t = static_cast<unsigned long long>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::string out;
  while (t) {
    out.insert(out.begin(), alphabet[t % 36]);
    t /= 36;
  }
  std::random_device rd;
  for (int i = 0; i < 3; ++i) out.push_back(alphabet[rd() % 36]);
  return out;
}

struct server_host {
  std::string binary;
  std::string db;
  fs::path log_dir;
  std::string log_prefix;
  int spawns = 0;
  server_process proc;
};

server_process::listening start_server(server_host& h, const options& opt) {
  spawn_spec spec;
  spec.binary = h.binary;
  spec.args = {"serve", "--listen", "127.0.0.1:0", "--db", h.db, "--threads", std::to_string(opt.server_threads)};
  spec.args.insert(spec.args.end(), opt.server_args.begin(), opt.server_args.end());
  spec.env = {{"EMUSCIM_ENTERPRISE", opt.enterprise}, {"EMUSCIM_SHORT_CODE", opt.enterprise}, {"EMUSCIM_TOKEN", opt.token},
              {"EMUSCIM_ADMIN_TOKEN", std::string(bench_admin_token)}, {"EMUSCIM_ORGS", "bench-org"}};
  ++h.spawns;
  spec.log_path = (h.log_dir / (h.log_prefix + "server-" + std::to_string(h.spawns) + ".log")).string();
  h.proc.spawn(spec);
  auto l = h.proc.wait_listening(std::chrono::milliseconds(static_cast<long long>(opt.startup_timeout_s * 1000)),
                                 [] { return g_interrupted.load(); });
  std::cout << "server pid " << h.proc.pid() << " listening on " << l.host << ":" << l.port << " after "
            << fmt_ms(l.startup_ms) << " (log " << spec.log_path << ")\n";
  return l;
}

tcp::endpoint endpoint_of(const server_process::listening& l) {
  boost::system::error_code ec;
  std::string host = l.host == "localhost" ? "127.0.0.1" : l.host;
  auto addr = boost::asio::ip::make_address(host, ec);
  if (ec || !addr.is_loopback()) addr = boost::asio::ip::make_address("127.0.0.1");  // we asked for 127.0.0.1
  return {addr, l.port};
}

// The floor: emuscim-floor started with emuscim's own /healthz answer (status, every header but
// the framing ones, body), checked to answer the same number of bytes and headers.
struct floor_host {
  server_process proc;
  tcp::endpoint ep;
  std::vector<std::pair<std::string, double>> figures;
  std::vector<std::string> notes;
};

std::size_t framing_free_headers(const reply& r) {
  std::size_t n = 0;
  for (const auto& [name, value] : r.headers)
    if (!boost::beast::iequals(name, "Content-Length") && !boost::beast::iequals(name, "Connection")) ++n;
  return n;
}

void start_floor(floor_host& f, const options& opt, client& cl, const std::string& binary, const fs::path& log_dir) {
  const auto h = cl.request("GET", "/healthz", {}, false);
  if (h.ec || h.status != 200) throw std::runtime_error("GET /healthz for the floor's answer failed");
  spawn_spec spec;
  spec.binary = binary;
  spec.args = {"--listen", "127.0.0.1:0", "--threads", std::to_string(opt.server_threads), "--status",
               std::to_string(h.status), "--body", h.body};
  for (const auto& [name, value] : h.headers) {
    // Framing is the responder's own (Beast writes Content-Length; keep-alive is HTTP/1.1's default).
    if (boost::beast::iequals(name, "Content-Length") || boost::beast::iequals(name, "Connection") ||
        boost::beast::iequals(name, "Transfer-Encoding"))
      continue;
    spec.args.push_back("--header");
    spec.args.push_back(name + ": " + value);
  }
  spec.log_path = (log_dir / "emuscim-floor.log").string();
  f.proc.spawn(spec);
  const auto l = f.proc.wait_listening(std::chrono::milliseconds(static_cast<long long>(opt.startup_timeout_s * 1000)),
                                       [] { return g_interrupted.load(); });
  f.ep = tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), l.port);
  std::cout << "floor pid " << f.proc.pid() << " (" << binary << ") listening on 127.0.0.1:" << l.port << "\n";

  const tcp::endpoint server_ep = cl.endpoint();
  cl.set_target(f.ep, opt.token);
  const auto fr = cl.request("GET", "/healthz", {}, false);
  cl.set_target(server_ep, opt.token);
  if (fr.ec || fr.status != h.status) throw std::runtime_error("emuscim-floor did not answer GET /healthz");
  f.figures = {{"healthz_answer_bytes", static_cast<double>(h.head_bytes + h.body.size())},
               {"healthz_headers", static_cast<double>(framing_free_headers(h))},
               {"floor_answer_bytes", static_cast<double>(fr.head_bytes + fr.body.size())},
               {"floor_headers", static_cast<double>(framing_free_headers(fr))}};
  if (fr.body != h.body || framing_free_headers(fr) != framing_free_headers(h))
    f.notes.push_back("the floor's answer differs from emuscim's in its body or header count");
  std::cout << "floor answer: " << fr.head_bytes + fr.body.size() << " bytes, " << framing_free_headers(fr)
            << " headers + Content-Length; emuscim's /healthz: " << h.head_bytes + h.body.size() << " bytes, "
            << framing_free_headers(h) << " headers + Content-Length\n";
}

void check_health(client& cl) {
  const auto r = cl.request("GET", "/healthz", {}, false);
  if (r.ec || r.status != 200)
    throw std::runtime_error("GET /healthz: " + (r.ec ? r.ec.message() : "HTTP " + std::to_string(r.status)));
}

int run(const options& opt, const char* argv0) {
  run_info info;
  info.users = opt.users;
  std::optional<server_host> host;
  std::optional<fs::path> temp_dir;
  std::optional<std::string> ids_file;
  tcp::endpoint ep;
  long pid = -1;

  // Removes the temp dir at the end unless --keep (or the server crashed: then its log matters).
  bool keep_temp = opt.keep;
  struct temp_guard {
    std::optional<fs::path>& dir;
    bool& keep;
    ~temp_guard() {
      if (!dir) return;
      if (keep) {
        std::cout << "kept " << dir->string() << "\n";
        return;
      }
      std::error_code ec;
      fs::remove_all(*dir, ec);
    }
  } guard{temp_dir, keep_temp};

  if (!opt.target) {
    host.emplace();
    host->binary = opt.server_path ? *opt.server_path : find_server(argv0);
    if (!executable(host->binary)) throw std::runtime_error("--server: " + host->binary + " is not an executable file");
    if (opt.db) {
      host->db = fs::absolute(*opt.db).string();
      if (fs::exists(host->db) && !opt.reuse_db)
        throw std::runtime_error(host->db + " exists: pass --reuse-db to use it, or remove it");
      host->log_dir = fs::path(host->db).parent_path();
      host->log_prefix = fs::path(host->db).filename().string() + ".bench-";
      ids_file = host->db + ".bench-ids";
    } else {
      std::string tmpl = (fs::temp_directory_path() / "emuscim-bench-XXXXXX").string();
      if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
      temp_dir = fs::path(tmpl);
      host->db = (*temp_dir / "emuscim.db").string();
      host->log_dir = *temp_dir;
    }
    info.spawned = true;
    info.server = host->binary;
    info.db = host->db;
    std::cout << "emuscim-bench: starting " << host->binary << " serve --threads " << opt.server_threads << " --db "
              << host->db << "\n";
    try {
      const auto l = start_server(*host, opt);
      info.startup_initial_ms = l.startup_ms;
      ep = endpoint_of(l);
    } catch (...) {
      keep_temp = true;
      throw;
    }
    pid = host->proc.pid();
  } else {
    ep = parse_target(*opt.target);
    pid = opt.pid ? *opt.pid : -1;
    info.server = *opt.target;
  }

  client cl(opt.threads, std::chrono::milliseconds(static_cast<long long>(opt.request_timeout_s * 1000)));
  cl.set_target(ep, opt.token);
  check_health(cl);

  // Workload 0's responder, started now and stopped right after workload 0.
  std::optional<floor_host> floor;
  if (opt.wants("0")) {
    fs::path log_dir;
    if (host) {
      log_dir = host->log_dir;
    } else {
      std::string tmpl = (fs::temp_directory_path() / "emuscim-bench-XXXXXX").string();
      if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
      temp_dir = fs::path(tmpl);
      log_dir = *temp_dir;
    }
    floor.emplace();
    start_floor(*floor, opt, cl, opt.floor_path ? *opt.floor_path : find_floor(argv0), log_dir);
  }

  std::cout << "emuscim-bench: " << fmt_count(static_cast<double>(opt.users)) << " users, " << opt.connections
            << " connections, " << opt.threads << " client thread(s), " << opt.duration_s << " s per workload (+"
            << opt.warmup_s << " s warm-up), workloads";
  for (const auto& w : opt.workloads) std::cout << " " << w;
  std::cout << "\n\n";

  bench_env env{opt, cl, "/scim/v2/enterprises/" + opt.enterprise, make_nonce(), ids_file};
  env.server_pid = pid;
  std::optional<workload_report> seed_report;
  std::vector<workload_report> reports;
  int exit_code = 0;

  // Workload 1 alone needs no data.
  const bool needs_data = std::any_of(opt.workloads.begin(), opt.workloads.end(),
                                      [](const std::string& w) { return w != "0" && w != "1"; });
  bool db_was_seeded = false;
  if (needs_data) {
    seed_report = seed(env);
    if (pid > 0) seed_report->mem = read_mem(pid);
    print_workload(std::cout, *seed_report);
    std::cout << "\n";
    if (seed_report->errors) exit_code = 1;
    db_was_seeded = seed_report->figure("users_before", 0) >= static_cast<double>(opt.users);
  } else {
    info.users = 0;
    info.notes.push_back("no seeding: only workloads 0 and 1 selected");
  }

  if (host && needs_data && opt.restart_after_seed && !g_interrupted) {
    const auto m = read_mem(pid);
    if (m.ok) info.seed_peak_rss_kib = m.hwm_kib;
    const auto s = host->proc.stop(std::chrono::milliseconds(static_cast<long long>(opt.stop_timeout_s * 1000)));
    std::cout << "restarting the server on the seeded db (stop took " << fmt_ms(s.ms) << ", " << s.how
              << (s.killed ? ", needed SIGKILL" : "") << ")\n";
    try {
      const auto l = start_server(*host, opt);
      info.startup_seeded_ms = l.startup_ms;
      ep = endpoint_of(l);
    } catch (...) {
      keep_temp = true;
      throw;
    }
    pid = host->proc.pid();
    env.server_pid = pid;
    cl.set_target(ep, opt.token);
    check_health(cl);
    std::cout << "\n";
  } else if (host && db_was_seeded) {
    info.startup_seeded_ms = info.startup_initial_ms;
  }

  for (const auto& id : opt.workloads) {
    if (g_interrupted) break;
    std::cout << "running " << id << " ..." << std::endl;
    std::vector<workload_report> done;
    if (id == "0") {
      cl.set_target(floor->ep, opt.token);
      done = run_any_workload(env, id);
      cl.set_target(ep, opt.token);
      for (auto& f : floor->figures) done.front().figures.push_back(f);
      for (auto& n : floor->notes) done.front().notes.push_back(n);
      if (!floor->proc.running()) {
        done.front().notes.push_back("emuscim-floor " + floor->proc.exit_description());
        ++done.front().errors;
      }
      floor->proc.stop(std::chrono::milliseconds(static_cast<long long>(opt.stop_timeout_s * 1000)));
    } else {
      done = run_any_workload(env, id);
    }
    for (auto& w : done) {
      if (pid > 0 && w.id != "0") {
        w.mem = read_mem(pid);
        if (w.mem->ok) info.peak_rss_kib = std::max(info.peak_rss_kib.value_or(0), w.mem->hwm_kib);
      }
      print_workload(std::cout, w);
      std::cout << "\n";
      if (w.errors) exit_code = 1;
      reports.push_back(std::move(w));
    }
    if (host && !host->proc.running()) {
      std::cout << "the server " << host->proc.exit_description() << "; log tail:\n" << host->proc.log_tail() << "\n";
      info.notes.push_back("the server " + host->proc.exit_description() + " during workload " + id);
      keep_temp = true;
      exit_code = 1;
      break;
    }
  }

  if (needs_data && (host ? host->proc.running() : true)) {
    if (auto note = cleanup(env)) info.notes.push_back(*note);
    try {
      info.total_users = count_users(env);
    } catch (const std::exception&) {
      info.total_users = env.total_users;
    }
  } else {
    info.total_users = env.total_users;
  }
  if (pid > 0) {
    const auto m = read_mem(pid);
    if (m.ok) info.peak_rss_kib = std::max(info.peak_rss_kib.value_or(0), m.hwm_kib);
  }
  if (g_interrupted) {
    info.notes.push_back("interrupted: the results are partial");
    exit_code = 1;
  }

  if (host && host->proc.running()) {
    const auto s = host->proc.stop(std::chrono::milliseconds(static_cast<long long>(opt.stop_timeout_s * 1000)));
    info.shutdown_ms = s.ms;
    info.notes.push_back("server stop: " + s.how + " after " + fmt_ms(s.ms) + (s.killed ? " (needed SIGKILL)" : ""));
  }

  print_summary(std::cout, reports, info);
  const auto targets = evaluate_targets(opt, reports, info);
  print_targets(std::cout, targets);
  if (opt.json_path) {
    write_json(*opt.json_path, opt, seed_report, reports, info, targets);
    std::cout << "\nwrote " << *opt.json_path << "\n";
  }
  if (g_interrupted)
    std::cout << "\ninterrupted\n";
  else
    std::cout << (exit_code == 0 ? "\nerrors: 0\n" : "\nerrors: SOME REQUESTS FAILED (see above)\n");
  return exit_code;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const auto parsed = bench::parse_options(args);
  if (parsed.help) {
    std::cout << bench::usage_text();
    return 0;
  }
  if (!parsed.error.empty()) {
    std::cerr << "emuscim-bench: " << parsed.error << "\n";
    return 2;
  }
  bench::install_signal_handlers();
  try {
    return bench::run(parsed.opts, argc > 0 ? argv[0] : nullptr);
  } catch (const std::exception& e) {
    std::cerr << "emuscim-bench: error: " << e.what() << "\n";
    return 1;
  }
}
