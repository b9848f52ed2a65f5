// apply_user_patch (both steps at once) is declared in user_patch.hpp; the PATCH envelope comes from
// patch.hpp. The two steps on their own are in user_patch_plan_test.cpp.
#include "emuscim/scim/user_patch.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emuscim/scim/patch.hpp"

namespace emuscim::scim {
namespace {

using nlohmann::json;

// A user as the store holds it (canonical form).
const json& baseline() {
  static const json doc = json::parse(R"({
    "userName": "mona@example.com", "externalId": "E012345", "active": true, "displayName": "Mona Lisa",
    "name": {"givenName": "Mona", "familyName": "Octocat", "formatted": "Mona Octocat"},
    "emails": [{"value": "mona@example.com", "type": "work", "primary": true}],
    "roles": [{"value": "user", "primary": false}]})");
  return doc;
}

// baseline() with an RFC 7386 merge patch applied: objects merge, arrays are replaced, null deletes.
json changed(const char* merge_patch) {
  json out = baseline();
  out.merge_patch(json::parse(merge_patch));
  return out;
}

std::vector<patch_operation> ops_of(const char* operations) {
  json body = {{"schemas", {"urn:ietf:params:scim:api:messages:2.0:PatchOp"}},
               {"Operations", json::parse(operations)}};
  auto ops = parse_patch_request(body, true);
  EXPECT_TRUE(ops.has_value()) << (ops ? "" : ops.error().detail);
  return ops ? *ops : std::vector<patch_operation>{};
}

struct ok_case {
  const char* name;
  const char* operations;
  json expected;
  json before = baseline();
  validation_mode mode = validation_mode::lenient;
};

void run_ok(const std::vector<ok_case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto ops = ops_of(c.operations);
    ASSERT_FALSE(ops.empty());
    auto r = apply_user_patch(c.before, ops, c.mode);
    ASSERT_TRUE(r.has_value()) << r.error().scim_type << ": " << r.error().detail;
    EXPECT_EQ(*r, c.expected) << "got:      " << r->dump() << "\nexpected: " << c.expected.dump();
  }
}

struct error_case {
  const char* name;
  const char* operations;
  const char* scim_type;
  const char* detail_part;
  json before = baseline();
  validation_mode mode = validation_mode::lenient;
};

void run_errors(const std::vector<error_case>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto ops = ops_of(c.operations);
    ASSERT_FALSE(ops.empty());
    auto r = apply_user_patch(c.before, ops, c.mode);
    ASSERT_FALSE(r.has_value()) << "unexpectedly got " << r->dump();
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().scim_type, c.scim_type) << r.error().detail;
    EXPECT_NE(r.error().detail.find(c.detail_part), std::string::npos) << r.error().detail;
  }
}

TEST(PatchEngine, activeAcceptsBooleansAndStringBooleans) {
  json inactive = changed(R"({"active":false})");
  run_ok({
      {"Entra default: \"False\"", R"([{"op":"Replace","path":"active","value":"False"}])", inactive},
      {"observed: \"false\"", R"([{"op":"Replace","path":"active","value":"false"}])", inactive},
      {"boolean false", R"([{"op":"replace","path":"active","value":false}])", inactive},
      {"\"FALSE\" with upper-case path", R"([{"op":"replace","path":"ACTIVE","value":"FALSE"}])", inactive},
      {"reactivate with \"True\"", R"([{"op":"Replace","path":"active","value":"True"}])", baseline(), inactive},
      {"reactivate with true", R"([{"op":"add","path":"active","value":true}])", baseline(), inactive},
      {"Okta pathless {active:false}", R"([{"op":"replace","value":{"active":false}}])", inactive},
      {"pathless with string and odd key case", R"([{"op":"replace","value":{"Active":"False"}}])", inactive},
  });
  run_errors({
      {"not a boolean string", R"([{"op":"replace","path":"active","value":"no"}])", "invalidValue", "active"},
      {"a number", R"([{"op":"replace","path":"active","value":0}])", "invalidValue", "boolean"},
      {"an empty string", R"([{"op":"replace","path":"active","value":""}])", "invalidValue", "active"},
      {"null means remove", R"([{"op":"replace","path":"active","value":null}])", "mutability", "active"},
      {"remove", R"([{"op":"remove","path":"active"}])", "mutability", "active"},
  });
}

