#pragma once
// What compiling a PATCH shares across resource types (RFC 7644 §3.5.2, github-emu-scim.md §10
// rules 1-3, 7): the preamble of every operation and the walk over a path-less value, which turn
// the operations into the attribute paths they address. Each resource classifies those paths and
// compiles them into its own plan (user_patch.cpp, group_patch.cpp). Private to the scim module. Pure.

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/error.hpp"
#include "emuscim/scim/filter.hpp"
#include "emuscim/scim/patch.hpp"

namespace emuscim::scim::patch_detail {

// One attribute path an operation addresses, and the value meant for it.
struct patch_target {
  std::size_t operation;          // index in Operations
  patch_op_kind op;
  const patch_path& path;         // relative to the resource's core schema (a leading core URN is gone)
  std::string_view text;          // what was parsed into `path`, as written (without the core URN)
  bool pathless;                  // a key of a path-less value, not the operation's `path`
  const nlohmann::json& value;    // JSON null when the operation has no value
  const patch_operation& source;  // the operation itself
};

// Called for each target in request order; an error stops the walk.
using target_visitor = std::function<status(const patch_target&)>;
// Called with each path (or path-less key) under another schema URN, which the walk skips.
using ignored_visitor = std::function<void(std::string_view)>;

// For each operation, in order:
//   * no path: remove -> no_target(); add/replace walk the value (below);
//   * a path under another schema URN (the enterprise extension, Microsoft's, typos such as
//     "...:2.0User"): ignored, GitHub keeps none of them;
//   * a path that is the core URN itself: like no path (remove -> no_target());
//   * otherwise the path is parsed (invalid_path() when it does not parse) and visited.
// A path-less value must be an object (else invalid_value()). Each key is an attribute path:
// plain (`displayName`), dotted (`name.givenName`) or qualified by the core URN (':' or '.' before
// the attribute). Keys under other URNs are ignored; a key that is the core URN and holds an object
// is walked in turn; a key that does not parse names nothing the resource keeps and is skipped.
// Errors name the operation: "Operations[i]: ...".
status walk_patch(const std::vector<patch_operation>& ops, std::string_view core_urn,
                  std::string_view resource_name, const target_visitor& visit,
                  const ignored_visitor& ignored = {});

}  // namespace emuscim::scim::patch_detail
