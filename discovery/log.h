/* log.h: levelled, timestamped log lines in text or JSON, one write each.
 *
 * Text:  2026-11-22T07:03:01.123Z INFO  dkron-server-wrapper: message
 *        pod=dkron-server-0 peer=dkron-server-3 reason=dead_peer
 * JSON:  {"ts":"2026-11-22T07:03:01.123Z","level":"info",
 *         "component":"dkron-server-wrapper","msg":"message",
 *         "pod":"dkron-server-0","peer":"dkron-server-3",
 *         "reason":"dead_peer"}
 *
 * Fields (key/value pairs) follow the message: the pod set once with
 * log_set_pod, then those of the call (log_fields, LOG_KV). In JSON they
 * are members of the line (numbers as numbers), in text key=value pairs
 * (a value with a space or a quote is quoted).
 *
 * Lines go to stderr (or the fd set by log_set_fd) with a single write(2),
 * so lines from several threads never interleave. Never pass a secret (a
 * token, an Authorization header) to these functions.
 */
#ifndef DK_LOG_H
#define DK_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_FORMAT_TEXT = 0, LOG_FORMAT_JSON };

/* component is copied. Defaults: "dkron-k8s", LOG_INFO, text, stderr. */
void log_setup(const char *component, enum log_level level,
               enum log_format format);
/* Same, from the level and format names that config parsing validated;
 * unknown names fall back to info and text. */
void log_setup_names(const char *component, const char *level,
                     const char *format);
void log_set_fd(int fd);
int log_enabled(enum log_level level);

/* Parse "debug|info|warn|error" and "text|json"; 0 on success, -1 if the
 * name is unknown. */
int log_parse_level(const char *name, enum log_level *out);
int log_parse_format(const char *name, enum log_format *out);

/* The pod every line names from now on (copied; NULL: none). */
void log_set_pod(const char *pod);

struct log_field {
  const char *key; /* a short lower_snake_case word */
  const char *str; /* the value; NULL: num is the value */
  long long num;
};
#define LOG_STR(k, v) ((struct log_field){(k), (v) ? (v) : "", 0})
#define LOG_NUM(k, v) ((struct log_field){(k), NULL, (long long)(v)})

void log_fields(enum log_level level, const struct log_field *fields, size_t n,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* LOG_KV(LOG_INFO, "removed %s", (LOG_STR("peer", p), LOG_STR(...)), p) is
 * not C; write the fields as a compound literal array instead:
 *   LOG_KV(LOG_INFO, FIELDS(LOG_STR("peer", p), LOG_NUM("duration_ms", ms)),
 *          "removed %s", p); */
#define FIELDS(...) ((const struct log_field[]){__VA_ARGS__})
#define LOG_KV(level, fields, ...)                                    \
  do {                                                                \
    if (log_enabled(level))                                           \
      log_fields(level, fields, sizeof(fields) / sizeof((fields)[0]), \
                 __VA_ARGS__);                                        \
  } while (0)

void log_msg(enum log_level level, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
  __attribute__((format(printf, 2, 0)));

#define LOG_DEBUGF(...)                \
  do {                                 \
    if (log_enabled(LOG_DEBUG))        \
      log_msg(LOG_DEBUG, __VA_ARGS__); \
  } while (0)
#define LOG_INFOF(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define LOG_WARNF(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define LOG_ERRORF(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
