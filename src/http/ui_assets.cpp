#include "emuscim/http/ui_assets.hpp"

#include <algorithm>
#include <array>

#include "emuscim/http/ui_assets_data.hpp"

namespace emuscim::http {

namespace {

struct content_type_row {
  std::string_view extension;
  std::string_view content_type;
};

constexpr std::array<content_type_row, 9> kContentTypes = {{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json; charset=utf-8"},
    {".txt", "text/plain; charset=utf-8"},
}};

std::string_view content_type_of(std::string_view name) {
  for (const auto& row : kContentTypes) {
    if (name.ends_with(row.extension)) return row.content_type;
  }
  return "application/octet-stream";
}

}  // namespace

std::optional<asset> find_asset(std::string_view path) {
  if (path.empty()) path = "index.html";
  if (path.starts_with('/') || path.find("..") != std::string_view::npos ||
      path.find('\\') != std::string_view::npos) {
    return std::nullopt;
  }
  const auto assets = embedded_assets();
  const auto it = std::lower_bound(assets.begin(), assets.end(), path,
                                   [](const auto& entry, std::string_view p) { return entry.first < p; });
  if (it == assets.end() || it->first != path) return std::nullopt;
  return asset{content_type_of(path), it->second};
}

std::span<const std::pair<std::string_view, std::string_view>> embedded_assets() {
  return generated::ui_assets;
}

}  // namespace emuscim::http
