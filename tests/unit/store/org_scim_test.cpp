#include "emuscim/store/org_scim.hpp"

#include <gtest/gtest.h>

#include "emuscim/store/database.hpp"
#include "emuscim/store/orgs.hpp"

using namespace emuscim;
using namespace emuscim::store;

namespace {

constexpr const char* kNow = "2026-01-01T00:00:00.000Z";

class OrgScimStore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ok = db_.write_sync<bool>([&](write_context& w) -> scim::result<bool> {
      octo_ = insert_org(w.db, "octo-org", std::nullopt, true, kNow).id;
      other_ = insert_org(w.db, "other-org", std::nullopt, true, kNow).id;
      return true;
    });
    ASSERT_TRUE(ok);
  }

  // Runs fn on the writer connection, in a job that commits.
  template <class Fn>
  void write(Fn fn) {
    auto ok = db_.write_sync<bool>([&](write_context& w) -> scim::result<bool> {
      fn(w.db);
      return true;
    });
    ASSERT_TRUE(ok) << ok.error().detail;
  }

  static org_identity_row identity(std::int64_t org, const std::string& n) {
    org_identity_row r;
    r.org_id = org;
    r.id = "id-" + n;
    r.user_name = n + "@example.com";
    r.external_id = "ext-" + n;
    r.email = n + "@example.com";
    r.doc = R"({"userName":")" + n + R"(@example.com"})";
    r.created = r.modified = kNow;
    return r;
  }

  database db_{{":memory:", false}};
  std::int64_t octo_ = 0;
  std::int64_t other_ = 0;
};

TEST_F(OrgScimStore, identitiesAreLookedUpInsideTheirOrganizationOnly) {
  write([&](connection& c) {
    auto a = identity(octo_, "mona");
    insert_org_identity(c, a, {"mona@example.com", "MONA@example.com", "mona@home.example"});
    auto b = identity(other_, "hubot");
    insert_org_identity(c, b, {"hubot@example.com"});
  });
  db_.read([&](connection& c) {
    EXPECT_TRUE(find_org_identity(c, octo_, "id-mona"));
    EXPECT_FALSE(find_org_identity(c, other_, "id-mona"));
    // userName and email compare case-insensitively, externalId exactly.
    EXPECT_TRUE(find_org_identity_by_user_name(c, octo_, "MONA@EXAMPLE.COM"));
    EXPECT_TRUE(find_org_identity_by_email(c, octo_, "Mona@Example.com"));
    EXPECT_TRUE(find_org_identity_by_external_id(c, octo_, "ext-mona"));
    EXPECT_FALSE(find_org_identity_by_external_id(c, octo_, "EXT-MONA"));
    EXPECT_FALSE(find_org_identity_by_user_name(c, other_, "mona@example.com"));

    // `emails eq` matches any email value, once per identity, in any case.
    auto page = list_org_identities_where(c, octo_, org_identity_key::email, "MONA@HOME.EXAMPLE", 0, 10);
    ASSERT_EQ(page.rows.size(), 1u);
    EXPECT_EQ(page.total, 1);
    EXPECT_EQ(page.rows[0].id, "id-mona");
    EXPECT_EQ(list_org_identities_where(c, octo_, org_identity_key::email, "mona@example.com", 0, 10).total, 1);
    EXPECT_EQ(list_org_identities_where(c, other_, org_identity_key::email, "mona@example.com", 0, 10).total, 0);
  });
}

TEST_F(OrgScimStore, uniqueIndexesHoldPerOrganization) {
  write([&](connection& c) {
    auto a = identity(octo_, "mona");
    insert_org_identity(c, a, {a.email});
  });
  // The same userName in another organization is fine; in the same one the index refuses it.
  write([&](connection& c) {
    auto b = identity(other_, "mona");
    b.id = "id-mona-elsewhere";  // SCIM ids are unique across every organization
    insert_org_identity(c, b, {b.email});
  });
  auto dup = db_.write_sync<bool>([&](write_context& w) -> scim::result<bool> {
    auto c = identity(octo_, "mona");
    c.id = "id-mona-2";
    c.external_id = "ext-other";
    c.email = "other@example.com";
    insert_org_identity(w.db, c, {c.email});
    return true;
  });
  EXPECT_FALSE(dup.has_value());
}

