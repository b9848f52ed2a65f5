#include "emuscim/auth/scopes.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace emuscim::auth {

namespace {

// {scope, parent}; a top-level scope has an empty parent.
constexpr std::array<std::pair<std::string_view, std::string_view>, 51> kScopes = {{
    {"repo", ""},
    {"repo:status", "repo"},
    {"repo_deployment", "repo"},
    {"public_repo", "repo"},
    {"repo:invite", "repo"},
    {"security_events", "repo"},
    {"workflow", ""},
    {"write:packages", ""},
    {"read:packages", "write:packages"},
    {"delete:packages", ""},
    {"admin:org", ""},
    {"write:org", "admin:org"},
    {"read:org", "write:org"},
    {"manage_runners:org", "admin:org"},
    {"admin:public_key", ""},
    {"write:public_key", "admin:public_key"},
    {"read:public_key", "write:public_key"},
    {"admin:repo_hook", ""},
    {"write:repo_hook", "admin:repo_hook"},
    {"read:repo_hook", "write:repo_hook"},
    {"admin:org_hook", ""},
    {"gist", ""},
    {"notifications", ""},
    {"user", ""},
    {"read:user", "user"},
    {"user:email", "user"},
    {"user:follow", "user"},
    {"delete_repo", ""},
    {"write:discussion", ""},
    {"read:discussion", "write:discussion"},
    {"admin:enterprise", ""},
    {"manage_runners:enterprise", "admin:enterprise"},
    {"manage_billing:enterprise", "admin:enterprise"},
    {"read:enterprise", "admin:enterprise"},
    {"scim:enterprise", "admin:enterprise"},
    {"audit_log", ""},
    {"read:audit_log", "audit_log"},
    {"codespace", ""},
    {"codespace:secrets", "codespace"},
    {"copilot", ""},
    {"manage_billing:copilot", "copilot"},
    {"write:network_configurations", ""},
    {"read:network_configurations", "write:network_configurations"},
    {"project", ""},
    {"read:project", "project"},
    {"admin:gpg_key", ""},
    {"write:gpg_key", "admin:gpg_key"},
    {"read:gpg_key", "write:gpg_key"},
    {"admin:ssh_signing_key", ""},
    {"write:ssh_signing_key", "admin:ssh_signing_key"},
    {"read:ssh_signing_key", "write:ssh_signing_key"},
}};

constexpr auto kNames = [] {
  std::array<std::string_view, kScopes.size()> names{};
  for (std::size_t i = 0; i < kScopes.size(); ++i) names[i] = kScopes[i].first;
  return names;
}();

const std::pair<std::string_view, std::string_view>* find(std::string_view scope) {
  auto it = std::ranges::find(kScopes, scope, &std::pair<std::string_view, std::string_view>::first);
  return it == kScopes.end() ? nullptr : &*it;
}

}  // namespace

std::span<const std::string_view> known_scopes() { return kNames; }

bool known_scope(std::string_view scope) { return find(scope) != nullptr; }

std::string_view parent_scope(std::string_view scope) {
  const auto* s = find(scope);
  return s == nullptr ? std::string_view{} : s->second;
}

bool grants(std::span<const std::string> held, std::span<const std::string_view> accepted) {
  if (accepted.empty()) return true;
  for (std::string_view wanted : accepted) {
    // Walk up from the accepted scope: holding it or any ancestor passes.
    for (std::string_view s = wanted; !s.empty(); s = parent_scope(s)) {
      if (std::ranges::find(held, s) != held.end()) return true;
    }
  }
  return false;
}

}  // namespace emuscim::auth
