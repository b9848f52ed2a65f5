#include "service/reconcile.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "emuscim/store/database.hpp"
#include "emuscim/store/orgs.hpp"
#include "emuscim/store/repo.hpp"
#include "emuscim/store/teams.hpp"
#include "emuscim/service/teams_service.hpp"

// The reconciliation rules on real SQLite: each table row is one cause (a SCIM group write, a
// suspension, a link, a manual membership...), applied through the same reconciler calls the
// services make inside their write jobs, followed by the exact team and organization membership
// expected afterwards.

namespace emuscim::service {
namespace {

namespace fs = std::filesystem;
using store::write_context;

class Reconcile : public ::testing::Test {
 public:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("emuscim-reconcile-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = std::make_unique<store::database>(store::database_options{(dir_ / "db").string(), false});
    write([&](write_context& w) {
      ent_ = store::ensure_enterprise(w.db, "acme", "acme", w.now).first.id;
      ctx_.enterprise = {ent_, "acme", "acme"};
      org_ = store::insert_org(w.db, "octo", ent_, false, w.now);
      other_org_ = store::insert_org(w.db, "other", ent_, false, w.now);
      for (const char* name : {"ann", "bob", "cid", "dee"}) users_[name] = add_user(w, name);
      group_ = add_group(w, "engineering");
      team_ = add_team(w, org_.id, "octo-team");
      second_team_ = add_team(w, org_.id, "second");
      other_team_ = add_team(w, other_org_.id, "elsewhere");
    });
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
  }

  template <class Fn>
  void write(Fn fn) {
    auto done = db_->write_sync<bool>([&](write_context& w) -> scim::result<bool> {
      fn(w);
      return true;
    });
    ASSERT_TRUE(done.has_value()) << done.error().detail;
  }

  std::int64_t add_user(write_context& w, const std::string& name) {
    store::user_row u;
    u.enterprise_id = ent_;
    u.id = "id-" + name;
    u.user_name = name;
    u.login = u.current_login = name + "_acme";
    u.active = true;
    u.doc = "{}";
    u.created = u.modified = w.now;
    store::insert_user(w.db, u);
    return u.seq;
  }
  std::int64_t add_group(write_context& w, const std::string& name) {
    store::group_row g;
    g.enterprise_id = ent_;
    g.id = "gid-" + name;
    g.display_name = name;
    g.doc = "{}";
    g.created = g.modified = w.now;
    store::insert_group(w.db, g);
    return g.seq;
  }
  std::int64_t add_team(write_context& w, std::int64_t org_id, const std::string& slug) {
    store::team_row t;
    t.org_id = org_id;
    t.name = t.slug = slug;
    t.created = t.modified = w.now;
    store::insert_team(w.db, t);
    return t.id;
  }
  store::team_row team(write_context& w, std::int64_t id) { return *store::find_team(w.db, id); }

  // ---- causes, as the services apply them ----
  void group_add(const std::string& name) {
    write([&](write_context& w) {
      store::add_member(w.db, group_, users_[name]);
      reconciler(w, ctx_).group_changed(group_, ent_, {"id-" + name}, false);
    });
  }
  void group_remove(const std::string& name) {
    write([&](write_context& w) {
      store::remove_member(w.db, group_, users_[name]);
      reconciler(w, ctx_).group_changed(group_, ent_, {"id-" + name}, false);
    });
  }
  void group_replace(const std::vector<std::string>& names) {
    write([&](write_context& w) {
      store::clear_members(w.db, group_);
      for (const auto& n : names) store::add_member(w.db, group_, users_[n]);
      reconciler(w, ctx_).group_changed(group_, ent_, {}, true);
    });
  }
  void set_active(const std::string& name, bool active) {
    write([&](write_context& w) {
      auto u = *store::find_user(w.db, ent_, "id-" + name);
      u.active = active;
      u.current_login = active ? u.login : "hashed" + name + "_acme";
      store::update_user(w.db, u);
      reconciler(w, ctx_).user_activity_changed(u.seq);
    });
  }
  void delete_user(const std::string& name) {
    write([&](write_context& w) {
      auto u = *store::find_user(w.db, ent_, "id-" + name);
      reconciler(w, ctx_).user_deleting(u.seq);
      store::delete_user(w.db, u, w.now);
    });
  }
  void link(std::int64_t team_id) {
    write([&](write_context& w) {
      auto t = team(w, team_id);
      t.group_seq = group_;
      store::update_team(w.db, t);
      reconciler(w, ctx_).sync_team(t, group_);
    });
  }
  void unlink(std::int64_t team_id) {
    write([&](write_context& w) {
      auto t = team(w, team_id);
      reconciler(w, ctx_).sync_team(t, std::nullopt);
      t.group_seq.reset();
      store::update_team(w.db, t);
    });
  }
  void manual_add(std::int64_t team_id, const std::string& name) {
    write([&](write_context& w) { reconciler(w, ctx_).add_to_team(team(w, team_id), users_[name], "member"); });
  }
  void manual_remove(std::int64_t team_id, const std::string& name) {
    write([&](write_context& w) { reconciler(w, ctx_).remove_from_team(team(w, team_id), users_[name]); });
  }
  void delete_group() {
    write([&](write_context& w) {
      reconciler(w, ctx_).group_deleting(group_);
      auto g = *store::find_group(w.db, ent_, "gid-engineering");
      store::delete_group(w.db, g);
    });
  }

