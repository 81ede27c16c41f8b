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
} g_log = {"dkron-k8s", LOG_INFO, LOG_FORMAT_TEXT, STDERR_FILENO};

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

  if (*pos + n >= cap)
    n = cap - *pos - 1;
  memcpy(dst + *pos, src, n);
  *pos += n;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
  char msg[LOG_LINE_MAX / 2];
  char line[LOG_LINE_MAX];
  char ts[96];
  size_t pos = 0;
  int saved_errno = errno;

  if (!log_enabled(level))
    return;
  vsnprintf(msg, sizeof(msg), fmt, ap);
  format_time(ts, sizeof(ts));
  if (g_log.format == LOG_FORMAT_JSON) {
    append(line, sizeof(line), &pos, "{\"ts\":\"");
    append(line, sizeof(line), &pos, ts);
    append(line, sizeof(line), &pos, "\",\"level\":\"");
    append(line, sizeof(line), &pos, level_names[level]);
    append(line, sizeof(line), &pos, "\",\"component\":\"");
    json_escape(line, sizeof(line) - 3, &pos, g_log.component);
    append(line, sizeof(line), &pos, "\",\"msg\":\"");
    json_escape(line, sizeof(line) - 3, &pos, msg);
    append(line, sizeof(line), &pos, "\"}");
  } else {
    static const char *const tags[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
    int n = snprintf(line, sizeof(line) - 1, "%s %s %s: %s", ts, tags[level],
                     g_log.component, msg);
    pos = n < 0 ? 0 : (size_t)n;
    if (pos > sizeof(line) - 2)
      pos = sizeof(line) - 2;
  }
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

void log_msg(enum log_level level, const char *fmt, ...)
{
  va_list ap;

  va_start(ap, fmt);
  log_vmsg(level, fmt, ap);
  va_end(ap);
}
