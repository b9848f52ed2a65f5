#include "scim/patch_walk.hpp"

#include <string>
#include <utility>

#include "emuscim/base/text.hpp"
#include "scim/model_util.hpp"

namespace emuscim::scim::patch_detail {

namespace {

using nlohmann::json;
using model_detail::schema_split;

class walker {
 public:
  walker(std::string_view core_urn, std::string_view resource_name, const target_visitor& visit,
         const ignored_visitor& ignored)
      : core_urn_(core_urn), resource_name_(resource_name), visit_(visit), ignored_(ignored) {}

  status operation(std::size_t index, const patch_operation& op) {
    static const json absent;  // a missing value reads as null
    const json& value = op.value ? *op.value : absent;
    if (!model_detail::has_path(op)) {
      // RFC 7644 §3.5.2.2: a remove without a path has no target.
      if (op.op == patch_op_kind::remove) return fail(no_target("A remove operation needs a 'path'"));
      return pathless(index, op, value);
    }
    const auto split = model_detail::split_schema(*op.path, core_urn_);
    switch (split.what) {
      case schema_split::kind::other:
        // Enterprise-extension and foreign URNs: GitHub keeps none of them (§10 rules 3, 7).
        if (ignored_) ignored_(*op.path);
        return {};
      case schema_split::kind::core:
        if (split.rest.empty()) {
          if (op.op == patch_op_kind::remove) {
            return fail(no_target("Cannot remove the whole " + std::string(resource_name_)));
          }
          return pathless(index, op, value);
        }
        break;
      case schema_split::kind::none:
        break;
    }
    auto path = parse_patch_path(split.rest);
    if (!path) return fail(std::move(path.error()));
    return visit(index, op, *path, split.rest, /*from_value=*/false, value);
  }

 private:
  // RFC 7644 §3.5.2.1 / §3.5.2.3 with no path: the value holds attributes of the resource. Keys may
  // be dotted (`name.givenName`, Entra with aadOptscim062020) or URN-qualified (§10 rule 3).
  status pathless(std::size_t index, const patch_operation& op, const json& value) {
    if (!value.is_object()) {
      return fail(invalid_value("An operation without a 'path' needs an object 'value' of attributes"));
    }
    for (const auto& [key, v] : value.items()) {
      const auto split = model_detail::split_schema(key, core_urn_);
      if (split.what == schema_split::kind::other) {
        if (ignored_) ignored_(key);
        continue;
      }
      if (split.what == schema_split::kind::core && split.rest.empty()) {
        // {"urn:ietf:params:scim:schemas:core:2.0:User": {...}}: the core attributes, nested.
        if (v.is_object()) {
          if (auto ok = pathless(index, op, v); !ok) return ok;
        }
        continue;
      }
      auto path = parse_patch_path(split.rest);
      if (!path) continue;  // a key that is no attribute path names nothing GitHub stores
      if (auto ok = visit(index, op, *path, split.rest, /*from_value=*/true, v); !ok) return ok;
    }
    return {};
  }

  status visit(std::size_t index, const patch_operation& op, const patch_path& path, std::string_view text,
               bool from_value, const json& value) {
    // A URN still in front of the attribute names another schema: nothing this resource keeps.
    if (!path.attr.urn.empty() && !base::iequals(path.attr.urn, core_urn_)) return {};
    return visit_(patch_target{index, op.op, path, text, from_value, value, op});
  }

  std::string_view core_urn_;
  std::string_view resource_name_;
  const target_visitor& visit_;
  const ignored_visitor& ignored_;
};

}  // namespace

status walk_patch(const std::vector<patch_operation>& ops, std::string_view core_urn, std::string_view resource_name,
                  const target_visitor& visit, const ignored_visitor& ignored) {
  walker w(core_urn, resource_name, visit, ignored);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (auto ok = w.operation(i, ops[i]); !ok) {
      auto e = std::move(ok.error());
      e.detail = "Operations[" + std::to_string(i) + "]: " + e.detail;
      return fail(std::move(e));
    }
  }
  return {};
}

}  // namespace emuscim::scim::patch_detail
