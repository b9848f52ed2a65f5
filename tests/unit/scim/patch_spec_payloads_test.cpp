// Every request body under shared/spec/requests/ (entra, entra-quirks, entra-roles, okta) replayed
// through the scim model: user and group POST/PUT bodies through canonical_user/canonical_group,
// PATCH bodies through parse_patch_request and apply_user_patch/plan_group_patch, each with the
// effect its notes describe (idp-clients.md §4, checklist item 2).
#include "emuscim/scim/patch.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emuscim/scim/group.hpp"
#include "emuscim/scim/group_patch.hpp"
#include "emuscim/scim/user.hpp"
#include "emuscim/scim/user_patch.hpp"

namespace emuscim::scim {
namespace {

using nlohmann::json;

const std::filesystem::path requests_dir = std::filesystem::path(EMUSCIM_SPEC_DIR) / "requests";

json load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return nullptr;
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// The request body of requests/<rel>, or null (the caller's assertion then names the file).
json body_of(const std::string& rel) {
  const json spec = load(requests_dir / rel);
  if (!spec.is_object() || !spec.contains("request") || !spec["request"].contains("body")) return nullptr;
  return spec["request"]["body"];
}

const json& user_before() {
  static const json doc = json::parse(R"({"userName":"Test_User@testuser.com","externalId":"0a21f0f2","active":true,
      "displayName":"Test User","name":{"givenName":"givenName","familyName":"familyName","formatted":"givenName familyName"},
      "emails":[{"value":"test@testuser.com","type":"work","primary":true}],"roles":[{"value":"user","primary":false}]})");
  return doc;
}

json user_after(const char* merge_patch) {
  json out = user_before();
  out.merge_patch(json::parse(merge_patch));
  return out;
}

struct user_patch_case {
  std::string file;
  json expected;
  json before = user_before();
};

const std::vector<user_patch_case>& user_patch_cases() {
  static const std::vector<user_patch_case> cases = {
      {"entra/04_update_user_multivalued.json",
       user_after(R"({"emails":[{"value":"updatedEmail@microsoft.com","type":"work","primary":true}],"name":{"familyName":"updatedFamilyName"}})")},
      {"entra/05_update_user_singlevalued.json", user_after(R"({"userName":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"})")},
      {"entra/06_disable_user.json", user_after(R"({"active":false})")},
      {"entra/16_patch_manager_example5.json", user_before()},
      {"entra-quirks/01a_disable_user_without_flag.json", user_after(R"({"active":false})")},
      {"entra-quirks/01b_disable_user_with_flag.json", user_after(R"({"active":false})")},
      {"entra-quirks/02a_add_single_value_string_attribute_without_flag.json", user_before()},
      {"entra-quirks/02b_add_single_value_string_attribute_with_flag.json", user_before()},
      {"entra-quirks/03a_replace_multiple_attributes_without_flag.json",
       user_after(R"({"displayName":"Pvlo","externalId":"Eqpj","name":{"givenName":"Gtfd","familyName":"Pkqf"},
                      "emails":[{"value":"TestBcwqnm@test.microsoft.com","type":"work","primary":true}]})")},
      {"entra-quirks/03b_replace_multiple_attributes_with_flag.json",
       user_after(R"({"displayName":"Bjfe","name":{"givenName":"Kkom","familyName":"Unua"},
                      "emails":[{"value":"TestMhvaes@test.microsoft.com","type":"work","primary":true}]})")},
      {"entra-quirks/05b_2020_user_active_false_boolean.json", user_after(R"({"active":false})")},
      {"entra-quirks/05c_2020_user_add_enterprise_department.json", user_before()},
      {"entra-quirks/05e_2020_user_multi_op_with_pathless_replace.json",
       user_after(R"({"active":false,"userName":"someone","emails":[{"value":"someone@contoso.com","type":"work","primary":true}]})")},
      // The same on a user with no email yet: the work email is created, then made primary.
      {"entra-quirks/05e_2020_user_multi_op_with_pathless_replace.json",
       user_after(R"({"active":false,"userName":"someone","emails":[{"value":"someone@contoso.com","type":"work","primary":true}]})"),
       user_after(R"({"emails":null})")},
      {"entra-quirks/06a_observed_active_lowercase_string_false.json", user_after(R"({"active":false})")},
      {"entra-quirks/06b_observed_pathless_add_dotted_keys.json",
       user_after(R"({"displayName":"Foo Bar","name":{"givenName":"Foo","familyName":"Bar","formatted":"Foo Bar"}})")},
      {"entra-quirks/06d_observed_patch_email_address_department.json",
       user_after(R"({"emails":[{"value":"AdeleV2@REDACTED.onmicrosoft.com","type":"work","primary":true}]})")},
      {"entra-roles/01b_SingleAppRoleAssignment_PATCH.json",
       user_after(R"({"roles":[{"value":"user","primary":false},{"value":"25","display":"Role1234"}]})")},
      {"entra-roles/02b_AppRoleAssignmentsComplex_PATCH.json",
       user_after(R"({"roles":[{"value":"User","primary":false,"display":"User"},{"value":"Admin","display":"Admin"}]})")},
      {"entra-roles/03b_AssertiveAppRoleAssignmentsComplex_PATCH.json",
       user_after(R"({"roles":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},
                                {"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Test","value":"Test"}]})")},
      {"okta/04_deactivate_user_PATCH.json", user_after(R"({"active":false})")},
  };
  return cases;
}

