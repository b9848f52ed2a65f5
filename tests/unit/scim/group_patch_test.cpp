// plan_group_patch and apply_group_patch are declared in group_patch.hpp; the PATCH envelope comes
// from patch.hpp.
#include "emuscim/scim/group_patch.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emuscim/scim/patch.hpp"

namespace emuscim::scim {
namespace {

using nlohmann::json;

// The plan as JSON, so a whole plan compares in one assertion:
// {"displayName"?: s, "externalId"?: s|null, "members": [{"add": [ids]}, {"clear": []}, ...]}
json plan_json(const group_patch_plan& p) {
  json out = json::object();
  if (p.display_name) out["displayName"] = *p.display_name;
  if (p.external_id) out["externalId"] = *p.external_id ? json(**p.external_id) : json(nullptr);
  json steps = json::array();
  for (const auto& s : p.members) {
    const char* kind = s.op == member_step::kind::add      ? "add"
                       : s.op == member_step::kind::remove ? "remove"
                       : s.op == member_step::kind::clear  ? "clear"
                                                           : "replace";
    steps.push_back({{kind, s.ids}});
  }
  out["members"] = steps;
  return out;
}

std::vector<patch_operation> ops_of(const char* operations) {
  json body = {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}}, {"Operations", json::parse(operations)}};
  auto ops = parse_patch_request(body, true);
  EXPECT_TRUE(ops.has_value()) << (ops ? "" : ops.error().detail);
  return ops ? *ops : std::vector<patch_operation>{};
}

struct ok_case {
  const char* name;
  const char* operations;
  const char* plan;
  validation_mode mode = validation_mode::lenient;
};

TEST(GroupPatch, membershipForms) {
  const std::vector<ok_case> cases = {
      {"Entra add with $ref null", R"([{"op":"Add","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"}]}])",
       R"({"members":[{"add":["f648f8d5ea4e4cd38e9c"]}]})"},
      {"Entra remove with a value array removes only those",
       R"([{"op":"Remove","path":"members","value":[{"$ref":null,"value":"u1"},{"value":"u2"}]}])",
       R"({"members":[{"remove":["u1","u2"]}]})"},
      {"filter form (aadOptscim062020, Okta)", R"([{"op":"remove","path":"members[value eq \"7f4bc1a3-285e-48ae-8202-5accb43efb0e\"]"}])",
       R"({"members":[{"remove":["7f4bc1a3-285e-48ae-8202-5accb43efb0e"]}]})"},
      {"filter with single quotes and an upper-case operator", R"([{"op":"Remove","path":"members[value EQ 'abc']"}])",
       R"({"members":[{"remove":["abc"]}]})"},
      {"filter joining ids with or", R"([{"op":"remove","path":"members[value eq \"a\" or value eq \"b\" or value eq \"a\"]"}])",
       R"({"members":[{"remove":["a","b"]}]})"},
      {"filter naming a member sub-attribute: nothing to remove", R"([{"op":"remove","path":"members[value eq \"a\"].display"}])",
       R"({"members":[]})"},
      {"remove members without value clears", R"([{"op":"remove","path":"members"}])", R"({"members":[{"clear":[]}]})"},
      {"remove members with null clears", R"([{"op":"remove","path":"members","value":null}])", R"({"members":[{"clear":[]}]})"},
      {"remove members with [] removes nobody", R"([{"op":"remove","path":"members","value":[]}])", R"({"members":[]})"},
      {"replace members sets the list", R"([{"op":"replace","path":"members","value":[{"value":"a","display":"x"},{"value":"b","display":"y"}]}])",
       R"({"members":[{"replace":["a","b"]}]})"},
      {"replace members with [] empties the group", R"([{"op":"replace","path":"members","value":[]}])",
       R"({"members":[{"replace":[]}]})"},
      {"replace members with null empties the group", R"([{"op":"replace","path":"members","value":null}])",
       R"({"members":[{"clear":[]}]})"},
      {"a single member object instead of an array", R"([{"op":"add","path":"members","value":{"value":"a"}}])",
       R"({"members":[{"add":["a"]}]})"},
      {"bare id strings, duplicates collapse", R"([{"op":"add","path":"members","value":["a","b","a",{"value":"b"}]}])",
       R"({"members":[{"add":["a","b"]}]})"},
      {"add members with [] or null adds nobody", R"([{"op":"add","path":"members","value":[]},{"op":"add","path":"members","value":null}])",
       R"({"members":[]})"},
      {"path in another case", R"([{"op":"ADD","path":"Members","value":[{"Value":"a"}]}])", R"({"members":[{"add":["a"]}]})"},
      {"Okta remove then add, in request order", R"([{"op":"remove","path":"members[value eq \"89bb1940\"]"},
          {"op":"add","path":"members","value":[{"value":"23a35c27","display":"test.user@okta.local"}]}])",
       R"({"members":[{"remove":["89bb1940"]},{"add":["23a35c27"]}]})"},
      {"pathless add with members", R"([{"op":"add","value":{"members":[{"value":"a"}]}}])", R"({"members":[{"add":["a"]}]})"},
      {"pathless replace with members", R"([{"op":"replace","value":{"members":[{"value":"a"}],"displayName":"G"}}])",
       R"({"displayName":"G","members":[{"replace":["a"]}]})"},
      {"core-URN-qualified path", R"([{"op":"add","path":"urn:ietf:params:scim:schemas:core:2.0:Group:members","value":["a"]}])",
       R"({"members":[{"add":["a"]}]})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = plan_group_patch(ops_of(c.operations), c.mode);
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    EXPECT_EQ(plan_json(*r), json::parse(c.plan)) << plan_json(*r).dump();
  }
}

