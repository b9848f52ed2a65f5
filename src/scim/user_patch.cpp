// apply_user_patch (user_patch.hpp): the User PATCH engine, RFC 7644 §3.5.2 in the dialects of
// github-emu-scim.md §10 and idp-clients.md §1.4, §1.5, §2.2.

#include "emuscim/scim/user_patch.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/base/text.hpp"
#include "emuscim/scim/filter.hpp"
#include "emuscim/scim/user.hpp"
#include "scim/model_util.hpp"
#include "scim/user_attrs.hpp"

namespace emuscim::scim {

namespace {

using nlohmann::json;
using base::iequals;
using model_detail::in_quotes;
using model_detail::is_blank;
using model_detail::schema_split;
using user_detail::user_attr;

// What one path (or one key of a pathless value) designates.
struct target {
  user_attr attr = user_attr::unsupported;
  std::string sub;      // canonical sub-attribute; empty for the whole attribute
  filter value_filter;  // emails[type eq "work"] and the like; null when absent
};

// nullopt: a path GitHub stores nothing under, accepted and ignored (github-emu-scim.md §10 rule 7).
result<std::optional<target>> classify(const patch_path& p) {
  if (!p.attr.urn.empty() && !iequals(p.attr.urn, user_schema)) return std::optional<target>{};
  const auto info = user_detail::lookup_user_attr(p.attr.name);
  const std::string& sub = p.value_filter ? p.sub_attr : p.attr.sub;
  target t{info.kind, "", p.value_filter};

  switch (info.kind) {
    case user_attr::user_name:
    case user_attr::external_id:
    case user_attr::active:
    case user_attr::display_name:
      if (p.value_filter) {
        return fail(invalid_path("Attribute " + in_quotes(info.name) +
                                 " is single-valued; a value filter [...] applies only to multi-valued attributes"));
      }
      if (!sub.empty()) {
        return fail(invalid_path("Attribute " + in_quotes(info.name) + " has no sub-attribute " + in_quotes(sub)));
      }
      return std::optional<target>{std::move(t)};
    case user_attr::name:
      if (p.value_filter) {
        return fail(invalid_path("Attribute 'name' is single-valued; a value filter [...] applies only to "
                                 "multi-valued attributes"));
      }
      if (!sub.empty()) {
        const auto canonical = user_detail::canonical_name_sub(sub);
        if (!canonical) return std::optional<target>{};  // not a name part GitHub keeps
        t.sub = std::string(*canonical);
      }
      return std::optional<target>{std::move(t)};
    case user_attr::emails:
    case user_attr::roles:
      if (!sub.empty()) {
        const auto canonical = model_detail::canonical_multi_sub(sub, info.kind == user_attr::roles);
        if (!canonical) return std::optional<target>{};
        t.sub = std::string(*canonical);
      }
      return std::optional<target>{std::move(t)};
    case user_attr::schemas:
    case user_attr::read_only:
    case user_attr::unsupported:
      return std::optional<target>{};
  }
  return std::optional<target>{};
}

// The sub-attribute values that an `eq` filter pins down (`type eq "work"`, `primary eq "True"`,
// joined by `and`), used to create the element a filtered add/replace did not find
// (github-emu-scim.md §10 rule 4). false when the filter does not describe one element.
bool collect_equalities(const filter_node& node, json& out) {
  if (const auto* c = std::get_if<comparison>(&node.node)) {
    if (c->op != compare_op::eq || !c->attr.urn.empty() || !c->attr.sub.empty() || c->value.is_null()) return false;
    if (model_detail::find_ci(out, c->attr.name) != nullptr) return false;
    out[c->attr.name] = c->value;
    return true;
  }
  if (const auto* l = std::get_if<logical>(&node.node)) {
    return l->op == logical::kind::and_ && l->lhs && l->rhs && collect_equalities(*l->lhs, out) &&
           collect_equalities(*l->rhs, out);
  }
  return false;
}

void merge_into(json& element, const json& patch) {
  for (const auto& [k, v] : patch.items()) element[k] = v;
}

bool is_primary(const json& element) {
  const auto it = element.find("primary");
  return it != element.end() && it->is_boolean() && it->get<bool>();
}

// RFC 7644 §3.5.2: setting one value's `primary` to true sets it to false on the others.
void demote_other_primaries(json& items, const std::vector<std::size_t>& touched) {
  const auto is_touched = [&](std::size_t i) { return std::find(touched.begin(), touched.end(), i) != touched.end(); };
  if (std::none_of(touched.begin(), touched.end(), [&](std::size_t i) { return is_primary(items[i]); })) return;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!is_touched(i) && is_primary(items[i])) items[i]["primary"] = false;
  }
}

