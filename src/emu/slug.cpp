#include "emuscim/emu/slug.hpp"

#include <array>
#include <cstdint>

namespace emuscim::emu {

namespace {

// U+0100..U+017F (Latin Extended-A), one base letter each (ligatures: their first letter), as
// NUL-terminated one-letter strings.
constexpr auto kExtA = [] {
  constexpr const char letters[] =
      "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkklllllll"
      "lllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
  std::array<char, 2 * 128> out{};
  for (std::size_t i = 0; i < 128; ++i) out[2 * i] = letters[i];
  return out;
}();

// Latin-1 Supplement and Latin Extended-A letters folded to their ASCII base letter(s), e.g.
// U+00E4 'ä' -> "a", U+00DF 'ß' -> "ss"; nullptr for code points that are not such letters.
const char* fold(std::uint32_t cp) {
  static constexpr const char* latin1[64] = {
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  // U+00C0
      "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  // U+00E0
      "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "y"};
  if (cp >= 0xC0 && cp <= 0xFF) return latin1[cp - 0xC0];
  if (cp >= 0x100 && cp <= 0x17F) return &kExtA[2 * (cp - 0x100)];
  return nullptr;
}

// Decodes one UTF-8 sequence at s[i]; invalid bytes decode as themselves (then count as
// "other characters").
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
  std::uint32_t cp = extra == 3 ? (b & 0x07u) : extra == 2 ? (b & 0x0Fu) : (b & 0x1Fu);
  if (extra == 0) return 0xFFFD;
  for (; extra > 0; --extra) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3Fu);
  }
  return cp;
}

}  // namespace

std::string team_slug(std::string_view name) {
  std::string out;
  bool dash = false;  // a separator is pending
  auto put = [&](std::string_view letters) {
    if (dash && !out.empty()) out += '-';
    dash = false;
    out += letters;
  };
  for (std::size_t i = 0; i < name.size();) {
    const std::uint32_t cp = next_code_point(name, i);
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '_') {
      const char c = static_cast<char>(cp);
      put(std::string_view(&c, 1));
    } else if (cp >= 'A' && cp <= 'Z') {
      const char c = static_cast<char>(cp - 'A' + 'a');
      put(std::string_view(&c, 1));
    } else if (const char* folded = fold(cp)) {
      put(folded);
    } else {
      dash = true;
    }
  }
  return out;
}

}  // namespace emuscim::emu
