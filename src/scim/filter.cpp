#include "emuscim/scim/filter.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "emuscim/base/text.hpp"

namespace emuscim::scim {
namespace {

// A filter arrives in a URL; anything longer is abuse, not a real IdP query.
constexpr std::size_t max_text_length = max_filter_length;
// Parentheses, `not (` and `[` each add a level; the limit keeps recursion bounded.
constexpr int max_depth = 64;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '_'; }
// Characters of an attribute path token: ATTRNAME, '.', the URN's ':', and '$' for `$ref`.
bool is_path_char(char c) { return is_name_char(c) || c == '.' || c == ':' || c == '$'; }
// Characters that end a word (operator, keyword) even without whitespace.
bool is_delimiter(char c) { return c == '(' || c == ')' || c == '[' || c == ']' || c == '"' || c == '\''; }

using base::iequals;
using base::istarts_with;

// RFC 7643 §2.1 ATTRNAME; a leading '$' admits `$ref`.
bool is_attr_name(std::string_view s) {
  if (s.empty()) return false;
  std::size_t i = 0;
  if (s[0] == '$') {
    if (s.size() == 1) return false;
    i = 1;
  }
  if (!is_alpha(s[i])) return false;
  for (++i; i < s.size(); ++i) {
    if (!is_name_char(s[i])) return false;
  }
  return true;
}

// Returns the offset of the first byte that is not well-formed UTF-8, if any.
std::optional<std::size_t> invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::nullopt;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// RFC 8259 number; anything else in a bare word is a string (`E012345`, `0123`).
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < s.size() && is_digit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !is_digit(s[i])) return false;
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !is_digit(s[i])) return false;
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  return i == s.size();
}

// nullopt when out of double's range; such a word stays a string.
std::optional<nlohmann::json> number_value(std::string_view s) {
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (s.find_first_of(".eE") == std::string_view::npos) {
    if (s.front() == '-') {
      std::int64_t v = 0;
      if (auto [p, ec] = std::from_chars(first, last, v); ec == std::errc{} && p == last) return v;
    } else {
      std::uint64_t v = 0;
      if (auto [p, ec] = std::from_chars(first, last, v); ec == std::errc{} && p == last) return v;
    }
  }
  double d = 0;
  if (auto [p, ec] = std::from_chars(first, last, d); ec == std::errc{} && p == last) return d;
  return std::nullopt;
}

struct op_name {
  std::string_view text;
  compare_op op;
};
constexpr std::array<op_name, 10> op_names{{{"eq", compare_op::eq},
                                            {"ne", compare_op::ne},
                                            {"co", compare_op::co},
                                            {"sw", compare_op::sw},
                                            {"ew", compare_op::ew},
                                            {"gt", compare_op::gt},
                                            {"ge", compare_op::ge},
                                            {"lt", compare_op::lt},
                                            {"le", compare_op::le},
                                            {"pr", compare_op::pr}}};

std::optional<compare_op> find_op(std::string_view word) {
  for (const auto& o : op_names) {
    if (iequals(word, o.text)) return o.op;
  }
  return std::nullopt;
}

std::string_view op_text(compare_op op) {
  for (const auto& o : op_names) {
    if (o.op == op) return o.text;
  }
  return "?";
}

filter make_node(auto alternative) {
  return std::make_shared<const filter_node>(filter_node{std::move(alternative)});
}

enum class grammar { filter, path };

class parser {
 public:
  parser(std::string_view text, grammar g) : text_(text), grammar_(g) {}

  // The text of the most recent bare-word value, so a list filter can echo
  // `externalId eq 0912345678901234567890` without a round trip through double.
  std::string_view last_bare_value() const { return last_bare_; }

  result<filter> parse_whole_filter() {
    if (auto e = check_input()) return fail(std::move(*e));
    skip_ws();
    if (at_end()) return fail(error_at(pos_, "the filter is empty"));
    auto f = parse_or(0, 0);
    if (!f) return f;
    skip_ws();
    if (!at_end()) return fail(unexpected_after_term(0, 0));
    return f;
  }

