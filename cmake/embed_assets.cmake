# Embeds the dashboard's files (src/http/ui/**) into emuscim_http as a generated header, so the
# binary needs no files at run time (docs/DASHBOARD.md). Two modes in one file:
#
#  - include()d from the top-level CMakeLists.txt after emuscim_http exists: a custom command
#    regenerates ${PROJECT_BINARY_DIR}/generated/emuscim/http/ui_assets_data.hpp whenever an
#    asset changes (an added or removed file is seen through the glob's CONFIGURE_DEPENDS);
#  - run as a script (cmake -DEMUSCIM_UI_DIR=… -DEMUSCIM_UI_OUT=… -P embed_assets.cmake):
#    writes that header, one {relative path, bytes} pair per file. Bytes are written as \x
#    escapes, so any file (text or binary, any line endings) is embedded exactly.

if(CMAKE_SCRIPT_MODE_FILE)
  file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE ${EMUSCIM_UI_DIR} ${EMUSCIM_UI_DIR}/*)
  list(SORT files)
  set(entries "")
  foreach(name ${files})
    file(READ ${EMUSCIM_UI_DIR}/${name} hex HEX)
    string(LENGTH "${hex}" hex_len)
    math(EXPR size "${hex_len} / 2")
    # 128 bytes per source line keeps the header readable for compilers and diff tools.
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
    string(REGEX REPLACE "((\\\\x[0-9a-f][0-9a-f]).{508})" "\\1\"\n      \"" escaped "${escaped}")
    string(APPEND entries "    {\"${name}\", std::string_view(\n      \"${escaped}\", ${size})},\n")
  endforeach()
  set(content "#pragma once
// Generated from src/http/ui/ by cmake/embed_assets.cmake. Do not edit.
#include <string_view>
#include <utility>
namespace emuscim::http::generated {
inline constexpr std::pair<std::string_view, std::string_view> ui_assets[] = {
${entries}};
}  // namespace emuscim::http::generated
")
  # Rewrite only on change, so an unchanged asset set does not recompile ui_assets.cpp.
  if(EXISTS ${EMUSCIM_UI_OUT})
    file(READ ${EMUSCIM_UI_OUT} old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE ${EMUSCIM_UI_OUT} "${content}")
  return()
endif()

set(emuscim_ui_dir ${PROJECT_SOURCE_DIR}/src/http/ui)
set(emuscim_ui_header ${PROJECT_BINARY_DIR}/generated/emuscim/http/ui_assets_data.hpp)
file(GLOB_RECURSE emuscim_ui_files CONFIGURE_DEPENDS LIST_DIRECTORIES false ${emuscim_ui_dir}/*)
add_custom_command(
  OUTPUT ${emuscim_ui_header}
  COMMAND ${CMAKE_COMMAND} -DEMUSCIM_UI_DIR=${emuscim_ui_dir} -DEMUSCIM_UI_OUT=${emuscim_ui_header}
          -P ${CMAKE_CURRENT_LIST_FILE}
  DEPENDS ${emuscim_ui_files} ${CMAKE_CURRENT_LIST_FILE}
  COMMENT "Embedding src/http/ui/ into ui_assets_data.hpp"
  VERBATIM)
target_sources(emuscim_http PRIVATE ${emuscim_ui_header})
target_include_directories(emuscim_http PRIVATE ${PROJECT_BINARY_DIR}/generated)
