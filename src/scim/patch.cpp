#include "emuscim/scim/patch.hpp"

#include <string>
#include <string_view>
#include <utility>

#include "emuscim/base/text.hpp"
#include "emuscim/scim/resource.hpp"
#include "scim/model_util.hpp"

namespace emuscim::scim {

namespace {

using nlohmann::json;
using base::iequals;
using model_detail::find_ci;

std::optional<patch_op_kind> op_kind(std::string_view op) {
  // Entra sends Add/Replace/Remove (idp-clients.md Q1); RFC 7644 §3.5.2 spells them in lower case.
  if (iequals(op, "add")) return patch_op_kind::add;
  if (iequals(op, "replace")) return patch_op_kind::replace;
  if (iequals(op, "remove")) return patch_op_kind::remove;
  return std::nullopt;
}

status check_schemas(const json& body, bool strict) {
  const json* schemas = find_ci(body, "schemas");
  if (schemas == nullptr || schemas->is_null()) {
    if (strict) return fail(invalid_syntax("Missing 'schemas': expected [\"" + std::string(patch_op_schema) + "\"]"));
    return {};
  }
  if (!model_detail::schemas_contain(schemas, patch_op_schema)) {
    return fail(invalid_syntax("'schemas' must contain \"" + std::string(patch_op_schema) + "\""));
  }
  return {};
}

result<patch_operation> parse_operation(const json& item, std::size_t index) {
  const std::string where = "Operations[" + std::to_string(index) + "]";
  if (!item.is_object()) return fail(invalid_syntax(where + " must be an object"));

  // Member names of the operation object are matched case-insensitively too: Microsoft asks servers
  // not to require a case-sensitive match on structural elements (idp-clients.md Q1).
  const json* op = find_ci(item, "op");
  if (op == nullptr) return fail(invalid_syntax(where + " has no 'op'"));
  if (!op->is_string()) return fail(invalid_syntax(where + ".op must be a string: add, replace or remove"));
  const auto kind = op_kind(op->get_ref<const std::string&>());
  if (!kind) return fail(invalid_syntax("Unknown PATCH op '" + op->get<std::string>() + "'"));

  patch_operation out;
  out.op = *kind;
  out.op_name = op->get<std::string>();
  if (const json* path = find_ci(item, "path"); path != nullptr && !path->is_null()) {
    if (!path->is_string()) return fail(invalid_path(where + ".path must be a string"));
    const auto& text = path->get_ref<const std::string&>();
    if (!base::trim(text).empty()) out.path = text;
  }
  // github-emu-scim.md §17.4: the published schema types `value` as a string, but booleans,
  // objects and arrays are what clients send; any JSON type is kept as is.
  if (const json* value = find_ci(item, "value")) out.value = *value;
  if (out.op != patch_op_kind::remove && !out.value) {
    // RFC 7644 §3.5.2.1 / §3.5.2.3: add and replace MUST carry a value.
    return fail(invalid_syntax(where + " ('" + op->get<std::string>() + "') has no 'value'"));
  }
  return out;
}

result<std::vector<patch_operation>> parse_impl(const json& body, bool strict) {
  if (!body.is_object()) return fail(invalid_syntax("A PATCH body must be a JSON object (RFC 7644 §3.5.2)"));
  if (auto ok = check_schemas(body, strict); !ok) return fail(std::move(ok.error()));

  const json* ops = find_ci(body, "Operations");
  if (ops == nullptr || ops->is_null()) return fail(invalid_syntax("Missing 'Operations'"));
  if (!ops->is_array()) return fail(invalid_syntax("'Operations' must be an array"));
  if (ops->empty()) return fail(invalid_syntax("'Operations' must hold at least one operation"));

  std::vector<patch_operation> out;
  out.reserve(ops->size());
  for (std::size_t i = 0; i < ops->size(); ++i) {
    auto op = parse_operation((*ops)[i], i);
    if (!op) return fail(std::move(op.error()));
    out.push_back(std::move(*op));
  }
  return out;
}

}  // namespace

void note_op_spellings(const std::vector<patch_operation>& ops, tolerations& out) {
  for (const auto& op : ops) {
    if (op.op_name.empty() || !(op.op_name.front() >= 'A' && op.op_name.front() <= 'Z')) continue;
    out.note(base::cat({"op \"", op.op_name, "\" (Entra's capitalised form) accepted"}));
    out.dialect = "entra";
  }
}

result<std::vector<patch_operation>> parse_patch_request(const nlohmann::json& body, bool strict) {
  try {
    return parse_impl(body, strict);
  } catch (const nlohmann::json::exception&) {
    return fail(invalid_syntax("The PATCH body could not be read"));
  }
}

}  // namespace emuscim::scim
