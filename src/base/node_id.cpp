#include "emuscim/base/node_id.hpp"

namespace emuscim::base {

std::string base64(std::string_view in) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                   static_cast<unsigned char>(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += alphabet[(n >> shift) & 63];
  }
  if (const auto rest = in.size() - i; rest > 0) {
    const auto n = (static_cast<unsigned char>(in[i]) << 16) |
                   (rest == 2 ? static_cast<unsigned char>(in[i + 1]) << 8 : 0);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string legacy_node_id(std::string_view type, std::int64_t id) {
  // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) on "0" + std::string&&.
  std::string plain = "0";
  plain += std::to_string(type.size());
  plain += ':';
  plain += type;
  plain += std::to_string(id);
  return base64(plain);
}

}  // namespace emuscim::base
