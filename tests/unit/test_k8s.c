/* test_k8s.c: the Kubernetes client against the fake API server, with
 * bodies shaped as the API server returns them (managedFields left out):
 * pod parsing, paging, the watch stream, token rotation, the 401/403/404/
 * 410 fault matrix, label merge-patches, StatefulSet replicas and the
 * in-cluster configuration. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"

#include "fake_http.h"
#include "k8s.h"
#include "tests.h"

/* ---- fixtures: API bodies ---------------------------------------------- */

/* Pods of namespace "dkron": three StatefulSet servers (one Pending without
 * an IP, one terminating), a Deployment agent whose name happens to end in
 * digits, a completed Job pod and a failed pod. Macros with (rv) take the
 * pod's resourceVersion. */
#define POD_SERVER_0                                                         \
  "{\"metadata\":{\"name\":\"dkron-server-0\",\"generateName\":\"dkron-serv" \
  "er-\",\"namespace\":\"dkron\",\"uid\":\"5f0c6a1e-8d2b-4a57-9a0e-3c1d2b4e" \
  "6f70\",\"resourceVersion\":\"48213\",\"creationTimestamp\":\"2026-11-22T" \
  "06:58:11Z\",\"labels\":{\"app\":\"dkron\",\"role\":\"server\",\"controll" \
  "er-revision-hash\":\"dkron-server-7b9c8d6f5\",\"apps.kubernetes.io/pod-i" \
  "ndex\":\"0\",\"statefulset.kubernetes.io/pod-name\":\"dkron-server-0\"}," \
  "\"annotations\":{\"kubectl.kubernetes.io/default-container\":\"dkron\"}," \
  "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet"  \
  "\",\"name\":\"dkron-server\",\"uid\":\"0b7e2c4a-1f3d-4e5b-9a8c-6d2f0e1b3" \
  "a57\",\"controller\":true,\"blockOwnerDeletion\":true}]},\"spec\":{\"con" \
  "tainers\":[{\"name\":\"dkron\",\"image\":\"dkron/dkron:4.0.4\",\"command" \
  "\":[\"/usr/local/bin/dkron-server-wrapper\"],\"ports\":[{\"name\":\"http" \
  "\",\"containerPort\":8080,\"protocol\":\"TCP\"},{\"name\":\"rpc\",\"cont" \
  "ainerPort\":6868,\"protocol\":\"TCP\"},{\"name\":\"serf\",\"containerPor" \
  "t\":8946,\"protocol\":\"TCP\"}],\"resources\":{},\"terminationMessagePat" \
  "h\":\"/dev/termination-log\",\"terminationMessagePolicy\":\"File\",\"ima" \
  "gePullPolicy\":\"IfNotPresent\"}],\"restartPolicy\":\"Always\",\"termina" \
  "tionGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\",\"serviceAcco" \
  "untName\":\"dkron-server\",\"serviceAccount\":\"dkron-server\",\"nodeNam" \
  "e\":\"node-a\",\"securityContext\":{},\"hostname\":\"dkron-server-0\",\"" \
  "subdomain\":\"dkron-server\",\"schedulerName\":\"default-scheduler\",\"p" \
  "riority\":0,\"enableServiceLinks\":true,\"preemptionPolicy\":\"PreemptLo" \
  "werPriority\"},\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type" \
  "\":\"Initialized\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTran" \
  "sitionTime\":\"2026-11-22T06:58:12Z\"},{\"type\":\"Ready\",\"status\":\"" \
  "True\",\"lastProbeTime\":null,\"lastTransitionTime\":\"2026-11-22T06:58:" \
  "20Z\"},{\"type\":\"ContainersReady\",\"status\":\"True\",\"lastProbeTime" \
  "\":null,\"lastTransitionTime\":\"2026-11-22T06:58:20Z\"},{\"type\":\"Pod" \
  "Scheduled\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTransitionT" \
  "ime\":\"2026-11-22T06:58:11Z\"}],\"hostIP\":\"172.18.0.2\",\"podIP\":\"1" \
  "0.244.1.10\",\"podIPs\":[{\"ip\":\"10.244.1.10\"}],\"startTime\":\"2026-" \
  "11-22T06:58:11Z\",\"containerStatuses\":[{\"name\":\"dkron\",\"state\":{" \
  "\"running\":{\"startedAt\":\"2026-11-22T06:58:15Z\"}},\"lastState\":{},"  \
  "\"ready\":true,\"restartCount\":0,\"image\":\"docker.io/dkron/dkron:4.0." \
  "4\",\"imageID\":\"docker.io/dkron/dkron@sha256:6a1f0c3e9b7d2f4a8c5e1b9d3" \
  "f7a2c6e0b4d8f1a5c9e3b7d2f6a0c4e8b1d5f9a\",\"started\":true,\"containerID" \
  "\":\"containerd://9f3c1e7a5b2d8f4c6a0e2b9d7f1c3a5e8b4d6f2a0c9e7b3d5f1a8c" \
  "6e4b2d0f7a\"}],\"qosClass\":\"BestEffort\"}}"

#define POD_SERVER_1_PENDING(rv)                                               \
  "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"dkron-s"   \
  "erver-1\",\"generateName\":\"dkron-server-\",\"namespace\":\"dkron\",\"u"   \
  "id\":\"a3d9e1f7-2c4b-4d8e-b6a0-9f1e3c5d7b20\",\"resourceVersion\":\"" rv "" \
  "\",\"creationTimestamp\":\"2026-11-22T06:58:11Z\",\"labels\":{\"app\":\""   \
  "dkron\",\"role\":\"server\",\"controller-revision-hash\":\"dkron-server-"   \
  "7b9c8d6f5\",\"statefulset.kubernetes.io/pod-name\":\"dkron-server-1\"},"    \
  "\"annotations\":{\"kubectl.kubernetes.io/default-container\":\"dkron\"},"   \
  "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet"    \
  "\",\"name\":\"dkron-server\",\"uid\":\"0b7e2c4a-1f3d-4e5b-9a8c-6d2f0e1b3"   \
  "a57\",\"controller\":true,\"blockOwnerDeletion\":true}]},\"spec\":{\"con"   \
  "tainers\":[{\"name\":\"dkron\",\"image\":\"dkron/dkron:4.0.4\",\"command"   \
  "\":[\"/usr/local/bin/dkron-server-wrapper\"],\"ports\":[{\"name\":\"http"   \
  "\",\"containerPort\":8080,\"protocol\":\"TCP\"},{\"name\":\"rpc\",\"cont"   \
  "ainerPort\":6868,\"protocol\":\"TCP\"},{\"name\":\"serf\",\"containerPor"   \
  "t\":8946,\"protocol\":\"TCP\"}],\"resources\":{},\"terminationMessagePat"   \
  "h\":\"/dev/termination-log\",\"terminationMessagePolicy\":\"File\",\"ima"   \
  "gePullPolicy\":\"IfNotPresent\"}],\"restartPolicy\":\"Always\",\"termina"   \
  "tionGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\",\"serviceAcco"   \
  "untName\":\"dkron-server\",\"serviceAccount\":\"dkron-server\",\"nodeNam"   \
  "e\":\"node-b\",\"securityContext\":{},\"hostname\":\"dkron-server-1\",\""   \
  "subdomain\":\"dkron-server\",\"schedulerName\":\"default-scheduler\",\"p"   \
  "riority\":0,\"enableServiceLinks\":true,\"preemptionPolicy\":\"PreemptLo"   \
  "werPriority\"},\"status\":{\"phase\":\"Pending\",\"conditions\":[{\"type"   \
  "\":\"PodScheduled\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTra"   \
  "nsitionTime\":\"2026-11-22T06:58:11Z\"}],\"hostIP\":\"172.18.0.3\",\"sta"   \
  "rtTime\":\"2026-11-22T06:58:12Z\",\"containerStatuses\":[{\"name\":\"dkr"   \
  "on\",\"state\":{\"waiting\":{\"reason\":\"ContainerCreating\"}},\"lastSt"   \
  "ate\":{},\"ready\":false,\"restartCount\":0,\"image\":\"docker.io/dkron/"   \
  "dkron:4.0.4\",\"imageID\":\"docker.io/dkron/dkron@sha256:6a1f0c3e9b7d2f4"   \
  "a8c5e1b9d3f7a2c6e0b4d8f1a5c9e3b7d2f6a0c4e8b1d5f9a\",\"started\":false}],"   \
  "\"qosClass\":\"BestEffort\"}}"

#define POD_SERVER_1_RUNNING(rv)                                               \
  "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"dkron-s"   \
  "erver-1\",\"generateName\":\"dkron-server-\",\"namespace\":\"dkron\",\"u"   \
  "id\":\"a3d9e1f7-2c4b-4d8e-b6a0-9f1e3c5d7b20\",\"resourceVersion\":\"" rv "" \
  "\",\"creationTimestamp\":\"2026-11-22T06:58:11Z\",\"labels\":{\"app\":\""   \
  "dkron\",\"role\":\"server\",\"controller-revision-hash\":\"dkron-server-"   \
  "7b9c8d6f5\",\"statefulset.kubernetes.io/pod-name\":\"dkron-server-1\"},"    \
  "\"annotations\":{\"kubectl.kubernetes.io/default-container\":\"dkron\"},"   \
  "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet"    \
  "\",\"name\":\"dkron-server\",\"uid\":\"0b7e2c4a-1f3d-4e5b-9a8c-6d2f0e1b3"   \
  "a57\",\"controller\":true,\"blockOwnerDeletion\":true}]},\"spec\":{\"con"   \
  "tainers\":[{\"name\":\"dkron\",\"image\":\"dkron/dkron:4.0.4\",\"command"   \
  "\":[\"/usr/local/bin/dkron-server-wrapper\"],\"ports\":[{\"name\":\"http"   \
  "\",\"containerPort\":8080,\"protocol\":\"TCP\"},{\"name\":\"rpc\",\"cont"   \
  "ainerPort\":6868,\"protocol\":\"TCP\"},{\"name\":\"serf\",\"containerPor"   \
  "t\":8946,\"protocol\":\"TCP\"}],\"resources\":{},\"terminationMessagePat"   \
  "h\":\"/dev/termination-log\",\"terminationMessagePolicy\":\"File\",\"ima"   \
  "gePullPolicy\":\"IfNotPresent\"}],\"restartPolicy\":\"Always\",\"termina"   \
  "tionGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\",\"serviceAcco"   \
  "untName\":\"dkron-server\",\"serviceAccount\":\"dkron-server\",\"nodeNam"   \
  "e\":\"node-b\",\"securityContext\":{},\"hostname\":\"dkron-server-1\",\""   \
  "subdomain\":\"dkron-server\",\"schedulerName\":\"default-scheduler\",\"p"   \
  "riority\":0,\"enableServiceLinks\":true,\"preemptionPolicy\":\"PreemptLo"   \
  "werPriority\"},\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type"   \
  "\":\"Initialized\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTran"   \
  "sitionTime\":\"2026-11-22T06:58:12Z\"},{\"type\":\"Ready\",\"status\":\""   \
  "True\",\"lastProbeTime\":null,\"lastTransitionTime\":\"2026-11-22T06:58:"   \
  "20Z\"},{\"type\":\"ContainersReady\",\"status\":\"True\",\"lastProbeTime"   \
  "\":null,\"lastTransitionTime\":\"2026-11-22T06:58:20Z\"},{\"type\":\"Pod"   \
  "Scheduled\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTransitionT"   \
  "ime\":\"2026-11-22T06:58:11Z\"}],\"hostIP\":\"172.18.0.3\",\"podIP\":\"1"   \
  "0.244.2.7\",\"podIPs\":[{\"ip\":\"10.244.2.7\"}],\"startTime\":\"2026-11"   \
  "-22T06:58:12Z\",\"containerStatuses\":[{\"name\":\"dkron\",\"state\":{\""   \
  "running\":{\"startedAt\":\"2026-11-22T06:58:15Z\"}},\"lastState\":{},\"r"   \
  "eady\":true,\"restartCount\":0,\"image\":\"docker.io/dkron/dkron:4.0.4\""   \
  ",\"imageID\":\"docker.io/dkron/dkron@sha256:6a1f0c3e9b7d2f4a8c5e1b9d3f7a"   \
  "2c6e0b4d8f1a5c9e3b7d2f6a0c4e8b1d5f9a\",\"started\":true,\"containerID\":"   \
  "\"containerd://9f3c1e7a5b2d8f4c6a0e2b9d7f1c3a5e8b4d6f2a0c9e7b3d5f1a8c6e4"   \
  "b2d0f7a\"}],\"qosClass\":\"BestEffort\"}}"

