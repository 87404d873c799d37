# Turns a text file into a C++ source defining partcheck::mock::<FUNCTION>(),
# a std::string_view of the file's bytes, so the server serves the document
# without needing the source tree.
# Usage: cmake -DINPUT=docs/openapi.yaml -DOUTPUT=openapi_yaml.cpp -DFUNCTION=openapi_yaml -P embed_text.cmake
# The bytes go in as a hex array rather than a string literal: no length
# limit (-Woverlength-strings) and no delimiter the text could contain.
if(NOT FUNCTION)
  message(FATAL_ERROR "embed_text.cmake: -DFUNCTION=<name> is required")
endif()
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR byte_count "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# One array line per text line keeps the generated file easy on editors.
string(REPLACE "0x0a," "0x0a,\n  " bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by embed_text.cmake; do not edit.
#include <string_view>

#include \"mock_server/admin/admin_api.hpp\"

namespace partcheck::mock {
namespace {
const unsigned char kText[${byte_count} + 1] = {
  ${bytes}0x00};
}  // namespace

std::string_view ${FUNCTION}() { return {reinterpret_cast<const char*>(kText), ${byte_count}}; }

}  // namespace partcheck::mock
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
