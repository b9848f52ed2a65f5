#include "emuscim/scim/user.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace emuscim::scim {
namespace {

using nlohmann::json;

struct ok_case {
  const char* name;
  const char* body;
  const char* expected;
  validation_mode mode = validation_mode::lenient;
  user_use use = user_use::create;
};

struct error_case {
  const char* name;
  const char* body;
  const char* detail_part;
  validation_mode mode = validation_mode::lenient;
  user_use use = user_use::create;
  const char* scim_type = "invalidValue";
};

void run_ok(const std::vector<ok_case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = canonical_user(json::parse(c.body), c.mode, c.use);
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    EXPECT_EQ(*r, json::parse(c.expected)) << r->dump();
  }
}

void run_errors(const std::vector<error_case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = canonical_user(json::parse(c.body), c.mode, c.use);
    ASSERT_FALSE(r.has_value()) << r->dump();
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().scim_type, c.scim_type);
    EXPECT_NE(r.error().detail.find(c.detail_part), std::string::npos) << r.error().detail;
  }
}

// GitHub's official POST /Users body (github-emu-scim.md §7).
constexpr const char* official_post = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"E012345",
  "active":true,"userName":"E012345",
  "name":{"formatted":"Ms. Mona Lisa Octocat","familyName":"Octocat","givenName":"Mona","middleName":"Lisa"},
  "displayName":"Mona Lisa","emails":[{"value":"mlisa@example.com","type":"work","primary":true}],
  "roles":[{"value":"user","primary":false}]})";

TEST(UserModel, canonicalFormKeepsOnlyGitHubAttributes) {
  run_ok({
      {"official POST body, strict", official_post,
       R"({"externalId":"E012345","active":true,"userName":"E012345",
           "name":{"formatted":"Ms. Mona Lisa Octocat","familyName":"Octocat","givenName":"Mona","middleName":"Lisa"},
           "displayName":"Mona Lisa","emails":[{"value":"mlisa@example.com","type":"work","primary":true}],
           "roles":[{"value":"user","primary":false}]})",
       validation_mode::strict},
      {"read-only and unsupported attributes are dropped",
       R"({"userName":"u","externalId":"e","id":"x","meta":{"resourceType":"User"},"password":"p","groups":[],
           "locale":"en-US","title":"t","nickName":"n","addresses":[{"type":"work"}],"phoneNumbers":[],
           "manager":{"value":"m"},"department":"d","preferredLanguage":"en",
           "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1"},
           "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"d",
           "urn:ietf:params:scim:schemas:core:2.0:User:nickName":"n"})",
       R"({"userName":"u","externalId":"e","active":true})"},
      {"keys match case-insensitively", R"({"USERNAME":"u","ExternalID":"e","Active":"False","DISPLAYNAME":"D",
           "Name":{"GivenName":"G","familyname":"F"},"EMAILS":[{"Value":"a@x","TYPE":"work","Primary":"TRUE"}],
           "Roles":[{"VALUE":"user","DisplayName":"User"}]})",
       R"({"userName":"u","externalId":"e","active":false,"displayName":"D","name":{"givenName":"G","familyName":"F"},
           "emails":[{"value":"a@x","type":"work","primary":true}],"roles":[{"value":"user","display":"User"}]})"},
      {"nulls and empty strings are unset", R"({"userName":"u","externalId":"e","displayName":null,"active":null,
           "name":{"givenName":"","familyName":null,"formatted":"F"},"emails":null,"roles":null})",
       R"({"userName":"u","externalId":"e","active":true,"name":{"formatted":"F"}})"},
      {"an empty name is dropped", R"({"userName":"u","externalId":"e","name":{"nickName":"x","givenName":null}})",
       R"({"userName":"u","externalId":"e","active":true})"},
      {"missing active is true", R"({"userName":"u","externalId":"e"})",
       R"({"userName":"u","externalId":"e","active":true})"},
      {"active as the string \"true\"", R"({"userName":"u","externalId":"e","active":"true"})",
       R"({"userName":"u","externalId":"e","active":true})"},
      {"empty emails and roles are kept", R"({"userName":"u","externalId":"e","emails":[],"roles":[]})",
       R"({"userName":"u","externalId":"e","active":true,"emails":[],"roles":[]})"},
      {"email display is kept, unknown email sub-attributes dropped",
       R"({"userName":"u","externalId":"e","emails":[{"value":"a@x","type":"work","primary":true,"display":"a@x","label":"l"}]})",
       R"({"userName":"u","externalId":"e","active":true,"emails":[{"value":"a@x","type":"work","primary":true,"display":"a@x"}]})"},
      {"a single email object and bare addresses are accepted",
       R"({"userName":"u","externalId":"e","emails":{"value":"a@x","type":"home"}})",
       R"({"userName":"u","externalId":"e","active":true,"emails":[{"value":"a@x","type":"home"}]})"},
      {"several emails of distinct types", R"({"userName":"u","externalId":"e","emails":["a@x",{"value":"b@x","type":"home"},null,{"value":"c@x"}]})",
       R"({"userName":"u","externalId":"e","active":true,"emails":[{"value":"a@x"},{"value":"b@x","type":"home"},{"value":"c@x"}]})"},
  });
}

