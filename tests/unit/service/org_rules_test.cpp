// The org-level SCIM rule set (org_rules.hpp), table-driven: what differs from EMU's rules.
#include "emuscim/service/org_rules.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace emuscim::service {
namespace {

using nlohmann::json;
using scim::user_use;
using scim::validation_mode;

struct canonical_case {
  std::string name;
  std::string body;
  validation_mode mode;
  user_use use;
  std::optional<std::string> error;  // a part of the detail; nullopt: accepted
};

TEST(OrgRules, canonicalRequiresWhatAnInvitationNeeds) {
  const std::string full = R"({"userName":"mona.octocat@okta.example.com","externalId":"a7d0f98382",
      "name":{"givenName":"Monalisa","familyName":"Octocat","formatted":"Monalisa Octocat"},
      "emails":[{"value":"mona.octocat@okta.example.com","primary":true},{"value":"monalisa@octocat.github.com"}]})";
  const std::vector<canonical_case> cases = {
      {"GitHub's own example, no schemas", full, validation_mode::strict, user_use::create, std::nullopt},
      {"externalId is optional", R"({"userName":"u","emails":[{"value":"u@example.com"}]})", validation_mode::lenient,
       user_use::create, std::nullopt},
      {"userName missing", R"({"emails":[{"value":"u@example.com"}]})", validation_mode::lenient, user_use::create,
       "Missing required attribute 'userName'"},
      {"no emails: nowhere to send the invitation", R"({"userName":"u"})", validation_mode::lenient, user_use::create,
       "Missing required attribute 'emails'"},
      {"emails empty", R"({"userName":"u","emails":[]})", validation_mode::lenient, user_use::replace,
       "Missing required attribute 'emails'"},
      {"an email without value", R"({"userName":"u","emails":[{"type":"work"}]})", validation_mode::lenient,
       user_use::create, "'emails[0]"},
      {"lenient: name is optional", R"({"userName":"u","emails":[{"value":"u@example.com"}]})",
       validation_mode::lenient, user_use::replace, std::nullopt},
      {"strict: name.givenName required", R"({"userName":"u","emails":[{"value":"u@example.com"}]})",
       validation_mode::strict, user_use::create, "Missing required attribute 'name.givenName'"},
      {"strict: name.familyName required",
       R"({"userName":"u","name":{"givenName":"U"},"emails":[{"value":"u@example.com"}]})", validation_mode::strict,
       user_use::replace, "Missing required attribute 'name.familyName'"},
      {"strict does not ask for EMU's list (schemas, externalId, active, displayName, email type)",
       R"({"userName":"u","name":{"givenName":"U","familyName":"V"},"emails":[{"value":"u@example.com"}]})",
       validation_mode::strict, user_use::create, std::nullopt},
      {"a create with active false provisions nobody",
       R"({"userName":"u","active":false,"emails":[{"value":"u@example.com"}]})", validation_mode::lenient,
       user_use::create, "'active: false'"},
      {"a PUT with active false is a deprovisioning, not an error",
       R"({"userName":"u","active":"False","emails":[{"value":"u@example.com"}]})", validation_mode::lenient,
       user_use::replace, std::nullopt},
      {"wrong types are still the shared model's errors", R"({"userName":7,"emails":[{"value":"u@example.com"}]})",
       validation_mode::lenient, user_use::create, "'userName' must be a string"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto doc = org_rules::canonical(json::parse(c.body), c.mode, c.use);
    if (!c.error) {
      EXPECT_TRUE(doc.has_value()) << doc.error().detail;
    } else {
      ASSERT_FALSE(doc.has_value());
      EXPECT_EQ(doc.error().status, 400);
      EXPECT_NE(doc.error().detail.find(*c.error), std::string::npos) << doc.error().detail;
    }
  }
}

TEST(OrgRules, canonicalKeepsNoRolesAndNoGroups) {
  auto doc = org_rules::canonical(
      json::parse(R"({"userName":"u","emails":[{"value":"u@example.com"}],"roles":[{"value":"admin"}],
                      "groups":["g1"],"password":"x","active":true})"),
      validation_mode::lenient, user_use::create);
  ASSERT_TRUE(doc.has_value());
  EXPECT_FALSE(doc->contains("roles"));
  EXPECT_FALSE(doc->contains("groups"));
  EXPECT_FALSE(doc->contains("password"));
  EXPECT_EQ(doc->at("active"), true);
}