  result<patch_path> parse_whole_path() {
    if (auto e = check_input()) return fail(std::move(*e));
    skip_ws();
    if (at_end()) return fail(error_at(pos_, "the path is empty"));
    const std::size_t start = pos_;
    auto attr = parse_attr_path(/*allow_bare_urn=*/true);
    if (!attr) return fail(std::move(attr.error()));
    patch_path out;
    out.attr = std::move(*attr);
    skip_ws();
    if (peek() == '[') {
      if (out.attr.name.empty()) return fail(error_at(pos_, "expected an attribute name before '['"));
      if (!out.attr.sub.empty()) {
        return fail(error_at(pos_, "a value filter must follow a multi-valued attribute, not the sub-attribute '" +
                                       std::string(text_.substr(start, pos_ - start)) + "'"));
      }
      const std::size_t open = pos_;
      ++pos_;
      auto inner = parse_bracket_body(open);
      if (!inner) return fail(std::move(inner.error()));
      out.value_filter = std::move(*inner);
      if (peek() == '.') {
        ++pos_;
        const std::size_t sub_start = pos_;
        while (!at_end() && is_path_char(text_[pos_])) ++pos_;
        std::string_view sub = text_.substr(sub_start, pos_ - sub_start);
        if (!is_attr_name(sub)) return fail(error_at(sub_start, "expected a sub-attribute name after '].'"));
        out.sub_attr = std::string(sub);
      }
      skip_ws();
    }
    if (!at_end()) {
      return fail(error_at(pos_, "expected end of path, found " + describe_here()));
    }
    return out;
  }

 private:
  std::optional<error> check_input() {
    if (text_.size() > max_text_length) {
      return make_error(std::string(grammar_ == grammar::filter ? "Invalid filter" : "Invalid path") +
                        ": longer than the limit of " + std::to_string(max_text_length) + " bytes");
    }
    if (auto bad = invalid_utf8_at(text_)) return error_at(*bad, "the text is not valid UTF-8");
    return std::nullopt;
  }

  error make_error(std::string detail) const {
    return grammar_ == grammar::filter ? invalid_filter(std::move(detail)) : invalid_path(std::move(detail));
  }

