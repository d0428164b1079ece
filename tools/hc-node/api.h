// hc-node's HTTP JSON API (loopback by default), served by cpp-httplib.
#pragma once

#include <hc/node/node.h>

#include <memory>

namespace hc::node_tool {

class Api {
 public:
  /// Binds host:port (port 0: any free port); Error{unavailable} if it cannot.
  Api(node::Node& node, const std::string& host, uint16_t port);
  ~Api();
  uint16_t port() const;
  /// Serves on a thread of its own until stop().
  void start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

}  // namespace hc::node_tool
