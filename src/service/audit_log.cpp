#include "emuscim/service/audit_log.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <vector>

#include "emuscim/auth/token.hpp"
#include "emuscim/service/org_identity_service.hpp"
#include "emuscim/store/database.hpp"
#include "emuscim/store/repo.hpp"
#include "service/audit_rows.hpp"

namespace emuscim::service {

namespace {

using nlohmann::json;

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// "YYYY-MM-DD" -> a valid calendar date.
std::optional<std::chrono::year_month_day> parse_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s.substr(0, 4)) || !digits(s.substr(5, 2)) ||
      !digits(s.substr(8, 2))) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(to_int(s.substr(0, 4))),
                                  std::chrono::month(static_cast<unsigned>(to_int(s.substr(5, 2)))),
                                  std::chrono::day(static_cast<unsigned>(to_int(s.substr(8, 2))))};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::string format_date(std::chrono::year_month_day ymd) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string next_day(std::chrono::year_month_day ymd) {
  return format_date(std::chrono::year_month_day{std::chrono::sys_days(ymd) + std::chrono::days(1)});
}

scim::error unprocessable(std::string detail) { return {422, "", std::move(detail)}; }

scim::status apply_created(std::string_view term, std::string_view v, audit_filter& q) {
  auto bad = [&] {
    return scim::fail(unprocessable("Unsupported date in '" + std::string(term) +
                                    "': expected created:YYYY-MM-DD, created:>=YYYY-MM-DD (also >, <=, <) or "
                                    "created:YYYY-MM-DD..YYYY-MM-DD"));
  };
  if (auto dots = v.find(".."); dots != std::string_view::npos) {
    auto from = parse_date(v.substr(0, dots));
    auto to = parse_date(v.substr(dots + 2));
    if (!from || !to) return bad();
    q.since = format_date(*from);
    q.until = next_day(*to);
    return {};
  }
  std::string_view op;
  for (std::string_view candidate : {">=", "<=", ">", "<"}) {
    if (v.starts_with(candidate)) {
      op = candidate;
      break;
    }
  }
  auto date = parse_date(v.substr(op.size()));
  if (!date) return bad();
  if (op == ">=") {
    q.since = format_date(*date);
  } else if (op == ">") {
    q.since = next_day(*date);
  } else if (op == "<=") {
    q.until = next_day(*date);
  } else if (op == "<") {
    q.until = format_date(*date);
  } else {
    q.since = format_date(*date);
    q.until = next_day(*date);
  }
  return {};
}

// 22 characters of URL-safe base64 from the first 16 bytes of SHA-256("audit:<seq>"): stable,
// opaque, shaped like GitHub's _document_id.
std::string document_id(std::int64_t seq) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  auto h = auth::hash_token("audit:" + std::to_string(seq));
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    acc = (acc << 8) | h[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += alphabet[(acc << (6 - bits)) & 0x3f];
  return out;
}

}  // namespace

namespace detail {

store::audit_query to_query(const audit_filter& f) {
  return store::audit_query{f.action, f.since, f.until, f.before_seq, f.limit};
}

audit_event to_event(store::audit_row row) {
  auto data = json::parse(row.data, nullptr, false);
  if (!data.is_object()) data = json::object();
  return {row.seq,          row.enterprise_id,       std::move(row.created), std::move(row.action), row.actor_token_id,
          std::move(row.request_id), std::move(row.resource_id), row.success, std::move(data)};
}

}  // namespace detail

std::optional<std::int64_t> epoch_millis(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (s.size() < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s.back() != 'Z') return std::nullopt;
  auto date = parse_date(s.substr(0, 10));
  if (!date || !digits(s.substr(11, 2)) || !digits(s.substr(14, 2)) || !digits(s.substr(17, 2))) return std::nullopt;
  std::int64_t ms = 0;
  std::string_view frac = s.substr(19, s.size() - 20);
  if (!frac.empty()) {
    if (frac[0] != '.' || !digits(frac.substr(1))) return std::nullopt;
    frac.remove_prefix(1);
    for (std::size_t i = 0; i < 3; ++i) ms = ms * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  }
  auto days = std::chrono::sys_days(*date).time_since_epoch().count();
  return ((static_cast<std::int64_t>(days) * 24 + to_int(s.substr(11, 2))) * 60 + to_int(s.substr(14, 2))) * 60000 +
         to_int(s.substr(17, 2)) * 1000 + ms;
}

std::optional<std::string> normalize_time_bound(std::string_view s) {
  if (s.size() == 10) {
    if (!parse_date(s)) return std::nullopt;
    return std::string(s);
  }
  // YYYY-MM-DDTHH:MM[:SS[.fff…]]Z
  if (s.size() < 17 || s[10] != 'T' || s[13] != ':' || s.back() != 'Z' || !parse_date(s.substr(0, 10)) ||
      !digits(s.substr(11, 2)) || !digits(s.substr(14, 2)) || to_int(s.substr(11, 2)) > 23 ||
      to_int(s.substr(14, 2)) > 59) {
    return std::nullopt;
  }
  std::string out(s.substr(0, 16));
  std::string_view rest = s.substr(16, s.size() - 17);  // between HH:MM and Z
  std::string seconds = "00", millis = "000";
  if (!rest.empty()) {
    if (rest.size() < 3 || rest[0] != ':' || !digits(rest.substr(1, 2)) || to_int(rest.substr(1, 2)) > 60) {
      return std::nullopt;
    }
    seconds = std::string(rest.substr(1, 2));
    rest.remove_prefix(3);
    if (!rest.empty()) {
      if (rest[0] != '.' || !digits(rest.substr(1))) return std::nullopt;
      std::string f(rest.substr(1));
      f.resize(3, '0');
      millis = f.substr(0, 3);
    }
  }
  return out + ":" + seconds + "." + millis + "Z";
}

