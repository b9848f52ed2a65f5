// libFuzzer target: the PATCH engine. parse_patch_request (patch.hpp), then apply_user_patch
// (user_patch.hpp) and plan_group_patch (group_patch.hpp).
// Input: a PATCH body, optionally followed by a NUL byte and a starting User document:
//     <PATCH body JSON> [ '\0' <User JSON> ]
// The User part, when present and accepted by canonical_user(lenient, patched), replaces the
// fixed realistic user (fuzz_common.hpp sample_user) as the document the PATCH applies to, so the
// fuzzer can also vary what the operations find. Both parts pass the HTTP layer's JSON checks.
// Invariants, for both validation modes:
//   * nothing throws, and no catch-all ("could not be applied") is reached;
//   * a rejection is a 4xx with a detail;
//   * a patched user is a canonical document and a fixed point of canonical_user(mode, patched),
//     so storing it and reading it back gives the same document;
//   * a group plan sets a non-empty displayName if any, and member steps carry ids where needed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/group_patch.hpp"
#include "emuscim/scim/patch.hpp"
#include "emuscim/scim/user.hpp"
#include "emuscim/scim/user_patch.hpp"
#include "fuzz_common.hpp"

using namespace emuscim;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The fixed starting document must itself be canonical, or every finding would be noise.
  fuzz::check_user_fixed_point(fuzz::sample_user(), scim::validation_mode::strict, "sample_user");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = fuzz::as_text(data, size);
  const std::size_t nul = input.find('\0');
  const nlohmann::json body = fuzz::parse_body(input.substr(0, nul));
  if (body.is_discarded()) return 0;

  nlohmann::json start = fuzz::sample_user();
  if (nul != std::string_view::npos) {
    const nlohmann::json given = fuzz::parse_body(input.substr(nul + 1));
    if (given.is_discarded()) return 0;
    auto doc = FUZZ_NO_THROW(scim::canonical_user(given, scim::validation_mode::lenient, scim::user_use::patched));
    if (!doc) return 0;
    start = std::move(*doc);
  }

  // The strict envelope check only adds the `schemas` requirement: whatever it accepts, lenient
  // parsing accepts too, with the same operations; so the engine runs once, on the lenient result.
  auto strict_ops = FUZZ_NO_THROW(scim::parse_patch_request(body, /*strict=*/true));
  auto ops = FUZZ_NO_THROW(scim::parse_patch_request(body, /*strict=*/false));
  for (const auto* r : {&strict_ops, &ops}) {
    if (!*r) {
      fuzz::check_client_error(r->error(), "parse_patch_request");
      FUZZ_CHECK(!fuzz::is_swallowed_exception(r->error()), "parse_patch_request hit its exception catch-all");
    }
  }
  if (strict_ops) {
    FUZZ_CHECK(ops.has_value() && ops->size() == strict_ops->size(), "strict parsing accepted what lenient rejected");
  }
  if (!ops) return 0;
  FUZZ_CHECK(!ops->empty(), "parse_patch_request accepted an empty Operations list");
  for (const auto& op : *ops) {
    FUZZ_CHECK(op.op == scim::patch_op_kind::remove || op.value.has_value(), "add/replace without a value");
  }

  for (const auto mode : {scim::validation_mode::lenient, scim::validation_mode::strict}) {
    const std::string m = mode == scim::validation_mode::strict ? "strict" : "lenient";

    // A strict-mode server never stores a user without externalId, so that start is skipped there.
    if (mode == scim::validation_mode::lenient || start.contains("externalId")) {
      auto patched = FUZZ_NO_THROW(scim::apply_user_patch(start, *ops, mode));
      if (patched) {
        fuzz::check_user_fixed_point(*patched, mode, "apply_user_patch(" + m + ")");
      } else {
        fuzz::check_client_error(patched.error(), "apply_user_patch(" + m + ")");
        FUZZ_CHECK(!fuzz::is_swallowed_exception(patched.error()), "apply_user_patch hit its exception catch-all");
      }
    }

    auto plan = FUZZ_NO_THROW(scim::plan_group_patch(*ops, mode));
    if (!plan) {
      fuzz::check_client_error(plan.error(), "plan_group_patch(" + m + ")");
      FUZZ_CHECK(!fuzz::is_swallowed_exception(plan.error()), "plan_group_patch hit its exception catch-all");
      continue;
    }
    if (plan->display_name) FUZZ_CHECK(!plan->display_name->empty(), "plan sets an empty displayName");
    if (plan->external_id && *plan->external_id) {
      FUZZ_CHECK(!(*plan->external_id)->empty(), "plan sets an empty externalId");
    }
    if (plan->external_id && !*plan->external_id) {
      FUZZ_CHECK(mode == scim::validation_mode::lenient, "strict plan clears externalId");
    }
    for (const auto& step : plan->members) {
      switch (step.op) {
        case scim::member_step::kind::clear:
          FUZZ_CHECK(step.ids.empty(), "a clear step with ids");
          break;
        case scim::member_step::kind::add:
        case scim::member_step::kind::remove:
          FUZZ_CHECK(!step.ids.empty(), "an add/remove step without ids");
          break;
        case scim::member_step::kind::replace:
          break;
      }
    }
  }
  return 0;
}