TEST(UserModel, rolesInEveryForm) {
  run_ok({
      {"objects with display, type, primary",
       R"({"userName":"u","externalId":"e","roles":[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"Admin"}]})",
       R"({"userName":"u","externalId":"e","active":true,"roles":[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"Admin"}]})"},
      {"displayName becomes display; display wins when both are given",
       R"({"userName":"u","externalId":"e","roles":[{"value":"a","displayName":"A"},{"value":"b","display":"B","displayName":"X"}]})",
       R"({"userName":"u","externalId":"e","active":true,"roles":[{"value":"a","display":"A"},{"value":"b","display":"B"}]})"},
      {"Entra's stringified JSON, as an item or inside value",
       R"({"userName":"u","externalId":"e","roles":["{\"id\":\"1\",\"value\":\"Admin\",\"displayName\":\"Admin\"}",
           {"value":"{\"id\":\"2\",\"value\":\"25\",\"displayName\":\"Role1234\"}","primary":"True"}]})",
       R"({"userName":"u","externalId":"e","active":true,"roles":[{"value":"Admin","display":"Admin"},{"value":"25","display":"Role1234","primary":true}]})"},
      {"bare role values", R"({"userName":"u","externalId":"e","roles":["enterprise_owner","27d9891d-2c17-4f45-a262-781a0e55c80a"]})",
       R"({"userName":"u","externalId":"e","active":true,"roles":[{"value":"enterprise_owner"},{"value":"27d9891d-2c17-4f45-a262-781a0e55c80a"}]})"},
      {"role values are not validated here", R"({"userName":"u","externalId":"e","roles":[{"value":"Test"}]})",
       R"({"userName":"u","externalId":"e","active":true,"roles":[{"value":"Test"}]})"},
      {"repeated role values collapse into the first", R"({"userName":"u","externalId":"e","roles":[{"value":"user","display":"1"},{"value":"USER","display":"2"}]})",
       R"({"userName":"u","externalId":"e","active":true,"roles":[{"value":"user","display":"1"}]})"},
      {"several roles may be primary (Entra sets none or one, others are not checked)",
       R"({"userName":"u","externalId":"e","roles":[{"value":"a","primary":true},{"value":"b","primary":true}]})",
       R"({"userName":"u","externalId":"e","active":true,"roles":[{"value":"a","primary":true},{"value":"b","primary":true}]})"},
  });
  run_errors({
      {"a role without value", R"({"userName":"u","externalId":"e","roles":[{"display":"x"}]})", "roles[0].value"},
      {"an empty role value", R"({"userName":"u","externalId":"e","roles":[{"value":"x"},{"value":""}]})", "roles[1].value"},
      {"a numeric role value", R"({"userName":"u","externalId":"e","roles":[{"value":3}]})", "roles[0].value"},
      {"malformed stringified JSON", R"({"userName":"u","externalId":"e","roles":["{not json"]})", "roles[0]"},
      {"stringified JSON without value", R"({"userName":"u","externalId":"e","roles":["{\"id\":\"1\"}"]})", "roles[0].value"},
      {"a role that is a number", R"({"userName":"u","externalId":"e","roles":[7]})", "roles[0]"},
      {"a role type that is not a string", R"({"userName":"u","externalId":"e","roles":[{"value":"a","type":1}]})", "roles[0].type"},
  });
}