scim::status apply_phrase(std::string_view phrase, audit_filter& q) {
  bool have_action = false, have_created = false;
  while (!phrase.empty()) {
    while (!phrase.empty() && std::isspace(static_cast<unsigned char>(phrase.front()))) phrase.remove_prefix(1);
    if (phrase.empty()) break;
    std::size_t end = 0;
    while (end < phrase.size() && !std::isspace(static_cast<unsigned char>(phrase[end]))) ++end;
    std::string_view term = phrase.substr(0, end);
    phrase.remove_prefix(end);

    auto colon = term.find(':');
    std::string_view key = term.substr(0, colon == std::string_view::npos ? 0 : colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : term.substr(colon + 1);
    if (key == "action" && !value.empty()) {
      if (have_action) return scim::fail(unprocessable("Only one action: qualifier is supported"));
      have_action = true;
      // A category (no '.') matches every action in it, as on GitHub (action:team).
      q.action = value.find('.') == std::string_view::npos ? std::string(value) + "." : std::string(value);
    } else if (key == "created" && !value.empty()) {
      if (have_created) return scim::fail(unprocessable("Only one created: qualifier is supported"));
      have_created = true;
      if (auto ok = apply_created(term, value, q); !ok) return ok;
    } else {
      return scim::fail(unprocessable("Unsupported search term '" + std::string(term) +
                                      "': emuscim supports the qualifiers action: and created:"));
    }
  }
  return {};
}

json github_entry(const audit_event& row, const enterprise_ref& enterprise) {
  auto ms = epoch_millis(row.created).value_or(0);
  json e = {{"@timestamp", ms},
            {"_document_id", document_id(row.seq)},
            {"action", row.action},
            {"actor", enterprise.short_code + "_admin"},
            {"business", enterprise.slug},
            {"business_id", row.enterprise_id},
            {"created_at", ms},
            {"request_id", row.request_id}};
  if (row.data.is_object()) {
    for (const auto& [k, v] : row.data.items()) {
      if (!e.contains(k)) e[k] = v;  // the entry's own fields win over event details
    }
  }
  return e;
}

json github_org_entry(const audit_event& row, const org_ref& org, const std::optional<enterprise_ref>& enterprise) {
  auto ms = epoch_millis(row.created).value_or(0);
  const auto owner = org_owner(org);
  json e = {{"@timestamp", ms},
            {"_document_id", document_id(row.seq)},
            {"action", row.action},
            {"actor", enterprise ? enterprise->short_code + "_admin" : owner.login},
            {"org", org.login},
            {"org_id", org.id},
            {"created_at", ms},
            {"request_id", row.request_id}};
  if (!enterprise) e["actor_id"] = owner.id;
  if (row.data.is_object()) {
    if (auto actor = row.data.find("actor"); actor != row.data.end() && actor->is_string()) {
      e["actor"] = *actor;
      e.erase("actor_id");
    }
    for (const auto& [k, v] : row.data.items()) {
      if (!e.contains(k)) e[k] = v;  // the entry's own fields win over event details
    }
  }
  return e;
}

namespace {

// GitHub's page `page` (1-based) of `per_page` events, newest first, from one snapshot.
template <class List>
std::vector<audit_event> page_of(store::database& db, List list, audit_filter f, std::int64_t page,
                                 std::int64_t per_page) {
  constexpr std::int64_t kSkipChunk = 1000;
  auto rows = db.read([&](store::connection& conn) {
    store::transaction tx(conn);  // the skipped pages and this one from one snapshot
    // Page N starts after (N-1)*per_page events: walk there by seq in bounded chunks.
    std::int64_t skip = (page - 1) * per_page;
    std::vector<store::audit_row> out;
    while (skip > 0) {
      f.limit = std::min(skip, kSkipChunk);
      auto chunk = list(conn, detail::to_query(f));
      skip -= static_cast<std::int64_t>(chunk.size());
      if (static_cast<std::int64_t>(chunk.size()) < f.limit) return out;  // fewer events than pages
      f.before_seq = chunk.back().seq;
    }
    f.limit = per_page;
    out = list(conn, detail::to_query(f));
    tx.commit();
    return out;
  });
  std::vector<audit_event> events;
  events.reserve(rows.size());
  for (auto& r : rows) events.push_back(detail::to_event(std::move(r)));
  return events;
}

}  // namespace

std::vector<audit_event> audit_service::github_page(const enterprise_ref& enterprise, audit_filter f,
                                                    std::int64_t page, std::int64_t per_page) {
  auto list = [&](store::connection& c, const store::audit_query& q) { return store::list_audit(c, enterprise.id, q); };
  return page_of(db_, list, std::move(f), page, per_page);
}

std::vector<audit_event> audit_service::github_org_page(const org_ref& org, audit_filter f, std::int64_t page,
                                                        std::int64_t per_page) {
  auto list = [&](store::connection& c, const store::audit_query& q) { return store::list_org_audit(c, org.id, q); };
  return page_of(db_, list, std::move(f), page, per_page);
}

}  // namespace emuscim::service
