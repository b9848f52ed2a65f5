#include "emuscim/scim/group.hpp"

#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "emuscim/base/text.hpp"
#include "scim/group_attrs.hpp"
#include "scim/model_util.hpp"

namespace emuscim::scim {

namespace group_detail {

namespace {

using nlohmann::json;

// One member reference: {"value": id, "display"?, "displayName"?, "$ref"?: null} or a bare id string
// (github-emu-scim.md §8; Entra sends "$ref": null, Okta `display`).
// The view points into `item`.
result<std::string_view> member_id(const json& item, std::size_t index) {
  const json* v = item.is_string() ? &item : model_detail::find_ci(item, "value");
  if (v == nullptr || !v->is_string() || v->get_ref<const std::string&>().empty()) {
    return fail(invalid_value("Attribute 'members[" + std::to_string(index) +
                              "]' needs a non-empty string 'value' (the SCIM user id)"));
  }
  return std::string_view(v->get_ref<const std::string&>());
}

}  // namespace

group_attr lookup_group_attr(std::string_view name) {
  using base::iequals;
  if (iequals(name, "displayName")) return group_attr::display_name;
  if (iequals(name, "externalId")) return group_attr::external_id;
  if (iequals(name, "members")) return group_attr::members;
  if (iequals(name, "schemas")) return group_attr::schemas;
  if (iequals(name, "id") || iequals(name, "meta")) return group_attr::read_only;
  return group_attr::unsupported;
}

result<std::vector<std::string>> member_ids(const nlohmann::json& value) {
  using nlohmann::json;
  // Not copied into an array first: a full replace can carry 100,000 members.
  const std::size_t count = value.is_array() ? value.size() : 1;
  std::vector<std::string> out;
  out.reserve(count);
  std::unordered_set<std::string_view> seen;
  seen.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const json& item = value.is_array() ? value[i] : value;
    if (item.is_null()) continue;
    auto id = member_id(item, i);
    if (!id) return fail(std::move(id.error()));
    if (seen.insert(*id).second) out.emplace_back(*id);
  }
  return out;
}

result<std::string> display_name_value(const nlohmann::json& v) {
  if (!v.is_string()) {
    if (v.is_null()) return fail(invalid_value("Attribute 'displayName' must be a non-empty string"));
    return fail(invalid_value("Attribute 'displayName' must be a string"));
  }
  if (v.get_ref<const std::string&>().empty()) return fail(invalid_value("Attribute 'displayName' must not be empty"));
  return v.get<std::string>();
}

}  // namespace group_detail

namespace {

using nlohmann::json;
using group_detail::display_name_value;
using group_detail::group_attr;
using group_detail::lookup_group_attr;
using group_detail::member_ids;

result<group_input> canonical_group_impl(const json& body, validation_mode mode) {
  if (!body.is_object()) return fail(invalid_syntax("A Group must be a JSON object"));
  const json* display_name = nullptr;
  const json* external_id = nullptr;
  const json* members = nullptr;
  const json* schemas = nullptr;
  for (const auto& [key, v] : body.items()) {
    const json** slot = nullptr;
    switch (lookup_group_attr(key)) {
      case group_attr::display_name: slot = &display_name; break;
      case group_attr::external_id: slot = &external_id; break;
      case group_attr::members: slot = &members; break;
      case group_attr::schemas: slot = &schemas; break;
      case group_attr::read_only:
      case group_attr::unsupported:
        continue;
    }
    if (*slot != nullptr) return fail(invalid_value("Attribute '" + key + "' is given more than once"));
    *slot = &v;
  }

  const bool strict = mode == validation_mode::strict;
  if (strict && !model_detail::schemas_contain(schemas, group_schema)) {
    return fail(invalid_value("Attribute 'schemas' must contain '" + std::string(group_schema) + "'"));
  }
  group_input out;
  out.doc = json::object();
  if (display_name == nullptr || display_name->is_null()) {
    return fail(invalid_value("Missing required attribute 'displayName'"));
  }
  auto name = display_name_value(*display_name);
  if (!name) return fail(std::move(name.error()));
  out.doc["displayName"] = std::move(*name);

  if (external_id != nullptr && !model_detail::is_blank(*external_id)) {
    if (!external_id->is_string()) return fail(invalid_value("Attribute 'externalId' must be a string"));
    out.doc["externalId"] = *external_id;
  } else if (strict) {
    return fail(invalid_value("Missing required attribute 'externalId'"));
  }

  if (members != nullptr && !members->is_null()) {
    auto ids = member_ids(*members);
    if (!ids) return fail(std::move(ids.error()));
    out.members = std::move(*ids);
  }
  return out;
}

}  // namespace

result<group_input> canonical_group(const nlohmann::json& body, validation_mode mode) {
  try {
    return canonical_group_impl(body, mode);
  } catch (const nlohmann::json::exception&) {
    return fail(invalid_value("The Group could not be read"));
  }
}

nlohmann::ordered_json render_group(const nlohmann::json& doc, const resource_meta& meta,
                                    const std::vector<member_view>* members) {
  using nlohmann::ordered_json;
  ordered_json out = ordered_json::object();
  out["schemas"] = ordered_json::array({std::string(group_schema)});
  out["id"] = meta.id;
  // github-emu-scim.md §8: externalId is always present, null when unset (Okta's groups have none).
  const auto ext = doc.find("externalId");
  out["externalId"] = (ext != doc.end() && ext->is_string()) ? ordered_json(*ext) : ordered_json(nullptr);
  const auto name = doc.find("displayName");
  out["displayName"] = (name != doc.end() && name->is_string()) ? ordered_json(*name) : ordered_json(nullptr);
  if (members != nullptr) {
    ordered_json list = ordered_json::array();
    for (const auto& m : *members) {
      ordered_json item = ordered_json::object();
      item["value"] = m.value;
      item["$ref"] = m.ref;
      if (m.display) item["display"] = *m.display;
      list.push_back(std::move(item));
    }
    out["members"] = std::move(list);
  }
  out["meta"] = render_meta("Group", meta);
  return out;
}

}  // namespace emuscim::scim