#define POD_SERVER_2_TERMINATING(rv)                                           \
  "{\"metadata\":{\"name\":\"dkron-server-2\",\"generateName\":\"dkron-serv"   \
  "er-\",\"namespace\":\"dkron\",\"uid\":\"c7e1a5d3-9b2f-4e6a-8c0d-1f3b5a7e"   \
  "9d42\",\"resourceVersion\":\"" rv "\",\"creationTimestamp\":\"2026-11-22T0" \
  "6:58:11Z\",\"deletionTimestamp\":\"2026-11-22T07:05:41Z\",\"deletionGrac"   \
  "ePeriodSeconds\":30,\"labels\":{\"app\":\"dkron\",\"role\":\"server\",\""   \
  "controller-revision-hash\":\"dkron-server-7b9c8d6f5\",\"apps.kubernetes."   \
  "io/pod-index\":\"2\",\"statefulset.kubernetes.io/pod-name\":\"dkron-serv"   \
  "er-2\"},\"annotations\":{\"kubectl.kubernetes.io/default-container\":\"d"   \
  "kron\"},\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"Stat"   \
  "efulSet\",\"name\":\"dkron-server\",\"uid\":\"0b7e2c4a-1f3d-4e5b-9a8c-6d"   \
  "2f0e1b3a57\",\"controller\":true,\"blockOwnerDeletion\":true}]},\"spec\""   \
  ":{\"containers\":[{\"name\":\"dkron\",\"image\":\"dkron/dkron:4.0.4\",\""   \
  "command\":[\"/usr/local/bin/dkron-server-wrapper\"],\"ports\":[{\"name\""   \
  ":\"http\",\"containerPort\":8080,\"protocol\":\"TCP\"},{\"name\":\"rpc\""   \
  ",\"containerPort\":6868,\"protocol\":\"TCP\"},{\"name\":\"serf\",\"conta"   \
  "inerPort\":8946,\"protocol\":\"TCP\"}],\"resources\":{},\"terminationMes"   \
  "sagePath\":\"/dev/termination-log\",\"terminationMessagePolicy\":\"File"    \
  "\",\"imagePullPolicy\":\"IfNotPresent\"}],\"restartPolicy\":\"Always\","    \
  "\"terminationGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\",\"se"   \
  "rviceAccountName\":\"dkron-server\",\"serviceAccount\":\"dkron-server\","   \
  "\"nodeName\":\"node-c\",\"securityContext\":{},\"hostname\":\"dkron-serv"   \
  "er-2\",\"subdomain\":\"dkron-server\",\"schedulerName\":\"default-schedu"   \
  "ler\",\"priority\":0,\"enableServiceLinks\":true,\"preemptionPolicy\":\""   \
  "PreemptLowerPriority\"},\"status\":{\"phase\":\"Running\",\"conditions\""   \
  ":[{\"type\":\"Initialized\",\"status\":\"True\",\"lastProbeTime\":null,"    \
  "\"lastTransitionTime\":\"2026-11-22T06:58:12Z\"},{\"type\":\"Ready\",\"s"   \
  "tatus\":\"False\",\"lastProbeTime\":null,\"lastTransitionTime\":\"2026-1"   \
  "1-22T06:58:20Z\",\"reason\":\"ContainersNotReady\",\"message\":\"contain"   \
  "ers with unready status: [dkron]\"},{\"type\":\"ContainersReady\",\"stat"   \
  "us\":\"False\",\"lastProbeTime\":null,\"lastTransitionTime\":\"2026-11-2"   \
  "2T06:58:20Z\",\"reason\":\"ContainersNotReady\",\"message\":\"containers"   \
  " with unready status: [dkron]\"},{\"type\":\"PodScheduled\",\"status\":"    \
  "\"True\",\"lastProbeTime\":null,\"lastTransitionTime\":\"2026-11-22T06:5"   \
  "8:11Z\"}],\"hostIP\":\"172.18.0.4\",\"podIP\":\"10.244.3.5\",\"podIPs\":"   \
  "[{\"ip\":\"10.244.3.5\"}],\"startTime\":\"2026-11-22T06:58:11Z\",\"conta"   \
  "inerStatuses\":[{\"name\":\"dkron\",\"state\":{\"running\":{\"startedAt"    \
  "\":\"2026-11-22T06:58:15Z\"}},\"lastState\":{},\"ready\":false,\"restart"   \
  "Count\":0,\"image\":\"docker.io/dkron/dkron:4.0.4\",\"imageID\":\"docker"   \
  ".io/dkron/dkron@sha256:6a1f0c3e9b7d2f4a8c5e1b9d3f7a2c6e0b4d8f1a5c9e3b7d2"   \
  "f6a0c4e8b1d5f9a\",\"started\":true,\"containerID\":\"containerd://9f3c1e"   \
  "7a5b2d8f4c6a0e2b9d7f1c3a5e8b4d6f2a0c9e7b3d5f1a8c6e4b2d0f7a\"}],\"qosClas"   \
  "s\":\"BestEffort\"}}"

#define POD_AGENT                                                            \
  "{\"metadata\":{\"name\":\"dkron-agent-6b7f9c8d5-79524\",\"generateName\"" \
  ":\"dkron-agent-6b7f9c8d5-\",\"namespace\":\"dkron\",\"uid\":\"e2b8f4a6-3" \
  "d1c-4f7e-a9b5-0c2d4e6f8a13\",\"resourceVersion\":\"48190\",\"creationTim" \
  "estamp\":\"2026-11-22T06:59:02Z\",\"labels\":{\"app\":\"dkron\",\"role\"" \
  ":\"agent\",\"pod-template-hash\":\"6b7f9c8d5\"},\"ownerReferences\":[{\"" \
  "apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"dkron-agent-" \
  "6b7f9c8d5\",\"uid\":\"4c6e8a0b-2d4f-4a6c-8e0a-2b4d6f8a0c1e\",\"controlle" \
  "r\":true,\"blockOwnerDeletion\":true}]},\"spec\":{\"containers\":[{\"nam" \
  "e\":\"dkron\",\"image\":\"dkron/dkron:4.0.4\",\"command\":[\"/usr/local/" \
  "bin/dkron-agent-launcher\"],\"ports\":[{\"name\":\"http\",\"containerPor" \
  "t\":8080,\"protocol\":\"TCP\"},{\"name\":\"rpc\",\"containerPort\":6868," \
  "\"protocol\":\"TCP\"},{\"name\":\"serf\",\"containerPort\":8946,\"protoc" \
  "ol\":\"TCP\"}],\"resources\":{},\"terminationMessagePath\":\"/dev/termin" \
  "ation-log\",\"terminationMessagePolicy\":\"File\",\"imagePullPolicy\":\"" \
  "IfNotPresent\"}],\"restartPolicy\":\"Always\",\"terminationGracePeriodSe" \
  "conds\":30,\"dnsPolicy\":\"ClusterFirst\",\"serviceAccountName\":\"dkron" \
  "-agent\",\"serviceAccount\":\"dkron-agent\",\"nodeName\":\"node-a\",\"se" \
  "curityContext\":{},\"schedulerName\":\"default-scheduler\",\"priority\":" \
  "0,\"enableServiceLinks\":true,\"preemptionPolicy\":\"PreemptLowerPriorit" \
  "y\"},\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Initi" \
  "alized\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTransitionTime" \
  "\":\"2026-11-22T06:58:12Z\"},{\"type\":\"Ready\",\"status\":\"True\",\"l" \
  "astProbeTime\":null,\"lastTransitionTime\":\"2026-11-22T06:58:20Z\"},{\"" \
  "type\":\"ContainersReady\",\"status\":\"True\",\"lastProbeTime\":null,\"" \
  "lastTransitionTime\":\"2026-11-22T06:58:20Z\"},{\"type\":\"PodScheduled"  \
  "\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTransitionTime\":\"2" \
  "026-11-22T06:58:11Z\"}],\"hostIP\":\"172.18.0.2\",\"podIP\":\"10.244.1.1" \
  "1\",\"podIPs\":[{\"ip\":\"10.244.1.11\"}],\"startTime\":\"2026-11-22T06:" \
  "59:02Z\",\"containerStatuses\":[{\"name\":\"dkron\",\"state\":{\"running" \
  "\":{\"startedAt\":\"2026-11-22T06:58:15Z\"}},\"lastState\":{},\"ready\":" \
  "true,\"restartCount\":0,\"image\":\"docker.io/dkron/dkron:4.0.4\",\"imag" \
  "eID\":\"docker.io/dkron/dkron@sha256:6a1f0c3e9b7d2f4a8c5e1b9d3f7a2c6e0b4" \
  "d8f1a5c9e3b7d2f6a0c4e8b1d5f9a\",\"started\":true,\"containerID\":\"conta" \
  "inerd://9f3c1e7a5b2d8f4c6a0e2b9d7f1c3a5e8b4d6f2a0c9e7b3d5f1a8c6e4b2d0f7a" \
  "\"}],\"qosClass\":\"BestEffort\"}}"

#define POD_BACKUP_SUCCEEDED                                                 \
  "{\"metadata\":{\"name\":\"dkron-backup-29398260-9zx4k\",\"generateName\"" \
  ":\"dkron-backup-29398260-\",\"namespace\":\"dkron\",\"uid\":\"f1a3c5e7-9" \
  "b2d-4f6a-8c0e-2d4f6a8c0e35\",\"resourceVersion\":\"47920\",\"creationTim" \
  "estamp\":\"2026-11-22T06:00:00Z\",\"labels\":{\"app\":\"dkron\",\"batch." \
  "kubernetes.io/job-name\":\"dkron-backup-29398260\",\"job-name\":\"dkron-" \
  "backup-29398260\"},\"ownerReferences\":[{\"apiVersion\":\"batch/v1\",\"k" \
  "ind\":\"Job\",\"name\":\"dkron-backup-29398260\",\"uid\":\"7a9c1e3f-5b7d" \
  "-4e9a-b1c3-5e7a9c1e3f52\",\"controller\":true,\"blockOwnerDeletion\":tru" \
  "e}]},\"spec\":{\"containers\":[{\"name\":\"dkron\",\"image\":\"dkron/dkr" \
  "on:4.0.4\",\"command\":[\"/usr/local/bin/dkron-agent-launcher\"],\"ports" \
  "\":[{\"name\":\"http\",\"containerPort\":8080,\"protocol\":\"TCP\"},{\"n" \
  "ame\":\"rpc\",\"containerPort\":6868,\"protocol\":\"TCP\"},{\"name\":\"s" \
  "erf\",\"containerPort\":8946,\"protocol\":\"TCP\"}],\"resources\":{},\"t" \
  "erminationMessagePath\":\"/dev/termination-log\",\"terminationMessagePol" \
  "icy\":\"File\",\"imagePullPolicy\":\"IfNotPresent\"}],\"restartPolicy\":" \
  "\"Never\",\"terminationGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFi" \
  "rst\",\"serviceAccountName\":\"dkron-agent\",\"serviceAccount\":\"dkron-" \
  "agent\",\"nodeName\":\"node-a\",\"securityContext\":{},\"schedulerName\"" \
  ":\"default-scheduler\",\"priority\":0,\"enableServiceLinks\":true,\"pree" \
  "mptionPolicy\":\"PreemptLowerPriority\"},\"status\":{\"phase\":\"Succeed" \
  "ed\",\"conditions\":[{\"type\":\"Initialized\",\"status\":\"True\",\"las" \
  "tProbeTime\":null,\"lastTransitionTime\":\"2026-11-22T06:58:12Z\"},{\"ty" \
  "pe\":\"Ready\",\"status\":\"False\",\"lastProbeTime\":null,\"lastTransit" \
  "ionTime\":\"2026-11-22T06:58:20Z\",\"reason\":\"PodCompleted\",\"message" \
  "\":\"containers with unready status: [dkron]\"},{\"type\":\"ContainersRe" \
  "ady\",\"status\":\"False\",\"lastProbeTime\":null,\"lastTransitionTime\"" \
  ":\"2026-11-22T06:58:20Z\",\"reason\":\"PodCompleted\",\"message\":\"cont" \
  "ainers with unready status: [dkron]\"},{\"type\":\"PodScheduled\",\"stat" \
  "us\":\"True\",\"lastProbeTime\":null,\"lastTransitionTime\":\"2026-11-22" \
  "T06:58:11Z\"}],\"hostIP\":\"172.18.0.3\",\"podIP\":\"10.244.2.4\",\"podI" \
  "Ps\":[{\"ip\":\"10.244.2.4\"}],\"startTime\":\"2026-11-22T06:00:00Z\",\"" \
  "containerStatuses\":[{\"name\":\"dkron\",\"state\":{\"terminated\":{\"ex" \
  "itCode\":0,\"reason\":\"Completed\",\"startedAt\":\"2026-11-22T06:00:02Z" \
  "\",\"finishedAt\":\"2026-11-22T06:00:09Z\",\"containerID\":\"containerd:" \
  "//1b3d5f7a9c2e4a6c8e0b2d4f6a8c0e1b3d5f7a9c2e4a6c8e0b2d4f6a8c0e1b3d\"}},"  \
  "\"lastState\":{},\"ready\":false,\"restartCount\":0,\"image\":\"docker.i" \
  "o/dkron/dkron:4.0.4\",\"imageID\":\"docker.io/dkron/dkron@sha256:6a1f0c3" \
  "e9b7d2f4a8c5e1b9d3f7a2c6e0b4d8f1a5c9e3b7d2f6a0c4e8b1d5f9a\",\"containerI" \
  "D\":\"containerd://1b3d5f7a9c2e4a6c8e0b2d4f6a8c0e1b3d5f7a9c2e4a6c8e0b2d4" \
  "f6a8c0e1b3d\",\"started\":false}],\"qosClass\":\"BestEffort\"}}"

