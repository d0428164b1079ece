// Fuzzes hc-node's peer message decoders and the commit certificate parser
// (hc-formats(5), NODE MESSAGES): any bytes either decode within the bounds or
// throw hc::Error; a decoded message re-encodes to the same bytes.
#include <hc/core/error.h>
#include <hc/node/wire.h>

#include <cstdlib>

using namespace hc::node;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes m(data, data + size);
  try {
    switch (message_type(m)) {
      case MsgType::txs: {
        auto txs = decode_txs(m);
        if (txs.size() > k_max_txs_per_msg) std::abort();
        std::string again = encode_txs(txs);
        if (again != std::string(m.begin(), m.end())) std::abort();
        break;
      }
      case MsgType::status: {
        Status s = decode_status(m);
        if (encode_status(s) != std::string(m.begin(), m.end())) std::abort();
        break;
      }
      case MsgType::get_blocks: {
        GetBlocks g = decode_get_blocks(m);
        if (g.count == 0 || g.count > k_max_blocks_per_request) std::abort();
        if (encode_get_blocks(g) != std::string(m.begin(), m.end())) std::abort();
        break;
      }
      case MsgType::block: {
        BlockMsg b = decode_block(m);
        if (b.block.empty()) std::abort();
        if (encode_block(b) != std::string(m.begin(), m.end())) std::abort();
        Certificate c = decode_certificate(b.certificate.data(), b.certificate.size());
        if (c.precommits.empty() || c.precommits.size() > k_max_cert_votes) std::abort();
        break;
      }
      case MsgType::consensus:
        break;  // lib/consensus's decoder has its own target
    }
  } catch (const hc::Error&) {
  }
  // The certificate parser on its own.
  try {
    Certificate c = decode_certificate(data, size);
    if (c.precommits.empty() || c.precommits.size() > k_max_cert_votes) std::abort();
  } catch (const hc::Error&) {
  }
  return 0;
}
