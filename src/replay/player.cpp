#include "emuscim/replay/player.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>
#include <thread>

#include "emuscim/base/text.hpp"

namespace emuscim::replay {

namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMaxShown = 1500;

std::string cut(std::string_view s, std::size_t max = kMaxShown) {
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "… (" + std::to_string(s.size()) + " bytes)";
}

std::string dump(const ojson& v, std::size_t max = 300) {
  return cut(v.dump(-1, ' ', false, ojson::error_handler_t::replace), max);
}

// A broken file: reported, not thrown to the caller.
struct fixture_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A step that needs a variable no earlier step captured (its request could not be built).
struct missing_variable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void require_keys(const ojson& obj, std::initializer_list<std::string_view> allowed, const std::string& where) {
  if (!obj.is_object()) throw fixture_error(where + " is not an object");
  for (const auto& [k, v] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      throw fixture_error(where + ": unknown key \"" + k + "\"");
    }
  }
}

// ---- Variables: ${name} ------------------------------------------------------------------------

using vars_t = std::map<std::string, ojson>;

const std::regex& var_re() {
  static const std::regex re(R"(\$\{([A-Za-z0-9_.\-]+)\})");
  return re;
}

const ojson& lookup(const vars_t& vars, const std::string& name) {
  auto it = vars.find(name);
  if (it == vars.end()) throw missing_variable("${" + name + "} was not captured by an earlier step");
  return it->second;
}

std::string subst_string(const std::string& s, const vars_t& vars) {
  if (s.find("${") == std::string::npos) return s;
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

// A string that is exactly one "${x}" takes x's JSON value; object keys are left alone.
ojson subst(const ojson& v, const vars_t& vars) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.find("${") == std::string::npos) return v;
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

// RFC 3986 unreserved characters kept, everything else %XX (query values of object queries).
std::string url_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// ---- Matching ----------------------------------------------------------------------------------

