// plan_user_patch and apply_user_patch (user_patch.hpp): the User PATCH, RFC 7644 §3.5.2 in the
// dialects of github-emu-scim.md §10 and idp-clients.md §1.4, §1.5, §2.2.

#include "emuscim/scim/user_patch.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "emuscim/base/text.hpp"
#include "scim/model_util.hpp"
#include "scim/patch_walk.hpp"
#include "scim/user_attrs.hpp"

namespace emuscim::scim {

namespace {

using nlohmann::json;
using model_detail::in_quotes;
using model_detail::is_blank;
using action = user_patch_step::action;

const char* multi_name(user_attr a) { return a == user_attr::roles ? "roles" : "emails"; }

// ---- Compiling: classification and value checks, without the stored user -----------------------

// What one path (or one key of a path-less value) designates.
struct target {
  user_attr attr = user_attr::unsupported;
  std::string sub;      // canonical sub-attribute; empty for the whole attribute
  filter value_filter;  // emails[type eq "work"] and the like; null when absent
};

// nullopt: a path GitHub stores nothing under, accepted and ignored (github-emu-scim.md §10 rule 7).
result<std::optional<target>> classify(const patch_path& p) {
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

// A name part: a string, or null (also for "") to remove it.
result<json> name_part(std::string_view sub, const json& value) {
  if (is_blank(value)) return json(nullptr);
  if (!value.is_string()) return fail(invalid_value("Attribute 'name." + std::string(sub) + "' must be a string"));
  return value;
}

// The items a whole-attribute operation carries: an array, or (leniently) one item. Nulls are skipped.
result<json> items_of(const json& value, bool roles, bool partial) {
  const char* attr = roles ? "roles" : "emails";
  const json list = value.is_array() ? value : json::array({value});
  json out = json::array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].is_null()) continue;
    const std::string where = std::string(attr) + "[" + std::to_string(i) + "]";
    auto item = partial ? model_detail::partial_multi_item(list[i], roles, where)
                        : model_detail::multi_item(list[i], roles, where);
    if (!item) return item;
    out.push_back(std::move(*item));
  }
  return out;
}

class user_compiler {
 public:
  status compile(const patch_detail::patch_target& t) {
    auto classified = classify(t.path);
    if (!classified) return fail(std::move(classified.error()));
    if (!*classified) {
      const auto kind = user_detail::lookup_user_attr(t.path.attr.name).kind;
      if (kind != user_attr::schemas && kind != user_attr::read_only) ignored(t.text);
      return {};
    }
    const target& c = **classified;
    operation_ = t.operation;
    switch (c.attr) {
      case user_attr::user_name:
      case user_attr::external_id:
      case user_attr::active:
      case user_attr::display_name:
        return simple(t.op, c.attr, t.value);
      case user_attr::name:
        return compile_name(t.op, c.sub, t.value);
      case user_attr::emails:
      case user_attr::roles:
        if (!c.value_filter && c.sub.empty()) return whole_multi(t.op, c.attr, t.value);
        return elements(t.op, c, t.value);
      case user_attr::schemas:
      case user_attr::read_only:
      case user_attr::unsupported:
        return {};
    }
    return {};
  }

  user_patch_plan take() { return std::move(plan_); }

  void ignored(std::string_view attr) {
    plan_.tolerated.note("ignored unsupported attribute '" + std::string(attr) + "'");
  }

 private:
  void emit(user_attr attr, action act, json value = nullptr, filter value_filter = nullptr, std::string sub = {}) {
    plan_.steps.push_back({operation_, attr, act, std::move(value), std::move(value_filter), std::move(sub)});
  }

