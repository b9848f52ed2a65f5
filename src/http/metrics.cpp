#include "emuscim/http/metrics.hpp"

#include <algorithm>
#include <charconv>

namespace emuscim::http {

namespace {

std::string_view canonical_method(std::string_view m) {
  static constexpr std::array<std::string_view, 9> known = {"GET",     "HEAD",  "POST",    "PUT",  "PATCH",
                                                            "DELETE",  "OPTIONS", "TRACE", "CONNECT"};
  for (auto k : known) {
    if (k == m) return k;
  }
  return "OTHER";
}

// Label values: backslash, double quote and line feed are escaped (exposition format 0.0.4).
void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// The bucket bounds as `le` labels, written as people write them ("0.0005", not "5e-04").
constexpr std::array<std::string_view, http_metrics::bucket_bounds.size()> kBucketLabels = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5"};

void append_number(std::string& out, double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? end : buf);
}

template <class Int>
void append_int(std::string& out, Int v) {
  out += std::to_string(v);
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

}  // namespace

void http_metrics::observe(const request_record& r) {
  const std::string_view method = canonical_method(r.method);
  const std::string_view route = r.route.empty() ? std::string_view("unmatched") : r.route;
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(bucket_bounds.begin(), bucket_bounds.end(), r.seconds) - bucket_bounds.begin());
  std::lock_guard lk(mu_);
  auto rit = routes_.find(route);
  if (rit == routes_.end()) rit = routes_.emplace(std::string(route), by_method{}).first;
  auto mit = rit->second.find(method);
  if (mit == rit->second.end()) mit = rit->second.emplace(std::string(method), series{}).first;
  series& s = mit->second;
  ++s.by_status[r.status];
  ++s.buckets[bucket];
  ++s.count;
  s.sum += r.seconds;
}

std::string http_metrics::render(const metric_gauges& g) const {
  std::string out;
  out.reserve(4096);
  {
    std::lock_guard lk(mu_);
    header(out, "emuscim_http_requests_total", "counter", "HTTP requests answered, by route template, method and status.");
    for (const auto& [route, methods] : routes_) {
      for (const auto& [method, s] : methods) {
        for (const auto& [status, n] : s.by_status) {
          out.append("emuscim_http_requests_total{route=\"");
          append_label_value(out, route);
          out.append("\",method=\"").append(method).append("\",status=\"");
          append_int(out, status);
          out.append("\"} ");
          append_int(out, n);
          out += '\n';
        }
      }
    }
    header(out, "emuscim_http_request_duration_seconds", "histogram",
           "Time from a complete request to its response, by route template and method.");
    for (const auto& [route, methods] : routes_) {
      for (const auto& [method, s] : methods) {
        std::string labels = "route=\"";
        append_label_value(labels, route);
        labels.append("\",method=\"").append(method).append("\"");
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i <= bucket_bounds.size(); ++i) {
          cumulative += s.buckets[i];
          out.append("emuscim_http_request_duration_seconds_bucket{").append(labels).append(",le=\"");
          out.append(i < bucket_bounds.size() ? kBucketLabels[i] : std::string_view("+Inf"));
          out.append("\"} ");
          append_int(out, cumulative);
          out += '\n';
        }
        out.append("emuscim_http_request_duration_seconds_sum{").append(labels).append("} ");
        append_number(out, s.sum);
        out += '\n';
        out.append("emuscim_http_request_duration_seconds_count{").append(labels).append("} ");
        append_int(out, s.count);
        out += '\n';
      }
    }
  }

  auto per_enterprise = [&](std::string_view name, std::string_view help, auto field) {
    header(out, name, "gauge", help);
    for (const auto& e : g.enterprises) {
      out.append(name).append("{enterprise=\"");
      append_label_value(out, e.slug);
      out.append("\"} ");
      append_int(out, e.*field);
      out += '\n';
    }
  };
  per_enterprise("emuscim_users", "SCIM users of the enterprise (active and suspended).",
                 &metric_gauges::enterprise::users);
  per_enterprise("emuscim_groups", "SCIM groups of the enterprise.", &metric_gauges::enterprise::groups);
  per_enterprise("emuscim_memberships", "Group memberships of the enterprise (sum of member counts).",
                 &metric_gauges::enterprise::memberships);
  header(out, "emuscim_db_size_bytes", "gauge", "Size of the SQLite database file (page_count * page_size).");
  out.append("emuscim_db_size_bytes ");
  append_int(out, g.db_size_bytes);
  out += '\n';
  header(out, "emuscim_open_connections", "gauge", "Client connections currently open.");
  out.append("emuscim_open_connections ");
  append_int(out, g.open_connections);
  out += '\n';
  return out;
}

}  // namespace emuscim::http