TEST(UserModel, typeErrorsNameTheAttribute) {
  run_errors({
      {"body not an object", R"(["u"])", "object", validation_mode::lenient, user_use::create, "invalidSyntax"},
      {"userName not a string", R"({"userName":5,"externalId":"e"})", "userName"},
      {"userName empty", R"({"userName":"","externalId":"e"})", "userName"},
      {"externalId not a string", R"({"userName":"u","externalId":12})", "externalId"},
      {"displayName not a string", R"({"userName":"u","externalId":"e","displayName":{"a":1}})", "displayName"},
      {"active not a boolean", R"({"userName":"u","externalId":"e","active":"yes"})", "active"},
      {"active a number", R"({"userName":"u","externalId":"e","active":1})", "active"},
      {"name not an object", R"({"userName":"u","externalId":"e","name":"Mona"})", "name"},
      {"name part not a string", R"({"userName":"u","externalId":"e","name":{"givenName":["M"]}})", "name.givenName"},
      {"email without value", R"({"userName":"u","externalId":"e","emails":[{"type":"work","primary":true}]})",
       "emails[0].value"},
      {"email value not a string", R"({"userName":"u","externalId":"e","emails":[{"value":1}]})", "emails[0].value"},
      {"email item not an object", R"({"userName":"u","externalId":"e","emails":[true]})", "emails[0]"},
      {"email primary not a boolean", R"({"userName":"u","externalId":"e","emails":[{"value":"a@x","primary":"yes"}]})",
       "emails[0].primary"},
      {"email type not a string", R"({"userName":"u","externalId":"e","emails":[{"value":"a@x","type":3}]})",
       "emails[0].type"},
      {"duplicate email type", R"({"userName":"u","externalId":"e","emails":[{"value":"a@x","type":"work"},{"value":"b@x","type":"WORK"}]})",
       "Duplicate email type 'WORK'"},
      {"two primary emails", R"({"userName":"u","externalId":"e","emails":[{"value":"a@x","primary":true},{"value":"b@x","primary":"True"}]})",
       "primary"},
      {"an attribute given twice in different case", R"({"userName":"u","UserName":"v","externalId":"e"})", "userName"},
  });
}

TEST(UserModel, requiredAttributesByModeAndUse) {
  // Lenient: create needs userName + externalId; replace and patched need userName.
  run_ok({
      {"lenient replace without externalId (Okta PUT)", R"({"userName":"u"})", R"({"userName":"u","active":true})",
       validation_mode::lenient, user_use::replace},
      {"lenient patched without externalId", R"({"userName":"u"})", R"({"userName":"u","active":true})",
       validation_mode::lenient, user_use::patched},
      {"strict patched needs only userName and externalId", R"({"userName":"u","externalId":"e"})",
       R"({"userName":"u","externalId":"e","active":true})", validation_mode::strict, user_use::patched},
      {"strict with the enterprise extension URN as well",
       R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
           "externalId":"e","userName":"u","active":false,"displayName":"D","emails":[{"value":"a@x","type":"work","primary":"true"}]})",
       R"({"externalId":"e","userName":"u","active":false,"displayName":"D","emails":[{"value":"a@x","type":"work","primary":true}]})",
       validation_mode::strict, user_use::replace},
  });
  const char* strict_base = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e","userName":"u",
      "active":true,"displayName":"D","emails":[{"value":"a@x","type":"work","primary":true}]})";
  auto without = [&](const char* key) {
    json j = json::parse(strict_base);
    j.erase(key);
    return j.dump();
  };
  const std::string no_schemas = without("schemas"), no_ext = without("externalId"), no_active = without("active"),
                    no_display = without("displayName"), no_emails = without("emails");
  run_errors({
      {"lenient create without userName", R"({"externalId":"e"})", "Missing required attribute 'userName'"},
      {"lenient create without externalId", R"({"userName":"u"})", "Missing required attribute 'externalId'"},
      {"lenient create with an empty externalId", R"({"userName":"u","externalId":""})",
       "Missing required attribute 'externalId'"},
      {"lenient replace without userName", R"({"externalId":"e"})", "Missing required attribute 'userName'",
       validation_mode::lenient, user_use::replace},
      {"patched without userName", R"({"externalId":"e"})", "'userName'", validation_mode::lenient, user_use::patched},
      {"strict patched without externalId", R"({"userName":"u"})", "'externalId'", validation_mode::strict,
       user_use::patched},
      {"strict without schemas", no_schemas.c_str(), "schemas", validation_mode::strict},
      {"strict with a non-User schema", R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"e",
          "userName":"u","active":true,"displayName":"D","emails":[{"value":"a@x","type":"work","primary":true}]})",
       "schemas", validation_mode::strict},
      {"strict replace without externalId", no_ext.c_str(), "'externalId'", validation_mode::strict, user_use::replace},
      {"strict without active", no_active.c_str(), "'active'", validation_mode::strict},
      {"strict without displayName", no_display.c_str(), "'displayName'", validation_mode::strict},
      {"strict without emails", no_emails.c_str(), "'emails'", validation_mode::strict},
      {"strict with empty emails", R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e",
          "userName":"u","active":true,"displayName":"D","emails":[]})",
       "'emails'", validation_mode::strict},
      {"strict email without primary", R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e",
          "userName":"u","active":true,"displayName":"D","emails":[{"value":"a@x","type":"work"}]})",
       "emails[0].primary", validation_mode::strict},
      {"strict email without type", R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e",
          "userName":"u","active":true,"displayName":"D","emails":[{"value":"a@x","primary":true}]})",
       "emails[0].type", validation_mode::strict},
      {"strict name without givenName", R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"e",
          "userName":"u","active":true,"displayName":"D","emails":[{"value":"a@x","type":"work","primary":true}],
          "name":{"familyName":"F"}})",
       "name.givenName", validation_mode::strict},
  });
}