TEST(OrgRules, aDisplayNameIsDerivedFromTheNameWhenNoneIsGiven) {
  // GitHub's org examples (requests/org_scim/04, 06) answer displayName "Monalisa Octocat" to a
  // body that has only name.formatted.
  struct case_t {
    std::string body;
    std::optional<std::string> display_name;
  };
  const std::vector<case_t> cases = {
      {R"({"userName":"u","emails":[{"value":"u@x"}],"name":{"formatted":"Monalisa Octocat","givenName":"M"}})",
       "Monalisa Octocat"},
      {R"({"userName":"u","emails":[{"value":"u@x"}],"name":{"givenName":"Mona","familyName":"Lisa"}})", "Mona Lisa"},
      {R"({"userName":"u","emails":[{"value":"u@x"}],"displayName":"Given","name":{"formatted":"F"}})", "Given"},
      {R"({"userName":"u","emails":[{"value":"u@x"}]})", std::nullopt},
  };
  for (const auto& c : cases) {
    auto doc = org_rules::canonical(json::parse(c.body), validation_mode::lenient, user_use::create);
    ASSERT_TRUE(doc.has_value()) << c.body;
    if (c.display_name) {
      EXPECT_EQ(doc->value("displayName", ""), *c.display_name) << c.body;
    } else {
      EXPECT_FALSE(doc->contains("displayName")) << c.body;
    }
  }
}

TEST(OrgRules, patchedDocumentsNeedUserNameAndAnEmailInEveryMode) {
  const json named = json::parse(R"({"userName":"u","emails":[{"value":"u@example.com"}]})");
  EXPECT_TRUE(org_rules::check_required(named, validation_mode::strict, user_use::patched));
  const json no_email = json::parse(R"({"userName":"u","emails":[]})");
  EXPECT_FALSE(org_rules::check_required(no_email, validation_mode::lenient, user_use::patched));
}

TEST(OrgRules, theInvitationGoesToThePrimaryEmailElseTheFirst) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"emails":[{"value":"a@x"},{"value":"b@x","primary":true}]})", "b@x"},
      {R"({"emails":[{"value":"a@x"},{"value":"b@x"}]})", "a@x"},
      {R"({"emails":[{"type":"work"},{"value":"b@x"}]})", "b@x"},
      {R"({"emails":[{"value":"a@x","primary":false}]})", "a@x"},
      {R"({"userName":"u"})", ""},
  };
  for (const auto& [doc, email] : cases) EXPECT_EQ(org_rules::invitation_email(json::parse(doc)), email) << doc;
}

TEST(OrgRules, emailValuesAreKeptOnceInAnyCase) {
  const json doc = json::parse(R"({"emails":[{"value":"A@x"},{"value":"b@x"},{"value":"a@X"},{"type":"home"}]})");
  EXPECT_EQ(org_rules::email_values(doc), (std::vector<std::string>{"A@x", "b@x"}));
}

TEST(OrgRules, displayNameFallsBackToTheNameParts) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"displayName":"Mona","name":{"formatted":"Monalisa Octocat"}})", "Mona"},
      {R"({"name":{"formatted":"Monalisa Octocat","givenName":"M"}})", "Monalisa Octocat"},
      {R"({"name":{"givenName":"Monalisa","familyName":"Octocat"}})", "Monalisa Octocat"},
      {R"({"name":{"familyName":"Octocat"}})", "Octocat"},
      {R"({"userName":"u"})", ""},
  };
  for (const auto& [doc, name] : cases) EXPECT_EQ(org_rules::display_name(json::parse(doc)), name) << doc;
}

