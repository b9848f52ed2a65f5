#include "emuscim/scim/user.hpp"

#include <array>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "emuscim/base/text.hpp"
#include "scim/model_util.hpp"
#include "scim/user_attrs.hpp"

namespace emuscim::scim {

namespace user_detail {

namespace {
struct attr_entry {
  user_attr kind;
  std::string_view name;
};
constexpr std::array<attr_entry, 10> attr_table = {{
    {user_attr::user_name, "userName"},
    {user_attr::external_id, "externalId"},
    {user_attr::active, "active"},
    {user_attr::display_name, "displayName"},
    {user_attr::name, "name"},
    {user_attr::emails, "emails"},
    {user_attr::roles, "roles"},
    {user_attr::schemas, "schemas"},
    {user_attr::read_only, "id"},
    {user_attr::read_only, "meta"},
}};
constexpr std::array<std::string_view, 6> name_subs = {"formatted",  "familyName",      "givenName",
                                                       "middleName", "honorificPrefix", "honorificSuffix"};
}  // namespace

user_attr_info lookup_user_attr(std::string_view name) {
  for (const auto& e : attr_table) {
    if (base::iequals(name, e.name)) return {e.kind, e.name};
  }
  return {user_attr::unsupported, name};
}

std::string_view attr_name(user_attr a) {
  for (const auto& e : attr_table) {
    if (e.kind == a) return e.name;
  }
  return "";
}

std::optional<std::string_view> canonical_name_sub(std::string_view name) {
  for (auto s : name_subs) {
    if (base::iequals(name, s)) return s;
  }
  return std::nullopt;
}

}  // namespace user_detail

namespace {

using nlohmann::json;
using base::iequals;
using model_detail::in_quotes;
using model_detail::is_blank;

error missing(std::string_view attr) { return invalid_value("Missing required attribute " + in_quotes(attr)); }

// Optional string attribute: null and "" mean unset (RFC 7643 §2.5).
result<std::optional<std::string>> optional_string(const json& v, std::string_view attr) {
  if (is_blank(v)) return std::optional<std::string>{};
  if (!v.is_string()) return fail(invalid_value("Attribute " + in_quotes(attr) + " must be a string"));
  return std::optional<std::string>{v.get<std::string>()};
}

result<json> canonical_name(const json& v) {
  if (!v.is_object()) return fail(invalid_value("Attribute 'name' must be an object"));
  json out = json::object();
  for (const auto& [key, sub_value] : v.items()) {
    const auto sub = user_detail::canonical_name_sub(key);
    if (!sub) continue;  // not a sub-attribute of name: dropped like any unknown attribute
    const std::string path = "name." + std::string(*sub);
    auto s = optional_string(sub_value, path);
    if (!s) return fail(std::move(s.error()));
    if (!*s) continue;
    if (out.contains(*sub)) return fail(invalid_value("Attribute " + in_quotes(path) + " is given more than once"));
    out[std::string(*sub)] = std::move(**s);
  }
  return out;
}

// A multi-valued attribute: an array, or (leniently) a single item. Null items are skipped.
result<json> canonical_multi(const json& v, bool roles) {
  const std::string_view attr = roles ? "roles" : "emails";
  json items = v.is_array() ? v : json::array({v});
  json out = json::array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].is_null()) continue;
    auto item = model_detail::multi_item(items[i], roles, std::string(attr) + "[" + std::to_string(i) + "]");
    if (!item) return item;
    out.push_back(std::move(*item));
  }
  return out;
}

status check_emails(const json& emails) {
  // idp-clients.md §1.4: type values are unique within an attribute (no two "work" emails);
  // PingFederate documents the same limit. A second email of an existing type is rejected rather
  // than silently dropped, so the IdP's error log shows which value clashed.
  // RFC 7643 §2.4: "primary" true appears at most once.
  std::size_t primaries = 0;
  for (std::size_t i = 0; i < emails.size(); ++i) {
    const auto& e = emails[i];
    if (e.value("primary", false)) ++primaries;
    const auto t = e.find("type");
    if (t == e.end()) continue;
    for (std::size_t j = 0; j < i; ++j) {
      const auto u = emails[j].find("type");
      if (u != emails[j].end() && iequals(t->get_ref<const std::string&>(), u->get_ref<const std::string&>())) {
        return fail(invalid_value("Duplicate email type '" + t->get<std::string>() + "'"));
      }
    }
  }
  if (primaries > 1) return fail(invalid_value("Only one email may have 'primary' set to true"));
  return {};
}

