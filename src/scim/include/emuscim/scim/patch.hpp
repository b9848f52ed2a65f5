#pragma once
// PATCH requests (RFC 7644 §3.5.2) in every dialect IdPs send to GitHub
// (shared spec github-emu-scim.md §10, idp-clients.md §1.4, §2.2, §4). Pure.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/tolerations.hpp"

namespace emuscim::scim {

enum class patch_op_kind { add, replace, remove };

struct patch_operation {
  patch_op_kind op = patch_op_kind::replace;
  std::optional<std::string> path;  // absent or empty string -> pathless
  std::optional<nlohmann::json> value;  // absent when the op has no "value" key
  std::string op_name = {};         // as sent: "Replace" (Entra) or "replace"; empty when built in code
};

// Validates the envelope: an object; `schemas` containing
// urn:ietf:params:scim:api:messages:2.0:PatchOp (lenient mode tolerates a missing
// `schemas`; strict requires it); `Operations` (key matched case-insensitively) a
// non-empty array; each `op` add/replace/remove in any case.
// Errors: invalid_syntax() naming the problem ("Unknown PATCH op 'merge'", ...).
result<std::vector<patch_operation>> parse_patch_request(const nlohmann::json& body, bool strict = false);

// Notes the capitalised op names Entra sends (idp-clients.md Q1), once per spelling:
// `op "Replace" (Entra's capitalised form) accepted`, and the entra dialect.
void note_op_spellings(const std::vector<patch_operation>& ops, tolerations& out);

}  // namespace emuscim::scim
