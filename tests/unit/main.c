/* main.c: the unit-test runner. One suite per module, fork mode (unless
 * CK_FORK=no, as under valgrind). CK_RUN_SUITE / CK_RUN_CASE select a
 * subset, as Check documents. */
#include <stdlib.h>

#include "tests.h"

long test_ms(long ms)
{
  const char *scale = getenv("UNIT_TIME_SCALE");
  long k = scale ? strtol(scale, NULL, 10) : 1;

  return k > 1 ? ms * k : ms;
}

int main(void)
{
  SRunner *sr = srunner_create(make_err_log_suite());
  int failed;

  srunner_add_suite(sr, make_backoff_suite());
  srunner_add_suite(sr, make_config_suite());
  srunner_add_suite(sr, make_fake_http_suite());
  srunner_add_suite(sr, make_http_suite());
  srunner_add_suite(sr, make_http_retry_suite());
  srunner_add_suite(sr, make_http_errors_suite());
  srunner_add_suite(sr, make_http_stream_suite());
  srunner_add_suite(sr, make_json_suite());
  srunner_add_suite(sr, make_k8s_suite());
  srunner_add_suite(sr, make_k8s_token_suite());
  srunner_add_suite(sr, make_k8s_list_watch_suite());
  srunner_add_suite(sr, make_k8s_objects_suite());
  srunner_add_suite(sr, make_k8s_config_suite());
  srunner_add_suite(sr, make_k8s_pod_suite());
  srunner_add_suite(sr, make_k8s_watch_suite());
  srunner_add_suite(sr, make_dns_suite());
  srunner_add_suite(sr, make_dns_wait_suite());
  srunner_add_suite(sr, make_dkron_suite());
  srunner_add_suite(sr, make_dkron_parse_suite());
  srunner_add_suite(sr, make_dkron_cli_suite());
  srunner_add_suite(sr, make_proc_suite());
  srunner_add_suite(sr, make_proc_capture_suite());
  srunner_add_suite(sr, make_child_suite());
  srunner_add_suite(sr, make_step_suite());
  srunner_add_suite(sr, make_wrapper_suite());
  srunner_add_suite(sr, make_bootstrap_suite());
  srunner_add_suite(sr, make_shutdown_policy_suite());
  srunner_add_suite(sr, make_server_argv_suite());
  srunner_add_suite(sr, make_leader_label_suite());
  srunner_add_suite(sr, make_dead_peers_suite());
  srunner_add_suite(sr, make_wrapper_config_suite());
  srunner_add_suite(sr, make_readiness_suite());
  srunner_add_suite(sr, make_handover_suite());
  srunner_add_suite(sr, make_dkron_config_suite());
  srunner_add_suite(sr, make_launcher_suite());
  srunner_add_suite(sr, make_launcher_watch_suite());
  srunner_add_suite(sr, make_launcher_config_suite());
  srunner_add_suite(sr, make_status_server_suite());
  srunner_add_suite(sr, make_raft_wire_suite());
  srunner_add_suite(sr, make_wire_codecs_suite());
  srunner_add_suite(sr, make_gossip_suite());
  srunner_add_suite(sr, make_reclaim_suite());
  srunner_add_suite(sr, make_dynbuf_suite());
  srunner_add_suite(sr, make_metrics_suite());
  srunner_add_suite(sr, make_events_suite());
  srunner_add_suite(sr, make_receiver_suite());
  srunner_add_suite(sr, make_member_check_suite());
  srunner_add_suite(sr, make_redact_suite());
  srunner_add_suite(sr, make_podinfo_suite());
  srunner_add_suite(sr, make_runtime_suite());
  srunner_add_suite(sr, make_leadership_suite());
  srunner_add_suite(sr, make_shutdown_suite());
  srunner_add_suite(sr, make_supervise_suite());
  srunner_run_all(sr, CK_NORMAL);
  failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
