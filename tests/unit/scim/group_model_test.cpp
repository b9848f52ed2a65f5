#include "emuscim/scim/group.hpp"

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
  const char* doc;
  std::vector<std::string> members;
  validation_mode mode = validation_mode::lenient;
};

TEST(GroupModel, canonicalGroupBodies) {
  const std::vector<ok_case> cases = {
      {"GitHub's official POST, strict", R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
          "externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"Engineering",
          "members":[{"value":"879db59-3bdf-4490-ad68-ab880a2694745","displayName":"User 1"},
                     {"value":"0db508eb-91e2-46e4-809c-30dcbda0c685","displayName":"User 2"}]})",
       R"({"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"Engineering"})",
       {"879db59-3bdf-4490-ad68-ab880a2694745", "0db508eb-91e2-46e4-809c-30dcbda0c685"},
       validation_mode::strict},
      {"Entra: Microsoft URN, meta, no members key", R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group",
          "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
          "externalId":"8aa1a0c0","displayName":"displayName","meta":{"resourceType":"Group"}})",
       R"({"externalId":"8aa1a0c0","displayName":"displayName"})", {}},
      {"Okta: no externalId, members []", R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
          "displayName":"Test SCIMv2","members":[]})",
       R"({"displayName":"Test SCIMv2"})", {}},
      {"member forms: $ref null, display, bare strings; duplicates collapse", R"({"displayName":"G",
          "members":[{"$ref":null,"value":"a"},{"value":"b","display":"B"},"c",{"value":"a"},null]})",
       R"({"displayName":"G"})", {"a", "b", "c"}},
      {"a single member object", R"({"displayName":"G","members":{"value":"a"}})", R"({"displayName":"G"})", {"a"}},
      {"keys match case-insensitively; extras dropped", R"({"DISPLAYNAME":"G","externalID":"x","Members":[{"Value":"a"}],
          "id":"old","owner":"someone"})",
       R"({"displayName":"G","externalId":"x"})", {"a"}},
      {"empty externalId is unset", R"({"displayName":"G","externalId":"","members":null})", R"({"displayName":"G"})", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = canonical_group(json::parse(c.body), c.mode);
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    EXPECT_EQ(r->doc, json::parse(c.doc));
    EXPECT_EQ(r->members, c.members);
  }
}

struct error_case {
  const char* name;
  const char* body;
  const char* detail_part;
  validation_mode mode = validation_mode::lenient;
  const char* scim_type = "invalidValue";
};

TEST(GroupModel, canonicalGroupErrors) {
  const std::vector<error_case> cases = {
      {"not an object", R"("G")", "object", validation_mode::lenient, "invalidSyntax"},
      {"missing displayName", R"({"externalId":"x"})", "Missing required attribute 'displayName'"},
      {"null displayName", R"({"displayName":null})", "Missing required attribute 'displayName'"},
      {"empty displayName", R"({"displayName":""})", "displayName"},
      {"numeric displayName", R"({"displayName":5})", "displayName"},
      {"numeric externalId", R"({"displayName":"G","externalId":5})", "externalId"},
      {"member without value", R"({"displayName":"G","members":[{"display":"x"}]})", "members[0]"},
      {"member value not a string", R"({"displayName":"G","members":[{"value":"a"},{"value":1}]})", "members[1]"},
      {"member value empty", R"({"displayName":"G","members":[""]})", "members[0]"},
      {"displayName given twice", R"({"displayName":"G","DisplayName":"H"})", "more than once"},
      {"strict without externalId", R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G"})",
       "'externalId'", validation_mode::strict},
      {"strict without schemas", R"({"externalId":"x","displayName":"G"})", "schemas", validation_mode::strict},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = canonical_group(json::parse(c.body), c.mode);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().scim_type, c.scim_type);
    EXPECT_NE(r.error().detail.find(c.detail_part), std::string::npos) << r.error().detail;
  }
}

const resource_meta meta{"abcd27f8-a9aa-11ea-8221-f59b2be9cccc", "2012-03-27T19:59:26.000Z", "2018-03-27T19:59:26.000Z",
                         "https://emuscim.test/scim/v2/enterprises/octo/Groups/abcd27f8-a9aa-11ea-8221-f59b2be9cccc"};

TEST(GroupModel, renderGroup) {
  const std::vector<member_view> members = {
      {"879db59", "https://emuscim.test/scim/v2/enterprises/octo/Users/879db59", std::string("User 1")},
      {"0db508eb", "https://emuscim.test/scim/v2/enterprises/octo/Users/0db508eb", std::nullopt},
  };
  const json doc = json::parse(R"({"externalId":"8aa1a0c0","displayName":"Engineering"})");
  // openapi scim-enterprise-group: schemas, id, externalId, displayName, members, meta.
  EXPECT_EQ(render_group(doc, meta, &members).dump(), nlohmann::ordered_json::parse(R"({
      "schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"abcd27f8-a9aa-11ea-8221-f59b2be9cccc",
      "externalId":"8aa1a0c0","displayName":"Engineering",
      "members":[{"value":"879db59","$ref":"https://emuscim.test/scim/v2/enterprises/octo/Users/879db59","display":"User 1"},
                 {"value":"0db508eb","$ref":"https://emuscim.test/scim/v2/enterprises/octo/Users/0db508eb"}],
      "meta":{"resourceType":"Group","created":"2012-03-27T19:59:26.000Z","lastModified":"2018-03-27T19:59:26.000Z",
              "location":"https://emuscim.test/scim/v2/enterprises/octo/Groups/abcd27f8-a9aa-11ea-8221-f59b2be9cccc"}})")
                                                      .dump());

  // excludedAttributes=members: no key at all. No externalId: an explicit null.
  const json bare = render_group(json::parse(R"({"displayName":"Test SCIMv2"})"), meta, nullptr);
  EXPECT_FALSE(bare.contains("members"));
  ASSERT_TRUE(bare.contains("externalId"));
  EXPECT_TRUE(bare.at("externalId").is_null());
  EXPECT_EQ(bare.at("displayName"), "Test SCIMv2");
  EXPECT_EQ(bare.at("meta").at("resourceType"), "Group");

  // An empty group renders "members": [].
  const std::vector<member_view> none;
  EXPECT_EQ(json(render_group(doc, meta, &none)).at("members"), json::array());
}

}  // namespace
}  // namespace emuscim::scim
