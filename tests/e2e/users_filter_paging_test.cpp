// GET /Users: filters and paging. github-emu-scim.md §5, §6; idp-clients.md §4 checklist 1, 7.

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

// --- filters --------------------------------------------------------------------------------------

class UsersFilter : public e2e_suite {
 protected:
  // Creates a user with a recognisable displayName; returns its id.
  std::string make(std::string_view name, std::string_view display_name) {
    return create_user_id(name, {.display_name = std::string(display_name)});
  }
  // GET Users?filter=... and returns the ids; ADD_FAILUREs unless it is a 200 ListResponse.
  std::vector<std::string> ids_for(std::string_view filter, const header_map& headers = {}) {
    auto r = scim.get(users_filter(filter), headers);
    EXPECT_TRUE(is_list_response(r)) << "filter: " << filter;
    if (r.status != 200) return {"<error>"};
    auto j = r.json();
    EXPECT_EQ(j["totalResults"].get<std::size_t>(), j["Resources"].size()) << "filter: " << filter << " " << r;
    return resource_ids(j);
  }
};

using ids = std::vector<std::string>;

TEST_F(UsersFilter, userNameEqWithDoubleQuotes) {
  auto name = unique("flt.dq");
  auto id = make(name, "DQ");
  ASSERT_FALSE(id.empty());
  make(unique("flt.other"), "Other");
  EXPECT_EQ(ids_for("userName eq \"" + name + "\""), ids{id});
}

TEST_F(UsersFilter, userNameEqWithSingleQuotes) {
  // GitHub's own example: userName eq 'E012345'.
  auto name = unique("flt.sq");
  auto id = make(name, "SQ");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(ids_for("userName eq '" + name + "'"), ids{id});
}

TEST_F(UsersFilter, userNameEqWithBareValue) {
  auto name = unique("flt.bare");
  auto id = make(name, "Bare");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(ids_for("userName eq " + name), ids{id});
}

TEST_F(UsersFilter, attributeNamesAreCaseInsensitive) {
  auto name = unique("flt.attrcase");
  auto id = make(name, "AttrCase");
  ASSERT_FALSE(id.empty());
  for (const char* attr : {"userName", "username", "USERNAME", "UserName"}) {
    EXPECT_EQ(ids_for(std::string(attr) + " eq \"" + name + "\""), ids{id}) << attr;
  }
  EXPECT_EQ(ids_for("EXTERNALID eq \"ext-" + name + "\""), ids{id});
  EXPECT_EQ(ids_for("ID eq \"" + id + "\""), ids{id});
  EXPECT_EQ(ids_for("DISPLAYNAME eq \"AttrCase\""), ids{id});
}

