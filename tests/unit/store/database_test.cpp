#include "emuscim/store/database.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "emuscim/store/repo.hpp"

namespace fs = std::filesystem;
using namespace emuscim;
using namespace emuscim::store;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    char tmpl[] = "/tmp/emuscim-store-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~temp_dir() { fs::remove_all(path); }
};

user_row make_user(std::int64_t ent, const std::string& n) {
  user_row u;
  u.enterprise_id = ent;
  u.id = "id-" + n;
  u.user_name = n;
  u.external_id = "ext-" + n;
  u.login = n + "_acme";
  u.current_login = u.login;
  u.doc = R"({"userName":")" + n + R"(","active":true})";
  u.created = u.modified = "2026-01-01T00:00:00.000Z";
  return u;
}

std::int64_t add_enterprise(database& db, const std::string& slug) {
  auto r = db.write_sync<enterprise_row>([&](write_context& w) -> scim::result<enterprise_row> {
    return ensure_enterprise(w.db, slug, slug, w.now).first;
  });
  return r->id;
}

}  // namespace

TEST(Database, migratesNewFileAndReopens) {
  temp_dir d;
  auto path = (d.path / "a.db").string();
  {
    database db({path});
    EXPECT_EQ(db.schema_version(), database::latest_schema_version());
    EXPECT_TRUE(db.ready());
    add_enterprise(db, "acme");
  }
  database again({path});
  auto e = again.read([](connection& c) { return find_enterprise(c, "acme"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->short_code, "acme");
}

TEST(Database, refusesFileThatIsNotSqliteAndLeavesItUntouched) {
  temp_dir d;
  auto path = d.path / "junk.db";
  std::ofstream(path) << "this is not a database, just some text that is long enough to look like a header....";
  auto before = fs::file_size(path);
  EXPECT_THROW(database({path.string()}), incompatible_database);
  EXPECT_EQ(fs::file_size(path), before);
  EXPECT_FALSE(fs::exists(d.path / "junk.db-wal"));
}

TEST(Database, refusesForeignSqliteDatabase) {
  temp_dir d;
  auto path = (d.path / "other.db").string();
  {
    connection c(path);
    c.exec("CREATE TABLE notes(x TEXT)");
  }
  try {
    database db({path});
    FAIL() << "expected incompatible_database";
  } catch (const incompatible_database& e) {
    EXPECT_NE(std::string(e.what()).find("not an emuscim database"), std::string::npos) << e.what();
  }
}

TEST(Database, refusesNewerSchemaVersion) {
  temp_dir d;
  auto path = (d.path / "new.db").string();
  { database db({path}); }
  {
    connection c(path);
    c.exec(("PRAGMA user_version = " + std::to_string(database::latest_schema_version() + 1)).c_str());
  }
  try {
    database db({path});
    FAIL() << "expected incompatible_database";
  } catch (const incompatible_database& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST(Database, uniqueIndexesKeepEnterprisesApart) {
  temp_dir d;
  database db({(d.path / "u.db").string()});
  auto a = add_enterprise(db, "acme");
  auto b = add_enterprise(db, "globex");
  auto r = db.write_sync<bool>([&](write_context& w) -> scim::result<bool> {
    auto u1 = make_user(a, "mona");
    insert_user(w.db, u1);
    auto u2 = make_user(b, "mona");  // same userName, other enterprise: fine
    u2.id = "id-mona-b";
    insert_user(w.db, u2);
    return true;
  });
  ASSERT_TRUE(r);
  auto dup = db.write_sync<bool>([&](write_context& w) -> scim::result<bool> {
    auto u = make_user(a, "MONA");  // userName is case-insensitive inside an enterprise
    u.id = "id-other";
    u.external_id = "other";
    u.login = u.current_login = "other_acme";
    insert_user(w.db, u);
    return true;
  });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().status, 500);  // the service checks first; the index is the safety net
  db.read([&](connection& c) {
    EXPECT_TRUE(find_user_by_user_name(c, a, "MoNa"));
    EXPECT_FALSE(find_user(c, a, "id-mona-b"));  // another enterprise's id is invisible
    EXPECT_EQ(find_enterprise(c, "acme")->user_count, 1);
  });
}

TEST(Database, failingJobRollsBackAloneInsideABatch) {
  temp_dir d;
  database db({(d.path / "b.db").string()});
  auto ent = add_enterprise(db, "acme");
  boost::asio::io_context io;
  int ok = 0, failed = 0;
  for (int i = 0; i < 50; ++i) {
    boost::asio::co_spawn(
        io,
        [&, i]() -> boost::asio::awaitable<void> {
          auto job = [ent, i](write_context& w) -> scim::result<int> {
            auto u = make_user(ent, "user" + std::to_string(i));
            insert_user(w.db, u);
            if (i % 5 == 0) return scim::fail(scim::invalid_value("rejected"));  // after writing: must roll back
            return i;
          };
          auto r = co_await db.write<int>(std::move(job));
          if (r) {
            ++ok;
          } else {
            ++failed;
          }
        },
        boost::asio::detached);
  }
  io.run();
  EXPECT_EQ(ok, 40);
  EXPECT_EQ(failed, 10);
  db.read([&](connection& c) {
    EXPECT_EQ(find_enterprise(c, "acme")->user_count, 40);
    EXPECT_FALSE(find_user_by_user_name(c, ent, "user0"));
    EXPECT_TRUE(find_user_by_user_name(c, ent, "user1"));
  });
}

TEST(Database, concurrentWritersFromManyThreadsAllCommit) {
  temp_dir d;
  database db({(d.path / "c.db").string()});
  auto ent = add_enterprise(db, "acme");
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto name = "t" + std::to_string(t) + "u" + std::to_string(i);
        auto r = db.write_sync<bool>([&](write_context& w) -> scim::result<bool> {
          auto u = make_user(ent, name);
          insert_user(w.db, u);
          return true;
        });
        ASSERT_TRUE(r);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(db.read([&](connection& c) { return find_enterprise(c, "acme")->user_count; }), 400);
}

TEST(Repo, keysetPagingMatchesOffsetPaging) {
  temp_dir d;
  database db({(d.path / "p.db").string()});
  auto ent = add_enterprise(db, "acme");
  db.write_sync<bool>([&](write_context& w) -> scim::result<bool> {
    for (int i = 0; i < 250; ++i) {
      auto u = make_user(ent, "u" + std::to_string(i));
      insert_user(w.db, u);
    }
    return true;
  });
  db.read([&](connection& c) {
    std::optional<std::int64_t> after = 0;
    for (std::int64_t offset = 0; offset < 250; offset += 100) {
      auto by_offset = list_users(c, ent, offset, 100, std::nullopt);
      auto by_seek = list_users(c, ent, offset, 100, after);
      EXPECT_EQ(by_offset.total, 250);
      ASSERT_EQ(by_offset.rows.size(), by_seek.rows.size());
      for (std::size_t i = 0; i < by_seek.rows.size(); ++i) EXPECT_EQ(by_offset.rows[i].id, by_seek.rows[i].id);
      after = by_seek.last_seq;
    }
    // From a known position before the page: seek there, skip only the distance.
    auto first = list_users(c, ent, 0, 100, std::nullopt);
    for (std::int64_t offset : {100, 137, 200, 249, 250}) {
      auto by_offset = list_users(c, ent, offset, 100, std::nullopt);
      auto by_seek_skip = list_users(c, ent, offset, 100, first.last_seq, offset - 100);
      ASSERT_EQ(by_offset.rows.size(), by_seek_skip.rows.size()) << offset;
      for (std::size_t i = 0; i < by_offset.rows.size(); ++i) {
        EXPECT_EQ(by_offset.rows[i].id, by_seek_skip.rows[i].id) << offset;
      }
    }
    // From the start (seq 0) with a skip is offset paging.
    auto from_start = list_users(c, ent, 137, 50, std::int64_t{0}, 137);
    auto by_offset = list_users(c, ent, 137, 50, std::nullopt);
    ASSERT_EQ(from_start.rows.size(), 50u);
    EXPECT_EQ(from_start.rows.front().id, by_offset.rows.front().id);
    EXPECT_EQ(from_start.rows.back().id, by_offset.rows.back().id);
  });
}

TEST(Repo, membershipsCountAndCascadeOnUserDelete) {
  temp_dir d;
  database db({(d.path / "m.db").string()});
  auto ent = add_enterprise(db, "acme");
  auto r = db.write_sync<bool>([&](write_context& w) -> scim::result<bool> {
    group_row g;
    g.enterprise_id = ent;
    g.id = "g1";
    g.display_name = "Engineering";
    g.doc = R"({"displayName":"Engineering"})";
    g.created = g.modified = w.now;
    insert_group(w.db, g);
    std::vector<user_row> users;
    for (int i = 0; i < 3; ++i) {
      users.push_back(make_user(ent, "m" + std::to_string(i)));
      insert_user(w.db, users.back());
      EXPECT_EQ(add_member(w.db, g.seq, users.back().seq), 1);
    }
    EXPECT_EQ(add_member(w.db, g.seq, users[0].seq), 0);  // re-adding is a no-op
    g.member_count = 3;
    update_group(w.db, g);
    delete_user(w.db, users[1], w.now);
    return true;
  });
  ASSERT_TRUE(r);
  db.read([&](connection& c) {
    auto g = find_group(c, ent, "g1");
    EXPECT_EQ(g->member_count, 2);
    auto members = list_members(c, g->seq);
    ASSERT_EQ(members.size(), 2u);
    EXPECT_EQ(members[0].id, "id-m0");
    EXPECT_EQ(members[1].id, "id-m2");
  });
}

TEST(Repo, auditQueryFiltersByActionPrefixAndPages) {
  temp_dir d;
  database db({(d.path / "a.db").string()});
  auto ent = add_enterprise(db, "acme");
  db.write_sync<bool>([&](write_context& w) -> scim::result<bool> {
    for (int i = 0; i < 5; ++i) {
      insert_audit(w.db, {0, ent, w.now, "external_identity.provision", 1, "req", "u" + std::to_string(i), true, ""});
      insert_audit(w.db, {0, ent, w.now, "external_group.update", 1, "req", "g", true, ""});
    }
    return true;
  });
  db.read([&](connection& c) {
    audit_query q;
    q.action = "external_identity.provision";
    EXPECT_EQ(list_audit(c, ent, q).size(), 5u);
    q.action = "external_group.*";
    EXPECT_EQ(list_audit(c, ent, q).size(), 5u);
    q.action.reset();
    q.limit = 3;
    auto first = list_audit(c, ent, q);
    ASSERT_EQ(first.size(), 3u);
    q.before_seq = first.back().seq;
    q.limit = 100;
    EXPECT_EQ(list_audit(c, ent, q).size(), 7u);
  });
}

TEST(Sqlite, savepointRollsBackOnDestruction) {
  temp_dir d;
  connection c((d.path / "s.db").string());
  c.exec("CREATE TABLE t(x INTEGER)");
  {
    transaction tx(c);
    {
      savepoint sp(c, "inner");
      c.exec("INSERT INTO t VALUES (1)");
    }  // not released: rolled back
    c.exec("INSERT INTO t VALUES (2)");
    tx.commit();
  }
  statement s(c, "SELECT group_concat(x) FROM t");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.get_text(0), "2");
}