TEST(PatchEngine, singleValuedAttributes) {
  run_ok({
      {"replace userName", R"([{"op":"Replace","path":"userName","value":"5b50642d@testuser.com"}])",
       changed(R"({"userName":"5b50642d@testuser.com"})")},
      {"replace displayName", R"([{"op":"Replace","path":"displayName","value":"Pvlo"}])",
       changed(R"({"displayName":"Pvlo"})")},
      {"replace externalId", R"([{"op":"Replace","path":"externalId","value":"Eqpj"}])",
       changed(R"({"externalId":"Eqpj"})")},
      {"attribute names are case-insensitive", R"([{"op":"replace","path":"USERNAME","value":"x"},{"op":"replace","path":"displayname","value":"y"}])",
       changed(R"({"userName":"x","displayName":"y"})")},
      {"add sets an attribute that had no value", R"([{"op":"Add","path":"displayName","value":"New"}])",
       changed(R"({"displayName":"New"})"), changed(R"({"displayName":null})")},
      {"remove displayName", R"([{"op":"remove","path":"displayName"}])", changed(R"({"displayName":null})")},
      {"replace displayName with null clears", R"([{"op":"replace","path":"displayName","value":null}])",
       changed(R"({"displayName":null})")},
      {"replace displayName with \"\" clears", R"([{"op":"replace","path":"displayName","value":""}])",
       changed(R"({"displayName":null})")},
      {"operations apply in order", R"([{"op":"replace","path":"displayName","value":"A"},{"op":"replace","path":"displayName","value":"B"}])",
       changed(R"({"displayName":"B"})")},
      {"core-URN-qualified path", R"([{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:userName","value":"urn@x"}])",
       changed(R"({"userName":"urn@x"})")},
      {"core URN with '.' before the attribute", R"([{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User.displayName","value":"Dotted"}])",
       changed(R"({"displayName":"Dotted"})")},
      {"id and meta are ignored", R"([{"op":"replace","path":"id","value":"other"},{"op":"replace","path":"meta","value":{"resourceType":"X"}}])",
       baseline()},
  });
  run_errors({
      {"remove userName", R"([{"op":"remove","path":"userName"}])", "mutability", "userName"},
      {"replace userName with null", R"([{"op":"replace","path":"userName","value":null}])", "mutability", "userName"},
      {"replace userName with \"\"", R"([{"op":"replace","path":"userName","value":""}])", "invalidValue", "userName"},
      {"userName must be a string", R"([{"op":"replace","path":"userName","value":42}])", "invalidValue", "userName"},
      {"displayName must be a string", R"([{"op":"replace","path":"displayName","value":["x"]}])", "invalidValue",
       "displayName"},
      {"externalId must be a string", R"([{"op":"replace","path":"externalId","value":{"a":1}}])", "invalidValue",
       "externalId"},
      {"remove externalId", R"([{"op":"remove","path":"externalId"}])", "mutability", "externalId"},
      {"replace externalId with \"\"", R"([{"op":"replace","path":"externalId","value":""}])", "mutability",
       "externalId"},
      {"replace externalId with null", R"([{"op":"replace","path":"externalId","value":null}])", "mutability",
       "externalId"},
      {"remove externalId in strict mode", R"([{"op":"remove","path":"externalId"}])", "mutability", "externalId",
       baseline(), validation_mode::strict},
      {"clear externalId with \"\" in strict mode", R"([{"op":"replace","path":"externalId","value":""}])", "mutability",
       "externalId", baseline(), validation_mode::strict},
      {"strict: the stored user has no externalId", R"([{"op":"replace","path":"displayName","value":"x"}])",
       "invalidValue", "Missing required attribute 'externalId'", changed(R"({"externalId":null})"),
       validation_mode::strict},
      {"the failing operation is named", R"([{"op":"replace","path":"displayName","value":"ok"},{"op":"remove","path":"userName"}])",
       "mutability", "Operations[1]"},
  });
}

