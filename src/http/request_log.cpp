#include "emuscim/http/request_log.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "emuscim/base/text.hpp"

namespace emuscim::http {

namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 5> kClientNames = {"unknown", "entra", "okta", "ping", "octokit"};
constexpr std::size_t kMaxLimit = 1000;

// `needle` must be lower case.
bool icontains(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return base::ascii_lower(a) == b; });
  return it != haystack.end();
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::size_t skip_blanks(std::string_view s, std::size_t i) {
  while (i < s.size() && is_blank(s[i])) ++i;
  return i;
}

// Index of the quote that closes the JSON string opened at `open`, or npos when unterminated.
std::size_t string_close(std::string_view s, std::size_t open) {
  for (std::size_t i = open + 1; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i;
    }
  }
  return std::string_view::npos;
}

bool is_secret_member(std::string_view name) {
  return base::iequals(name, "token") || base::iequals(name, "access_token") || base::iequals(name, "password");
}

// Whether `s` contains `word` (lower case) in any case, found through memchr on the upper- and
// lower-case forms of `key`, a letter of `word` at `offset` that is rare in SCIM payloads. This
// runs on every captured body, so it must stay far below a microsecond for a typical one.
bool mentions(std::string_view s, std::string_view word, std::size_t offset) {
  const char key = word[offset];
  for (char c : {key, static_cast<char>(key - 'a' + 'A')}) {
    for (std::size_t i = s.find(c, offset); i != std::string_view::npos; i = s.find(c, i + 1)) {
      if (i + word.size() - offset <= s.size() && base::iequals(s.substr(i - offset, word.size()), word)) return true;
    }
  }
  return false;
}

}  // namespace

// Replaces the string value of every secret member with ***, leaving the rest of the text as it
// was. Works on truncated or malformed JSON too: it only lexes strings.
void redact_body(std::string& body) {
  if (!mentions(body, "token", 2) && !mentions(body, "password", 5)) return;
  const std::string_view s = body;
  std::string out;
  std::size_t copied = 0;  // s[0, copied) is in out already
  std::size_t i = s.find('"');
  while (i != std::string_view::npos) {
    const std::size_t close = string_close(s, i);
    if (close == std::string_view::npos) break;
    const std::string_view name = s.substr(i + 1, close - i - 1);
    std::size_t j = skip_blanks(s, close + 1);
    if (j < s.size() && s[j] == ':' && is_secret_member(name)) {
      j = skip_blanks(s, j + 1);
      if (j < s.size() && s[j] == '"') {
        const std::size_t value_close = string_close(s, j);
        out.append(s.substr(copied, j + 1 - copied));
        out += "***";
        if (value_close == std::string_view::npos) {  // cut inside the value: mask to the end
          copied = s.size();
          break;
        }
        copied = value_close;  // the closing quote is copied with what follows
        i = s.find('"', value_close + 1);
        continue;
      }
    }
    i = s.find('"', close + 1);
  }
  if (copied == 0) return;
  out.append(s.substr(copied));
  body = std::move(out);
}

void redact_headers(header_list& headers) {
  for (auto& [name, value] : headers) {
    if (base::iequals(name, "authorization") || base::iequals(name, "proxy-authorization")) {
      // In place: the scheme stays, the credential goes.
      const std::string_view v = base::trim(value);
      const auto blank = v.find_first_of(" \t");
      if (blank == std::string_view::npos) {
        value = "***";
      } else {
        const auto start = static_cast<std::size_t>(v.data() - value.data());
        value.erase(0, start);
        value.resize(blank);
        value += " ***";
      }
    } else if (base::iequals(name, "cookie") || base::iequals(name, "set-cookie")) {
      value = "***";
    }
  }
}

void redact_query(std::string& query) {
  if (!icontains(query, "access_token")) return;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    const std::string_view param(query.data() + start, amp - start);
    if (base::istarts_with(param, "access_token=")) {
      const std::size_t value = start + std::string_view("access_token=").size();
      query.replace(value, amp - value, "***");
      amp = value + 3;
    }
    start = amp + 1;
  }
}

