// poll(2) rather than epoll or asio: a consortium node holds tens of links,
// so poll's O(n) scan costs nothing measurable, it keeps no kernel-side
// registration to keep in step with the connection table, it is portable, and
// every buffer stays visible and bounded in Link instead of inside a
// framework's completion handlers.
#include <hc/net/network.h>

#include <hc/core/error.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hc::net {
namespace {

using Clock = std::chrono::steady_clock;

void set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
    throw Error(Exit::io, std::string("fcntl O_NONBLOCK: ") + std::strerror(errno));
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::string address_of(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    port = ntohs(a->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
    return "[" + std::string(host) + "]:" + std::to_string(port);
  }
  return "?";
}

struct AddrInfo {
  addrinfo* list = nullptr;
  AddrInfo(const std::string& host, uint16_t port, bool passive) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    std::string service = std::to_string(port);
    int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
    if (rc != 0) throw Error(Exit::unavailable, "cannot resolve " + host + ": " + gai_strerror(rc));
  }
  ~AddrInfo() {
    if (list) freeaddrinfo(list);
  }
};

}  // namespace

bool connected_to_itself(int fd) {
  sockaddr_storage local{}, remote{};
  socklen_t local_len = sizeof local, remote_len = sizeof remote;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
      getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &remote_len) != 0)
    return false;
  return local_len == remote_len && std::memcmp(&local, &remote, local_len) == 0;
}

struct Network::Conn {
  int fd = -1;
  std::string address;
  bool connecting = false;  // TCP connect still in progress
  bool dead = false;
  Clock::time_point deadline;
  std::unique_ptr<Link> link;
  bool announced = false;  // on_connect fired
  uint64_t in = 0, out = 0;
};

Network::Network(Identity self, AllowedPeers allowed, Options options)
    : m_self(std::move(self)),
      m_allowed(std::move(allowed)),
      m_options(std::move(options)),
      m_prologue(link_prologue(m_options.network_id)) {}

Network::~Network() {
  for (int fd : m_listeners) ::close(fd);
  for (auto& c : m_conns)
    if (c->fd >= 0) ::close(c->fd);
}

uint16_t Network::listen(const std::string& host, uint16_t port) {
  AddrInfo ai(host, port, true);
  std::string last = "no address";
  for (addrinfo* a = ai.list; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 64) == 0) {
      set_nonblocking(fd);
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
      m_listeners.push_back(fd);
      return ss.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port)
                                     : ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    }
    last = std::strerror(errno);
    ::close(fd);
  }
  throw Error(Exit::unavailable, "cannot listen on " + host + ":" + std::to_string(port) + ": " + last);
}

void Network::connect(const std::string& host, uint16_t port, std::optional<crypto::X25519Public> expected) {
  if (m_conns.size() >= m_options.limits.max_peers)
    throw Error(Exit::unavailable, "peer limit (" + std::to_string(m_options.limits.max_peers) + ") reached");
  AddrInfo ai(host, port, false);
  std::string last = "no address";
  for (addrinfo* a = ai.list; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    set_nonblocking(fd);
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc == 0 && connected_to_itself(fd)) {
      last = "connected to itself (nothing listens there)";
      ::close(fd);
      continue;
    }
    if (rc == 0 || errno == EINPROGRESS) {
      add_conn(fd, true, host + ":" + std::to_string(port), expected, rc != 0);
      return;
    }
    last = std::strerror(errno);
    ::close(fd);
  }
  throw Error(Exit::unavailable, "cannot connect to " + host + ":" + std::to_string(port) + ": " + last);
}

void Network::add_conn(int fd, bool initiator, std::string address, std::optional<crypto::X25519Public> expected,
                       bool connecting) {
  auto c = std::make_unique<Conn>();
  c->fd = fd;
  c->address = std::move(address);
  c->connecting = connecting;
  c->deadline = Clock::now() + std::chrono::milliseconds(m_options.limits.handshake_timeout_ms);
  c->link = std::make_unique<Link>(initiator, m_self, m_allowed, m_prologue, m_options.limits, expected);
  m_conns.push_back(std::move(c));
  if (!connecting) handle_write(*m_conns.back());
}

void Network::accept_all(int listen_fd) {
  for (;;) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN or a transient error: poll again later
    if (m_conns.size() >= m_options.limits.max_peers) {
      ::close(fd);
      if (on_refused) on_refused(address_of(ss), "peer limit reached");
      continue;
    }
    set_nonblocking(fd);
    add_conn(fd, false, address_of(ss), std::nullopt, false);
  }
}

void Network::close_conn(Conn& c, const std::string& reason) {
  if (c.dead) return;
  c.dead = true;
  if (c.fd >= 0) ::close(c.fd);
  c.fd = -1;
  if (c.announced) {
    auto it = m_by_peer.find(c.link->peer()->x25519);
    if (it != m_by_peer.end() && it->second == &c) m_by_peer.erase(it);
    if (on_disconnect) on_disconnect(*c.link->peer(), reason);
  } else if (on_refused) {
    on_refused(c.address, reason);
  }
}

void Network::established(Conn& c) {
  const PeerInfo& p = *c.link->peer();
  auto it = m_by_peer.find(p.x25519);
  if (it != m_by_peer.end() && it->second != &c) {
    // Both ends dialled each other. Each keeps the link that the member with
    // the smaller X25519 key initiated, so both keep the same one.
    Conn& other = *it->second;
    bool self_smaller = m_self.info.x25519 < p.x25519;
    bool keep_new = c.link->initiator() == self_smaller;
    if (!keep_new) {
      close_conn(c, "duplicate link");
      return;
    }
    // Replaced silently: the member stays connected.
    other.dead = true;
    ::close(other.fd);
    other.fd = -1;
  }
  bool was_connected = it != m_by_peer.end();
  m_by_peer[p.x25519] = &c;
  c.announced = true;
  if (!was_connected && on_connect) on_connect(p);
}