  // ---- what is observed ----
  std::set<std::string> team_members(std::int64_t team_id) {
    std::set<std::string> out;
    db_->read([&](store::connection& c) {
      for (auto id : store::team_member_ids(c, team_id)) out.insert(store::find_managed_user(c, id)->login);
      EXPECT_EQ(store::find_team(c, team_id)->member_count, static_cast<std::int64_t>(out.size()))
          << "member_count drifted";
    });
    return out;
  }
  std::set<std::string> org_members(std::int64_t org_id) {
    std::set<std::string> out;
    db_->read([&](store::connection& c) {
      for (const auto& m : store::list_memberships(c, org_id, "all", 0, 1000)) {
        out.insert(store::find_managed_user(c, m.user_id)->login);
        EXPECT_TRUE(m.direct || m.team_count > 0 || m.ent_team_count > 0) << "a membership without a reason";
      }
    });
    return out;
  }
  std::int64_t events(const std::string& action) {
    return db_->read([&](store::connection& c) {
      store::audit_query q;
      q.action = action;
      q.limit = 100000;
      return static_cast<std::int64_t>(store::list_audit(c, ent_, q).size());
    });
  }

  fs::path dir_;
  std::unique_ptr<store::database> db_;
  request_context ctx_;
  std::int64_t ent_ = 0;
  store::org_row org_, other_org_;
  std::map<std::string, std::int64_t> users_;
  std::int64_t group_ = 0, team_ = 0, second_team_ = 0, other_team_ = 0;
};

using names = std::set<std::string>;

TEST_F(Reconcile, tableOfCauses) {
  struct step {
    const char* what;
    std::function<void(Reconcile&)> cause;
    names team;        // octo-team
    names second;      // second (octo)
    names elsewhere;   // elsewhere (other)
    names octo;        // org octo
    names other;       // org other
  };
  const std::vector<step> steps = {
      {"group of two, no link yet", [](Reconcile& r) { r.group_add("ann"), r.group_add("bob"); }, {}, {}, {}, {}, {}},
      {"link: the group's members join the team and the organization",
       [](Reconcile& r) { r.link(r.team_); }, {"ann_acme", "bob_acme"}, {}, {}, {"ann_acme", "bob_acme"}, {}},
      {"the same group on a team of another organization", [](Reconcile& r) { r.link(r.other_team_); },
       {"ann_acme", "bob_acme"}, {}, {"ann_acme", "bob_acme"}, {"ann_acme", "bob_acme"}, {"ann_acme", "bob_acme"}},
      {"a third member joins every linked team", [](Reconcile& r) { r.group_add("cid"); },
       {"ann_acme", "bob_acme", "cid_acme"}, {}, {"ann_acme", "bob_acme", "cid_acme"},
       {"ann_acme", "bob_acme", "cid_acme"}, {"ann_acme", "bob_acme", "cid_acme"}},
      {"a member leaves the group: teams and organizations", [](Reconcile& r) { r.group_remove("bob"); },
       {"ann_acme", "cid_acme"}, {}, {"ann_acme", "cid_acme"}, {"ann_acme", "cid_acme"}, {"ann_acme", "cid_acme"}},
      {"suspension leaves linked teams and the organizations they gave", [](Reconcile& r) { r.set_active("ann", false); },
       {"cid_acme"}, {}, {"cid_acme"}, {"cid_acme"}, {"cid_acme"}},
      {"reactivation puts them back", [](Reconcile& r) { r.set_active("ann", true); }, {"ann_acme", "cid_acme"}, {},
       {"ann_acme", "cid_acme"}, {"ann_acme", "cid_acme"}, {"ann_acme", "cid_acme"}},
      {"a manual member of another team is a direct member", [](Reconcile& r) { r.manual_add(r.second_team_, "dee"); },
       {"ann_acme", "cid_acme"}, {"dee_acme"}, {"ann_acme", "cid_acme"}, {"ann_acme", "cid_acme", "dee_acme"},
       {"ann_acme", "cid_acme"}},
      {"cid also joins the manual team", [](Reconcile& r) { r.manual_add(r.second_team_, "cid"); },
       {"ann_acme", "cid_acme"}, {"cid_acme", "dee_acme"}, {"ann_acme", "cid_acme"},
       {"ann_acme", "cid_acme", "dee_acme"}, {"ann_acme", "cid_acme"}},
      {"cid leaves the group: the manual membership keeps cid in octo", [](Reconcile& r) { r.group_remove("cid"); },
       {"ann_acme"}, {"cid_acme", "dee_acme"}, {"ann_acme"}, {"ann_acme", "cid_acme", "dee_acme"}, {"ann_acme"}},
      {"PUT replaces the group: difference applied", [](Reconcile& r) { r.group_replace({"bob", "dee"}); },
       {"bob_acme", "dee_acme"}, {"cid_acme", "dee_acme"}, {"bob_acme", "dee_acme"},
       {"bob_acme", "cid_acme", "dee_acme"}, {"bob_acme", "dee_acme"}},
      {"unlink: the group's members leave the team, and the organization unless direct",
       [](Reconcile& r) { r.unlink(r.team_); }, {}, {"cid_acme", "dee_acme"}, {"bob_acme", "dee_acme"},
       {"cid_acme", "dee_acme"}, {"bob_acme", "dee_acme"}},
      {"a suspended member is not added by a link", [](Reconcile& r) { r.set_active("bob", false), r.link(r.team_); },
       {"dee_acme"}, {"cid_acme", "dee_acme"}, {"dee_acme"}, {"cid_acme", "dee_acme"}, {"dee_acme"}},
      {"manual removal from an unlinked team keeps the direct membership",
       [](Reconcile& r) { r.manual_remove(r.second_team_, "cid"); }, {"dee_acme"}, {"dee_acme"}, {"dee_acme"},
       {"cid_acme", "dee_acme"}, {"dee_acme"}},
      {"deleting a user removes them everywhere, direct membership included", [](Reconcile& r) { r.delete_user("dee"); },
       {}, {}, {}, {"cid_acme"}, {}},
      {"reactivated bob returns through the group", [](Reconcile& r) { r.set_active("bob", true); }, {"bob_acme"}, {},
       {"bob_acme"}, {"bob_acme", "cid_acme"}, {"bob_acme"}},
      {"deleting the group empties and unlinks its teams", [](Reconcile& r) { r.delete_group(); }, {}, {}, {},
       {"cid_acme"}, {}},
  };
  for (const auto& s : steps) {
    SCOPED_TRACE(s.what);
    s.cause(*this);
    EXPECT_EQ(team_members(team_), s.team);
    EXPECT_EQ(team_members(second_team_), s.second);
    EXPECT_EQ(team_members(other_team_), s.elsewhere);
    EXPECT_EQ(org_members(org_.id), s.octo);
    EXPECT_EQ(org_members(other_org_.id), s.other);
  }
  // Every change wrote GitHub's events.
  EXPECT_GT(events("team.add_member"), 0);
  EXPECT_EQ(events("team.add_member") - events("team.remove_member"), 0);  // everyone left in the end
  EXPECT_GT(events("org.add_member"), 0);
  EXPECT_EQ(events("org.add_member") - events("org.remove_member"), 1);  // cid stays in octo
  db_->read([&](store::connection& c) { EXPECT_FALSE(store::find_team(c, team_)->group_seq.has_value()); });
}

TEST_F(Reconcile, groupWriteWithoutLinkedTeamsTouchesNothing) {
  group_add("ann");
  EXPECT_EQ(team_members(team_), names{});
  EXPECT_EQ(org_members(org_.id), names{});
  EXPECT_EQ(events("team.add_member"), 0);
}

TEST_F(Reconcile, enterpriseTeamGivesMembershipOfAssignedOrganizations) {
  store::enterprise_team_row et;
  write([&](write_context& w) {
    et.enterprise_id = ent_;
    et.name = "Security";
    et.slug = "ent:security";
    et.created = et.modified = w.now;
    store::insert_enterprise_team(w.db, et);
    reconciler r(w, ctx_);
    r.add_to_enterprise_team(et, users_["ann"]);
    r.assign(et, org_.id);
  });
  EXPECT_EQ(org_members(org_.id), names{"ann_acme"});
  write([&](write_context& w) { reconciler(w, ctx_).add_to_enterprise_team(et, users_["bob"]); });
  EXPECT_EQ(org_members(org_.id), (names{"ann_acme", "bob_acme"}));
  // A linked org team and the enterprise team both give bob membership: leaving one keeps it.
  group_add("bob");
  link(team_);
  group_remove("bob");
  EXPECT_EQ(org_members(org_.id), (names{"ann_acme", "bob_acme"}));
  db_->read([&](store::connection& c) {
    auto m = store::find_membership(c, org_.id, users_["bob"]);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->ent_team_count, 1);
    EXPECT_EQ(m->team_count, 0);
    EXPECT_EQ(store::enterprise_team_slugs_for(c, org_.id, users_["bob"], 100), std::vector<std::string>{"ent:security"});
  });
  write([&](write_context& w) { reconciler(w, ctx_).unassign(et, org_.id); });
  EXPECT_EQ(org_members(org_.id), names{});
  // Linking it to a group replaces the direct members.
  group_add("cid");
  write([&](write_context& w) {
    et.group_seq = group_;
    store::update_enterprise_team(w.db, et);
    reconciler r(w, ctx_);
    r.assign(et, other_org_.id);
    r.sync_enterprise_team(et, group_);
  });
  EXPECT_EQ(org_members(other_org_.id), names{"cid_acme"});
  set_active("cid", false);
  EXPECT_EQ(org_members(other_org_.id), names{});
}

TEST_F(Reconcile, linkCostIsProportionalToTheChange) {
  // A link of a large group writes one team row, one org membership and their events per member;
  // a later single-member change writes a bounded number of rows however large the team is.
  write([&](write_context& w) {
    for (int i = 0; i < 2000; ++i) store::add_member(w.db, group_, add_user(w, "m" + std::to_string(i)));
  });
  link(team_);
  EXPECT_EQ(team_members(team_).size(), 2000u);
  const auto before = events("team.add_member");
  group_add("ann");
  EXPECT_EQ(events("team.add_member") - before, 1);
  EXPECT_EQ(team_members(team_).size(), 2001u);
}

// One rendering for both kinds of member: a standalone organization's members are personal
// accounts (ids from 2^40), an EMU organization's are managed users.
TEST_F(Reconcile, standaloneOrganizationMembersArePersonalAccounts) {
  store::org_row standalone;
  store::account_ref account;
  write([&](write_context& w) {
    standalone = store::insert_org(w.db, "solo", std::nullopt, true, w.now);
    auto a = store::insert_account(w.db, "octocat", std::string("The Octocat"), std::string("o@example.com"), w.now);
    account = {a.id, a.login, a.name, a.email, true, {}};
    store::make_direct_member(w.db, standalone.id, a.id, w.now);
    reconciler(w, ctx_).add_to_team(team(w, team_), users_["ann"], "member");
  });
  teams_service svc(*db_);
  request_context solo;
  solo.base_url = "https://emuscim.test";
  solo.org = org_ref{standalone.id, "solo", std::nullopt, true};
  auto page = svc.org_members(solo, "all", "all", page_request{1, 30});
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0]["login"], "octocat");
  EXPECT_EQ(page->items[0]["id"], account.id);
  EXPECT_GE(account.id, store::first_account_id);
  EXPECT_EQ(page->items[0]["url"], "https://emuscim.test/users/octocat");
  auto membership = svc.org_membership(solo, "OCTOCAT");
  ASSERT_TRUE(membership.has_value());
  EXPECT_EQ(membership->body["user"]["login"], "octocat");
  EXPECT_EQ(membership->body["direct_membership"], true);
  EXPECT_TRUE(svc.org_member(solo, "octocat").has_value());
  EXPECT_EQ(svc.org_member(solo, "ann_acme").error().status, 404);  // a managed user is not in this id space

  request_context emu = ctx_;
  emu.base_url = "https://emuscim.test";
  emu.org = org_ref{org_.id, org_.login, ent_, false};
  auto emu_page = svc.org_members(emu, "all", "all", page_request{1, 30});
  ASSERT_TRUE(emu_page.has_value());
  ASSERT_EQ(emu_page->items.size(), 1u);
  EXPECT_EQ(emu_page->items[0]["login"], "ann_acme");
  EXPECT_EQ(emu_page->items[0]["node_id"], "MDQ6VXNlcjE=");  // base64("04:User1"): ann is users row 1
  EXPECT_EQ(svc.org_member(emu, "octocat").error().status, 404);
}

}  // namespace
}  // namespace emuscim::service