const resource_meta meta{"7fce0092-d52e-4f76-b727-3955bd72c939", "2012-03-27T19:59:26.000Z", "2018-03-27T19:59:26.000Z",
                         "https://emuscim.test/scim/v2/enterprises/octo/Users/7fce0092-d52e-4f76-b727-3955bd72c939"};

TEST(UserModel, renderUserCarriesGitHubsRequiredAttributes) {
  const json full = json::parse(R"({"externalId":"E012345","active":true,"userName":"E012345",
      "name":{"familyName":"Octocat","givenName":"Mona"},"displayName":"Mona Lisa",
      "emails":[{"value":"mlisa@example.com","type":"work","primary":true}],"roles":[{"value":"User","primary":false}]})");
  EXPECT_EQ(json(render_user(full, meta)), json::parse(R"({
      "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"7fce0092-d52e-4f76-b727-3955bd72c939",
      "externalId":"E012345","userName":"E012345","displayName":"Mona Lisa",
      "name":{"familyName":"Octocat","givenName":"Mona"},"active":true,
      "emails":[{"value":"mlisa@example.com","type":"work","primary":true}],"roles":[{"value":"User","primary":false}],
      "meta":{"resourceType":"User","created":"2012-03-27T19:59:26.000Z","lastModified":"2018-03-27T19:59:26.000Z",
              "location":"https://emuscim.test/scim/v2/enterprises/octo/Users/7fce0092-d52e-4f76-b727-3955bd72c939"}})"));

  // Unset attributes: no externalId/displayName/name/roles keys, but emails [] and a boolean active.
  const json minimal = render_user(json::parse(R"({"userName":"u"})"), meta);
  EXPECT_EQ(minimal, json::parse(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
      "id":"7fce0092-d52e-4f76-b727-3955bd72c939","userName":"u","active":true,"emails":[],
      "meta":{"resourceType":"User","created":"2012-03-27T19:59:26.000Z","lastModified":"2018-03-27T19:59:26.000Z",
              "location":"https://emuscim.test/scim/v2/enterprises/octo/Users/7fce0092-d52e-4f76-b727-3955bd72c939"}})"));

  // roles [] means "no role" and is echoed; a suspended user shows active false.
  const json no_role = render_user(json::parse(R"({"userName":"u","active":false,"roles":[]})"), meta);
  EXPECT_EQ(no_role.at("roles"), json::array());
  EXPECT_EQ(no_role.at("active"), false);
}

TEST(UserModel, renderUserReadsLikeGitHubsExample) {
  // openapi scim-enterprise-user: schemas, id, externalId, active, userName, name, displayName,
  // emails, roles, meta; name parts, email and role items in the example's order too.
  const json doc = json::parse(R"({"userName":"E012345","externalId":"E012345","active":true,"displayName":"Mona Lisa",
      "name":{"middleName":"Lisa","givenName":"Mona","formatted":"Ms. Mona Lisa Octocat","familyName":"Octocat"},
      "emails":[{"primary":true,"type":"work","value":"mlisa@example.com"}],
      "roles":[{"primary":false,"value":"User","display":"U","type":"t"}]})");
  EXPECT_EQ(render_user(doc, meta).dump(),
            R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"7fce0092-d52e-4f76-b727-3955bd72c939",)"
            R"("externalId":"E012345","active":true,"userName":"E012345",)"
            R"("name":{"formatted":"Ms. Mona Lisa Octocat","familyName":"Octocat","givenName":"Mona","middleName":"Lisa"},)"
            R"("displayName":"Mona Lisa","emails":[{"value":"mlisa@example.com","type":"work","primary":true}],)"
            R"("roles":[{"value":"User","type":"t","primary":false,"display":"U"}],)"
            R"("meta":{"resourceType":"User","created":"2012-03-27T19:59:26.000Z","lastModified":"2018-03-27T19:59:26.000Z",)"
            R"("location":"https://emuscim.test/scim/v2/enterprises/octo/Users/7fce0092-d52e-4f76-b727-3955bd72c939"}})");
}

