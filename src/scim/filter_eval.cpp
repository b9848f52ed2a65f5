// matches(): RFC 7644 §3.4.2.2 filter semantics over nlohmann::json, for PATCH value
// paths and in-memory checks. Declared in filter.hpp.

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "emuscim/base/text.hpp"
#include "emuscim/scim/filter.hpp"
#include "scim/model_util.hpp"

namespace emuscim::scim {
namespace {

using json = nlohmann::json;

using base::to_lower;
using model_detail::find_ci;

// Extension attributes live under their schema URN; core-schema URNs name the top level.
const json* container_for(const json& object, const std::string& urn) {
  if (urn.empty()) return &object;
  if (const json* ext = find_ci(object, urn); ext != nullptr && ext->is_object()) return ext;
  constexpr std::string_view core = "urn:ietf:params:scim:schemas:core:";
  if (base::istarts_with(urn, core)) return &object;
  return nullptr;
}

const json* find_attr(const json& object, const attr_path& a) {
  const json* base = container_for(object, a.urn);
  return base == nullptr ? nullptr : find_ci(*base, a.name);
}

// RFC 7644 §3.4.2.2 "pr": a non-empty value, or a complex value with a non-empty node.
bool present(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
      return false;
    case json::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    case json::value_t::array:
    case json::value_t::object:
      for (const auto& e : v) {
        if (present(e)) return true;
      }
      return false;
    case json::value_t::boolean:
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
    case json::value_t::binary:
      return true;
  }
  return false;
}

// The values a comparison looks at. A multi-valued attribute contributes every element
// (complex elements through their `value`, RFC 7644 §3.4.2.2), so it matches if any does.
std::vector<const json*> candidates(const json& object, const attr_path& a) {
  std::vector<const json*> out;
  const json* m = find_attr(object, a);
  if (m == nullptr) return out;
  if (!a.sub.empty()) {
    if (m->is_array()) {
      for (const auto& e : *m) {
        if (const json* s = find_ci(e, a.sub)) out.push_back(s);
      }
    } else if (const json* s = find_ci(*m, a.sub)) {
      out.push_back(s);
    }
    return out;
  }
  if (m->is_array()) {
    for (const auto& e : *m) {
      if (e.is_object()) {
        if (const json* s = find_ci(e, "value")) out.push_back(s);
      } else {
        out.push_back(&e);
      }
    }
    return out;
  }
  out.push_back(m);
  return out;
}

// long double holds every int64 and uint64 exactly on the platforms we build for.
std::optional<long double> numeric(const json& v) {
  switch (v.type()) {
    case json::value_t::number_integer:
      return static_cast<long double>(v.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return static_cast<long double>(v.get<std::uint64_t>());
    case json::value_t::number_float:
      return static_cast<long double>(v.get<double>());
    case json::value_t::string: {
      // A string attribute compared with a bare number (`externalId eq 12345`).
      const auto& s = v.get_ref<const std::string&>();
      double d = 0;
      const char* last = s.data() + s.size();
      if (s.empty()) return std::nullopt;
      // from_chars also reads "nan" and "inf"; a NaN would compare "equal" to everything.
      if (auto [p, ec] = std::from_chars(s.data(), last, d); ec == std::errc{} && p == last && std::isfinite(d)) {
        return static_cast<long double>(d);
      }
      return std::nullopt;
    }
    case json::value_t::null:
    case json::value_t::object:
    case json::value_t::array:
    case json::value_t::boolean:
    case json::value_t::binary:
    case json::value_t::discarded:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  return std::nullopt;
}

enum class order { less, equal, greater, unequal, incomparable };

order three_way(const json& attr, const json& value) {
  if (attr.is_boolean() || value.is_boolean()) {
    // Entra sends booleans as "True"/"False" strings.
    const auto a = model_detail::to_bool(attr);
    const auto b = model_detail::to_bool(value);
    if (!a || !b) return order::incomparable;
    return *a == *b ? order::equal : order::unequal;
  }
  if (attr.is_number() || value.is_number()) {
    const auto a = numeric(attr);
    const auto b = numeric(value);
    if (a && b) return *a < *b ? order::less : (*a > *b ? order::greater : order::equal);
    return order::unequal;
  }
  if (attr.is_string() && value.is_string()) {
    const std::string a = to_lower(attr.get_ref<const std::string&>());
    const std::string b = to_lower(value.get_ref<const std::string&>());
    const int c = a.compare(b);
    return c < 0 ? order::less : (c > 0 ? order::greater : order::equal);
  }
  return order::incomparable;
}

bool compare_one(const json& attr, compare_op op, const json& value) {
  switch (op) {
    case compare_op::co:
    case compare_op::sw:
    case compare_op::ew: {
      const auto a = text(attr);
      const auto b = text(value);
      if (!a || !b) return false;
      const std::string la = to_lower(*a);
      const std::string lb = to_lower(*b);
      if (op == compare_op::co) return la.find(lb) != std::string::npos;
      if (op == compare_op::sw) return la.starts_with(lb);
      return la.ends_with(lb);
    }
    case compare_op::eq:
    case compare_op::ne:
      return three_way(attr, value) == order::equal;
    case compare_op::gt:
    case compare_op::ge:
    case compare_op::lt:
    case compare_op::le: {
      // Booleans have equality but no order (RFC 7644 §3.4.2.2).
      if (attr.is_boolean() || value.is_boolean()) return false;
      const order o = three_way(attr, value);
      if (op == compare_op::gt) return o == order::greater;
      if (op == compare_op::ge) return o == order::greater || o == order::equal;
      if (op == compare_op::lt) return o == order::less;
      return o == order::less || o == order::equal;
    }
    case compare_op::pr:
      return present(attr);
  }
  return false;
}

bool eval_comparison(const comparison& c, const json& object) {
  if (c.op == compare_op::pr) {
    const json* m = find_attr(object, c.attr);
    if (m == nullptr) return false;
    if (c.attr.sub.empty()) return present(*m);
    for (const json* v : candidates(object, c.attr)) {
      if (present(*v)) return true;
    }
    return false;
  }
  const auto values = candidates(object, c.attr);
  if (c.value.is_null()) {
    // `eq null` means "has no value"; ne is its negation.
    bool has_value = false;
    for (const json* v : values) has_value = has_value || !v->is_null();
    return c.op == compare_op::eq ? !has_value : (c.op == compare_op::ne && has_value);
  }
  // ne is "no value equals", so an absent attribute is `ne` anything, and
  // `not (a eq x)` and `a ne x` always agree.
  const compare_op op = c.op == compare_op::ne ? compare_op::eq : c.op;
  bool any = false;
  for (const json* v : values) {
    if (compare_one(*v, op, c.value)) {
      any = true;
      break;
    }
  }
  return c.op == compare_op::ne ? !any : any;
}

bool eval(const filter_node& f, const json& object);

bool eval_value_filter(const value_filter& vf, const json& object) {
  if (!vf.inner) return false;
  const json* m = find_attr(object, vf.attr);
  if (m == nullptr) return false;
  auto element_matches = [&](const json& e) {
    if (e.is_object()) return eval(*vf.inner, e);
    // A simple multi-valued element is its own `value` (RFC 7644 §3.4.2.2).
    return eval(*vf.inner, json{{"value", e}});
  };
  if (m->is_array()) {
    for (const auto& e : *m) {
      if (element_matches(e)) return true;
    }
    return false;
  }
  return element_matches(*m);
}

bool eval(const filter_node& f, const json& object) {
  if (const auto* c = std::get_if<comparison>(&f.node)) return eval_comparison(*c, object);
  if (const auto* l = std::get_if<logical>(&f.node)) {
    if (!l->lhs || !l->rhs) return false;
    if (l->op == logical::kind::and_) return eval(*l->lhs, object) && eval(*l->rhs, object);
    return eval(*l->lhs, object) || eval(*l->rhs, object);
  }
  if (const auto* n = std::get_if<negation>(&f.node)) return n->inner && !eval(*n->inner, object);
  if (const auto* v = std::get_if<value_filter>(&f.node)) return eval_value_filter(*v, object);
  return false;
}

}  // namespace

bool matches(const filter_node& f, const nlohmann::json& object) { return eval(f, object); }

}  // namespace emuscim::scim