TEST(PatchEngine, invalidPaths) {
  run_errors({
      {"value filter on userName", R"([{"op":"replace","path":"userName[value eq \"x\"]","value":"y"}])", "invalidPath",
       "single-valued"},
      {"value filter on active", R"([{"op":"replace","path":"active[value eq true]","value":false}])", "invalidPath",
       "single-valued"},
      {"value filter on name", R"([{"op":"replace","path":"name[givenName eq \"Mona\"].familyName","value":"x"}])",
       "invalidPath", "single-valued"},
      {"sub-attribute of a simple attribute", R"([{"op":"replace","path":"displayName.value","value":"x"}])",
       "invalidPath", "sub-attribute"},
      {"unbalanced bracket", R"([{"op":"replace","path":"emails[type eq \"work\".value","value":"x"}])", "invalidPath",
       ""},
      {"garbage", R"([{"op":"replace","path":"emails]]","value":"x"}])", "invalidPath", ""},
      {"pathless remove has no target", R"([{"op":"remove","value":{"displayName":"x"}}])", "noTarget", "path"},
      {"pathless replace needs an object", R"([{"op":"replace","value":"x"}])", "invalidValue", "object"},
  });
}

TEST(PatchEngine, unsupportedAttributesAreIgnored) {
  run_ok({
      {"Entra Add nickName", R"([{"op":"Add","path":"nickName","value":"Babs"}])", baseline()},
      {"title, addresses, phoneNumbers", R"([{"op":"replace","path":"title","value":"Boss"},
         {"op":"Replace","path":"addresses[type eq \"work\"].formatted","value":"18/2111"},
         {"op":"add","path":"phoneNumbers[type eq \"mobile\"].value","value":"+1 555"},
         {"op":"remove","path":"locale"}])",
       baseline()},
      {"manager as an array of references", R"([{"op":"Add","path":"manager","value":[{"$ref":"http://x/Users/1","value":"1"}]}])",
       baseline()},
      {"enterprise extension paths", R"([{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Retail"},
         {"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"1"},
         {"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"},
         {"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager","value":"legacy dot"}])",
       baseline()},
      {"remove of an attribute GitHub does not keep", R"([{"op":"Remove","path":"nickName"}])", baseline()},
      {"unknown sub-attributes are ignored", R"([{"op":"replace","path":"name.nickName","value":"x"},
         {"op":"replace","path":"emails[type eq \"work\"].label","value":"x"}])",
       baseline()},
      {"pathless unsupported keys and URNs", R"([{"op":"replace","value":{"title":"x","nickName":"y",
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq",
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"d"},
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0User":{"department":"typo"},
         "id":"other","meta":{"resourceType":"User"},"schemas":["x"]}}])",
       baseline()},
  });
}

TEST(PatchEngine, nameSubAttributes) {
  run_ok({
      {"replace name.familyName", R"([{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}])",
       changed(R"({"name":{"familyName":"updatedFamilyName"}})")},
      {"sub-attribute names are case-insensitive", R"([{"op":"replace","path":"Name.GIVENNAME","value":"M"}])",
       changed(R"({"name":{"givenName":"M"}})")},
      {"add name.givenName creates name", R"([{"op":"add","path":"name.givenName","value":"Foo"}])",
       changed(R"({"name":{"formatted":null,"familyName":null,"givenName":"Foo"}})"),
       changed(R"({"name":null})")},
      {"replace name merges sub-attributes (RFC 7644 3.5.2.3)", R"([{"op":"replace","path":"name","value":{"givenName":"G","middleName":"Lisa","formatted":null}}])",
       changed(R"({"name":{"givenName":"G","middleName":"Lisa","formatted":null}})")},
      {"remove name.givenName", R"([{"op":"remove","path":"name.givenName"}])",
       changed(R"({"name":{"givenName":null}})")},
      {"replace name.formatted with \"\" clears it", R"([{"op":"replace","path":"name.formatted","value":""}])",
       changed(R"({"name":{"formatted":null}})")},
      {"remove name", R"([{"op":"remove","path":"name"}])", changed(R"({"name":null})")},
      {"replace name with null", R"([{"op":"replace","path":"name","value":null}])", changed(R"({"name":null})")},
      {"removing the last part removes name",
       R"([{"op":"remove","path":"name.givenName"},{"op":"remove","path":"name.familyName"},{"op":"remove","path":"name.formatted"}])",
       changed(R"({"name":null})")},
  });
  run_errors({
      {"name must be an object", R"([{"op":"replace","path":"name","value":"Mona"}])", "invalidValue", "name"},
      {"name parts are strings", R"([{"op":"replace","path":"name.givenName","value":5}])", "invalidValue",
       "name.givenName"},
  });
}

