// plan_group_patch and apply_group_patch (group_patch.hpp): the Group PATCH, RFC 7644 §3.5.2 in the
// dialects of github-emu-scim.md §10 rule 5 and idp-clients.md §4.

#include "emuscim/scim/group_patch.hpp"

#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <variant>

#include "emuscim/base/text.hpp"
#include "emuscim/scim/filter.hpp"
#include "scim/group_attrs.hpp"
#include "scim/model_util.hpp"
#include "scim/patch_walk.hpp"

namespace emuscim::scim {

namespace {

using nlohmann::json;
using group_detail::group_attr;

// members[value eq "a"] and members[value eq "a" or value eq "b"] (idp-clients.md Q4, Okta §2.2).
bool collect_member_filter(const filter_node& node, std::vector<std::string>& ids) {
  if (const auto* c = std::get_if<comparison>(&node.node)) {
    if (c->op != compare_op::eq || !c->attr.urn.empty() || !c->attr.sub.empty() ||
        !base::iequals(c->attr.name, "value") || !c->value.is_string()) {
      return false;
    }
    ids.push_back(c->value.get<std::string>());
    return true;
  }
  if (const auto* l = std::get_if<logical>(&node.node)) {
    return l->op == logical::kind::or_ && l->lhs && l->rhs && collect_member_filter(*l->lhs, ids) &&
           collect_member_filter(*l->rhs, ids);
  }
  return false;
}

class group_compiler {
 public:
  explicit group_compiler(validation_mode mode) : strict_(mode == validation_mode::strict) {}

  void ignored(std::string_view attr) {
    plan_.tolerated.note(base::cat({"ignored unsupported attribute '", attr, "'"}));
  }

  status compile(const patch_detail::patch_target& t) {
    const patch_path& path = t.path;
    // A key of a path-less value names a group attribute exactly, as Okta's
    // {"id": ..., "displayName": ...} does (idp-clients.md §2.2); dotted or filtered keys name
    // nothing a group keeps.
    if (t.pathless && t.text != path.attr.name) return {};
    const auto attr = group_detail::lookup_group_attr(path.attr.name);
    const std::string& sub = path.value_filter ? path.sub_attr : path.attr.sub;

    switch (attr) {
      case group_attr::members:
        if (path.value_filter) return member_filter(t.op, path);
        if (!sub.empty()) {
          return fail(invalid_path("Unsupported path '" + std::string(t.source.path ? *t.source.path : t.text) +
                                   "': use 'members' or 'members[value eq \"<id>\"]'"));
        }
        return members(t.op, t.value);
      case group_attr::display_name:
      case group_attr::external_id: {
        const char* name = attr == group_attr::display_name ? "displayName" : "externalId";
        if (path.value_filter) {
          return fail(invalid_path(std::string("Attribute '") + name +
                                   "' is single-valued; a value filter [...] applies only to 'members'"));
        }
        if (!sub.empty()) {
          return fail(invalid_path(std::string("Attribute '") + name + "' has no sub-attribute '" + sub + "'"));
        }
        return simple(t.op, attr, t.value);
      }
      case group_attr::unsupported:
        ignored(t.text);
        return {};
      case group_attr::schemas:
      case group_attr::read_only:
        return {};  // id, meta, schemas
    }
    return {};
  }

  group_patch_plan take() { return std::move(plan_); }

 private:
  status simple(patch_op_kind op, group_attr attr, const json& value) {
    if (attr == group_attr::display_name) {
      if (op == patch_op_kind::remove) {
        return fail(mutability("Attribute 'displayName' is required and cannot be removed"));
      }
      auto name = group_detail::display_name_value(value);
      if (!name) return fail(std::move(name.error()));
      plan_.display_name = std::move(*name);
      return {};
    }
    // externalId: remove, null and "" clear it (github-emu-scim.md §8 keeps groups without one);
    // strict mode follows GitHub's schema, which requires it.
    if (op == patch_op_kind::remove || model_detail::is_blank(value)) {
      if (strict_) return fail(mutability("Attribute 'externalId' is required and cannot be removed"));
      plan_.external_id = std::optional<std::string>{};
      return {};
    }
    if (!value.is_string()) return fail(invalid_value("Attribute 'externalId' must be a string"));
    plan_.external_id = std::optional<std::string>{value.get<std::string>()};
    return {};
  }