bool same_string(const json& a, const json& b) {
  return a.is_string() && b.is_string() && iequals(a.get_ref<const std::string&>(), b.get_ref<const std::string&>());
}

class user_patcher {
 public:
  // The patch rules are the same in both modes; the mode matters to canonical_user afterwards.
  explicit user_patcher(json& doc) : doc_(doc) {}

  status apply(const patch_operation& op) {
    static const json absent;  // a missing value reads as null
    const json& value = op.value ? *op.value : absent;
    if (!model_detail::has_path(op)) {
      // RFC 7644 §3.5.2.2: a remove without a path has no target.
      if (op.op == patch_op_kind::remove) return fail(no_target("A remove operation needs a 'path'"));
      return apply_pathless(op.op, value);
    }
    const auto split = model_detail::split_schema(*op.path, user_schema);
    switch (split.what) {
      case schema_split::kind::other:
        // Enterprise-extension and foreign URNs: GitHub keeps none of them (§10 rules 3, 7).
        return {};
      case schema_split::kind::core:
        if (split.rest.empty()) {
          if (op.op == patch_op_kind::remove) return fail(no_target("Cannot remove the whole User"));
          return apply_pathless(op.op, value);
        }
        break;
      case schema_split::kind::none:
        break;
    }
    auto path = parse_patch_path(split.rest);
    if (!path) return fail(std::move(path.error()));
    auto t = classify(*path);
    if (!t) return fail(std::move(t.error()));
    if (!*t) return {};
    return apply_to(op.op, **t, value);
  }

 private:
  // RFC 7644 §3.5.2.1 / §3.5.2.3 with no path: the value holds attributes of the resource. Keys may be
  // dotted (`name.givenName`, Entra with aadOptscim062020) or URN-qualified (github-emu-scim.md §10 rule 3).
  status apply_pathless(patch_op_kind op, const json& value) {
    if (!value.is_object()) {
      return fail(invalid_value("An operation without a 'path' needs an object 'value' of attributes"));
    }
    for (const auto& [key, v] : value.items()) {
      const auto split = model_detail::split_schema(key, user_schema);
      if (split.what == schema_split::kind::other) continue;
      if (split.what == schema_split::kind::core && split.rest.empty()) {
        // {"urn:ietf:params:scim:schemas:core:2.0:User": {...}}: the core attributes, nested.
        if (v.is_object()) {
          if (auto ok = apply_pathless(op, v); !ok) return ok;
        }
        continue;
      }
      auto path = parse_patch_path(split.rest);
      if (!path) continue;  // a key that is no attribute path names nothing GitHub stores
      auto t = classify(*path);
      if (!t) return fail(std::move(t.error()));
      if (!*t) continue;
      if (auto ok = apply_to(op, **t, v); !ok) return ok;
    }
    return {};
  }

  status apply_to(patch_op_kind op, const target& t, const json& value) {
    switch (t.attr) {
      case user_attr::user_name:
      case user_attr::external_id:
      case user_attr::active:
      case user_attr::display_name:
        return apply_simple(op, t.attr, value);
      case user_attr::name:
        return apply_name(op, t.sub, value);
      case user_attr::emails:
      case user_attr::roles:
        if (!t.value_filter && t.sub.empty()) return apply_whole_multi(op, t.attr == user_attr::roles, value);
        return apply_elements(op, t, value);
      case user_attr::schemas:
      case user_attr::read_only:
      case user_attr::unsupported:
        return {};
    }
    return {};
  }

  // github-emu-scim.md §10 rule 8, refined: a JSON null is RFC 7643 §2.5's "unassigned", so replacing
  // with null is a remove; "" clears optional strings but is an invalid userName or active.
  status clear_simple(user_attr attr) {
    const auto name = user_detail::attr_name(attr);
    switch (attr) {
      case user_attr::user_name:
      case user_attr::active:
      case user_attr::external_id:  // the IdP link (§10 rule 8), in both modes
        return fail(mutability("Attribute " + in_quotes(name) + " is required and cannot be removed"));
      case user_attr::display_name:
        doc_.erase("displayName");
        return {};
      case user_attr::name:
      case user_attr::emails:
      case user_attr::roles:
      case user_attr::schemas:
      case user_attr::read_only:
      case user_attr::unsupported:
        break;
    }
    return {};
  }

