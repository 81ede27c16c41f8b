/* test_wrapper.c: the wrapper's own functions (wrapper.c): the Kubernetes
 * client's interrupt, which stops a call once the shutdown's API budget is
 * spent; the bootstrap decision of a single-server cluster; which peer
 * names the start waits for (a real dnsmasq, dns_fixtures.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "dns_fixtures.h"
#include "log_capture.h"
#include "tests.h"
#include "wrapper.h"
#include "wrapper_fixture.h"

/* The Kubernetes client's interrupt: a budget that has run out stops the
 * call; no budget and no pending stop signal lets it run. */
START_TEST(api_budget_stops_calls_once_spent)
{
  struct wrapper w;

  memset(&w, 0, sizeof(w));
  ck_assert_int_eq(wrapper_api_should_stop(&w), 0);
  w.api_deadline = clock_ms() + 60000;
  ck_assert_int_eq(wrapper_api_should_stop(&w), 0);
  w.api_deadline = clock_ms() - 1;
  ck_assert_int_eq(wrapper_api_should_stop(&w), 1);
  w.api_deadline = 0;
  ck_assert_int_eq(wrapper_api_should_stop(&w), 0);
}
END_TEST

/* The data dir is written at start (dkron's config file): one that cannot
 * be written fails the start, not dkron's launch after the DNS wait. */
START_TEST(an_unwritable_data_dir_fails_the_start)
{
  struct wrapper_config cfg;
  struct log_capture lc;
  struct wrapper w;
  struct step s;

  memset(&cfg, 0, sizeof(cfg));
  cfg.initial_cluster_size = 1;
  cfg.pod_name = "dkron-server-0";
  cfg.pod_ip = "10.0.0.1";
  cfg.data_dir = "/proc/no-such-dir";
  cfg.http_port = 8080;
  cfg.rpc_port = 6868;
  cfg.reconcile_interval = 2000;
  cfg.kube_api_url = "http://127.0.0.1:1";
  log_capture_begin(&lc);
  s = wrapper_start(&w, &cfg);
  log_capture_end(&lc);
  wrapper_finish(&w);
  ck_assert_msg(!step_goes_on(s) && s.exit_code == STEP_START_FAILED, "%s",
                lc.text);
  ck_assert_msg(strstr(lc.text, "the data dir must be writable"), "%s",
                lc.text);
}
END_TEST

/* A cluster of one has no peers to ask for a leader: that is normal, not
 * worth a warning on every start; with no Raft state it bootstraps. */
