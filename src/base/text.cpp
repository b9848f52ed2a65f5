#include "emuscim/base/text.hpp"

namespace emuscim::base {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

std::string cat(std::initializer_list<std::string_view> pieces) {
  std::size_t size = 0;
  for (auto p : pieces) size += p.size();
  std::string out;
  out.reserve(size);
  for (auto p : pieces) out.append(p.data(), p.size());
  return out;
}

}  // namespace emuscim::base