  status apply_simple(patch_op_kind op, user_attr attr, const json& value) {
    const std::string name(user_detail::attr_name(attr));
    if (op == patch_op_kind::remove || value.is_null()) return clear_simple(attr);
    if (attr == user_attr::active) {
      const auto b = model_detail::to_bool(value);
      if (!b) return fail(invalid_value("Attribute 'active' must be a boolean (true or false)"));
      doc_["active"] = *b;
      return {};
    }
    if (!value.is_string()) return fail(invalid_value("Attribute " + in_quotes(name) + " must be a string"));
    if (value.get_ref<const std::string&>().empty()) {
      if (attr == user_attr::user_name) return fail(invalid_value("Attribute 'userName' must not be empty"));
      return clear_simple(attr);
    }
    doc_[name] = value;
    return {};
  }

  status apply_name(patch_op_kind op, const std::string& sub, const json& value) {
    if (sub.empty()) {
      if (op == patch_op_kind::remove || is_blank(value)) {
        doc_.erase("name");
        return {};
      }
      if (!value.is_object()) return fail(invalid_value("Attribute 'name' must be an object"));
      // RFC 7644 §3.5.2.1 and §3.5.2.3: add and replace on a complex attribute set the given
      // sub-attributes and leave the others unchanged.
      for (const auto& [key, v] : value.items()) {
        const auto canonical = user_detail::canonical_name_sub(key);
        if (!canonical) continue;
        if (auto ok = set_name_part(std::string(*canonical), v); !ok) return ok;
      }
    } else {
      if (auto ok = set_name_part(sub, op == patch_op_kind::remove ? json(nullptr) : value); !ok) return ok;
    }
    if (doc_.contains("name") && (!doc_["name"].is_object() || doc_["name"].empty())) doc_.erase("name");
    return {};
  }

  status set_name_part(const std::string& sub, const json& value) {
    if (is_blank(value)) {
      if (doc_.contains("name") && doc_["name"].is_object()) doc_["name"].erase(sub);
      return {};
    }
    if (!value.is_string()) return fail(invalid_value("Attribute 'name." + sub + "' must be a string"));
    if (!doc_.contains("name") || !doc_["name"].is_object()) doc_["name"] = json::object();
    doc_["name"][sub] = value;
    return {};
  }

  json& items_of(const char* attr) {
    if (!doc_.contains(attr) || !doc_[attr].is_array()) doc_[attr] = json::array();
    return doc_[attr];
  }

