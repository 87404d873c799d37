#pragma once
// Hands memory the allocator holds free back to the system. The partcheck
// binary links tcmalloc (see the top CMakeLists.txt), which keeps freed
// pages for reuse: after the store's tables grow into a new array, the old
// one stays resident, and a soak test reads that as growth. The sweep calls
// this now and then so RSS follows what the mock actually holds. Without
// tcmalloc (sanitizer builds, tests linked without it) it does nothing.
namespace partcheck::mock {

void return_free_memory();

}  // namespace partcheck::mock
