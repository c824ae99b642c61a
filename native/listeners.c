// Reads the kernel's table of listening TCP sockets (Linux sock_diag over netlink), for the
// port probe. One dump answers for every port at once and touches no port: a bind-based check
// costs a socket, a bind, a listen and a close per port, and its probe socket briefly holds the
// very port it is checking, so a service or another host binding at that instant fails.
// /proc/net/tcp carries the same facts, but reading it walks the whole established-socket hash
// (milliseconds on a machine with a large one); the LISTEN dump walks only the listening hash.
//
// Exported (N-API, so one build serves every Node and Electron of the platform):
//   scan(bits: Uint8Array(8192)) -> number   sets bit p for every port p with a listener (IPv4
//                                            or IPv6, any address); the count, or -errno
//   inodes(port: number) -> number[] | number   socket inodes listening on port, or -errno
//
// -EOVERFLOW means the answer did not fit in one netlink reply. The kernel then sends it in parts
// and resumes each part at "bucket b, after n sockets"; a socket closing ahead of that point in
// the meantime shifts the count, and a listener that never closed is skipped without any flag
// (sock_diag does not set NLM_F_DUMP_INTR). One reply holds about 260 listeners: a machine with
// more is answered by binds (server/proc/listenerTable.ts).
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TCP_LISTEN_STATE 10 /* TCP_LISTEN in the kernel's tcp_states.h */
#define PORT_BITS_BYTES (65536 / 8)

/** One netlink socket per JS environment (main thread or worker), kept open between calls. */
typedef struct {
  int fd;
  uint32_t seq;
  unsigned char buf[32768];
} Diag;

static void close_diag(Diag *d) {
  if (d->fd >= 0) close(d->fd);
  d->fd = -1;
}

typedef void (*on_socket)(const struct inet_diag_msg *msg, void *ctx);

static int dump_states(Diag *d, int family, uint32_t states, uint16_t port, on_socket each, void *ctx);

/**
 * A new netlink socket's first reply is one page (about 30 listeners): the kernel sizes replies
 * by the largest recv() the socket has seen. An empty dump (no states asked for) read with the
 * full buffer raises that to 32 KiB before any real question is asked.
 */
static int open_diag(Diag *d) {
  if (d->fd >= 0) return 0;
  d->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (d->fd < 0) return -errno;
  return dump_states(d, AF_INET, 0, 0, NULL, NULL);
}

/**
 * Dumps the listening TCP sockets of one family, calling `each` for every one (with sport
 * filtered by the kernel when `port` is non-zero). 0, or -errno; -EOVERFLOW when the sockets came
 * in more than one reply (see the top of this file). Any failure closes the socket so that a
 * half-read dump can never be mistaken for the next call's answer.
 */
static int dump(Diag *d, int family, uint16_t port, on_socket each, void *ctx) {
  int err = open_diag(d);
  return err ? err : dump_states(d, family, 1u << TCP_LISTEN_STATE, port, each, ctx);
}

static int dump_states(Diag *d, int family, uint32_t states, uint16_t port, on_socket each, void *ctx) {
  int err;
  struct {
    struct nlmsghdr nlh;
    struct inet_diag_req_v2 req;
  } msg;
  memset(&msg, 0, sizeof msg);
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.nlh.nlmsg_seq = ++d->seq;
  msg.req.sdiag_family = (uint8_t)family;
  msg.req.sdiag_protocol = IPPROTO_TCP;
  msg.req.idiag_states = states;
  msg.req.id.idiag_sport = htons(port);
  msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  ssize_t sent;
  do sent = sendto(d->fd, &msg, sizeof msg, 0, (struct sockaddr *)&kernel, sizeof kernel);
  while (sent < 0 && errno == EINTR);
  if (sent < 0) goto failed;
  // Replies that carried sockets: the kernel sends what fits in one, then the end in another.
  int with_sockets = 0;
  for (;;) {
    ssize_t n;
    // MSG_TRUNC: the datagram's real length, so a reply larger than the buffer is an error, not a short answer.
    do n = recv(d->fd, d->buf, sizeof d->buf, MSG_TRUNC);
    while (n < 0 && errno == EINTR);
    if (n < 0) goto failed;
    if (n == 0) {
      errno = EPROTO;
      goto failed;
    }
    if ((size_t)n > sizeof d->buf) {
      errno = EMSGSIZE;
      goto failed;
    }
    int len = (int)n;
    int counted = 0;
    for (struct nlmsghdr *h = (struct nlmsghdr *)d->buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != d->seq) continue; // a reply to an earlier, abandoned request
      if (h->nlmsg_type == NLMSG_DONE) {
        // The kernel ends a dump that failed part-way with its error in the DONE message.
        int done_errno = h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) ? *(const int *)NLMSG_DATA(h) : 0;
        if (done_errno < 0) {
          errno = -done_errno;
          goto failed;
        }
        // A dump the kernel flags as interrupted may have skipped sockets (TCP's does not flag
        // today; the part-reply check above is what catches that).
        if (h->nlmsg_flags & NLM_F_DUMP_INTR) {
          errno = EAGAIN;
          goto failed;
        }
        return 0;
      }
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = (const struct nlmsgerr *)NLMSG_DATA(h);
        errno = e->error ? -e->error : EPROTO;
        goto failed;
      }
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg))) continue;
      const struct inet_diag_msg *m = (const struct inet_diag_msg *)NLMSG_DATA(h);
      if (!each || m->idiag_state != TCP_LISTEN_STATE) continue;
      if (port && ntohs(m->id.idiag_sport) != port) continue;
      if (!counted++ && ++with_sockets > 1) {
        errno = EOVERFLOW;
        goto failed;
      }
      each(m, ctx);
    }
  }
