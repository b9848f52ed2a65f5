#pragma once
// The SCIM User resource as GitHub EMU holds it. Pure.
//
// Canonical user document: a JSON object with only these keys, each present only when set
// (no nulls are ever stored):
//   "userName"    string (required)
//   "externalId"  string
//   "active"      bool   (always present in canonical documents)
//   "displayName" string
//   "name"        object with string members among formatted, familyName, givenName,
//                 middleName, honorificPrefix, honorificSuffix
//   "emails"      array of {"value": string, "type"?: string, "primary"?: bool, "display"?: string}
//   "roles"       array of {"value": string, "type"?: string, "primary"?: bool, "display"?: string}
//                 (Entra's JSON-string items are unwrapped; `displayName` becomes `display`)
// Every other attribute (password, groups, locale, addresses, phoneNumbers, manager,
// enterprise-extension fields, unknown URNs, id, meta, schemas) is accepted and dropped.
// PATCH is in user_patch.hpp.

#include <cstddef>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/resource.hpp"
#include "emuscim/scim/tolerations.hpp"

namespace emuscim::scim {

// The attributes of a User by kind (github-emu-scim.md §7): the stored ones first, in the order of
// the canonical document above.
enum class user_attr {
  user_name,
  external_id,
  active,
  display_name,
  name,
  emails,
  roles,
  schemas,      // read-only here: checked by strict validation, never stored
  read_only,    // id, meta: ignored on input (github-emu-scim.md §7, §10 rule 3)
  unsupported,  // everything else: accepted and ignored (§10 rule 7)
};
inline constexpr std::size_t user_attr_count = 7;  // the stored ones
inline constexpr bool is_stored(user_attr a) { return static_cast<std::size_t>(a) < user_attr_count; }

// What the document is for; decides which attributes are required.
//   create:  lenient needs userName + externalId; strict needs GitHub's published list
//            (schemas, externalId, userName, active, displayName, emails with value/type/primary).
//   replace: lenient needs userName (the caller keeps a missing externalId); strict as create.
//   patched: the result of a PATCH; needs userName (and externalId if strict).
enum class user_use { create, replace, patched };

// Input keys match case-insensitively (RFC 7643 §2.1); output keys are canonical.
// `active` accepts true/false and the strings "true"/"false" in any case; a missing
// `active` becomes true. Wrong types -> invalid_value() naming the attribute;
// a missing required attribute -> invalid_value("Missing required attribute 'userName'").
// `tolerated`, when given, receives what was accepted leniently: a string `active`, attributes
// GitHub does not keep, duplicate roles dropped.
result<nlohmann::json> canonical_user(const nlohmann::json& body, validation_mode mode, user_use use,
                                      tolerations* tolerated = nullptr);

// The canonical document alone, as canonical_user builds it, with no attribute required (not even
// userName): for rule sets whose required attributes differ from EMU's (org-level SCIM).
result<nlohmann::json> canonical_user_attributes(const nlohmann::json& body, tolerations* tolerated = nullptr);

// GitHub's user response, in the member order of `layout` (resource.hpp):
//   enterprise (openapi/ghec-scim.json `scim-enterprise-user`): schemas, id, externalId, active,
//     userName, name {formatted, familyName, givenName, ...}, displayName, emails, roles, meta;
//   organization (openapi/ghec-orgs-teams.json `scim-user`): schemas, id, externalId, userName,
//     displayName, name {givenName, familyName, formatted, ...}, emails, roles, active, meta.
// externalId, name, displayName and
// roles only when set, emails always ([] when none), a boolean active, and meta {resourceType
// "User", created, lastModified, location}. Email and role items read value, type, primary, display.
nlohmann::ordered_json render_user(const nlohmann::json& doc, const resource_meta& meta,
                                   response_layout layout = response_layout::enterprise);

}  // namespace emuscim::scim