TEST(GroupPatch, attributes) {
  const std::vector<ok_case> cases = {
      {"Entra rename", R"([{"op":"Replace","path":"displayName","value":"1879db59updatedDisplayName"}])",
       R"({"displayName":"1879db59updatedDisplayName","members":[]})"},
      {"Okta pathless rename carrying id", R"([{"op":"replace","value":{"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b","displayName":"Test SCIMv2"}}])",
       R"({"displayName":"Test SCIMv2","members":[]})"},
      {"add displayName", R"([{"op":"add","path":"DISPLAYNAME","value":"G"}])", R"({"displayName":"G","members":[]})"},
      {"the last rename wins", R"([{"op":"replace","path":"displayName","value":"A"},{"op":"replace","value":{"displayName":"B"}}])",
       R"({"displayName":"B","members":[]})"},
      {"replace externalId", R"([{"op":"replace","path":"externalId","value":"x"}])", R"({"externalId":"x","members":[]})"},
      {"remove externalId clears it", R"([{"op":"remove","path":"externalId"}])", R"({"externalId":null,"members":[]})"},
      {"externalId \"\" or null clears it", R"([{"op":"replace","path":"externalId","value":"a"},{"op":"replace","value":{"externalId":""}}])",
       R"({"externalId":null,"members":[]})"},
      {"id, meta, schemas and unknown attributes are ignored", R"([{"op":"replace","path":"id","value":"x"},
          {"op":"replace","value":{"meta":{},"schemas":[],"owner":"x","urn:ietf:params:scim:schemas:extension:x:Group:y":"z"}},
          {"op":"add","path":"owner","value":"y"},{"op":"remove","path":"description"},
          {"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:Group:x","value":"y"}])",
       R"({"members":[]})"},
      {"URN-qualified pathless keys", R"([{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:Group:displayName":"U"}}])",
       R"({"displayName":"U","members":[]})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = plan_group_patch(ops_of(c.operations), c.mode);
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    EXPECT_EQ(plan_json(*r), json::parse(c.plan)) << plan_json(*r).dump();
  }
}

struct error_case {
  const char* name;
  const char* operations;
  const char* scim_type;
  const char* detail_part;
  validation_mode mode = validation_mode::lenient;
};

TEST(GroupPatch, errors) {
  const std::vector<error_case> cases = {
      {"remove displayName", R"([{"op":"remove","path":"displayName"}])", "mutability", "displayName"},
      {"displayName null", R"([{"op":"replace","path":"displayName","value":null}])", "invalidValue", "displayName"},
      {"displayName empty", R"([{"op":"replace","path":"displayName","value":""}])", "invalidValue", "displayName"},
      {"displayName not a string", R"([{"op":"replace","value":{"displayName":5}}])", "invalidValue", "displayName"},
      {"externalId not a string", R"([{"op":"replace","path":"externalId","value":5}])", "invalidValue", "externalId"},
      {"strict: remove externalId", R"([{"op":"remove","path":"externalId"}])", "mutability", "externalId",
       validation_mode::strict},
      {"member without value", R"([{"op":"add","path":"members","value":[{"display":"x"}]}])", "invalidValue",
       "members[0]"},
      {"member value not a string", R"([{"op":"remove","path":"members","value":[{"value":5}]}])", "invalidValue",
       "members[0]"},
      {"filter on something other than value", R"([{"op":"remove","path":"members[display eq \"x\"]"}])", "invalidPath",
       "members"},
      {"filter with and", R"([{"op":"remove","path":"members[value eq \"a\" and value eq \"b\"]"}])", "invalidPath",
       "members"},
      {"add with a filter", R"([{"op":"add","path":"members[value eq \"a\"]","value":{"value":"a"}}])", "invalidPath",
       "remove"},
      {"sub-attribute without filter", R"([{"op":"remove","path":"members.value"}])", "invalidPath", "members"},
      {"filter on displayName", R"([{"op":"replace","path":"displayName[value eq \"x\"]","value":"y"}])", "invalidPath",
       "single-valued"},
      {"malformed path", R"([{"op":"remove","path":"members[value eq \"a\""}])", "invalidPath", ""},
      {"pathless remove", R"([{"op":"remove","value":{"members":[]}}])", "noTarget", "path"},
      {"pathless value not an object", R"([{"op":"replace","value":[{"value":"a"}]}])", "invalidValue", "object"},
      {"the failing operation is named", R"([{"op":"add","path":"members","value":["a"]},{"op":"remove","path":"displayName"}])",
       "mutability", "Operations[1]"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = plan_group_patch(ops_of(c.operations), c.mode);
    ASSERT_FALSE(r.has_value()) << plan_json(*r).dump();
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().scim_type, c.scim_type) << r.error().detail;
    EXPECT_NE(r.error().detail.find(c.detail_part), std::string::npos) << r.error().detail;
  }
}

