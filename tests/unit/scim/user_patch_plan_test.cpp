// The two steps of a User PATCH (user_patch.hpp): what plan_user_patch compiles without the stored
// user, and what apply_user_patch does with a plan. End-to-end PATCH semantics are in
// patch_user_test.cpp (both steps at once).
#include "emuscim/scim/user_patch.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emuscim/scim/filter.hpp"
#include "emuscim/scim/patch.hpp"

namespace emuscim::scim {
namespace {

using nlohmann::json;
using act = user_patch_step::action;

std::vector<patch_operation> ops_of(const char* operations) {
  json body = {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}}, {"Operations", json::parse(operations)}};
  auto ops = parse_patch_request(body, true);
  EXPECT_TRUE(ops.has_value()) << (ops ? "" : ops.error().detail);
  return ops ? *ops : std::vector<patch_operation>{};
}

const char* attr_text(user_attr a) {
  switch (a) {
    case user_attr::user_name: return "userName";
    case user_attr::external_id: return "externalId";
    case user_attr::active: return "active";
    case user_attr::display_name: return "displayName";
    case user_attr::name: return "name";
    case user_attr::emails: return "emails";
    case user_attr::roles: return "roles";
    case user_attr::schemas: return "schemas";
    case user_attr::read_only: return "read_only";
    case user_attr::unsupported: return "unsupported";
  }
  return "?";
}

const char* action_text(act a) {
  switch (a) {
    case act::assign: return "assign";
    case act::clear: return "clear";
    case act::merge_items: return "merge_items";
    case act::remove_items: return "remove_items";
    case act::patch_elements: return "patch_elements";
    case act::remove_elements: return "remove_elements";
  }
  return "?";
}

// A plan as JSON, so a whole plan compares in one assertion:
// [{"op": i, "attr": "...", "act": "...", "value"?: ..., "filter"?: "...", "sub"?: "..."}, ...]
json plan_json(const user_patch_plan& plan) {
  json out = json::array();
  for (const auto& s : plan.steps) {
    json step = {{"op", s.operation}, {"attr", attr_text(s.attr)}, {"act", action_text(s.act)}};
    if (!s.value.is_null()) step["value"] = s.value;
    if (s.value_filter) step["filter"] = to_string(*s.value_filter);
    if (!s.sub.empty()) step["sub"] = s.sub;
    out.push_back(std::move(step));
  }
  return out;
}

struct plan_case {
  const char* name;
  const char* operations;
  const char* plan;
};