// Several entries with the same role value (compared case-insensitively, as roles are matched
// in github-emu-scim.md §11) collapse into the first; Entra counts duplicate roles as an error.
json dedupe_roles(const json& roles, tolerations* tolerated) {
  json out = json::array();
  for (const auto& r : roles) {
    bool dup = false;
    for (const auto& kept : out) {
      if (iequals(kept["value"].get_ref<const std::string&>(), r["value"].get_ref<const std::string&>())) dup = true;
    }
    if (!dup) {
      out.push_back(r);
    } else if (tolerated != nullptr) {
      tolerated->note("duplicate role '" + r["value"].get<std::string>() + "' dropped");
    }
  }
  return out;
}

// The attributes as given: what canonical_user's required-attribute rules read from the body.
struct given_attributes {
  const json* schemas = nullptr;
  bool active = false;  // `active` given, not null
};

result<json> canonical_attributes_impl(const json& body, given_attributes* seen, tolerations* tolerated) {
  if (!body.is_object()) return fail(invalid_syntax("A User must be a JSON object"));

  // Attribute names are case-insensitive (RFC 7643 §2.1); two spellings of one attribute are ambiguous.
  std::array<const json*, user_attr_count> given{};
  const json* schemas = nullptr;
  for (const auto& [key, v] : body.items()) {
    const auto info = user_detail::lookup_user_attr(key);
    if (info.kind == user_attr::schemas) schemas = &v;
    if (info.kind == user_attr::unsupported && tolerated != nullptr && !v.is_null()) {
      tolerated->note("ignored unsupported attribute '" + key + "'");
    }
    if (!is_stored(info.kind)) continue;
    auto& slot = given[static_cast<std::size_t>(info.kind)];
    if (slot != nullptr) return fail(invalid_value("Attribute " + in_quotes(info.name) + " is given more than once"));
    slot = &v;
  }
  const auto get = [&](user_attr a) -> const json* {
    const json* v = given[static_cast<std::size_t>(a)];
    return (v == nullptr || v->is_null()) ? nullptr : v;
  };

  json out = json::object();

  if (const json* v = get(user_attr::user_name)) {
    if (!v->is_string()) return fail(invalid_value("Attribute 'userName' must be a string"));
    if (v->get_ref<const std::string&>().empty()) return fail(invalid_value("Attribute 'userName' must not be empty"));
    out["userName"] = *v;
  }
  for (const auto a : {user_attr::external_id, user_attr::display_name}) {
    if (const json* v = get(a)) {
      const auto name = user_detail::attr_name(a);
      auto s = optional_string(*v, name);
      if (!s) return fail(std::move(s.error()));
      if (*s) out[std::string(name)] = std::move(**s);
    }
  }
  bool active_given = false;
  out["active"] = true;  // RFC 7643 leaves a missing `active` undefined; GitHub's users are active unless suspended
  if (const json* v = get(user_attr::active)) {
    const auto b = model_detail::to_bool(*v);
    if (!b) return fail(invalid_value("Attribute 'active' must be a boolean (true or false)"));
    out["active"] = *b;
    active_given = true;
    if (v->is_string() && tolerated != nullptr) {
      tolerated->note("accepted Entra's string \"" + v->get<std::string>() + "\" for active");
      tolerated->dialect = "entra";
    }
  }
  if (const json* v = get(user_attr::name)) {
    auto name = canonical_name(*v);
    if (!name) return name;
    if (!name->empty()) out["name"] = std::move(*name);
  }
  if (const json* v = get(user_attr::emails)) {
    auto emails = canonical_multi(*v, /*roles=*/false);
    if (!emails) return emails;
    if (auto ok = check_emails(*emails); !ok) return fail(std::move(ok.error()));
    out["emails"] = std::move(*emails);
  }
  if (const json* v = get(user_attr::roles)) {
    auto roles = canonical_multi(*v, /*roles=*/true);
    if (!roles) return roles;
    out["roles"] = dedupe_roles(*roles, tolerated);
  }
  if (seen != nullptr) *seen = {schemas, active_given};
  return out;
}