// Cuts at most max bytes, backing off to the first byte of a UTF-8 sequence so that no
// character is split. Returns whether anything was cut.
bool cut_body(std::string& body, std::size_t max) {
  if (body.size() <= max) return false;
  std::size_t cut = max;
  for (int k = 0; k < 3 && cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80; ++k) --cut;
  body.resize(cut);
  body.shrink_to_fit();  // the dropped tail would otherwise stay allocated for the entry's life
  return true;
}

namespace {

// Entra's PATCH dialect without the aadOptscim062020 flag: "op":"Add"|"Replace"|"Remove".
bool has_capitalised_op(std::string_view body) {
  for (std::size_t i = body.find("\"op\""); i != std::string_view::npos; i = body.find("\"op\"", i + 4)) {
    std::size_t j = skip_blanks(body, i + 4);
    if (j >= body.size() || body[j] != ':') continue;
    const std::string_view rest = body.substr(skip_blanks(body, j + 1));
    if (rest.starts_with("\"Add\"") || rest.starts_with("\"Replace\"") || rest.starts_with("\"Remove\"")) return true;
  }
  return false;
}

// Entra's string booleans as member values: "value": "False" (also "false", "TRUE", …).
bool has_string_boolean(std::string_view body) {
  for (std::size_t i = body.find(':'); i != std::string_view::npos; i = body.find(':', i + 1)) {
    const std::string_view rest = body.substr(skip_blanks(body, i + 1));
    if (base::istarts_with(rest, "\"true\"") || base::istarts_with(rest, "\"false\"")) return true;
  }
  return false;
}

client_kind client_from_user_agent(std::string_view ua) {
  if (ua.empty()) return client_kind::unknown;
  if (icontains(ua, "okta")) return client_kind::okta;
  if (icontains(ua, "octokit")) return client_kind::octokit;
  if (icontains(ua, "microsoft") || icontains(ua, "azure")) return client_kind::entra;
  if (icontains(ua, "pingfederate") || icontains(ua, "pingone") || icontains(ua, "ping identity") ||
      icontains(ua, "apache-httpclient")) {
    return client_kind::ping;
  }
  return client_kind::unknown;
}

std::string rfc3339_millis(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day ymd{day};
  const hh_mm_ss hms{ms - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return buf;
}

json headers_json(const header_list& headers) {
  json out = json::array();
  for (const auto& [name, value] : headers) out.push_back({{"name", name}, {"value", value}});
  return out;
}

json optional_text(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// "404" or "4xx" (any case); validated by parse_request_query.
bool status_matches(std::string_view filter, unsigned status) {
  if (filter.size() != 3) return false;
  if (base::ascii_lower(filter[1]) == 'x') return status / 100 == static_cast<unsigned>(filter[0] - '0');
  unsigned want = 0;
  std::from_chars(filter.data(), filter.data() + filter.size(), want);
  return status == want;
}

bool valid_status_filter(std::string_view s) {
  if (s.size() != 3 || s[0] < '1' || s[0] > '5') return false;
  const bool is_class = base::ascii_lower(s[1]) == 'x' && base::ascii_lower(s[2]) == 'x';
  const bool is_exact = std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  return is_class || is_exact;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

bool matches(const log_entry& e, const request_query& q) {
  const captured& c = e.data();
  if (q.enterprise && c.enterprise != *q.enterprise) return false;
  if (q.org && c.org != *q.org) return false;
  if (q.status && !status_matches(*q.status, c.status)) return false;
  if (q.method && !base::iequals(c.method, *q.method)) return false;
  if (q.path_prefix && !std::string_view(c.path).starts_with(*q.path_prefix)) return false;
  if (q.client && e.client() != *q.client) return false;
  return true;
}

bool has_filters(const request_query& q) {
  return q.enterprise || q.org || q.status || q.method || q.client || q.path_prefix;
}

}  // namespace

std::string_view to_string(client_kind k) { return kClientNames[static_cast<std::size_t>(k)]; }

std::optional<client_kind> parse_client_kind(std::string_view name) {
  for (std::size_t i = 0; i < kClientNames.size(); ++i) {
    if (name == kClientNames[i]) return static_cast<client_kind>(i);
  }
  return std::nullopt;
}

client_kind detect_client(std::string_view user_agent, std::string_view query, std::string_view request_body,
                          client_kind hint) {
  if (auto k = client_from_user_agent(user_agent); k != client_kind::unknown) return k;
  if (hint != client_kind::unknown) return hint;
  if (icontains(query, "aadoptscim062020")) return client_kind::entra;
  if (!request_body.empty() &&
      (has_capitalised_op(request_body) || has_string_boolean(request_body) ||
       request_body.find("schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM") != std::string_view::npos)) {
    return client_kind::entra;
  }
  return client_kind::unknown;
}

// ---------------------------------------------------------------------------------------------
// log_entry

log_entry::log_entry(captured c, std::size_t max_body_bytes)
    : c_(std::move(c)),
      request_body_size_(c_.request_body.size()),
      response_body_size_(c_.response_body.size()),
      request_body_truncated_(cut_body(c_.request_body, max_body_bytes)),
      response_body_truncated_(cut_body(c_.response_body, max_body_bytes)) {
  redact_headers(c_.request_headers);
  redact_headers(c_.response_headers);
  redact_query(c_.query);
  redact_body(c_.request_body);
  redact_body(c_.response_body);
}

client_kind log_entry::client() const {
  std::int8_t k = client_.load(std::memory_order_relaxed);
  if (k < 0) {
    // Two readers may both detect; they store the same value.
    k = static_cast<std::int8_t>(detect_client(c_.user_agent, c_.query, c_.request_body, c_.client_hint));
    client_.store(k, std::memory_order_relaxed);
  }
  return static_cast<client_kind>(k);
}

// ---------------------------------------------------------------------------------------------
// request_log

request_log::request_log(std::size_t capacity, std::size_t max_body_bytes)
    : capacity_(capacity), max_body_bytes_(max_body_bytes), slots_(capacity) {}

std::uint64_t request_log::capture(captured&& c) {
  if (capacity_ == 0) return 0;
  auto entry = std::make_shared<log_entry>(std::move(c), max_body_bytes_);
  std::shared_ptr<const log_entry> evicted;  // freed after the lock is released
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mu_);
    id = last_id_.load(std::memory_order_relaxed) + 1;
    entry->id_ = id;
    if (id - first_id_ == capacity_) {
      evicted = std::move(slots_[(first_id_ - 1) % capacity_]);
      ++first_id_;
    }
    slots_[(id - 1) % capacity_] = std::move(entry);
    last_id_.store(id, std::memory_order_release);
  }
  return id;
}

request_page request_log::list(const request_query& q) const {
  request_page page;
  const bool filtered = has_filters(q);
  const std::size_t limit = std::clamp<std::size_t>(q.limit, 1, kMaxLimit);
  std::vector<std::shared_ptr<const log_entry>> candidates;
  std::uint64_t last = 0;
  std::uint64_t since = q.since_id;
  {
    std::lock_guard lock(mu_);
    last = last_id_.load(std::memory_order_relaxed);
    if (since > last) since = 0;
    page.missed = first_id_ > since + 1 ? first_id_ - since - 1 : 0;
    const std::uint64_t from = std::max(since + 1, first_id_);
    if (from <= last) {
      std::uint64_t to = last;
      if (!filtered) to = std::min<std::uint64_t>(last, from + limit - 1);
      candidates.reserve(to - from + 1);
      for (std::uint64_t id = from; id <= to; ++id) candidates.push_back(slots_[(id - 1) % capacity_]);
    }
  }
  page.next_since_id = std::max(since, last);
  for (auto& e : candidates) {
    if (filtered && !matches(*e, q)) continue;
    page.requests.push_back(std::move(e));
    if (page.requests.size() == limit) {
      page.next_since_id = page.requests.back()->id();
      break;
    }
  }
  return page;
}

std::shared_ptr<const log_entry> request_log::get(std::uint64_t id) const {
  std::lock_guard lock(mu_);
  if (id < first_id_ || id > last_id_.load(std::memory_order_relaxed)) return nullptr;
  return slots_[(id - 1) % capacity_];
}

void request_log::clear() {
  if (capacity_ == 0) return;
  std::vector<std::shared_ptr<const log_entry>> dropped(capacity_);
  {
    std::lock_guard lock(mu_);
    dropped.swap(slots_);
    first_id_ = last_id_.load(std::memory_order_relaxed) + 1;
  }
}

std::size_t request_log::size() const {
  std::lock_guard lock(mu_);
  return static_cast<std::size_t>(last_id_.load(std::memory_order_relaxed) + 1 - first_id_);
}

// ---------------------------------------------------------------------------------------------
// Query parameters and rendering

scim::result<request_query> parse_request_query(const target& t) {
  request_query q;
  auto text = [&](std::string_view name) -> std::optional<std::string> {
    auto v = t.param(name);
    if (!v || v->empty()) return std::nullopt;
    return v;
  };
  q.enterprise = text("enterprise");
  q.org = text("org");
  q.method = text("method");
  q.path_prefix = text("path_prefix");
  if (auto s = text("status")) {
    if (!valid_status_filter(*s)) {
      return scim::fail(scim::invalid_value("Query parameter 'status' must be a status (404) or a class (4xx), got '" +
                                            *s + "'"));
    }
    q.status = std::move(s);
  }
  if (auto s = text("client")) {
    q.client = parse_client_kind(*s);
    if (!q.client) {
      return scim::fail(scim::invalid_value(
          "Query parameter 'client' must be one of entra, okta, ping, octokit, unknown, got '" + *s + "'"));
    }
  }
  if (auto s = text("since_id")) {
    auto v = parse_u64(*s);
    if (!v) {
      return scim::fail(scim::invalid_value("Query parameter 'since_id' must be a non-negative integer, got '" + *s +
                                            "'"));
    }
    q.since_id = *v;
  }
  if (auto s = text("limit")) {
    auto v = parse_u64(*s);
    if (!v || *v < 1 || *v > kMaxLimit) {
      return scim::fail(scim::invalid_value("Query parameter 'limit' must be an integer from 1 to " +
                                            std::to_string(kMaxLimit) + ", got '" + *s + "'"));
    }
    q.limit = static_cast<std::size_t>(*v);
  }
  return q;
}

json to_json(const log_entry& e, bool with_bodies) {
  const captured& c = e.data();
  json j = {
      {"id", e.id()},
      {"time", rfc3339_millis(c.time)},
      {"request_id", c.request_id},
      {"method", c.method},
      {"path", c.path},
      {"query", c.query},
      {"status", c.status},
      {"duration_ms", std::round(c.duration_ms * 1000.0) / 1000.0},
      {"enterprise", optional_text(c.enterprise)},
      {"org", optional_text(c.org)},
      {"client", to_string(e.client())},
      {"user_agent", optional_text(c.user_agent)},
      {"events", c.events},
      {"notes", c.notes},
      {"request_body_size", e.request_body_size()},
      {"request_body_truncated", e.request_body_truncated()},
      {"response_body_size", e.response_body_size()},
      {"response_body_truncated", e.response_body_truncated()},
  };
  if (with_bodies) {
    j["request_headers"] = headers_json(c.request_headers);
    j["request_body"] = c.request_body;
    j["response_headers"] = headers_json(c.response_headers);
    j["response_body"] = c.response_body;
  }
  return j;
}

json to_json(const request_page& page) {
  json list = json::array();
  for (const auto& e : page.requests) list.push_back(to_json(*e, false));
  return {{"requests", std::move(list)}, {"next_since_id", page.next_since_id}, {"missed", page.missed}};
}

std::string dump_json(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string sse_event(const log_entry& e) {
  std::string out = "id: " + std::to_string(e.id()) + "\nevent: request\ndata: ";
  out += dump_json(to_json(e, false));
  out += "\n\n";
  return out;
}

std::optional<std::uint64_t> parse_event_id(std::string_view value) { return parse_u64(base::trim(value)); }

}  // namespace emuscim::http