TEST(UserModel, renderUserInTheOrganizationLayoutReadsLikeGitHubsOrgExample) {
  // openapi/ghec-orgs-teams.json example scim-user: schemas, id, externalId, userName, displayName,
  // name {givenName, familyName, formatted}, emails, active, meta.
  const json doc = json::parse(R"({"userName":"mona.octocat@okta.example.com","externalId":"a7d0f98382","active":true,
      "displayName":"Monalisa Octocat","name":{"formatted":"Monalisa Octocat","familyName":"Octocat","givenName":"Monalisa"},
      "emails":[{"primary":true,"value":"mona.octocat@okta.example.com"},{"value":"monalisa@octocat.github.com"}]})");
  const resource_meta org_meta{"edefdfedf-050c-11e7-8d32", "2017-03-09T16:11:13.000Z", "2017-03-09T16:11:13.000Z",
                               "https://api.github.com/scim/v2/organizations/octo-org/Users/edefdfedf-050c-11e7-8d32"};
  EXPECT_EQ(render_user(doc, org_meta, response_layout::organization).dump(),
            R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"edefdfedf-050c-11e7-8d32",)"
            R"("externalId":"a7d0f98382","userName":"mona.octocat@okta.example.com","displayName":"Monalisa Octocat",)"
            R"("name":{"givenName":"Monalisa","familyName":"Octocat","formatted":"Monalisa Octocat"},)"
            R"("emails":[{"value":"mona.octocat@okta.example.com","primary":true},{"value":"monalisa@octocat.github.com"}],)"
            R"("active":true,"meta":{"resourceType":"User","created":"2017-03-09T16:11:13.000Z",)"
            R"("lastModified":"2017-03-09T16:11:13.000Z",)"
            R"("location":"https://api.github.com/scim/v2/organizations/octo-org/Users/edefdfedf-050c-11e7-8d32"}})");
  // The same document in both layouts: the same members, only their order differs.
  EXPECT_EQ(json(render_user(doc, org_meta, response_layout::organization)), json(render_user(doc, org_meta)));
}

TEST(UserModel, renderUserOfACanonicalisedCreateBody) {
  auto doc = canonical_user(json::parse(official_post), validation_mode::lenient, user_use::create);
  ASSERT_TRUE(doc.has_value());
  const json out = render_user(*doc, meta);
  EXPECT_EQ(out.at("emails"), json::parse(R"([{"value":"mlisa@example.com","type":"work","primary":true}])"));
  EXPECT_EQ(out.at("name").at("middleName"), "Lisa");
  EXPECT_EQ(out.at("meta").at("resourceType"), "User");
  EXPECT_FALSE(out.contains("password"));
}

TEST(UserModel, renderListReportsItemsActuallyReturned) {
  // github-emu-scim.md §6's empty list, member for member and in its order.
  EXPECT_EQ(render_list(0, 1, nlohmann::ordered_json::array()).dump(),
            R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,)"
            R"("Resources":[],"startIndex":1,"itemsPerPage":0})");
  const json page = render_list(7, 6, json::parse(R"([{"id":"a"},{"id":"b"}])"));
  EXPECT_EQ(page.at("totalResults"), 7);
  EXPECT_EQ(page.at("startIndex"), 6);
  EXPECT_EQ(page.at("itemsPerPage"), 2);
  EXPECT_EQ(page.at("Resources").size(), 2u);
  EXPECT_EQ(json(render_list(3, 1, nullptr)).at("Resources"), json::array());
  EXPECT_EQ(render_list(3, 1, nullptr).at("itemsPerPage"), 0);
}

TEST(UserModel, renderListInTheOrganizationLayoutReadsLikeGitHubsOrgExample) {
  // openapi/ghec-orgs-teams.json scim-user-list examples: schemas, totalResults, itemsPerPage,
  // startIndex, Resources.
  EXPECT_EQ(render_list(2, 2, json::parse(R"([{"id":"b"}])"), response_layout::organization).dump(),
            R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,)"
            R"("itemsPerPage":1,"startIndex":2,"Resources":[{"id":"b"}]})");
}

}  // namespace
}  // namespace emuscim::scim