TEST(PatchEngine, pathlessValues) {
  run_ok({
      {"observed pathless add with dotted keys (scimitar#123)",
       R"([{"op":"add","value":{"displayName":"Foo Bar","title":"Bar Foo","name.givenName":"Foo","name.familyName":"Bar","name.formatted":"Foo Bar"}}])",
       changed(R"({"displayName":"Foo Bar","name":{"givenName":"Foo","familyName":"Bar","formatted":"Foo Bar"}})")},
      {"pathless replace mixing active and userName", R"([{"op":"replace","value":{"active":false,"userName":"someone"}}])",
       changed(R"({"active":false,"userName":"someone"})")},
      {"core-URN-qualified keys", R"([{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:User:userName":"u1","urn:ietf:params:scim:schemas:core:2.0:User.displayName":"d1"}}])",
       changed(R"({"userName":"u1","displayName":"d1"})")},
      {"core URN holding an object", R"([{"op":"replace","value":{"urn:ietf:params:scim:schemas:core:2.0:User":{"displayName":"Nested"}}}])",
       changed(R"({"displayName":"Nested"})")},
      {"null clears", R"([{"op":"replace","value":{"displayName":null}}])", changed(R"({"displayName":null})")},
      {"a nested name object merges", R"([{"op":"replace","value":{"name":{"familyName":"F"}}}])",
       changed(R"({"name":{"familyName":"F"}})")},
      {"emails replaced", R"([{"op":"replace","value":{"emails":[{"value":"n@x","type":"home","primary":true}]}}])",
       changed(R"({"emails":[{"value":"n@x","type":"home","primary":true}]})")},
      {"a path equal to the core URN acts like no path", R"([{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User","value":{"displayName":"U"}}])",
       changed(R"({"displayName":"U"})")},
  });
  run_errors({
      {"pathless userName null", R"([{"op":"replace","value":{"userName":null}}])", "mutability", "userName"},
      {"pathless wrong type", R"([{"op":"replace","value":{"displayName":1}}])", "invalidValue", "displayName"},
  });
}