#define POD_MIGRATE_FAILED                                                   \
  "{\"metadata\":{\"name\":\"dkron-migrate-kq5tz\",\"generateName\":\"dkron" \
  "-migrate-\",\"namespace\":\"dkron\",\"uid\":\"0d2f4a6c-8e1b-4d3f-a5c7-9e" \
  "1b3d5f7a64\",\"resourceVersion\":\"47811\",\"creationTimestamp\":\"2026-" \
  "11-22T05:40:00Z\",\"labels\":{\"app\":\"dkron\",\"role\":\"migrate\"}},"  \
  "\"spec\":{\"containers\":[{\"name\":\"dkron\",\"image\":\"dkron/dkron:4." \
  "0.4\",\"command\":[\"/usr/local/bin/dkron-agent-launcher\"],\"ports\":[{" \
  "\"name\":\"http\",\"containerPort\":8080,\"protocol\":\"TCP\"},{\"name\"" \
  ":\"rpc\",\"containerPort\":6868,\"protocol\":\"TCP\"},{\"name\":\"serf\"" \
  ",\"containerPort\":8946,\"protocol\":\"TCP\"}],\"resources\":{},\"termin" \
  "ationMessagePath\":\"/dev/termination-log\",\"terminationMessagePolicy\"" \
  ":\"File\",\"imagePullPolicy\":\"IfNotPresent\"}],\"restartPolicy\":\"Nev" \
  "er\",\"terminationGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\"" \
  ",\"serviceAccountName\":\"dkron-agent\",\"serviceAccount\":\"dkron-agent" \
  "\",\"nodeName\":\"node-a\",\"securityContext\":{},\"schedulerName\":\"de" \
  "fault-scheduler\",\"priority\":0,\"enableServiceLinks\":true,\"preemptio" \
  "nPolicy\":\"PreemptLowerPriority\"},\"status\":{\"phase\":\"Failed\",\"c" \
  "onditions\":[{\"type\":\"Initialized\",\"status\":\"True\",\"lastProbeTi" \
  "me\":null,\"lastTransitionTime\":\"2026-11-22T06:58:12Z\"},{\"type\":\"R" \
  "eady\",\"status\":\"False\",\"lastProbeTime\":null,\"lastTransitionTime"  \
  "\":\"2026-11-22T06:58:20Z\",\"reason\":\"PodFailed\",\"message\":\"conta" \
  "iners with unready status: [dkron]\"},{\"type\":\"ContainersReady\",\"st" \
  "atus\":\"False\",\"lastProbeTime\":null,\"lastTransitionTime\":\"2026-11" \
  "-22T06:58:20Z\",\"reason\":\"PodFailed\",\"message\":\"containers with u" \
  "nready status: [dkron]\"},{\"type\":\"PodScheduled\",\"status\":\"True\"" \
  ",\"lastProbeTime\":null,\"lastTransitionTime\":\"2026-11-22T06:58:11Z\"}" \
  "],\"hostIP\":\"172.18.0.4\",\"podIP\":\"10.244.3.2\",\"podIPs\":[{\"ip\"" \
  ":\"10.244.3.2\"}],\"startTime\":\"2026-11-22T05:40:00Z\",\"containerStat" \
  "uses\":[{\"name\":\"dkron\",\"state\":{\"terminated\":{\"exitCode\":1,\"" \
  "reason\":\"Error\",\"startedAt\":\"2026-11-22T05:40:02Z\",\"finishedAt\"" \
  ":\"2026-11-22T05:40:04Z\"}},\"lastState\":{},\"ready\":false,\"restartCo" \
  "unt\":0,\"image\":\"docker.io/dkron/dkron:4.0.4\",\"imageID\":\"docker.i" \
  "o/dkron/dkron@sha256:6a1f0c3e9b7d2f4a8c5e1b9d3f7a2c6e0b4d8f1a5c9e3b7d2f6" \
  "a0c4e8b1d5f9a\",\"started\":false}],\"qosClass\":\"BestEffort\"}}"

#define STS_THREE_REPLICAS                                                   \
  "{\"kind\":\"StatefulSet\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"nam" \
  "e\":\"dkron-server\",\"namespace\":\"dkron\",\"uid\":\"0b7e2c4a-1f3d-4e5" \
  "b-9a8c-6d2f0e1b3a57\",\"resourceVersion\":\"48102\",\"generation\":1,\"c" \
  "reationTimestamp\":\"2026-11-22T06:58:10Z\",\"labels\":{\"app\":\"dkron"  \
  "\",\"role\":\"server\"}},\"spec\":{\"replicas\":3,\"selector\":{\"matchL" \
  "abels\":{\"app\":\"dkron\",\"role\":\"server\"}},\"template\":{\"metadat" \
  "a\":{\"creationTimestamp\":null,\"labels\":{\"app\":\"dkron\",\"role\":"  \
  "\"server\"}},\"spec\":{\"containers\":[{\"name\":\"dkron\",\"image\":\"d" \
  "kron/dkron:4.0.4\",\"resources\":{},\"terminationMessagePath\":\"/dev/te" \
  "rmination-log\",\"terminationMessagePolicy\":\"File\",\"imagePullPolicy"  \
  "\":\"IfNotPresent\"}],\"restartPolicy\":\"Always\",\"terminationGracePer" \
  "iodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\",\"serviceAccountName\":\"" \
  "dkron-server\",\"serviceAccount\":\"dkron-server\",\"securityContext\":{" \
  "},\"schedulerName\":\"default-scheduler\"}},\"serviceName\":\"dkron-serv" \
  "er\",\"podManagementPolicy\":\"Parallel\",\"updateStrategy\":{\"type\":"  \
  "\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}},\"revisionHistory" \
  "Limit\":10,\"persistentVolumeClaimRetentionPolicy\":{\"whenDeleted\":\"R" \
  "etain\",\"whenScaled\":\"Retain\"}},\"status\":{\"observedGeneration\":1" \
  ",\"replicas\":3,\"readyReplicas\":2,\"currentReplicas\":3,\"updatedRepli" \
  "cas\":3,\"currentRevision\":\"dkron-server-7b9c8d6f5\",\"updateRevision"  \
  "\":\"dkron-server-7b9c8d6f5\",\"collisionCount\":0,\"availableReplicas\"" \
  ":2}}"

#define STS_NO_REPLICAS                                                      \
  "{\"kind\":\"StatefulSet\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"nam" \
  "e\":\"dkron-server\",\"namespace\":\"dkron\",\"uid\":\"0b7e2c4a-1f3d-4e5" \
  "b-9a8c-6d2f0e1b3a57\",\"resourceVersion\":\"48102\",\"generation\":1,\"c" \
  "reationTimestamp\":\"2026-11-22T06:58:10Z\",\"labels\":{\"app\":\"dkron"  \
  "\",\"role\":\"server\"}},\"spec\":{\"selector\":{\"matchLabels\":{\"app"  \
  "\":\"dkron\",\"role\":\"server\"}},\"template\":{\"metadata\":{\"creatio" \
  "nTimestamp\":null,\"labels\":{\"app\":\"dkron\",\"role\":\"server\"}},\"" \
  "spec\":{\"containers\":[{\"name\":\"dkron\",\"image\":\"dkron/dkron:4.0." \
  "4\",\"resources\":{},\"terminationMessagePath\":\"/dev/termination-log\"" \
  ",\"terminationMessagePolicy\":\"File\",\"imagePullPolicy\":\"IfNotPresen" \
  "t\"}],\"restartPolicy\":\"Always\",\"terminationGracePeriodSeconds\":30," \
  "\"dnsPolicy\":\"ClusterFirst\",\"serviceAccountName\":\"dkron-server\","  \
  "\"serviceAccount\":\"dkron-server\",\"securityContext\":{},\"schedulerNa" \
  "me\":\"default-scheduler\"}},\"serviceName\":\"dkron-server\",\"podManag" \
  "ementPolicy\":\"Parallel\",\"updateStrategy\":{\"type\":\"RollingUpdate"  \
  "\",\"rollingUpdate\":{\"partition\":0}},\"revisionHistoryLimit\":10,\"pe" \
  "rsistentVolumeClaimRetentionPolicy\":{\"whenDeleted\":\"Retain\",\"whenS" \
  "caled\":\"Retain\"}},\"status\":{\"observedGeneration\":1,\"replicas\":3" \
  ",\"readyReplicas\":2,\"currentReplicas\":3,\"updatedReplicas\":3,\"curre" \
  "ntRevision\":\"dkron-server-7b9c8d6f5\",\"updateRevision\":\"dkron-serve" \
  "r-7b9c8d6f5\",\"collisionCount\":0,\"availableReplicas\":2}}"

/* A projected service-account token for dkron:dkron-agent (JWT-shaped;
 * the signature is filler). */
#define SA_JWT                                                               \
  "eyJhbGciOiJSUzI1NiIsImtpZCI6IlpxM3g3VmJOMmM5S2RMbVcwcFJ0NXNZdUVpT2E4Zkhn" \
  "SmtDMW5CNHZYNk0ifQ.eyJhdWQiOlsiaHR0cHM6Ly9rdWJlcm5ldGVzLmRlZmF1bHQuc3ZjL" \
  "mNsdXN0ZXIubG9jYWwiXSwiZXhwIjoxNzk1MzMwNjkxLCJpYXQiOjE3NjM3OTQ2OTEsImlzc" \
  "yI6Imh0dHBzOi8va3ViZXJuZXRlcy5kZWZhdWx0LnN2Yy5jbHVzdGVyLmxvY2FsIiwia3ViZ" \
  "XJuZXRlcy5pbyI6eyJuYW1lc3BhY2UiOiJka3JvbiIsInBvZCI6eyJuYW1lIjoiZGtyb24tY" \
  "WdlbnQtNmI3ZjljOGQ1LTc5NTI0IiwidWlkIjoiZTJiOGY0YTYtM2QxYy00ZjdlLWE5YjUtM" \
  "GMyZDRlNmY4YTEzIn0sInNlcnZpY2VhY2NvdW50Ijp7Im5hbWUiOiJka3Jvbi1hZ2VudCIsI" \
  "nVpZCI6IjlkMWYzYjVhLTdjOWUtNGIxZC1hM2Y1LTdiOWQxZjNiNWE4NiJ9fSwibmJmIjoxN" \
  "zYzNzk0NjkxLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGtyb246ZGtyb24tYWdlb" \
  "nQifQ.BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nz" \
  "g5Ojs8PT4_QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW" \
  "5vcHFyc3R1dnd4eXp7fH1-f4CBgoOEhYY"

#define POD_LIST_PREFIX(rv, cont)                              \
  "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{" \
  "\"resourceVersion\":\"" rv "\"" cont "},\"items\":["
#define POD_LIST_SUFFIX "]}"
#define CONTINUE_TOKEN                                                       \
  "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NDgyMTMsInN0YXJ0IjoiZGtyb24tc2VydmVy" \
  "LTFcdTAwMDAifQ"

/* The value of key in a raw query string, decoded as the API server (Go's
 * net/url) decodes it: '+' is a space, %XX in either case a byte. "" when
 * key is absent. */
static const char *query_value(const char *query, const char *key, char *out,
                               size_t cap)
{
  size_t klen = strlen(key), n = 0;
  const char *p = query;

  out[0] = '\0';
  while (p && *p) {
    if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
      for (p += klen + 1; *p && *p != '&' && n + 1 < cap; p++) {
        unsigned byte;

        if (*p == '+') {
          out[n++] = ' ';
        } else if (*p == '%' && sscanf(p + 1, "%2x", &byte) == 1) {
          out[n++] = (char)byte;
          p += 2;
        } else {
          out[n++] = *p;
        }
      }
      out[n] = '\0';
      break;
    }
    p = strchr(p, '&');
    p = p ? p + 1 : NULL;
  }
  return out;
}

/* Joins its NULL-terminated arguments into one new string. Bodies are
 * assembled at run time because ISO C caps string literals at 4095 bytes. */
static char *join(const char *first, ...)
{
  va_list ap;
  size_t len = 0;
  char *out, *at;

  va_start(ap, first);
  for (const char *s = first; s; s = va_arg(ap, const char *))
    len += strlen(s);
  va_end(ap);
  out = malloc(len + 1);
  ck_assert_ptr_nonnull(out);
  at = out;
  va_start(ap, first);
  for (const char *s = first; s; s = va_arg(ap, const char *)) {
    memcpy(at, s, strlen(s));
    at += strlen(s);
  }
  va_end(ap);
  *at = '\0';
  return out;
}