void Network::handle_write(Conn& c) {
  while (!c.dead && c.link->out_size() > 0) {
    ssize_t n = ::send(c.fd, c.link->out_data(), c.link->out_size(), MSG_NOSIGNAL);
    if (n > 0) {
      c.link->out_consumed(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    close_conn(c, std::string("write failed: ") + std::strerror(errno));
  }
}

void Network::handle_read(Conn& c) {
  uint8_t buf[65536];
  size_t budget = m_options.limits.read_budget;
  while (!c.dead && budget > 0) {
    ssize_t n = ::recv(c.fd, buf, std::min(sizeof buf, budget), 0);
    if (n == 0) {
      close_conn(c, "closed by peer");
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      close_conn(c, std::string("read failed: ") + std::strerror(errno));
      return;
    }
    budget -= static_cast<size_t>(n);
    bool was_established = c.link->established();
    try {
      c.link->receive(buf, static_cast<size_t>(n));
    } catch (const Error& e) {
      close_conn(c, e.message());
      return;
    }
    if (!was_established && c.link->established()) {
      established(c);
      if (c.dead) return;
    }
    while (auto m = c.link->next_message()) {
      ++c.in;
      if (on_message && c.announced) on_message(*c.link->peer(), std::move(*m));
      if (c.dead) return;
    }
    handle_write(c);  // handshake replies
  }
}

bool Network::send(const crypto::X25519Public& peer, std::string_view message) {
  auto it = m_by_peer.find(peer);
  if (it == m_by_peer.end()) return false;
  Conn& c = *it->second;
  if (!c.link->send(message)) {
    close_conn(c, "outbox over " + std::to_string(m_options.limits.max_outbox) + " bytes: peer too slow");
    return false;
  }
  ++c.out;
  handle_write(c);
  return !c.dead;
}

size_t Network::broadcast(std::string_view message) {
  std::vector<crypto::X25519Public> peers;
  for (auto& [k, c] : m_by_peer) peers.push_back(k);
  size_t n = 0;
  for (auto& k : peers) n += send(k, message) ? 1 : 0;
  return n;
}

void Network::disconnect(const crypto::X25519Public& peer) {
  auto it = m_by_peer.find(peer);
  if (it != m_by_peer.end()) close_conn(*it->second, "disconnected locally");
  reap();
}

bool Network::forget(const std::string& key_id) {
  auto x = m_allowed.remove(key_id);
  if (!x) return false;
  auto it = m_by_peer.find(*x);
  // Closed, not reaped: this may run inside a callback of the link being
  // read (run_once reaps dead links at the end of its turn).
  if (it != m_by_peer.end()) close_conn(*it->second, "no longer a member of the chain");
  return true;
}

bool Network::connected(const crypto::X25519Public& peer) const { return m_by_peer.count(peer) > 0; }

void Network::reap() {
  std::erase_if(m_conns, [](const std::unique_ptr<Conn>& c) { return c->dead; });
}

void Network::run_once(int timeout_ms) {
  // Handshake deadlines shorten the wait.
  auto now = Clock::now();
  for (auto& c : m_conns) {
    if (c->link->established()) continue;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(c->deadline - now).count();
    timeout_ms = static_cast<int>(std::max<long long>(0, std::min<long long>(timeout_ms, left + 1)));
  }
  std::vector<pollfd> fds;
  fds.reserve(m_listeners.size() + m_conns.size());
  for (int fd : m_listeners) fds.push_back({fd, POLLIN, 0});
  for (auto& c : m_conns) {
    short ev = POLLIN;
    if (c->connecting || c->link->out_size() > 0) ev |= POLLOUT;
    if (c->connecting) ev = POLLOUT;
    fds.push_back({c->fd, ev, 0});
  }
  int rc = ::poll(fds.data(), fds.size(), timeout_ms);
  if (rc < 0 && errno != EINTR) throw Error(Exit::io, std::string("poll failed: ") + std::strerror(errno));
  size_t conn_count = m_conns.size();  // accepts below append; they are polled next turn
  if (rc > 0) {
    for (size_t i = 0; i < m_listeners.size(); ++i)
      if (fds[i].revents & POLLIN) accept_all(fds[i].fd);
    for (size_t i = 0; i < conn_count; ++i) {
      Conn& c = *m_conns[i];
      short re = fds[m_listeners.size() + i].revents;
      if (c.dead || re == 0) continue;
      if (c.connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
          close_conn(c, std::string("connect failed: ") + std::strerror(err));
          continue;
        }
        if (connected_to_itself(c.fd)) {
          close_conn(c, "connect failed: connected to itself (nothing listens there)");
          continue;
        }
        c.connecting = false;
        handle_write(c);
        continue;
      }
      if (re & (POLLIN | POLLHUP | POLLERR)) handle_read(c);
      if (!c.dead && (re & POLLOUT)) handle_write(c);
    }
  }
  now = Clock::now();
  for (auto& c : m_conns)
    if (!c->dead && !c->link->established() && now >= c->deadline) close_conn(*c, "handshake timed out");
  reap();
}

std::vector<PeerStatus> Network::status() const {
  std::vector<PeerStatus> out;
  for (auto& c : m_conns) {
    if (c->dead) continue;
    PeerStatus s;
    if (c->link->peer()) s.info = *c->link->peer();
    s.address = c->address;
    s.initiator = c->link->initiator();
    s.established = c->link->established() && c->announced;
    s.buffered = c->link->buffered();
    s.messages_in = c->in;
    s.messages_out = c->out;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace hc::net
