#pragma once
// GitHub's legacy global node ids, the one derivation of every node_id emuscim renders.

#include <cstdint>
#include <string>
#include <string_view>

namespace emuscim::base {

// Standard base64 (RFC 4648 §4) with padding.
std::string base64(std::string_view in);

// base64("0" + len(type) + ":" + type + id), e.g. legacy_node_id("User", 1) == "MDQ6VXNlcjE=",
// legacy_node_id("OrganizationInvitation", 1) == "MDIyOk9yZ2FuaXphdGlvbkludml0YXRpb24x" (the
// examples of GitHub's descriptions).
std::string legacy_node_id(std::string_view type, std::int64_t id);

}  // namespace emuscim::base