  // github-emu-scim.md §10 rule 8, refined: a JSON null is RFC 7643 §2.5's "unassigned", so replacing
  // with null is a remove; "" clears optional strings but is an invalid userName or active.
  status clear_simple(user_attr attr) {
    switch (attr) {
      case user_attr::user_name:
      case user_attr::active:
      case user_attr::external_id:  // the IdP link (§10 rule 8), in both modes
        return fail(mutability("Attribute " + in_quotes(user_detail::attr_name(attr)) +
                               " is required and cannot be removed"));
      case user_attr::display_name:
        emit(attr, action::clear);
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

  status simple(patch_op_kind op, user_attr attr, const json& value) {
    if (op == patch_op_kind::remove || value.is_null()) return clear_simple(attr);
    if (attr == user_attr::active) {
      const auto b = model_detail::to_bool(value);
      if (!b) return fail(invalid_value("Attribute 'active' must be a boolean (true or false)"));
      if (value.is_string()) {
        // idp-clients.md §1.4: Entra sends "False"/"True" without aadOptscim062020.
        plan_.tolerated.note("accepted Entra's string \"" + value.get<std::string>() + "\" for active");
        plan_.tolerated.dialect = "entra";
      }
      emit(attr, action::assign, *b);
      return {};
    }
    if (!value.is_string()) {
      return fail(invalid_value("Attribute " + in_quotes(user_detail::attr_name(attr)) + " must be a string"));
    }
    if (value.get_ref<const std::string&>().empty()) {
      if (attr == user_attr::user_name) return fail(invalid_value("Attribute 'userName' must not be empty"));
      return clear_simple(attr);
    }
    emit(attr, action::assign, value);
    return {};
  }

  status compile_name(patch_op_kind op, const std::string& sub, const json& value) {
    json parts = json::object();
    if (sub.empty()) {
      if (op == patch_op_kind::remove || is_blank(value)) {
        emit(user_attr::name, action::clear);
        return {};
      }
      if (!value.is_object()) return fail(invalid_value("Attribute 'name' must be an object"));
      // RFC 7644 §3.5.2.1 and §3.5.2.3: add and replace on a complex attribute set the given
      // sub-attributes and leave the others unchanged.
      for (const auto& [key, v] : value.items()) {
        const auto canonical = user_detail::canonical_name_sub(key);
        if (!canonical) continue;
        auto part = name_part(*canonical, v);
        if (!part) return fail(std::move(part.error()));
        parts[std::string(*canonical)] = std::move(*part);
      }
    } else {
      auto part = name_part(sub, op == patch_op_kind::remove ? json(nullptr) : value);
      if (!part) return fail(std::move(part.error()));
      parts[sub] = std::move(*part);
    }
    emit(user_attr::name, action::assign, std::move(parts));
    return {};
  }

  // emails / roles without a filter (github-emu-scim.md §10 rule 6): add merges, replace sets,
  // remove clears or removes the listed values.
  status whole_multi(patch_op_kind op, user_attr attr, const json& value) {
    const bool roles = attr == user_attr::roles;
    if (op == patch_op_kind::remove) {
      if (value.is_null()) {
        emit(attr, action::clear);
        return {};
      }
      auto doomed = items_of(value, roles, /*partial=*/true);
      if (!doomed) return fail(std::move(doomed.error()));
      emit(attr, action::remove_items, std::move(*doomed));
      return {};
    }
    if (is_blank(value)) {
      // replace with null/"" clears (§10 rule 8); add with nothing adds nothing.
      if (op == patch_op_kind::replace) emit(attr, action::clear);
      return {};
    }
    auto incoming = items_of(value, roles, /*partial=*/false);
    if (!incoming) return fail(std::move(incoming.error()));
    // replace: AssertiveAppRoleAssignmentsComplex sends the full set, so unassigned roles go (entra-roles/03b).
    emit(attr, op == patch_op_kind::replace ? action::assign : action::merge_items, std::move(*incoming));
    return {};
  }

  // Element-level operations: emails[type eq "work"], emails[type eq "work"].value, roles.display, ...
  status elements(patch_op_kind op, const target& t, const json& value) {
    if (op == patch_op_kind::remove || is_blank(value)) {
      emit(t.attr, action::remove_elements, nullptr, t.value_filter, t.sub);
      return {};
    }
    const bool roles = t.attr == user_attr::roles;
    const json given = t.sub.empty() ? value : json{{t.sub, value}};
    auto patch = model_detail::partial_multi_item(given, roles, multi_name(t.attr));
    if (!patch) return fail(std::move(patch.error()));
    if (patch->empty()) return {};  // only sub-attributes GitHub does not keep
    emit(t.attr, action::patch_elements, std::move(*patch), t.value_filter);
    return {};
  }

  std::size_t operation_ = 0;
  user_patch_plan plan_;
};

result<user_patch_plan> plan_impl(const std::vector<patch_operation>& ops) {
  user_compiler compiler;
  auto ok = patch_detail::walk_patch(
      ops, user_schema, "User", [&](const patch_detail::patch_target& t) { return compiler.compile(t); },
      [&](std::string_view path) { compiler.ignored(path); });
  if (!ok) return fail(std::move(ok.error()));
  auto plan = compiler.take();
  note_op_spellings(ops, plan.tolerated);
  return plan;
}

// ---- Applying: the plan against the stored document ---------------------------------------------

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
  return a.is_string() && b.is_string() &&
         base::iequals(a.get_ref<const std::string&>(), b.get_ref<const std::string&>());
}

class user_executor {
 public:
  explicit user_executor(json& doc) : doc_(doc) {}

