// libFuzzer target: the Group decoder (canonical_group) and renderer (render_group), group.hpp.
// Input: a POST/PUT /Groups body (same JSON pre-checks as the HTTP layer).
// Invariants, for both validation modes:
//   * canonical_group never throws (nor reaches its catch-all); a rejection is a 4xx with a detail;
//   * an accepted body yields {"displayName": non-empty string, "externalId"?: non-empty string}
//     (externalId required in strict mode) and members that are non-empty, distinct ids;
//   * render_group accepts the document with and without members, and renders GitHub's member order.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/scim/group.hpp"
#include "fuzz_common.hpp"

using namespace emuscim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json body = fuzz::parse_body(fuzz::as_text(data, size));
  if (body.is_discarded()) return 0;

  for (const auto mode : {scim::validation_mode::lenient, scim::validation_mode::strict}) {
    const std::string ctx =
        std::string("canonical_group(") + (mode == scim::validation_mode::strict ? "strict" : "lenient") + ")";
    auto group = FUZZ_NO_THROW(scim::canonical_group(body, mode));
    if (!group) {
      fuzz::check_client_error(group.error(), ctx);
      FUZZ_CHECK(!fuzz::is_swallowed_exception(group.error()), ctx + " hit its exception catch-all");
      continue;
    }
    const nlohmann::json& doc = group->doc;
    FUZZ_CHECK(doc.is_object(), ctx + ": document is not an object");
    for (const auto& [key, v] : doc.items()) {
      FUZZ_CHECK(key == "displayName" || key == "externalId", ctx + ": unexpected key '" + key + "' in " + doc.dump());
      FUZZ_CHECK(v.is_string() && !v.get_ref<const std::string&>().empty(), ctx + ": bad " + key + " in " + doc.dump());
    }
    FUZZ_CHECK(doc.contains("displayName"), ctx + ": no displayName in " + doc.dump());
    if (mode == scim::validation_mode::strict) FUZZ_CHECK(doc.contains("externalId"), ctx + ": no externalId");
    std::set<std::string> seen;
    std::vector<scim::member_view> views;
    for (const auto& id : group->members) {
      FUZZ_CHECK(!id.empty(), ctx + ": empty member id");
      FUZZ_CHECK(seen.insert(id).second, ctx + ": duplicate member id '" + id + "'");
      views.push_back({id, "https://localhost/scim/v2/enterprises/octo/Users/" + id,
                       views.size() % 2 == 0 ? std::optional<std::string>("Member " + id) : std::nullopt});
    }
    const auto rendered = FUZZ_NO_THROW(scim::render_group(doc, fuzz::sample_meta(), &views));
    FUZZ_CHECK(nlohmann::json(rendered["displayName"]) == doc["displayName"] &&
                   rendered["members"].size() == views.size(),
               ctx + ": render_group output " + rendered.dump());
    FUZZ_CHECK(nlohmann::json(rendered["externalId"]) == doc.value("externalId", nlohmann::json()),
               ctx + ": render_group externalId " + rendered.dump());
    fuzz::check_member_order(rendered, {"schemas", "id", "externalId", "displayName", "members", "meta"},
                             ctx + ": render_group");
    const auto without = FUZZ_NO_THROW(scim::render_group(doc, fuzz::sample_meta(), nullptr));
    FUZZ_CHECK(!without.contains("members"), ctx + ": members rendered although excluded");
  }
  return 0;
}
