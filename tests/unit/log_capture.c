/* log_capture.c: see log_capture.h. */
#include "log_capture.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tests.h"

void log_capture_begin(struct log_capture *lc)
{
  ck_assert_int_eq(pipe2(lc->fds, O_NONBLOCK | O_CLOEXEC), 0);
  log_set_fd(lc->fds[1]);
}

void log_capture_end(struct log_capture *lc)
{
  size_t len = 0;
  ssize_t n;

  log_set_fd(STDERR_FILENO);
  close(lc->fds[1]);
  while (len < sizeof(lc->text) - 1 &&
         (n = read(lc->fds[0], lc->text + len, sizeof(lc->text) - 1 - len)) > 0)
    len += (size_t)n;
  lc->text[len] = '\0';
  close(lc->fds[0]);
}

int log_capture_count(const struct log_capture *lc, const char *what)
{
  int n = 0;

  for (const char *p = lc->text; (p = strstr(p, what)); p += strlen(what))
    n++;
  return n;
}