struct user_body_case {
  std::string file;
  user_use use;
  json expected;                                // lenient result
  const char* strict_error = nullptr;           // strict mode: nullptr = same result, else a detail part
};

const std::vector<user_body_case>& user_body_cases() {
  static const std::vector<user_body_case> cases = {
      {"entra/01_create_user.json", user_use::create,
       json::parse(R"({"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
           "active":true,"emails":[{"primary":true,"type":"work","value":"Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"}],
           "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]})"),
       "'displayName'"},
      {"entra/01b_create_user_example2_with_nulls.json", user_use::create,
       json::parse(R"({"externalId":"jyoung","userName":"jyoung@testuser.com","active":true,"displayName":"Joy Young",
           "emails":[{"type":"work","value":"jyoung@Contoso.com","primary":true}],"name":{"familyName":"Young","givenName":"Joy"}})")},
      {"entra-roles/01a_SingleAppRoleAssignment_POST.json", user_use::create,
       json::parse(R"({"externalId":"alias","userName":"alias@contoso.OnMicrosoft.com","active":true,"displayName":"First Name Last Name",
           "roles":[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"Admin"}]})"),
       "'emails'"},
      {"entra-roles/02a_AppRoleAssignmentsComplex_POST.json", user_use::create,
       json::parse(R"({"externalId":"alias","userName":"alias@contoso.OnMicrosoft.com","active":true,"displayName":"First Name Last Name",
           "roles":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Admin","value":"Admin"},
                    {"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"}]})"),
       "'emails'"},
      {"entra-roles/03a_AssertiveAppRoleAssignmentsComplex_POST.json", user_use::create,
       json::parse(R"({"externalId":"contoso","userName":"contoso@alias.onmicrosoft.com","active":true,
           "roles":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},
                    {"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Test","value":"Test"}]})"),
       "'displayName'"},
      {"okta/02_create_user.json", user_use::create,
       json::parse(R"({"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},
           "emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"displayName":"Test User",
           "externalId":"00ujl29u0le5T6Aj10h7","active":true})")},
      {"okta/03_update_user_PUT.json", user_use::replace,
       json::parse(R"({"userName":"test.user@okta.local","name":{"givenName":"Another","middleName":"Excited","familyName":"User"},
           "emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],"active":true})"),
       "'externalId'"},
  };
  return cases;
}

struct group_body_case {
  std::string file;
  json doc;
  std::vector<std::string> members;
  const char* strict_error = nullptr;
};

