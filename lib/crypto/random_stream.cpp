// RandomStream: a system-RNG key expanded with ChaCha20 (see random_stream.h).
#include <hc/crypto/random_stream.h>

#include <hc/core/error.h>
#include <hc/crypto/crypto.h>

#include <algorithm>
#include <cstring>

#include <sodium.h>
#include <sys/mman.h>
#include <unistd.h>

namespace hc::crypto {

namespace {

/// System-RNG output waiting to become stream keys, one pool per thread.
/// A read of the system RNG costs a system call (about 0.3 µs) however few
/// bytes it returns, as much as the rest of a small document's randomness;
/// reading 1 KiB at a time and handing it out 32 bytes per stream keeps
/// every stream key a direct draw from the system RNG at a tenth of the
/// cost. Bytes handed out are wiped from the pool at once.
///
/// The pool lives in its own pages, which the kernel gives a child process
/// as zeros after fork() (MADV_WIPEONFORK, Linux 4.14), so that parent and
/// child can never hand out the same key; `left` reads 0 there and the child
/// draws afresh. The pages are also kept out of core dumps and, where the
/// memory-lock limit allows, out of swap. Where the kernel cannot wipe on
/// fork, there is no pool: every stream reads its key from the system RNG.
class KeyPool {
 public:
  static constexpr size_t k_bytes = 1024;

  KeyPool() {
    void* p = mmap(nullptr, sizeof(Page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    if (madvise(p, sizeof(Page), MADV_WIPEONFORK) != 0) {
      munmap(p, sizeof(Page));
      return;
    }
    madvise(p, sizeof(Page), MADV_DONTDUMP);
    (void)mlock(p, sizeof(Page));  // best effort, as for Botan's secure memory
    m_page = static_cast<Page*>(p);
  }
  ~KeyPool() {
    if (!m_page) return;
    secure_zero(m_page, sizeof(Page));
    munlock(m_page, sizeof(Page));
    munmap(m_page, sizeof(Page));
  }
  KeyPool(const KeyPool&) = delete;
  KeyPool& operator=(const KeyPool&) = delete;

  /// n (<= k_bytes) bytes from the system RNG into out.
  void take(uint8_t* out, size_t n) {
    if (!m_page || n > k_bytes) return random_bytes(out, n);
    if (m_page->left < n) {
      random_bytes(m_page->bytes, k_bytes);  // throws before `left` is set
      m_page->left = k_bytes;
    }
    uint8_t* from = m_page->bytes + (k_bytes - m_page->left);
    std::memcpy(out, from, n);
    secure_zero(from, n);
    m_page->left -= n;
  }

 private:
  struct Page {
    uint8_t bytes[k_bytes];
    size_t left;  ///< bytes not yet handed out, at the end of `bytes`; 0 after fork
  };
  static_assert(sizeof(Page) <= 4096);
  Page* m_page = nullptr;
};

}  // namespace

RandomStream::RandomStream() {
  if (sodium_init() < 0) throw Error(Exit::internal, "libsodium failed to initialise");
  thread_local KeyPool pool;
  pool.take(m_key.data(), m_key.size());
}

RandomStream::~RandomStream() {
  secure_zero(m_key.data(), m_key.size());
  secure_zero(m_buf.data(), m_buf.size());
}

void RandomStream::refill() {
  static_assert(crypto_stream_chacha20_ietf_KEYBYTES == 32 && crypto_stream_chacha20_ietf_NONCEBYTES == 12);
  uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {};
  uint64_t c = m_counter++;
  for (int i = 0; i < 8; ++i) nonce[i] = static_cast<uint8_t>(c >> (8 * i));
  crypto_stream_chacha20_ietf(m_buf.data(), m_buf.size(), nonce, m_key.data());
  m_pos = 0;
}

void RandomStream::fill(uint8_t* out, size_t n) {
  while (n > 0) {
    if (m_pos == m_buf.size()) refill();
    size_t take = std::min(n, m_buf.size() - m_pos);
    std::memcpy(out, m_buf.data() + m_pos, take);
    m_pos += take;
    out += take;
    n -= take;
  }
}

const uint8_t* RandomStream::take(size_t n) {
  static_assert(sizeof m_buf >= 64);
  if (n > 64) throw Error(Exit::internal, "RandomStream::take: at most 64 bytes at a time");
  if (m_buf.size() - m_pos < n) refill();  // (the rest is overwritten)
  const uint8_t* p = m_buf.data() + m_pos;
  m_pos += n;
  return p;
}

size_t RandomStream::below(size_t n) {
  if (n <= 1) return 0;
  // D. Lemire, "Fast Random Integer Generation in an Interval" (ACM TOMACS
  // 29(1), 2019): the high word of r * n is uniform in [0, n) once the r
  // whose low word falls below 2^64 mod n are rejected; the division that
  // finds 2^64 mod n is needed only when the low word is that small.
  auto draw = [this, n] {
    uint64_t r;
    std::memcpy(&r, take(sizeof r), sizeof r);
    return static_cast<unsigned __int128>(r) * n;
  };
  unsigned __int128 m = draw();
  if (static_cast<uint64_t>(m) < n) {
    const uint64_t reject_below = (0 - static_cast<uint64_t>(n)) % n;  // 2^64 mod n
    while (static_cast<uint64_t>(m) < reject_below) m = draw();
  }
  return static_cast<size_t>(m >> 64);
}

}  // namespace hc::crypto
