// HTTPS: `serve --tls-cert/--tls-key` with a certificate from `emuscim cert self-signed`.
// The client trusts that certificate, so this also checks the generated certificate verifies.

#include <string>

#include "scim_support.hpp"

namespace emuscim::test {
namespace {

class Tls : public e2e_suite {
 public:
  static void SetUpTestSuite() { start_suite_server({.tls = true}); }
};

TEST_F(Tls, servesScimOverHttps) {
  EXPECT_EQ(server().scheme(), "https");
  auto r = scim.get("Users");
  ASSERT_TRUE(is_list_response(r));
  EXPECT_TRUE(has_scim_content_type(r));
}

TEST_F(Tls, locationIsHttps) {
  auto r = scim.post("Users", make_user("Tls.User", "ext-Tls.User"));
  ASSERT_EQ(r.status, 201) << r;
  const std::string expected_prefix = "https://127.0.0.1:" + std::to_string(server().port()) + "/scim/v2/enterprises/acme/Users/";
  EXPECT_EQ(r.header("location").rfind(expected_prefix, 0), 0u) << r.header("location");
  EXPECT_EQ(r.header("location"), r.json()["meta"].value("location", ""));
}

TEST_F(Tls, authStillApplies) {
  EXPECT_TRUE(is_scim_error(scim.get("Users", {{"authorization", std::nullopt}}), 401));
}

TEST_F(Tls, keepAliveWorksOverTls) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(scim.get("Users?count=1").status, 200);
  EXPECT_EQ(scim.connect_count(), 1u);
}

}  // namespace
}  // namespace emuscim::test
