package runtime

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// volumeUpdateTimeout bounds how long a configMap or secret change takes to reach a running pod's
// volume: upstream documents "the kubelet sync period plus the cache propagation delay", about a
// minute.
const volumeUpdateTimeout = 3 * time.Minute

// TestVolumeContents mounts configMap, secret, projected (configMap, secret, downwardAPI, a bound
// service account token and kube-root-ca.crt), downwardAPI and emptyDir volumes, reads them from
// inside the container, checks that the projected token authenticates as the pod's service
// account, and that an update of the configMap and the secret reaches the running pod.
func TestVolumeContents(t *testing.T) {
	e := setup(t)
	e.must("create", "configmap", "settings", "--from-literal=greeting=hello-configmap")
	e.must("create", "secret", "generic", "creds", "--from-literal=password=s3cret")
	e.apply(`apiVersion: v1
kind: Pod
metadata:
  name: reader
  labels: {tier: volumes-e2e}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ` + busyboxImage + `
    imagePullPolicy: Never
    command: ["sleep", "3600"]
    volumeMounts:
    - {name: cm, mountPath: /etc/cm}
    - {name: sec, mountPath: /etc/sec}
    - {name: all, mountPath: /etc/all}
    - {name: info, mountPath: /etc/info}
    - {name: scratch, mountPath: /scratch}
  volumes:
  - name: cm
    configMap: {name: settings}
  - name: sec
    secret: {secretName: creds, defaultMode: 0400}
  - name: all
    projected:
      sources:
      - configMap:
          name: settings
          items: [{key: greeting, path: config/greeting.txt}]
      - secret:
          name: creds
          items: [{key: password, path: secret/password.txt}]
      - downwardAPI:
          items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
      - serviceAccountToken: {path: token, expirationSeconds: 3600}
      - configMap:
          name: kube-root-ca.crt
          items: [{key: ca.crt, path: ca.crt}]
  - name: info
    downwardAPI:
      items:
      - {path: name, fieldRef: {fieldPath: metadata.name}}
      - {path: namespace, fieldRef: {fieldPath: metadata.namespace}}
  - name: scratch
    emptyDir: {medium: Memory, sizeLimit: 16Mi}
`)
	e.waitPhase("reader", "Running")

	read := func(path string) string {
		t.Helper()
		r := e.kubectl("exec", "reader", "--", "cat", path)
		if !r.OK() {
			t.Errorf("reading %s: %s", path, r)
		}
		return r.Stdout
	}
	for path, want := range map[string]string{
		"/etc/cm/greeting":             "hello-configmap",
		"/etc/sec/password":            "s3cret",
		"/etc/all/config/greeting.txt": "hello-configmap",
		"/etc/all/secret/password.txt": "s3cret",
		"/etc/all/labels":              `tier="volumes-e2e"`,
		"/etc/info/name":               "reader",
		"/etc/info/namespace":          e.ns,
		"/var/run/secrets/kubernetes.io/serviceaccount/namespace": e.ns,
	} {
		if got := read(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if ca := read("/etc/all/ca.crt"); !strings.HasPrefix(ca, "-----BEGIN CERTIFICATE-----") {
		t.Errorf("/etc/all/ca.crt is not a PEM certificate: %.60q", ca)
	}
	// defaultMode 0400 on the secret volume's file (through the ..data symlink).
	if mode := strings.TrimSpace(e.must("exec", "reader", "--", "stat", "-L", "-c", "%a", "/etc/sec/password")); mode != "400" {
		t.Errorf("mode of /etc/sec/password = %s, want 400", mode)
	}
	// The emptyDir with medium Memory is a tmpfs, writable.
	if out := e.must("exec", "reader", "--", "sh", "-c", "echo scribble > /scratch/f && cat /scratch/f && grep ' /scratch ' /proc/mounts"); !strings.Contains(out, "scribble") || !strings.Contains(out, "tmpfs") {
		t.Errorf("emptyDir medium Memory: %q", out)
	}

	// The projected token is bound to the pod and authenticates as its ServiceAccount.
	token := strings.TrimSpace(read("/etc/all/token"))
	if strings.Count(token, ".") != 2 {
		t.Fatalf("projected token is not a JWT: %.40q", token)
	}
	// Only the token: kubectl with the admin kubeconfig would present its client certificate too.
	server := e.must("config", "view", "--raw", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")
	caData := e.must("config", "view", "--raw", "--minify", "-o", "jsonpath={.clusters[0].cluster.certificate-authority-data}")
	ca, err := base64.StdEncoding.DecodeString(caData)
	if err != nil {
		t.Fatalf("the kubeconfig's CA: %v", err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(caFile, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	who := e.k.Run(e.ctx, "", "--kubeconfig=/dev/null", "--server="+server, "--certificate-authority="+caFile, "--token="+token,
		"auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
	if want := "system:serviceaccount:" + e.ns + ":default"; !who.OK() || strings.TrimSpace(who.Stdout) != want {
		t.Errorf("the projected token authenticates as %q (%s), want %s", who.Stdout, who, want)
	}

	// Updates reach the running pod's configMap, secret and projected volumes.
	e.must("patch", "configmap", "settings", "-p", `{"data":{"greeting":"changed"}}`)
	e.must("patch", "secret", "creds", "-p", `{"stringData":{"password":"rotated"}}`)
	e.waitFor("the updated configMap and secret in the pod", volumeUpdateTimeout, func() (bool, error) {
		r := e.kubectl("exec", "reader", "--", "cat", "/etc/cm/greeting", "/etc/sec/password", "/etc/all/config/greeting.txt", "/etc/all/secret/password.txt")
		return r.OK() && r.Stdout == "changedrotatedchangedrotated", nil
	})
}

// TestJobCompletes runs a Job of two completions, two at a time, to Complete.
func TestJobCompletes(t *testing.T) {
	e := setup(t)
	e.apply(`apiVersion: batch/v1
kind: Job
metadata: {name: work}
spec:
  completions: 2
  parallelism: 2
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: ` + busyboxImage + `
        imagePullPolicy: Never
        command: ["sh", "-c", "echo job-done"]
`)
	e.must("wait", "--for=condition=Complete", "job/work", "--timeout=180s")
	if n := strings.TrimSpace(e.must("get", "job", "work", "-o", "jsonpath={.status.succeeded}")); n != "2" {
		t.Errorf("succeeded = %s, want 2", n)
	}
	phases := strings.Fields(e.must("get", "pods", "-l", "job-name=work", "-o", "jsonpath={range .items[*]}{.status.phase}{\" \"}{end}"))
	if len(phases) != 2 || phases[0] != "Succeeded" || phases[1] != "Succeeded" {
		t.Errorf("the Job's pods are %v, want two Succeeded", phases)
	}
}