static char *all_pods_body(void)
{
  return join(POD_LIST_PREFIX("48213", ""), POD_SERVER_0, ",",
              POD_SERVER_1_PENDING("48201"), ",",
              POD_SERVER_2_TERMINATING("48205"), ",", POD_AGENT, ",",
              POD_BACKUP_SUCCEEDED, ",", POD_MIGRATE_FAILED, POD_LIST_SUFFIX,
              NULL);
}

static char *page1_body(void)
{
  return join(POD_LIST_PREFIX("48213", ",\"continue\":\"" CONTINUE_TOKEN
                                       "\",\"remainingItemCount\":2"),
              POD_SERVER_0, ",", POD_SERVER_1_PENDING("48201"), POD_LIST_SUFFIX,
              NULL);
}

static char *page2_body(void)
{
  return join(POD_LIST_PREFIX("48213", ""), POD_SERVER_2_TERMINATING("48205"),
              ",", POD_AGENT, POD_LIST_SUFFIX, NULL);
}

static const char empty_list_body[] =
  "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{"
  "\"resourceVersion\":\"48213\"},\"items\":[]}";

#define STATUS(code, reason, message)                                      \
  "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":" \
  "\"Failure\",\"message\":\"" message "\",\"reason\":\"" reason           \
  "\",\"code\":" #code "}"

static const char status_401[] = STATUS(401, "Unauthorized", "Unauthorized");
static const char status_403_list[] =
  STATUS(403, "Forbidden",
         "pods is forbidden: User \\\"system:serviceaccount:dkron:dkron-agent"
         "\\\" cannot list resource \\\"pods\\\" in API group \\\"\\\" in the "
         "namespace \\\"dkron\\\"");
static const char status_403_webhook[] =
  STATUS(403, "Forbidden",
         "admission webhook \\\"labels.example.com\\\" denied the request: "
         "label dkron-leader is reserved");
static const char status_404_pod[] =
  STATUS(404, "NotFound", "pods \\\"dkron-server-9\\\" not found");
static const char status_404_sts[] =
  STATUS(404, "NotFound", "statefulsets.apps \\\"dkron-server\\\" not found");
static const char status_410_continue[] =
  STATUS(410, "Expired",
         "The provided continue parameter is too old to display a consistent "
         "list result. You can start a new list without the continue "
         "parameter.");
static const char status_410_watch[] =
  STATUS(410, "Expired", "too old resource version: 48000 (48213)");

/* Watch events as the API server writes them, one JSON object per line. */
#define EV_ADDED \
  "{\"type\":\"ADDED\",\"object\":" POD_SERVER_1_PENDING("48300") "}\n"
#define EV_MODIFIED \
  "{\"type\":\"MODIFIED\",\"object\":" POD_SERVER_1_RUNNING("48310") "}\n"
#define EV_BOOKMARK                                                            \
  "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\"," \
  "\"metadata\":{\"resourceVersion\":\"48350\",\"creationTimestamp\":null},"   \
  "\"spec\":{\"containers\":null},\"status\":{}}}\n"
#define EV_DELETED \
  "{\"type\":\"DELETED\",\"object\":" POD_SERVER_2_TERMINATING("48360") "}\n"
#define EV_ERROR(code, reason, message) \
  "{\"type\":\"ERROR\",\"object\":" STATUS(code, reason, message) "}\n"

/* ADDED, MODIFIED, BOOKMARK, DELETED. */
static char *watch_stream(void)
{
  return join(EV_ADDED, EV_MODIFIED, EV_BOOKMARK, EV_DELETED, NULL);
}

/* A scripted answer of the fake server. */
#define REPLY(code, text)            \
  {                                  \
    .status = (code), .body = (text) \
  }

#define NS       "dkron"
#define PODS     "/api/v1/namespaces/dkron/pods"
#define STS_PATH "/apis/apps/v1/namespaces/dkron/statefulsets/dkron-server"

static const char *const label_keys[] = {"app", "role", NULL};

/* ---- fixtures: a temp dir per test case -------------------------------- */

static char tmp_dir[64];

/* Unchecked (runs in the runner process): the dir outlives each forked
 * test, and is removed even when a test fails. */
static void tmp_dir_setup(void)
{
  snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/dk-k8s-test-XXXXXX");
  if (!mkdtemp(tmp_dir))
    ck_abort_msg("mkdtemp: %s", strerror(errno));
}

static void tmp_dir_teardown(void)
{
  DIR *d = opendir(tmp_dir);
  struct dirent *ent;
  char path[PATH_MAX];

  while (d && (ent = readdir(d))) {
    if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof(path), "%s/%s", tmp_dir, ent->d_name);
    unlink(path);
  }
  if (d)
    closedir(d);
  rmdir(tmp_dir);
}

static void tmp_path(const char *name, char *out, size_t n)
{
  snprintf(out, n, "%s/%s", tmp_dir, name);
}

/* Replaces the file's content (new inode, as kubelet's atomic writer). */
static void write_file(const char *name, const char *text)
{
  char path[PATH_MAX], tmp[PATH_MAX], tmp_name[128];
  FILE *f;

  tmp_path(name, path, sizeof(path));
  snprintf(tmp_name, sizeof(tmp_name), "%s.new", name);
  tmp_path(tmp_name, tmp, sizeof(tmp));
  f = fopen(tmp, "w");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(fputs(text, f) >= 0, 1);
  ck_assert_int_eq(fclose(f), 0);
  ck_assert_int_eq(rename(tmp, path), 0);
}

/* Overwrites the file in place with same-length text and puts its mtime
 * back: stat sees no change, so only a 401 can make the client re-read. */
