// One peer link as a state machine without I/O: bytes from the socket go in
// (receive), application messages come out (next_message); messages to send
// go in (send), bytes for the socket come out (outbox). The handshake is
// Noise_XX_25519_ChaChaPoly_SHA256 with the prologue "hc-net/1" || network ID,
// so links of different networks never complete. Every bound is checked here,
// so the event loop and the fuzzer exercise the same code.
#pragma once

#include <hc/net/framing.h>
#include <hc/net/noise.h>
#include <hc/net/peers.h>

#include <deque>
#include <memory>
#include <optional>

namespace hc::net {

/// The Noise prologue for a network: "hc-net/1" NUL network_id.
std::string link_prologue(std::string_view network_id);

class Link {
 public:
  /// `expected`, for an outgoing link, is the member the caller meant to
  /// reach; the handshake fails if another member answers. `ephemeral` fixes
  /// the ephemeral key (tests only).
  Link(bool initiator, const Identity& self, const AllowedPeers& allowed, std::string_view prologue,
       const Limits& limits, std::optional<crypto::X25519Public> expected = std::nullopt,
       std::optional<SecretBytes> ephemeral = std::nullopt);

  bool initiator() const { return m_initiator; }
  bool established() const { return m_transport != nullptr; }
  /// The authenticated member, once the handshake is complete.
  const PeerInfo* peer() const { return m_peer; }
  /// The handshake hash: a value both ends share (channel binding).
  const Hash256& handshake_hash() const { return m_hash; }

  /// Consumes bytes read from the socket. Throws Error: {perm} for a peer
  /// that is not a member (or not the expected one), {invalid} for a failed
  /// handshake or tag, {data} for malformed or oversized frames and messages.
  /// After a throw the link is dead and must be closed.
  void receive(const uint8_t* data, size_t n);
  /// The next complete application message received, if any.
  std::optional<Bytes> next_message();

  /// Queues an application message (split into frames, encrypted). Before
  /// the handshake completes messages wait, unencrypted, in a bounded queue.
  /// Returns false (and queues nothing) when the peer's outbox is full.
  bool send(std::string_view message);
  /// Bytes waiting for the socket, and how many of them were written.
  const uint8_t* out_data() const { return m_out.data() + m_out_pos; }
  size_t out_size() const { return m_out.size() - m_out_pos; }
  void out_consumed(size_t n);
  /// Bytes this link holds in memory (outbox + partial input), for status.
  size_t buffered() const;

 private:
  void handshake_frame(const Bytes& frame);
  void transport_frame(Bytes& frame);
  void authenticate(const crypto::X25519Public& rs);
  void seal_message(std::string_view message);
  void flush_pending();

  bool m_initiator;
  const AllowedPeers& m_allowed;
  crypto::X25519Public m_self_pub;
  Limits m_limits;
  std::optional<crypto::X25519Public> m_expected;
  std::unique_ptr<HandshakeXX> m_hs;
  std::unique_ptr<Transport> m_transport;
  const PeerInfo* m_peer = nullptr;
  Hash256 m_hash{};
  FrameReader m_reader;
  Reassembler m_reassembler;
  std::deque<Bytes> m_in;
  std::deque<Bytes> m_pending;  // sent before the handshake completed
  size_t m_pending_bytes = 0;
  Bytes m_out;
  size_t m_out_pos = 0;
};

}  // namespace hc::net
