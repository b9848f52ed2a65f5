// Error responses: body shape, malformed JSON, the 4 MiB body limit, and "never 500 for
// client input". github-emu-scim.md §14.

#include <ostream>
#include <string>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

class Errors : public e2e_suite {
 protected:
  // A user and a group to aim PUT/PATCH at.
  std::string user_id() {
    if (user_id_.empty()) user_id_ = create_user_id(unique("err.user"));
    return user_id_;
  }
  std::string group_id() {
    if (group_id_.empty()) {
      auto g = create_group(make_group(unique("err.group"), std::nullopt));
      group_id_ = g.is_object() ? g.value("id", "") : "";
    }
    return group_id_;
  }
  std::string user_id_, group_id_;
};

TEST_F(Errors, errorBodyIsTheScimErrorSchema) {
  auto r = scim.get("Users/" + random_uuid());
  ASSERT_TRUE(is_scim_error(r, 404));
  EXPECT_TRUE(has_scim_content_type(r));
  auto j = r.json();
  EXPECT_EQ(j["schemas"], json::array({error_schema}));
  EXPECT_TRUE(j["status"].is_string()) << "status is a string by default (§14)";
}

// --- malformed JSON -----------------------------------------------------------------------------

class ErrorsMalformedJson : public Errors, public ::testing::WithParamInterface<std::string> {};

TEST_P(ErrorsMalformedJson, is400InvalidSyntaxOnEveryWrite) {
  const auto uid = user_id();
  const auto gid = group_id();
  ASSERT_FALSE(uid.empty());
  ASSERT_FALSE(gid.empty());
  const raw_body body{GetParam()};
  struct target {
    const char* method;
    std::string path;
  };
  for (const auto& t : {target{"POST", "Users"}, target{"PUT", "Users/" + uid}, target{"PATCH", "Users/" + uid},
                        target{"POST", "Groups"}, target{"PUT", "Groups/" + gid}, target{"PATCH", "Groups/" + gid}}) {
    auto r = scim.request(t.method, t.path, body);
    EXPECT_TRUE(is_scim_error(r, 400, "invalidSyntax")) << t.method << " " << t.path << " body: " << GetParam();
  }
}

INSTANTIATE_TEST_SUITE_P(E2e, ErrorsMalformedJson,
                         ::testing::Values("{\"userName\": ", "not json", "{\"a\":1,}", "[1,2", "{} trailing",
                                           "{'userName':'single-quoted'}", "{\"a\":\"unterminated}",
                                           "{\"a\":NaN}"));

TEST_F(Errors, emptyBodyOnWritesIs400) {
  const auto uid = user_id();
  ASSERT_FALSE(uid.empty());
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "Users"}, {"PUT", "Users/" + uid}, {"PATCH", "Users/" + uid}, {"POST", "Groups"}}) {
    auto r = scim.request(method, path, raw_body{""});
    EXPECT_TRUE(is_scim_error(r, 400)) << method << " " << path;
  }
}

// --- body size limit ----------------------------------------------------------------------------

constexpr std::size_t mib = 1024 * 1024;

// A valid user body padded to about `size` bytes with an unknown attribute.
std::string padded_user(std::string_view name, std::size_t size) {
  auto body = make_user(name, "ext-" + std::string(name));
  body["x-padding"] = "";
  const auto base = body.dump().size();
  body["x-padding"] = std::string(size > base ? size - base : 0, 'p');
  return body.dump();
}

TEST_F(Errors, bodyOver4MiBIs413) {
  auto name = unique("err.big");
  auto text = padded_user(name, 4 * mib + 4096);
  ASSERT_GT(text.size(), 4 * mib);
  auto r = scim.post("Users", raw_body{text});
  EXPECT_EQ(r.status, 413) << r;
  EXPECT_TRUE(is_scim_error(r, 413));
  scim.close();
  EXPECT_EQ(scim.get(users_filter("userName eq \"" + name + "\"")).json()["totalResults"], 0) << "413 must not create";
}

TEST_F(Errors, declaredContentLengthOver4MiBIs413WithoutWaitingForTheBody) {
  // Only the header says 5 MiB; the server must answer from the header (no 30 s body wait).
  scim.set_timeout(std::chrono::seconds(10));
  auto r = scim.post("Users", raw_body{"{\"userName\":"}, {{"content-length", std::to_string(5 * mib)}});
  EXPECT_EQ(r.status, 413) << r;
}

TEST_F(Errors, chunkedBodyOver4MiBIs413) {
  auto text = padded_user(unique("err.chunked"), 4 * mib + 4096);
  auto r = scim.post("Users", raw_body{text}, {{"transfer-encoding", "chunked"}});
  EXPECT_EQ(r.status, 413) << r;
}

TEST_F(Errors, bodyJustUnder4MiBIsAccepted) {
  auto name = unique("err.almost");
  auto text = padded_user(name, 4 * mib - 64 * 1024);
  ASSERT_LT(text.size(), 4 * mib);
  auto r = scim.post("Users", raw_body{text});
  EXPECT_EQ(r.status, 201) << r;
}

// --- never 500 ----------------------------------------------------------------------------------