TEST_F(OrgScimStore, pagingSeeksLikeItSkips) {
  write([&](connection& c) {
    for (int i = 0; i < 25; ++i) {
      auto r = identity(octo_, "u" + std::to_string(i));
      insert_org_identity(c, r, {r.email});
    }
    auto r = identity(other_, "elsewhere");
    insert_org_identity(c, r, {r.email});
  });
  db_.read([&](connection& c) {
    auto first = list_org_identities(c, octo_, 0, 10, std::nullopt);
    EXPECT_EQ(first.total, 25);
    ASSERT_EQ(first.rows.size(), 10u);
    auto by_offset = list_org_identities(c, octo_, 10, 10, std::nullopt);
    auto by_seek = list_org_identities(c, octo_, 10, 10, first.last_seq);
    ASSERT_EQ(by_offset.rows.size(), 10u);
    ASSERT_EQ(by_seek.rows.size(), 10u);
    for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(by_offset.rows[i].id, by_seek.rows[i].id);
    EXPECT_EQ(list_org_identities(c, octo_, 20, 10, std::nullopt).rows.size(), 5u);
    EXPECT_EQ(list_org_identities(c, octo_, 30, 10, std::nullopt).rows.size(), 0u);
  });
}

TEST_F(OrgScimStore, invitationsFollowTheirIdentityAndIdsNeverRepeat) {
  std::int64_t first_id = 0;
  std::int64_t seq = 0;
  write([&](connection& c) {
    auto a = identity(octo_, "mona");
    insert_org_identity(c, a, {a.email});
    seq = a.seq;
    org_invitation_row inv;
    inv.org_id = octo_;
    inv.identity_seq = a.seq;
    inv.email = a.email;
    inv.created = kNow;
    insert_org_invitation(c, inv);
    first_id = inv.id;
  });
  db_.read([&](connection& c) {
    auto inv = find_org_invitation_by_identity(c, seq);
    ASSERT_TRUE(inv);
    EXPECT_EQ(inv->role, "direct_member");
    EXPECT_EQ(inv->source, "scim");
    EXPECT_EQ(find_org_invitations_by_email(c, octo_, "MONA@example.com").size(), 1u);
    EXPECT_FALSE(find_org_invitation(c, other_, first_id));
    EXPECT_EQ(list_org_invitations(c, octo_, {std::nullopt, std::string("scim"), 0, 30}).total, 1);
    EXPECT_EQ(list_org_invitations(c, octo_, {std::nullopt, std::string("member"), 0, 30}).total, 0);
    EXPECT_EQ(list_org_invitations(c, octo_, {std::string("admin"), std::nullopt, 0, 30}).total, 0);
  });
  // Deleting the identity takes its invitation and email values along.
  write([&](connection& c) { delete_org_identity(c, seq); });
  db_.read([&](connection& c) {
    EXPECT_FALSE(find_org_invitation(c, octo_, first_id));
    EXPECT_EQ(list_org_identities_where(c, octo_, org_identity_key::email, "mona@example.com", 0, 10).total, 0);
  });
  // AUTOINCREMENT: the next invitation does not reuse the deleted one's id.
  write([&](connection& c) {
    org_invitation_row inv;
    inv.org_id = octo_;
    inv.email = "someone@example.com";
    inv.source = "member";
    inv.created = kNow;
    insert_org_invitation(c, inv);
    EXPECT_GT(inv.id, first_id);
  });
}

TEST_F(OrgScimStore, accountsAreFoundByEmailInAnyCase) {
  write([&](connection& c) { insert_account(c, "octocat", std::nullopt, std::string("Octo@Example.com"), kNow); });
  db_.read([&](connection& c) {
    auto a = find_account_by_email(c, "octo@example.COM");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->login, "octocat");
    EXPECT_GE(a->id, first_account_id);
    EXPECT_FALSE(find_account_by_email(c, "nobody@example.com"));
  });
}

TEST_F(OrgScimStore, deletingAnOrganizationTakesItsIdentitiesAndInvitations) {
  std::int64_t seq = 0;
  write([&](connection& c) {
    auto a = identity(octo_, "mona");
    insert_org_identity(c, a, {a.email});
    seq = a.seq;
    org_invitation_row inv;
    inv.org_id = octo_;
    inv.identity_seq = a.seq;
    inv.email = a.email;
    inv.created = kNow;
    insert_org_invitation(c, inv);
  });
  write([&](connection& c) { delete_org(c, *find_org_by_id(c, octo_)); });
  db_.read([&](connection& c) {
    EXPECT_FALSE(find_org_identity_by_seq(c, seq));
    EXPECT_FALSE(find_org_invitation_by_identity(c, seq));
    EXPECT_EQ(list_org_identities_where(c, octo_, org_identity_key::email, "mona@example.com", 0, 10).total, 0);
  });
}

}  // namespace