  status run(const user_patch_step& s) {
    switch (s.attr) {
      case user_attr::user_name:
      case user_attr::external_id:
      case user_attr::active:
      case user_attr::display_name: {
        const std::string name(user_detail::attr_name(s.attr));
        if (s.act == action::clear) {
          doc_.erase(name);
        } else {
          doc_[name] = s.value;
        }
        return {};
      }
      case user_attr::name:
        run_name(s);
        return {};
      case user_attr::emails:
      case user_attr::roles:
        return multi(s);
      case user_attr::schemas:
      case user_attr::read_only:
      case user_attr::unsupported:
        return {};
    }
    return {};
  }

 private:
  void run_name(const user_patch_step& s) {
    if (s.act == action::clear) {
      doc_.erase("name");
      return;
    }
    for (const auto& [part, v] : s.value.items()) {
      if (v.is_null()) {
        if (doc_.contains("name") && doc_["name"].is_object()) doc_["name"].erase(part);
        continue;
      }
      if (!doc_.contains("name") || !doc_["name"].is_object()) doc_["name"] = json::object();
      doc_["name"][part] = v;
    }
    if (doc_.contains("name") && (!doc_["name"].is_object() || doc_["name"].empty())) doc_.erase("name");
  }

  json& items_of(const char* attr) {
    if (!doc_.contains(attr) || !doc_[attr].is_array()) doc_[attr] = json::array();
    return doc_[attr];
  }

  status multi(const user_patch_step& s) {
    const char* attr = multi_name(s.attr);
    switch (s.act) {
      case action::clear:
        doc_.erase(attr);
        return {};
      case action::assign:
        doc_[attr] = s.value;
        return {};
      case action::merge_items:
        merge_items(s.attr == user_attr::roles, s.value);
        return {};
      case action::remove_items:
        return remove_items(attr, s.value);
      case action::patch_elements:
        return patch_elements(s);
      case action::remove_elements:
        remove_elements(s);
        return {};
    }
    return {};
  }

  // add: RFC 7644 §3.5.2.1 adds values to the existing ones. A value already present (same
  // `value`, compared case-insensitively) is updated rather than repeated: AppRoleAssignmentsComplex
  // re-sends every assigned role. An email whose type is already used updates that email, since
  // types are unique within emails (idp-clients.md §1.4).
  void merge_items(bool roles, const json& incoming) {
    json& items = items_of(roles ? "roles" : "emails");
    for (const auto& v : incoming) {
      std::optional<std::size_t> at;
      for (std::size_t i = 0; i < items.size() && !at; ++i) {
        if (items[i].contains("value") && same_string(items[i]["value"], v.at("value"))) at = i;
      }
      for (std::size_t i = 0; i < items.size() && !at && !roles && v.contains("type"); ++i) {
        if (items[i].contains("type") && same_string(items[i]["type"], v.at("type"))) at = i;
      }
      if (at) {
        merge_into(items[*at], v);
      } else {
        items.push_back(v);
        at = items.size() - 1;
      }
      demote_other_primaries(items, {*at});
    }
  }