  // The values a whole-attribute operation carries: an array, or (leniently) one item.
  result<std::vector<json>> values_of(const json& value, bool roles, bool partial) {
    const char* attr = roles ? "roles" : "emails";
    const json list = value.is_array() ? value : json::array({value});
    std::vector<json> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (list[i].is_null()) continue;
      const std::string where = std::string(attr) + "[" + std::to_string(i) + "]";
      auto item = partial ? model_detail::partial_multi_item(list[i], roles, where)
                          : model_detail::multi_item(list[i], roles, where);
      if (!item) return fail(std::move(item.error()));
      out.push_back(std::move(*item));
    }
    return out;
  }

  // emails / roles without a filter (github-emu-scim.md §10 rule 6): add merges, replace sets,
  // remove clears or removes the listed values.
  status apply_whole_multi(patch_op_kind op, bool roles, const json& value) {
    const char* attr = roles ? "roles" : "emails";
    if (op == patch_op_kind::remove) {
      if (value.is_null()) {
        doc_.erase(attr);
        return {};
      }
      auto doomed = values_of(value, roles, /*partial=*/true);
      if (!doomed) return fail(std::move(doomed.error()));
      if (!doc_.contains(attr) || !doc_[attr].is_array()) return {};
      json& items = doc_[attr];
      for (const auto& d : *doomed) {
        // Values are matched on `value`; an item without one (e.g. {"type":"work"}) matches on `type`.
        const char* key = d.contains("value") ? "value" : (d.contains("type") ? "type" : nullptr);
        if (key == nullptr) {
          return fail(invalid_value(std::string("Each value to remove from '") + attr + "' needs a 'value'"));
        }
        json kept = json::array();
        for (auto& e : items) {
          if (!(e.contains(key) && same_string(e[key], d[key]))) kept.push_back(std::move(e));
        }
        items = std::move(kept);
      }
      return {};
    }

    if (is_blank(value)) {
      // replace with null/"" clears (§10 rule 8); add with nothing adds nothing.
      if (op == patch_op_kind::replace) doc_.erase(attr);
      return {};
    }
    auto incoming = values_of(value, roles, /*partial=*/false);
    if (!incoming) return fail(std::move(incoming.error()));
    if (op == patch_op_kind::replace) {
      // AssertiveAppRoleAssignmentsComplex: the full set, so unassigned roles go (entra-roles/03b).
      json list = json::array();
      for (auto& v : *incoming) list.push_back(std::move(v));
      doc_[attr] = std::move(list);
      return {};
    }

    // add: RFC 7644 §3.5.2.1 adds values to the existing ones. A value already present (same
    // `value`, compared case-insensitively) is updated rather than repeated: AppRoleAssignmentsComplex
    // re-sends every assigned role. An email whose type is already used updates that email, since
    // types are unique within emails (idp-clients.md §1.4).
    json& items = items_of(attr);
    for (auto& v : *incoming) {
      std::optional<std::size_t> at;
      for (std::size_t i = 0; i < items.size() && !at; ++i) {
        if (items[i].contains("value") && same_string(items[i]["value"], v["value"])) at = i;
      }
      for (std::size_t i = 0; i < items.size() && !at && !roles && v.contains("type"); ++i) {
        if (items[i].contains("type") && same_string(items[i]["type"], v["type"])) at = i;
      }
      if (at) {
        merge_into(items[*at], v);
      } else {
        items.push_back(std::move(v));
        at = items.size() - 1;
      }
      demote_other_primaries(items, {*at});
    }
    return {};
  }

  // Element-level operations: emails[type eq "work"], emails[type eq "work"].value, roles.display, ...
  status apply_elements(patch_op_kind op, const target& t, const json& value) {
    const bool roles = t.attr == user_attr::roles;
    const char* attr = roles ? "roles" : "emails";
    const bool exists = doc_.contains(attr) && doc_[attr].is_array();

    std::vector<std::size_t> matched;
    if (exists) {
      const json& items = doc_[attr];
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (!t.value_filter || matches(*t.value_filter, items[i])) matched.push_back(i);
      }
    }

    if (op == patch_op_kind::remove || is_blank(value)) {
      // A filter that matches nothing makes remove a no-op rather than RFC 7644's noTarget:
      // the IdP wants the value gone, and it is.
      if (!exists) return {};
      json& items = doc_[attr];
      if (t.sub.empty() || t.sub == "value") {
        // An item cannot live without its value, so clearing `value` removes the item.
        for (auto it = matched.rbegin(); it != matched.rend(); ++it) items.erase(*it);
      } else {
        for (auto i : matched) items[i].erase(t.sub);
      }
      return {};
    }

    const json given = t.sub.empty() ? value : json{{t.sub, value}};
    auto patch = model_detail::partial_multi_item(given, roles, attr);
    if (!patch) return fail(std::move(patch.error()));
    if (patch->empty()) return {};  // only sub-attributes GitHub does not keep

    json& items = items_of(attr);
    if (matched.empty()) {
      json element = json::object();
      if (t.value_filter) {
        json pinned = json::object();
        if (!collect_equalities(*t.value_filter, pinned)) {
          return fail(no_target(std::string("No value of '") + attr + "' matches the filter '" +
                                to_string(*t.value_filter) + "'"));
        }
        auto seed = model_detail::partial_multi_item(pinned, roles, attr);
        if (!seed) return fail(std::move(seed.error()));
        element = std::move(*seed);
      }
      merge_into(element, *patch);
      items.push_back(std::move(element));
      matched.push_back(items.size() - 1);
    } else {
      for (auto i : matched) merge_into(items[i], *patch);
    }
    demote_other_primaries(items, matched);
    return {};
  }

  json& doc_;
};

result<json> apply_impl(json doc, const std::vector<patch_operation>& ops, validation_mode mode) {
  if (!doc.is_object()) return fail(internal("The stored User is not a JSON object"));
  user_patcher patcher(doc);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (auto ok = patcher.apply(ops[i]); !ok) {
      auto e = std::move(ok.error());
      e.detail = "Operations[" + std::to_string(i) + "]: " + e.detail;
      return fail(std::move(e));
    }
  }
  return canonical_user(doc, mode, user_use::patched);
}

}  // namespace

result<nlohmann::json> apply_user_patch(nlohmann::json doc, const std::vector<patch_operation>& ops,
                                        validation_mode mode) {
  try {
    return apply_impl(std::move(doc), ops, mode);
  } catch (const nlohmann::json::exception&) {
    // Not reachable with the checks above; kept so a missed case answers 400, not 500.
    return fail(invalid_value("The PATCH could not be applied to the User"));
  }
}

}  // namespace emuscim::scim
