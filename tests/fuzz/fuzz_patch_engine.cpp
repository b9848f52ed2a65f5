// libFuzzer target: the PATCH engine. parse_patch_request (patch.hpp), then the two steps of each
// resource: plan_user_patch and apply_user_patch (user_patch.hpp), plan_group_patch and
// apply_group_patch (group_patch.hpp).
// Input: a PATCH body, optionally followed by a NUL byte and a starting User document:
//     <PATCH body JSON> [ '\0' <User JSON> ]
// The User part, when present and accepted by canonical_user(lenient, patched), replaces the
// fixed realistic user (fuzz_common.hpp sample_user) as the document the PATCH applies to, so the
// fuzzer can also vary what the operations find. Both parts pass the HTTP layer's JSON checks.
// Invariants, for both validation modes:
//   * nothing throws, and no catch-all ("could not be applied") is reached;
//   * a rejection is a 4xx with a detail;
//   * a user plan's steps carry checked, canonical values, in request order; applying the plan
//     fails only for what needs the stored document (noTarget, invalidValue), never for what the
//     plan step should have caught (mutability, invalidPath, invalidSyntax); applying a plan twice
//     gives the same result, and the same as the one-call apply_user_patch(doc, ops);
//   * a patched user is a canonical document and a fixed point of canonical_user(mode, patched),
//     so storing it and reading it back gives the same document;
//   * a group plan sets a non-empty displayName if any, and member steps carry ids where needed;
//     applied to a stored group document it gives a document canonical_group accepts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/group.hpp"
#include "emuscim/scim/group_patch.hpp"
#include "emuscim/scim/patch.hpp"
#include "emuscim/scim/user.hpp"
#include "emuscim/scim/user_patch.hpp"
#include "fuzz_common.hpp"

using namespace emuscim;

namespace {

using step = scim::user_patch_step;

bool non_empty_string(const nlohmann::json& v) { return v.is_string() && !v.get_ref<const std::string&>().empty(); }

// Items of a step value: complete (every one has a non-empty string value) or partial.
void check_items(const nlohmann::json& items, bool complete, const std::string& ctx) {
  FUZZ_CHECK(items.is_array(), ctx + ": items are not an array: " + items.dump());
  for (const auto& item : items) {
    FUZZ_CHECK(item.is_object(), ctx + ": item is not an object: " + item.dump());
    if (complete) FUZZ_CHECK(item.contains("value") && non_empty_string(item["value"]), ctx + ": item " + item.dump());
    for (const auto& [key, v] : item.items()) {
      FUZZ_CHECK(key == "primary" ? v.is_boolean() : (key == "value" || key == "type" || key == "display") &&
                                                         non_empty_string(v),
                 ctx + ": item member '" + key + "' in " + item.dump());
    }
  }
}

// What plan_user_patch promises about each step (user_patch.hpp).
void check_user_plan(const scim::user_patch_plan& plan, std::size_t operations) {
  std::size_t last = 0;
  for (const auto& s : plan.steps) {
    const std::string ctx = "user plan step of Operations[" + std::to_string(s.operation) + "]";
    FUZZ_CHECK(s.operation < operations && s.operation >= last, ctx + ": operation index out of order");
    last = s.operation;
    FUZZ_CHECK(scim::is_stored(s.attr), ctx + ": a step on an attribute GitHub does not store");
    switch (s.attr) {
      case scim::user_attr::user_name:
      case scim::user_attr::external_id:
      case scim::user_attr::active:
      case scim::user_attr::display_name:
        FUZZ_CHECK(s.act == step::action::assign || (s.act == step::action::clear &&
                                                       s.attr == scim::user_attr::display_name),
                   ctx + ": clears a required attribute");
        if (s.act == step::action::assign) {
          FUZZ_CHECK(s.attr == scim::user_attr::active ? s.value.is_boolean() : non_empty_string(s.value),
                     ctx + ": value " + s.value.dump());
        }
        break;
      case scim::user_attr::name:
        FUZZ_CHECK(s.act == step::action::assign || s.act == step::action::clear, ctx + ": name action");
        if (s.act == step::action::assign) {
          FUZZ_CHECK(s.value.is_object(), ctx + ": name parts " + s.value.dump());
          for (const auto& [key, v] : s.value.items()) {
            FUZZ_CHECK(v.is_null() || non_empty_string(v), ctx + ": name." + key + " " + v.dump());
          }
        }
        break;
      case scim::user_attr::emails:
      case scim::user_attr::roles:
        switch (s.act) {
          case step::action::assign:
          case step::action::merge_items:
            check_items(s.value, /*complete=*/true, ctx);
            break;
          case step::action::remove_items:
            check_items(s.value, /*complete=*/false, ctx);
            break;
          case step::action::patch_elements:
            check_items(nlohmann::json::array({s.value}), /*complete=*/false, ctx);
            FUZZ_CHECK(!s.value.empty(), ctx + ": an empty element patch");
            break;
          case step::action::clear:
          case step::action::remove_elements:
            break;
        }
        break;
      case scim::user_attr::schemas:
      case scim::user_attr::read_only:
      case scim::user_attr::unsupported:
        break;
    }
  }
}

}  // namespace

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

  // The user plan does not depend on the mode; the mode only decides the final validation.
  auto user_plan = FUZZ_NO_THROW(scim::plan_user_patch(*ops));
  if (user_plan) {
    check_user_plan(*user_plan, ops->size());
  } else {
    fuzz::check_client_error(user_plan.error(), "plan_user_patch");
    FUZZ_CHECK(!fuzz::is_swallowed_exception(user_plan.error()), "plan_user_patch hit its exception catch-all");
  }

  for (const auto mode : {scim::validation_mode::lenient, scim::validation_mode::strict}) {
    const std::string m = mode == scim::validation_mode::strict ? "strict" : "lenient";

    // A strict-mode server never stores a user without externalId, so that start is skipped there.
    if (user_plan && (mode == scim::validation_mode::lenient || start.contains("externalId"))) {
      const std::string ctx = "apply_user_patch(" + m + ")";
      auto patched = FUZZ_NO_THROW(scim::apply_user_patch(start, *user_plan, mode));
      if (patched) {
        fuzz::check_user_fixed_point(*patched, mode, ctx);
      } else {
        fuzz::check_client_error(patched.error(), ctx);
        FUZZ_CHECK(!fuzz::is_swallowed_exception(patched.error()), ctx + " hit its exception catch-all");
        FUZZ_CHECK(patched.error().scim_type == "noTarget" || patched.error().scim_type == "invalidValue",
                   ctx + " failed with what the plan should have caught: " + fuzz::describe(patched.error()));
      }
      auto again = FUZZ_NO_THROW(scim::apply_user_patch(start, *user_plan, mode));
      FUZZ_CHECK(again.has_value() == patched.has_value() && (!again || *again == *patched),
                 ctx + " is not deterministic");
      auto at_once = FUZZ_NO_THROW(scim::apply_user_patch(start, *ops, mode));
      FUZZ_CHECK(at_once.has_value() == patched.has_value() && (!at_once || *at_once == *patched),
                 ctx + " differs from the one-call form");
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
    const auto group_doc = FUZZ_NO_THROW(scim::apply_group_patch(fuzz::sample_group(), *plan));
    auto reread = FUZZ_NO_THROW(scim::canonical_group(group_doc, scim::validation_mode::lenient));
    FUZZ_CHECK(reread.has_value() && reread->doc == group_doc,
               "apply_group_patch(" + m + ") gave a document canonical_group does not keep: " + group_doc.dump());
  }
  return 0;
}