const std::vector<group_body_case>& group_body_cases() {
  static const std::vector<group_body_case> cases = {
      {"entra/08_create_group.json",
       json::parse(R"({"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName"})"), {}},
      {"okta/05_create_group.json", json::parse(R"({"displayName":"Test SCIMv2"})"), {}, "'externalId'"},
      {"okta/10_group_membership_PUT_AIW.json", json::parse(R"({"displayName":"Test SCIMv2"})"),
       {"23a35c27-23d3-4c03-b4c5-6443c09e7173"}, "'externalId'"},
  };
  return cases;
}

struct group_patch_case {
  std::string file;
  std::optional<std::string> display_name;
  std::vector<member_step> steps;
};

const std::vector<group_patch_case>& group_patch_cases() {
  using k = member_step::kind;
  static const std::vector<group_patch_case> cases = {
      {"entra/11_update_group_replace_displayName.json", "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName", {}},
      {"entra/12_update_group_add_members.json", std::nullopt, {{k::add, {"f648f8d5ea4e4cd38e9c"}}}},
      {"entra/13_update_group_remove_members.json", std::nullopt, {{k::remove, {"f648f8d5ea4e4cd38e9c"}}}},
      {"entra-quirks/04a_remove_group_member_without_flag.json", std::nullopt, {{k::remove, {"u1091"}}}},
      {"entra-quirks/04b_remove_group_member_with_flag.json", std::nullopt,
       {{k::remove, {"7f4bc1a3-285e-48ae-8202-5accb43efb0e"}}}},
      {"entra-quirks/05a_2020_group_member_remove_filter.json", std::nullopt,
       {{k::remove, {"16b083c0-f1e8-4544-b6ee-27a28dc98761"}}}},
      {"entra-quirks/05d_2020_group_member_add.json", std::nullopt, {{k::add, {"10263a6910a84ef9a581dd9b8dcc0eae"}}}},
      {"entra-quirks/06c_observed_remove_member_value_array_no_ref.json", std::nullopt,
       {{k::remove, {"aaebb169-b91d-481c-9957-097faeaf649a"}}}},
      {"okta/07_rename_group_PATCH.json", "Test SCIMv2", {}},
      {"okta/08_group_membership_PATCH.json", std::nullopt,
       {{k::remove, {"89bb1940-b905-4575-9e7f-6f887cfb368e"}}, {k::add, {"23a35c27-23d3-4c03-b4c5-6443c09e7173"}}}},
      {"okta/09_group_membership_replace_PATCH.json", std::nullopt,
       {{k::replace, {"23a35c27-23d3-4c03-b4c5-6443c09e7173", "89bb1940-b905-4575-9e7f-6f887cfb368e"}}}},
  };
  return cases;
}

TEST(PatchEngine, specUserPatchPayloads) {
  for (const auto& c : user_patch_cases()) {
    SCOPED_TRACE(c.file);
    const json body = body_of(c.file);
    ASSERT_TRUE(body.is_object()) << "cannot read " << (requests_dir / c.file);
    for (const bool strict : {false, true}) {
      SCOPED_TRACE(strict ? "strict" : "lenient");
      auto ops = parse_patch_request(body, strict);
      ASSERT_TRUE(ops.has_value()) << ops.error().detail;
      auto r = apply_user_patch(c.before, *ops, strict ? validation_mode::strict : validation_mode::lenient);
      ASSERT_TRUE(r.has_value()) << r.error().scim_type << ": " << r.error().detail;
      EXPECT_EQ(*r, c.expected) << "got:      " << r->dump() << "\nexpected: " << c.expected.dump();
    }
  }
}

TEST(UserModel, specUserBodies) {
  for (const auto& c : user_body_cases()) {
    SCOPED_TRACE(c.file);
    const json body = body_of(c.file);
    ASSERT_TRUE(body.is_object()) << "cannot read " << (requests_dir / c.file);
    auto lenient = canonical_user(body, validation_mode::lenient, c.use);
    ASSERT_TRUE(lenient.has_value()) << lenient.error().detail;
    EXPECT_EQ(*lenient, c.expected) << lenient->dump();

    auto strict = canonical_user(body, validation_mode::strict, c.use);
    if (c.strict_error == nullptr) {
      ASSERT_TRUE(strict.has_value()) << strict.error().detail;
      EXPECT_EQ(*strict, c.expected);
    } else {
      ASSERT_FALSE(strict.has_value());
      EXPECT_EQ(strict.error().scim_type, "invalidValue");
      EXPECT_NE(strict.error().detail.find(c.strict_error), std::string::npos) << strict.error().detail;
    }
  }
}