TEST_F(UsersFilter, userNameComparesCaseInsensitively) {
  auto name = unique("flt.MixedCase");
  auto id = make(name, "MixedCase");
  ASSERT_FALSE(id.empty());
  std::string upper, lower;
  for (char c : name) {
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  EXPECT_EQ(ids_for("userName eq \"" + upper + "\""), ids{id});
  EXPECT_EQ(ids_for("userName eq \"" + lower + "\""), ids{id});
}

TEST_F(UsersFilter, externalIdEq) {
  auto name = unique("flt.ext");
  auto id = make(name, "Ext");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(ids_for("externalId eq \"ext-" + name + "\""), ids{id});
  EXPECT_EQ(ids_for("externalId eq 'ext-" + name + "'"), ids{id});
}

TEST_F(UsersFilter, externalIdComparesExactly) {
  // §5: externalId and id compare exactly (only userName/displayName ignore case).
  auto name = unique("flt.extcase");
  auto id = create_user_id(name);
  ASSERT_FALSE(id.empty());
  std::string upper = "EXT-" + name;
  EXPECT_EQ(ids_for("externalId eq \"" + upper + "\""), ids{});
}

TEST_F(UsersFilter, idEq) {
  auto name = unique("flt.id");
  auto id = make(name, "Id");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(ids_for("id eq \"" + id + "\""), ids{id});
  EXPECT_EQ(ids_for("id eq \"" + random_uuid() + "\""), ids{});
}

TEST_F(UsersFilter, displayNameEq) {
  auto a = make(unique("flt.dn"), "Shared Display Name");
  auto b = make(unique("flt.dn"), "Shared Display Name");
  make(unique("flt.dn"), "Different Display Name");
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  EXPECT_EQ(ids_for("displayName eq \"Shared Display Name\""), (ids{a, b})) << "both, in creation order";
  EXPECT_EQ(ids_for("displayName eq \"shared display name\""), (ids{a, b})) << "displayName ignores case (§5)";
}

TEST_F(UsersFilter, noMatchIs200EmptyListResponse) {
  auto r = scim.get(users_filter("userName eq \"nobody-" + random_uuid() + "\""));
  ASSERT_TRUE(is_list_response(r));
  auto j = r.json();
  EXPECT_EQ(j["totalResults"], 0);
  EXPECT_EQ(j["Resources"], json::array());
  EXPECT_EQ(j["startIndex"], 1);
  EXPECT_EQ(j["itemsPerPage"], 0);
}

TEST_F(UsersFilter, entraTestConnectionRandomGuidWithoutAcceptOrUserAgent) {
  // Entra "Test Connection": GET /Users?filter=externalId eq "<random GUID>", no Accept and no
  // User-Agent (idp-clients.md §4 checklist 1). Must be 200 + empty ListResponse, never 404/406.
  auto r = scim.get(users_filter("externalId eq \"" + random_uuid() + "\""),
                    {{"accept", std::nullopt}, {"user-agent", std::nullopt}});
  ASSERT_TRUE(is_list_response(r));
  EXPECT_TRUE(has_scim_content_type(r));
  EXPECT_EQ(r.json()["totalResults"], 0);
  EXPECT_EQ(r.json()["Resources"], json::array());
  // The same with userName (requests/entra-quirks/06e), wire form with '+' for spaces.
  auto r2 = scim.get("Users?filter=userName+eq+%22" + random_uuid() + "%22", {{"accept", std::nullopt}, {"user-agent", std::nullopt}});
  ASSERT_TRUE(is_list_response(r2));
  EXPECT_EQ(r2.json()["totalResults"], 0);
}

TEST_F(UsersFilter, unknownQueryParametersAreIgnored) {
  // Entra may add aadOptscim062020 (§5).
  auto name = unique("flt.aad");
  auto id = make(name, "Aad");
  ASSERT_FALSE(id.empty());
  auto r = scim.get(users_filter("userName eq \"" + name + "\"") + "&aadOptscim062020");
  ASSERT_TRUE(is_list_response(r));
  EXPECT_EQ(resource_ids(r.json()), ids{id});
}

TEST_F(UsersFilter, filterResultsCarryFullUsers) {
  auto name = unique("flt.full");
  auto id = make(name, "Full");
  ASSERT_FALSE(id.empty());
  auto r = scim.get(users_filter("userName eq \"" + name + "\""));
  ASSERT_TRUE(is_list_response(r));
  auto j = r.json();
  ASSERT_EQ(j["Resources"].size(), 1u);
  EXPECT_EQ(j["Resources"][0], get_user(id)) << "list items are the same resource as GET /Users/{id}";
}

class UsersInvalidFilter : public e2e_suite, public ::testing::WithParamInterface<std::string> {};

TEST_P(UsersInvalidFilter, is400InvalidFilter) {
  // Never an empty list for an unsupported filter, or Entra creates duplicates (§5).
  auto r = scim.get(users_filter(GetParam()));
  EXPECT_TRUE(is_scim_error(r, 400, "invalidFilter")) << "filter: " << GetParam();
}

INSTANTIATE_TEST_SUITE_P(E2e, UsersInvalidFilter,
                         ::testing::Values("userName co \"mona\"", "userName sw \"mona\"", "userName ew \"mona\"",
                                           "userName ne \"mona\"", "userName gt \"mona\"", "userName pr",
                                           "userName eq \"a\" and externalId eq \"b\"",
                                           "userName eq \"a\" or userName eq \"b\"", "not (userName eq \"a\")",
                                           "emails[type eq \"work\"].value eq \"a@example.com\"",
                                           "emails.value eq \"a@example.com\"", "title eq \"Boss\"",
                                           "active eq true", "userName eq", "eq \"mona\"", "userName \"mona\"",
                                           "userName eq \"unterminated", "userName eq \"a\" garbage",
                                           "(userName eq \"a\"", "\"", "userName eq \"a\" and"));

// --- paging ---------------------------------------------------------------------------------------

// A server holding exactly kUsers users, created in a known order by SetUpTestSuite. Tests
// here only read (except listOrderIsStableAcrossUpdates, which changes displayNames only).
class UsersPaging : public e2e_suite {
 public:
  static constexpr int kUsers = 105;

  static void SetUpTestSuite() {
    start_suite_server({});
    if (!suite_ready()) return;
    created_.clear();
    try {
      client c(server());
      for (int i = 0; i < kUsers; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "page-%03d", i);
        auto r = c.post("Users", make_user(name, std::string("ext-") + name));
        if (r.status != 201) {
          std::ostringstream msg;
          msg << "creating " << name << ": " << r;
          fail_suite_setup(msg.str());
          return;
        }
        created_.push_back(r.json().value("id", ""));
      }
    } catch (const std::exception& e) {
      fail_suite_setup(e.what());
    }
  }

 protected:
  json page(std::string_view query) {
    auto r = scim.get("Users" + std::string(query));
    EXPECT_TRUE(is_list_response(r)) << "GET Users" << query;
    return r.status == 200 ? r.json() : json::object();
  }
  // Walks every page with the given count; returns the ids in order.
  ids walk(int count) {
    ids all;
    for (int start = 1; start <= kUsers + count; start += count) {
      auto j = page("?startIndex=" + std::to_string(start) + "&count=" + std::to_string(count));
      EXPECT_EQ(j["startIndex"], start) << "startIndex is echoed";
      EXPECT_EQ(j["totalResults"], kUsers);
      auto got = resource_ids(j);
      EXPECT_LE(got.size(), static_cast<std::size_t>(count));
      if (got.empty()) break;
      all.insert(all.end(), got.begin(), got.end());
    }
    return all;
  }

  static inline ids created_;
};

