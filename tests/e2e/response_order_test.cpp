// Response bodies list their members in the order of GitHub's own examples (shared spec
// openapi/ghec-scim.json: scim-enterprise-user, scim-enterprise-group, the list envelope of
// github-emu-scim.md §6): `schemas` first, `meta` last. JSON objects are unordered, so no client
// may depend on it; it makes emuscim's answers read, and diff, like GitHub's.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

class ResponseOrder : public e2e_suite {};

// The member names of `object`, in the order they were written.
std::vector<std::string> keys_of(const nlohmann::ordered_json& object) {
  std::vector<std::string> out;
  for (const auto& [key, v] : object.items()) {
    (void)v;
    out.push_back(key);
  }
  return out;
}

using keys = std::vector<std::string>;

TEST_F(ResponseOrder, userAsInGitHubsExample) {
  const auto name = unique("order.u");
  auto created = scim.post("Users", make_user(name, "ext-" + name, {.roles = {"user"}}));
  ASSERT_EQ(created.status, 201) << created;
  const auto user = nlohmann::ordered_json::parse(created.body);
  EXPECT_EQ(keys_of(user), (keys{"schemas", "id", "externalId", "active", "userName", "name", "displayName", "emails",
                                 "roles", "meta"}))
      << created.body;
  EXPECT_EQ(keys_of(user["meta"]), (keys{"resourceType", "created", "lastModified", "location"}));
  EXPECT_EQ(keys_of(user["name"]), (keys{"formatted", "familyName", "givenName"}));
  EXPECT_EQ(keys_of(user["emails"][0]), (keys{"value", "type", "primary"}));

  // GET and PATCH answers render the same way.
  const std::string id = user["id"];
  auto got = scim.get("Users/" + id);
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_EQ(got.body, created.body);
  auto patched = scim.patch("Users/" + id, make_patch({patch_op("replace", "displayName", "Renamed")}));
  ASSERT_EQ(patched.status, 200) << patched;
  EXPECT_EQ(keys_of(nlohmann::ordered_json::parse(patched.body)), keys_of(user)) << patched.body;
}

TEST_F(ResponseOrder, groupAndListAsInGitHubsExamples) {
  const std::string member = create_user_id(unique("order.m"));
  ASSERT_FALSE(member.empty());
  const auto name = unique("order.g");
  auto created = scim.post("Groups", make_group(name, "ext-" + name, {member}));
  ASSERT_EQ(created.status, 201) << created;
  const auto group = nlohmann::ordered_json::parse(created.body);
  EXPECT_EQ(keys_of(group), (keys{"schemas", "id", "externalId", "displayName", "members", "meta"})) << created.body;
  EXPECT_EQ(keys_of(group["members"][0]), (keys{"value", "$ref", "display"}));

  auto list = scim.get(groups_filter("displayName eq \"" + name + "\""));
  ASSERT_EQ(list.status, 200) << list;
  const auto envelope = nlohmann::ordered_json::parse(list.body);
  EXPECT_EQ(keys_of(envelope), (keys{"schemas", "totalResults", "Resources", "startIndex", "itemsPerPage"}));
  ASSERT_EQ(envelope["Resources"].size(), 1u) << list.body;
  EXPECT_EQ(keys_of(envelope["Resources"][0]), keys_of(group));
}

}  // namespace
}  // namespace emuscim::test
