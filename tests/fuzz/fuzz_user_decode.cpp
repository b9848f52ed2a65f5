// libFuzzer target: the User decoder (canonical_user) and renderer (render_user), user.hpp.
// Input: a POST/PUT /Users body. Like the HTTP layer, inputs that are not JSON or nest deeper than
// 64 levels are dropped before the scim module sees them.
// Invariants, for both validation modes and every user_use:
//   * canonical_user never throws (nor reaches its "could not be read" catch-all);
//     a rejection is a 4xx with a detail;
//   * an accepted body yields a canonical document (fuzz_common.hpp check_canonical_user) that
//     holds what the mode and use require, is a fixed point of canonical_user, and renders.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "emuscim/scim/user.hpp"
#include "fuzz_common.hpp"

using namespace emuscim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json body = fuzz::parse_body(fuzz::as_text(data, size));
  if (body.is_discarded()) return 0;

  for (const auto mode : {scim::validation_mode::lenient, scim::validation_mode::strict}) {
    for (const auto use : {scim::user_use::create, scim::user_use::replace, scim::user_use::patched}) {
      const std::string ctx = std::string("canonical_user(") +
                              (mode == scim::validation_mode::strict ? "strict" : "lenient") + ", " +
                              (use == scim::user_use::create ? "create" : use == scim::user_use::replace ? "replace" : "patched") +
                              ")";
      auto doc = FUZZ_NO_THROW(scim::canonical_user(body, mode, use));
      if (!doc) {
        fuzz::check_client_error(doc.error(), ctx);
        FUZZ_CHECK(!fuzz::is_swallowed_exception(doc.error()), ctx + " hit its exception catch-all");
        continue;
      }
      if (use == scim::user_use::create || mode == scim::validation_mode::strict) {
        FUZZ_CHECK(doc->contains("externalId"), ctx + " accepted a body without externalId");
      }
      if (mode == scim::validation_mode::strict && use != scim::user_use::patched) {
        FUZZ_CHECK(doc->contains("displayName") && doc->contains("emails") && !(*doc)["emails"].empty(),
                   ctx + " accepted a body without displayName or emails: " + doc->dump());
      }
      fuzz::check_user_fixed_point(*doc, mode, ctx);
      if (mode == scim::validation_mode::strict) fuzz::check_user_fixed_point(*doc, scim::validation_mode::lenient, ctx);
    }
  }
  return 0;
}
