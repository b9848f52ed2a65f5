#include "emuscim/scim/resource.hpp"

#include <utility>

namespace emuscim::scim {

nlohmann::json render_list(std::size_t total_results, std::size_t start_index, nlohmann::json resources) {
  using nlohmann::json;
  if (resources.is_null()) resources = json::array();
  if (!resources.is_array()) resources = json::array({std::move(resources)});
  const std::size_t items = resources.size();
  json out = json::object();
  out["schemas"] = json::array({std::string(list_response_schema)});
  out["totalResults"] = total_results;
  out["Resources"] = std::move(resources);
  out["startIndex"] = start_index;
  // github-emu-scim.md §6: the number of items actually returned, not the page size.
  out["itemsPerPage"] = items;
  return out;
}

}  // namespace emuscim::scim
