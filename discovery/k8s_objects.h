/* k8s_objects.h: requests about single objects of the client's namespace
 * (part of the Kubernetes client; k8s.h includes it): get a pod,
 * merge-patch its labels, read a StatefulSet's replicas, create an Event. */
#ifndef DK_K8S_OBJECTS_H
#define DK_K8S_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "k8s_pod.h"

struct k8s_client;

/* label_keys: NULL-terminated list of the labels to keep. */

/* GET one pod of the client's namespace. DK_ENOTFOUND if it is gone. */
enum dk_code k8s_get_pod(struct k8s_client *client, const char *name,
                         const char *const *label_keys, struct k8s_pod *out,
                         struct dk_err *err);

struct k8s_label_change {
  const char *key;
  const char *value; /* NULL removes the label */
};

/* JSON merge-patch of a pod's labels (others are left alone). */
enum dk_code k8s_patch_pod_labels(struct k8s_client *client, const char *name,
                                  const struct k8s_label_change *changes,
                                  size_t n_changes, struct dk_err *err);

/* An events.k8s.io/v1 Event about a pod of the client's namespace. */
struct k8s_event {
  const char *regarding_pod; /* the pod it is about */
  const char *regarding_uid; /* its UID; NULL or "" when unknown */
  bool warning;              /* type Warning, else Normal */
  const char *reason;        /* CamelCase, e.g. "BootstrapExpect" */
  const char *action;        /* CamelCase, e.g. "Bootstrap" */
  const char *note;          /* one human sentence, at most 1 KiB */
  const char *controller;    /* reportingController: "dkron-k8s.io/..." */
  const char *instance;      /* reportingInstance: our pod's name */
};

/* POSTs the Event once (a create is not retried). Needs the RBAC rule
 * {apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create"]}. */
enum dk_code k8s_create_event(struct k8s_client *client,
                              const struct k8s_event *ev, struct dk_err *err);

/* spec.replicas of a StatefulSet (1 when unset, as Kubernetes defaults). */
enum dk_code k8s_get_statefulset_replicas(struct k8s_client *client,
                                          const char *name, long *replicas,
                                          struct dk_err *err);

#endif
