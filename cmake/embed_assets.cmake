# Embeds files into a library as a generated header, so the binary needs no files at run time:
# the dashboard's files (src/http/ui/**, docs/DASHBOARD.md) and the shipped IdP replay fixtures
# (tests/fixtures/**/*.json, the built-in cycles of `emuscim replay`, docs/REPLAY.md). Two modes
# in one file:
#
#  - include()d from the top-level CMakeLists.txt: emuscim_embed_files() adds a custom command
#    that regenerates the header whenever an embedded file changes (an added or removed file is
#    seen through the glob's CONFIGURE_DEPENDS);
#  - run as a script (cmake -DEMUSCIM_EMBED_DIR=… -DEMUSCIM_EMBED_OUT=… -DEMUSCIM_EMBED_NAMESPACE=…
#    -DEMUSCIM_EMBED_SYMBOL=… -DEMUSCIM_EMBED_GLOB=… -P embed_assets.cmake): writes that header,
#    one sorted {relative path, bytes} pair per file. Bytes are written as \x escapes, so any file
#    (text or binary, any line endings) is embedded exactly.

if(CMAKE_SCRIPT_MODE_FILE)
  file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE ${EMUSCIM_EMBED_DIR} ${EMUSCIM_EMBED_DIR}/${EMUSCIM_EMBED_GLOB})
  list(SORT files)
  set(entries "")
  list(LENGTH files count)
  foreach(name ${files})
    file(READ ${EMUSCIM_EMBED_DIR}/${name} hex HEX)
    string(LENGTH "${hex}" hex_len)
    math(EXPR size "${hex_len} / 2")
    # 128 bytes per source line keeps the header readable for compilers and diff tools.
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
    string(REGEX REPLACE "((\\\\x[0-9a-f][0-9a-f]).{508})" "\\1\"\n      \"" escaped "${escaped}")
    string(APPEND entries "    {\"${name}\", std::string_view(\n      \"${escaped}\", ${size})},\n")
  endforeach()
  set(content "#pragma once
// Generated from ${EMUSCIM_EMBED_GLOB} under the source tree by cmake/embed_assets.cmake. Do not edit.
#include <array>
#include <string_view>
#include <utility>
namespace ${EMUSCIM_EMBED_NAMESPACE} {
inline constexpr std::array<std::pair<std::string_view, std::string_view>, ${count}> ${EMUSCIM_EMBED_SYMBOL} = {{
${entries}}};
}  // namespace ${EMUSCIM_EMBED_NAMESPACE}
")
  # Rewrite only on change, so an unchanged set does not recompile its users.
  if(EXISTS ${EMUSCIM_EMBED_OUT})
    file(READ ${EMUSCIM_EMBED_OUT} old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE ${EMUSCIM_EMBED_OUT} "${content}")
  return()
endif()

set(emuscim_embed_script ${CMAKE_CURRENT_LIST_FILE})

# emuscim_embed_files(TARGET DIR GLOB HEADER NAMESPACE SYMBOL): HEADER (relative to
# ${PROJECT_BINARY_DIR}/generated) declares NAMESPACE::SYMBOL[], the files under DIR matching GLOB.
function(emuscim_embed_files target dir glob header namespace symbol)
  set(out ${PROJECT_BINARY_DIR}/generated/${header})
  file(GLOB_RECURSE inputs CONFIGURE_DEPENDS LIST_DIRECTORIES false ${dir}/${glob})
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DEMUSCIM_EMBED_DIR=${dir} -DEMUSCIM_EMBED_OUT=${out}
            -DEMUSCIM_EMBED_NAMESPACE=${namespace} -DEMUSCIM_EMBED_SYMBOL=${symbol} -DEMUSCIM_EMBED_GLOB=${glob}
            -P ${emuscim_embed_script}
    DEPENDS ${inputs} ${emuscim_embed_script}
    COMMENT "Embedding ${glob} of ${dir} into ${header}"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
  target_include_directories(${target} PRIVATE ${PROJECT_BINARY_DIR}/generated)
endfunction()

emuscim_embed_files(emuscim_http ${PROJECT_SOURCE_DIR}/src/http/ui "*" emuscim/http/ui_assets_data.hpp
                    emuscim::http::generated ui_assets)
