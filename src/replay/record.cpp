#include "emuscim/replay/record.hpp"

#include <array>
#include <map>
#include <optional>
#include <regex>
#include <string_view>

#include "emuscim/base/text.hpp"

namespace emuscim::replay {

namespace {

using ojson = nlohmann::ordered_json;

// Replaced as substrings only when long enough not to occur by chance (emuscim's ids are UUIDs).
constexpr std::size_t kMinSubstringId = 8;
constexpr std::string_view kTimestamp = R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$)";

// Headers that belong to the connection or carry credentials: the player sends its own.
constexpr std::array<std::string_view, 12> kDroppedHeaders = {
    "authorization", "proxy-authorization", "cookie",  "host",    "content-length", "connection",
    "accept-encoding", "transfer-encoding", "keep-alive", "te", "upgrade", "expect"};

bool dropped(std::string_view name) {
  for (auto d : kDroppedHeaders) {
    if (base::iequals(name, d)) return true;
  }
  return false;
}

bool has_header(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (base::iequals(k, name)) return true;
  }
  return false;
}

std::string regex_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view(R"(.^$|()[]{}*+?\)").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

bool is_timestamp(const std::string& s) {
  static const std::regex re{std::string(kTimestamp)};
  return s.size() >= 20 && s.size() <= 40 && std::regex_match(s, re);
}

// Members whose values belong to one run of one server.
bool volatile_member(std::string_view name) {
  return name.ends_with("request_id") || name == "@timestamp" || name == "created_at" || name == "_document_id";
}

