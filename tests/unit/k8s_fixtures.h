/* k8s_fixtures.h: what the Kubernetes client's suites share: API bodies
 * shaped as the API server returns them (managedFields left out), scripted
 * answers of the fake API server, a temp dir per test case, a client for
 * the fake server and a recorder of watch events (k8s_fixtures.c). */
#ifndef K8S_FIXTURES_H
#define K8S_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>

#include "fake_http.h"
#include "k8s.h"

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

/* Joins its NULL-terminated arguments into one new string. */
char *join(const char *first, ...);

/* The six pods of namespace "dkron" in one PodList; the same in two pages
 * (the first with a continue token). Owned by the caller. */
char *all_pods_body(void);
char *page1_body(void);
char *page2_body(void);

extern const char empty_list_body[];

#define STATUS(code, reason, message)                                      \
  "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":" \
  "\"Failure\",\"message\":\"" message "\",\"reason\":\"" reason           \
  "\",\"code\":" #code "}"

extern const char status_401[];
extern const char status_403_list[];
extern const char status_403_webhook[];
extern const char status_404_pod[];
extern const char status_404_sts[];
extern const char status_410_continue[];
extern const char status_410_watch[];

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

/* ADDED, MODIFIED, BOOKMARK, DELETED; owned by the caller. */
char *watch_stream(void);

/* A scripted answer of the fake server. */
#define REPLY(code, text)            \
  {                                  \
    .status = (code), .body = (text) \
  }

#define NS       "dkron"
#define PODS     "/api/v1/namespaces/dkron/pods"
#define STS_PATH "/apis/apps/v1/namespaces/dkron/statefulsets/dkron-server"

extern const char *const label_keys[];

/* ---- fixtures: a temp dir per test case -------------------------------- */

extern char tmp_dir[64];

void tmp_dir_setup(void);
void tmp_dir_teardown(void);
void tmp_path(const char *name, char *out, size_t n);
/* Replaces the file's content (new inode, as kubelet's atomic writer). */
void write_file(const char *name, const char *text);

/* A client for the fake server, reading its token from tmp_dir/token. */
struct k8s_client *client_for(struct fake_server *fs, const char *token);
/* A fake server with one route. */
struct fake_server *start1(const char *method, const char *path,
                           const struct fake_response *script, size_t n);
/* The n-th request the fake server saw. */
void request_n(struct fake_server *fs, unsigned n, struct fake_request *out);

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

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

int record_event(const struct k8s_watch_event *ev, void *user);
/* The three pod events of watch_stream, in order. */
void assert_stream_events(const struct recorder *r);

#endif
