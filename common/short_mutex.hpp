#pragma once
// A mutex for critical sections of well under a microsecond that every
// request takes on every I/O thread (the store's tables, a storage's map, the
// journal ring, the counters). std::mutex puts a waiter to sleep at once, and
// its owner then pays a futex wake on unlock: two system calls and two
// context switches for a wait shorter than either. glibc's adaptive mutex
// spins a little before it sleeps, so a short collision costs nanoseconds.
// Same interface as std::mutex (BasicLockable, Lockable); not usable with
// std::condition_variable.
#include <pthread.h>

namespace partcheck {

class ShortMutex {
 public:
  ShortMutex() {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_ADAPTIVE_NP);
    pthread_mutex_init(&mutex_, &attributes);
    pthread_mutexattr_destroy(&attributes);
  }
  ~ShortMutex() { pthread_mutex_destroy(&mutex_); }
  ShortMutex(const ShortMutex&) = delete;
  ShortMutex& operator=(const ShortMutex&) = delete;

  void lock() { pthread_mutex_lock(&mutex_); }
  bool try_lock() { return pthread_mutex_trylock(&mutex_) == 0; }
  void unlock() { pthread_mutex_unlock(&mutex_); }

 private:
  pthread_mutex_t mutex_;
};

}  // namespace partcheck
