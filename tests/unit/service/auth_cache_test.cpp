// auth_service keeps valid tokens, enterprises and organizations in memory for kCacheTtl, on real
// SQLite: a revocation in this process (forget) takes effect at once; a write that bypasses it
// (another process on the same file) within the TTL; unknown and revoked tokens are never kept.
#include "emuscim/service/auth_service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>

#include "emuscim/auth/token.hpp"
#include "emuscim/store/database.hpp"
#include "emuscim/store/orgs.hpp"
#include "emuscim/store/repo.hpp"

namespace emuscim::service {
namespace {

namespace fs = std::filesystem;

class AuthCache : public ::testing::Test {
 public:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("emuscim-authcache-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = std::make_unique<store::database>(store::database_options{(dir_ / "db").string(), false});
    write([&](store::write_context& w) {
      ent_ = store::ensure_enterprise(w.db, "acme", "acme", w.now).first.id;
      const auto h = auth::hash_token(kToken);
      token_id_ = store::insert_token(w.db, ent_, h, {"scim:enterprise"}, std::nullopt, w.now);
      store::insert_org(w.db, "Octo", ent_, false, w.now);
    });
    auth_ = std::make_unique<auth_service>(*db_, std::nullopt);
  }
  void TearDown() override {
    auth_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }
  template <class Fn>
  void write(Fn fn) {
    auto done = db_->write_sync<bool>([&](store::write_context& w) -> scim::result<bool> {
      fn(w);
      return true;
    });
    ASSERT_TRUE(done.has_value());
  }
  void revoke_behind_its_back() {
    write([&](store::write_context& w) { store::revoke_token(w.db, ent_, token_id_, w.now); });
  }

  static constexpr const char* kToken = "ghp_authcache0123456789abcdef";
  static constexpr const char* kBearer = "Bearer ghp_authcache0123456789abcdef";
  fs::path dir_;
  std::unique_ptr<store::database> db_;
  std::unique_ptr<auth_service> auth_;
  std::int64_t ent_ = 0;
  std::int64_t token_id_ = 0;
};

TEST_F(AuthCache, forgetTakesEffectAtOnce) {
  auto who = auth_->authenticate(kBearer);
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->enterprise_id, ent_);
  revoke_behind_its_back();
  // Cached: the write did not go through forget() (as another process's would not).
  EXPECT_TRUE(auth_->authenticate(kBearer).has_value());
  auth_->forget();
  auto after = auth_->authenticate(kBearer);
  ASSERT_FALSE(after.has_value());
  EXPECT_EQ(after.error().status, 401);
}

TEST_F(AuthCache, aWriteOutsideThisProcessIsSeenWithinTheTtl) {
  ASSERT_TRUE(auth_->authenticate(kBearer).has_value());
  revoke_behind_its_back();
  std::this_thread::sleep_for(auth_service::kCacheTtl + std::chrono::milliseconds(50));
  EXPECT_FALSE(auth_->authenticate(kBearer).has_value());
}

TEST_F(AuthCache, unknownAndRevokedTokensAreNeverKept) {
  EXPECT_FALSE(auth_->authenticate("Bearer ghp_not_yet_known_0123456789").has_value());
  write([&](store::write_context& w) {
    store::insert_token(w.db, ent_, auth::hash_token("ghp_not_yet_known_0123456789"), {"scim:enterprise"},
                        std::nullopt, w.now);
  });
  EXPECT_TRUE(auth_->authenticate("Bearer ghp_not_yet_known_0123456789").has_value()) << "a 401 is not cached";
}

TEST_F(AuthCache, enterprisesAndOrganizationsComeFromTheCacheAndKeepTheirRules) {
  auto who = auth_->authenticate(kBearer);
  ASSERT_TRUE(who.has_value());
  for (int round = 0; round < 2; ++round) {  // the second round is served from memory
    auto e = auth_->enterprise_for(*who, "acme");
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->id, ent_);
    EXPECT_EQ(auth_->enterprise_for(*who, "ACME").error().status, 404) << "slugs compare exactly";
    auto o = auth_->org_for(*who, "octo");
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->org.login, "Octo");
    ASSERT_TRUE(o->enterprise.has_value());
    EXPECT_EQ(o->enterprise->slug, "acme");
    principal stranger{99, ent_ + 1, std::nullopt, {"admin:org"}};
    EXPECT_EQ(auth_->org_for(stranger, "OCTO").error().status, 404) << "another enterprise's token";
    EXPECT_EQ(auth_->enterprise_for(stranger, "acme").error().status, 403);
  }
}

}  // namespace
}  // namespace emuscim::service