std::string type_of(const ojson& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

class recorder {
 public:
  explicit recorder(const recording& r) : r_(r), root_("/scim/v2/enterprises/" + r.enterprise) {}

  ojson run() {
    ojson steps = ojson::array();
    std::vector<std::string> notes;
    for (const auto& x : r_.exchanges) {
      if (x.request_body_truncated) {
        notes.push_back("request #" + std::to_string(x.id) + " (" + x.method + " " + x.path +
                        ") left out: its body was truncated in the request log");
        continue;
      }
      steps.push_back(step(x, notes));
    }
    ojson file = ojson::object();
    const std::string range = r_.exchanges.empty() ? std::string("none")
                                                   : "#" + std::to_string(r_.exchanges.front().id) + "–#" +
                                                         std::to_string(r_.exchanges.back().id);
    file["title"] = "Requests to enterprise " + r_.enterprise + " recorded by " + r_.server + " (" + range + ")";
    ojson source = ojson::object();
    source["recorded"] = {{"server", r_.server},       {"enterprise", r_.enterprise}, {"exported", r_.exported},
                          {"since_id", r_.since_id},   {"requests", r_.exchanges.size()}};
    file["source"] = std::move(source);
    notes.insert(notes.begin(),
                 "Exported from the request log (GET /_emuscim/requests/export). Ids that answers returned are "
                 "captured and rewritten; other ids, timestamps and URL hosts match any value (docs/REPLAY.md).");
    file["notes"] = notes;
    file["steps"] = std::move(steps);
    return file;
  }

 private:
  ojson step(const recorded_exchange& x, std::vector<std::string>& notes) {
    ojson s = ojson::object();
    const bool relative = x.path.starts_with(root_ + "/");
    const std::string path = rewrite(relative ? x.path.substr(root_.size() + 1) : x.path);
    s["name"] = "#" + std::to_string(x.id) + " " + x.method + " " + path;
    s["method"] = x.method;
    s["path"] = path;
    if (!x.query.empty()) s["query"] = rewrite(x.query);

    // The client's own headers, exactly; the player's defaults removed where the client sent none.
    ojson headers = ojson::object();
    for (const auto& [k, v] : x.request_headers) {
      if (!dropped(k)) headers[k] = v;
    }
    for (const char* name : {"User-Agent", "Accept"}) {
      if (!has_header(x.request_headers, name)) headers[name] = nullptr;
    }
    if (!x.request_body.empty() && !has_header(x.request_headers, "Content-Type")) headers["Content-Type"] = nullptr;
    if (!headers.empty()) s["headers"] = std::move(headers);

    if (!x.request_body.empty()) {
      auto body = ojson::parse(x.request_body, nullptr, false);
      if (!body.is_discarded()) {
        s["body"] = rewrite_json(body);
      } else {
        s["raw_body"] = rewrite(x.request_body);
      }
    }

    ojson expect = ojson::object();
    expect["status"] = x.status;
    ojson capture = ojson::object();
    if (!x.response_body.empty()) {
      auto body = ojson::parse(x.response_body, nullptr, false);
      if (x.response_body_truncated) {
        notes.push_back("request #" + std::to_string(x.id) + ": only the status is compared (the answer was truncated)");
      } else if (body.is_discarded()) {
        notes.push_back("request #" + std::to_string(x.id) + ": only the status is compared (the answer is not JSON)");
      } else {
        register_ids(body, x.path, capture);
        expect["json"] = {{"", expectation(body, "", false)}};
      }
    }
    for (const auto& [k, v] : x.response_headers) {
      if (base::iequals(k, "Location")) expect["headers"] = {{"Location", url_pattern(v)}};
    }
    s["expect"] = std::move(expect);
    if (!capture.empty()) s["capture"] = std::move(capture);
    return s;
  }

  // A resource's id, or the ids of a list's Resources: captured into user1, group1, …
  void register_ids(const ojson& body, const std::string& path, ojson& capture) {
    if (!body.is_object()) return;
    auto take = [&](const ojson& resource, const std::string& pointer) {
      if (!resource.is_object() || !resource.contains("id") || !resource["id"].is_string()) return;
      const auto id = resource["id"].get<std::string>();
      if (id.empty() || known(id)) return;
      std::string kind = "id";
      const std::string type = resource.contains("meta") && resource["meta"].is_object()
                                   ? resource["meta"].value("resourceType", "")
                                   : "";
      if (type == "User" || (type.empty() && path.find("/Users") != std::string::npos)) kind = "user";
      if (type == "Group" || (type.empty() && path.find("/Groups") != std::string::npos)) kind = "group";
      const std::string var = kind + std::to_string(++counters_[kind]);
      ids_.emplace_back(id, var);
      capture[var] = pointer;
    };
    take(body, "/id");
    if (body.contains("Resources") && body["Resources"].is_array()) {
      for (std::size_t i = 0; i < body["Resources"].size(); ++i) {
        take(body["Resources"][i], "/Resources/" + std::to_string(i) + "/id");
      }
    }
  }

  const std::string* known(const std::string& id) const {
    for (const auto& [value, var] : ids_) {
      if (value == id) return &var;
    }
    return nullptr;
  }

  // `s` cut into literal text and known ids, in order.
  std::vector<std::pair<std::string, bool>> parts(const std::string& s) const {
    std::vector<std::pair<std::string, bool>> out;
    if (const std::string* var = known(s)) {
      out.emplace_back(*var, true);
      return out;
    }
    std::size_t from = 0;
    while (from < s.size()) {
      std::size_t best = std::string::npos;
      const std::pair<std::string, std::string>* hit = nullptr;
      for (const auto& entry : ids_) {
        if (entry.first.size() < kMinSubstringId) continue;
        const auto at = s.find(entry.first, from);
        if (at != std::string::npos && (best == std::string::npos || at < best)) {
          best = at;
          hit = &entry;
        }
      }
      if (hit == nullptr) break;
      if (best > from) out.emplace_back(s.substr(from, best - from), false);
      out.emplace_back(hit->second, true);
      from = best + hit->first.size();
    }
    if (from < s.size()) out.emplace_back(s.substr(from), false);
    return out;
  }

  std::string rewrite(const std::string& s) const {
    std::string out;
    for (const auto& [text, is_var] : parts(s)) out += is_var ? "${" + text + "}" : text;
    return out;
  }

  ojson rewrite_json(const ojson& v) const {
    if (v.is_string()) return rewrite(v.get<std::string>());
    if (v.is_array()) {
      ojson out = ojson::array();
      for (const auto& e : v) out.push_back(rewrite_json(e));
      return out;
    }
    if (v.is_object()) {
      ojson out = ojson::object();
      for (const auto& [k, e] : v.items()) out[k] = rewrite_json(e);
      return out;
    }
    return v;
  }

  // A URL: any scheme and host, the same path (ids rewritten).
  ojson url_pattern(const std::string& url) const {
    const auto scheme_end = url.find("://");
    const auto path_start = scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
    std::string re = "^https?://[^/]+";
    if (path_start != std::string::npos) {
      for (const auto& [text, is_var] : parts(url.substr(path_start))) re += is_var ? "${" + text + "}" : regex_escape(text);
    }
    return {{"$match", re + "$"}};
  }

  ojson expectation(const ojson& v, std::string_view member, bool in_members) const {
    if (!member.empty() && volatile_member(member)) return {{"$type", type_of(v)}};
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      if (member == "id" || (in_members && member == "value")) {
        if (const std::string* var = known(s)) return "${" + *var + "}";
        return {{"$type", "string"}};
      }
      if (is_timestamp(s)) return {{"$match", std::string(kTimestamp)}};
      if (s.starts_with("http://") || s.starts_with("https://")) return url_pattern(s);
      return rewrite(s);
    }
    if (v.is_array()) {
      ojson out = ojson::array();
      for (const auto& e : v) out.push_back(expectation(e, "", member == "members"));
      return out;
    }
    if (v.is_object()) {
      ojson out = ojson::object();
      for (const auto& [k, e] : v.items()) out[k] = expectation(e, k, in_members);
      return out;
    }
    return v;
  }

  const recording& r_;
  const std::string root_;
  std::vector<std::pair<std::string, std::string>> ids_;  // id -> variable, in the order first seen
  std::map<std::string, int> counters_;
};

}  // namespace

nlohmann::ordered_json to_replay_file(const recording& r) { return recorder(r).run(); }

}  // namespace emuscim::replay
