#pragma once
// Prometheus metrics (text exposition format 0.0.4) for GET /metrics:
//   emuscim_http_requests_total{route,method,status}            counter
//   emuscim_http_request_duration_seconds{route,method}         histogram, 0.0005 s .. 5 s
// plus gauges sampled at scrape time (metric_gauges). Routes are templates
// (/scim/v2/enterprises/{enterprise}/Users/{scim_user_id}), never raw paths, so the number of
// series stays bounded; methods outside the HTTP/WebDAV basics are counted as "OTHER".
// Thread-safety: observe() and render() may be called from any thread; observe() takes one
// short mutex and allocates only for a series it has not seen before.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <functional>

namespace emuscim::http {

// One finished request, as the metrics see it.
struct request_record {
  std::string_view method;
  std::string_view route;  // template, e.g. /scim/v2/enterprises/{enterprise}/Users/{scim_user_id}
  unsigned status = 0;
  double seconds = 0;
};
using request_observer = std::function<void(const request_record&)>;

struct metric_gauges {
  struct enterprise {
    std::string slug;
    std::int64_t users = 0;
    std::int64_t groups = 0;
    std::int64_t memberships = 0;
  };
  std::vector<enterprise> enterprises;
  std::int64_t db_size_bytes = 0;
  std::size_t open_connections = 0;
};

class http_metrics {
 public:
  // Upper bounds of the duration buckets, in seconds (+Inf is implicit).
  static constexpr std::array<double, 13> bucket_bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                           0.1,    0.25,  0.5,    1,     2.5,   5};

  // The router's request_observer.
  void observe(const request_record& r);

  // The whole exposition: request counters and histograms, then `gauges`.
  std::string render(const metric_gauges& gauges) const;

 private:
  struct series {
    std::map<unsigned, std::uint64_t> by_status;
    std::array<std::uint64_t, bucket_bounds.size() + 1> buckets{};  // not cumulative; last = +Inf
    std::uint64_t count = 0;
    double sum = 0;
  };
  using by_method = std::map<std::string, series, std::less<>>;
  mutable std::mutex mu_;
  std::map<std::string, by_method, std::less<>> routes_;
};

// Content-Type of the exposition.
inline constexpr const char* prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace emuscim::http
