#pragma once
// GitHub's classic OAuth / personal-access-token scopes (docs.github.com "Scopes for OAuth apps",
// GHEC). Names are case-sensitive (RFC 6749 §3.3). A parent scope grants its children:
// admin:org -> write:org -> read:org, admin:enterprise -> scim:enterprise, read:enterprise, ...
// Pure; thread-safe.

#include <span>
#include <string>
#include <string_view>

namespace emuscim::auth {

// Every scope GitHub.com documents for classic tokens, in the order of its token page.
std::span<const std::string_view> known_scopes();
bool known_scope(std::string_view scope);

// The scope `scope` is a child of (admin:org for write:org), or empty for a top-level scope.
std::string_view parent_scope(std::string_view scope);

// True when a token holding `held` passes a check for any of `accepted`: holding an accepted scope
// or an ancestor of one. An empty `accepted` needs no scope.
bool grants(std::span<const std::string> held, std::span<const std::string_view> accepted);

}  // namespace emuscim::auth
