#include "emuscim/scim/resource.hpp"

#include <utility>

namespace emuscim::scim {

nlohmann::ordered_json render_meta(std::string_view resource_type, const resource_meta& meta) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["resourceType"] = resource_type;
  out["created"] = meta.created;
  out["lastModified"] = meta.last_modified;
  out["location"] = meta.location;
  return out;
}

nlohmann::ordered_json render_list(std::size_t total_results, std::size_t start_index,
                                   nlohmann::ordered_json resources, response_layout layout) {
  using nlohmann::ordered_json;
  if (resources.is_null()) resources = ordered_json::array();
  if (!resources.is_array()) resources = ordered_json::array({std::move(resources)});
  // github-emu-scim.md §6: itemsPerPage is the number of items actually returned, not the page size.
  const std::size_t items = resources.size();
  ordered_json out = ordered_json::object();
  out["schemas"] = ordered_json::array({std::string(list_response_schema)});
  out["totalResults"] = total_results;
  if (layout == response_layout::organization) {
    out["itemsPerPage"] = items;
    out["startIndex"] = start_index;
    out["Resources"] = std::move(resources);
  } else {
    out["Resources"] = std::move(resources);
    out["startIndex"] = start_index;
    out["itemsPerPage"] = items;
  }
  return out;
}

}  // namespace emuscim::scim
