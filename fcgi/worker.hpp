// One FastCGI worker thread: its own PostgreSQL and Redis connections, accepting
// requests until shutdown.
#pragma once

#include <atomic>

#include "config.hpp"

namespace msk {

void worker_loop(const Config &cfg, int listen_fd, const std::atomic<bool> &stopping);

}  // namespace msk