static void overwrite_unnoticed(const char *name, const char *text)
{
  char path[PATH_MAX];
  struct stat before, after;
  struct timespec times[2];
  int fd;

  tmp_path(name, path, sizeof(path));
  ck_assert_int_eq(stat(path, &before), 0);
  ck_assert_uint_eq((size_t)before.st_size, strlen(text));
  fd = open(path, O_WRONLY);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  times[0] = before.st_atim;
  times[1] = before.st_mtim;
  ck_assert_int_eq(futimens(fd, times), 0);
  ck_assert_int_eq(close(fd), 0);
  ck_assert_int_eq(stat(path, &after), 0);
  ck_assert_uint_eq(after.st_ino, before.st_ino);
  ck_assert_int_eq(after.st_size, before.st_size);
  ck_assert_int_eq(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  ck_assert_int_eq(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
}

/* A client for the fake server, reading its token from tmp_dir/token. */
static struct k8s_client *client_for(struct fake_server *fs, const char *token)
{
  char token_path[PATH_MAX];
  struct k8s_overrides ov = {0};
  struct k8s_config cfg;
  struct k8s_client *c;
  struct dk_err err = {0};

  write_file("token", token);
  tmp_path("token", token_path, sizeof(token_path));
  ov.api_url = fake_server_url(fs);
  ov.token_file = token_path;
  ov.namespace = NS;
  ov.sa_dir = tmp_dir; /* no ca.crt there: plain http */
  ck_assert_msg(k8s_config_in_cluster(&ov, &cfg, &err) == DK_OK, "%s", err.msg);
  cfg.http.max_attempts = 1;
  cfg.http.timeout_ms = 5000;
  c = k8s_client_new(&cfg, &err);
  k8s_config_free(&cfg);
  ck_assert_msg(c != NULL, "%s", err.msg);
  return c;
}

static struct fake_server *start1(const char *method, const char *path,
                                  const struct fake_response *script, size_t n)
{
  struct fake_route route = {method, path, script, n};
  struct fake_server *fs = fake_server_start(&route, 1, NULL, NULL);

  ck_assert_ptr_nonnull(fs);
  return fs;
}

static void request_n(struct fake_server *fs, unsigned n,
                      struct fake_request *out)
{
  ck_assert_int_eq(fake_server_request(fs, n, out), 0);
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct k8s_pod *find_pod(const struct k8s_pod_list *list,
                                      const char *name)
{
  for (size_t i = 0; i < list->n; i++)
    if (strcmp(list->items[i].name, name) == 0)
      return &list->items[i];
  ck_abort_msg("pod %s not in the list", name);
  return NULL;
}

/* Records watch callbacks for assertions. */
struct seen_event {
  enum k8s_event_type type;
  char name[64];
  char rv[32];
  enum k8s_phase phase;
  bool ready;
  bool terminating;
  long ordinal;
};

struct recorder {
  struct seen_event ev[16];
  size_t n;
  size_t stop_after; /* 0 = never ask to stop */
};

static int record_event(const struct k8s_watch_event *ev, void *user)
{
  struct recorder *r = user;
  struct seen_event *s = &r->ev[r->n < 15 ? r->n : 15];

  s->type = ev->type;
  snprintf(s->name, sizeof(s->name), "%s", ev->pod->name);
  snprintf(s->rv, sizeof(s->rv), "%s", ev->resource_version);
  s->phase = ev->pod->phase;
  s->ready = ev->pod->ready;
  s->terminating = ev->pod->terminating;
  s->ordinal = ev->pod->ordinal;
  r->n++;
  return r->stop_after && r->n >= r->stop_after;
}

static int stop_after_events(void *user)
{
  const struct recorder *r = user;

  return r->stop_after && r->n >= r->stop_after;
}

/* The three pod events of watch_stream, in order. */
static void assert_stream_events(const struct recorder *r)
{
  ck_assert_uint_eq(r->n, 3);
  ck_assert_int_eq(r->ev[0].type, K8S_EVENT_ADDED);
  ck_assert_str_eq(r->ev[0].name, "dkron-server-1");
  ck_assert_str_eq(r->ev[0].rv, "48300");
  ck_assert_int_eq(r->ev[0].phase, K8S_PHASE_PENDING);
  ck_assert(!r->ev[0].ready);
  ck_assert_int_eq(r->ev[0].ordinal, 1);
  ck_assert_int_eq(r->ev[1].type, K8S_EVENT_MODIFIED);
  ck_assert_str_eq(r->ev[1].name, "dkron-server-1");
  ck_assert_str_eq(r->ev[1].rv, "48310");
  ck_assert_int_eq(r->ev[1].phase, K8S_PHASE_RUNNING);
  ck_assert(r->ev[1].ready);
  ck_assert_int_eq(r->ev[2].type, K8S_EVENT_DELETED);
  ck_assert_str_eq(r->ev[2].name, "dkron-server-2");
  ck_assert_str_eq(r->ev[2].rv, "48360");
  ck_assert(r->ev[2].terminating);
}

/* ---- pure parsing ------------------------------------------------------ */

START_TEST(ordinal_from_name)
{
  ck_assert_int_eq(k8s_ordinal_from_name("dkron-server-2"), 2);
  ck_assert_int_eq(k8s_ordinal_from_name("dkron-server-0"), 0);
  ck_assert_int_eq(k8s_ordinal_from_name("web-17"), 17);
  ck_assert_int_eq(k8s_ordinal_from_name("dkron-server"), -1);
  ck_assert_int_eq(k8s_ordinal_from_name("dkron-server-"), -1);
  ck_assert_int_eq(k8s_ordinal_from_name("dkron-server-2a"), -1);
  ck_assert_int_eq(k8s_ordinal_from_name("-3"), -1);
  ck_assert_int_eq(k8s_ordinal_from_name("db-12345678901"), -1);
  ck_assert_int_eq(k8s_ordinal_from_name(NULL), -1);
}
END_TEST

/* A bad item leaves the list as it was before the page. */
START_TEST(pod_list_shape_errors)
{
  static const char *const bad[] = {
    "[]",
    STATUS(500, "InternalError", "etcd is down"),
    "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},"
    "\"items\":{}}",
    "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},"
    "\"items\":[{\"metadata\":{\"namespace\":\"dkron\"}}]}",
    "{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":",
    "{\"kind\":\"PodList\",\"items\":[]} trailing",
    "",
  };
  struct k8s_pod_list list = {0};
  struct dk_err err = {0};
  char *cont = NULL;
  char *page = page2_body();

  ck_assert_int_eq(
    k8s_pod_list_parse_page(page, strlen(page), label_keys, &list, &cont, &err),
    DK_OK);
  ck_assert_uint_eq(list.n, 2);
  for (size_t i = 0; i < N_OF(bad); i++) {
    dk_err_clear(&err);
    ck_assert_int_eq(k8s_pod_list_parse_page(bad[i], strlen(bad[i]), label_keys,
                                             &list, &cont, &err),
                     DK_EPARSE);
    ck_assert_msg(strstr(err.msg, "response is not a PodList") != NULL,
                  "case %zu: %s", i, err.msg);
    ck_assert_ptr_null(cont);
    ck_assert_uint_eq(list.n, 2);
  }
  ck_assert_int_eq(k8s_pod_list_parse_page(empty_list_body,
                                           strlen(empty_list_body), NULL, &list,
                                           &cont, &err),
                   DK_OK);
  ck_assert_uint_eq(list.n, 2);
  /* A NUL inside the body is data after the value, as for dkron's. */
  {
    static const char nul_junk[] = "{\"kind\":\"PodList\",\"items\":[]}\0junk";

    ck_assert_int_eq(k8s_pod_list_parse_page(nul_junk, sizeof(nul_junk) - 1,
                                             NULL, &list, &cont, &err),
                     DK_EPARSE);
    ck_assert_msg(strstr(err.msg, "unexpected data after the JSON value at "
                                  "byte 29 of 34"),
                  "%s", err.msg);
  }
  k8s_pod_list_free(&list);
  free(page);
}
END_TEST

/* Feeds watch_stream cut in two at many points, then byte by byte: the
 * same events come out, in order, whatever the chunking. */
START_TEST(watch_parser_any_chunking)
{
  char *stream = watch_stream();
  size_t len = strlen(stream);
  struct dk_err err = {0};

  for (size_t cut = 0; cut <= len; cut += 97) {
    struct recorder rec = {0};
    struct k8s_watch_parser *p =
      k8s_watch_parser_new(label_keys, 0, record_event, &rec);

    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(k8s_watch_parser_feed(p, stream, cut, &err), DK_OK);
    ck_assert_int_eq(k8s_watch_parser_feed(p, stream + cut, len - cut, &err),
                     DK_OK);
    ck_assert_int_eq(k8s_watch_parser_finish(p, &err), DK_OK);
    assert_stream_events(&rec);
    ck_assert_uint_eq(k8s_watch_parser_events(p), 4);
    ck_assert_str_eq(k8s_watch_parser_resource_version(p), "48360");
    k8s_watch_parser_free(p);
  }
  {
    struct recorder rec = {0};
    struct k8s_watch_parser *p =
      k8s_watch_parser_new(label_keys, 0, record_event, &rec);

    for (size_t i = 0; i < len; i++)
      ck_assert_int_eq(k8s_watch_parser_feed(p, stream + i, 1, &err), DK_OK);
    ck_assert_int_eq(k8s_watch_parser_finish(p, &err), DK_OK);
    assert_stream_events(&rec);
    k8s_watch_parser_free(p);
  }
  free(stream);
}
END_TEST

START_TEST(watch_parser_bookmark_moves_rv_only)
{
  static const char text[] = EV_ADDED "\r\n" EV_BOOKMARK "\n";
  struct recorder rec = {0};
  struct dk_err err = {0};
  struct k8s_watch_parser *p =
    k8s_watch_parser_new(label_keys, 0, record_event, &rec);

  ck_assert_ptr_null(k8s_watch_parser_resource_version(p));
  ck_assert_int_eq(k8s_watch_parser_feed(p, text, strlen(text), &err), DK_OK);
  ck_assert_int_eq(k8s_watch_parser_finish(p, &err), DK_OK);
  ck_assert_uint_eq(rec.n, 1);
  ck_assert_str_eq(rec.ev[0].rv, "48300");
  ck_assert_str_eq(k8s_watch_parser_resource_version(p), "48350");
  k8s_watch_parser_free(p);
}
END_TEST

/* ERROR 410 is DK_EGONE; the failure sticks and later events are ignored;
 * the resourceVersion stays at the last good event. */
START_TEST(watch_parser_error_events)
{
  char *gone =
    join(EV_ADDED,
         EV_ERROR(410, "Expired", "too old resource version: 48213 (48500)"),
         EV_MODIFIED, NULL);
  static const char internal[] =
    EV_ERROR(500, "InternalError", "etcdserver: request timed out");
  struct recorder rec = {0};
  struct dk_err err = {0};
  struct k8s_watch_parser *p =
    k8s_watch_parser_new(label_keys, 0, record_event, &rec);

  ck_assert_int_eq(k8s_watch_parser_feed(p, gone, strlen(gone), &err),
                   DK_EGONE);
  ck_assert_int_eq(err.http_status, 410);
  ck_assert_ptr_nonnull(strstr(err.msg, "too old resource version"));
  ck_assert_uint_eq(rec.n, 1);
  ck_assert_str_eq(k8s_watch_parser_resource_version(p), "48300");
  dk_err_clear(&err);
  ck_assert_int_eq(k8s_watch_parser_feed(p, EV_MODIFIED, 10, &err), DK_EGONE);
  ck_assert_int_eq(k8s_watch_parser_finish(p, &err), DK_EGONE);
  ck_assert_uint_eq(rec.n, 1);
  k8s_watch_parser_free(p);

  p = k8s_watch_parser_new(label_keys, 0, record_event, &rec);
  ck_assert_int_eq(k8s_watch_parser_feed(p, internal, strlen(internal), &err),
                   DK_EHTTP);
  ck_assert_int_eq(err.http_status, 500);
  ck_assert_ptr_nonnull(strstr(err.msg, "etcdserver: request timed out"));
  k8s_watch_parser_free(p);
  free(gone);
}
END_TEST

START_TEST(watch_parser_rejects_bad_lines)
{
  static const char *const bad[] = {
    "<html><body>502 Bad Gateway</body></html>\n",
    "{\"type\":\"ADDED\"}\n",
    "{\"type\":\"RESYNC\",\"object\":{}}\n",
    "{\"type\":\"ADDED\",\"object\":{\"metadata\":{}}}\n",
    "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{}}}\n",
    "{\"type\":\"ERROR\",\"object\":{\"metadata\":{}}}\n",
  };
  struct dk_err err = {0};

  for (size_t i = 0; i < N_OF(bad); i++) {
    struct recorder rec = {0};
    struct k8s_watch_parser *p =
      k8s_watch_parser_new(label_keys, 0, record_event, &rec);

    ck_assert_msg(k8s_watch_parser_feed(p, bad[i], strlen(bad[i]), &err) ==
                    DK_EPARSE,
                  "case %zu: %s", i, err.msg);
    ck_assert_uint_eq(rec.n, 0);
    k8s_watch_parser_free(p);
  }
}
END_TEST

/* A line over the cap fails whether it comes whole or in pieces; an event
 * cut off by the end of the stream is an error, blank lines are not. */
START_TEST(watch_parser_limits_and_unfinished_events)
{
  static const char added[] = EV_ADDED;
  struct recorder rec = {0};
  struct dk_err err = {0};
  struct k8s_watch_parser *p =
    k8s_watch_parser_new(label_keys, 1024, record_event, &rec);

  ck_assert_uint_gt(strlen(added), 1200);
  ck_assert_int_eq(k8s_watch_parser_feed(p, added, strlen(added), &err),
                   DK_ETOOBIG);
  k8s_watch_parser_free(p);
  p = k8s_watch_parser_new(label_keys, 1024, record_event, &rec);
  ck_assert_int_eq(k8s_watch_parser_feed(p, added, 600, &err), DK_OK);
  ck_assert_int_eq(k8s_watch_parser_feed(p, added + 600, 600, &err),
                   DK_ETOOBIG);
  ck_assert_uint_eq(rec.n, 0);
  k8s_watch_parser_free(p);

  p = k8s_watch_parser_new(label_keys, 0, record_event, &rec);
  ck_assert_int_eq(k8s_watch_parser_feed(p, "\n \r\n", 4, &err), DK_OK);
  ck_assert_int_eq(k8s_watch_parser_feed(p, added, 100, &err), DK_OK);
  ck_assert_int_eq(k8s_watch_parser_finish(p, &err), DK_EPARSE);
  ck_assert_ptr_nonnull(strstr(err.msg, "middle of an event"));
  k8s_watch_parser_free(p);
}
END_TEST

START_TEST(watch_parser_callback_can_stop)
{
  struct recorder rec = {.stop_after = 1};
  struct dk_err err = {0};
  char *stream = watch_stream();
  struct k8s_watch_parser *p =
    k8s_watch_parser_new(label_keys, 0, record_event, &rec);

  ck_assert_int_eq(k8s_watch_parser_feed(p, stream, strlen(stream), &err),
                   DK_ECANCELED);
  ck_assert_uint_eq(rec.n, 1);
  k8s_watch_parser_free(p);
  free(stream);
}
END_TEST

/* A line of exactly len bytes (newline excluded): `head` then padding in
 * a string, then `tail`. */
static char *padded_line(const char *head, const char *tail, size_t len)
{
  size_t h = strlen(head), t = strlen(tail);
  char *line = malloc(len + 2);

  ck_assert_ptr_nonnull(line);
  ck_assert_uint_gt(len, h + t);
  memcpy(line, head, h);
  memset(line + h, 'x', len - h - t);
  memcpy(line + len - t, tail, t);
  line[len] = '\n';
  line[len + 1] = '\0';
  return line;
}

/* A line carried across chunks that fills the parser's line buffer to the
 * last byte (4 KiB first, doubled as it grows) must still be handed to
 * cJSON with a NUL after it: cJSON before 1.7.18 reads one byte past
 * `{"":"",` (CVE-2023-53154), which ASan and valgrind report here. A whole
 * event that fills the buffer still parses. */
START_TEST(watch_parser_carried_line_filling_its_buffer)
{
  static const size_t lens[] = {4095, 4096, 4097, 8191, 8192, 8193};
  struct dk_err err = {0};

  for (size_t i = 0; i < N_OF(lens); i++) {
    char *cut_short =
      padded_line("{\"type\":\"ADDED\",\"pad\":\"", "\",", lens[i]);
    char *whole =
      padded_line("{\"type\":\"ADDED\",\"object\":" POD_SERVER_1_PENDING(
                    "48300") ",\"pad\":\"",
                  "\"}", lens[i]);
    struct recorder rec = {0};
    struct k8s_watch_parser *p =
      k8s_watch_parser_new(label_keys, 0, record_event, &rec);

    ck_assert_int_eq(k8s_watch_parser_feed(p, cut_short, 1000, &err), DK_OK);
    ck_assert_int_eq(
      k8s_watch_parser_feed(p, cut_short + 1000, lens[i] + 1 - 1000, &err),
      DK_EPARSE);
    ck_assert_msg(strstr(err.msg, "invalid JSON"), "len %zu: %s", lens[i],
                  err.msg);
    k8s_watch_parser_free(p);

    p = k8s_watch_parser_new(label_keys, 0, record_event, &rec);
    ck_assert_int_eq(k8s_watch_parser_feed(p, whole, 1000, &err), DK_OK);
    ck_assert_msg(
      k8s_watch_parser_feed(p, whole + 1000, lens[i] + 1 - 1000, &err) == DK_OK,
      "len %zu: %s", lens[i], err.msg);
    ck_assert_uint_eq(rec.n, 1);
    ck_assert_str_eq(rec.ev[0].rv, "48300");
    ck_assert_int_eq(k8s_watch_parser_finish(p, &err), DK_OK);
    k8s_watch_parser_free(p);
    free(cut_short);
    free(whole);
  }
}
END_TEST

/* ---- against the fake API server --------------------------------------- */

START_TEST(list_pods_parses_every_field)
{
  char *body = all_pods_body();
  struct fake_response script[] = {REPLY(200, body)};
  struct fake_server *fs = start1("GET", PODS, script, 1);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_list_opts opts = {"app=dkron", NULL, label_keys, 0, 0};
  struct k8s_pod_list list;
  struct fake_request req;
  struct dk_err err = {0};
  const struct k8s_pod *p;

  ck_assert_msg(k8s_list_pods(c, &opts, &list, &err) == DK_OK, "%s", err.msg);
  request_n(fs, 0, &req);
  ck_assert_str_eq(req.method, "GET");
  ck_assert_str_eq(req.query, "labelSelector=app%3ddkron&limit=500");
  ck_assert_str_eq(req.authorization, "Bearer token-1");
  ck_assert_uint_eq(list.n, 6);
  ck_assert_str_eq(list.resource_version, "48213");

  p = find_pod(&list, "dkron-server-0");
  ck_assert_str_eq(p->namespace, "dkron");
  ck_assert_str_eq(p->uid, "5f0c6a1e-8d2b-4a57-9a0e-3c1d2b4e6f70");
  ck_assert_str_eq(p->resource_version, "48213");
  ck_assert_str_eq(p->pod_ip, "10.244.1.10");
  ck_assert_int_eq(p->phase, K8S_PHASE_RUNNING);
  ck_assert(p->ready);
  ck_assert(!p->terminating);
  ck_assert_int_eq(p->ordinal, 0);
  ck_assert_uint_eq(p->n_labels, 2); /* only the keys asked for */
  ck_assert_str_eq(k8s_pod_label(p, "app"), "dkron");
  ck_assert_str_eq(k8s_pod_label(p, "role"), "server");
  ck_assert_ptr_null(k8s_pod_label(p, "controller-revision-hash"));

  p = find_pod(&list, "dkron-server-1"); /* Pending, not started */
  ck_assert_int_eq(p->phase, K8S_PHASE_PENDING);
  ck_assert_ptr_null(p->pod_ip);
  ck_assert(!p->ready);            /* no Ready condition at all */
  ck_assert_int_eq(p->ordinal, 1); /* owner is a StatefulSet, no index label */
  ck_assert_str_eq(p->resource_version, "48201");

  p = find_pod(&list, "dkron-server-2"); /* being deleted */
  ck_assert_int_eq(p->phase, K8S_PHASE_RUNNING);
  ck_assert(!p->ready); /* Ready is "False" */
  ck_assert(p->terminating);
  ck_assert_int_eq(p->ordinal, 2);
  ck_assert_str_eq(p->pod_ip, "10.244.3.5");

  p = find_pod(&list, "dkron-agent-6b7f9c8d5-79524"); /* Deployment pod */
  ck_assert_int_eq(p->ordinal, -1);
  ck_assert(p->ready);
  ck_assert_str_eq(k8s_pod_label(p, "role"), "agent");
  ck_assert_ptr_null(k8s_pod_label(p, "pod-template-hash"));

  p = find_pod(&list, "dkron-backup-29398260-9zx4k");
  ck_assert_int_eq(p->phase, K8S_PHASE_SUCCEEDED);
  ck_assert(!p->ready);
  ck_assert_int_eq(p->ordinal, -1);
  ck_assert_uint_eq(p->n_labels, 1); /* no "role" label on this pod */
  ck_assert_ptr_null(k8s_pod_label(p, "role"));

  p = find_pod(&list, "dkron-migrate-kq5tz");
  ck_assert_int_eq(p->phase, K8S_PHASE_FAILED);
  ck_assert_str_eq(k8s_phase_name(p->phase), "Failed");
  ck_assert_int_eq(p->ordinal, -1);
  ck_assert_str_eq(p->pod_ip, "10.244.3.2");

  k8s_pod_list_free(&list);
  k8s_client_free(c);
  fake_server_stop(fs);
  free(body);
}
END_TEST

START_TEST(list_pods_follows_continue)
{
  char *page1 = page1_body();
  char *page2 = page2_body();
  struct fake_response script[] = {REPLY(200, page1), REPLY(200, page2)};
  struct fake_server *fs = start1("GET", PODS, script, 2);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_list_opts opts = {"app in (dkron),role!=agent",
                               "status.phase!=Failed", label_keys, 2, 0};
  struct k8s_pod_list list;
  struct fake_request req;
  struct dk_err err = {0};

  ck_assert_msg(k8s_list_pods(c, &opts, &list, &err) == DK_OK, "%s", err.msg);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", PODS), 2);
  /* libcurl's URL encoding: a space as '+', lower-case hex; the API
   * server decodes both. */
  request_n(fs, 0, &req);
  ck_assert_str_eq(req.query, "labelSelector=app+in+%28dkron%29%2crole%21"
                              "%3dagent&fieldSelector=status.phase%21%3dFailed"
                              "&limit=2");
  request_n(fs, 1, &req);
  ck_assert_str_eq(req.query, "labelSelector=app+in+%28dkron%29%2crole%21"
                              "%3dagent&fieldSelector=status.phase%21%3dFailed"
                              "&limit=2&continue=" CONTINUE_TOKEN);
  /* The selectors and the token reach the server intact. */
  {
    char v[512];

    ck_assert_str_eq(query_value(req.query, "labelSelector", v, sizeof(v)),
                     "app in (dkron),role!=agent");
    ck_assert_str_eq(query_value(req.query, "fieldSelector", v, sizeof(v)),
                     "status.phase!=Failed");
    ck_assert_str_eq(query_value(req.query, "continue", v, sizeof(v)),
                     CONTINUE_TOKEN);
  }
  ck_assert_uint_eq(list.n, 4);
  ck_assert_str_eq(list.items[0].name, "dkron-server-0");
  ck_assert_str_eq(list.items[1].name, "dkron-server-1");
  ck_assert_str_eq(list.items[2].name, "dkron-server-2");
  ck_assert_str_eq(list.items[3].name, "dkron-agent-6b7f9c8d5-79524");
  ck_assert_str_eq(list.resource_version, "48213");
  k8s_pod_list_free(&list);
  k8s_client_free(c);
  fake_server_stop(fs);
  free(page1);
  free(page2);
}
END_TEST

/* Pages are many small requests, so the page cap alone would let a
 * server (or a too-wide selector) fill memory: the items of all pages
 * together are capped too, with an error that says so. */
START_TEST(list_pods_caps_the_items_of_all_pages)
{
  char *page1 = page1_body();
  char *page2 = page2_body();
  struct fake_response script[] = {REPLY(200, page1), REPLY(200, page2)};
  struct fake_server *fs = start1("GET", PODS, script, 2);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_list_opts opts = {"app=dkron", NULL, label_keys, 2, 3};
  struct k8s_pod_list list;
  struct dk_err err = {0};

  ck_assert_int_eq(k8s_list_pods(c, &opts, &list, &err), DK_ETOOBIG);
  ck_assert_msg(strstr(err.msg, "more than 3 pods") &&
                  strstr(err.msg, "app=dkron") &&
                  strstr(err.msg, "narrow the label selector"),
                "%s", err.msg);
  ck_assert_uint_eq(list.n, 0);
  ck_assert_ptr_null(list.items);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", PODS), 2);
  /* Exactly at the cap is fine. */
  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, script, 2), 0);
  opts.max_items = 4;
  ck_assert_msg(k8s_list_pods(c, &opts, &list, &err) == DK_OK, "%s", err.msg);
  ck_assert_uint_eq(list.n, 4);
  k8s_pod_list_free(&list);
  k8s_client_free(c);
  fake_server_stop(fs);
  free(page1);
  free(page2);
}
END_TEST

/* 410 on a continue token restarts the list once, from the first page;
 * a second expiry is reported. */
START_TEST(list_pods_restarts_once_when_continue_expires)
{
  char *page1 = page1_body();
  char *page2 = page2_body();
  struct fake_response recovers[] = {REPLY(200, page1),
                                     REPLY(410, status_410_continue),
                                     REPLY(200, page1), REPLY(200, page2)};
  struct fake_response keeps_failing[] = {REPLY(200, page1),
                                          REPLY(410, status_410_continue)};
  struct fake_server *fs = start1("GET", PODS, recovers, 4);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_list_opts opts = {"app=dkron", NULL, label_keys, 2, 0};
  struct k8s_pod_list list;
  struct fake_request req;
  struct dk_err err = {0};

  ck_assert_msg(k8s_list_pods(c, &opts, &list, &err) == DK_OK, "%s", err.msg);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", PODS), 4);
  request_n(fs, 2, &req);
  ck_assert_ptr_null(strstr(req.query, "continue="));
  ck_assert_uint_eq(list.n, 4); /* the first page is not counted twice */
  k8s_pod_list_free(&list);

  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, keeps_failing, 2),
                   0);
  ck_assert_int_eq(k8s_list_pods(c, &opts, &list, &err), DK_EGONE);
  ck_assert_int_eq(err.http_status, 410);
  ck_assert_ptr_nonnull(strstr(err.msg, "continue parameter is too old"));
  ck_assert_uint_eq(list.n, 0);
  ck_assert_uint_eq(fake_server_hits(fs, "GET", PODS), 4 + 3);
  k8s_client_free(c);
  fake_server_stop(fs);
  free(page1);
  free(page2);
}
END_TEST

