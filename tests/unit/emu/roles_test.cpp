#include "emuscim/emu/roles.hpp"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace emuscim::emu {
namespace {

using nlohmann::json;

struct parse_row {
  std::string value;
  std::optional<role> expected;
};

TEST(Roles, parseTable) {
  const std::vector<parse_row> rows = {
      // github-emu-scim.md §11 names.
      {"user", role::user},
      {"guest_collaborator", role::guest_collaborator},
      {"enterprise_owner", role::enterprise_owner},
      {"billing_manager", role::billing_manager},
      // Entra app-role GUIDs.
      {"27d9891d-2c17-4f45-a262-781a0e55c80a", role::user},
      {"1ebc4a02-e56c-43a6-92a5-02ee09b90824", role::guest_collaborator},
      {"981df190-8801-4618-a08a-d91f6206c954", role::enterprise_owner},
      {"ba4987ab-a1c3-412a-b58c-360fc407cb10", role::enterprise_owner},
      {"0e338b8c-cc7f-498a-928d-ea3470d7e7e3", role::billing_manager},
      {"e6be2762-e4ad-4108-b72d-1bbe884a0f91", role::billing_manager},
      // Legacy GHES enum.
      {"User", role::user},
      {"Restricted User", role::guest_collaborator},
      {"restricted_user", role::guest_collaborator},
      {"Enterprise Owner", role::enterprise_owner},
      {"Billing Manager", role::billing_manager},
      // Display name of the guest role in the §11 table.
      {"Guest Collaborator", role::guest_collaborator},
      // Case-insensitive.
      {"USER", role::user},
      {"uSeR", role::user},
      {"GUEST_COLLABORATOR", role::guest_collaborator},
      {"Enterprise_Owner", role::enterprise_owner},
      {"BILLING MANAGER", role::billing_manager},
      {"restricted user", role::guest_collaborator},
      {"RESTRICTED_USER", role::guest_collaborator},
      {"27D9891D-2C17-4F45-A262-781A0E55C80A", role::user},
      {"BA4987AB-a1c3-412A-b58c-360FC407cb10", role::enterprise_owner},
      // Trimmed.
      {"  user  ", role::user},
      {"\tenterprise_owner\n", role::enterprise_owner},
      {" \r\n Billing Manager \r\n ", role::billing_manager},
      {" 0e338b8c-cc7f-498a-928d-ea3470d7e7e3 ", role::billing_manager},
      // Unknown.
      {"", std::nullopt},
      {"   ", std::nullopt},
      {"admin", std::nullopt},
      {"owner", std::nullopt},
      {"users", std::nullopt},
      {"use", std::nullopt},
      {"enterprise-owner", std::nullopt},
      {"enterpriseowner", std::nullopt},
      {"Enterprise  Owner", std::nullopt},  // interior blanks are not collapsed
      {"billing_managers", std::nullopt},
      {"{27d9891d-2c17-4f45-a262-781a0e55c80a}", std::nullopt},
      {"27d9891d2c174f45a262781a0e55c80a", std::nullopt},
      {"27d9891d-2c17-4f45-a262-781a0e55c80b", std::nullopt},
      {"Unaffiliated", std::nullopt},
      {"us\xC3\xA9r", std::nullopt},
      {std::string("user\0", 5), std::nullopt},
  };
  for (const auto& r : rows) {
    const auto got = parse_role(r.value);
    EXPECT_EQ(got, r.expected) << "'" << r.value << "'";
  }
}

TEST(Roles, names) {
  EXPECT_EQ(role_name(role::user), "user");
  EXPECT_EQ(role_name(role::guest_collaborator), "guest_collaborator");
  EXPECT_EQ(role_name(role::billing_manager), "billing_manager");
  EXPECT_EQ(role_name(role::enterprise_owner), "enterprise_owner");
  for (const role r : {role::user, role::guest_collaborator, role::billing_manager, role::enterprise_owner}) {
    EXPECT_EQ(parse_role(role_name(r)), r);
  }
}

TEST(Roles, privilegeOrder) {
  EXPECT_LT(role::guest_collaborator, role::user);
  EXPECT_LT(role::user, role::billing_manager);
  EXPECT_LT(role::billing_manager, role::enterprise_owner);
}

struct effective_row {
  json roles;
  std::optional<role> expected;
};

TEST(Roles, effectiveRole) {
  const std::vector<effective_row> rows = {
      {json(), std::nullopt},
      {json::array(), std::nullopt},
      {json::parse(R"([{"value":"user"}])"), role::user},
      {json::parse(R"([{"value":"User","primary":true,"display":"User"}])"), role::user},
      {json::parse(R"([{"value":"guest_collaborator"}])"), role::guest_collaborator},
      {json::parse(R"([{"value":"27d9891d-2c17-4f45-a262-781a0e55c80a"}])"), role::user},
      {json::parse(R"([{"value":"user"},{"value":"enterprise_owner"}])"), role::enterprise_owner},
      {json::parse(R"([{"value":"enterprise_owner"},{"value":"user"}])"), role::enterprise_owner},
      {json::parse(R"([{"value":"guest_collaborator"},{"value":"user"}])"), role::user},
      {json::parse(R"([{"value":"user"},{"value":"Billing Manager"}])"), role::billing_manager},
      {json::parse(R"([{"value":"billing_manager"},{"value":"ba4987ab-a1c3-412a-b58c-360fc407cb10"}])"),
       role::enterprise_owner},
      {json::parse(R"([{"value":"Restricted User"},{"value":"restricted_user"}])"), role::guest_collaborator},
      {json::parse(R"([{"value":"user"},{"value":"USER"}])"), role::user},
      {json::parse(R"([{"value":"guest_collaborator"},{"value":"billing_manager"},{"value":"user"}])"),
       role::billing_manager},
  };
  for (const auto& r : rows) {
    const auto got = effective_role(r.roles);
    ASSERT_TRUE(got.has_value()) << r.roles.dump() << ": " << got.error().detail;
    EXPECT_EQ(*got, r.expected) << r.roles.dump();
  }
}

struct invalid_row {
  json roles;
  std::string detail;
};

TEST(Roles, effectiveRoleInvalid) {
  const std::vector<invalid_row> rows = {
      {json::parse(R"([{"value":"admin"}])"), "Unknown role value 'admin'"},
      {json::parse(R"([{"value":""}])"), "Unknown role value ''"},
      // Echoed as sent, not trimmed or lower-cased.
      {json::parse(R"([{"value":" Super User "}])"), "Unknown role value ' Super User '"},
      // One unknown value spoils the list, wherever it is.
      {json::parse(R"([{"value":"enterprise_owner"},{"value":"root"}])"), "Unknown role value 'root'"},
      {json::parse(R"([{"value":"root"},{"value":"enterprise_owner"}])"), "Unknown role value 'root'"},
      // Shape errors.
      {json::parse(R"("user")"), "roles must be an array"},
      {json::parse(R"({"value":"user"})"), "roles must be an array"},
      {json(42), "roles must be an array"},
      {json(true), "roles must be an array"},
      {json::parse(R"(["user"])"), "roles[0] must be an object"},
      {json::parse(R"([null])"), "roles[0] must be an object"},
      {json::parse(R"([["user"]])"), "roles[0] must be an object"},
      {json::parse(R"([{"display":"User"}])"), "roles[0] must be an object with a string 'value'"},
      {json::parse(R"([{"value":null}])"), "roles[0] must be an object with a string 'value'"},
      {json::parse(R"([{"value":1}])"), "roles[0] must be an object with a string 'value'"},
      {json::parse(R"([{"value":{"value":"user"}}])"), "roles[0] must be an object with a string 'value'"},
      {json::parse(R"([{"Value":"user"}])"), "roles[0] must be an object with a string 'value'"},
      {json::parse(R"([{"value":"user"},{"value":false}])"), "roles[1] must be an object with a string 'value'"},
  };
  for (const auto& r : rows) {
    const auto got = effective_role(r.roles);
    ASSERT_FALSE(got.has_value()) << r.roles.dump();
    EXPECT_EQ(got.error().status, 400) << r.roles.dump();
    EXPECT_EQ(got.error().scim_type, "invalidValue") << r.roles.dump();
    EXPECT_NE(got.error().detail.find(r.detail), std::string::npos)
        << r.roles.dump() << ": '" << got.error().detail << "' lacks '" << r.detail << "'";
  }
}

}  // namespace
}  // namespace emuscim::emu