TEST(PatchEngine, emailsWithValueFilters) {
  const json no_emails = changed(R"({"emails":null})");
  const json two = changed(R"({"emails":[{"value":"mona@example.com","type":"work","primary":true},{"value":"home@example.com","type":"home","display":"H"}]})");
  run_ok({
      {"replace the work email", R"([{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"}])",
       changed(R"({"emails":[{"value":"updatedEmail@microsoft.com","type":"work","primary":true}]})")},
      {"single-quoted filter value", R"([{"op":"replace","path":"emails[type eq 'work'].value","value":"q@x"}])",
       changed(R"({"emails":[{"value":"q@x","type":"work","primary":true}]})")},
      {"filter values compare case-insensitively", R"([{"op":"replace","path":"emails[type eq \"WORK\"].value","value":"c@x"}])",
       changed(R"({"emails":[{"value":"c@x","type":"work","primary":true}]})")},
      {"no email yet: the work email is created", R"([{"op":"replace","path":"emails[type eq \"work\"].value","value":"new@x"}])",
       changed(R"({"emails":[{"value":"new@x","type":"work"}]})"), no_emails},
      {"add into a filtered path creates too", R"([{"op":"Add","path":"emails[type eq \"work\"].value","value":"new@x"}])",
       changed(R"({"emails":[{"value":"new@x","type":"work"}]})"), no_emails},
      {"another type only: the work email is appended", R"([{"op":"replace","path":"emails[type eq \"work\"].value","value":"w@x"}])",
       changed(R"({"emails":[{"value":"h@x","type":"home"},{"value":"w@x","type":"work"}]})"),
       changed(R"({"emails":[{"value":"h@x","type":"home"}]})")},
      {"2020 revision: value then primary", R"([{"op":"replace","path":"emails[type eq \"work\"].value","value":"someone@contoso.com"},
         {"op":"replace","path":"emails[type eq \"work\"].primary","value":true}])",
       changed(R"({"emails":[{"value":"someone@contoso.com","type":"work","primary":true}]})"), no_emails},
      {"primary true demotes the other email", R"([{"op":"replace","path":"emails[type eq \"home\"].primary","value":"True"}])",
       changed(R"({"emails":[{"value":"mona@example.com","type":"work","primary":false},{"value":"home@example.com","type":"home","display":"H","primary":true}]})"),
       two},
      {"filter without sub-attribute merges the object", R"([{"op":"replace","path":"emails[type eq \"home\"]","value":{"value":"h2@x","primary":"false"}}])",
       changed(R"({"emails":[{"value":"mona@example.com","type":"work","primary":true},{"value":"h2@x","type":"home","display":"H","primary":false}]})"),
       two},
      {"remove by filter", R"([{"op":"remove","path":"emails[type eq \"home\"]"}])", baseline(), two},
      {"remove by filter that matches nothing is a no-op", R"([{"op":"remove","path":"emails[type eq \"other\"]"}])", two, two},
      {"remove by filter on an empty list is a no-op", R"([{"op":"remove","path":"emails[type eq \"work\"].value"}])", no_emails,
       no_emails},
      {"removing the value removes the email", R"([{"op":"remove","path":"emails[type eq \"home\"].value"}])", baseline(), two},
      {"clearing the value with \"\" removes the email", R"([{"op":"replace","path":"emails[type eq \"work\"].value","value":""}])",
       changed(R"({"emails":[]})")},
      {"remove one sub-attribute", R"([{"op":"remove","path":"emails[type eq \"home\"].display"}])",
       changed(R"({"emails":[{"value":"mona@example.com","type":"work","primary":true},{"value":"home@example.com","type":"home"}]})"),
       two},
      {"sub-attribute without filter applies to every email", R"([{"op":"replace","path":"emails.display","value":"D"}])",
       changed(R"({"emails":[{"value":"mona@example.com","type":"work","primary":true,"display":"D"},{"value":"home@example.com","type":"home","display":"D"}]})"),
       two},
      {"filter on value", R"([{"op":"replace","path":"emails[value eq \"HOME@example.com\"].type","value":"other"}])",
       changed(R"({"emails":[{"value":"mona@example.com","type":"work","primary":true},{"value":"home@example.com","type":"other","display":"H"}]})"),
       two},
      {"and-filter seeds both sub-attributes", R"([{"op":"add","path":"emails[type eq \"home\" and primary eq false].value","value":"h@x"}])",
       changed(R"({"emails":[{"value":"mona@example.com","type":"work","primary":true},{"value":"h@x","type":"home","primary":false}]})")},
  });
  run_errors({
      {"a filter that cannot seed an email", R"([{"op":"replace","path":"emails[type ne \"work\"].value","value":"x@x"}])",
       "noTarget", "emails"},
      {"primary must be a boolean", R"([{"op":"replace","path":"emails[type eq \"work\"].primary","value":"yes"}])",
       "invalidValue", "primary"},
      {"an email needs a value", R"([{"op":"replace","path":"emails[type eq \"work\"].type","value":"home"}])",
       "invalidValue", "emails[0].value", no_emails},
      {"changing a type into a duplicate", R"([{"op":"replace","path":"emails[type eq \"home\"].type","value":"Work"}])",
       "invalidValue", "Duplicate email type", two},
  });
}

TEST(PatchEngine, emailsWholeAttribute) {
  run_ok({
      {"add appends a new type", R"([{"op":"add","path":"emails","value":[{"value":"b@x","type":"home"}]}])",
       changed(R"({"emails":[{"value":"mona@example.com","type":"work","primary":true},{"value":"b@x","type":"home"}]})")},
      {"add of a known address merges", R"([{"op":"add","path":"emails","value":[{"value":"MONA@example.com","display":"M"}]}])",
       changed(R"({"emails":[{"value":"MONA@example.com","type":"work","primary":true,"display":"M"}]})")},
      {"add of a used type updates that email", R"([{"op":"add","path":"emails","value":[{"value":"new@x","type":"Work"}]}])",
       changed(R"({"emails":[{"value":"new@x","type":"Work","primary":true}]})")},
      {"add with primary demotes the others", R"([{"op":"add","path":"emails","value":{"value":"p@x","type":"other","primary":true}}])",
       changed(R"({"emails":[{"value":"mona@example.com","type":"work","primary":false},{"value":"p@x","type":"other","primary":true}]})")},
      {"replace sets the list", R"([{"op":"replace","path":"emails","value":[{"value":"r@x","type":"home"}]}])",
       changed(R"({"emails":[{"value":"r@x","type":"home"}]})")},
      {"replace with [] empties it", R"([{"op":"replace","path":"emails","value":[]}])", changed(R"({"emails":[]})")},
      {"replace with null clears it", R"([{"op":"replace","path":"emails","value":null}])", changed(R"({"emails":null})")},
      {"remove clears it", R"([{"op":"remove","path":"emails"}])", changed(R"({"emails":null})")},
      {"remove with a value removes that address", R"([{"op":"remove","path":"emails","value":[{"value":"MONA@example.com"}]}])",
       changed(R"({"emails":[]})")},
      {"remove with an unknown value keeps the list", R"([{"op":"remove","path":"emails","value":[{"value":"x@x"}]}])", baseline()},
      {"bare address strings", R"([{"op":"replace","path":"emails","value":["s@x"]}])", changed(R"({"emails":[{"value":"s@x"}]})")},
  });
  run_errors({
      {"two work emails", R"([{"op":"replace","path":"emails","value":[{"value":"a@x","type":"work"},{"value":"b@x","type":"work"}]}])",
       "invalidValue", "Duplicate email type 'work'"},
      {"two primaries", R"([{"op":"replace","path":"emails","value":[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]}])",
       "invalidValue", "primary"},
      {"an email without a value", R"([{"op":"add","path":"emails","value":[{"type":"home"}]}])", "invalidValue",
       "emails[0].value"},
      {"value not a string", R"([{"op":"add","path":"emails","value":[{"value":7}]}])", "invalidValue", "emails[0].value"},
  });
}

