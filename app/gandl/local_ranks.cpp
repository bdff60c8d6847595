#include "app/gandl/local_ranks.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

namespace gandl::cli {
namespace {

std::vector<std::string> arguments;
volatile std::sig_atomic_t pendingSignal = 0;

extern "C" void rememberSignal(int signal) { pendingSignal = signal; }

// A port the kernel has just handed out on loopback (closed again, so rank 0 can bind it).
int freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(std::string("--nproc: no socket for a free port: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error(std::string("--nproc: no free loopback port: ") + std::strerror(errno));
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string describeStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  return "stopped";
}

}  // namespace

void rememberArguments(int argc, char** argv) { arguments.assign(argv, argv + argc); }

int runLocalRanks(int ranks) {
  if (arguments.empty()) throw std::logic_error("runLocalRanks: rememberArguments was not called");
  const std::string port = std::to_string(freeLoopbackPort());
  std::fflush(nullptr);
  std::vector<pid_t> pids;
  struct sigaction action {};
  action.sa_handler = rememberSignal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  for (int rank = 0; rank < ranks; ++rank) {
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("--nproc: cannot start a rank: ") + std::strerror(errno));
    if (pid == 0) {
      ::setenv("RANK", std::to_string(rank).c_str(), 1);
      ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
      ::setenv("WORLD_SIZE", std::to_string(ranks).c_str(), 1);
      ::setenv("LOCAL_WORLD_SIZE", std::to_string(ranks).c_str(), 1);
      ::setenv("MASTER_ADDR", "127.0.0.1", 1);
      ::setenv("MASTER_PORT", port.c_str(), 1);
      std::signal(SIGINT, SIG_DFL);
      std::signal(SIGTERM, SIG_DFL);
      std::vector<char*> argv;
      for (auto& a : arguments) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv("/proc/self/exe", argv.data());
      std::fprintf(stderr, "gandl: rank %d could not start: %s\n", rank, std::strerror(errno));
      ::_exit(127);
    }
    pids.push_back(pid);
  }

  std::vector<int> statuses(pids.size(), 0);
  std::vector<bool> running(pids.size(), true);
  int left = ranks;
  bool failed = false, cancelled = false;
  std::chrono::steady_clock::time_point firstFailure{};
  const auto forward = [&](int signal) {
    for (std::size_t i = 0; i < pids.size(); ++i)
      if (running[i]) ::kill(pids[i], signal);
  };
  while (left > 0) {
    if (pendingSignal) {  // Ctrl-C / a batch system's SIGTERM: every rank cancels at its next step
      forward(pendingSignal);
      pendingSignal = 0;
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, failed ? WNOHANG : 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pid == 0) {  // a rank failed: the others stop by themselves within their timeout, or are stopped
      const auto waited = std::chrono::steady_clock::now() - firstFailure;
      if (waited > std::chrono::seconds(90))
        forward(SIGKILL);
      else if (waited > std::chrono::seconds(60))
        forward(SIGTERM);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    for (std::size_t i = 0; i < pids.size(); ++i) {
      if (pids[i] != pid) continue;
      running[i] = false;
      statuses[i] = status;
      --left;
      const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
      if (WIFEXITED(status) && WEXITSTATUS(status) == 130) cancelled = true;
      if (!ok && !failed) {
        failed = true;
        firstFailure = std::chrono::steady_clock::now();
      }
    }
  }
  int exitCode = 0;
  for (std::size_t i = 0; i < pids.size(); ++i) {
    const int status = statuses[i];
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 130) continue;
    std::fprintf(stderr, "gandl: rank %zu of %d (pid %d) %s\n", i, ranks, static_cast<int>(pids[i]),
                 describeStatus(status).c_str());
    exitCode = 1;
  }
  if (exitCode == 0 && cancelled) return 130;
  return exitCode;
}

}  // namespace gandl::cli