failed:
  err = -errno;
  close_diag(d);
  return err;
}

/** A kernel without IPv6 has no IPv6 listeners: an answer, not a failure. */
static int dump_v6(Diag *d, uint16_t port, on_socket each, void *ctx) {
  int err = dump(d, AF_INET6, port, each, ctx);
  return err == -EAFNOSUPPORT || err == -ENOENT ? 0 : err;
}

typedef struct {
  unsigned char *bits;
  int32_t count;
} ScanCtx;

static void mark(const struct inet_diag_msg *m, void *ctx) {
  ScanCtx *s = ctx;
  uint16_t p = ntohs(m->id.idiag_sport);
  s->bits[p >> 3] |= (unsigned char)(1u << (p & 7));
  s->count++;
}

/** More than one reply holds on one port: enough for any SO_REUSEPORT group. */
typedef struct {
  uint32_t inodes[512];
  uint32_t n;
} InodeCtx;

static void collect(const struct inet_diag_msg *m, void *ctx) {
  InodeCtx *c = ctx;
  if (c->n < sizeof c->inodes / sizeof c->inodes[0]) c->inodes[c->n++] = m->idiag_inode;
}

static napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

static napi_value type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
  return NULL;
}

static napi_value js_scan(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Diag *d;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || napi_get_instance_data(env, (void **)&d) != napi_ok) return NULL;
  bool is_typed = false;
  if (argc < 1 || napi_is_typedarray(env, argv[0], &is_typed) != napi_ok || !is_typed) return type_error(env, "scan: expected a Uint8Array of 8192 bytes");
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL);
  if (type != napi_uint8_array || length != PORT_BITS_BYTES) return type_error(env, "scan: expected a Uint8Array of 8192 bytes");
  ScanCtx ctx = {.bits = data, .count = 0};
  memset(ctx.bits, 0, PORT_BITS_BYTES);
  int err = dump(d, AF_INET, 0, mark, &ctx);
  if (!err) err = dump_v6(d, 0, mark, &ctx);
  return number(env, err ? err : ctx.count);
}

static napi_value js_inodes(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  Diag *d;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || napi_get_instance_data(env, (void **)&d) != napi_ok) return NULL;
  double value = 0;
  if (argc < 1 || napi_get_value_double(env, argv[0], &value) != napi_ok || !(value >= 1 && value <= 65535) || value != (double)(uint32_t)value) {
    return type_error(env, "inodes: expected a port number 1-65535");
  }
  uint32_t port = (uint32_t)value;
  InodeCtx ctx = {.n = 0};
  int err = dump(d, AF_INET, (uint16_t)port, collect, &ctx);
  if (!err) err = dump_v6(d, (uint16_t)port, collect, &ctx);
  if (err) return number(env, err);
  napi_value list;
  napi_create_array_with_length(env, ctx.n, &list);
  for (uint32_t i = 0; i < ctx.n; i++) napi_set_element(env, list, i, number(env, ctx.inodes[i]));
  return list;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  close_diag(data);
  free(data);
}

NAPI_MODULE_INIT() {
  Diag *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->fd = -1;
  if (napi_set_instance_data(env, d, finalize, NULL) != napi_ok) {
    free(d);
    return NULL;
  }
  napi_property_descriptor props[] = {
      {"scan", NULL, js_scan, NULL, NULL, NULL, napi_enumerable, NULL},
      {"inodes", NULL, js_inodes, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