  error error_at(std::size_t at, std::string_view what) const {
    std::string d = grammar_ == grammar::filter ? "Invalid filter at position " : "Invalid path at position ";
    d += std::to_string(at);
    d += ": ";
    d += what;
    return make_error(std::move(d));
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_ws() {
    while (!at_end() && is_space(text_[pos_])) ++pos_;
  }

  // An operator or keyword: everything up to whitespace or a delimiter.
  std::string_view peek_word() const {
    std::size_t end = pos_;
    while (end < text_.size() && !is_space(text_[end]) && !is_delimiter(text_[end])) ++end;
    return text_.substr(pos_, end - pos_);
  }

  std::string describe_here() const {
    if (at_end()) return "end of input";
    std::string_view w = peek_word();
    if (w.empty()) w = text_.substr(pos_, 1);
    constexpr std::size_t max_shown = 32;
    std::string shown(w.substr(0, max_shown));
    if (w.size() > max_shown) shown += "...";
    return "'" + shown + "'";
  }

  // closer is ')' or ']' inside a group, 0 at top level; open is the group's opening offset.
  error unexpected_after_term(char closer, std::size_t open) const {
    if (closer == 0) {
      if (peek() == ')') return error_at(pos_, "unexpected ')' without a matching '('");
      if (peek() == ']') return error_at(pos_, "unexpected ']' without a matching '['");
      return error_at(pos_, "expected 'and', 'or' or end of filter, found " + describe_here());
    }
    if (at_end()) {
      return error_at(pos_, std::string("missing '") + closer + "' to close '" + (closer == ')' ? '(' : '[') +
                                "' at position " + std::to_string(open));
    }
    return error_at(pos_, std::string("expected 'and', 'or' or '") + closer + "', found " + describe_here());
  }

  result<filter> parse_or(char closer, std::size_t open) {
    auto lhs = parse_and(closer, open);
    if (!lhs) return lhs;
    filter acc = std::move(*lhs);
    for (;;) {
      skip_ws();
      if (!iequals(peek_word(), "or")) return acc;
      pos_ += 2;
      auto rhs = parse_and(closer, open);
      if (!rhs) return rhs;
      acc = make_node(logical{logical::kind::or_, std::move(acc), std::move(*rhs)});
    }
  }

  result<filter> parse_and(char closer, std::size_t open) {
    auto lhs = parse_term(closer, open);
    if (!lhs) return lhs;
    filter acc = std::move(*lhs);
    for (;;) {
      skip_ws();
      if (!iequals(peek_word(), "and")) return acc;
      pos_ += 3;
      auto rhs = parse_term(closer, open);
      if (!rhs) return rhs;
      acc = make_node(logical{logical::kind::and_, std::move(acc), std::move(*rhs)});
    }
  }

  std::optional<error> enter(std::size_t at) {
    if (++depth_ > max_depth) {
      return error_at(at, "expression nested too deeply (limit " + std::to_string(max_depth) + " levels)");
    }
    return std::nullopt;
  }

  result<filter> parse_group(std::size_t open) {
    if (auto e = enter(open)) return fail(std::move(*e));
    auto inner = parse_or(')', open);
    if (!inner) return inner;
    skip_ws();
    if (peek() != ')') return fail(unexpected_after_term(')', open));
    ++pos_;
    --depth_;
    return inner;
  }

  // After '['; consumes the closing ']'.
  result<filter> parse_bracket_body(std::size_t open) {
    if (auto e = enter(open)) return fail(std::move(*e));
    const bool outer = in_brackets_;
    in_brackets_ = true;
    auto inner = parse_or(']', open);
    in_brackets_ = outer;
    if (!inner) return inner;
    skip_ws();
    if (peek() != ']') return fail(unexpected_after_term(']', open));
    ++pos_;
    --depth_;
    return inner;
  }

  result<filter> parse_term(char closer, std::size_t open) {
    skip_ws();
    if (at_end()) {
      if (closer != 0) return fail(unexpected_after_term(closer, open));
      return fail(error_at(pos_, "expected an attribute name, 'not' or '(', found end of input"));
    }
    if (peek() == '(') {
      const std::size_t at = pos_;
      ++pos_;
      return parse_group(at);
    }
    const std::string_view word = peek_word();
    if (iequals(word, "not")) {
      const std::size_t not_at = pos_;
      pos_ += 3;
      skip_ws();
      if (peek() == '(') {
        const std::size_t at = pos_;
        ++pos_;
        auto inner = parse_group(at);
        if (!inner) return inner;
        return make_node(negation{std::move(*inner)});
      }
      // An attribute that happens to be called "not" (`not pr`, `not eq "x"`).
      if (!find_op(peek_word())) return fail(error_at(pos_, "expected '(' after 'not', found " + describe_here()));
      pos_ = not_at;
    }
    return parse_attr_expression();
  }

  result<filter> parse_attr_expression() {
    const std::size_t start = pos_;
    auto attr = parse_attr_path(/*allow_bare_urn=*/false);
    if (!attr) return fail(std::move(attr.error()));
    skip_ws();
    if (peek() == '[') {
      if (in_brackets_) return fail(error_at(pos_, "value filters cannot be nested"));
      if (!attr->sub.empty()) {
        return fail(error_at(pos_, "a value filter must follow a multi-valued attribute, not the sub-attribute '" +
                                       std::string(text_.substr(start, pos_ - start)) + "'"));
      }
      const std::size_t open = pos_;
      ++pos_;
      auto inner = parse_bracket_body(open);
      if (!inner) return inner;
      return make_node(value_filter{std::move(*attr), std::move(*inner)});
    }
    const std::size_t op_at = pos_;
    const std::string_view word = peek_word();
    const auto op = find_op(word);
    if (!op) {
      if (at_end() || word.empty()) {
        return fail(error_at(op_at, "expected a comparison operator, found " + describe_here()));
      }
      return fail(error_at(op_at, "expected a comparison operator, found " + describe_here() +
                                      " (supported: eq, ne, co, sw, ew, gt, ge, lt, le, pr)"));
    }
    pos_ += word.size();
    comparison c{std::move(*attr), *op, nullptr};
    if (*op != compare_op::pr) {
      auto value = parse_value();
      if (!value) return fail(std::move(value.error()));
      c.value = std::move(*value);
    }
    return make_node(std::move(c));
  }

  // RFC 7644 §3.10 attrPath, plus the legacy `…:2.0:User.attr` URN spelling.
  // allow_bare_urn: a PATCH path may name just an extension schema URN.
  result<attr_path> parse_attr_path(bool allow_bare_urn) {
    const std::size_t start = pos_;
    while (!at_end() && is_path_char(text_[pos_])) ++pos_;
    const std::string_view token = text_.substr(start, pos_ - start);
    if (token.empty()) {
      if (grammar_ == grammar::filter) {
        return fail(error_at(start, "expected an attribute name, 'not' or '(', found " + describe_here()));
      }
      return fail(error_at(start, "expected an attribute name, found " + describe_here()));
    }
    if (!at_end() && !is_space(text_[pos_]) && !is_delimiter(text_[pos_])) {
      return fail(error_at(pos_, "unexpected character '" + std::string(1, text_[pos_]) + "' in attribute name"));
    }
    attr_path out;
    std::string_view local = token;
    std::size_t local_at = start;
    if (istarts_with(token, "urn:")) {
      const std::size_t colon = token.rfind(':');
      const std::string_view before = token.substr(0, colon);
      const std::string_view rest = token.substr(colon + 1);
      const std::string_view last_segment = before.substr(before.rfind(':') + 1);
      if (!last_segment.empty() && is_digit(last_segment.front())) {
        // `…:enterprise:2.0:User.department` (legacy) or `…:enterprise:2.0:User` (the schema
        // itself): what follows the version segment is the resource type, part of the URN.
        const std::size_t dot = rest.find('.');
        const std::string_view resource = rest.substr(0, dot);
        if (!is_attr_name(resource)) {
          return fail(error_at(start + colon + 1, "expected a schema resource name after the URN version"));
        }
        out.urn = std::string(token.substr(0, colon + 1 + resource.size()));
        if (dot == std::string_view::npos) {
          if (allow_bare_urn) return out;
          return fail(error_at(pos_, "expected an attribute name after the schema URN '" + out.urn + "'"));
        }
        local = rest.substr(dot + 1);
        local_at = start + colon + 2 + dot;
      } else {
        out.urn = std::string(before);
        local = rest;
        local_at = start + colon + 1;
      }
    }
    const std::size_t dot = local.find('.');
    const std::string_view name = local.substr(0, dot);
    if (!is_attr_name(name)) {
      return fail(error_at(local_at, "expected an attribute name, found '" + std::string(local) + "'"));
    }
    out.name = std::string(name);
    if (dot != std::string_view::npos) {
      const std::string_view sub = local.substr(dot + 1);
      if (!is_attr_name(sub)) {
        return fail(error_at(local_at + dot + 1, "expected a sub-attribute name after '" + std::string(name) +
                                                     ".', found '" + std::string(sub) + "'"));
      }
      out.sub = std::string(sub);
    }
    return out;
  }

  result<nlohmann::json> parse_value() {
    skip_ws();
    const std::size_t at = pos_;
    if (at_end()) return fail(error_at(at, "expected a value, found end of input"));
    const char c = peek();
    if (c == '"' || c == '\'') return parse_quoted(c);
    if (c == '(' || c == ')' || c == '[' || c == ']') {
      return fail(error_at(at, std::string("expected a value, found '") + c + "'"));
    }
    // Leniency: a bare word runs to whitespace or a closing ')' / ']'
    // (`externalId eq jyoung`, `userName eq a.b@c.com`).
    while (!at_end() && !is_space(text_[pos_]) && text_[pos_] != ')' && text_[pos_] != ']') ++pos_;
    const std::string_view word = text_.substr(at, pos_ - at);
    last_bare_ = word;
    if (iequals(word, "true")) return nlohmann::json(true);
    if (iequals(word, "false")) return nlohmann::json(false);
    if (iequals(word, "null")) return nlohmann::json(nullptr);
    if (is_json_number(word)) {
      if (auto n = number_value(word)) return std::move(*n);
    }
    return nlohmann::json(std::string(word));
  }

  // JSON string escapes in both quote styles; `\'` is also accepted.
  result<nlohmann::json> parse_quoted(char quote) {
    const std::size_t open = pos_;
    ++pos_;
    std::string out;
    for (;;) {
      if (at_end()) {
        return fail(error_at(open, std::string("unterminated string: missing closing ") + quote));
      }
      const char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        last_bare_ = {};
        return nlohmann::json(std::move(out));
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      const std::size_t esc_at = pos_;
      ++pos_;
      if (at_end()) return fail(error_at(open, std::string("unterminated string: missing closing ") + quote));
      const char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\'': out += '\''; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          auto cp = parse_hex4(esc_at);
          if (!cp) return fail(std::move(cp.error()));
          std::uint32_t code = *cp;
          if (code >= 0xD800 && code <= 0xDBFF) {
            if (text_.substr(pos_, 2) != "\\u") {
              return fail(error_at(esc_at, "invalid \\u escape: high surrogate without a low surrogate"));
            }
            pos_ += 2;
            auto low = parse_hex4(esc_at);
            if (!low) return fail(std::move(low.error()));
            if (*low < 0xDC00 || *low > 0xDFFF) {
              return fail(error_at(esc_at, "invalid \\u escape: high surrogate without a low surrogate"));
            }
            code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            return fail(error_at(esc_at, "invalid \\u escape: unpaired low surrogate"));
          }
          append_utf8(out, code);
          break;
        }
        default:
          return fail(error_at(esc_at, "invalid escape sequence '\\" + std::string(1, e) + "' in string"));
      }
    }
  }

  result<std::uint32_t> parse_hex4(std::size_t esc_at) {
    if (pos_ + 4 > text_.size()) return fail(error_at(esc_at, "invalid \\u escape: expected 4 hex digits"));
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_++];
      v <<= 4;
      if (h >= '0' && h <= '9') {
        v |= static_cast<std::uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        v |= static_cast<std::uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        v |= static_cast<std::uint32_t>(h - 'A' + 10);
      } else {
        return fail(error_at(esc_at, "invalid \\u escape: expected 4 hex digits"));
      }
    }
    return v;
  }

  std::string_view text_;
  grammar grammar_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  bool in_brackets_ = false;
  std::string_view last_bare_;
};