  // github-emu-scim.md §10 rule 5.
  status members(patch_op_kind op, const json& value) {
    if (op == patch_op_kind::remove && value.is_null()) {
      plan_.members.push_back({member_step::kind::clear, {}});
      return {};
    }
    if (value.is_null()) {
      // replace with null empties the group; add with null adds nobody.
      if (op == patch_op_kind::replace) plan_.members.push_back({member_step::kind::clear, {}});
      return {};
    }
    auto ids = group_detail::member_ids(value);
    if (!ids) return fail(std::move(ids.error()));
    switch (op) {
      case patch_op_kind::add:
        if (!ids->empty()) plan_.members.push_back({member_step::kind::add, std::move(*ids)});
        break;
      case patch_op_kind::replace:
        plan_.members.push_back({member_step::kind::replace, std::move(*ids)});
        break;
      case patch_op_kind::remove:
        // Entra's default dialect: remove + "members" + value array removes only those members;
        // an RFC reading that empties the group is the bug of azure-docs#30826 (idp-clients.md Q4).
        if (!ids->empty()) plan_.members.push_back({member_step::kind::remove, std::move(*ids)});
        break;
    }
    return {};
  }

  status member_filter(patch_op_kind op, const patch_path& path) {
    if (op != patch_op_kind::remove) {
      return fail(invalid_path("A members[...] filter is supported with 'remove' only; add or replace 'members' "
                               "with a value array instead"));
    }
    std::vector<std::string> ids;
    if (!collect_member_filter(*path.value_filter, ids)) {
      return fail(invalid_path("Unsupported members filter '" + to_string(*path.value_filter) +
                               "': use members[value eq \"<id>\"], optionally joined with 'or'"));
    }
    // members[value eq "x"].display and the like: GitHub keeps no member sub-attributes.
    if (!path.sub_attr.empty()) return {};
    std::unordered_set<std::string> seen;
    std::vector<std::string> unique;
    for (auto& id : ids) {
      if (seen.insert(id).second) unique.push_back(std::move(id));
    }
    plan_.members.push_back({member_step::kind::remove, std::move(unique)});
    return {};
  }

  bool strict_;
  group_patch_plan plan_;
};

result<group_patch_plan> plan_impl(const std::vector<patch_operation>& ops, validation_mode mode) {
  group_compiler compiler(mode);
  auto ok = patch_detail::walk_patch(
      ops, group_schema, "Group", [&](const patch_detail::patch_target& t) { return compiler.compile(t); },
      [&](std::string_view path) { compiler.ignored(path); });
  if (!ok) return fail(std::move(ok.error()));
  auto plan = compiler.take();
  note_op_spellings(ops, plan.tolerated);
  return plan;
}

}  // namespace

result<group_patch_plan> plan_group_patch(const std::vector<patch_operation>& ops, validation_mode mode) {
  try {
    return plan_impl(ops, mode);
  } catch (const nlohmann::json::exception&) {
    // Not reachable with the checks above; kept so a missed case answers 400, not 500.
    return fail(invalid_value("The PATCH could not be applied to the Group"));
  }
}

nlohmann::json apply_group_patch(nlohmann::json doc, const group_patch_plan& plan) {
  if (plan.display_name) doc["displayName"] = *plan.display_name;
  if (plan.external_id) {
    if (*plan.external_id) {
      doc["externalId"] = **plan.external_id;
    } else {
      doc.erase("externalId");
    }
  }
  return doc;
}

}  // namespace emuscim::scim