  status remove_items(const char* attr, const json& doomed) {
    if (!doc_.contains(attr) || !doc_[attr].is_array()) return {};
    json& items = doc_[attr];
    for (const auto& d : doomed) {
      // Values are matched on `value`; an item without one (e.g. {"type":"work"}) matches on `type`.
      const char* key = d.contains("value") ? "value" : (d.contains("type") ? "type" : nullptr);
      if (key == nullptr) {
        return fail(invalid_value(std::string("Each value to remove from '") + attr + "' needs a 'value'"));
      }
      json kept = json::array();
      for (auto& e : items) {
        if (!(e.contains(key) && same_string(e[key], d.at(key)))) kept.push_back(std::move(e));
      }
      items = std::move(kept);
    }
    return {};
  }

  std::vector<std::size_t> matching(const char* attr, const filter& value_filter) {
    std::vector<std::size_t> out;
    if (!doc_.contains(attr) || !doc_[attr].is_array()) return out;
    const json& items = doc_[attr];
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!value_filter || matches(*value_filter, items[i])) out.push_back(i);
    }
    return out;
  }

  status patch_elements(const user_patch_step& s) {
    const bool roles = s.attr == user_attr::roles;
    const char* attr = multi_name(s.attr);
    std::vector<std::size_t> matched = matching(attr, s.value_filter);
    json& items = items_of(attr);
    if (matched.empty()) {
      json element = json::object();
      if (s.value_filter) {
        json pinned = json::object();
        if (!collect_equalities(*s.value_filter, pinned)) {
          return fail(no_target(std::string("No value of '") + attr + "' matches the filter '" +
                                to_string(*s.value_filter) + "'"));
        }
        auto seed = model_detail::partial_multi_item(pinned, roles, attr);
        if (!seed) return fail(std::move(seed.error()));
        element = std::move(*seed);
      }
      merge_into(element, s.value);
      items.push_back(std::move(element));
      matched.push_back(items.size() - 1);
    } else {
      for (auto i : matched) merge_into(items[i], s.value);
    }
    demote_other_primaries(items, matched);
    return {};
  }

  void remove_elements(const user_patch_step& s) {
    // A filter that matches nothing makes remove a no-op rather than RFC 7644's noTarget:
    // the IdP wants the value gone, and it is.
    const char* attr = multi_name(s.attr);
    const std::vector<std::size_t> matched = matching(attr, s.value_filter);
    if (matched.empty()) return;
    json& items = doc_[attr];
    if (s.sub.empty() || s.sub == "value") {
      for (auto it = matched.rbegin(); it != matched.rend(); ++it) items.erase(*it);
    } else {
      for (auto i : matched) items[i].erase(s.sub);
    }
  }

  json& doc_;
};

result<json> apply_impl(json doc, const user_patch_plan& plan, validation_mode mode) {
  if (!doc.is_object()) return fail(internal("The stored User is not a JSON object"));
  user_executor executor(doc);
  for (const auto& step : plan.steps) {
    if (auto ok = executor.run(step); !ok) {
      auto e = std::move(ok.error());
      e.detail = "Operations[" + std::to_string(step.operation) + "]: " + e.detail;
      return fail(std::move(e));
    }
  }
  return canonical_user(doc, mode, user_use::patched);
}

// Not reachable with the checks above; kept so a missed case answers 400, not 500.
error swallowed() { return invalid_value("The PATCH could not be applied to the User"); }

}  // namespace

result<user_patch_plan> plan_user_patch(const std::vector<patch_operation>& ops) {
  try {
    return plan_impl(ops);
  } catch (const nlohmann::json::exception&) {
    return fail(swallowed());
  }
}

result<nlohmann::json> apply_user_patch(nlohmann::json doc, const user_patch_plan& plan, validation_mode mode) {
  try {
    return apply_impl(std::move(doc), plan, mode);
  } catch (const nlohmann::json::exception&) {
    return fail(swallowed());
  }
}

result<nlohmann::json> apply_user_patch(nlohmann::json doc, const std::vector<patch_operation>& ops,
                                        validation_mode mode) {
  auto plan = plan_user_patch(ops);
  if (!plan) return fail(std::move(plan.error()));
  return apply_user_patch(std::move(doc), *plan, mode);
}

}  // namespace emuscim::scim
