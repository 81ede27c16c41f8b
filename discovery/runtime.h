/* runtime.h: the process-wide start-up both entrypoints share.
 *
 * Blocks the handled signals and opens their signalfd (and becomes a child
 * subreaper when not PID 1), then initialises libcurl and c-ares, which
 * must happen before any thread starts.
 */
#ifndef DK_RUNTIME_H
#define DK_RUNTIME_H

/* Returns the signalfd, or -1 after logging why. */
int runtime_start(void);

/* Undoes runtime_start; safe after a failed or partial start. */
void runtime_finish(void);

#endif
