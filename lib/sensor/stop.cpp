#include <hc/sensor/stop.h>

#include <hc/core/error.h>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace hc::sensor {
namespace {

int g_write_end = -1;

extern "C" void on_stop_signal(int) {
  int saved = errno;
  char c = 1;
  (void)!::write(g_write_end, &c, 1);
  errno = saved;
}

}  // namespace

int install_stop_signals() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw Error(Exit::internal, "cannot create the signal pipe");
  g_write_end = fds[1];
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return fds[0];
}

}  // namespace hc::sensor
