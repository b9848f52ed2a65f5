#include "scim/model_util.hpp"

#include <array>
#include <utility>

#include "emuscim/base/text.hpp"

namespace emuscim::scim::model_detail {

namespace {

using base::iequals;

// Entra wraps roles as "{\"id\":\"…\",\"value\":\"…\",\"displayName\":\"…\"}" in PATCH (idp-clients.md Q5).
bool looks_like_json_object(const nlohmann::json& v) {
  return v.is_string() && base::trim(v.get_ref<const std::string&>()).starts_with('{');
}

result<nlohmann::json> unwrap_json_string(const nlohmann::json& v, const std::string& where) {
  auto parsed = nlohmann::json::parse(v.get_ref<const std::string&>(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return fail(
        invalid_value("Attribute '" + where + "' holds a string that starts with '{' but is not a JSON object"));
  }
  return parsed;
}

}  // namespace

std::string in_quotes(std::string_view text) {
  // Appended piecewise: GCC 12 reports `"'" + std::string(text) + "'"` as an out-of-bounds read
  // (-Warray-bounds, a false positive) in Release builds.
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('\'');
  out.append(text);
  out.push_back('\'');
  return out;
}

const nlohmann::json* find_ci(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  if (const auto it = object.find(key); it != object.end()) return &*it;
  for (const auto& [k, v] : object.items()) {
    if (iequals(k, key)) return &v;
  }
  return nullptr;
}

bool schemas_contain(const nlohmann::json* schemas, std::string_view urn) {
  if (schemas == nullptr) return false;
  const auto is_urn = [&](const nlohmann::json& s) {
    return s.is_string() && iequals(s.get_ref<const std::string&>(), urn);
  };
  if (is_urn(*schemas)) return true;
  if (!schemas->is_array()) return false;
  for (const auto& s : *schemas) {
    if (is_urn(s)) return true;
  }
  return false;
}

std::optional<bool> to_bool(const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (iequals(s, "true")) return true;
    if (iequals(s, "false")) return false;
  }
  return std::nullopt;
}

bool is_blank(const nlohmann::json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty());
}

schema_split split_schema(std::string_view key, std::string_view core_urn) {
  if (!base::istarts_with(key, "urn:")) return {schema_split::kind::none, key};
  if (base::istarts_with(key, core_urn)) {
    const auto rest = key.substr(core_urn.size());
    if (rest.empty()) return {schema_split::kind::core, rest};
    // RFC 7644 §3.10 writes the attribute after ':'; legacy Entra jobs use '.' (idp-clients.md §1.4).
    if (rest.front() == ':' || rest.front() == '.') return {schema_split::kind::core, rest.substr(1)};
  }
  return {schema_split::kind::other, key};
}

bool has_path(const patch_operation& op) { return op.path && !base::trim(*op.path).empty(); }

std::optional<std::string_view> canonical_multi_sub(std::string_view name, bool roles) {
  static constexpr std::array<std::string_view, 4> subs = {"value", "type", "primary", "display"};
  for (auto s : subs) {
    if (iequals(name, s)) return s;
  }
  // AppRoleAssignmentsComplex sends roles[].displayName (entra-roles/02a).
  if (roles && iequals(name, "displayName")) return std::string_view("display");
  return std::nullopt;
}

result<nlohmann::json> partial_multi_item(const nlohmann::json& item, bool roles, const std::string& where) {
  if (item.is_string()) {
    if (roles && looks_like_json_object(item)) {
      auto inner = unwrap_json_string(item, where);
      if (!inner) return inner;
      return partial_multi_item(*inner, roles, where);
    }
    nlohmann::json out = nlohmann::json::object();
    if (!item.get_ref<const std::string&>().empty()) out["value"] = item;
    return out;
  }
  if (!item.is_object()) {
    return fail(invalid_value("Attribute '" + where + "' must be an object with a 'value'"));
  }

  nlohmann::json out = nlohmann::json::object();
  // `display` wins over Entra's `displayName` when both are present, whatever the key order.
  bool has_display = false;
  for (const auto& [key, v] : item.items()) {
    const auto sub = canonical_multi_sub(key, roles);
    if (!sub || is_blank(v)) continue;
    const std::string name(*sub);
    if (name == "primary") {
      const auto b = to_bool(v);
      if (!b) return fail(invalid_value("Attribute '" + where + ".primary' must be a boolean"));
      out[name] = *b;
      continue;
    }
    if (name == "value" && roles && looks_like_json_object(v)) {
      auto inner = unwrap_json_string(v, where + ".value");
      if (!inner) return fail(std::move(inner.error()));
      auto inner_item = partial_multi_item(*inner, roles, where + ".value");
      if (!inner_item) return inner_item;
      // The inner object supplies value and display; sub-attributes of the outer item take precedence.
      for (const auto& [ik, iv] : inner_item->items()) {
        if (ik == "value" || !out.contains(ik)) out[ik] = iv;
      }
      continue;
    }
    if (!v.is_string()) return fail(invalid_value("Attribute '" + where + "." + name + "' must be a string"));
    const bool is_display_key = iequals(key, "display");
    if (name == "display" && has_display && !is_display_key) continue;
    if (name == "display" && is_display_key) has_display = true;
    out[name] = v;
  }
  return out;
}

result<nlohmann::json> multi_item(const nlohmann::json& item, bool roles, const std::string& where) {
  auto out = partial_multi_item(item, roles, where);
  if (!out) return out;
  const auto it = out->find("value");
  if (it == out->end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return fail(invalid_value("Attribute '" + where + ".value' must be a non-empty string"));
  }
  return out;
}

}  // namespace emuscim::scim::model_detail
