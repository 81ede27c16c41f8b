/* tests.h: one Check suite per module; tests/unit/main.c runs them all. */
#ifndef UNIT_TESTS_H
#define UNIT_TESTS_H

#include <check.h>

/* An upper time bound for an assertion, stretched by UNIT_TIME_SCALE (an
 * integer, default 1) for slow runs: `make valgrind` and `make sanitize`
 * set it, so those runs check memory, and the plain run keeps the tight
 * bounds that prove concurrency. */
long test_ms(long ms);

Suite *make_err_log_suite(void);
Suite *make_wire_codecs_suite(void);
Suite *make_gossip_suite(void);
Suite *make_reclaim_suite(void);
Suite *make_backoff_suite(void);
Suite *make_config_suite(void);
Suite *make_fake_http_suite(void);
Suite *make_http_suite(void);
Suite *make_http_retry_suite(void);
Suite *make_http_errors_suite(void);
Suite *make_http_stream_suite(void);
Suite *make_json_suite(void);
Suite *make_k8s_suite(void);
Suite *make_k8s_token_suite(void);
Suite *make_k8s_list_watch_suite(void);
Suite *make_k8s_objects_suite(void);
Suite *make_k8s_config_suite(void);
Suite *make_k8s_pod_suite(void);
Suite *make_k8s_watch_suite(void);
Suite *make_dns_suite(void);
Suite *make_dns_wait_suite(void);
Suite *make_dkron_suite(void);
Suite *make_dkron_parse_suite(void);
Suite *make_dkron_cli_suite(void);
Suite *make_proc_suite(void);
Suite *make_proc_capture_suite(void);
Suite *make_child_suite(void);
Suite *make_step_suite(void);
Suite *make_wrapper_suite(void);
Suite *make_bootstrap_suite(void);
Suite *make_shutdown_policy_suite(void);
Suite *make_server_argv_suite(void);
Suite *make_leader_label_suite(void);
Suite *make_dead_peers_suite(void);
Suite *make_wrapper_config_suite(void);
Suite *make_readiness_suite(void);
Suite *make_handover_suite(void);
Suite *make_dkron_config_suite(void);
Suite *make_launcher_suite(void);
Suite *make_launcher_watch_suite(void);
Suite *make_launcher_config_suite(void);
Suite *make_status_server_suite(void);
Suite *make_raft_wire_suite(void);
Suite *make_dynbuf_suite(void);
Suite *make_metrics_suite(void);
Suite *make_events_suite(void);
Suite *make_receiver_suite(void);
Suite *make_member_check_suite(void);
Suite *make_redact_suite(void);
Suite *make_podinfo_suite(void);
Suite *make_runtime_suite(void);
Suite *make_leadership_suite(void);
Suite *make_shutdown_suite(void);
Suite *make_supervise_suite(void);

#endif