std::string type_name(const ojson& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

bool is_operator(const ojson& e) {
  static const std::set<std::string, std::less<>> ops = {"$type", "$match", "$size",  "$contains", "$notContains",
                                                         "$ne",   "$ieq",   "$anyOf", "$all"};
  return e.is_object() && e.size() == 1 && ops.contains(e.begin().key());
}

bool match_operator(const std::string& op, const ojson& arg, const ojson& actual, std::string& why) {
  if (op == "$type") {
    const auto want = arg.get<std::string>();
    if (type_name(actual) == want || (want == "number" && actual.is_number())) return true;
    why = "expected a value of type " + want + ", got " + type_name(actual) + " " + dump(actual, 200);
    return false;
  }
  if (op == "$match") {
    const auto pattern = arg.get<std::string>();
    if (!actual.is_string()) {
      why = "expected a string matching /" + pattern + "/, got " + dump(actual, 200);
      return false;
    }
    try {
      if (std::regex_match(actual.get<std::string>(), std::regex(pattern))) return true;
    } catch (const std::regex_error&) {
      throw fixture_error("invalid regular expression /" + pattern + "/");
    }
    why = "\"" + actual.get<std::string>() + "\" does not match /" + pattern + "/";
    return false;
  }
  if (op == "$size") {
    if ((actual.is_array() || actual.is_object()) && actual.size() == arg.get<std::size_t>()) return true;
    why = "expected " + std::to_string(arg.get<std::size_t>()) + " elements, got " +
          ((actual.is_array() || actual.is_object()) ? std::to_string(actual.size()) : type_name(actual)) + ": " +
          dump(actual, 600);
    return false;
  }
  if (op == "$contains" || op == "$notContains") {
    if (!actual.is_array()) {
      why = "expected an array, got " + dump(actual, 200);
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
    why = std::string(op == "$contains" ? "no element matches " : "an element matches ") + dump(arg) + " in " +
          dump(actual, 800);
    return false;
  }
  if (op == "$ne") {
    std::string ignored;
    if (!matches(arg, actual, ignored)) return true;
    why = "expected anything but " + dump(arg);
    return false;
  }
  if (op == "$ieq") {
    if (actual.is_string() && base::iequals(actual.get_ref<const std::string&>(), arg.get<std::string>())) return true;
    why = "expected \"" + arg.get<std::string>() + "\" (any case), got " + dump(actual, 200);
    return false;
  }
  if (op == "$anyOf") {
    for (const auto& alt : arg) {
      std::string ignored;
      if (matches(alt, actual, ignored)) return true;
    }
    why = "matches none of " + dump(arg) + ": " + dump(actual, 200);
    return false;
  }
  // $all
  for (const auto& each : arg) {
    if (!matches(each, actual, why)) return false;
  }
  return true;
}

ojson::json_pointer pointer(const std::string& p) {
  try {
    return ojson::json_pointer(p);
  } catch (const ojson::exception& e) {
    throw fixture_error("invalid JSON pointer \"" + p + "\": " + e.what());
  }
}

}  // namespace

bool matches(const ojson& expected, const ojson& actual, std::string& why) {
  if (is_operator(expected)) return match_operator(expected.begin().key(), expected.begin().value(), actual, why);
  if (expected.is_object()) {
    if (!actual.is_object()) {
      why = "expected an object, got " + dump(actual, 200);
      return false;
    }
    for (const auto& [k, e] : expected.items()) {
      if (!actual.contains(k)) {
        why = "key \"" + k + "\" is missing in " + dump(actual, 400);
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
      why = "expected " + dump(expected, 400) + ", got " + dump(actual, 400);
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
  why = "expected " + dump(expected) + ", got " + dump(actual);
  return false;
}

std::optional<std::string> http_reply::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (base::iequals(k, name)) return v;
  }
  return std::nullopt;
}

std::size_t file_report::differing() const {
  return static_cast<std::size_t>(
      std::count_if(steps.begin(), steps.end(), [](const step_report& s) { return !s.differences.empty(); }));
}

namespace {

// ---- One file ----------------------------------------------------------------------------------

class player {
 public:
  player(file_report& report, const ojson& fixture, const player_options& options, const transport& send)
      : report_(report), fixture_(fixture), opts_(options), send_(send) {
    vars_["base_url"] = opts_.base_url;
  }

  void run() {
    require_keys(fixture_, {"title", "source", "notes", "server", "steps"}, "the file");
    report_.title = fixture_.value("title", "");
    if (!fixture_.contains("steps") || !fixture_["steps"].is_array() || fixture_["steps"].empty()) {
      throw fixture_error("\"steps\" must be a non-empty array");
    }
    if (!prepare_server()) return;
    std::size_t index = 0;
    for (const auto& step : fixture_["steps"]) {
      step_report r;
      r.index = ++index;
      run_step(step, r);
      report_.steps.push_back(std::move(r));
    }
    if (opts_.cleanup) clean_up();
  }

 private:
  // What a remote target cannot take from the file: server arguments and environment. The
  // admin token is the one thing the player can map.
  bool prepare_server() {
    if (!fixture_.contains("server")) return true;
    const auto& s = fixture_["server"];
    require_keys(s, {"args", "env"}, "server");
    if (s.contains("args") && !s["args"].empty()) {
      report_.warnings.push_back("the file expects the server to run with " + s["args"].dump() +
                                 "; the target is played as it is");
    }
    if (s.contains("env")) {
      for (const auto& [k, v] : s["env"].items()) {
        if (k == "EMUSCIM_ADMIN_TOKEN" && v.is_string()) {
          fixture_admin_token_ = v.get<std::string>();
        } else {
          report_.warnings.push_back("the file expects the server's environment to set " + k);
        }
      }
    }
    if (fixture_admin_token_ && !opts_.admin_token) {
      report_.skipped = "it uses the admin API: give the target's admin token with --admin-token";
      return false;
    }
    return true;
  }

  void run_step(const ojson& step, step_report& r) {
    try {
      require_keys(step,
                   {"name", "spec", "adapted_from", "note", "method", "path", "query", "headers", "body", "raw_body",
                    "timeout_ms", "retry_ms", "repeat", "sleep_ms", "paginate", "expect", "capture", "collect"},
                   "step " + std::to_string(r.index));
      if (!step.contains("name") || !step["name"].is_string()) throw fixture_error("a step needs a \"name\"");
      r.name = step["name"].get<std::string>();
      if (step.contains("sleep_ms")) {
        r.request = "(wait " + std::to_string(step["sleep_ms"].get<int>()) + " ms)";
        sleep(std::chrono::milliseconds(step["sleep_ms"].get<int>()));
        return;
      }
      if (step.contains("paginate")) {
        paginate(step["paginate"], r);
        return;
      }
      const int times = step.contains("repeat") ? step["repeat"].get<int>() : 1;
      for (int i = 1; i <= times; ++i) {
        if (step.contains("repeat")) vars_["i"] = std::to_string(i);
        exchange(step, r, times > 1 ? " #" + std::to_string(i) : std::string());
        if (!r.differences.empty()) break;  // one report is enough
      }
      vars_.erase("i");
    } catch (const missing_variable& e) {
      r.differences.push_back(std::string("not played: ") + e.what());
    } catch (const fixture_error& e) {
      r.differences.push_back(std::string("broken step: ") + e.what());
    } catch (const ojson::exception& e) {
      r.differences.push_back(std::string("broken step: ") + e.what());
    }
  }

  std::string resolve(const std::string& path) const {
    if (path.starts_with('/')) return path;
    std::string root = opts_.scim_root;
    if (!root.ends_with('/')) root += '/';
    return root + path;
  }

  http_request build_request(const ojson& step) const {
    http_request rq;
    if (!step.contains("method") || !step.contains("path")) throw fixture_error("a request step needs method and path");
    rq.method = step["method"].get<std::string>();
    std::string target = resolve(subst_string(step["path"].get<std::string>(), vars_));
    if (step.contains("query")) {
      const auto& q = step["query"];
      std::string qs;
      if (q.is_string()) {
        qs = subst_string(q.get<std::string>(), vars_);
      } else if (q.is_object()) {
        for (const auto& [k, v] : q.items()) {
          if (!qs.empty()) qs += '&';
          qs += k;
          if (!v.is_null()) qs += "=" + url_encode(subst_string(v.get<std::string>(), vars_));
        }
      } else {
        throw fixture_error("\"query\" must be a string (raw) or an object");
      }
      if (!qs.empty()) target += (target.find('?') == std::string::npos ? "?" : "&") + qs;
    }
    rq.target = std::move(target);
    if (step.contains("body") && step.contains("raw_body")) throw fixture_error("both body and raw_body");
    if (step.contains("body")) rq.body = subst(step["body"], vars_).dump();
    if (step.contains("raw_body")) rq.body = subst_string(step["raw_body"].get<std::string>(), vars_);

    // Defaults, then the step's headers (null removes one).
    std::vector<std::pair<std::string, std::optional<std::string>>> headers = {
        {"Authorization", "Bearer " + opts_.token},
        {"User-Agent", opts_.user_agent},
        {"Accept", "application/scim+json"}};
    if (rq.body) headers.emplace_back("Content-Type", "application/scim+json");
    if (step.contains("headers")) {
      for (const auto& [k, v] : step["headers"].items()) {
        std::optional<std::string> value;
        if (!v.is_null()) value = map_admin_token(subst_string(v.get<std::string>(), vars_));
        auto it = std::find_if(headers.begin(), headers.end(), [&](const auto& h) { return base::iequals(h.first, k); });
        if (it != headers.end()) {
          it->second = std::move(value);
        } else {
          headers.emplace_back(k, std::move(value));
        }
      }
    }
    for (auto& [k, v] : headers) {
      if (v) rq.headers.emplace_back(k, std::move(*v));
    }
    if (step.contains("timeout_ms")) rq.timeout = std::chrono::milliseconds(step["timeout_ms"].get<int>());
    return rq;
  }

  std::string map_admin_token(std::string value) const {
    if (!fixture_admin_token_ || !opts_.admin_token || fixture_admin_token_->empty()) return value;
    for (auto at = value.find(*fixture_admin_token_); at != std::string::npos;
         at = value.find(*fixture_admin_token_, at + opts_.admin_token->size())) {
      value.replace(at, fixture_admin_token_->size(), *opts_.admin_token);
    }
    return value;
  }

  void exchange(const ojson& step, step_report& r, const std::string& label_suffix) {
    const http_request rq = build_request(step);
    const ojson expect = step.contains("expect") ? step["expect"] : ojson::object();
    require_keys(expect, {"status", "json", "absent", "headers", "transport_error"}, "expect");
    const bool want_transport_error = expect.value("transport_error", false);
    if (!want_transport_error && !expect.contains("status")) throw fixture_error("expect.status is required");
    r.request = rq.method + " " + rq.target + label_suffix;
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(step.contains("retry_ms") ? step["retry_ms"].get<int>() : 0);
    for (;;) {
      exchange_result got = send_(rq);
      std::vector<std::string> failures;
      std::optional<ojson> body;
      if (got.reply) r.status = got.reply->status;
      if (!got.reply) remember_unanswered(rq);
      if (!got.reply) {
        if (!want_transport_error) failures.push_back("no reply: " + got.error);
      } else if (want_transport_error) {
        failures.push_back("expected no reply in time, got HTTP " + std::to_string(got.reply->status));
      } else {
        body = parse_body(*got.reply, failures);
        if (failures.empty()) {
          // Captures first (the expectations may use them), reported after the status.
          std::vector<std::string> uncaptured;
          capture(step, body, uncaptured);
          remember_created(rq, *got.reply, body);
          check(expect, *got.reply, body, failures);
          failures.insert(failures.end(), uncaptured.begin(), uncaptured.end());
        }
      }
      if (failures.empty()) return;
      if (std::chrono::steady_clock::now() < deadline) {
        sleep(50ms);
        continue;
      }
      r.differences = std::move(failures);
      if (got.reply) r.reply_body = cut(got.reply->body, 3000);
      return;
    }
  }

  static std::optional<ojson> parse_body(const http_reply& r, std::vector<std::string>& failures) {
    if (r.body.empty()) return std::nullopt;
    try {
      return ojson::parse(r.body);
    } catch (const ojson::parse_error& e) {
      failures.push_back(std::string("the reply body is not JSON: ") + e.what());
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

  void check(const ojson& expect, const http_reply& r, const std::optional<ojson>& body,
             std::vector<std::string>& failures) const {
    if (expect.contains("status") && r.status != expect["status"].get<unsigned>()) {
      failures.push_back("status: expected " + expect["status"].dump() + ", got " + std::to_string(r.status));
      return;  // the body of another status says nothing about the expected one (and may lack its variables)
    }
    if (r.status == 204 && !r.body.empty()) failures.push_back("a 204 with a body");
    if (expect.contains("json")) {
      for (const auto& [ptr, want_tmpl] : expect["json"].items()) {
        const ojson want = subst(want_tmpl, vars_);
        const std::string at = subst_string(ptr, vars_);
        const auto jp = pointer(at);
        if (!body || !body->contains(jp)) {
          failures.push_back((at.empty() ? "body" : at) + ": missing (expected " + dump(want) + ")");
          continue;
        }
        std::string why;
        if (!matches(want, body->at(jp), why)) failures.push_back((at.empty() ? "body" : at) + ": " + why);
      }
    }
    if (expect.contains("absent")) {
      for (const auto& ptr : expect["absent"]) {
        const std::string at = subst_string(ptr.get<std::string>(), vars_);
        if (body && body->contains(pointer(at))) {
          failures.push_back(at + ": must be absent, is " + dump(body->at(pointer(at))));
        }
      }
    }
    if (expect.contains("headers")) {
      for (const auto& [name, want_tmpl] : expect["headers"].items()) {
        const auto got = r.header(name);
        if (want_tmpl.is_null()) {
          if (got) failures.push_back("header " + name + ": must be absent, is " + *got);
          continue;
        }
        if (!got) {
          failures.push_back("header " + name + ": missing");
          continue;
        }
        std::string why;
        if (!matches(subst(want_tmpl, vars_), ojson(*got), why)) failures.push_back("header " + name + ": " + why);
      }
    }
  }

  // A 201 that returned a User or Group: deleted after the file (cleanup), if still there.
  void remember_created(const http_request& rq, const http_reply& r, const std::optional<ojson>& body) {
    if (r.status != 201 || !body || !body->is_object() || !body->contains("id")) return;
    const auto& id = (*body)["id"];
    if (!id.is_string()) return;
    const std::string type = body->contains("meta") ? (*body)["meta"].value("resourceType", "") : "";
    const std::string path = rq.target.substr(0, rq.target.find('?'));
    if (type != "User" && type != "Group") return;
    // The collection the POST went to: ".../Users" -> ".../Users/<id>".
    created_.emplace_back(type, path + "/" + id.get<std::string>());
  }

  // A POST that got no reply (a timeout) may still have created its resource: found by name at
  // cleanup.
  void remember_unanswered(const http_request& rq) {
    if (rq.method != "POST" || !rq.body) return;
    const std::string path = rq.target.substr(0, rq.target.find('?'));
    const bool users = path.ends_with("/Users");
    if (!users && !path.ends_with("/Groups")) return;
    const auto body = ojson::parse(*rq.body, nullptr, false);
    const char* key = users ? "userName" : "displayName";
    if (!body.is_object() || !body.contains(key) || !(*body.find(key)).is_string()) return;
    unanswered_.emplace_back(path, std::string(key) + " eq \"" + (*body.find(key)).get<std::string>() + "\"");
  }

  void find_unanswered() {
    for (const auto& [collection, filter] : unanswered_) {
      http_request rq;
      rq.method = "GET";
      rq.target = collection + "?filter=" + url_encode(filter);
      rq.headers = {{"Authorization", "Bearer " + opts_.token}, {"User-Agent", opts_.user_agent}};
      auto got = send_(rq);
      if (!got.reply || got.reply->status != 200) continue;
      const auto list = ojson::parse(got.reply->body, nullptr, false);
      if (!list.is_object() || !list.contains("Resources") || !list["Resources"].is_array()) continue;
      for (const auto& res : list["Resources"]) {
        if (!res.is_object() || !res.contains("id") || !res["id"].is_string()) continue;
        created_.emplace_back(collection.ends_with("/Users") ? "User" : "Group",
                              collection + "/" + res["id"].get<std::string>());
      }
    }
  }

  void clean_up() {
    find_unanswered();
    // Groups first: deleting a user would change the groups' member lists anyway.
    for (const char* type : {"Group", "User"}) {
      for (const auto& [kind, target] : created_) {
        if (kind != type) continue;
        http_request rq;
        rq.method = "DELETE";
        rq.target = target;
        rq.headers = {{"Authorization", "Bearer " + opts_.token}, {"User-Agent", opts_.user_agent}};
        auto got = send_(rq);
        if (got.reply && got.reply->status == 204) ++report_.cleaned_up;
      }
    }
  }

  // Walks a list page by page (startIndex = start, start+count, …) to its end and checks that
  // the walk is complete and stable (tests/fixtures/README.md "paginate").
  void paginate(const ojson& spec_in, step_report& r) {
    require_keys(spec_in,
                 {"path", "query", "count", "start", "headers", "expect_ids", "expect_total", "passes", "collect_as"},
                 "paginate");
    const ojson spec = subst(spec_in, vars_);
    const auto path = resolve(spec.at("path").get<std::string>());
    const auto count = spec.at("count").get<long>();
    const long start = spec.value("start", 1L);
    const int passes = spec.value("passes", 2);
    if (count <= 0) throw fixture_error("paginate.count must be positive");
    std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer " + opts_.token},
                                                                {"User-Agent", opts_.user_agent},
                                                                {"Accept", "application/scim+json"}};
    if (spec.contains("headers")) {
      for (const auto& [k, v] : spec["headers"].items()) {
        std::erase_if(headers, [&](const auto& h) { return base::iequals(h.first, k); });
        if (!v.is_null()) headers.emplace_back(k, v.get<std::string>());
      }
    }
    r.request = "GET " + path + " (pages of " + std::to_string(count) + ")";
    std::vector<std::string> first_walk;
    auto& d = r.differences;
    for (int pass = 1; pass <= passes && d.empty(); ++pass) {
      std::vector<std::string> ids;
      std::optional<long> total;
      long pages = 0;
      for (long s = start;; s += count) {
        http_request rq;
        rq.method = "GET";
        rq.target = path + (path.find('?') == std::string::npos ? "?" : "&");
        if (spec.contains("query")) rq.target += spec["query"].get<std::string>() + "&";
        rq.target += "startIndex=" + std::to_string(s) + "&count=" + std::to_string(count);
        rq.headers = headers;
        const std::string at = "pass " + std::to_string(pass) + " GET " + rq.target;
        auto got = send_(rq);
        if (!got.reply) {
          d.push_back(at + ": no reply: " + got.error);
          return;
        }
        r.status = got.reply->status;
        ojson page;
        try {
          page = ojson::parse(got.reply->body);
        } catch (const ojson::parse_error&) {
          page = nullptr;
        }
        if (got.reply->status != 200 || !page.is_object() || !page.contains("Resources") ||
            !page.contains("totalResults") || !page.contains("startIndex")) {
          d.push_back(at + ": expected a ListResponse, got HTTP " + std::to_string(got.reply->status));
          r.reply_body = cut(got.reply->body, 3000);
          return;
        }
        if (page["startIndex"].get<long>() != s) {
          d.push_back(at + ": startIndex " + page["startIndex"].dump() + " does not echo the request");
        }
        const long page_total = page["totalResults"].get<long>();
        if (!total) total = page_total;
        if (page_total != *total) d.push_back(at + ": totalResults changed during the walk");
        const long expected_items = std::max(0L, std::min(count, *total - s + 1));
        if (static_cast<long>(page["Resources"].size()) != expected_items) {
          d.push_back(at + ": " + std::to_string(page["Resources"].size()) + " items, expected " +
                      std::to_string(expected_items));
        }
        for (const auto& res : page["Resources"]) ids.push_back(res.value("id", ""));
        if (++pages >= 10000) {
          d.push_back(at + ": the walk does not end");
          return;
        }
        if (s + count > *total) break;
      }
      const std::set<std::string> unique_ids(ids.begin(), ids.end());
      if (unique_ids.size() != ids.size()) d.push_back("pass " + std::to_string(pass) + ": an id came twice");
      if (static_cast<long>(ids.size()) != total.value_or(-1)) {
        d.push_back("pass " + std::to_string(pass) + ": the walk missed items");
      }
      if (spec.contains("expect_total") && total.value_or(-1) != spec["expect_total"].get<long>()) {
        d.push_back("totalResults: expected " + spec["expect_total"].dump() + ", got " +
                    std::to_string(total.value_or(-1)));
      }
      if (spec.contains("expect_ids")) {
        std::vector<std::string> want;
        for (const auto& v : spec["expect_ids"]) want.push_back(v.get<std::string>());
        if (ids != want) d.push_back("the walk did not return exactly the expected ids in creation order");
      }
      if (pass == 1) {
        first_walk = ids;
      } else if (ids != first_walk) {
        d.push_back("the order is not stable between walks");
      }
    }
    if (spec.contains("collect_as")) {
      ojson list = ojson::array();
      for (const auto& id : first_walk) list.push_back(id);
      vars_[spec["collect_as"].get<std::string>()] = list;
    }
  }

  void sleep(std::chrono::milliseconds d) const {
    if (opts_.sleep) {
      opts_.sleep(d);
    } else {
      std::this_thread::sleep_for(d);
    }
  }

  file_report& report_;
  const ojson& fixture_;
  const player_options& opts_;
  const transport& send_;
  vars_t vars_;
  std::optional<std::string> fixture_admin_token_;
  std::vector<std::pair<std::string, std::string>> created_;     // resource type, target
  std::vector<std::pair<std::string, std::string>> unanswered_;  // collection, filter
};

}  // namespace

file_report play(std::string name, const ojson& fixture, const player_options& options, const transport& send) {
  file_report report;
  report.name = std::move(name);
  player p(report, fixture, options, send);
  try {
    p.run();
  } catch (const fixture_error& e) {
    step_report broken;
    broken.name = "the file";
    broken.differences.push_back(std::string("broken file: ") + e.what());
    report.steps.push_back(std::move(broken));
  } catch (const ojson::exception& e) {
    step_report broken;
    broken.name = "the file";
    broken.differences.push_back(std::string("broken file: ") + e.what());
    report.steps.push_back(std::move(broken));
  }
  return report;
}

std::string render_text(const file_report& f) {
  if (f.skipped) return "SKIP " + f.name + ": " + *f.skipped + "\n";
  const std::size_t bad = f.differing();
  std::string out = (bad == 0 ? "ok   " : "DIFF ") + f.name + ": " + std::to_string(f.steps.size()) + " steps";
  if (bad > 0) out += ", " + std::to_string(bad) + " differ";
  if (f.cleaned_up > 0) out += "; " + std::to_string(f.cleaned_up) + " created resources deleted afterwards";
  out += "\n";
  for (const auto& w : f.warnings) out += "     warning: " + w + "\n";
  for (const auto& s : f.steps) {
    if (s.differences.empty()) continue;
    out += "  --- step " + std::to_string(s.index) + " (" + s.name + ")\n";
    if (!s.request.empty()) out += "  " + s.request + "\n";
    if (s.status) out += "  HTTP " + std::to_string(*s.status) + "\n";
    for (const auto& d : s.differences) out += "  - " + d + "\n";
    if (!s.reply_body.empty()) out += "  reply: " + s.reply_body + "\n";
  }
  return out;
}

std::string render_summary(const std::vector<file_report>& reports) {
  std::size_t steps = 0;
  std::size_t differing = 0;
  std::size_t skipped = 0;
  for (const auto& f : reports) {
    if (f.skipped) {
      ++skipped;
      continue;
    }
    steps += f.steps.size();
    differing += f.differing();
  }
  std::string out = std::to_string(steps) + " steps played, " + std::to_string(differing) + " differ";
  if (skipped > 0) out += ", " + std::to_string(skipped) + " files skipped";
  return out + "\n";
}

bool all_ok(const std::vector<file_report>& reports) {
  bool played = false;
  for (const auto& f : reports) {
    if (f.skipped) continue;
    played = true;
    if (f.differing() > 0) return false;
  }
  return played;
}

ojson render_json(const std::vector<file_report>& reports) {
  ojson files = ojson::array();
  std::size_t steps = 0;
  std::size_t differing = 0;
  bool played = false;
  for (const auto& f : reports) {
    ojson file = ojson::object();
    file["name"] = f.name;
    file["title"] = f.title;
    file["skipped"] = f.skipped ? ojson(*f.skipped) : ojson(nullptr);
    file["warnings"] = f.warnings;
    file["cleaned_up"] = f.cleaned_up;
    ojson list = ojson::array();
    for (const auto& s : f.steps) {
      ojson step = ojson::object();
      step["index"] = s.index;
      step["name"] = s.name;
      step["request"] = s.request;
      step["status"] = s.status ? ojson(*s.status) : ojson(nullptr);
      step["ok"] = s.differences.empty();
      step["differences"] = s.differences;
      if (!s.reply_body.empty()) step["reply_body"] = s.reply_body;
      list.push_back(std::move(step));
    }
    file["steps"] = std::move(list);
    file["ok"] = f.ok();
    if (!f.skipped) {
      played = true;
      steps += f.steps.size();
      differing += f.differing();
    }
    files.push_back(std::move(file));
  }
  ojson out = ojson::object();
  out["files"] = std::move(files);
  out["steps"] = steps;
  out["differing"] = differing;
  out["ok"] = played && differing == 0;
  return out;
}

}  // namespace emuscim::replay
