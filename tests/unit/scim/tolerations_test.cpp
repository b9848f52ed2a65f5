// What the SCIM layer reports as tolerated (tolerations.hpp), for the request log's notes: the
// planners and canonical_user return it as data; nothing here logs.
#include "emuscim/scim/tolerations.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emuscim/scim/group_patch.hpp"
#include "emuscim/scim/patch.hpp"
#include "emuscim/scim/user.hpp"
#include "emuscim/scim/user_patch.hpp"

namespace emuscim::scim {
namespace {

using nlohmann::json;
using notes_t = std::vector<std::string>;

std::vector<patch_operation> ops_of(const char* operations) {
  auto ops = parse_patch_request(json{{"Operations", json::parse(operations)}});
  EXPECT_TRUE(ops.has_value());
  return ops ? *ops : std::vector<patch_operation>{};
}

TEST(Tolerations, userPatchNotesEntrasFormsAndIgnoredAttributes) {
  struct row {
    const char* operations;
    notes_t notes;
    const char* dialect;
  };
  const std::vector<row> rows = {
      {R"([{"op": "replace", "path": "displayName", "value": "x"}])", {}, ""},
      {R"([{"op": "Replace", "path": "active", "value": "False"}])",
       {"accepted Entra's string \"False\" for active", "op \"Replace\" (Entra's capitalised form) accepted"},
       "entra"},
      {R"([{"op": "add", "path": "nickName", "value": "Mo"}])", {"ignored unsupported attribute 'nickName'"}, ""},
      {R"([{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "R&D"},
          {"op": "Add", "path": "title", "value": "x"}])",
       {"ignored unsupported attribute 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'",
        "ignored unsupported attribute 'title'", "op \"Add\" (Entra's capitalised form) accepted"},
       "entra"},
      {R"([{"op": "replace", "value": {"id": "1", "nickName": "Mo", "active": "true"}}])",
       {"accepted Entra's string \"true\" for active", "ignored unsupported attribute 'nickName'"}, "entra"},
  };
  for (const auto& r : rows) {
    auto plan = plan_user_patch(ops_of(r.operations));
    ASSERT_TRUE(plan.has_value()) << r.operations;
    EXPECT_EQ(plan->tolerated.notes, r.notes) << r.operations;
    EXPECT_EQ(plan->tolerated.dialect, r.dialect) << r.operations;
  }
}

TEST(Tolerations, groupPatchNotesCapitalisedOpsOnce) {
  auto plan = plan_group_patch(ops_of(R"([{"op": "Add", "path": "members", "value": [{"value": "a"}]},
                                          {"op": "Add", "path": "members", "value": [{"value": "b"}]},
                                          {"op": "Replace", "path": "description", "value": "x"}])"),
                               validation_mode::lenient);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->tolerated.notes,
            (notes_t{"ignored unsupported attribute 'description'", "op \"Add\" (Entra's capitalised form) accepted",
                     "op \"Replace\" (Entra's capitalised form) accepted"}));
  EXPECT_EQ(plan->tolerated.dialect, "entra");
}

TEST(Tolerations, canonicalUserNotesWhatItDrops) {
  tolerations t;
  auto doc = canonical_user(json::parse(R"({"userName": "u", "externalId": "e", "active": "False", "nickName": "Mo",
      "password": "x", "id": "ignored", "locale": null,
      "roles": [{"value": "User"}, {"value": "user"}]})"),
                            validation_mode::lenient, user_use::create, &t);
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(t.notes, (notes_t{"ignored unsupported attribute 'nickName'", "ignored unsupported attribute 'password'",
                              "accepted Entra's string \"False\" for active", "duplicate role 'user' dropped"}));
  EXPECT_EQ(t.dialect, "entra");
  EXPECT_TRUE(canonical_user(json::parse(R"({"userName": "u", "externalId": "e"})"), validation_mode::lenient,
                             user_use::create, nullptr)
                  .has_value())
      << "the notes are optional";
}

TEST(Tolerations, notesAreDedupedAndCapped) {
  tolerations t;
  for (int i = 0; i < 50; ++i) t.note("same");
  EXPECT_EQ(t.notes, notes_t{"same"});
  for (int i = 0; i < 50; ++i) t.note("n" + std::to_string(i));
  EXPECT_EQ(t.notes.size(), tolerations::max_notes + 1);
  EXPECT_EQ(t.notes.back(), "… more notes left out");
}

}  // namespace
}  // namespace emuscim::scim
