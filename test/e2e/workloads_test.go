package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Workloads run on the shared cluster's simulated nodes (see main_test.go): controllers and the
// scheduler act, the simulated kubelet reports pods Running, and kubectl sees it end as upstream.

const rolloutTimeout = 90 * time.Second

// TestDeploymentRollout: kubectl create deployment ends in Running pods; scale, a rolling
// update, rollout history, undo and restart behave as on Kubernetes.
func TestDeploymentRollout(t *testing.T) {
	e := setup(t)
	e.runNS("", "create", "deployment", "web", "--image=nginx:1.27", "--replicas=3")
	e.runNS("", "rollout", "status", "deployment/web", "--timeout=90s")
	e.eventually(rolloutTimeout, func() error {
		rows := table(e.runNS("", "get", "pods", "-l", "app=web").Stdout)
		running := 0
		for _, r := range rows {
			if r["STATUS"] == "Running" && r["READY"] == "1/1" {
				running++
			}
		}
		if running != 3 {
			return fmt.Errorf("%d of 3 pods Running and ready:\n%v", running, rows)
		}
		return nil
	})
	mustContain(t, "get deployment", e.runNS("", "get", "deployment", "web").Stdout, "3/3")

	e.runNS("", "scale", "deployment/web", "--replicas=5")
	e.runNS("", "rollout", "status", "deployment/web", "--timeout=90s")
	if got := e.jsonpath("{.status.availableReplicas}", "deployment/web"); got != "5" {
		t.Errorf("availableReplicas after scale = %s, want 5", got)
	}

	e.runNS("", "set", "image", "deployment/web", "nginx=nginx:1.28")
	e.runNS("", "rollout", "status", "deployment/web", "--timeout=90s")
	if got := e.jsonpath("{.metadata.annotations.deployment\\.kubernetes\\.io/revision}", "deployment/web"); got != "2" {
		t.Errorf("revision after set image = %q, want 2", got)
	}
	history := e.runNS("", "rollout", "history", "deployment/web").Stdout
	mustMatch(t, "rollout history", history, `(?m)^1\s`, `(?m)^2\s`)
	images := e.jsonpath("{range .items[*]}{.spec.containers[0].image}{\"\\n\"}{end}", "pods", "-l", "app=web")
	e.eventually(rolloutTimeout, func() error {
		images = e.jsonpath("{range .items[*]}{.metadata.deletionTimestamp}{.spec.containers[0].image}{\"\\n\"}{end}", "pods", "-l", "app=web")
		if strings.Count(images, "nginx:1.28\n") != 5 || strings.Contains(images, "1.27") {
			return fmt.Errorf("pods' images:\n%s", images)
		}
		return nil
	})
	if rs := lines(e.runNS("", "get", "rs", "-l", "app=web", "--no-headers").Stdout); len(rs) != 2 {
		t.Errorf("replica sets after one update: %v", rs)
	}

	e.runNS("", "rollout", "undo", "deployment/web")
	e.runNS("", "rollout", "status", "deployment/web", "--timeout=90s")
	if got := e.jsonpath("{.spec.template.spec.containers[0].image}", "deployment/web"); got != "nginx:1.27" {
		t.Errorf("image after undo = %q", got)
	}
	if got := e.jsonpath("{.metadata.annotations.deployment\\.kubernetes\\.io/revision}", "deployment/web"); got != "3" {
		t.Errorf("revision after undo = %q, want 3", got)
	}

	e.runNS("", "rollout", "restart", "deployment/web")
	e.runNS("", "rollout", "status", "deployment/web", "--timeout=90s")
	if rs := lines(e.runNS("", "get", "rs", "-l", "app=web", "--no-headers").Stdout); len(rs) != 3 {
		t.Errorf("replica sets after restart: %v", rs)
	}
	conds := e.jsonpath(`{range .status.conditions[*]}{.type}={.status}/{.reason}{"\n"}{end}`, "deployment/web")
	mustContain(t, "deployment conditions", conds, "Available=True/MinimumReplicasAvailable", "Progressing=True/NewReplicaSetAvailable")
}

