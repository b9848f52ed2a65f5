// libFuzzer target: the RFC 7644 §3.5.2 PATCH path parser (parse_patch_path in filter.hpp).
// Input: the path string of one PATCH operation.
// Invariants:
//   * parse_patch_path never throws; a rejection is a 400 invalidPath with a detail;
//   * a parsed path has an attribute name, unless it is a bare schema URN (no filter then);
//     a sub_attr appears only after a value filter, and attr.sub never with one;
//   * the path printed back (attr, "[" to_string(filter) "]", "." sub) parses to the same path.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "emuscim/scim/filter.hpp"
#include "fuzz_common.hpp"

namespace {

using namespace emuscim;

std::string attr_text(const scim::attr_path& a) {
  std::string out = a.urn;
  if (!a.urn.empty() && !a.name.empty()) out += ':';
  out += a.name;
  if (!a.sub.empty()) out += "." + a.sub;
  return out;
}

std::string path_text(const scim::patch_path& p) {
  std::string out = attr_text(p.attr);
  if (p.value_filter) out += "[" + scim::to_string(*p.value_filter) + "]";
  if (!p.sub_attr.empty()) out += "." + p.sub_attr;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  auto parsed = FUZZ_NO_THROW(scim::parse_patch_path(text));
  if (!parsed) {
    fuzz::check_client_error(parsed.error(), "parse_patch_path");
    FUZZ_CHECK(parsed.error().scim_type == "invalidPath", "parse_patch_path error " + fuzz::describe(parsed.error()));
    return 0;
  }
  const scim::patch_path& p = *parsed;
  FUZZ_CHECK(!p.attr.name.empty() || (!p.attr.urn.empty() && !p.value_filter && p.attr.sub.empty()),
             "a path without an attribute name: urn [" + p.attr.urn + "]");
  FUZZ_CHECK(p.sub_attr.empty() || p.value_filter, "sub_attr [" + p.sub_attr + "] without a value filter");
  FUZZ_CHECK(!p.value_filter || p.attr.sub.empty(), "a value filter after the sub-attribute [" + p.attr.sub + "]");

  const std::string printed = FUZZ_NO_THROW(path_text(p));
  auto again = FUZZ_NO_THROW(scim::parse_patch_path(printed));
  FUZZ_CHECK(again.has_value(), "printed path does not parse: [" + printed + "]: " +
                                    (again ? std::string() : fuzz::describe(again.error())));
  FUZZ_CHECK(again->attr == p.attr && again->sub_attr == p.sub_attr &&
                 static_cast<bool>(again->value_filter) == static_cast<bool>(p.value_filter),
             "round trip changed the path: [" + std::string(text) + "] -> [" + printed + "] -> [" + path_text(*again) +
                 "]");
  if (p.value_filter) {
    FUZZ_CHECK(scim::to_string(*again->value_filter) == scim::to_string(*p.value_filter),
               "round trip changed the value filter of [" + printed + "]");
  }
  return 0;
}