TEST(UserPatchPlan, compilesEachFormIntoCheckedCanonicalSteps) {
  const std::vector<plan_case> cases = {
      {"single-valued replace", R"([{"op":"Replace","path":"displayName","value":"Pvlo"}])",
       R"([{"op":0,"attr":"displayName","act":"assign","value":"Pvlo"}])"},
      {"Entra's \"False\" becomes a boolean", R"([{"op":"Replace","path":"active","value":"False"}])",
       R"([{"op":0,"attr":"active","act":"assign","value":false}])"},
      {"remove, null and \"\" clear displayName",
       R"([{"op":"remove","path":"displayName"},{"op":"replace","path":"displayName","value":null},
           {"op":"replace","path":"displayName","value":""}])",
       R"([{"op":0,"attr":"displayName","act":"clear"},{"op":1,"attr":"displayName","act":"clear"},
           {"op":2,"attr":"displayName","act":"clear"}])"},
      {"path-less keys become one step each, all with the operation's index",
       R"([{"op":"replace","path":"displayName","value":"A"},
           {"op":"replace","value":{"userName":"u","active":"true","id":"x","title":"t"}}])",
       R"([{"op":0,"attr":"displayName","act":"assign","value":"A"},
           {"op":1,"attr":"active","act":"assign","value":true},{"op":1,"attr":"userName","act":"assign","value":"u"}])"},
      {"core-URN-qualified and nested keys", R"([{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:User":{"displayName":"N"},
           "urn:ietf:params:scim:schemas:core:2.0:User.externalId":"E"}}])",
       R"([{"op":0,"attr":"displayName","act":"assign","value":"N"},{"op":0,"attr":"externalId","act":"assign","value":"E"}])"},
      {"nothing GitHub keeps leaves no step", R"([{"op":"add","path":"nickName","value":"B"},
           {"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"d"},
           {"op":"replace","path":"name.nickName","value":"x"},{"op":"add","path":"emails","value":null},
           {"op":"replace","path":"emails[type eq \"work\"].label","value":"x"}])",
       R"([])"},
      {"name parts: canonical spelling, \"\" and remove become null",
       R"([{"op":"replace","path":"name","value":{"FAMILYNAME":"F","givenName":"","nickName":"n"}},
           {"op":"remove","path":"name.middleName"},{"op":"add","path":"Name.GivenName","value":"G"}])",
       R"([{"op":0,"attr":"name","act":"assign","value":{"familyName":"F","givenName":null}},
           {"op":1,"attr":"name","act":"assign","value":{"middleName":null}},
           {"op":2,"attr":"name","act":"assign","value":{"givenName":"G"}}])"},
      {"remove name", R"([{"op":"remove","path":"name"}])", R"([{"op":0,"attr":"name","act":"clear"}])"},
      {"emails add: complete items", R"([{"op":"add","path":"emails","value":{"Value":"a@x","TYPE":"work","primary":"True"}}])",
       R"([{"op":0,"attr":"emails","act":"merge_items","value":[{"value":"a@x","type":"work","primary":true}]}])"},
      {"roles replace: Entra's JSON strings unwrapped", R"([{"op":"replace","path":"roles","value":["{\"id\":\"1\",\"value\":\"User\",\"displayName\":\"U\"}"]}])",
       R"([{"op":0,"attr":"roles","act":"assign","value":[{"value":"User","display":"U"}]}])"},
      {"roles remove with values: partial items", R"([{"op":"remove","path":"roles","value":[{"value":"a"},{"type":"t"},null]}])",
       R"([{"op":0,"attr":"roles","act":"remove_items","value":[{"value":"a"},{"type":"t"}]}])"},
      {"emails remove or replace with null clears", R"([{"op":"remove","path":"emails"},{"op":"replace","path":"emails","value":null}])",
       R"([{"op":0,"attr":"emails","act":"clear"},{"op":1,"attr":"emails","act":"clear"}])"},
      {"a filtered sub-attribute patches the matching elements",
       R"([{"op":"Replace","path":"emails[type eq \"work\"].value","value":"w@x"}])",
       R"([{"op":0,"attr":"emails","act":"patch_elements","value":{"value":"w@x"},"filter":"type eq \"work\""}])"},
      {"a sub-attribute without a filter patches every element", R"([{"op":"replace","path":"roles.displayName","value":"D"}])",
       R"([{"op":0,"attr":"roles","act":"patch_elements","value":{"display":"D"}}])"},
      {"filtered removes keep the sub-attribute", R"([{"op":"remove","path":"emails[type eq \"home\"].display"},
           {"op":"replace","path":"roles[primary eq \"True\"].value","value":""}])",
       R"([{"op":0,"attr":"emails","act":"remove_elements","filter":"type eq \"home\"","sub":"display"},
           {"op":1,"attr":"roles","act":"remove_elements","filter":"primary eq \"True\"","sub":"value"}])"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto plan = plan_user_patch(ops_of(c.operations));
    ASSERT_TRUE(plan.has_value()) << plan.error().scim_type << ": " << plan.error().detail;
    EXPECT_EQ(plan_json(*plan), json::parse(c.plan)) << plan_json(*plan).dump();
  }
}

struct compile_error_case {
  const char* name;
  const char* operations;
  const char* scim_type;
  const char* detail_part;
};

