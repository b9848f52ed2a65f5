#include "emuscim/http/ui_assets.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace emuscim::http {
namespace {

std::string read_source(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::filesystem::path kUiDir = std::filesystem::path(EMUSCIM_SOURCE_DIR) / "src" / "http" / "ui";

TEST(UiAssets, theIndexIsServedForTheBarePrefix) {
  auto index = find_asset("");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(index->bytes.find("<!doctype html>"), std::string_view::npos);
  auto same = find_asset("index.html");
  ASSERT_TRUE(same);
  EXPECT_EQ(same->bytes.data(), index->bytes.data());
}

TEST(UiAssets, everySourceFileIsEmbeddedByteForByteWithItsContentType) {
  std::set<std::string> on_disk;
  for (const auto& f : std::filesystem::recursive_directory_iterator(kUiDir)) {
    if (!f.is_regular_file()) continue;
    const std::string rel = std::filesystem::relative(f.path(), kUiDir).generic_string();
    on_disk.insert(rel);
    auto a = find_asset(rel);
    ASSERT_TRUE(a) << rel;
    EXPECT_EQ(a->bytes, read_source(f.path())) << rel;
    const std::map<std::string, std::string_view> types = {{".html", "text/html; charset=utf-8"},
                                                           {".js", "text/javascript; charset=utf-8"},
                                                           {".css", "text/css; charset=utf-8"},
                                                           {".svg", "image/svg+xml"}};
    const auto type = types.find(f.path().extension().string());
    ASSERT_NE(type, types.end()) << rel << ": a file type the dashboard does not serve";
    EXPECT_EQ(a->content_type, type->second) << rel;
  }
  std::set<std::string> embedded;
  for (const auto& [name, bytes] : embedded_assets()) embedded.insert(std::string(name));
  EXPECT_EQ(embedded, on_disk);
}

TEST(UiAssets, nothingOutsideTheEmbeddedSetIsFound) {
  for (const char* p : {"missing.js", "/index.html", "../CMakeLists.txt", "ui/../index.html", "index.html/",
                        "INDEX.HTML", "index.html?x=1", "..\\index.html", "."}) {
    EXPECT_FALSE(find_asset(p)) << p;
  }
}

TEST(UiAssets, securityHeadersForbidInlineScriptAndForeignOrigins) {
  std::string csp;
  std::set<std::string> names;
  for (const auto& [name, value] : ui_security_headers) {
    names.insert(std::string(name));
    if (name == "Content-Security-Policy") csp = value;
  }
  EXPECT_TRUE(names.count("X-Content-Type-Options"));
  EXPECT_TRUE(names.count("Cache-Control"));
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
  EXPECT_EQ(csp.find("http"), std::string::npos) << "no foreign origin";
}

// The dashboard's own rules (docs/DASHBOARD.md), checked on the sources: no inline script or
// style (the CSP would block them), data never parsed as HTML, nothing loaded from elsewhere,
// and every file the page references is embedded.
TEST(UiAssets, dashboardSourcesFollowTheirRules) {
  const std::regex inline_script(R"(<script(?![^>]*\ssrc=)[^>]*>)", std::regex::icase);
  const std::regex handler_attribute(R"(<[^>]+\son[a-z]+\s*=)", std::regex::icase);
  const std::regex style_attribute(R"(<[^>]+\sstyle\s*=)", std::regex::icase);
  const std::regex html_sinks(R"(\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\s*\(|new Function)");
  const std::regex foreign_url(R"((https?:)?//[a-z0-9.-]+\.[a-z]{2,})", std::regex::icase);
  const std::regex local_ref(R"re((?:src|href)="\./?([^"#?:]+)")re");
  int files = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(kUiDir)) {
    if (!f.is_regular_file()) continue;
    const std::string ext = f.path().extension().string();
    const std::string text = read_source(f.path());
    const std::string name = f.path().filename().string();
    ++files;
    if (ext == ".html") {
      EXPECT_FALSE(std::regex_search(text, inline_script)) << name << ": inline <script>";
      EXPECT_FALSE(std::regex_search(text, handler_attribute)) << name << ": on…= attribute";
      EXPECT_FALSE(std::regex_search(text, style_attribute)) << name << ": style= attribute";
      EXPECT_EQ(text.find("<style"), std::string::npos) << name << ": <style> element";
      for (std::sregex_iterator it(text.begin(), text.end(), local_ref), end; it != end; ++it) {
        EXPECT_TRUE(find_asset((*it)[1].str())) << name << " references " << (*it)[1].str();
      }
    }
    if (ext == ".js") {
      EXPECT_FALSE(std::regex_search(text, html_sinks)) << name << ": an HTML sink";
    }
    if (ext == ".js" || ext == ".html" || ext == ".css") {
      std::smatch m;
      // The SVG namespace and example.com in placeholders are no loads.
      std::string scrubbed = std::regex_replace(text, std::regex(R"(http://www\.w3\.org/\d+/svg)"), "");
      scrubbed = std::regex_replace(scrubbed, std::regex(R"(https?://[a-z0-9.-]*example\.(com|test))"), "");
      EXPECT_FALSE(std::regex_search(scrubbed, m, foreign_url)) << name << ": " << m.str();
    }
  }
  EXPECT_GE(files, 3);
}

}  // namespace
}  // namespace emuscim::http
