/* log_capture.h: the log lines written between begin and end, for tests
 * that assert what was (and was not) logged. */
#ifndef LOG_CAPTURE_H
#define LOG_CAPTURE_H

struct log_capture {
  int fds[2];
  char text[65536];
};

void log_capture_begin(struct log_capture *lc);
void log_capture_end(struct log_capture *lc);
/* How many times what appears in the captured text. */
int log_capture_count(const struct log_capture *lc, const char *what);

#endif