/* Splits watch_stream mid-JSON into three chunks, some holding several
 * events. */
static void split_stream(char *parts[3])
{
  char *stream = watch_stream();
  size_t a = strlen(EV_ADDED) / 2;
  size_t b = strlen(EV_ADDED) + strlen(EV_MODIFIED) + 40;

  parts[0] = strndup(stream, a);
  parts[1] = strndup(stream + a, b - a);
  parts[2] = strdup(stream + b);
  ck_assert(parts[0] && parts[1] && parts[2]);
  free(stream);
}

static struct k8s_watch_opts watch_opts(struct recorder *rec)
{
  struct k8s_watch_opts o = {0};

  o.label_selector = "app=dkron";
  o.label_keys = label_keys;
  o.timeout_seconds = 30;
  o.idle_timeout_ms = 5000;
  o.on_event = record_event;
  o.should_stop = stop_after_events;
  o.user = rec;
  return o;
}

START_TEST(watch_pods_streams_events_and_tracks_rv)
{
  char *parts[3];
  struct fake_response script[1] = {REPLY(200, NULL)};
  struct recorder rec = {0};
  struct k8s_watch_opts opts = watch_opts(&rec);
  char *rv = strdup("48213");
  struct fake_server *fs;
  struct k8s_client *c;
  struct fake_request req;
  struct dk_err err = {0};

  split_stream(parts);
  script[0].chunks = (const char *const *)parts;
  script[0].n_chunks = 3;
  script[0].chunk_delay_ms = 20;
  fs = start1("GET", PODS, script, 1);
  c = client_for(fs, "token-1");
  ck_assert_msg(k8s_watch_pods(c, &opts, &rv, &err) == DK_OK, "%s", err.msg);
  assert_stream_events(&rec);
  ck_assert_str_eq(rv, "48360");
  request_n(fs, 0, &req);
  ck_assert_str_eq(req.query, "watch=1&resourceVersion=48213&"
                              "allowWatchBookmarks=true&timeoutSeconds=30&"
                              "labelSelector=app%3ddkron");
  ck_assert_str_eq(req.authorization, "Bearer token-1");
  for (int i = 0; i < 3; i++)
    free(parts[i]);
  free(rv);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* ERROR 410 mid-stream and HTTP 410 on the request both mean "relist";
 * a garbage line is a parse error. */
START_TEST(watch_pods_gone_and_garbage)
{
  static const char *const gone_chunks[] = {
    EV_ADDED, EV_ERROR(410, "Expired",
                       "too old resource version: 48213 "
                       "(48500)")};
  static const char *const garbage_chunks[] = {EV_ADDED,
                                               "Internal Server Error\n"};
  struct fake_response gone[1] = {REPLY(200, NULL)};
  struct fake_response garbage[1] = {REPLY(200, NULL)};
  static const struct fake_response http_gone[] = {
    REPLY(410, status_410_watch)};
  struct recorder rec = {0};
  struct k8s_watch_opts opts = watch_opts(&rec);
  char *rv = strdup("48213");
  struct fake_server *fs;
  struct k8s_client *c;
  struct dk_err err = {0};

  gone[0].chunks = gone_chunks;
  gone[0].n_chunks = 2;
  garbage[0].chunks = garbage_chunks;
  garbage[0].n_chunks = 2;
  fs = start1("GET", PODS, gone, 1);
  c = client_for(fs, "token-1");
  ck_assert_int_eq(k8s_watch_pods(c, &opts, &rv, &err), DK_EGONE);
  ck_assert_ptr_nonnull(strstr(err.msg, "watch pods in namespace \"dkron\""));
  ck_assert_uint_eq(rec.n, 1);
  ck_assert_str_eq(rv, "48300");

  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, http_gone, 1), 0);
  dk_err_clear(&err);
  ck_assert_int_eq(k8s_watch_pods(c, &opts, &rv, &err), DK_EGONE);
  ck_assert_int_eq(err.http_status, 410);
  ck_assert_ptr_nonnull(strstr(err.msg, "too old resource version"));
  ck_assert_uint_eq(rec.n, 1);

  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, garbage, 1), 0);
  ck_assert_int_eq(k8s_watch_pods(c, &opts, &rv, &err), DK_EPARSE);
  ck_assert_uint_eq(rec.n, 2);
  free(rv);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* should_stop ends a watch the server would hold open for a long time. */
