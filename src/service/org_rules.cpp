#include "emuscim/service/org_rules.hpp"

#include <algorithm>

#include "emuscim/base/text.hpp"
#include "emuscim/emu/names.hpp"

namespace emuscim::service::org_rules {

namespace {

using nlohmann::json;

scim::error missing(std::string_view attr) {
  return scim::invalid_value("Missing required attribute '" + std::string(attr) + "'");
}

bool has_string(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() && !it->get_ref<const std::string&>().empty();
}

// The `value` of each email item that has one.
std::vector<std::string> values_of(const json& doc) {
  std::vector<std::string> out;
  const auto emails = doc.find("emails");
  if (emails == doc.end() || !emails->is_array()) return out;
  for (const auto& e : *emails) {
    if (e.is_object() && has_string(e, "value")) out.push_back(e["value"].get<std::string>());
  }
  return out;
}

}  // namespace

scim::status check_required(const json& doc, scim::validation_mode mode, scim::user_use use) {
  if (!has_string(doc, "userName")) return scim::fail(missing("userName"));
  if (values_of(doc).empty()) return scim::fail(missing("emails"));
  if (mode == scim::validation_mode::strict && use != scim::user_use::patched) {
    const auto name = doc.find("name");
    for (const char* part : {"givenName", "familyName"}) {
      if (name == doc.end() || !name->is_object() || !has_string(*name, part)) {
        return scim::fail(missing(std::string("name.") + part));
      }
    }
  }
  return {};
}

scim::result<json> canonical(const json& body, scim::validation_mode mode, scim::user_use use) {
  auto doc = scim::canonical_user_attributes(body);
  if (!doc) return doc;
  as_org_document(*doc);
  if (auto ok = check_required(*doc, mode, use); !ok) return scim::fail(ok.error());
  if (use == scim::user_use::create && !doc->value("active", true)) {
    return scim::fail(scim::invalid_value(
        "'active: false' removes a person from the organization; there is nobody to provision"));
  }
  return doc;
}

void as_org_document(json& doc) {
  doc.erase("roles");
  if (!has_string(doc, "displayName")) {
    if (auto shown = display_name(doc); !shown.empty()) doc["displayName"] = std::move(shown);
  }
}

std::string invitation_email(const json& doc) {
  const auto emails = doc.find("emails");
  if (emails == doc.end() || !emails->is_array()) return {};
  for (const auto& e : *emails) {
    if (e.is_object() && e.value("primary", false) && has_string(e, "value")) return e["value"].get<std::string>();
  }
  const auto values = values_of(doc);
  return values.empty() ? std::string() : values.front();
}

std::vector<std::string> email_values(const json& doc) {
  std::vector<std::string> out;
  for (auto& v : values_of(doc)) {
    const bool seen = std::ranges::any_of(out, [&](const std::string& kept) { return base::iequals(kept, v); });
    if (!seen) out.push_back(std::move(v));
  }
  return out;
}

std::string display_name(const json& doc) {
  if (has_string(doc, "displayName")) return doc["displayName"].get<std::string>();
  const auto name = doc.find("name");
  if (name == doc.end() || !name->is_object()) return {};
  if (has_string(*name, "formatted")) return (*name)["formatted"].get<std::string>();
  std::string out;
  for (const char* part : {"givenName", "familyName"}) {
    if (!has_string(*name, part)) continue;
    if (!out.empty()) out += ' ';
    out += (*name)[part].get<std::string>();
  }
  return out;
}

void adapt_patch(std::vector<scim::patch_operation>& ops) {
  for (auto& op : ops) {
    if (op.op == scim::patch_op_kind::remove || (op.path && !base::trim(*op.path).empty())) continue;
    if (!op.value || !op.value->is_object()) continue;
    json& value = *op.value;
    // Collect first: renaming while iterating would invalidate the iteration.
    std::vector<std::pair<std::string, std::string>> renames;
    for (const auto& [key, v] : value.items()) {
      if (base::iequals(key, "givenName")) renames.emplace_back(key, "name.givenName");
      if (base::iequals(key, "familyName")) renames.emplace_back(key, "name.familyName");
    }
    for (auto& [from, to] : renames) {
      json v = std::move(value[from]);
      value.erase(from);
      value[to] = std::move(v);
    }
  }
}

scim::status check_patch_plan(const scim::user_patch_plan& plan, scim::validation_mode mode) {
  if (mode != scim::validation_mode::strict) return {};
  for (const auto& step : plan.steps) {
    if (step.value_filter) {
      return scim::fail(scim::invalid_path("Operations[" + std::to_string(step.operation) +
                                           "]: path selectors that include filters are not supported"));
    }
  }
  return {};
}

change classify(const json& after) { return after.value("active", true) ? change::update : change::deprovision; }

bool valid_login(std::string_view login) { return emu::valid_org_login(login); }

}  // namespace emuscim::service::org_rules