TEST(OrgRules, pathlessGivenNameAndFamilyNameBecomeNameParts) {
  struct adapt_case {
    std::string name;
    scim::patch_operation op;
    json expected_value;
  };
  using scim::patch_op_kind;
  const std::vector<adapt_case> cases = {
      {"GitHub's value object", {patch_op_kind::replace, std::nullopt, json::parse(R"({"givenName":"Mona","familyName":"Lisa","active":true})")},
       json::parse(R"({"name.givenName":"Mona","name.familyName":"Lisa","active":true})")},
      {"any case", {patch_op_kind::add, std::string(""), json::parse(R"({"GIVENNAME":"Mona"})")},
       json::parse(R"({"name.givenName":"Mona"})")},
      {"with a path: left alone", {patch_op_kind::replace, std::string("name"), json::parse(R"({"givenName":"Mona"})")},
       json::parse(R"({"givenName":"Mona"})")},
      {"remove: left alone", {patch_op_kind::remove, std::nullopt, json::parse(R"({"givenName":"Mona"})")},
       json::parse(R"({"givenName":"Mona"})")},
      {"GitHub's PATCH example", {patch_op_kind::replace, std::nullopt, json::parse(R"({"displayName":"Octocat"})")},
       json::parse(R"({"displayName":"Octocat"})")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<scim::patch_operation> ops = {c.op};
    org_rules::adapt_patch(ops);
    ASSERT_TRUE(ops[0].value.has_value());
    EXPECT_EQ(*ops[0].value, c.expected_value);
  }
  // The shared engine then applies them as name parts.
  std::vector<scim::patch_operation> ops = {
      {patch_op_kind::replace, std::nullopt, json::parse(R"({"givenName":"Mona","familyName":"Lisa"})")}};
  org_rules::adapt_patch(ops);
  auto doc = scim::apply_user_patch(json::parse(R"({"userName":"u","active":true,"name":{"givenName":"M"}})"), ops);
  ASSERT_TRUE(doc.has_value()) << doc.error().detail;
  EXPECT_EQ(doc->at("name"), json::parse(R"({"givenName":"Mona","familyName":"Lisa"})"));
}

TEST(OrgRules, filteredPathsAreRefusedOnlyInStrictMode) {
  struct plan_case {
    std::string path;
    bool filtered;
  };
  const std::vector<plan_case> cases = {
      {R"(emails[type eq "work"].value)", true},
      {R"(emails[primary eq true])", true},
      {"emails", false},
      {"name.givenName", false},
      {"active", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    std::vector<scim::patch_operation> ops = {
        {scim::patch_op_kind::replace, c.path,
         c.path == "active" ? json(false) : (c.path == "emails" ? json::parse(R"([{"value":"a@x"}])") : json("v"))}};
    if (c.path == R"(emails[primary eq true])") ops[0].value = json::parse(R"({"value":"a@x"})");
    auto plan = scim::plan_user_patch(ops);
    ASSERT_TRUE(plan.has_value()) << plan.error().detail;
    EXPECT_TRUE(org_rules::check_patch_plan(*plan, validation_mode::lenient));
    auto strict = org_rules::check_patch_plan(*plan, validation_mode::strict);
    EXPECT_EQ(strict.has_value(), !c.filtered);
    if (c.filtered) {
      EXPECT_EQ(strict.error().scim_type, "invalidPath");
      EXPECT_NE(strict.error().detail.find("Operations[0]"), std::string::npos);
    }
  }
}

TEST(OrgRules, activeFalseDeprovisions) {
  EXPECT_EQ(org_rules::classify(json::parse(R"({"active":false})")), org_rules::change::deprovision);
  EXPECT_EQ(org_rules::classify(json::parse(R"({"active":true})")), org_rules::change::update);
  EXPECT_EQ(org_rules::classify(json::parse(R"({"userName":"u"})")), org_rules::change::update);
}

TEST(OrgRules, personalLogins) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"octocat", true},      {"mona-lisa", true},  {"a", true},      {std::string(39, 'a'), true},
      {std::string(40, 'a'), false}, {"-mona", false}, {"mona-", false}, {"mo--na", false},
      {"mona_acme", false},   {"mona.lisa", false}, {"", false},      {"mona lisa", false},
  };
  for (const auto& [login, ok] : cases) EXPECT_EQ(org_rules::valid_login(login), ok) << login;
}

}  // namespace
}  // namespace emuscim::service