result<json> canonical_user_impl(const json& body, validation_mode mode, user_use use, tolerations* tolerated) {
  given_attributes seen;
  auto doc = canonical_attributes_impl(body, &seen, tolerated);
  if (!doc) return doc;
  json& out = *doc;
  const json* schemas = seen.schemas;
  const bool active_given = seen.active;

  // Required attributes (github-emu-scim.md §7).
  const bool strict = mode == validation_mode::strict;
  const bool full = use == user_use::create || use == user_use::replace;
  if (strict && full && !model_detail::schemas_contain(schemas, user_schema)) {
    return fail(invalid_value("Attribute 'schemas' must contain '" + std::string(user_schema) + "'"));
  }
  if (!out.contains("userName")) return fail(missing("userName"));
  if (!out.contains("externalId") && (use == user_use::create || strict)) return fail(missing("externalId"));
  if (strict && full) {
    if (!active_given) return fail(missing("active"));
    if (!out.contains("displayName")) return fail(missing("displayName"));
    if (!out.contains("emails") || out["emails"].empty()) return fail(missing("emails"));
    for (std::size_t i = 0; i < out["emails"].size(); ++i) {
      for (const char* sub : {"type", "primary"}) {
        if (!out["emails"][i].contains(sub)) {
          return fail(missing("emails[" + std::to_string(i) + "]." + sub));
        }
      }
    }
    if (out.contains("name")) {
      for (const char* sub : {"familyName", "givenName"}) {
        if (!out["name"].contains(sub)) return fail(missing(std::string("name.") + sub));
      }
    }
  }
  return out;
}

}  // namespace

result<nlohmann::json> canonical_user(const nlohmann::json& body, validation_mode mode, user_use use,
                                      tolerations* tolerated) {
  try {
    return canonical_user_impl(body, mode, use, tolerated);
  } catch (const nlohmann::json::exception&) {
    // Not reachable with the checks above; kept so a missed case answers 400, not 500.
    return fail(invalid_value("The User could not be read"));
  }
}

result<nlohmann::json> canonical_user_attributes(const nlohmann::json& body, tolerations* tolerated) {
  try {
    return canonical_attributes_impl(body, nullptr, tolerated);
  } catch (const nlohmann::json::exception&) {
    return fail(invalid_value("The User could not be read"));
  }
}

namespace {

using nlohmann::ordered_json;

// `object` with the keys of `order` first, in that order, then any others.
ordered_json ordered(const json& object, std::span<const std::string_view> order) {
  if (!object.is_object()) return object;
  ordered_json out = ordered_json::object();
  for (const auto key : order) {
    if (const auto it = object.find(key); it != object.end()) out[std::string(key)] = *it;
  }
  for (const auto& [key, v] : object.items()) {
    if (!out.contains(key)) out[key] = v;
  }
  return out;
}

// RFC 7643 §4.1.1; GitHub's enterprise example starts with formatted, familyName, givenName, middleName.
constexpr std::array<std::string_view, 6> name_order = {"formatted",  "familyName",      "givenName",
                                                        "middleName", "honorificPrefix", "honorificSuffix"};
// GitHub's organization examples: givenName, familyName, formatted.
constexpr std::array<std::string_view, 6> org_name_order = {"givenName",  "familyName",      "formatted",
                                                            "middleName", "honorificPrefix", "honorificSuffix"};
// GitHub's email example reads value, type, primary; its role example value, primary.
constexpr std::array<std::string_view, 4> item_order = {"value", "type", "primary", "display"};

ordered_json ordered_items(const json& items) {
  if (!items.is_array()) return items;
  ordered_json out = ordered_json::array();
  for (const auto& item : items) out.push_back(ordered(item, item_order));
  return out;
}

}  // namespace

nlohmann::ordered_json render_user(const nlohmann::json& doc, const resource_meta& meta, response_layout layout) {
  ordered_json out = ordered_json::object();
  out["schemas"] = ordered_json::array({std::string(user_schema)});
  out["id"] = meta.id;
  const auto find = [&](const char* key) -> const json* {
    const auto it = doc.find(key);
    return (it != doc.end() && !it->is_null()) ? &*it : nullptr;
  };
  const auto active = doc.find("active");
  const bool is_active = (active != doc.end() && active->is_boolean()) ? active->get<bool>() : true;
  if (const json* v = find("externalId")) out["externalId"] = *v;
  if (layout == response_layout::enterprise) {
    out["active"] = is_active;
    if (const json* v = find("userName")) out["userName"] = *v;
    if (const json* v = find("name")) out["name"] = ordered(*v, name_order);
    if (const json* v = find("displayName")) out["displayName"] = *v;
  } else {
    if (const json* v = find("userName")) out["userName"] = *v;
    if (const json* v = find("displayName")) out["displayName"] = *v;
    if (const json* v = find("name")) out["name"] = ordered(*v, org_name_order);
  }
  // GitHub's response schemas require `emails`, so an unset list is rendered as [].
  const auto emails = doc.find("emails");
  out["emails"] = (emails != doc.end() && emails->is_array()) ? ordered_items(*emails) : ordered_json::array();
  if (const json* v = find("roles")) out["roles"] = ordered_items(*v);
  if (layout == response_layout::organization) out["active"] = is_active;
  out["meta"] = render_meta("User", meta);
  return out;
}

}  // namespace emuscim::scim