// TestStatefulSetWithClaims: pods come up in order with stable names, each with its own
// PersistentVolumeClaim bound through the built-in local-path provisioner.
func TestStatefulSetWithClaims(t *testing.T) {
	e := setup(t)
	e.runNS(`apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  clusterIP: None
  selector:
    app: db
  ports:
  - port: 5432
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: 3
  serviceName: db
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: main
        image: postgres:17
        volumeMounts:
        - name: data
          mountPath: /var/lib/postgresql/data
  volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
`, "apply", "-f", "-")
	e.runNS("", "rollout", "status", "statefulset/db", "--timeout=120s")
	pods := e.jsonpath(`{range .items[*]}{.metadata.name} {.status.phase}{"\n"}{end}`, "pods", "-l", "app=db")
	mustContain(t, "statefulset pods", pods, "db-0 Running", "db-1 Running", "db-2 Running")
	e.eventually(rolloutTimeout, func() error {
		pvcs := e.jsonpath(`{range .items[*]}{.metadata.name} {.status.phase}{"\n"}{end}`, "pvc")
		for i := range 3 {
			if !strings.Contains(pvcs, fmt.Sprintf("data-db-%d Bound", i)) {
				return fmt.Errorf("claims:\n%s", pvcs)
			}
		}
		return nil
	})
	e.runNS("", "scale", "statefulset/db", "--replicas=1")
	e.eventually(rolloutTimeout, func() error {
		if names := e.jsonpath(`{range .items[*]}{.metadata.name} {end}`, "pods", "-l", "app=db"); names != "db-0 " {
			return fmt.Errorf("pods after scale down: %q", names)
		}
		return nil
	})
	// Claims outlive scale-down by default (whenScaled: Retain).
	if pvcs := lines(e.runNS("", "get", "pvc", "--no-headers").Stdout); len(pvcs) != 3 {
		t.Errorf("claims after scale down: %v", pvcs)
	}
}

// TestDaemonSetOnUntaintedNodes: one pod per node, none on a node whose taint it doesn't tolerate.
func TestDaemonSetOnUntaintedNodes(t *testing.T) {
	e := setup(t)
	nodes := lines(e.run("", "get", "nodes", "-o", "name").Stdout)
	if len(nodes) < 3 {
		t.Fatalf("want at least 3 nodes, got %v", nodes)
	}
	tainted := strings.TrimPrefix(nodes[0], "node/")
	e.run("", "taint", "node", tainted, "e2e-daemonset=only:NoSchedule")
	e.restore("taint", "node", tainted, "e2e-daemonset-")
	e.runNS(`apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: main
        image: busybox
`, "apply", "-f", "-")
	e.runNS("", "rollout", "status", "daemonset/agent", "--timeout=90s")
	want := len(nodes) - 1
	if got := e.jsonpath("{.status.desiredNumberScheduled}/{.status.numberReady}", "daemonset/agent"); got != fmt.Sprintf("%d/%d", want, want) {
		t.Errorf("desired/ready = %s, want %d/%d", got, want, want)
	}
	placed := e.jsonpath(`{range .items[*]}{.spec.nodeName}{"\n"}{end}`, "pods", "-l", "app=agent")
	if strings.Contains(placed, tainted+"\n") || len(lines(placed)) != want {
		t.Errorf("daemon pods on %q (tainted: %s)", placed, tainted)
	}
}

// TestJobCompletes: a Job's pods run to completion and the Job reports Complete.
func TestJobCompletes(t *testing.T) {
	e := setup(t)
	e.runNS("", "create", "job", "pi", "--image=perl:5", "--", "perl", "-e", "print 3.14")
	e.runNS("", "wait", "--for=condition=Complete", "job/pi", "--timeout=90s")
	if got := e.jsonpath("{.status.succeeded}", "job/pi"); got != "1" {
		t.Errorf("succeeded = %q, want 1", got)
	}
	mustContain(t, "get job", e.runNS("", "get", "job", "pi").Stdout, "Complete", "1/1")
}

// TestCronJobFires: a CronJob scheduled every minute creates a Job that completes.
func TestCronJobFires(t *testing.T) {
	t.Parallel()
	e := setup(t)
	e.runNS("", "create", "cronjob", "tick", "--image=busybox", "--schedule=* * * * *", "--", "true")
	e.eventually(90*time.Second, func() error {
		jobs := e.jsonpath(`{range .items[*]}{.metadata.name} {.status.succeeded}{"\n"}{end}`, "jobs")
		if !strings.Contains(jobs, "tick-") || !strings.Contains(jobs, " 1") {
			return fmt.Errorf("jobs: %q", jobs)
		}
		return nil
	})
	if got := e.jsonpath("{.status.lastScheduleTime}", "cronjob/tick"); got == "" {
		t.Error("cronjob has no lastScheduleTime")
	}
}