TEST_F(UsersPaging, defaultsAreStartIndex1Count30) {
  auto j = page("");
  EXPECT_EQ(j["totalResults"], kUsers);
  EXPECT_EQ(j["startIndex"], 1);
  EXPECT_EQ(j["itemsPerPage"], 30);
  EXPECT_EQ(resource_ids(j), ids(created_.begin(), created_.begin() + 30)) << "the first 30, in creation order";
}

TEST_F(UsersPaging, countOf5WalksEveryUserOnceInCreationOrder) {
  EXPECT_EQ(walk(5), created_);
}

TEST_F(UsersPaging, countOf100WalksEveryUserOnceInCreationOrder) {
  auto first = page("?startIndex=1&count=100");
  EXPECT_EQ(first["itemsPerPage"], 100);
  EXPECT_EQ(walk(100), created_);
}

TEST_F(UsersPaging, countIsCappedAt100) {
  auto j = page("?count=500");
  EXPECT_EQ(j["totalResults"], kUsers);
  EXPECT_EQ(j["Resources"].size(), 100u);
  EXPECT_EQ(j["itemsPerPage"], 100);
}

TEST_F(UsersPaging, countZeroReturnsOnlyTotalResults) {
  auto j = page("?count=0");
  EXPECT_EQ(j["totalResults"], kUsers);
  EXPECT_EQ(j["Resources"], json::array());
  EXPECT_EQ(j["itemsPerPage"], 0);
}

