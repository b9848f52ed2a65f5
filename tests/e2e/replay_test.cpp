// Replays of real IdP traffic: Entra ID (documented sequence, PATCH quirks with and without the
// aadOptscim062020 flag, role assignment forms), Okta and PingFederate, against the real binary.
// idp-clients.md §1–§4 (shared spec) and docs/BEHAVIOUR.md.
//
// Every file tests/fixtures/<client>/NN_name.json is one test (Replay/ReplayFixture.run/<client>_NN_name).
// Each replay starts a fresh server, plays the steps in order over real HTTP and checks status
// codes, the response fields the client reads, and the effects (extra GETs). The fixture format
// is described in tests/fixtures/README.md.
//
// ReplayCoverage checks that every request file of the shared spec (requests/**) is replayed at
// least once by a step that names it in "spec", with its body copied verbatim (placeholders
// ${...} stand for the server ids that replace the IdP's fake ids).
//
// Fixtures are found next to this source file (tests/e2e/../fixtures, through __FILE__), or in
// $EMUSCIM_REPLAY_FIXTURES. The spec requests are tests/spec/requests (a copy of the shared spec's),
// or $EMUSCIM_SPEC_DIR/requests.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------------
// Locations

fs::path env_path(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? fs::path(v) : fs::path();
}

// tests/ of the source tree: this file is tests/e2e/replay_test.cpp.
fs::path source_tests_dir() { return fs::path(__FILE__).parent_path().parent_path(); }

fs::path fixtures_dir() {
  if (auto p = env_path("EMUSCIM_REPLAY_FIXTURES"); !p.empty()) return p;
  return source_tests_dir() / "fixtures";
}

fs::path spec_dir() {
  if (auto p = env_path("EMUSCIM_SPEC_DIR"); !p.empty()) return p;
  return source_tests_dir() / "spec";  // the copy of shared/spec/requests (tests/spec/README.md)
}

