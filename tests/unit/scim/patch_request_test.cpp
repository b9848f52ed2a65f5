#include "emuscim/scim/patch.hpp"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace emuscim::scim {
namespace {

using nlohmann::json;

struct valid_case {
  const char* name;
  const char* body;
  bool strict;
  std::vector<patch_op_kind> ops;
  std::vector<std::optional<std::string>> paths;
  std::vector<std::optional<json>> values;
};

TEST(PatchRequest, acceptsEveryDialect) {
  const std::vector<valid_case> cases = {
      {"entra capitalised Replace with string boolean",
       R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]})",
       true,
       {patch_op_kind::replace},
       {"active"},
       {json("False")}},
      {"lower-case ops, Operations before schemas",
       R"({"Operations":[{"op":"add","path":"members","value":[{"$ref":null,"value":"a"}]},{"op":"remove","path":"members[value eq \"b\"]"}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]})",
       true,
       {patch_op_kind::add, patch_op_kind::remove},
       {"members", "members[value eq \"b\"]"},
       {json::parse(R"([{"$ref":null,"value":"a"}])"), std::nullopt}},
      {"upper-case op and member names",
       R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"operations":[{"OP":"REMOVE","Path":"members","Value":[{"value":"u1"}]}]})",
       true,
       {patch_op_kind::remove},
       {"members"},
       {json::parse(R"([{"value":"u1"}])")}},
      {"pathless replace with an object (Okta)",
       R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]})",
       true,
       {patch_op_kind::replace},
       {std::nullopt},
       {json::parse(R"({"active":false})")}},
      {"empty and null paths are pathless",
       R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"","value":{"a":1}},{"op":"add","path":null,"value":{"b":2}}]})",
       false,
       {patch_op_kind::replace, patch_op_kind::add},
       {std::nullopt, std::nullopt},
       {json::parse(R"({"a":1})"), json::parse(R"({"b":2})")}},
      {"value of any JSON type (spec defect 17.4), null kept as a present null",
       R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"a","value":false},{"op":"replace","path":"b","value":42},{"op":"replace","path":"c","value":null},{"op":"remove","path":"d"}]})",
       false,
       {patch_op_kind::replace, patch_op_kind::replace, patch_op_kind::replace, patch_op_kind::remove},
       {"a", "b", "c", "d"},
       {json(false), json(42), json(nullptr), std::nullopt}},
      {"lenient mode tolerates a missing schemas",
       R"({"Operations":[{"op":"Add","path":"nickName","value":"Babs"}]})",
       false,
       {patch_op_kind::add},
       {"nickName"},
       {json("Babs")}},
      {"schemas as a single string, URN in another case",
       R"({"schemas":"URN:IETF:PARAMS:SCIM:API:MESSAGES:2.0:PATCHOP","Operations":[{"op":"remove","path":"title"}]})",
       true,
       {patch_op_kind::remove},
       {"title"},
       {std::nullopt}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parse_patch_request(json::parse(c.body), c.strict);
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    ASSERT_EQ(r->size(), c.ops.size());
    for (std::size_t i = 0; i < c.ops.size(); ++i) {
      EXPECT_EQ((*r)[i].op, c.ops[i]) << i;
      EXPECT_EQ((*r)[i].path, c.paths[i]) << i;
      EXPECT_EQ((*r)[i].value, c.values[i]) << i;
    }
  }
}

struct invalid_case {
  const char* name;
  const char* body;
  bool strict;
  const char* scim_type;
  const char* detail_part;
};

TEST(PatchRequest, rejectsMalformedEnvelopes) {
  const std::vector<invalid_case> cases = {
      {"array body", R"([{"op":"add"}])", false, "invalidSyntax", "JSON object"},
      {"string body", R"("patch")", false, "invalidSyntax", "JSON object"},
      {"unknown op", R"({"Operations":[{"op":"merge","path":"a","value":1}]})", false, "invalidSyntax",
       "Unknown PATCH op 'merge'"},
      {"op not a string", R"({"Operations":[{"op":1,"path":"a","value":1}]})", false, "invalidSyntax", "op"},
      {"missing op", R"({"Operations":[{"path":"a","value":1}]})", false, "invalidSyntax", "has no 'op'"},
      {"empty Operations", R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]})", false,
       "invalidSyntax", "at least one"},
      {"missing Operations", R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]})", false,
       "invalidSyntax", "Missing 'Operations'"},
      {"Operations not an array", R"({"Operations":{"op":"add"}})", false, "invalidSyntax", "array"},
      {"operation not an object", R"({"Operations":["add"]})", false, "invalidSyntax", "Operations[0]"},
      {"strict needs schemas", R"({"Operations":[{"op":"add","path":"a","value":1}]})", true, "invalidSyntax",
       "Missing 'schemas'"},
      {"wrong schemas", R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[{"op":"add","path":"a","value":1}]})",
       false, "invalidSyntax", "PatchOp"},
      {"add without value", R"({"Operations":[{"op":"add","path":"displayName"}]})", false, "invalidSyntax",
       "no 'value'"},
      {"replace without value, second op", R"({"Operations":[{"op":"remove","path":"a"},{"op":"Replace","path":"b"}]})",
       false, "invalidSyntax", "Operations[1]"},
      {"path not a string", R"({"Operations":[{"op":"remove","path":7}]})", false, "invalidPath", "path"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = parse_patch_request(json::parse(c.body), c.strict);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().scim_type, c.scim_type);
    EXPECT_NE(r.error().detail.find(c.detail_part), std::string::npos) << r.error().detail;
  }
}

}  // namespace
}  // namespace emuscim::scim
