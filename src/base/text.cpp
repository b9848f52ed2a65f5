#include "emuscim/base/text.hpp"

namespace emuscim::base {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

}  // namespace emuscim::base
