package e2e

import (
	"testing"

	"github.com/skiff-sh/skiff/test/e2e/framework"
)

// TestCreate: kubectl create's generators make each kind, print upstream's "KIND/NAME created"
// line, and the object reads back with what was asked for.
func TestCreate(t *testing.T) {
	e := setup(t)
	tests := []struct {
		name    string
		args    []string
		created string
		// get and jsonpath read a field back; want is its value.
		get      []string
		jsonpath string
		want     string
	}{
		{"configmap", []string{"configmap", "cm1", "--from-literal=greeting=hello"}, "configmap/cm1 created",
			[]string{"configmap", "cm1"}, "{.data.greeting}", "hello"},
		{"secret", []string{"secret", "generic", "s1", "--from-literal=password=hunter2"}, "secret/s1 created",
			[]string{"secret", "s1"}, "{.data.password}", "aHVudGVyMg=="},
		{"serviceaccount", []string{"serviceaccount", "sa1"}, "serviceaccount/sa1 created",
			[]string{"sa", "sa1"}, "{.metadata.name}", "sa1"},
		{"deployment", []string{"deployment", "web", "--image=nginx:1.27", "--replicas=2"}, "deployment.apps/web created",
			[]string{"deploy", "web"}, "{.spec.replicas} {.spec.template.spec.containers[0].image}", "2 nginx:1.27"},
		{"service", []string{"service", "clusterip", "svc1", "--tcp=80:8080"}, "service/svc1 created",
			[]string{"svc", "svc1"}, "{.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort}", "ClusterIP 80 8080"},
		{"job", []string{"job", "job1", "--image=busybox:1.36", "--", "true"}, "job.batch/job1 created",
			[]string{"job", "job1"}, "{.spec.template.spec.containers[0].command[0]}", "true"},
		{"cronjob", []string{"cronjob", "cj1", "--image=busybox:1.36", "--schedule=*/5 * * * *", "--", "true"}, "cronjob.batch/cj1 created",
			[]string{"cj", "cj1"}, "{.spec.schedule}", "*/5 * * * *"},
		{"role", []string{"role", "reader", "--verb=get,list", "--resource=pods"}, "role.rbac.authorization.k8s.io/reader created",
			[]string{"role", "reader"}, "{.rules[0].verbs}", `["get","list"]`},
		{"rolebinding", []string{"rolebinding", "reader", "--role=reader", "--serviceaccount=" + e.ns + ":sa1"}, "rolebinding.rbac.authorization.k8s.io/reader created",
			[]string{"rolebinding", "reader"}, "{.subjects[0].kind}/{.subjects[0].name}", "ServiceAccount/sa1"},
		{"poddisruptionbudget", []string{"pdb", "pdb1", "--selector=app=web", "--min-available=1"}, "poddisruptionbudget.policy/pdb1 created",
			[]string{"pdb", "pdb1"}, "{.spec.minAvailable}", "1"},
		{"ingress", []string{"ingress", "ing1", "--rule=example.com/*=svc1:80"}, "ingress.networking.k8s.io/ing1 created",
			[]string{"ing", "ing1"}, "{.spec.rules[0].host} {.spec.rules[0].http.paths[0].pathType}", "example.com Prefix"},
		{"lease", nil, "lease.coordination.k8s.io/lease1 created",
			[]string{"lease", "lease1"}, "{.spec.holderIdentity}", "e2e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			r := e.createOrApply(tt.name, tt.args)
			if got := r.Stdout; got != tt.created+"\n" {
				t.Errorf("create printed %q, want %q", got, tt.created)
			}
			if got := e.jsonpath(tt.jsonpath, tt.get...); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.jsonpath, got, tt.want)
			}
		})
	}

	t.Run("already exists", func(t *testing.T) {
		e := e.in(t)
		r := e.failNS("", "create", "configmap", "cm1")
		mustContain(t, "create configmap", r.Stderr, `configmaps "cm1" already exists`)
		r = e.failNS("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm1\n", "create", "-f", "-")
		mustContain(t, "create -f", r.Stderr, `Error from server (AlreadyExists)`, `configmaps "cm1" already exists`)
	})
}

// createOrApply runs `kubectl create ARGS`, or for kinds without a generator creates a manifest.
func (e *env) createOrApply(kind string, args []string) framework.Result {
	e.t.Helper()
	if args != nil {
		return e.runNS("", append([]string{"create"}, args...)...)
	}
	switch kind {
	case "lease":
		return e.runNS(`apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: lease1
spec:
  holderIdentity: e2e
  leaseDurationSeconds: 15
`, "create", "-f", "-")
	}
	e.t.Fatalf("no manifest for %s", kind)
	return framework.Result{}
}