std::string attr_text(const attr_path& a) {
  std::string out;
  if (!a.urn.empty()) {
    out += a.urn;
    if (!a.name.empty()) out += ':';
  }
  out += a.name;
  if (!a.sub.empty()) {
    out += '.';
    out += a.sub;
  }
  return out;
}

std::string value_text(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void append_filter(std::string& out, const filter_node& f);

// Parentheses keep the tree shape on a round trip: a different operator below always
// gets them, and so does a right operand of the same operator (the parser associates left).
void append_operand(std::string& out, const filter& child, logical::kind parent, bool right) {
  if (!child) {
    out += "<null>";
    return;
  }
  const auto* l = std::get_if<logical>(&child->node);
  const bool parens = l != nullptr && (l->op != parent || right);
  if (parens) out += '(';
  append_filter(out, *child);
  if (parens) out += ')';
}

void append_filter(std::string& out, const filter_node& f) {
  if (const auto* c = std::get_if<comparison>(&f.node)) {
    out += attr_text(c->attr);
    out += ' ';
    out += op_text(c->op);
    if (c->op != compare_op::pr) {
      out += ' ';
      out += value_text(c->value);
    }
  } else if (const auto* l = std::get_if<logical>(&f.node)) {
    append_operand(out, l->lhs, l->op, false);
    out += l->op == logical::kind::and_ ? " and " : " or ";
    append_operand(out, l->rhs, l->op, true);
  } else if (const auto* n = std::get_if<negation>(&f.node)) {
    out += "not (";
    if (n->inner) append_filter(out, *n->inner);
    out += ')';
  } else if (const auto* v = std::get_if<value_filter>(&f.node)) {
    out += attr_text(v->attr);
    out += '[';
    if (v->inner) append_filter(out, *v->inner);
    out += ']';
  }
}

std::string join_allowed(std::span<const std::string_view> allowed) {
  std::string out;
  for (std::size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) out += ", ";
    out += allowed[i];
  }
  return out;
}

