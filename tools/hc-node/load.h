// `hc-node load`: signs anchor transactions and submits them to nodes' APIs,
// round robin, then follows the chain until all are committed; prints
// throughput and commit latency (for tests, the example and the benchmark).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace hc::node_tool {

struct LoadOptions {
  std::string key, genesis, passphrase_file;
  std::vector<std::string> nodes;  ///< http://host:port
  size_t count = 100, batch = 500;
  double rate = 0;       ///< transactions per second, 0 = as fast as the nodes take them
  double duration_s = 0; ///< with rate: count = rate × duration
  double wait_s = 30;    ///< how long to wait for all to be committed (0: do not wait)
};

CLI::App* add_load_command(CLI::App& app, LoadOptions& o);
int run_load(const LoadOptions& o);

}  // namespace hc::node_tool
