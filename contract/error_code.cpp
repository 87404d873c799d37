#include "contract/error_code.hpp"

#include <array>
#include <utility>

namespace partcheck::contract {
namespace {

struct CodeInfo {
  ErrorCode code;
  std::string_view name;
  int status;
};

constexpr std::array kCodes{
    CodeInfo{ErrorCode::EntityTooSmall, "EntityTooSmall", 400},
    CodeInfo{ErrorCode::EntityTooLarge, "EntityTooLarge", 400},
    CodeInfo{ErrorCode::InvalidPart, "InvalidPart", 400},
    CodeInfo{ErrorCode::InvalidPartOrder, "InvalidPartOrder", 400},
    CodeInfo{ErrorCode::NoSuchUpload, "NoSuchUpload", 400},
    CodeInfo{ErrorCode::InvalidRange, "InvalidRange", 400},
    CodeInfo{ErrorCode::InvalidHash, "InvalidHash", 400},
    CodeInfo{ErrorCode::LengthMismatch, "LengthMismatch", 400},
    CodeInfo{ErrorCode::UnsupportedContentType, "UnsupportedContentType", 400},
    CodeInfo{ErrorCode::UploadComplete, "UploadComplete", 400},
    CodeInfo{ErrorCode::NoSuchFile, "NoSuchFile", 404},
    CodeInfo{ErrorCode::NoSuchDirectory, "NoSuchDirectory", 404},
    CodeInfo{ErrorCode::InvalidName, "InvalidName", 400},
    CodeInfo{ErrorCode::NameConflict, "NameConflict", 409},
    CodeInfo{ErrorCode::NotEnoughSpace, "NotEnoughSpace", 402},
    CodeInfo{ErrorCode::PermissionDenied, "PermissionDenied", 403},
    CodeInfo{ErrorCode::Unauthorized, "Unauthorized", 403},
    CodeInfo{ErrorCode::UploadBusy, "UploadBusy", 409},
    CodeInfo{ErrorCode::InvalidRequest, "InvalidRequest", 400},
    CodeInfo{ErrorCode::ContentNotStored, "ContentNotStored", 409},
    CodeInfo{ErrorCode::NotFound, "NotFound", 404},
    CodeInfo{ErrorCode::MethodNotAllowed, "MethodNotAllowed", 405},
    CodeInfo{ErrorCode::HeaderTooLarge, "HeaderTooLarge", 431},
    CodeInfo{ErrorCode::RequestTimeout, "RequestTimeout", 408},
    CodeInfo{ErrorCode::ServiceUnavailable, "ServiceUnavailable", 503},
    CodeInfo{ErrorCode::StorageError, "StorageError", 500},
    CodeInfo{ErrorCode::InternalError, "InternalError", 500},
};

const CodeInfo& info(ErrorCode code) {
  for (const auto& entry : kCodes)
    if (entry.code == code) return entry;
  __builtin_unreachable();
}

}  // namespace

std::string_view code_name(ErrorCode code) { return info(code).name; }
int default_status(ErrorCode code) { return info(code).status; }

std::optional<ErrorCode> code_from_name(std::string_view name) {
  for (const auto& entry : kCodes)
    if (entry.name == name) return entry.code;
  return std::nullopt;
}

bool named_by_reference(std::string_view name) {
  return name == "EntityTooSmall" || name == "InvalidPart" || name == "InvalidPartOrder" || name == "NoSuchUpload";
}

}  // namespace partcheck::contract
