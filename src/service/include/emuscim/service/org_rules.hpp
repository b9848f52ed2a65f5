#pragma once
// The rule set of org-level SCIM for GitHub Enterprise Cloud organizations that use SAML SSO
// (github-orgs-teams.md §8; docs/BEHAVIOUR.md "Org-level SCIM"): the pure half of the org policy
// of the users engine (the other half, storage and invitations, is org_user_policy.cpp).
// What differs from EMU: no logins derived from userName (a person brings their own account when
// they accept the invitation), emails required (the invitation's address), `active: false`
// deletes the identity instead of suspending it, GitHub's `emails` filter, no roles.
// Pure. Thread-safe.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/patch.hpp"
#include "emuscim/scim/resource.hpp"
#include "emuscim/scim/user.hpp"
#include "emuscim/scim/user_patch.hpp"

namespace emuscim::service::org_rules {

// GitHub's list filters: `eq` on id, userName, emails, externalId (SCIMORG).
inline constexpr std::array<std::string_view, 4> filter_attributes = {"userName", "externalId", "emails", "id"};

// The required attributes of a document as org-level SCIM keeps it.
//   every use: userName, and at least one email with a value (the invitation goes there);
//   strict, create and replace: also name.givenName and name.familyName (GitHub's published list).
// Errors: invalid_value("Missing required attribute 'emails'") and the like.
scim::status check_required(const nlohmann::json& doc, scim::validation_mode mode, scim::user_use use);

// A POST or PUT body as org-level SCIM accepts it: scim::canonical_user_attributes, then
// as_org_document and check_required. A create with `active: false` is invalid_value:
// deactivating removes a person from the organization, so there is nobody to provision.
scim::result<nlohmann::json> canonical(const nlohmann::json& body, scim::validation_mode mode, scim::user_use use);

// A canonical document as org-level SCIM keeps it: without `roles` (GitHub documents no meaning
// for them here; `groups` are never kept), and with a `displayName` (display_name()) when the
// request gave none, as every org example of GitHub's shows one derived from the name.
void as_org_document(nlohmann::json& doc);

// Where the invitation goes: the primary email's value, else the first email's; "" when none.
std::string invitation_email(const nlohmann::json& doc);

// Every email value of the document, each once (compared case-insensitively), in document order.
std::vector<std::string> email_values(const nlohmann::json& doc);

// The name GitHub shows for the person: displayName, else name.formatted, else "givenName familyName".
std::string display_name(const nlohmann::json& doc);

// Org SCIM's PATCH dialect (openapi `scim/update-attribute-for-user`): a path-less value object may
// carry `givenName` and `familyName` at its top level; they become `name.givenName` and
// `name.familyName`. Other keys are left for the shared engine.
void adapt_patch(std::vector<scim::patch_operation>& ops);

// GitHub: "Complicated SCIM path selectors that include filters are not supported". Strict mode
// refuses them (invalid_path naming the operation); lenient mode applies them as the enterprise
// endpoint does.
scim::status check_patch_plan(const scim::user_patch_plan& plan, scim::validation_mode mode);

// What a write to an existing identity does to the organization.
enum class change {
  update,       // the identity's attributes change; membership and invitation stay
  deprovision,  // `active: false`: the person leaves the organization, the identity and its id go
};
change classify(const nlohmann::json& after);

// A personal account's login: 1-39 letters, digits and single hyphens, not starting or ending with
// a hyphen (GitHub's rule; organizations share it).
bool valid_login(std::string_view login);
inline constexpr std::string_view login_rule =
    "1 to 39 letters, digits or single hyphens, not starting or ending with a hyphen";

}  // namespace emuscim::service::org_rules