TEST(PatchEngine, roles) {
  const json owner = changed(R"({"roles":[{"value":"enterprise_owner","primary":true},{"value":"user"}]})");
  run_ok({
      {"Entra SingleAppRoleAssignment: one stringified role",
       R"([{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"06b07648-ecfe-589f-9d2f-6325724a46ee\",\"value\":\"25\",\"displayName\":\"Role1234\"}"}]}])",
       changed(R"({"roles":[{"value":"user","primary":false},{"value":"25","display":"Role1234"}]})")},
      {"Entra AppRoleAssignmentsComplex: merge without duplicates (case-insensitive)",
       R"([{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"a\",\"value\":\"Admin\",\"displayName\":\"Admin\"}"},{"value":"{\"id\":\"b\",\"value\":\"User\",\"displayName\":\"User\"}"}]}])",
       changed(R"({"roles":[{"value":"User","primary":false,"display":"User"},{"value":"Admin","display":"Admin"}]})")},
      {"items given directly as JSON strings", R"([{"op":"add","path":"roles","value":["{\"value\":\"billing_manager\",\"displayName\":\"Billing\"}"]}])",
       changed(R"({"roles":[{"value":"user","primary":false},{"value":"billing_manager","display":"Billing"}]})")},
      {"bare role values", R"([{"op":"add","path":"roles","value":["enterprise_owner","USER"]}])",
       changed(R"({"roles":[{"value":"USER","primary":false},{"value":"enterprise_owner"}]})")},
      {"a single role object", R"([{"op":"add","path":"roles","value":{"value":"guest_collaborator","type":"t"}}])",
       changed(R"({"roles":[{"value":"user","primary":false},{"value":"guest_collaborator","type":"t"}]})")},
      {"AssertiveAppRoleAssignmentsComplex replace sets the full list", R"([{"op":"replace","path":"roles","value":[
         {"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},
         {"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Test","value":"Test"}]}])",
       changed(R"({"roles":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Test","value":"Test"}]})")},
      {"displayName becomes display", R"([{"op":"replace","path":"roles","value":[{"value":"user","displayName":"User"}]}])",
       changed(R"({"roles":[{"value":"user","display":"User"}]})")},
      {"replace with [] means no role", R"([{"op":"replace","path":"roles","value":[]}])", changed(R"({"roles":[]})")},
      {"remove clears", R"([{"op":"remove","path":"roles"}])", changed(R"({"roles":null})")},
      {"remove the listed values only", R"([{"op":"remove","path":"roles","value":[{"value":"ENTERPRISE_OWNER"}]}])",
       changed(R"({"roles":[{"value":"user"}]})"), owner},
      {"remove listed as bare strings and JSON strings", R"([{"op":"Remove","path":"roles","value":["user","{\"value\":\"enterprise_owner\"}"]}])",
       changed(R"({"roles":[]})"), owner},
      {"roles[primary eq \"True\"].value replaces the primary role", R"([{"op":"replace","path":"roles[primary eq \"True\"].value","value":"billing_manager"}])",
       changed(R"({"roles":[{"value":"billing_manager","primary":true},{"value":"user"}]})"), owner},
      {"roles[primary eq \"True\"].value creates a primary role", R"([{"op":"Add","path":"roles[primary eq \"True\"].value","value":"enterprise_owner"}])",
       changed(R"({"roles":[{"value":"user","primary":false},{"value":"enterprise_owner","primary":true}]})")},
      {"the filtered value may be stringified JSON", R"([{"op":"replace","path":"roles[primary eq \"True\"].value","value":"{\"id\":\"x\",\"value\":\"user\",\"displayName\":\"User\"}"}])",
       // the second "user" now repeats the first and collapses into it
       changed(R"({"roles":[{"value":"user","primary":true,"display":"User"}]})"), owner},
      {"roles[...].display", R"([{"op":"replace","path":"roles[primary eq \"True\"].display","value":"Owner"}])",
       changed(R"({"roles":[{"value":"enterprise_owner","primary":true,"display":"Owner"},{"value":"user"}]})"), owner},
      {"promoting a role demotes the other", R"([{"op":"replace","path":"roles[value eq \"user\"].primary","value":"True"}])",
       changed(R"({"roles":[{"value":"enterprise_owner","primary":false},{"value":"user","primary":true}]})"), owner},
      {"remove by filter", R"([{"op":"remove","path":"roles[value eq \"user\"]"}])",
       changed(R"({"roles":[{"value":"enterprise_owner","primary":true}]})"), owner},
  });
  run_errors({
      {"malformed stringified JSON", R"([{"op":"Add","path":"roles","value":[{"value":"{\"id\":"}]}])", "invalidValue",
       "roles[0].value"},
      {"stringified JSON that is not an object", R"([{"op":"Add","path":"roles","value":["{1}"]}])", "invalidValue",
       "roles[0]"},
      {"a role value that is not a string", R"([{"op":"add","path":"roles","value":[{"value":5}]}])", "invalidValue",
       "roles[0].value"},
      {"a role without value", R"([{"op":"add","path":"roles","value":[{"display":"Admin"}]}])", "invalidValue",
       "roles[0].value"},
      {"a role primary that is not a boolean", R"([{"op":"add","path":"roles","value":[{"value":"user","primary":"maybe"}]}])",
       "invalidValue", "primary"},
  });
}

