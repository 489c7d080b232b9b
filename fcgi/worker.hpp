// One FastCGI worker thread: its own PostgreSQL and Redis connections, accepting
// requests until shutdown. Threads wait in poll() on the (non-blocking, possibly shared
// with other processes) listen socket and a wake-up pipe; the main thread writes to the
// pipe to stop them, so shutdown never touches the socket other processes still use.
#pragma once

#include <atomic>

#include "config.hpp"

namespace msk {

void worker_loop(const Config &cfg, int listen_fd, int wake_fd, const std::atomic<bool> &stopping);

}  // namespace msk