TEST(GroupPatch, pathlessKeysNameAnAttributeExactly) {
  // With a path, "displayName.x" is an error; as a key of a path-less value it names nothing a
  // group keeps, like any unknown attribute (github-emu-scim.md §10 rule 7).
  const std::vector<ok_case> cases = {
      {"dotted, filtered and padded keys are ignored", R"([{"op":"replace","value":{"members.value":["a"],
          "displayName.x":"y","members[value eq \"a\"]":null," displayName":"padded","externalId ":"e"}}])",
       R"({"members":[]})"},
      {"keys in another case still count", R"([{"op":"add","value":{"MEMBERS":["a"],"DisplayName":"G"}}])",
       R"({"displayName":"G","members":[{"add":["a"]}]})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = plan_group_patch(ops_of(c.operations), c.mode);
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    EXPECT_EQ(plan_json(*r), json::parse(c.plan)) << plan_json(*r).dump();
  }
  auto with_path = plan_group_patch(ops_of(R"([{"op":"replace","path":"displayName.x","value":"y"}])"),
                                    validation_mode::lenient);
  ASSERT_FALSE(with_path.has_value());
  EXPECT_EQ(with_path.error().scim_type, "invalidPath");
}

TEST(GroupPatch, applyGroupPatchChangesOnlyTheDocumentPart) {
  struct apply_case {
    const char* name;
    const char* operations;
    const char* before;
    const char* after;
  };
  const std::vector<apply_case> cases = {
      {"rename", R"([{"op":"replace","path":"displayName","value":"New"}])", R"({"displayName":"Old","externalId":"e"})",
       R"({"displayName":"New","externalId":"e"})"},
      {"set externalId", R"([{"op":"add","path":"externalId","value":"e2"}])", R"({"displayName":"G"})",
       R"({"displayName":"G","externalId":"e2"})"},
      {"clear externalId", R"([{"op":"remove","path":"externalId"}])", R"({"displayName":"G","externalId":"e"})",
       R"({"displayName":"G"})"},
      {"members only: the document is unchanged", R"([{"op":"add","path":"members","value":["a"]},{"op":"remove","path":"members"}])",
       R"({"displayName":"G","externalId":"e"})", R"({"displayName":"G","externalId":"e"})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto plan = plan_group_patch(ops_of(c.operations), validation_mode::lenient);
    ASSERT_TRUE(plan.has_value()) << plan.error().detail;
    EXPECT_EQ(apply_group_patch(json::parse(c.before), *plan), json::parse(c.after));
  }
}

TEST(GroupPatch, fullReplaceOfAHundredThousandMembers) {
  // github-emu-scim.md §15: groups can be large; a full push must not be refused or truncated.
  json members = json::array();
  for (int i = 0; i < 100000; ++i) members.push_back({{"value", "user-" + std::to_string(i)}, {"display", "u"}});
  members.push_back({{"value", "user-0"}});  // a repeat collapses
  const std::vector<patch_operation> ops = {{patch_op_kind::replace, std::string("members"), members}};
  auto r = plan_group_patch(ops, validation_mode::lenient);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  ASSERT_EQ(r->members.size(), 1u);
  EXPECT_EQ(r->members[0].op, member_step::kind::replace);
  ASSERT_EQ(r->members[0].ids.size(), 100000u);
  EXPECT_EQ(r->members[0].ids.front(), "user-0");
  EXPECT_EQ(r->members[0].ids.back(), "user-99999");
}

}  // namespace
}  // namespace emuscim::scim
