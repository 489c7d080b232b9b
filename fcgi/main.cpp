// mskanban-fcgi: the FastCGI worker process. Listens on the configured socket (or the
// one inherited on fd 0 from spawn-fcgi or systemd), runs N threads, and on SIGTERM or
// SIGINT stops accepting, lets in-flight requests finish, and exits.
#include <fcgiapp.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <iostream>
#include <thread>
#include <vector>

#include "body_cache.hpp"
#include "config.hpp"
#include "crypto.hpp"
#include "log.hpp"
#include "session_cache.hpp"
#include "session_watch.hpp"
#include "totp.hpp"
#include "worker.hpp"

using namespace msk;

static void usage() {
    std::cerr << "usage: mskanban-fcgi [-c mskanban.conf] [--check-config]\n"
                 "Settings come from the config file and MSKANBAN_* environment variables;\n"
                 "see mskanban.conf.example.\n";
}

int main(int argc, char **argv) {
    std::string config_path = std::getenv("MSKANBAN_CONFIG") ? std::getenv("MSKANBAN_CONFIG") : "";
    bool check_only = false;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
            config_path = argv[++i];
        } else if (!strcmp(argv[i], "--check-config")) {
            check_only = true;
        } else {
            usage();
            return 2;
        }
    }
    auto cfg = load_config(config_path);
    if (!cfg) {
        std::cerr << "mskanban-fcgi: config error: " << cfg.error().message << "\n";
        return 1;
    }
    if (check_only) return 0;
    set_log_level(cfg->log_level);
    card_list_cache().set_max_bytes(static_cast<size_t>(cfg->list_cache_bytes));
    session_cache().set_max_entries(static_cast<size_t>(cfg->session_cache_entries));
    if (!crypto_init() || !totp_init()) {
        std::cerr << "mskanban-fcgi: cannot initialise libsodium/liboath\n";
        return 1;
    }
    if (FCGX_Init() != 0) {
        std::cerr << "mskanban-fcgi: FCGX_Init failed\n";
        return 1;
    }
    int listen_fd = 0;
    if (!cfg->listen.empty()) {
        listen_fd = FCGX_OpenSocket(cfg->listen.c_str(), 256);
        if (listen_fd < 0) {
            std::cerr << "mskanban-fcgi: cannot listen on " << cfg->listen << "\n";
            return 1;
        }
        // A unix socket is for the web server's group only: the socket takes the
        // group of its directory when that is setgid (/run/mskanban, 2750
        // mskanban:www-data, from conf/tmpfiles/mskanban.conf), and nobody else may
        // connect.
        if (cfg->listen[0] == '/') chmod(cfg->listen.c_str(), 0660);
    } else if (FCGX_IsCGI()) {
        std::cerr << "mskanban-fcgi: no listen socket: set listen, or start under spawn-fcgi/systemd\n";
        return 1;
    }

    // Signals go to this thread only; workers never see them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);

    // Threads poll the listen socket, so it must not block when another process or
    // thread wins the race for a connection.
    fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
    int wake[2];
    if (pipe(wake) != 0) {
        std::cerr << "mskanban-fcgi: pipe: " << strerror(errno) << "\n";
        return 1;
    }
    std::atomic<bool> stopping{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < cfg->threads; i++)
        threads.emplace_back(worker_loop, std::cref(*cfg), listen_fd, wake[0], std::cref(stopping));
    // The session cache's watcher (src/session_watch.hpp): without it the cache is off.
    std::thread watcher;
    if (cfg->session_cache_entries > 0) watcher = std::thread(session_watch_loop, std::cref(*cfg), std::cref(stopping));
    log_info("mskanban-fcgi ready: " + std::to_string(cfg->threads) + " threads on " +
             (cfg->listen.empty() ? std::string("inherited socket") : cfg->listen));

    int sig = 0;
    for (;;) {
        sigwait(&set, &sig);
        if (sig != SIGHUP) break;
        log_info("SIGHUP ignored: restart the process to reload the config");
    }
    log_info(std::string("received ") + strsignal(sig) + ": finishing in-flight requests");
    stopping = true;
    // Wakes every idle thread; in-flight requests complete normally. The listen socket
    // is left alone: under spawn-fcgi other worker processes still accept on it.
    ssize_t ignored = write(wake[1], "x", 1);
    (void)ignored;
    for (auto &t : threads) t.join();
    if (watcher.joinable()) watcher.join();
    if (!cfg->listen.empty() && cfg->listen[0] == '/') unlink(cfg->listen.c_str());
    log_info("mskanban-fcgi stopped");
    return 0;
}