START_TEST(a_single_server_decides_without_asking_anyone)
{
  char dir[] = "/tmp/dk-single-XXXXXX";
  struct wrapper_config cfg;
  struct log_capture lc;
  struct wrapper w;
  long expect;

  ck_assert_ptr_nonnull(mkdtemp(dir));
  memset(&cfg, 0, sizeof(cfg));
  cfg.initial_cluster_size = 1;
  cfg.ordinal = 0;
  cfg.data_dir = dir;
  cfg.leader_query_timeout = 1000;
  memset(&w, 0, sizeof(w));
  w.cfg = &cfg;
  log_capture_begin(&lc);
  expect = wrapper_decide_bootstrap(&w);
  log_capture_end(&lc);
  ck_assert_int_eq(expect, 1);
  ck_assert_msg(!strstr(lc.text, "WARN") && !strstr(lc.text, "need at least"),
                "%s", lc.text);
  ck_assert_msg(strstr(lc.text, "--bootstrap-expect=1"), "%s", lc.text);
  ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* After a scale-down from 5 to 3 with --initial-cluster-size left at 5,
 * the names of ordinals 3 and 4 are gone for good: a restarted server
 * waits for those below spec.replicas (and its own), not for them. */
START_TEST(the_start_waits_only_for_the_names_below_spec_replicas)
{
  static const struct fake_response three = {.status = 200,
                                             .body = WF_STATEFULSET(3)};
  const struct fake_route routes[] = {{"GET", WF_STS_PATH, &three, 1}};
  struct wrapper_fixture f;
  struct log_capture lc;
  struct step s;

  ck_assert_int_eq(set_hosts(BASE_HOSTS
                             "10.244.0.11 dkron-server-1.svc.test\n"
                             "10.244.0.10 dkron-server-0.svc.test\n"
                             "10.244.0.12 dkron-server-2.svc.test\n"),
                   0);
  wf_start(&f, 1, routes, 1, "exit 0");
  f.cfg.initial_cluster_size = 5;
  f.cfg.self_fqdn = (char *)"dkron-server-1.svc.test";
  f.cfg.peers[0] = (char *)"dkron-server-0.svc.test";
  f.cfg.peers[1] = (char *)"dkron-server-2.svc.test";
  f.cfg.peers[2] = (char *)"dkron-server-3.svc.test";
  f.cfg.peers[3] = (char *)"dkron-server-4.svc.test";
  f.cfg.n_peers = 4;
  f.cfg.dns_server = g_dm.server;
  f.cfg.peer_dns_timeout = 3000;
  log_capture_begin(&lc);
  s = wrapper_wait_for_peers(&f.w);
  log_capture_end(&lc);
  ck_assert_msg(step_goes_on(s), "%s", lc.text);
  ck_assert_msg(strstr(lc.text, "spec.replicas=3"), "%s", lc.text);
  ck_assert_uint_eq(wf_hits(&f, "GET", WF_STS_PATH), 1);
  f.cfg.self_fqdn = NULL;
  f.cfg.n_peers = 0;
  wf_stop(&f);
}
END_TEST

/* A server back at a new IP: CoreDNS (kubeadm's Corefile: cache 30, the
 * kubernetes plugin's ttl 30) may answer its own name from before this
 * pod for up to 30 s, with the last pod's address or with the "not found"
 * of the moment it was gone. Nothing of the launch needs that record
 * (dkron joins the others by their names, Serf announces the new address),
 * so the start waits for the peers' names only. */
START_TEST(our_own_name_does_not_hold_the_start)
{
  static const char *const own[] = {"10.244.0.99 dkron-server-1.svc.test\n",
                                    ""};
  const struct fake_route routes[] = {{0}};
  struct wrapper_fixture f;
  struct log_capture lc;
  struct step s;
  char hosts[512];
  int64_t t0;

  snprintf(hosts, sizeof(hosts),
           BASE_HOSTS "%s"
                      "10.244.0.10 dkron-server-0.svc.test\n"
                      "10.244.0.12 dkron-server-2.svc.test\n",
           own[_i]);
  ck_assert_int_eq(set_hosts(hosts), 0);
  wf_start(&f, 1, routes, 0, "exit 0");
  f.cfg.self_fqdn = (char *)"dkron-server-1.svc.test";
  f.cfg.peers[0] = (char *)"dkron-server-0.svc.test";
  f.cfg.peers[1] = (char *)"dkron-server-2.svc.test";
  f.cfg.n_peers = 2;
  f.cfg.dns_server = g_dm.server;
  f.cfg.peer_dns_timeout = 4000;
  t0 = now_ms();
  log_capture_begin(&lc);
  s = wrapper_wait_for_peers(&f.w);
  log_capture_end(&lc);
  ck_assert_msg(step_goes_on(s), "%s", lc.text);
  ck_assert_msg(now_ms() - t0 < 2000, "took %lld ms: %s",
                (long long)(now_ms() - t0), lc.text);
  ck_assert_msg(strstr(lc.text, "all 2 peer names resolve"), "%s", lc.text);
  f.cfg.self_fqdn = NULL;
  f.cfg.n_peers = 0;
  wf_stop(&f);
}
END_TEST

Suite *make_wrapper_suite(void)
{
  Suite *s = suite_create("wrapper");
  TCase *tc = tcase_create("wrapper");
  TCase *peers;

  tcase_add_test(tc, api_budget_stops_calls_once_spent);
  tcase_add_test(tc, a_single_server_decides_without_asking_anyone);
  tcase_add_test(tc, an_unwritable_data_dir_fails_the_start);
  suite_add_tcase(s, tc);
  peers = tcase_create("peers");
  tcase_add_unchecked_fixture(peers, case_setup, case_teardown);
  tcase_add_checked_fixture(peers, dnsmasq_setup, dnsmasq_teardown);
  tcase_set_timeout(peers, 30);
  tcase_add_test(peers, the_start_waits_only_for_the_names_below_spec_replicas);
  tcase_add_loop_test(peers, our_own_name_does_not_hold_the_start, 0, 2);
  suite_add_tcase(s, peers);
  return s;
}
