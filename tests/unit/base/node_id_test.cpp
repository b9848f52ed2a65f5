#include "emuscim/base/node_id.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace emuscim::base {
namespace {

TEST(Base64, rfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}, {"\xff\xfe", "//4="},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(base64(in), out) << in;
}

TEST(LegacyNodeId, githubExamples) {
  EXPECT_EQ(legacy_node_id("User", 1), "MDQ6VXNlcjE=");
  EXPECT_EQ(legacy_node_id("Organization", 1), "MDEyOk9yZ2FuaXphdGlvbjE=");
  EXPECT_EQ(legacy_node_id("OrganizationInvitation", 1), "MDIyOk9yZ2FuaXphdGlvbkludml0YXRpb24x");
}

}  // namespace
}  // namespace emuscim::base