struct bad_input {
  const char* name;
  const char* method;
  std::string target;  // relative to acme's base; "{uid}"/"{gid}" are replaced with real ids
  std::optional<std::string> body;
  header_map headers;
};
// Readable test names in ctest and failure messages.
void PrintTo(const bad_input& p, std::ostream* os) { *os << p.name; }

class ErrorsNever500 : public Errors, public ::testing::WithParamInterface<bad_input> {};

std::string replace_all(std::string s, std::string_view what, std::string_view with) {
  for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + with.size())) {
    s.replace(pos, what.size(), with);
  }
  return s;
}

TEST_P(ErrorsNever500, isAClientErrorOrSuccess) {
  const auto& p = GetParam();
  auto target = replace_all(replace_all(p.target, "{uid}", user_id()), "{gid}", group_id());
  body_arg body;
  if (p.body) body = raw_body{replace_all(replace_all(*p.body, "{uid}", user_id()), "{gid}", group_id())};
  auto r = scim.request(p.method, target, body, p.headers);
  EXPECT_LT(r.status, 500) << p.method << " " << target << ": " << r;
  EXPECT_GE(r.status, 200) << r;
  if (r.status >= 400) {
    EXPECT_TRUE(is_scim_error(r, r.status)) << "errors carry the SCIM error body";
  }
  scim.close();
  EXPECT_TRUE(server().running()) << "the server must survive";
  EXPECT_TRUE(is_list_response(scim.get("Users?count=1"))) << "and keep serving";
}

