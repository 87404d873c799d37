#pragma once
// The backend `--storage` names, built for the server's config.
#include <memory>

#include "mock_server/server_config.hpp"
#include "mock_server/storage/storage_backend.hpp"

namespace partcheck::mock {

std::unique_ptr<StorageBackend> make_storage(const ServerConfig& config);

}  // namespace partcheck::mock