error unsupported_attribute(std::string_view name, std::span<const std::string_view> allowed) {
  return invalid_filter("Unsupported filter attribute '" + std::string(name) + "'; supported: " +
                        join_allowed(allowed));
}

}  // namespace

result<filter> parse_filter(std::string_view text) { return parser(text, grammar::filter).parse_whole_filter(); }

result<patch_path> parse_patch_path(std::string_view text) { return parser(text, grammar::path).parse_whole_path(); }

std::string to_string(const filter_node& f) {
  std::string out;
  append_filter(out, f);
  return out;
}

result<simple_eq> parse_list_filter(std::string_view text, std::span<const std::string_view> allowed) {
  parser p(text, grammar::filter);
  auto parsed = p.parse_whole_filter();
  if (!parsed) {
    // `emails[type eq "work"].value eq "x"` is not RFC filter syntax, but the useful answer
    // is that the attribute is unsupported, not where the grammar broke.
    std::size_t i = 0;
    while (i < text.size() && is_space(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && is_path_char(text[i])) ++i;
    const std::string_view name = text.substr(start, i - start);
    while (i < text.size() && is_space(text[i])) ++i;
    const bool is_allowed = std::any_of(allowed.begin(), allowed.end(), [&](std::string_view a) { return iequals(a, name); });
    if (!name.empty() && !is_allowed && i < text.size() && text[i] == '[') {
      return fail(unsupported_attribute(name, allowed));
    }
    return fail(std::move(parsed.error()));
  }
  const filter_node& root = **parsed;
  if (std::holds_alternative<logical>(root.node)) {
    return fail(invalid_filter("Multiple filters are not supported: use a single 'attribute eq value' expression"));
  }
  if (std::holds_alternative<negation>(root.node)) {
    return fail(invalid_filter("Unsupported operator 'not': only 'eq' is supported"));
  }
  if (const auto* v = std::get_if<value_filter>(&root.node)) return fail(unsupported_attribute(attr_text(v->attr), allowed));

  const auto* c = std::get_if<comparison>(&root.node);
  if (c == nullptr) return fail(invalid_filter("Unsupported filter"));
  std::optional<std::string_view> attr;
  if (c->attr.urn.empty() && c->attr.sub.empty()) {
    for (std::string_view a : allowed) {
      if (iequals(a, c->attr.name)) {
        attr = a;
        break;
      }
    }
  }
  if (!attr) return fail(unsupported_attribute(attr_text(c->attr), allowed));
  if (c->op != compare_op::eq) {
    return fail(invalid_filter("Unsupported operator '" + std::string(op_text(c->op)) + "': only 'eq' is supported"));
  }
  simple_eq out{std::string(*attr), {}};
  if (c->value.is_string()) {
    out.value = c->value.get<std::string>();
  } else if (c->value.is_number() && !p.last_bare_value().empty()) {
    out.value = std::string(p.last_bare_value());
  } else {
    out.value = value_text(c->value);
  }
  return out;
}

}  // namespace emuscim::scim
