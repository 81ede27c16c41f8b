/* log.c: see log.h. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX 4096

static struct {
  char component[64];
  enum log_level level;
  enum log_format format;
  int fd;
  char pod[256]; /* "" until log_set_pod */
} g_log = {"dkron-k8s", LOG_INFO, LOG_FORMAT_TEXT, STDERR_FILENO, ""};

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_setup(const char *component, enum log_level level,
               enum log_format format)
{
  if (component)
    snprintf(g_log.component, sizeof(g_log.component), "%s", component);
  g_log.level = level;
  g_log.format = format;
}

void log_setup_names(const char *component, const char *level,
                     const char *format)
{
  enum log_level lv = LOG_INFO;
  enum log_format fmt = LOG_FORMAT_TEXT;

  log_parse_level(level, &lv);
  log_parse_format(format, &fmt);
  log_setup(component, lv, fmt);
}

void log_set_fd(int fd)
{
  g_log.fd = fd;
}

void log_set_pod(const char *pod)
{
  snprintf(g_log.pod, sizeof(g_log.pod), "%s", pod ? pod : "");
}

int log_enabled(enum log_level level)
{
  return level >= g_log.level;
}

int log_parse_level(const char *name, enum log_level *out)
{
  for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
    if (name && strcmp(name, level_names[i]) == 0) {
      *out = (enum log_level)i;
      return 0;
    }
  }
  if (name && strcmp(name, "warning") == 0) {
    *out = LOG_WARN;
    return 0;
  }
  return -1;
}

int log_parse_format(const char *name, enum log_format *out)
{
  if (name && strcmp(name, "text") == 0) {
    *out = LOG_FORMAT_TEXT;
    return 0;
  }
  if (name && strcmp(name, "json") == 0) {
    *out = LOG_FORMAT_JSON;
    return 0;
  }
  return -1;
}

/* UTC, millisecond precision: 2026-11-22T07:03:01.123Z */
static void format_time(char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;

  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
           ts.tv_nsec / 1000000L);
}

/* Appends src to dst[*pos..cap) as the inside of a JSON string. */
static void json_escape(char *dst, size_t cap, size_t *pos, const char *src)
{
  static const char hex[] = "0123456789abcdef";

  for (const unsigned char *s = (const unsigned char *)src; *s; s++) {
    char esc[7];
    size_t n = 0;

    if (*s == '"' || *s == '\\') {
      esc[n++] = '\\';
      esc[n++] = (char)*s;
    } else if (*s == '\n') {
      esc[n++] = '\\';
      esc[n++] = 'n';
    } else if (*s == '\t') {
      esc[n++] = '\\';
      esc[n++] = 't';
    } else if (*s < 0x20) {
      memcpy(esc, "\\u00", 4);
      n = 4;
      esc[n++] = hex[*s >> 4];
      esc[n++] = hex[*s & 0xf];
    } else {
      esc[n++] = (char)*s;
    }
    if (*pos + n >= cap)
      return;
    memcpy(dst + *pos, esc, n);
    *pos += n;
  }
}

static void append(char *dst, size_t cap, size_t *pos, const char *src)
{
  size_t n = strlen(src);

  if (*pos + 1 >= cap)
    return;
  if (*pos + n >= cap)
    n = cap - *pos - 1;
  memcpy(dst + *pos, src, n);
  *pos += n;
}

/* A text value is quoted when it is empty or holds a space, a quote or
 * an '=' (so the line splits back into its pairs). */
static void text_value(char *dst, size_t cap, size_t *pos, const char *v)
{
  if (*v && !strpbrk(v, " \"=\t\n")) {
    append(dst, cap, pos, v);
    return;
  }
  append(dst, cap, pos, "\"");
  json_escape(dst, cap - 2, pos, v);
  append(dst, cap, pos, "\"");
}

static void add_field(char *line, size_t cap, size_t *pos,
                      const struct log_field *f)
{
  char num[32];

  if (!f->str)
    snprintf(num, sizeof(num), "%lld", f->num);
  if (g_log.format == LOG_FORMAT_JSON) {
    append(line, cap, pos, ",\"");
    json_escape(line, cap - 3, pos, f->key);
    append(line, cap, pos, "\":");
    if (!f->str) {
      append(line, cap, pos, num);
      return;
    }
    append(line, cap, pos, "\"");
    json_escape(line, cap - 3, pos, f->str);
    append(line, cap, pos, "\"");
  } else {
    append(line, cap, pos, " ");
    append(line, cap, pos, f->key);
    append(line, cap, pos, "=");
    text_value(line, cap, pos, f->str ? f->str : num);
  }
}

__attribute__((format(printf, 4, 0))) static void
write_line(enum log_level level, const struct log_field *fields, size_t n,
           const char *fmt, va_list ap)
{
  char msg[LOG_LINE_MAX / 2];
  char line[LOG_LINE_MAX];
  char ts[96];
  size_t pos = 0;
  int saved_errno = errno;
  const size_t room = sizeof(line) - 2; /* for '}' and '\n' */

  vsnprintf(msg, sizeof(msg), fmt, ap);
  format_time(ts, sizeof(ts));
  if (g_log.format == LOG_FORMAT_JSON) {
    append(line, room, &pos, "{\"ts\":\"");
    append(line, room, &pos, ts);
    append(line, room, &pos, "\",\"level\":\"");
    append(line, room, &pos, level_names[level]);
    append(line, room, &pos, "\",\"component\":\"");
    json_escape(line, room - 3, &pos, g_log.component);
    append(line, room, &pos, "\",\"msg\":\"");
    json_escape(line, room - 3, &pos, msg);
    append(line, room, &pos, "\"");
  } else {
    static const char *const tags[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
    int w = snprintf(line, room, "%s %s %s: %s", ts, tags[level],
                     g_log.component, msg);
    pos = w < 0 ? 0 : (size_t)w;
    if (pos > room - 1)
      pos = room - 1;
  }
  if (g_log.pod[0]) {
    struct log_field pod = LOG_STR("pod", g_log.pod);
    add_field(line, room, &pos, &pod);
  }
  for (size_t i = 0; i < n; i++)
    add_field(line, room, &pos, &fields[i]);
  if (g_log.format == LOG_FORMAT_JSON)
    line[pos++] = '}';
  line[pos++] = '\n';
  for (size_t off = 0; off < pos;) {
    ssize_t w = write(g_log.fd, line + off, pos - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      break;
    off += (size_t)w;
  }
  errno = saved_errno;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
  if (log_enabled(level))
    write_line(level, NULL, 0, fmt, ap);
}

void log_fields(enum log_level level, const struct log_field *fields, size_t n,
                const char *fmt, ...)
{
  va_list ap;

  if (!log_enabled(level))
    return;
  va_start(ap, fmt);
  write_line(level, fields, n, fmt, ap);
  va_end(ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  log_vmsg(level, fmt, ap);
  va_end(ap);
}
