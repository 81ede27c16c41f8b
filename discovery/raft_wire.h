/* raft_wire.h: one RPC of hashicorp/raft's network transport, spoken
 * directly: TimeoutNow, which tells a follower to start an election at
 * once. It is the last step of raft's own LeadershipTransfer.
 *
 * dkron has no leadership transfer of its own: its leave shuts Raft down,
 * and the followers wait out a heartbeat timeout (1-2 s) before one of
 * them stands. The server wrapper sends TimeoutNow to a chosen follower
 * before its leader leaves, so the next leader is elected in milliseconds
 * and is the one the wrapper picked. Raft's safety is unchanged: the
 * candidate still needs the votes of a majority whose logs are no newer
 * than its own, and a transfer that fails costs only the election that
 * would have happened anyway.
 *
 * Wire format (hashicorp/raft net_transport.go, msgpack via go-msgpack):
 *   request   one byte, rpcTimeoutNow (3), then the request as a msgpack
 *             map {"ProtocolVersion": 3} (RPCHeader's fields are inline;
 *             the sender's ID and Addr are not checked)
 *   response  a msgpack string, the error ("" on success), then the
 *             response map, which is not needed
 * dkron serves Raft on its rpc port beside gRPC: a connection that does
 * not open with HTTP/2 is Raft's. A dkron with TLS on that port answers
 * nothing readable here; the caller then falls back to dkron's leave.
 */
#ifndef DK_RAFT_WIRE_H
#define DK_RAFT_WIRE_H

#include "err.h"

/* Sends TimeoutNow to the Raft server at ip:port (numeric IPv4 or IPv6)
 * and reads its answer, all within timeout_ms. DK_OK when it accepted;
 * DK_EEXEC with raft's error text when it refused; DK_ECONNECT,
 * DK_ETIMEOUT or DK_EPARSE otherwise. */
enum dk_code raft_timeout_now(const char *ip, long port, long timeout_ms,
                              struct dk_err *err);

/* The request bytes, exposed for tests; returns their length. */
size_t raft_timeout_now_request(unsigned char *buf, size_t cap);

/* Parses the start of a response: DK_OK with *done set once the error
 * string is complete (its text in err on a refusal: DK_EEXEC), *done
 * false while more bytes are needed, DK_EPARSE when it is not one. */
enum dk_code raft_parse_response(const unsigned char *buf, size_t len,
                                 int *done, struct dk_err *err);

#endif