std::string deep_nesting(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string user_with(std::string_view attr_json) {
  // {"schemas":[User], "userName":"n500-<n>", "externalId":"x500-<n>", <attr_json>}
  static int n = 0;
  ++n;
  return R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"n500-)" + std::to_string(n) +
         R"(","externalId":"x500-)" + std::to_string(n) + "\"" + (attr_json.empty() ? "" : ",") + std::string(attr_json) + "}";
}

std::string patch_with(std::string_view ops_json) {
  return R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":)" + std::string(ops_json) + "}";
}

INSTANTIATE_TEST_SUITE_P(
    E2e, ErrorsNever500,
    ::testing::Values(
        // JSON of the wrong shape
        bad_input{"postUserNull", "POST", "Users", "null", {}},
        bad_input{"postUserArray", "POST", "Users", "[]", {}},
        bad_input{"postUserString", "POST", "Users", "\"user\"", {}},
        bad_input{"postUserNumber", "POST", "Users", "123", {}},
        bad_input{"postUserEmptyObject", "POST", "Users", "{}", {}},
        bad_input{"deepNesting", "POST", "Users", deep_nesting(100000), {}},
        bad_input{"deepNestingInAttribute", "POST", "Users", user_with("\"x\":" + deep_nesting(50000)), {}},
        bad_input{"hugeNumber", "POST", "Users", user_with("\"x\":1e999999"), {}},
        bad_input{"hugeInteger", "POST", "Users", user_with("\"x\":123456789012345678901234567890"), {}},
        bad_input{"invalidUtf8", "POST", "Users", std::string("{\"userName\":\"bad\xff\xfe\",\"externalId\":\"u8\"}"), {}},
        bad_input{"loneSurrogate", "POST", "Users", R"({"userName":"sur\ud800","externalId":"sur"})", {}},
        bad_input{"nulInUserName", "POST", "Users", R"({"userName":"a\u0000b","externalId":"nul"})", {}},
        bad_input{"veryLongUserName", "POST", "Users", "{\"userName\":\"" + std::string(100000, 'a') + "\",\"externalId\":\"long\"}", {}},
        bad_input{"userNameObject", "POST", "Users", R"({"userName":{"a":1},"externalId":"obj"})", {}},
        bad_input{"externalIdNumber", "POST", "Users", R"({"userName":"ext-num","externalId":42})", {}},
        bad_input{"emailsString", "POST", "Users", user_with(R"("emails":"a@example.com")"), {}},
        bad_input{"emailsOfNumbers", "POST", "Users", user_with(R"("emails":[1,2])"), {}},
        bad_input{"emailsWithoutValue", "POST", "Users", user_with(R"("emails":[{"type":"work"}])"), {}},
        bad_input{"nameString", "POST", "Users", user_with(R"("name":"Mona")"), {}},
        bad_input{"activeString", "POST", "Users", user_with(R"("active":"yes")"), {}},
        bad_input{"activeNumber", "POST", "Users", user_with(R"("active":1)"), {}},
        bad_input{"rolesString", "POST", "Users", user_with(R"("roles":"user")"), {}},
        bad_input{"rolesValueNumber", "POST", "Users", user_with(R"("roles":[{"value":5}])"), {}},
        bad_input{"rolesStringifiedGarbage", "POST", "Users", user_with(R"("roles":[{"value":"{not json"}])"), {}},
        bad_input{"schemasString", "POST", "Users", user_with(R"("schemas":"urn:x")"), {}},
        bad_input{"putUserArray", "PUT", "Users/{uid}", "[]", {}},
        bad_input{"groupMembersString", "POST", "Groups", R"({"displayName":"g500","members":"x"})", {}},
        bad_input{"groupMembersNumbers", "POST", "Groups", R"({"displayName":"g500","members":[1]})", {}},
        bad_input{"groupMemberWithoutValue", "POST", "Groups", R"({"displayName":"g500","members":[{}]})", {}},
        bad_input{"groupMemberValueNumber", "POST", "Groups", R"({"displayName":"g500","members":[{"value":7}]})", {}},
        bad_input{"groupDisplayNameNumber", "POST", "Groups", R"({"displayName":7})", {}},
        bad_input{"groupEmptyObject", "POST", "Groups", "{}", {}},
        // PATCH oddities
        bad_input{"patchOperationsOfNumbers", "PATCH", "Users/{uid}", patch_with("[1]"), {}},
        bad_input{"patchOpNumber", "PATCH", "Users/{uid}", patch_with(R"([{"op":5,"path":"displayName","value":"x"}])"), {}},
        bad_input{"patchPathNumber", "PATCH", "Users/{uid}", patch_with(R"([{"op":"replace","path":5,"value":"x"}])"), {}},
        bad_input{"patchUnterminatedFilter", "PATCH", "Users/{uid}", patch_with(R"([{"op":"replace","path":"emails[type eq","value":"x"}])"), {}},
        bad_input{"patchBrackets", "PATCH", "Users/{uid}", patch_with(R"([{"op":"replace","path":"]]][[","value":"x"}])"), {}},
        bad_input{"patchDoubleDot", "PATCH", "Users/{uid}", patch_with(R"([{"op":"replace","path":"name..givenName","value":"x"}])"), {}},
        bad_input{"patchEmptyPath", "PATCH", "Users/{uid}", patch_with(R"([{"op":"replace","path":"","value":"x"}])"), {}},
        bad_input{"patchRemoveWithFilterOnUnknown", "PATCH", "Users/{uid}", patch_with(R"([{"op":"remove","path":"foo[bar eq \"x\"]"}])"), {}},
        bad_input{"patchDeepValue", "PATCH", "Users/{uid}", patch_with(R"([{"op":"replace","path":"displayName","value":)" + deep_nesting(50000) + "}]"), {}},
        bad_input{"patchRolesObject", "PATCH", "Users/{uid}", patch_with(R"([{"op":"add","path":"roles","value":{"value":"user"}}])"), {}},
        bad_input{"patchGroupMembersNotArray", "PATCH", "Groups/{gid}", patch_with(R"([{"op":"add","path":"members","value":"x"}])"), {}},
        bad_input{"patchGroupMemberFilterGarbage", "PATCH", "Groups/{gid}", patch_with(R"([{"op":"remove","path":"members[value eq"}])"), {}},
        bad_input{"patchGroupMemberFilterOtherAttr", "PATCH", "Groups/{gid}", patch_with(R"([{"op":"remove","path":"members[display co \"x\"]"}])"), {}},
        bad_input{"patchGroupPathlessString", "PATCH", "Groups/{gid}", patch_with(R"([{"op":"replace","value":"x"}])"), {}},
        // Query strings and targets
        bad_input{"filterPercent", "GET", "Users?filter=%", std::nullopt, {}},
        bad_input{"filterNul", "GET", "Users?filter=userName%20eq%20%22a%00b%22", std::nullopt, {}},
        bad_input{"filterInvalidUtf8", "GET", "Users?filter=userName%20eq%20%22%FF%FE%22", std::nullopt, {}},
        bad_input{"filterVeryLong", "GET", "Users?filter=" + std::string(8000, 'a'), std::nullopt, {}},
        bad_input{"excludedAttributesGarbage", "GET", "Groups?excludedAttributes=%%%", std::nullopt, {}},
        bad_input{"repeatedParameters", "GET", "Users?count=1&count=2&startIndex=1&startIndex=x", std::nullopt, {}},
        bad_input{"idWithNul", "GET", "Users/abc%00def", std::nullopt, {}},
        bad_input{"idVeryLong", "GET", "Users/" + std::string(4000, 'f'), std::nullopt, {}},
        bad_input{"dotDotSegments", "GET", "Users/../Groups", std::nullopt, {}},
        bad_input{"encodedDotDot", "GET", "Users/%2e%2e/Groups", std::nullopt, {}},
        bad_input{"encodedSlashInId", "GET", "Users/a%2Fb", std::nullopt, {}},
        bad_input{"groupIdGarbage", "DELETE", "Groups/%ZZ", std::nullopt, {}},
        // Headers
        bad_input{"textPlainContentType", "POST", "Users", user_with(""), {{"content-type", "text/plain"}}},
        bad_input{"garbageContentType", "POST", "Users", user_with(""), {{"content-type", ";;;==="}}},
        bad_input{"garbageAccept", "GET", "Users", std::nullopt, {{"accept", "garbage/;;;q=x"}}},
        bad_input{"hugeHeaderValue", "GET", "Users", std::nullopt, {{"x-filler", std::string(8000, 'h')}}}),
    [](const ::testing::TestParamInfo<bad_input>& tpi) { return std::string(tpi.param.name); });

}  // namespace
}  // namespace emuscim::test