// Everything that can be judged without the stored user fails here, on the I/O thread.
TEST(UserPatchPlan, rejectsWhatNeedsNoDocument) {
  const std::vector<compile_error_case> cases = {
      {"malformed path", R"([{"op":"replace","path":"emails[type eq \"work\"","value":"x"}])", "invalidPath",
       "Operations[0]"},
      {"filter on a single-valued attribute", R"([{"op":"replace","path":"userName[value eq \"x\"]","value":"y"}])",
       "invalidPath", "single-valued"},
      {"sub-attribute of a simple attribute, path-less key", R"([{"op":"replace","value":{"displayName.x":"y"}}])",
       "invalidPath", "sub-attribute"},
      {"remove userName", R"([{"op":"remove","path":"userName"}])", "mutability", "userName"},
      {"clear externalId with \"\"", R"([{"op":"replace","value":{"externalId":""}}])", "mutability", "externalId"},
      {"active not a boolean", R"([{"op":"replace","path":"active","value":"yes"}])", "invalidValue", "active"},
      {"name part not a string", R"([{"op":"replace","path":"name","value":{"givenName":1}}])", "invalidValue",
       "name.givenName"},
      {"an email without a value", R"([{"op":"add","path":"emails","value":[{"type":"work"}]}])", "invalidValue",
       "emails[0].value"},
      {"stringified role that is no object", R"([{"op":"add","path":"roles","value":["{1}"]}])", "invalidValue",
       "roles[0]"},
      {"element primary not a boolean", R"([{"op":"replace","path":"emails[type eq \"work\"].primary","value":"x"}])",
       "invalidValue", "primary"},
      {"path-less remove", R"([{"op":"remove","value":{"displayName":"x"}}])", "noTarget", "path"},
      {"remove of the whole User", R"([{"op":"remove","path":"urn:ietf:params:scim:schemas:core:2.0:User"}])",
       "noTarget", "whole User"},
      {"path-less value that is no object", R"([{"op":"add","value":["x"]}])", "invalidValue", "object"},
      {"the failing operation is named", R"([{"op":"add","path":"displayName","value":"ok"},{"op":"remove","path":"active"}])",
       "mutability", "Operations[1]: "},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto plan = plan_user_patch(ops_of(c.operations));
    ASSERT_FALSE(plan.has_value()) << plan_json(*plan).dump();
    EXPECT_EQ(plan.error().status, 400);
    EXPECT_EQ(plan.error().scim_type, c.scim_type) << plan.error().detail;
    EXPECT_NE(plan.error().detail.find(c.detail_part), std::string::npos) << plan.error().detail;
  }
}

const json& stored() {
  static const json doc = json::parse(R"({"userName":"mona","externalId":"E1","active":true,"displayName":"Mona",
      "emails":[{"value":"w@x","type":"work","primary":true},{"value":"h@x","type":"home"}],
      "roles":[{"value":"user"}]})");
  return doc;
}

struct apply_case {
  const char* name;
  const char* operations;
  json before;
  const char* expected;  // canonical document, or null when `scim_type` names the error
  const char* scim_type = nullptr;
  const char* detail_part = "";
  validation_mode mode = validation_mode::lenient;
};

