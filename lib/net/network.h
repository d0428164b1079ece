// The event loop: TCP listeners and peer links driven by poll(2), single
// threaded. Every link is a Link (link.h) with bounded buffers; a peer whose
// outbox overflows, whose handshake is late or wrong, or who sends anything
// malformed is disconnected and reported, never allowed to grow memory or
// block the loop. hc-node owns one Network and calls run_once() from its
// main loop, between consensus timeouts.
#pragma once

#include <hc/net/link.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hc::net {

/// Whether connected TCP socket `fd` is connected to itself (the same
/// address and port at both ends). Dialling a port on this host that
/// nothing listens on can pick that very port for the dialling end (TCP
/// simultaneous open), and the socket then holds the port that its owner
/// needs to listen on when it starts; Network closes such links at once.
bool connected_to_itself(int fd);

struct PeerStatus {
  PeerInfo info;
  std::string address;  ///< "host:port" of the remote end
  bool initiator = false;
  bool established = false;
  size_t buffered = 0;  ///< bytes held for this peer
  uint64_t messages_in = 0, messages_out = 0;
};

class Network {
 public:
  struct Options {
    Limits limits;
    std::string network_id;  ///< bound into every handshake (the genesis hash, say)
  };

  Network(Identity self, AllowedPeers allowed, Options options);
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  /// Listens on `host:port` (port 0 = any free port) and returns the port.
  /// Throws Error{unavailable} if it cannot bind.
  uint16_t listen(const std::string& host, uint16_t port);
  /// Starts an outgoing link (non-blocking). `expected` names the member the
  /// address should belong to. Throws Error{unavailable} on an immediate failure.
  void connect(const std::string& host, uint16_t port, std::optional<crypto::X25519Public> expected = std::nullopt);

  /// Queues `message` for an established member. False if the member has no
  /// link or its outbox is full (the link is then closed as too slow).
  bool send(const crypto::X25519Public& peer, std::string_view message);
  /// Sends to every established member; returns how many took it.
  size_t broadcast(std::string_view message);
  void disconnect(const crypto::X25519Public& peer);
  /// Stops accepting the member with hc key ID `key_id` (the chain removed
  /// it): later handshakes with its key are refused and its link is closed.
  /// Returns false if it was not allowed.
  bool forget(const std::string& key_id);
  bool connected(const crypto::X25519Public& peer) const;
  /// The dialling rule that avoids duplicate links: only the member with the
  /// smaller X25519 key dials. (If both dial anyway, each end keeps the link
  /// the smaller key initiated; a member may then be reported disconnected
  /// and connected again once while the duplicate settles.)
  bool should_dial(const crypto::X25519Public& peer) const { return m_self.info.x25519 < peer; }

  /// Waits up to `timeout_ms` for I/O, handles it, fires the callbacks.
  void run_once(int timeout_ms);

  std::vector<PeerStatus> status() const;
  const Identity& self() const { return m_self; }

  std::function<void(const PeerInfo&)> on_connect;
  std::function<void(const PeerInfo&, const std::string& reason)> on_disconnect;
  std::function<void(const PeerInfo&, Bytes message)> on_message;
  /// A link that never became established (refused key, bad handshake,
  /// timeout, connection failure): the remote address and why.
  std::function<void(const std::string& address, const std::string& reason)> on_refused;

 private:
  struct Conn;
  void accept_all(int listen_fd);
  void add_conn(int fd, bool initiator, std::string address, std::optional<crypto::X25519Public> expected,
                bool connecting);
  void handle_read(Conn& c);
  void handle_write(Conn& c);
  void established(Conn& c);
  void close_conn(Conn& c, const std::string& reason);
  void reap();

  Identity m_self;
  AllowedPeers m_allowed;
  Options m_options;
  std::string m_prologue;
  std::vector<int> m_listeners;
  std::vector<std::unique_ptr<Conn>> m_conns;
  std::map<crypto::X25519Public, Conn*> m_by_peer;
};

}  // namespace hc::net
