#pragma once
// What the SCIM resource types share: their schema URNs, the validation mode, the `meta` block and
// the list envelope (RFC 7643 §3.1, RFC 7644 §3.4.2). Pure.
//
// Responses are nlohmann::ordered_json, built in the member order of GitHub's own examples
// (shared spec openapi/ghec-scim.json): `schemas` first, `meta` last. Stored documents stay
// nlohmann::json.

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace emuscim::scim {

inline constexpr std::string_view user_schema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view group_schema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view enterprise_user_schema =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
inline constexpr std::string_view list_response_schema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
inline constexpr std::string_view patch_op_schema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
// The Error schema is error_schema_urn, beside the errors (error.hpp).

enum class validation_mode { lenient, strict };

// The member order of GitHub's examples, which differs between its two SCIM APIs: enterprise
// (openapi/ghec-scim.json) and organization (openapi/ghec-orgs-teams.json).
enum class response_layout { enterprise, organization };

struct resource_meta {
  std::string id;
  std::string created;        // RFC 3339 UTC, e.g. 2012-03-27T19:59:26.000Z
  std::string last_modified;
  std::string location;       // absolute URL
};

// {"resourceType", "created", "lastModified", "location"}, in that order.
nlohmann::ordered_json render_meta(std::string_view resource_type, const resource_meta& meta);

// {"schemas":[ListResponse], "totalResults", "Resources", "startIndex", "itemsPerPage"} (enterprise),
// or {"schemas", "totalResults", "itemsPerPage", "startIndex", "Resources"} (organization).
// itemsPerPage is the number of resources given (github-emu-scim.md §6); null resources render as [].
nlohmann::ordered_json render_list(std::size_t total_results, std::size_t start_index,
                                   nlohmann::ordered_json resources,
                                   response_layout layout = response_layout::enterprise);

}  // namespace emuscim::scim