TEST_F(UsersPaging, startIndexBelow1CountsAs1) {
  for (const char* start : {"0", "-5"}) {
    auto j = page(std::string("?startIndex=") + start + "&count=3");
    EXPECT_EQ(j["startIndex"], 1) << "startIndex=" << start;
    EXPECT_EQ(resource_ids(j), ids(created_.begin(), created_.begin() + 3)) << "startIndex=" << start;
  }
}

TEST_F(UsersPaging, startIndexIsOneBased) {
  auto j = page("?startIndex=2&count=2");
  EXPECT_EQ(resource_ids(j), (ids{created_[1], created_[2]}));
  auto last = page("?startIndex=" + std::to_string(kUsers) + "&count=10");
  EXPECT_EQ(resource_ids(last), ids{created_.back()});
}

TEST_F(UsersPaging, startIndexBeyondTheEndIsAnEmptyPage) {
  auto j = page("?startIndex=" + std::to_string(kUsers + 1) + "&count=10");
  EXPECT_EQ(j["totalResults"], kUsers);
  EXPECT_EQ(j["Resources"], json::array());
  EXPECT_EQ(j["itemsPerPage"], 0);
}

TEST_F(UsersPaging, listOrderIsStableAcrossCallsAndUpdates) {
  auto before = walk(7);
  ASSERT_EQ(before, created_);
  // Updating users must not reorder the list (order = creation order, not lastModified).
  for (int i : {0, 50, 104}) {
    auto r = scim.patch("Users/" + created_[static_cast<std::size_t>(i)],
                        make_patch({patch_op("replace", "displayName", "Updated " + std::to_string(i))}));
    ASSERT_EQ(r.status, 200) << r;
  }
  EXPECT_EQ(walk(7), created_);
}

TEST_F(UsersPaging, filterAndPagingCombine) {
  auto j = page("?filter=" + url_encode("userName eq \"page-007\"") + "&startIndex=1&count=5");
  EXPECT_EQ(j["totalResults"], 1);
  EXPECT_EQ(resource_ids(j), ids{created_[7]});
  auto none = page("?filter=" + url_encode("userName eq \"page-007\"") + "&count=0");
  EXPECT_EQ(none["totalResults"], 1);
  EXPECT_EQ(none["Resources"], json::array());
}

TEST_F(UsersPaging, malformedPagingParametersAreNeverA500) {
  for (const char* q : {"?startIndex=abc", "?count=abc", "?count=-1", "?startIndex=99999999999999999999",
                        "?count=99999999999999999999", "?startIndex=1.5", "?count=", "?startIndex="}) {
    auto r = scim.get(std::string("Users") + q);
    EXPECT_TRUE(r.status == 200 || r.status == 400) << q << ": " << r;
    if (r.status == 400) {
      EXPECT_TRUE(is_scim_error(r, 400)) << q;
    }
  }
}

// --- empty enterprise -----------------------------------------------------------------------------

class EmptyEnterprise : public e2e_suite {};

TEST_F(EmptyEnterprise, usersListIsAnEmptyListResponse) {
  auto r = scim.get("Users");
  ASSERT_TRUE(is_list_response(r));
  EXPECT_TRUE(has_scim_content_type(r));
  EXPECT_EQ(r.json(), json::parse(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                                      "totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":0})"));
}

TEST_F(EmptyEnterprise, groupsListIsAnEmptyListResponse) {
  auto r = scim.get("Groups");
  ASSERT_TRUE(is_list_response(r));
  EXPECT_EQ(r.json(), json::parse(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                                      "totalResults":0,"Resources":[],"startIndex":1,"itemsPerPage":0})"));
}

}  // namespace
}  // namespace emuscim::test