START_TEST(watch_pods_stops_when_asked)
{
  static const char *const chunks[] = {EV_ADDED};
  struct fake_response script[1] = {REPLY(200, NULL)};
  struct recorder rec = {.stop_after = 1};
  struct k8s_watch_opts opts = watch_opts(&rec);
  char *rv = strdup("48213");
  struct fake_server *fs;
  struct k8s_client *c;
  struct dk_err err = {0};

  script[0].chunks = chunks;
  script[0].n_chunks = 1;
  script[0].hold_open_ms = 20000;
  fs = start1("GET", PODS, script, 1);
  c = client_for(fs, "token-1");
  ck_assert_int_eq(k8s_watch_pods(c, &opts, &rv, &err), DK_ECANCELED);
  ck_assert_uint_eq(rec.n, 1);
  ck_assert_str_eq(rv, "48300");
  free(rv);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* 401, the token was rotated on disk unnoticed by stat: the client re-reads
 * it and the retry carries the new token. */
START_TEST(auth_401_rereads_token_and_retries)
{
  static const struct fake_response script[] = {
    REPLY(401, status_401), REPLY(200, POD_SERVER_1_RUNNING("48310"))};
  struct fake_server *fs = start1("GET", PODS "/dkron-server-1", script, 2);
  struct k8s_client *c = client_for(fs, "old-token-AAAA");
  struct fake_request req;
  struct k8s_pod pod;
  struct dk_err err = {0};

  overwrite_unnoticed("token", "new-token-BBBB");
  ck_assert_msg(k8s_get_pod(c, "dkron-server-1", label_keys, &pod, &err) ==
                  DK_OK,
                "%s", err.msg);
  ck_assert_uint_eq(fake_server_hits(fs, NULL, NULL), 2);
  request_n(fs, 0, &req);
  ck_assert_str_eq(req.authorization, "Bearer old-token-AAAA");
  request_n(fs, 1, &req);
  ck_assert_str_eq(req.authorization, "Bearer new-token-BBBB");
  ck_assert_str_eq(pod.name, "dkron-server-1");
  ck_assert_int_eq(pod.phase, K8S_PHASE_RUNNING);
  ck_assert(pod.ready);
  ck_assert_int_eq(pod.ordinal, 1);
  k8s_pod_free(&pod);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(auth_401_twice_is_eauth_without_the_token)
{
  static const struct fake_response script[] = {REPLY(401, status_401)};
  struct fake_server *fs = start1("GET", PODS, script, 1);
  struct k8s_client *c = client_for(fs, SA_JWT);
  struct k8s_pod_list list;
  struct dk_err err = {0};
  char token_path[PATH_MAX];

  tmp_path("token", token_path, sizeof(token_path));
  ck_assert_int_eq(k8s_list_pods(c, NULL, &list, &err), DK_EAUTH);
  ck_assert_uint_eq(fake_server_hits(fs, NULL, NULL), 2);
  ck_assert_int_eq(err.http_status, 401);
  ck_assert_ptr_nonnull(strstr(err.msg, "list pods in namespace \"dkron\": "
                                        "401 Unauthorized"));
  ck_assert_ptr_nonnull(strstr(err.msg, token_path));
  ck_assert_ptr_null(strstr(err.msg, "eyJ")); /* no part of the JWT */
  ck_assert_uint_eq(list.n, 0);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* A 403 that is not an RBAC denial (an admission webhook) is reported as
 * the API server's refusal, without a Role rule that would not help. */
START_TEST(forbidden_by_a_webhook_is_not_blamed_on_rbac)
{
  static const struct fake_response script[] = {REPLY(403, status_403_webhook)};
  static const struct fake_route routes[] = {
    {"PATCH", PODS "/dkron-server-0", script, 1}};
  static const struct k8s_label_change leader = {"dkron-leader", "true"};
  struct fake_server *fs = fake_server_start(routes, 1, NULL, NULL);
  struct k8s_client *c;
  struct dk_err err = {0};

  ck_assert_ptr_nonnull(fs);
  c = client_for(fs, SA_JWT);
  ck_assert_int_eq(k8s_patch_pod_labels(c, "dkron-server-0", &leader, 1, &err),
                   DK_EFORBIDDEN);
  ck_assert_int_eq(err.http_status, 403);
  ck_assert_msg(strstr(err.msg,
                       "403 Forbidden, not by RBAC: the API server "
                       "refused \"patch\" on \"pods\" in namespace "
                       "\"dkron\": admission webhook "
                       "\"labels.example.com\" denied the request") != NULL,
                "%s", err.msg);
  ck_assert_ptr_null(strstr(err.msg, "Role"));
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* 403 names verb, resource, namespace and service account (from the
 * token's sub claim) and the exact Role rule to add, for each request. */
START_TEST(forbidden_names_the_missing_rbac_rule)
{
  static const struct fake_response script[] = {REPLY(403, status_403_list)};
  static const struct fake_route routes[] = {
    {"GET", PODS, script, 1},
    {"PATCH", PODS "/dkron-server-0", script, 1},
    {"GET", STS_PATH, script, 1}};
  static const struct k8s_label_change leader = {"dkron-leader", "true"};
  struct fake_server *fs = fake_server_start(routes, 3, NULL, NULL);
  struct k8s_client *c;
  struct k8s_pod_list list;
  struct dk_err err = {0};
  long replicas = 0;

  ck_assert_ptr_nonnull(fs);
  c = client_for(fs, SA_JWT);
  ck_assert_str_eq(k8s_client_service_account(c),
                   "system:serviceaccount:dkron:dkron-agent");
  ck_assert_int_eq(k8s_list_pods(c, NULL, &list, &err), DK_EFORBIDDEN);
  ck_assert_int_eq(err.http_status, 403);
  ck_assert_msg(
    strstr(err.msg, "RBAC denies \"list\" on \"pods\" in namespace \"dkron\" "
                    "for system:serviceaccount:dkron:dkron-agent; add to its "
                    "Role: {apiGroups: [\"\"], resources: [\"pods\"], verbs: "
                    "[\"list\"]}") != NULL,
    "%s", err.msg);
  ck_assert_ptr_nonnull(strstr(err.msg, "cannot list resource"));

  ck_assert_int_eq(k8s_patch_pod_labels(c, "dkron-server-0", &leader, 1, &err),
                   DK_EFORBIDDEN);
  ck_assert_msg(
    strstr(err.msg, "RBAC denies \"patch\" on \"pods\" in namespace \"dkron\" "
                    "for system:serviceaccount:dkron:dkron-agent; add to its "
                    "Role: {apiGroups: [\"\"], resources: [\"pods\"], verbs: "
                    "[\"patch\"]}") != NULL,
    "%s", err.msg);

  ck_assert_int_eq(
    k8s_get_statefulset_replicas(c, "dkron-server", &replicas, &err),
    DK_EFORBIDDEN);
  ck_assert_msg(strstr(err.msg, "RBAC denies \"get\" on \"statefulsets\" in "
                                "namespace \"dkron\" for "
                                "system:serviceaccount:dkron:dkron-agent; add "
                                "to its Role: {apiGroups: [\"apps\"], "
                                "resources: [\"statefulsets\"], verbs: "
                                "[\"get\"]}") != NULL,
                "%s", err.msg);
  ck_assert_ptr_null(strstr(err.msg, "eyJ"));
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(get_missing_pod_is_enotfound)
{
  static const struct fake_response script[] = {REPLY(404, status_404_pod)};
  struct fake_server *fs = start1("GET", PODS "/dkron-server-9", script, 1);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_pod pod;
  struct dk_err err = {0};

  ck_assert_int_eq(k8s_get_pod(c, "dkron-server-9", NULL, &pod, &err),
                   DK_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(err.msg, "get pod \"dkron-server-9\" in "
                                        "namespace \"dkron\""));
  ck_assert_ptr_nonnull(strstr(err.msg, "pods \"dkron-server-9\" not found"));
  ck_assert_ptr_null(pod.name);
  /* A name that would escape the path is refused before any request. */
  ck_assert_int_eq(k8s_get_pod(c, "../secrets/x", NULL, &pod, &err), DK_EINVAL);
  ck_assert_uint_eq(fake_server_hits(fs, NULL, NULL), 1);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* Broken bodies: malformed JSON, the wrong shape, a truncated transfer. */
/* An API server (or a proxy in front of it) that echoes the request's
 * headers in a Status message: the token never reaches the error message,
 * from a response or from a watch ERROR event. */
START_TEST(status_messages_are_scrubbed_of_credentials)
{
  static const struct fake_response script[] = {REPLY(
    404, STATUS(404, "NotFound",
                "pods not found; request headers: Authorization: Bearer "
                "token-1, X-Id: eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln"))};
  static const char error_event[] =
    EV_ERROR(500, "InternalError", "proxy said: authorization=token-2 bad");
  struct fake_server *fs = start1("GET", PODS "/dkron-server-9", script, 1);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_watch_parser *p =
    k8s_watch_parser_new(label_keys, 0, record_event, NULL);
  struct k8s_pod pod;
  struct dk_err err = {0};

  ck_assert_int_eq(k8s_get_pod(c, "dkron-server-9", NULL, &pod, &err),
                   DK_ENOTFOUND);
  ck_assert_msg(strstr(err.msg, "request headers: Authorization: [redacted], "
                                "X-Id: [redacted]"),
                "%s", err.msg);
  ck_assert_ptr_null(strstr(err.msg, "token-1"));
  ck_assert_ptr_null(strstr(err.msg, "eyJ"));
  ck_assert_int_eq(
    k8s_watch_parser_feed(p, error_event, strlen(error_event), &err), DK_EHTTP);
  ck_assert_msg(strstr(err.msg, "proxy said: authorization=[redacted] bad"),
                "%s", err.msg);
  ck_assert_ptr_null(strstr(err.msg, "token-2"));
  k8s_watch_parser_free(p);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(broken_bodies_are_errors)
{
  static const struct fake_response malformed[] = {REPLY(
    200, "{\"kind\":\"PodList\",\"items\":[{\"metadata\":{\"name\":\"a\"}},")};
  static const struct fake_response wrong_shape[] = {
    REPLY(200, "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},"
               "\"items\":\"none\"}")};
  char *body = all_pods_body();
  struct fake_response truncated[1] = {REPLY(200, body)};
  struct fake_server *fs = start1("GET", PODS, malformed, 1);
  struct k8s_client *c = client_for(fs, "token-1");
  struct k8s_pod_list list;
  struct dk_err err = {0};

  ck_assert_int_eq(k8s_list_pods(c, NULL, &list, &err), DK_EPARSE);
  ck_assert_ptr_nonnull(strstr(err.msg, "list pods in namespace \"dkron\": "
                                        "response is not a PodList: invalid "
                                        "JSON at byte"));
  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, wrong_shape, 1), 0);
  ck_assert_int_eq(k8s_list_pods(c, NULL, &list, &err), DK_EPARSE);
  ck_assert_ptr_nonnull(strstr(err.msg, "\"items\" is missing or not an "
                                        "array"));
  truncated[0].truncate = 1;
  ck_assert_int_eq(fake_server_set_script(fs, "GET", PODS, truncated, 1), 0);
  ck_assert_int_ne(k8s_list_pods(c, NULL, &list, &err), DK_OK);
  ck_assert_ptr_nonnull(strstr(err.msg, "list pods in namespace \"dkron\""));
  ck_assert_uint_eq(list.n, 0);
  k8s_client_free(c);
  fake_server_stop(fs);
  free(body);
}
END_TEST

/* kubelet rotates the projected token: the next request sends the new one
 * without waiting for a 401. */
START_TEST(rotated_token_is_used_without_a_401)
{
  static const struct fake_response script[] = {
    REPLY(200, POD_SERVER_1_RUNNING("48310"))};
  struct fake_server *fs = start1("GET", PODS "/dkron-server-1", script, 1);
  struct k8s_client *c = client_for(fs, "first-token");
  struct fake_request req;
  struct k8s_pod pod;
  struct dk_err err = {0};

  ck_assert_int_eq(k8s_get_pod(c, "dkron-server-1", NULL, &pod, &err), DK_OK);
  k8s_pod_free(&pod);
  write_file("token", "second-token-after-rotation\n");
  ck_assert_int_eq(k8s_get_pod(c, "dkron-server-1", NULL, &pod, &err), DK_OK);
  k8s_pod_free(&pod);
  ck_assert_uint_eq(fake_server_hits(fs, NULL, NULL), 2);
  request_n(fs, 0, &req);
  ck_assert_str_eq(req.authorization, "Bearer first-token");
  request_n(fs, 1, &req);
  ck_assert_str_eq(req.authorization, "Bearer second-token-after-rotation");
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(patch_labels_sends_a_merge_patch)
{
  static const struct fake_response script[] = {REPLY(200, POD_SERVER_0)};
  static const struct k8s_label_change changes[] = {{"dkron-leader", "true"},
                                                    {"dkron-bootstrap", NULL}};
  struct fake_server *fs = start1("PATCH", PODS "/dkron-server-0", script, 1);
  struct k8s_client *c = client_for(fs, "token-1");
  struct fake_request req;
  struct dk_err err = {0};
  cJSON *body, *labels, *value;

  ck_assert_msg(k8s_patch_pod_labels(c, "dkron-server-0", changes, 2, &err) ==
                  DK_OK,
                "%s", err.msg);
  request_n(fs, 0, &req);
  ck_assert_str_eq(req.method, "PATCH");
  ck_assert_str_eq(req.path, PODS "/dkron-server-0");
  ck_assert_str_eq(req.content_type, "application/merge-patch+json");
  ck_assert_str_eq(req.authorization, "Bearer token-1");
  body = cJSON_Parse(req.body);
  ck_assert_ptr_nonnull(body);
  ck_assert_int_eq(cJSON_GetArraySize(body), 1);
  labels = cJSON_GetObjectItemCaseSensitive(
    cJSON_GetObjectItemCaseSensitive(body, "metadata"), "labels");
  ck_assert_int_eq(cJSON_GetArraySize(labels), 2);
  value = cJSON_GetObjectItemCaseSensitive(labels, "dkron-leader");
  ck_assert(cJSON_IsString(value));
  ck_assert_str_eq(value->valuestring, "true");
  value = cJSON_GetObjectItemCaseSensitive(labels, "dkron-bootstrap");
  ck_assert(cJSON_IsNull(value));
  cJSON_Delete(body);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

START_TEST(statefulset_replicas)
{
  static const struct fake_response three[] = {REPLY(200, STS_THREE_REPLICAS)};
  static const struct fake_response unset[] = {REPLY(200, STS_NO_REPLICAS)};
  static const struct fake_response missing[] = {REPLY(404, status_404_sts)};
  struct fake_server *fs = start1("GET", STS_PATH, three, 1);
  struct k8s_client *c = client_for(fs, "token-1");
  struct dk_err err = {0};
  long replicas = 0;

  ck_assert_msg(
    k8s_get_statefulset_replicas(c, "dkron-server", &replicas, &err) == DK_OK,
    "%s", err.msg);
  ck_assert_int_eq(replicas, 3);
  ck_assert_int_eq(fake_server_set_script(fs, "GET", STS_PATH, unset, 1), 0);
  replicas = 0;
  ck_assert_int_eq(
    k8s_get_statefulset_replicas(c, "dkron-server", &replicas, &err), DK_OK);
  ck_assert_int_eq(replicas, 1);
  ck_assert_int_eq(fake_server_set_script(fs, "GET", STS_PATH, missing, 1), 0);
  ck_assert_int_eq(
    k8s_get_statefulset_replicas(c, "dkron-server", &replicas, &err),
    DK_ENOTFOUND);
  ck_assert_ptr_nonnull(strstr(err.msg, "get statefulset \"dkron-server\""));
  ck_assert_uint_eq(fake_server_hits(fs, "GET", STS_PATH), 3);
  k8s_client_free(c);
  fake_server_stop(fs);
}
END_TEST

/* ---- in-cluster configuration ------------------------------------------ */

static void clear_service_env(void)
{
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
}

static void write_service_account_dir(void)
{
  write_file("token", SA_JWT "\n");
  write_file("ca.crt", "-----BEGIN CERTIFICATE-----\nMIIB\n"
                       "-----END CERTIFICATE-----\n");
  write_file("namespace", "dkron\n");
}

START_TEST(in_cluster_config_from_env_and_files)
{
  struct k8s_overrides ov = {.sa_dir = tmp_dir};
  struct k8s_config cfg;
  struct dk_err err = {0};
  char path[PATH_MAX];

  write_service_account_dir();
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  ck_assert_msg(k8s_config_in_cluster(&ov, &cfg, &err) == DK_OK, "%s", err.msg);
  ck_assert_str_eq(cfg.api_url, "https://10.96.0.1:443");
  tmp_path("token", path, sizeof(path));
  ck_assert_str_eq(cfg.token_file, path);
  tmp_path("ca.crt", path, sizeof(path));
  ck_assert_str_eq(cfg.ca_file, path);
  ck_assert_str_eq(cfg.namespace, "dkron");
  ck_assert_ptr_null(cfg.service_account);
  k8s_config_free(&cfg);

  setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "6443", 1);
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_OK);
  ck_assert_str_eq(cfg.api_url, "https://[fd00:10:96::1]:6443");
  k8s_config_free(&cfg);
  clear_service_env();
}
END_TEST

START_TEST(in_cluster_config_errors)
{
  struct k8s_overrides ov = {.sa_dir = tmp_dir};
  struct k8s_config cfg;
  struct dk_err err = {0};
  char path[PATH_MAX];

  write_service_account_dir();
  clear_service_env();
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "KUBERNETES_SERVICE_HOST is not set: "
                                        "not running in a pod? set "
                                        "--kube-api-url"));
  k8s_config_free(&cfg);

  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "https", 1);
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "KUBERNETES_SERVICE_PORT"));
  k8s_config_free(&cfg);

  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  tmp_path("namespace", path, sizeof(path));
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "POD_NAMESPACE"));
  k8s_config_free(&cfg);

  tmp_path("token", path, sizeof(path));
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, path));
  ck_assert_ptr_nonnull(strstr(err.msg, "--kube-token-file"));
  k8s_config_free(&cfg);
  clear_service_env();
}
END_TEST