TEST(UserModel, oktaPutBodyIsNoCreateBody) {
  // Okta's PUT has no externalId: fine for replace (the stored one is kept), not for create.
  auto r = canonical_user(body_of("okta/03_update_user_PUT.json"), validation_mode::lenient, user_use::create);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().detail, "Missing required attribute 'externalId'");
}

TEST(GroupModel, specGroupBodies) {
  for (const auto& c : group_body_cases()) {
    SCOPED_TRACE(c.file);
    const json body = body_of(c.file);
    ASSERT_TRUE(body.is_object()) << "cannot read " << (requests_dir / c.file);
    auto lenient = canonical_group(body, validation_mode::lenient);
    ASSERT_TRUE(lenient.has_value()) << lenient.error().detail;
    EXPECT_EQ(lenient->doc, c.doc);
    EXPECT_EQ(lenient->members, c.members);
    auto strict = canonical_group(body, validation_mode::strict);
    if (c.strict_error == nullptr) {
      ASSERT_TRUE(strict.has_value()) << strict.error().detail;
      EXPECT_EQ(strict->doc, c.doc);
    } else {
      ASSERT_FALSE(strict.has_value());
      EXPECT_NE(strict.error().detail.find(c.strict_error), std::string::npos) << strict.error().detail;
    }
  }
}

TEST(GroupPatch, specGroupPatchPayloads) {
  for (const auto& c : group_patch_cases()) {
    SCOPED_TRACE(c.file);
    const json body = body_of(c.file);
    ASSERT_TRUE(body.is_object()) << "cannot read " << (requests_dir / c.file);
    for (const bool strict : {false, true}) {
      auto ops = parse_patch_request(body, strict);
      ASSERT_TRUE(ops.has_value()) << ops.error().detail;
      auto plan = plan_group_patch(*ops, strict ? validation_mode::strict : validation_mode::lenient);
      ASSERT_TRUE(plan.has_value()) << plan.error().detail;
      EXPECT_EQ(plan->display_name, c.display_name);
      EXPECT_FALSE(plan->external_id.has_value());
      ASSERT_EQ(plan->members.size(), c.steps.size());
      for (std::size_t i = 0; i < c.steps.size(); ++i) {
        EXPECT_EQ(plan->members[i].op, c.steps[i].op) << i;
        EXPECT_EQ(plan->members[i].ids, c.steps[i].ids) << i;
      }
    }
  }
}

// A request file added to the spec later must be added to a table above.
TEST(PatchEngine, everySpecRequestBodyIsReplayed) {
  std::set<std::string> covered;
  for (const auto& c : user_patch_cases()) covered.insert(c.file);
  for (const auto& c : user_body_cases()) covered.insert(c.file);
  for (const auto& c : group_body_cases()) covered.insert(c.file);
  for (const auto& c : group_patch_cases()) covered.insert(c.file);

  std::size_t bodies = 0;
  for (const char* dir : {"entra", "entra-quirks", "entra-roles", "okta"}) {
    ASSERT_TRUE(std::filesystem::is_directory(requests_dir / dir)) << (requests_dir / dir);
    for (const auto& entry : std::filesystem::directory_iterator(requests_dir / dir)) {
      if (entry.path().extension() != ".json") continue;
      const json spec = load(entry.path());
      ASSERT_TRUE(spec.is_object()) << entry.path();
      if (!spec["request"].contains("body")) continue;
      ++bodies;
      const std::string rel = std::string(dir) + "/" + entry.path().filename().string();
      EXPECT_TRUE(covered.contains(rel)) << rel << " has a request body that no test replays";
    }
  }
  EXPECT_EQ(bodies, covered.size());
}

}  // namespace
}  // namespace emuscim::scim
