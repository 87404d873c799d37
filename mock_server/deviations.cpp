#include "mock_server/deviations.hpp"

#include <array>

namespace partcheck::mock {
namespace {

constexpr std::array kDeviations{
    Deviation{"AUTH-1", "any API key, or none, is accepted"},
    Deviation{"AUTH-2", "only `Authorization: Bearer` is accepted; `X-Token` is refused"},
    Deviation{"HASH-1", "any non-empty `hash` is accepted, uuid or not"},
    Deviation{"RANGE-1", "a malformed `Content-Range` is read as the whole body (bytes 0-len/len)"},
    Deviation{"RANGE-2", "a body longer or shorter than end-start is accepted and stored as sent"},
    Deviation{"RANGE-3", "a part declaring another total than the upload's is accepted"},
    Deviation{"WHOLE-1", "a whole-file upload under 5 MiB is refused with EntityTooSmall"},
    Deviation{"PART-1", "a non-final part under 5 MiB is accepted"},
    Deviation{"PART-2", "a part over 5 GiB is accepted"},
    Deviation{"PART-3", "non-final parts of different sizes, and an oversized last part, are accepted"},
    Deviation{"PART-4", "non-final parts answer 200 and the completing part 206"},
    Deviation{"ORDER-1", "an out-of-order part is accepted and appended where the file ends"},
    Deviation{"ORDER-2", "a part with start > 0 for an unknown hash starts a new upload"},
    Deviation{"ORDER-3", "a part after a gap is accepted and appended: the file comes out short"},
    Deviation{"CT-1", "`application/octet-stream` bodies are refused with UnsupportedContentType"},
    Deviation{"CT-2", "`multipart/form-data` bodies are refused with UnsupportedContentType"},
    Deviation{"CT-3", "any content type is accepted and stored raw"},
    Deviation{"TTL-1", "uploads never expire"},
    Deviation{"TTL-2", "moved files expire with the upload TTL too"},
    Deviation{"MOVE-1", "a moved file's last byte is flipped"},
    Deviation{"MOVE-2", "a taken name is overwritten instead of getting a ` (n)` postfix"},
    Deviation{"MOVE-3", "when no unique name is left, the move answers 200 and overwrites"},
    Deviation{"MOVE-4", "the directory quota is ignored"},
    Deviation{"MOVE-5", "read-only directories accept moves"},
    Deviation{"MOVE-6", "moving an incomplete upload answers 200 and creates a short file"},
    Deviation{"MOVE-7", "an unknown directoryID answers 200 (the file goes to the root)"},
    Deviation{"MOVE-8", "moving an initialised file copies it and leaves the original in place"},
    Deviation{"DIR-1", "the directory upload's final response has no `file.__id`"},
    Deviation{"LINK-1", "download links serve the file without its first byte"},
    Deviation{"ERR-1", "client errors answer 500 with a plain-text body"},
};

}  // namespace

std::span<const Deviation> all_deviations() { return kDeviations; }

std::optional<Deviation> find_deviation(std::string_view rule) {
  for (const auto& d : kDeviations)
    if (d.rule == rule) return d;
  return std::nullopt;
}

}  // namespace partcheck::mock