/* Out of cluster: no env needed, trailing slash dropped, no CA file
 * (the system store applies). */
START_TEST(out_of_cluster_overrides)
{
  struct k8s_overrides ov = {0};
  struct k8s_config cfg;
  struct dk_err err = {0};
  char path[PATH_MAX];

  clear_service_env();
  write_file("kubeconfig-token", "abc\n");
  tmp_path("kubeconfig-token", path, sizeof(path));
  ov.api_url = "http://127.0.0.1:8001/";
  ov.token_file = path;
  ov.namespace = "dkron";
  ov.sa_dir = tmp_dir;
  ck_assert_msg(k8s_config_in_cluster(&ov, &cfg, &err) == DK_OK, "%s", err.msg);
  ck_assert_str_eq(cfg.api_url, "http://127.0.0.1:8001");
  ck_assert_str_eq(cfg.token_file, path);
  ck_assert_ptr_null(cfg.ca_file);
  ck_assert_str_eq(cfg.namespace, "dkron");
  k8s_config_free(&cfg);

  ov.namespace = "Not_A_Namespace";
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_EINVAL);
  ck_assert_ptr_nonnull(strstr(err.msg, "not a valid namespace name"));
  k8s_config_free(&cfg);
  ov.namespace = "dkron";
  ov.api_url = "127.0.0.1:8001";
  ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_EINVAL);
  k8s_config_free(&cfg);
}
END_TEST

/* A token file that is empty or holds more than one token-like word stops
 * the client at creation, naming the file but never its content. */
/* http:// would send the bearer token in clear text: it is refused unless
 * the host is this machine (a `kubectl proxy`), and the message names the
 * flag, its env and the fix. https:// goes anywhere. */
START_TEST(plain_http_api_url_only_to_loopback)
{
  static const char *const allowed[] = {
    "http://127.0.0.1:8001",
    "http://127.10.20.30:8001/",
    "http://[::1]:8001",
    "http://localhost:8001",
    "http://LocalHost/",
    "http://localhost",
    "https://10.96.0.1:443",
    "https://kubernetes.default.svc",
    "http://[::ffff:127.0.0.1]:8001",
  };
  static const char *const refused[] = {
    "http://10.96.0.1:443",
    "http://kubernetes.default.svc:80",
    "http://127.0.0.1.example.com:8001",
    "http://localhost.example.com/",
    "http://127.0.0.1@10.0.0.1:8001/",
    "http://[::2]:8001",
    "http://[fe80::1]:8001",
    "http://2130706433/",
    "http://:8001",
    "HTTP://10.0.0.1/",
  };
  struct k8s_overrides ov = {0};
  struct k8s_config cfg;
  struct dk_err err = {0};
  char path[PATH_MAX];

  clear_service_env();
  write_file("kubeconfig-token", "abc\n");
  tmp_path("kubeconfig-token", path, sizeof(path));
  ov.token_file = path;
  ov.namespace = "dkron";
  ov.sa_dir = tmp_dir;
  for (size_t i = 0; i < N_OF(allowed); i++) {
    ov.api_url = allowed[i];
    ck_assert_msg(k8s_config_in_cluster(&ov, &cfg, &err) == DK_OK, "%s: %s",
                  allowed[i], err.msg);
    k8s_config_free(&cfg);
  }
  for (size_t i = 0; i < N_OF(refused); i++) {
    dk_err_clear(&err);
    ov.api_url = refused[i];
    ck_assert_msg(k8s_config_in_cluster(&ov, &cfg, &err) == DK_EINVAL,
                  "%s accepted", refused[i]);
    ck_assert_msg(strstr(err.msg, "--kube-api-url") &&
                    strstr(err.msg, "KUBE_API_URL") &&
                    strstr(err.msg, "https://"),
                  "%s: %s", refused[i], err.msg);
    ck_assert_ptr_null(cfg.api_url);
    k8s_config_free(&cfg);
  }
}
END_TEST

START_TEST(unusable_token_file_is_refused)
{
  static const char *const bad[] = {"\n", "abc-secret def-secret\n",
                                    "line-one-secret\nline-two\n"};
  struct k8s_overrides ov = {0};
  struct k8s_config cfg;
  struct dk_err err = {0};
  char path[PATH_MAX];

  tmp_path("token", path, sizeof(path));
  ov.api_url = "http://127.0.0.1:9";
  ov.token_file = path;
  ov.namespace = "dkron";
  for (size_t i = 0; i < N_OF(bad); i++) {
    write_file("token", bad[i]);
    ck_assert_int_eq(k8s_config_in_cluster(&ov, &cfg, &err), DK_OK);
    ck_assert_ptr_null(k8s_client_new(&cfg, &err));
    ck_assert_int_eq(err.code, DK_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, path));
    ck_assert_ptr_null(strstr(err.msg, "secret"));
    k8s_config_free(&cfg);
  }
}
END_TEST

/* The set-up the programs share: the configuration, the caller's HTTP
 * options, a client; the configuration left to the caller when asked. */
START_TEST(client_in_cluster_sets_up_a_client)
{
  struct k8s_overrides ov = {.api_url = "http://127.0.0.1:9",
                             .namespace = "dkron"};
  const struct http_client_opts http = {.timeout_ms = 1234, .max_attempts = 2};
  struct k8s_client *c;
  struct k8s_config kc;
  struct dk_err err = {0};
  char path[PATH_MAX];

  tmp_path("token", path, sizeof(path));
  write_file("token", SA_JWT "\n");
  ov.token_file = path;
  c = k8s_client_in_cluster(&ov, &http, NULL, &kc, &err);
  ck_assert_msg(c, "%s", err.msg);
  ck_assert_str_eq(k8s_client_namespace(c), "dkron");
  ck_assert_str_eq(kc.api_url, "http://127.0.0.1:9");
  ck_assert_int_eq(kc.http.timeout_ms, 1234);
  ck_assert_int_eq(kc.http.max_attempts, 2);
  k8s_client_free(c);
  k8s_config_free(&kc);

  c = k8s_client_in_cluster(&ov, NULL, NULL, NULL, &err);
  ck_assert_msg(c, "%s", err.msg);
  k8s_client_free(c);

  ov.namespace = "Not_A_Label";
  ck_assert_ptr_null(k8s_client_in_cluster(&ov, &http, NULL, &kc, &err));
  ck_assert_int_eq(err.code, DK_EINVAL);
  k8s_config_free(&kc);
  ck_assert_ptr_null(k8s_client_in_cluster(&ov, NULL, NULL, NULL, &err));
}
END_TEST

Suite *make_k8s_suite(void)
{
  Suite *s = suite_create("k8s");
  TCase *parse = tcase_create("parse");
  TCase *api = tcase_create("api");
  TCase *config = tcase_create("config");

  tcase_add_test(parse, ordinal_from_name);
  tcase_add_test(parse, pod_list_shape_errors);
  tcase_add_test(parse, watch_parser_any_chunking);
  tcase_add_test(parse, watch_parser_bookmark_moves_rv_only);
  tcase_add_test(parse, watch_parser_error_events);
  tcase_add_test(parse, watch_parser_rejects_bad_lines);
  tcase_add_test(parse, watch_parser_limits_and_unfinished_events);
  tcase_add_test(parse, watch_parser_callback_can_stop);
  tcase_add_test(parse, watch_parser_carried_line_filling_its_buffer);
  suite_add_tcase(s, parse);

  tcase_add_unchecked_fixture(api, tmp_dir_setup, tmp_dir_teardown);
  tcase_set_timeout(api, 30);
  tcase_add_test(api, list_pods_parses_every_field);
  tcase_add_test(api, list_pods_follows_continue);
  tcase_add_test(api, list_pods_caps_the_items_of_all_pages);
  tcase_add_test(api, list_pods_restarts_once_when_continue_expires);
  tcase_add_test(api, watch_pods_streams_events_and_tracks_rv);
  tcase_add_test(api, watch_pods_gone_and_garbage);
  tcase_add_test(api, watch_pods_stops_when_asked);
  tcase_add_test(api, auth_401_rereads_token_and_retries);
  tcase_add_test(api, auth_401_twice_is_eauth_without_the_token);
  tcase_add_test(api, forbidden_names_the_missing_rbac_rule);
  tcase_add_test(api, forbidden_by_a_webhook_is_not_blamed_on_rbac);
  tcase_add_test(api, get_missing_pod_is_enotfound);
  tcase_add_test(api, broken_bodies_are_errors);
  tcase_add_test(api, status_messages_are_scrubbed_of_credentials);
  tcase_add_test(api, rotated_token_is_used_without_a_401);
  tcase_add_test(api, patch_labels_sends_a_merge_patch);
  tcase_add_test(api, statefulset_replicas);
  suite_add_tcase(s, api);

  tcase_add_unchecked_fixture(config, tmp_dir_setup, tmp_dir_teardown);
  tcase_add_test(config, in_cluster_config_from_env_and_files);
  tcase_add_test(config, in_cluster_config_errors);
  tcase_add_test(config, out_of_cluster_overrides);
  tcase_add_test(config, plain_http_api_url_only_to_loopback);
  tcase_add_test(config, unusable_token_file_is_refused);
  tcase_add_test(config, client_in_cluster_sets_up_a_client);
  suite_add_tcase(s, config);
  return s;
}
