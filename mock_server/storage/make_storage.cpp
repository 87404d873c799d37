#include "mock_server/storage/make_storage.hpp"

#include "mock_server/storage/disk_storage.hpp"
#include "mock_server/storage/memory_storage.hpp"
#include "mock_server/storage/null_storage.hpp"

namespace partcheck::mock {

std::unique_ptr<StorageBackend> make_storage(const ServerConfig& config) {
  switch (config.storage) {
    case StorageKind::Disk: return std::make_unique<DiskStorage>(config.data_dir, config.fsync);
    case StorageKind::Memory: return std::make_unique<MemoryStorage>(config.max_memory);
    case StorageKind::Null: return std::make_unique<NullStorage>();
  }
  throw StorageError("unknown storage kind");
}

}  // namespace partcheck::mock
