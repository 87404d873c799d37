#include "mock_server/free_memory.hpp"

// gperftools' C entry point, declared weak: present when the binary links
// tcmalloc_minimal, a null address otherwise (the mock library itself does
// not depend on it).
extern "C" void MallocExtension_ReleaseFreeMemory(void) __attribute__((weak));

namespace partcheck::mock {

void return_free_memory() {
  if (MallocExtension_ReleaseFreeMemory) MallocExtension_ReleaseFreeMemory();
}

}  // namespace partcheck::mock
