#pragma once
// Error codes that appear in the `error` message of a failed response. The
// first five are the S3 multipart names the reference API documents; the rest
// are the names this project uses where the reference is silent
// (docs/contract.md, "Error codes").
#include <optional>
#include <string_view>

namespace partcheck::contract {

enum class ErrorCode {
  EntityTooSmall,
  EntityTooLarge,
  InvalidPart,
  InvalidPartOrder,
  NoSuchUpload,
  InvalidRange,
  InvalidHash,
  LengthMismatch,
  UnsupportedContentType,
  UploadComplete,
  NoSuchFile,
  NoSuchDirectory,
  InvalidName,
  NameConflict,
  NotEnoughSpace,
  PermissionDenied,
  Unauthorized,
  UploadBusy,
  InvalidRequest,
  ContentNotStored,
  NotFound,
  MethodNotAllowed,
  HeaderTooLarge,
  RequestTimeout,
  ServiceUnavailable,
  // The server's own failures (5xx), never a client's mistake.
  StorageError,
  InternalError,
};

std::string_view code_name(ErrorCode code);
std::optional<ErrorCode> code_from_name(std::string_view name);
// The HTTP status the reference profile answers with for this code.
int default_status(ErrorCode code);
// Whether the reference page itself names the code (EntityTooSmall,
// InvalidPart, InvalidPartOrder, NoSuchUpload): only those can be asked of
// another server's messages; the rest are this project's own names.
bool named_by_reference(std::string_view name);

}  // namespace partcheck::contract