// What only the stored user decides: matches, seeds, and the final validation.
TEST(UserPatchPlan, applyDecidesWhatNeedsTheDocument) {
  const json no_emails = json::parse(R"({"userName":"mona","externalId":"E1","active":true})");
  const std::vector<apply_case> cases = {
      {"a filter that matches patches in place", R"([{"op":"replace","path":"emails[type eq \"home\"].value","value":"n@x"}])",
       stored(),
       R"({"userName":"mona","externalId":"E1","active":true,"displayName":"Mona",
           "emails":[{"value":"w@x","type":"work","primary":true},{"value":"n@x","type":"home"}],"roles":[{"value":"user"}]})"},
      {"a filter that matches nothing seeds an element from its eq terms",
       R"([{"op":"add","path":"emails[type eq \"other\"].value","value":"o@x"}])", no_emails,
       R"({"userName":"mona","externalId":"E1","active":true,"emails":[{"value":"o@x","type":"other"}]})"},
      {"a filter that matches nothing and seeds nothing", R"([{"op":"add","path":"emails[type ne \"work\"].value","value":"o@x"}])",
       no_emails, nullptr, "noTarget", "Operations[0]: No value of 'emails'"},
      {"a seed whose eq terms are no valid item", R"([{"op":"add","path":"emails[primary eq \"maybe\"].value","value":"o@x"}])",
       no_emails, nullptr, "invalidValue", "primary"},
      {"a remove item without value or type, against stored emails", R"([{"op":"remove","path":"emails","value":[{"display":"d"}]}])",
       stored(), nullptr, "invalidValue", "needs a 'value'"},
      {"the same item against no emails removes nothing", R"([{"op":"remove","path":"emails","value":[{"display":"d"}]}])",
       no_emails, R"({"userName":"mona","externalId":"E1","active":true})"},
      {"a later step sees the earlier ones", R"([{"op":"replace","path":"emails","value":null},
           {"op":"remove","path":"emails","value":[{"display":"d"}]}])",
       stored(), R"({"userName":"mona","externalId":"E1","active":true,"displayName":"Mona","roles":[{"value":"user"}]})"},
      {"the result is validated: a second work email", R"([{"op":"replace","path":"emails[type eq \"home\"].type","value":"WORK"}])",
       stored(), nullptr, "invalidValue", "Duplicate email type"},
      {"strict validation of the result", R"([{"op":"replace","path":"displayName","value":"x"}])",
       json::parse(R"({"userName":"u","active":true})"), nullptr, "invalidValue",
       "Missing required attribute 'externalId'", validation_mode::strict},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto plan = plan_user_patch(ops_of(c.operations));
    ASSERT_TRUE(plan.has_value()) << "compile: " << plan.error().detail;
    auto r = apply_user_patch(c.before, *plan, c.mode);
    if (c.expected != nullptr) {
      ASSERT_TRUE(r.has_value()) << r.error().scim_type << ": " << r.error().detail;
      EXPECT_EQ(*r, json::parse(c.expected)) << r->dump();
    } else {
      ASSERT_FALSE(r.has_value()) << r->dump();
      EXPECT_EQ(r.error().scim_type, c.scim_type) << r.error().detail;
      EXPECT_NE(r.error().detail.find(c.detail_part), std::string::npos) << r.error().detail;
    }
  }
}

TEST(UserPatchPlan, onePlanAppliesToAnyStoredUser) {
  // The plan is compiled once, before the write job loads the user it is for.
  auto plan = plan_user_patch(ops_of(R"([{"op":"add","path":"emails[type eq \"work\"].value","value":"new@x"},
                                         {"op":"replace","path":"active","value":"False"}])"));
  ASSERT_TRUE(plan.has_value()) << plan.error().detail;
  const user_patch_plan copy = *plan;

  auto with_email = apply_user_patch(stored(), *plan);
  ASSERT_TRUE(with_email.has_value()) << with_email.error().detail;
  EXPECT_EQ(with_email->at("emails")[0], json::parse(R"({"value":"new@x","type":"work","primary":true})"));
  EXPECT_EQ(with_email->at("active"), false);

  auto without = apply_user_patch(json::parse(R"({"userName":"u","active":true})"), *plan);
  ASSERT_TRUE(without.has_value()) << without.error().detail;
  EXPECT_EQ(without->at("emails"), json::parse(R"([{"value":"new@x","type":"work"}])"));

  EXPECT_EQ(plan_json(*plan), plan_json(copy)) << "applying a plan must not change it";
  auto again = apply_user_patch(stored(), *plan);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *with_email);
}

TEST(UserPatchPlan, aStoredDocumentThatIsNoObjectIsAServerError) {
  auto plan = plan_user_patch(ops_of(R"([{"op":"replace","path":"displayName","value":"x"}])"));
  ASSERT_TRUE(plan.has_value());
  auto r = apply_user_patch(json::array(), *plan);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().status, 500);
}

}  // namespace
}  // namespace emuscim::scim
