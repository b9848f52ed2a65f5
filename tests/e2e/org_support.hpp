#pragma once
// Test-only helpers for org-level SCIM end-to-end tests (org_scim_test.cpp, org_invitations_test.cpp):
// a server bootstrapped with the standalone organization octo-org and its owner token
// (EMUSCIM_ORG, EMUSCIM_ORG_TOKEN), the EMU organization acme-org of enterprise acme
// (EMUSCIM_ORGS), and the admin API.

#include <optional>
#include <string>
#include <string_view>

#include "scim_support.hpp"

namespace emuscim::test {

inline constexpr std::string_view octo_org = "octo-org";
inline constexpr std::string_view octo_token = "emu_org_testtoken_octo_0123456789abcdefghij";
inline constexpr std::string_view octo_base = "/scim/v2/organizations/octo-org/";
inline constexpr std::string_view emu_org = "acme-org";  // an organization of enterprise acme
inline constexpr std::string_view org_admin_token = "emu_admin_org_e2e_secret_0123456789";
inline constexpr std::string_view org_scim_docs = "https://docs.github.com/enterprise-cloud@latest/rest/scim/scim";

inline server_options org_server_options() {
  return {.env = {{"EMUSCIM_ADMIN_TOKEN", std::string(org_admin_token)},
                  {"EMUSCIM_ORG", std::string(octo_org)},
                  {"EMUSCIM_ORG_TOKEN", std::string(octo_token)},
                  {"EMUSCIM_ORGS", std::string(emu_org)}}};
}

// A user as GitHub's org SCIM example sends it: no `schemas`, userName, externalId, name parts,
// emails without type (the first primary).
inline json make_org_user(std::string_view user_name, std::optional<std::string> external_id = std::nullopt,
                          std::optional<std::string> email = std::nullopt) {
  json body = {{"userName", user_name},
               {"name", {{"givenName", "Monalisa"}, {"familyName", "Octocat"}, {"formatted", "Monalisa Octocat"}}},
               {"emails", json::array({{{"value", email.value_or(std::string(user_name))}, {"primary", true}}})}};
  if (external_id) body["externalId"] = *external_id;
  return body;
}

class org_suite : public e2e_suite {
 public:
  static void SetUpTestSuite() { start_suite_server(org_server_options()); }

 protected:
  void SetUp() override {
    e2e_suite::SetUp();
    if (HasFatalFailure()) return;
    octo = as(std::string(octo_token), std::string(octo_base));
    admin = as(std::string(org_admin_token), "/_emuscim/");
  }

  // POST Users to octo-org; ADD_FAILUREs unless 201 and returns the identity.
  json provision(const json& body) {
    auto r = octo.post("Users", body);
    EXPECT_EQ(r.status, 201) << r;
    return r.try_json().value_or(json::object());
  }
  // provision(make_org_user(unique "<prefix>@example.com", "ext-…"))
  json provision_new(std::string_view prefix) {
    const std::string name = unique(prefix) + "@example.com";
    return provision(make_org_user(name, "ext-" + name));
  }

  // The admin API's view of octo-org's identities, by SCIM id (null when absent).
  json identity_view(const std::string& id, std::string_view org = octo_org) {
    auto r = admin.get("orgs/" + std::string(org) + "/identities");
    EXPECT_EQ(r.status, 200) << r;
    for (const auto& i : r.try_json().value_or(json::object()).value("identities", json::array())) {
      if (i.value("id", "") == id) return i;
    }
    return nullptr;
  }

  // Accepts the pending invitation of identity `id` as `login` through the admin API.
  reply accept(const std::string& id, std::string_view login, std::string_view org = octo_org) {
    const json view = identity_view(id, org);
    EXPECT_TRUE(view.is_object() && view["invitation_id"].is_number()) << "no pending invitation for " << id << ": "
                                                                       << view.dump();
    const auto inv = view.is_object() ? view.value("invitation_id", json(0)).dump() : "0";
    return admin.post("orgs/" + std::string(org) + "/invitations/" + inv + "/accept", json{{"login", login}});
  }

  // A new standalone organization (unique login) and an owner token for it with `scopes`.
  std::pair<std::string, std::string> new_org(std::string_view prefix, json scopes = json::array({"admin:org"})) {
    const std::string login = unique(prefix);
    auto r = admin.post("orgs", json{{"login", login}, {"sso", true}});
    EXPECT_EQ(r.status, 201) << r;
    auto t = admin.post("orgs/" + login + "/tokens", json{{"scopes", std::move(scopes)}});
    EXPECT_EQ(t.status, 201) << t;
    return {login, t.try_json().value_or(json::object()).value("token", "")};
  }

  client octo;   // octo-org's owner token, base /scim/v2/organizations/octo-org/
  client admin;  // the admin token, base /_emuscim/
};

}  // namespace emuscim::test
