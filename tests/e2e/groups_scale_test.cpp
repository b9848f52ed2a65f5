// A 10,000-member group, built the way an IdP does it: users first, then PATCH add members in
// batches of 1,000 (GitHub's documented per-group hourly pace, §15), then reads with and
// without excludedAttributes=members (§5: "can speed up response time").
//
// One test on purpose: under ctest every test is its own process and server, and the setup
// (10,000 POST /Users) dominates. Registered separately in CMakeLists.txt (label e2e-scale,
// longer timeout, RUN_SERIAL).

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

class GroupsScale : public e2e_suite {};

constexpr int kMembers = 10'000;
constexpr int kBatch = 1'000;
constexpr int kCreators = 4;  // parallel connections creating users

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST_F(GroupsScale, tenThousandMembersInBatchesOf1000) {
  // 1. Users, over kCreators keep-alive connections.
  const auto t_users = std::chrono::steady_clock::now();
  std::vector<std::string> ids(kMembers);
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::string first_error;
  std::vector<std::thread> creators;
  for (int t = 0; t < kCreators; ++t) {
    creators.emplace_back([&] {
      try {
        client c(server());
        for (int i = next++; i < kMembers && !failed; i = next++) {
          char name[32];
          std::snprintf(name, sizeof name, "s-%05d", i);
          auto r = c.post("Users", make_user(name, std::string("ext-") + name));
          if (r.status != 201) {
            std::lock_guard lock(error_mutex);
            if (first_error.empty()) first_error = std::string("POST Users ") + name + ": HTTP " + std::to_string(r.status) + " " + r.body;
            failed = true;
            return;
          }
          ids[static_cast<std::size_t>(i)] = r.json().value("id", "");
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(error_mutex);
        if (first_error.empty()) first_error = e.what();
        failed = true;
      }
    });
  }
  for (auto& t : creators) t.join();
  ASSERT_FALSE(failed) << first_error;
  const double users_s = seconds_since(t_users);
  RecordProperty("create_10000_users_seconds", std::to_string(users_s));
  std::fprintf(stderr, "[scale] %d users created in %.1f s\n", kMembers, users_s);

  // 2. An empty group.
  auto created = create_group(make_group("Scale Group", "ext-scale-group"));
  ASSERT_TRUE(created.is_object());
  const std::string gid = created["id"];

  // 3. Ten PATCH add batches of 1,000; each answers 200 with the full group so far.
  const auto t_patch = std::chrono::steady_clock::now();
  scim.set_timeout(std::chrono::seconds(60));
  for (int b = 0; b < kMembers / kBatch; ++b) {
    std::vector<std::string> batch(ids.begin() + b * kBatch, ids.begin() + (b + 1) * kBatch);
    auto r = scim.patch("Groups/" + gid, make_patch({patch_op("add", "members", member_values(batch))}));
    ASSERT_EQ(r.status, 200) << "batch " << b << ": " << r;
    auto g = r.json();
    ASSERT_TRUE(g.contains("members")) << "batch " << b;
    EXPECT_EQ(g["members"].size(), static_cast<std::size_t>((b + 1) * kBatch)) << "after batch " << b;
  }
  const double patch_s = seconds_since(t_patch);
  RecordProperty("patch_10_batches_seconds", std::to_string(patch_s));
  std::fprintf(stderr, "[scale] 10 PATCH batches in %.1f s\n", patch_s);

  // 4. The group without members: no key, and cheap.
  auto t_get = std::chrono::steady_clock::now();
  auto slim = scim.get("Groups/" + gid + "?excludedAttributes=members");
  const double slim_s = seconds_since(t_get);
  ASSERT_EQ(slim.status, 200) << slim;
  EXPECT_FALSE(slim.json().contains("members")) << "excludedAttributes=members removes the key";
  EXPECT_EQ(slim.json()["displayName"], "Scale Group");
  EXPECT_LT(slim.body.size(), 4096u) << "a group without members is small";
  RecordProperty("get_excluded_members_seconds", std::to_string(slim_s));

  auto list = scim.get(groups_filter("externalId eq \"ext-scale-group\"") + "&excludedAttributes=members");
  ASSERT_TRUE(is_list_response(list));
  ASSERT_EQ(list.json()["Resources"].size(), 1u);
  EXPECT_FALSE(list.json()["Resources"][0].contains("members"));
  auto all = scim.get("Groups?excludedAttributes=members");
  ASSERT_TRUE(is_list_response(all));
  const auto all_body = all.json();  // a named value: a temporary's member dies before the loop (GCC 12)
  ASSERT_FALSE(all_body["Resources"].empty());
  for (const auto& g : all_body["Resources"]) EXPECT_FALSE(g.contains("members"));

  // 5. The full group: every member exactly once, with $ref and display.
  t_get = std::chrono::steady_clock::now();
  auto full = scim.get("Groups/" + gid);
  const double full_s = seconds_since(t_get);
  ASSERT_EQ(full.status, 200) << full;
  auto members = full.json()["members"];
  ASSERT_EQ(members.size(), static_cast<std::size_t>(kMembers));
  std::set<std::string> got;
  for (const auto& m : members) {
    got.insert(m.value("value", ""));
    ASSERT_TRUE(m.contains("$ref") && m["$ref"].is_string()) << m.dump();
  }
  EXPECT_EQ(got, std::set<std::string>(ids.begin(), ids.end()));
  RecordProperty("get_full_group_seconds", std::to_string(full_s));
  std::fprintf(stderr, "[scale] GET excludedAttributes=members %.3f s (%zu bytes), full GET %.3f s (%zu bytes)\n", slim_s,
               slim.body.size(), full_s, full.body.size());

  // 6. The admin CLI counts them.
  auto out = cli_groups_list(server());
  auto line = line_containing(out, "Scale Group");
  ASSERT_TRUE(line) << out;
  EXPECT_TRUE(has_word(*line, "10000") || has_word(*line, "10,000")) << *line;
}

}  // namespace
}  // namespace emuscim::test
