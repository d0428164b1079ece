#include <hc/net/link.h>

#include <hc/core/error.h>

#include <algorithm>

namespace hc::net {

std::string link_prologue(std::string_view network_id) {
  std::string p = "hc-net/1";
  p.push_back('\0');
  p.append(network_id);
  return p;
}

Link::Link(bool initiator, const Identity& self, const AllowedPeers& allowed, std::string_view prologue,
           const Limits& limits, std::optional<crypto::X25519Public> expected, std::optional<SecretBytes> ephemeral)
    : m_initiator(initiator),
      m_allowed(allowed),
      m_self_pub(self.info.x25519),
      m_limits(limits),
      m_expected(expected),
      m_hs(std::make_unique<HandshakeXX>(initiator, self.x25519_secret, prologue, std::move(ephemeral))),
      m_reassembler(limits.max_message) {
  if (initiator) {
    Bytes msg1 = m_hs->write_message({});
    append_frame(m_out, msg1.data(), msg1.size());
  }
}

void Link::authenticate(const crypto::X25519Public& rs) {
  if (crypto::constant_time_equal(rs.data(), m_self_pub.data(), rs.size()))
    throw Error(Exit::perm, "peer presented this node's own key");
  const PeerInfo* p = m_allowed.find(rs);
  if (!p) throw Error(Exit::perm, "peer key " + crypto::hex(rs) + " is not a consortium member's; link refused");
  if (m_expected && *m_expected != rs)
    throw Error(Exit::perm, "peer " + p->key_id + " answered where another member was expected; link refused");
  m_peer = p;
}

void Link::handshake_frame(const Bytes& frame) {
  // Handshake payloads are empty in hc-net/1: anything else is refused.
  Bytes payload = m_hs->read_message(crypto::as_chars(frame.data(), frame.size()));
  if (!payload.empty()) throw Error(Exit::data, "peer sent a handshake payload (hc-net/1 has none)");
  if (auto rs = m_hs->remote_static(); rs && !m_peer) authenticate(*rs);
  if (m_hs->my_turn()) {
    Bytes msg = m_hs->write_message({});
    append_frame(m_out, msg.data(), msg.size());
  }
  if (m_hs->complete()) {
    m_hash = m_hs->handshake_hash();
    m_transport = std::make_unique<Transport>(m_hs->split());
    m_hs.reset();
    flush_pending();
  }
}

void Link::transport_frame(Bytes& frame) {
  if (frame.size() < k_noise_tag + 1) throw Error(Exit::data, "peer sent a frame too short to be a message");
  if (!m_transport->recv.decrypt_in_place(frame)) throw Error(Exit::invalid, "peer frame failed authentication");
  if (auto msg = m_reassembler.add(frame.data(), frame.size())) m_in.push_back(std::move(*msg));
}

void Link::receive(const uint8_t* data, size_t n) {
  while (n > 0) {
    size_t used = m_reader.feed(data, n);
    data += used;
    n -= used;
    if (!m_reader.ready()) continue;
    Bytes frame = m_reader.take();
    if (m_transport)
      transport_frame(frame);
    else
      handshake_frame(frame);
  }
}

std::optional<Bytes> Link::next_message() {
  if (m_in.empty()) return std::nullopt;
  Bytes m = std::move(m_in.front());
  m_in.pop_front();
  return m;
}

void Link::seal_message(std::string_view message) {
  size_t pos = 0;
  Bytes buf;
  do {
    size_t n = std::min(k_fragment_max, message.size() - pos);
    bool last = pos + n == message.size();
    buf.clear();
    buf.push_back(last ? k_fragment_last : k_fragment_more);
    buf.insert(buf.end(), crypto::as_bytes(message) + pos, crypto::as_bytes(message) + pos + n);
    m_transport->send.encrypt_in_place(buf);
    append_frame(m_out, buf.data(), buf.size());
    pos += n;
  } while (pos < message.size());
}

bool Link::send(std::string_view message) {
  if (message.size() > m_limits.max_message)
    throw Error(Exit::data, "message of " + std::to_string(message.size()) + " bytes is over the " +
                                std::to_string(m_limits.max_message) + "-byte limit");
  // Framing adds 2 + 1 + 16 bytes per 65517-byte fragment.
  size_t wire = message.size() + 19 * (message.size() / k_fragment_max + 1);
  if (out_size() + m_pending_bytes + wire > m_limits.max_outbox) return false;
  if (!m_transport) {
    m_pending.emplace_back(crypto::as_bytes(message), crypto::as_bytes(message) + message.size());
    m_pending_bytes += wire;
    return true;
  }
  seal_message(message);
  return true;
}

void Link::flush_pending() {
  for (auto& m : m_pending) seal_message(crypto::as_chars(m.data(), m.size()));
  m_pending.clear();
  m_pending_bytes = 0;
}

void Link::out_consumed(size_t n) {
  m_out_pos += std::min(n, out_size());
  if (m_out_pos == m_out.size()) {
    m_out.clear();
    m_out_pos = 0;
  } else if (m_out_pos > (1u << 20) && m_out_pos > m_out.size() / 2) {
    m_out.erase(m_out.begin(), m_out.begin() + static_cast<std::ptrdiff_t>(m_out_pos));
    m_out_pos = 0;
  }
}

size_t Link::buffered() const { return out_size() + m_pending_bytes + m_reader.buffered() + m_reassembler.buffered(); }

}  // namespace hc::net
