#pragma once
// SCIM errors as values (RFC 7644 §3.12). Parsers, validators and the PATCH engine
// return result<T>; only the HTTP layer turns an error into a response body
// (see emuscim/http/error_response.hpp, the one renderer).

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace emuscim::scim {

// One entry of a REST validation error (GitHub's 422 "Validation Failed" `errors` array).
struct field_error {
  std::string resource;  // "Team"
  std::string field;     // "name"
  std::string code;      // "missing_field", "invalid", "already_exists", "custom"
  std::string message;   // optional, for code "custom"
};

struct error {
  int status = 400;
  std::string scim_type = {};  // RFC 7644 §3.12 scimType, empty where none applies
  std::string detail = {};     // a sentence a person can act on
  std::vector<field_error> errors = {};   // REST routes only
  std::string documentation_url = {};     // empty: the renderer's default for the route's dialect
  int retry_after = 0;                    // seconds; > 0 adds a Retry-After header (e.g. a locked database's 503)
};

inline constexpr std::string_view error_schema_urn = "urn:ietf:params:scim:api:messages:2.0:Error";

template <class T>
using result = std::expected<T, error>;

using status = result<void>;

inline std::unexpected<error> fail(error e) { return std::unexpected<error>(std::move(e)); }

// Factories, one per scimType / status we emit.
inline error invalid_filter(std::string detail) { return {400, "invalidFilter", std::move(detail)}; }
inline error invalid_syntax(std::string detail) { return {400, "invalidSyntax", std::move(detail)}; }
inline error invalid_value(std::string detail) { return {400, "invalidValue", std::move(detail)}; }
inline error invalid_path(std::string detail) { return {400, "invalidPath", std::move(detail)}; }
inline error no_target(std::string detail) { return {400, "noTarget", std::move(detail)}; }
inline error mutability(std::string detail) { return {400, "mutability", std::move(detail)}; }
inline error uniqueness(std::string detail) { return {409, "uniqueness", std::move(detail)}; }
inline error bad_request(std::string detail) { return {400, "", std::move(detail)}; }
inline error unauthorized(std::string detail) { return {401, "", std::move(detail)}; }
inline error forbidden(std::string detail) { return {403, "", std::move(detail)}; }
inline error not_found(std::string detail) { return {404, "", std::move(detail)}; }
inline error method_not_allowed(std::string detail) { return {405, "", std::move(detail)}; }
inline error payload_too_large(std::string detail) { return {413, "", std::move(detail)}; }
inline error too_many_requests(std::string detail) { return {429, "", std::move(detail)}; }
inline error internal(std::string detail) { return {500, "", std::move(detail)}; }
inline error unavailable(std::string detail) { return {503, "", std::move(detail)}; }

}  // namespace emuscim::scim
