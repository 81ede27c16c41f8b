/*
 * The real-cluster tier's sandbox ("pause") image: the first process of
 * every pod sandbox, which holds the pod's namespaces while its containers
 * come and go. It sleeps until SIGINT or SIGTERM ends it, and reaps any
 * orphan that a shared PID namespace hands it. No registry can be reached
 * from the tier, so the image is made here from this one static binary
 * (tests/cluster/images.sh), under the name the runtime is configured with.
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig)
{
  (void)sig;
  _exit(0);
}

static void on_child(int sig)
{
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(void)
{
  struct sigaction stop = {.sa_handler = on_stop};
  struct sigaction child = {.sa_handler = on_child,
                            .sa_flags = SA_NOCLDSTOP | SA_RESTART};
  sigemptyset(&stop.sa_mask);
  sigemptyset(&child.sa_mask);
  if (sigaction(SIGINT, &stop, NULL) != 0 ||
      sigaction(SIGTERM, &stop, NULL) != 0 ||
      sigaction(SIGCHLD, &child, NULL) != 0) {
    static const char msg[] = "pause: sigaction failed\n";
    (void)!write(2, msg, sizeof msg - 1);
    return 1;
  }
  for (;;) {
    pause();
  }
}