TEST(PatchEngine, entraMultiOperationUpdate) {
  // requests/entra-quirks/03a: six ops in Entra's default dialect, all or nothing.
  run_ok({{"03a", R"([
      {"op":"Replace","path":"displayName","value":"Pvlo"},
      {"op":"Replace","path":"emails[type eq \"work\"].value","value":"TestBcwqnm@test.microsoft.com"},
      {"op":"Replace","path":"name.givenName","value":"Gtfd"},{"op":"Replace","path":"name.familyName","value":"Pkqf"},
      {"op":"Replace","path":"externalId","value":"Eqpj"},
      {"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"Eqpj"}])",
           changed(R"({"displayName":"Pvlo","externalId":"Eqpj","name":{"givenName":"Gtfd","familyName":"Pkqf"},
                       "emails":[{"value":"TestBcwqnm@test.microsoft.com","type":"work","primary":true}]})")}});
}

TEST(PatchEngine, allOrNothing) {
  // github-emu-scim.md §10 rule 9: the first two operations would succeed, the third fails.
  const json before = baseline();
  auto r = apply_user_patch(before, ops_of(R"([{"op":"replace","path":"displayName","value":"X"},
      {"op":"replace","path":"active","value":false},{"op":"replace","path":"active","value":"maybe"}])"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().scim_type, "invalidValue");
  EXPECT_NE(r.error().detail.find("Operations[2]"), std::string::npos) << r.error().detail;
  EXPECT_EQ(before, baseline());
}

TEST(PatchEngine, canonicalisesAStoredDocumentThatLacksActive) {
  json before = baseline();
  before.erase("active");
  auto r = apply_user_patch(before, ops_of(R"([{"op":"replace","path":"displayName","value":"X"}])"));
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->at("active"), true);
  EXPECT_EQ(r->at("displayName"), "X");
}

TEST(PatchEngine, pathGivenDirectlyAsEmptyStringIsPathless) {
  std::vector<patch_operation> ops = {{patch_op_kind::replace, std::string(""), json::parse(R"({"displayName":"E"})")}};
  auto r = apply_user_patch(baseline(), ops);
  ASSERT_TRUE(r.has_value()) << r.error().detail;
  EXPECT_EQ(r->at("displayName"), "E");
}

}  // namespace
}  // namespace emuscim::scim
