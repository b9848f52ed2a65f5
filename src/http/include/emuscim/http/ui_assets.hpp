#pragma once
// The web dashboard's files (src/http/ui/), embedded in the binary at build time by
// cmake/embed_assets.cmake, and the headers every dashboard answer carries (docs/DASHBOARD.md).
// Thread-safety: everything here is immutable.

#include <optional>
#include <span>
#include <string_view>
#include <utility>

namespace emuscim::http {

// Where the dashboard lives. "/_emuscim/ui" without the slash should redirect here, so that the
// pages' relative URLs resolve.
inline constexpr std::string_view ui_prefix = "/_emuscim/ui/";

struct asset {
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view bytes;
};

// `path` is what follows ui_prefix, without the query: "" and "index.html" name the page,
// "app.js", "style.css", … the other files. nullopt for anything else (answer 404); a path with
// "..", a backslash or a leading '/' never matches.
std::optional<asset> find_asset(std::string_view path);

// Every embedded file's path relative to src/http/ui/, sorted.
std::span<const std::pair<std::string_view, std::string_view>> embedded_assets();

// Headers for every answer under ui_prefix (and fit for the admin API's JSON as well):
// a strict Content-Security-Policy (only this origin's scripts, styles, images and connections;
// no inline script or style, no framing, no plugins), X-Content-Type-Options: nosniff,
// Referrer-Policy: no-referrer, X-Frame-Options: DENY, Cache-Control: no-store.
inline constexpr std::pair<std::string_view, std::string_view> ui_security_headers[] = {
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
     "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
    {"Cache-Control", "no-store"},
};

}  // namespace emuscim::http
