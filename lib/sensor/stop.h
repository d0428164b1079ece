// SIGINT/SIGTERM as a readable file descriptor (the self-pipe trick), so a
// poll() loop can stop cleanly: flush, summarise, exit 0.
#pragma once

namespace hc::sensor {

/// Installs handlers for SIGINT and SIGTERM that write to a pipe, ignores
/// SIGPIPE (writes then fail with EPIPE), and returns the pipe's read end.
/// Call once, from a tool's main.
int install_stop_signals();

}  // namespace hc::sensor
