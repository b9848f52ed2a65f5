#pragma once
// The rules that differ between the two behaviours of the one SCIM users engine
// (users_service.cpp): GitHub EMU's enterprise SCIM (emu_user_policy.cpp) and org-level SCIM for
// GitHub Enterprise Cloud organizations that use SAML SSO (org_user_policy.cpp, org_rules.hpp).
//
// The engine owns what both share: canonical bodies (scim::canonical_user), the PATCH plan and its
// application (scim/user_patch.hpp), list filters and paging, rendering, the write jobs, and the
// external_identity.scim_api_success / _failure audit events. A policy owns the rest: required
// attributes and derived values (logins), the tenant's storage, what a change means (EMU suspends
// on `active: false`), and GitHub's audit events for each change.
// Private to the service module. Policies are stateless after construction: thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/filter.hpp"
#include "emuscim/scim/patch.hpp"
#include "emuscim/scim/user.hpp"
#include "emuscim/scim/user_patch.hpp"
#include "emuscim/service/context.hpp"
#include "emuscim/service/users_service.hpp"
#include "emuscim/store/database.hpp"

namespace emuscim::service {

// A stored SCIM user as the engine sees it.
struct user_record {
  std::int64_t seq = 0;  // creation sequence of the row (paging)
  std::string id;        // SCIM id
  nlohmann::json doc;    // canonical document (scim/user.hpp)
  std::string created;
  std::string modified;
  bool deleted = false;  // the write removed the row: list positions after it have shifted
};

struct user_records {
  std::vector<user_record> rows;
  std::int64_t total = 0;
  std::int64_t last_seq = 0;  // seq of the last row (for the cursor cache)
};

// What a write to an existing user is: PUT replaces the document, PATCH changed it.
enum class user_write { replace, patch };

class user_policy {
 public:
  virtual ~user_policy() = default;

  // ---- pure, on the I/O thread ----
  // The tenant a request acts on (the list cursor cache's key).
  virtual std::int64_t tenant(const request_context& ctx) const = 0;
  // GitHub's list filter attributes (`attr eq value`).
  virtual std::span<const std::string_view> filter_attributes() const = 0;
  // The member order of this API's responses.
  virtual scim::response_layout layout() const = 0;
  // How the shared PATCH engine reads a request (PatchOp `schemas` required when strict) and checks
  // the patched document; a policy whose required attributes differ checks them in update().
  virtual scim::validation_mode patch_mode() const = 0;
  // A POST or PUT body as this behaviour accepts it, with every check that needs no stored state.
  virtual scim::result<nlohmann::json> canonical(const request_context& ctx, const nlohmann::json& body,
                                                 scim::user_use use) const = 0;
  // This endpoint's PATCH dialect: operations before they are planned, and the plan's limits.
  virtual scim::status adapt(std::vector<scim::patch_operation>& ops) const = 0;
  virtual scim::status check_plan(const scim::user_patch_plan& plan) const = 0;

  // ---- reads, on the connection given (a reader's, or the writer's inside a job) ----
  virtual std::optional<user_record> find(store::connection& c, const request_context& ctx,
                                          std::string_view id) const = 0;
  // Creation order; `after_seq` (when known) seeks instead of skipping `offset` rows, then skips `skip`.
  virtual user_records list(store::connection& c, const request_context& ctx, std::int64_t offset,
                            std::int64_t count, std::optional<std::int64_t> after_seq, std::int64_t skip) const = 0;
  // `filter.attr` is one of filter_attributes().
  virtual user_records list_where(store::connection& c, const request_context& ctx, const scim::simple_eq& filter,
                                  std::int64_t offset, std::int64_t count) const = 0;

  // ---- writes, inside the request's write job (one SAVEPOINT); an error rolls everything back ----
  virtual scim::result<user_record> create(store::write_context& w, const request_context& ctx,
                                           nlohmann::json doc) const = 0;
  // `doc`: the canonical PUT body, or the patched document.
  virtual scim::result<user_record> update(store::write_context& w, const request_context& ctx,
                                           const user_record& before, nlohmann::json doc, user_write kind) const = 0;
  virtual scim::status remove(store::write_context& w, const request_context& ctx, const user_record& before) const = 0;
};

// What canonical_user and the PATCH planner tolerated, as request-log notes and the client hint.
inline void note_tolerated(const request_context& ctx, scim::tolerations& t) {
  for (auto& n : t.notes) ctx.note(std::move(n));
  ctx.hint_client(t.dialect);
}

// GitHub EMU's enterprise SCIM (github-emu-scim.md): derived logins, suspension, roles.
std::shared_ptr<const user_policy> make_emu_policy(const service_options& opts);
// Org-level SCIM (github-orgs-teams.md §8): invitations, identities deleted on deactivation.
std::shared_ptr<const user_policy> make_org_policy(const service_options& opts);

}  // namespace emuscim::service