// *.json under `root`, as sorted generic relative paths ("entra/01_x.json").
std::vector<std::string> json_files_under(const fs::path& root) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json") {
      out.push_back(fs::relative(it->path(), root).generic_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> fixture_files() { return json_files_under(fixtures_dir()); }

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ojson load_json(const fs::path& p) {
  try {
    return ojson::parse(read_text(p));
  } catch (const ojson::parse_error& e) {
    throw std::runtime_error(p.string() + ": invalid JSON: " + e.what());
  }
}

std::string truncated(std::string_view s, std::size_t max = 1500) {
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "... (" + std::to_string(s.size()) + " bytes)";
}

// ---------------------------------------------------------------------------------------------
// Fixture errors (a broken fixture, as opposed to a server that answers wrongly)

struct fixture_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void require_keys(const ojson& obj, const std::set<std::string>& allowed, const std::string& where) {
  if (!obj.is_object()) throw fixture_error(where + " is not an object");
  for (const auto& [k, v] : obj.items()) {
    if (!allowed.contains(k)) throw fixture_error(where + ": unknown key \"" + k + "\"");
  }
}

// ---------------------------------------------------------------------------------------------
// Variables: ${name} in paths, queries, headers, bodies, expectations and capture names.

using vars_t = std::map<std::string, ojson>;

const std::regex& var_re() {
  static const std::regex re(R"(\$\{([A-Za-z0-9_.\-]+)\})");
  return re;
}

const ojson& lookup(const vars_t& vars, const std::string& name) {
  auto it = vars.find(name);
  if (it == vars.end()) throw fixture_error("unknown variable ${" + name + "} (not captured before this step)");
  return it->second;
}

std::string subst_string(const std::string& s, const vars_t& vars) {
  std::string out;
  auto begin = s.cbegin();
  std::smatch m;
  while (std::regex_search(begin, s.cend(), m, var_re())) {
    out.append(begin, m[0].first);
    const ojson& v = lookup(vars, m[1].str());
    out += v.is_string() ? v.get<std::string>() : v.dump();
    begin = m[0].second;
  }
  out.append(begin, s.cend());
  return out;
}

// Strings are substituted; a string that is exactly one "${x}" takes x's JSON value (so a
// captured list or number keeps its type). Object keys are left alone.
ojson subst(const ojson& v, const vars_t& vars) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    std::smatch m;
    if (std::regex_match(s, m, var_re())) return lookup(vars, m[1].str());
    return subst_string(s, vars);
  }
  if (v.is_array()) {
    ojson out = ojson::array();
    for (const auto& e : v) out.push_back(subst(e, vars));
    return out;
  }
  if (v.is_object()) {
    ojson out = ojson::object();
    for (const auto& [k, e] : v.items()) out[k] = subst(e, vars);
    return out;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Matching expected values against replies
//
// - a scalar equals (numbers by value);
// - an array has the same length and each element matches;
// - an object matches an object that has (at least) each of its keys, each matching;
// - an object with a single operator key is a predicate:
//     {"$type": "string|boolean|integer|number|array|object|null"}, {"$match": "<ECMAScript regex, whole string>"},
//     {"$size": n}, {"$contains": x}, {"$notContains": x}, {"$ne": x}, {"$ieq": "<string, ASCII case-insensitive>"},
//     {"$anyOf": [x, ...]} (one of them matches), {"$all": [x, ...]} (each of them matches).

const std::set<std::string, std::less<>>& operator_names() {
  static const std::set<std::string, std::less<>> ops = {"$type", "$match", "$size",  "$contains", "$notContains",
                                                         "$ne",   "$ieq",   "$anyOf", "$all"};
  return ops;
}

bool is_operator(const ojson& e) {
  return e.is_object() && e.size() == 1 && operator_names().contains(e.begin().key());
}

std::string type_name(const ojson& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

std::string ascii_lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool matches(const ojson& expected, const ojson& actual, std::string& why);

bool match_operator(const std::string& op, const ojson& arg, const ojson& actual, std::string& why) {
  if (op == "$type") {
    const auto want = arg.get<std::string>();
    if (type_name(actual) == want || (want == "number" && actual.is_number())) return true;
    why = "expected a value of type " + want + ", got " + type_name(actual) + " " + truncated(actual.dump(), 200);
    return false;
  }
  if (op == "$match") {
    if (!actual.is_string()) {
      why = "expected a string matching /" + arg.get<std::string>() + "/, got " + truncated(actual.dump(), 200);
      return false;
    }
    if (std::regex_match(actual.get<std::string>(), std::regex(arg.get<std::string>()))) return true;
    why = "\"" + actual.get<std::string>() + "\" does not match /" + arg.get<std::string>() + "/";
    return false;
  }
  if (op == "$size") {
    if ((actual.is_array() || actual.is_object()) && actual.size() == arg.get<std::size_t>()) return true;
    why = "expected " + std::to_string(arg.get<std::size_t>()) + " elements, got " +
          ((actual.is_array() || actual.is_object()) ? std::to_string(actual.size()) : type_name(actual)) + ": " +
          truncated(actual.dump(), 600);
    return false;
  }
  if (op == "$contains" || op == "$notContains") {
    if (!actual.is_array()) {
      why = "expected an array, got " + truncated(actual.dump(), 200);
      return false;
    }
    bool found = false;
    for (const auto& e : actual) {
      std::string ignored;
      if (matches(arg, e, ignored)) {
        found = true;
        break;
      }
    }
    if (found == (op == "$contains")) return true;
    why = std::string(op == "$contains" ? "no element matches " : "an element matches ") + arg.dump() + " in " +
          truncated(actual.dump(), 800);
    return false;
  }
  if (op == "$ne") {
    std::string ignored;
    if (!matches(arg, actual, ignored)) return true;
    why = "expected anything but " + arg.dump();
    return false;
  }
  if (op == "$ieq") {
    if (actual.is_string() && ascii_lower(actual.get<std::string>()) == ascii_lower(arg.get<std::string>())) {
      return true;
    }
    why = "expected \"" + arg.get<std::string>() + "\" (any case), got " + truncated(actual.dump(), 200);
    return false;
  }
  if (op == "$anyOf") {
    for (const auto& alt : arg) {
      std::string ignored;
      if (matches(alt, actual, ignored)) return true;
    }
    why = "matches none of " + arg.dump() + ": " + truncated(actual.dump(), 200);
    return false;
  }
  if (op == "$all") {
    for (const auto& each : arg) {
      if (!matches(each, actual, why)) return false;
    }
    return true;
  }
  throw fixture_error("unknown operator " + op);
}

bool matches(const ojson& expected, const ojson& actual, std::string& why) {
  if (is_operator(expected)) return match_operator(expected.begin().key(), expected.begin().value(), actual, why);
  if (expected.is_object()) {
    if (!actual.is_object()) {
      why = "expected an object, got " + truncated(actual.dump(), 200);
      return false;
    }
    for (const auto& [k, e] : expected.items()) {
      if (!actual.contains(k)) {
        why = "key \"" + k + "\" is missing in " + truncated(actual.dump(), 400);
        return false;
      }
      std::string inner;
      if (!matches(e, actual[k], inner)) {
        why = "at \"" + k + "\": " + inner;
        return false;
      }
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      why = "expected " + truncated(expected.dump(), 400) + ", got " + truncated(actual.dump(), 400);
      return false;
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      std::string inner;
      if (!matches(expected[i], actual[i], inner)) {
        why = "at [" + std::to_string(i) + "]: " + inner;
        return false;
      }
    }
    return true;
  }
  if (expected.is_number() && actual.is_number()) {
    if (expected == actual) return true;
  } else if (expected.type() == actual.type() && expected == actual) {
    return true;
  }
  why = "expected " + expected.dump() + ", got " + truncated(actual.dump(), 300);
  return false;
}

ojson::json_pointer pointer(const std::string& p) {
  try {
    return ojson::json_pointer(p);
  } catch (const ojson::exception& e) {
    throw fixture_error("invalid JSON pointer \"" + p + "\": " + e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// One replay

struct step_request {
  std::string method;
  std::string target;
  header_map headers;
  std::optional<std::string> body;  // sent verbatim (the fixture's key order is kept)
};

std::string describe(const step_request& rq) {
  std::string s = rq.method + " " + rq.target;
  for (const auto& [k, v] : rq.headers) s += "\n  " + k + ": " + (v ? *v : std::string("(removed)"));
  if (rq.body) s += "\n  " + truncated(*rq.body, 1200);
  return s;
}

class replay {
 public:
  replay(std::string name, ojson fixture) : name_(std::move(name)), fixture_(std::move(fixture)) {}

  void run() {
    require_keys(fixture_, {"title", "source", "notes", "server", "steps"}, name_);
    if (!fixture_.contains("title") || !fixture_["title"].is_string()) throw fixture_error(name_ + ": no \"title\"");
    if (!fixture_.contains("source")) throw fixture_error(name_ + ": no \"source\"");
    if (!fixture_.contains("steps") || !fixture_["steps"].is_array() || fixture_["steps"].empty()) {
      throw fixture_error(name_ + ": \"steps\" must be a non-empty array");
    }
    start_server();
    const std::size_t steps = fixture_["steps"].size();
    std::size_t index = 0;
    for (const auto& step : fixture_["steps"]) {
      ++index;
      run_step(step, index);
      // Later steps build on this one's effects and captures: stop at the first failing step.
      if (::testing::Test::HasFailure()) {
        if (index < steps) {
          ADD_FAILURE() << name_ << ": stopped after step " << index << "; steps " << index + 1 << ".." << steps
                        << " were not played";
        }
        return;
      }
    }
  }

  const server_process* server() const { return server_.get(); }

 private:
  void start_server() {
    server_options opts;
    if (fixture_.contains("server")) {
      const auto& s = fixture_["server"];
      require_keys(s, {"args", "env"}, name_ + ": server");
      if (s.contains("args")) {
        for (const auto& a : s["args"]) opts.extra_args.push_back(a.get<std::string>());
      }
      if (s.contains("env")) {
        for (const auto& [k, v] : s["env"].items()) opts.env[k] = v.get<std::string>();
      }
    }
    server_ = std::make_unique<server_process>(std::move(opts));
    scim_ = std::make_unique<client>(*server_);
    vars_["base_url"] = server_->scheme() + "://127.0.0.1:" + std::to_string(server_->port());
  }

  void run_step(const ojson& step, std::size_t index) {
    const std::string where = name_ + " step " + std::to_string(index);
    require_keys(step,
                 {"name", "spec", "adapted_from", "note", "method", "path", "query", "headers", "body", "raw_body",
                  "timeout_ms", "retry_ms", "repeat", "sleep_ms", "paginate", "expect", "capture", "collect"},
                 where);
    const std::string label =
        where + (step.contains("name") ? " (" + step["name"].get<std::string>() + ")" : std::string());
    if (!step.contains("name")) throw fixture_error(where + ": no \"name\"");
    SCOPED_TRACE(label);

    if (step.contains("sleep_ms")) {
      std::this_thread::sleep_for(std::chrono::milliseconds(step["sleep_ms"].get<int>()));
      return;
    }
    if (step.contains("paginate")) {
      paginate(step["paginate"], label);
      return;
    }
    const int times = step.contains("repeat") ? step["repeat"].get<int>() : 1;
    for (int i = 1; i <= times; ++i) {
      if (step.contains("repeat")) vars_["i"] = std::to_string(i);
      exchange(step, times > 1 ? label + " #" + std::to_string(i) : label);
      if (::testing::Test::HasFailure()) break;  // one report is enough
    }
    vars_.erase("i");
  }

  step_request build_request(const ojson& step) const {
    step_request rq;
    if (!step.contains("method") || !step.contains("path")) throw fixture_error("a request step needs method and path");
    rq.method = step["method"].get<std::string>();
    std::string target = subst_string(step["path"].get<std::string>(), vars_);
    if (step.contains("query")) {
      const auto& q = step["query"];
      std::string qs;
      if (q.is_string()) {
        qs = subst_string(q.get<std::string>(), vars_);  // raw wire form, sent as written
      } else if (q.is_object()) {
        for (const auto& [k, v] : q.items()) {
          if (!qs.empty()) qs += '&';
          qs += k;  // names are sent as written (e.g. aadOptscim062020)
          if (!v.is_null()) qs += "=" + url_encode(subst_string(v.get<std::string>(), vars_));
        }
      } else {
        throw fixture_error("\"query\" must be a string (raw) or an object (values get percent-encoded)");
      }
      if (!qs.empty()) target += (target.find('?') == std::string::npos ? "?" : "&") + qs;
    }
    rq.target = scim_->resolve(target);
    if (step.contains("headers")) {
      for (const auto& [k, v] : step["headers"].items()) {
        rq.headers[k] =
            v.is_null() ? std::nullopt : std::optional<std::string>(subst_string(v.get<std::string>(), vars_));
      }
    }
    if (step.contains("body") && step.contains("raw_body")) throw fixture_error("both body and raw_body");
    if (step.contains("body")) rq.body = subst(step["body"], vars_).dump();
    if (step.contains("raw_body")) rq.body = subst_string(step["raw_body"].get<std::string>(), vars_);
    return rq;
  }

  // Sends one request; nullopt (and `transport_error` set) when no HTTP reply came back.
  std::optional<reply> send(const step_request& rq, std::optional<std::chrono::milliseconds> timeout,
                            std::string& transport_error) {
    if (timeout) scim_->set_timeout(*timeout);
    std::optional<reply> r;
    try {
      r = scim_->request(rq.method, rq.target, rq.body ? body_arg(raw_body{*rq.body}) : body_arg(std::monostate{}),
                         rq.headers);
    } catch (const std::runtime_error& e) {
      transport_error = e.what();
    }
    if (timeout) scim_->set_timeout(30s);
    return r;
  }

  void exchange(const ojson& step, const std::string& label) {
    const step_request rq = build_request(step);
    const ojson expect = step.contains("expect") ? step["expect"] : ojson::object();
    require_keys(expect, {"status", "json", "absent", "headers", "transport_error"}, label + ": expect");
    const bool want_transport_error = expect.value("transport_error", false);
    if (!want_transport_error && !expect.contains("status")) throw fixture_error(label + ": expect.status is required");
    std::optional<std::chrono::milliseconds> timeout;
    if (step.contains("timeout_ms")) timeout = std::chrono::milliseconds(step["timeout_ms"].get<int>());
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(step.contains("retry_ms") ? step["retry_ms"].get<int>() : 0);

    for (;;) {
      std::string transport_error;
      std::optional<reply> r = send(rq, timeout, transport_error);
      std::vector<std::string> failures;
      std::optional<ojson> body;
      if (!r) {
        if (!want_transport_error) failures.push_back("no HTTP reply: " + transport_error);
      } else if (want_transport_error) {
        failures.push_back("expected no reply in time (transport error), got HTTP " + std::to_string(r->status));
      } else {
        body = parse_body(*r, failures);
        if (failures.empty()) {
          capture(step, body, failures);
          check(expect, *r, body, failures);
        }
      }
      if (failures.empty()) return;
      if (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
        continue;
      }
      std::ostringstream msg;
      msg << label << "\n--- request ---\n" << describe(rq) << "\n--- reply ---\n";
      if (r) {
        msg << "HTTP " << r->status << " [" << r->header("content-type") << "]\n" << truncated(r->body, 3000);
      } else {
        msg << "(none: " << transport_error << ")";
      }
      msg << "\n--- failures ---";
      for (const auto& f : failures) msg << "\n  - " << f;
      ADD_FAILURE() << msg.str();
      return;
    }
  }

  static std::optional<ojson> parse_body(const reply& r, std::vector<std::string>& failures) {
    if (r.body.empty()) return std::nullopt;
    try {
      return ojson::parse(r.body);
    } catch (const ojson::parse_error& e) {
      failures.push_back(std::string("reply body is not JSON: ") + e.what());
      return std::nullopt;
    }
  }

  void capture(const ojson& step, const std::optional<ojson>& body, std::vector<std::string>& failures) {
    for (const char* kind : {"capture", "collect"}) {
      if (!step.contains(kind)) continue;
      for (const auto& [name_tmpl, ptr] : step[kind].items()) {
        const std::string var = subst_string(name_tmpl, vars_);
        const auto jp = pointer(ptr.get<std::string>());
        if (!body || !body->contains(jp)) {
          failures.push_back(std::string(kind) + " " + var + ": " + ptr.get<std::string>() + " is not in the reply");
          continue;
        }
        if (std::string_view(kind) == "capture") {
          vars_[var] = body->at(jp);
        } else {
          auto& list = vars_[var];
          if (!list.is_array()) list = ojson::array();
          list.push_back(body->at(jp));
        }
      }
    }
  }

  void check(const ojson& expect, const reply& r, const std::optional<ojson>& body,
             std::vector<std::string>& failures) const {
    if (expect.contains("status") && r.status != expect["status"].get<int>()) {
      failures.push_back("status " + std::to_string(r.status) + ", expected " + expect["status"].dump());
    }
    if (r.status == 204 && !r.body.empty()) failures.push_back("204 with a body");
    if (expect.contains("json")) {
      for (const auto& [ptr, want_tmpl] : expect["json"].items()) {
        const ojson want = subst(want_tmpl, vars_);
        const auto jp = pointer(subst_string(ptr, vars_));
        if (!body || !body->contains(jp)) {
          failures.push_back(ptr + ": missing (expected " + truncated(want.dump(), 300) + ")");
          continue;
        }
        std::string why;
        if (!matches(want, body->at(jp), why)) failures.push_back(ptr + ": " + why);
      }
    }
    if (expect.contains("absent")) {
      for (const auto& ptr : expect["absent"]) {
        const auto jp = pointer(subst_string(ptr.get<std::string>(), vars_));
        if (body && body->contains(jp)) {
          failures.push_back(ptr.get<std::string>() + ": must be absent, is " + truncated(body->at(jp).dump(), 300));
        }
      }
    }
    if (expect.contains("headers")) {
      for (const auto& [name, want_tmpl] : expect["headers"].items()) {
        if (want_tmpl.is_null()) {
          if (r.has_header(name)) failures.push_back("header " + name + " must be absent, is " + r.header(name));
          continue;
        }
        if (!r.has_header(name)) {
          failures.push_back("header " + name + " is missing");
          continue;
        }
        std::string why;
        if (!matches(subst(want_tmpl, vars_), ojson(r.header(name)), why)) {
          failures.push_back("header " + name + ": " + why);
        }
      }
    }
  }

  // Walks a list endpoint page by page (startIndex = start, start+count, ...) to its end, as Okta's
  // import, PingFederate's group matching and Entra's paging validation do, and checks that the
  // walk is complete and stable: every page echoes the requested startIndex, itemsPerPage equals
  // the items returned, totalResults stays the same, every id comes exactly once, and a second
  // walk gives the same sequence.
  void paginate(const ojson& spec_in, const std::string& label) {
    require_keys(spec_in,
                 {"path", "query", "count", "start", "headers", "expect_ids", "expect_total", "passes", "collect_as"},
                 label + ": paginate");
    const ojson spec = subst(spec_in, vars_);
    const auto path = spec.at("path").get<std::string>();
    const auto count = spec.at("count").get<long>();
    const long start = spec.value("start", 1L);
    const int passes = spec.value("passes", 2);
    header_map headers;
    if (spec.contains("headers")) {
      for (const auto& [k, v] : spec["headers"].items()) {
        headers[k] = v.is_null() ? std::nullopt : std::optional<std::string>(v.get<std::string>());
      }
    }
    std::vector<std::string> first_walk;
    for (int pass = 1; pass <= passes; ++pass) {
      std::vector<std::string> ids;
      std::optional<long> total;
      long pages = 0;
      for (long s = start;; s += count) {
        std::string target = path + (path.find('?') == std::string::npos ? "?" : "&");
        if (spec.contains("query")) target += spec["query"].get<std::string>() + "&";
        target += "startIndex=" + std::to_string(s) + "&count=" + std::to_string(count);
        auto r = scim_->get(target, headers);
        const std::string at = label + " pass " + std::to_string(pass) + " GET " + target;
        ASSERT_TRUE(is_list_response(r)) << at;
        auto page = ojson::parse(r.body);
        EXPECT_EQ(page["startIndex"].get<long>(), s) << at << ": startIndex must echo the request: " << r;
        const long page_total = page["totalResults"].get<long>();
        if (!total) total = page_total;
        EXPECT_EQ(page_total, *total) << at << ": totalResults changed during the walk";
        const long expected_items = std::max(0L, std::min(count, *total - s + 1));
        EXPECT_EQ(static_cast<long>(page["Resources"].size()), expected_items) << at << ": " << r;
        for (const auto& res : page["Resources"]) ids.push_back(res.value("id", ""));
        ASSERT_LT(++pages, 10000) << at << ": the walk does not end";
        if (s + count > *total) break;
      }
      std::set<std::string> unique_ids(ids.begin(), ids.end());
      EXPECT_EQ(unique_ids.size(), ids.size()) << label << ": an id came twice in one walk";
      EXPECT_EQ(static_cast<long>(ids.size()), total.value_or(-1)) << label << ": the walk missed items";
      if (spec.contains("expect_total")) {
        EXPECT_EQ(total.value_or(-1), spec["expect_total"].get<long>()) << label;
      }
      if (spec.contains("expect_ids")) {
        std::vector<std::string> want;
        for (const auto& v : spec["expect_ids"]) want.push_back(v.get<std::string>());
        EXPECT_EQ(ids, want) << label << ": the walk must return exactly these ids, in creation order";
      }
      if (pass == 1) {
        first_walk = ids;
      } else {
        EXPECT_EQ(ids, first_walk) << label << ": the order is not stable between walks";
      }
    }
    if (spec.contains("collect_as")) {
      ojson list = ojson::array();
      for (const auto& id : first_walk) list.push_back(id);
      vars_[spec["collect_as"].get<std::string>()] = list;
    }
  }

  std::string name_;
  ojson fixture_;
  std::unique_ptr<server_process> server_;
  std::unique_ptr<client> scim_;
  vars_t vars_;
};

// ---------------------------------------------------------------------------------------------
// The parameterized test: one per fixture file

std::string test_name(const std::string& rel) {
  std::string s = rel.ends_with(".json") ? rel.substr(0, rel.size() - 5) : rel;
  for (auto& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

class ReplayFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ReplayFixture, run) {
  const fs::path file = fixtures_dir() / GetParam();
  SCOPED_TRACE("fixture " + file.string());
  std::unique_ptr<replay> rp;
  try {
    rp = std::make_unique<replay>(GetParam(), load_json(file));
    rp->run();
  } catch (const fixture_error& e) {
    FAIL() << "broken fixture " << file << ": " << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "replay aborted: " << e.what();
  }
  if (HasFailure() && rp && rp->server() != nullptr) {
    std::fprintf(stderr, "--- server log tail (%s) ---\n%s\n", rp->server()->log_path().c_str(),
                 rp->server()->log_tail(25).c_str());
  }
}

INSTANTIATE_TEST_SUITE_P(Replay, ReplayFixture, ::testing::ValuesIn(fixture_files()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return test_name(p.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ReplayFixture);

// ---------------------------------------------------------------------------------------------
// Coverage of the shared spec's request files

// Does the fixture's value reproduce the spec's? Equal JSON, where a fixture string holding
// ${...} stands for any text at that place (the server id that replaces the IdP's fake id).
bool reproduces(const ojson& fixture, const ojson& spec, const std::string& at, std::string& why) {
  if (fixture.is_string() && std::regex_search(fixture.get<std::string>(), var_re())) {
    if (!spec.is_string()) {
      why = at + ": placeholder " + fixture.dump() + " stands for a non-string " + spec.dump();
      return false;
    }
    static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
    const auto& s = fixture.get_ref<const std::string&>();
    std::string re;
    auto begin = s.cbegin();
    std::smatch m;
    while (std::regex_search(begin, s.cend(), m, var_re())) {
      re += std::regex_replace(std::string(begin, m[0].first), special, "\\$&") + ".+";
      begin = m[0].second;
    }
    re += std::regex_replace(std::string(begin, s.cend()), special, "\\$&");
    if (std::regex_match(spec.get<std::string>(), std::regex(re))) return true;
    why = at + ": " + fixture.dump() + " does not stand for " + spec.dump();
    return false;
  }
  if (fixture.is_object() && spec.is_object()) {
    for (const auto& [k, v] : spec.items()) {
      if (!fixture.contains(k)) {
        why = at + "/" + k + ": missing in the fixture";
        return false;
      }
      if (!reproduces(fixture[k], v, at + "/" + k, why)) return false;
    }
    for (const auto& [k, v] : fixture.items()) {
      if (!spec.contains(k)) {
        why = at + "/" + k + ": not in the spec";
        return false;
      }
    }
    return true;
  }
  if (fixture.is_array() && spec.is_array() && fixture.size() == spec.size()) {
    for (std::size_t i = 0; i < spec.size(); ++i) {
      if (!reproduces(fixture[i], spec[i], at + "/" + std::to_string(i), why)) return false;
    }
    return true;
  }
  if (fixture == spec) return true;
  why = at + ": " + truncated(fixture.dump(), 200) + " != " + truncated(spec.dump(), 200);
  return false;
}

TEST(ReplayCoverage, fixturesExist) {
  EXPECT_FALSE(fixture_files().empty()) << "no replay fixtures under " << fixtures_dir();
}

TEST(ReplayCoverage, everySpecRequestIsReplayedVerbatim) {
  const fs::path requests = spec_dir() / "requests";
  ASSERT_TRUE(fs::is_directory(requests)) << "spec requests not found at " << requests;

  // spec file -> steps ("fixture step n") that name it, with the step.
  std::map<std::string, std::vector<std::pair<std::string, ojson>>> uses;
  for (const auto& rel : fixture_files()) {
    ojson fx;
    try {
      fx = load_json(fixtures_dir() / rel);
    } catch (const std::exception& e) {
      ADD_FAILURE() << e.what();
      continue;
    }
    std::size_t n = 0;
    for (const auto& step : fx.value("steps", ojson::array())) {
      ++n;
      if (step.contains("spec")) {
        uses[step["spec"].get<std::string>()].emplace_back(rel + " step " + std::to_string(n), step);
      }
    }
  }
  const auto spec_files = json_files_under(requests);
  ASSERT_FALSE(spec_files.empty());
  for (const auto& rel : spec_files) {
    auto it = uses.find(rel);
    if (it == uses.end()) {
      ADD_FAILURE() << "requests/" << rel << " is not replayed by any fixture step (\"spec\": \"" << rel << "\")";
      continue;
    }
    const ojson spec = load_json(requests / rel);
    const ojson& req = spec.at("request");
    for (const auto& [where, step] : it->second) {
      EXPECT_EQ(ascii_lower(step.value("method", "")), ascii_lower(req.value("method", "")))
          << where << " replays requests/" << rel << " with another method";
      if (req.contains("body")) {
        if (!step.contains("body")) {
          ADD_FAILURE() << where << " replays requests/" << rel << " without its body";
          continue;
        }
        std::string why;
        EXPECT_TRUE(reproduces(step["body"], req["body"], "body", why))
            << where << " does not copy the body of requests/" << rel << " verbatim: " << why;
      } else {
        EXPECT_FALSE(step.contains("body")) << where << ": requests/" << rel << " has no body";
      }
    }
  }
  for (const auto& [rel, steps] : uses) {
    EXPECT_TRUE(fs::exists(requests / rel))
        << steps.front().first << " names requests/" << rel << ", which does not exist";
  }
}

}  // namespace
}  // namespace emuscim::test
