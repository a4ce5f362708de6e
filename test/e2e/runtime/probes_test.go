package runtime

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// livenessTimeout bounds two liveness kills and restarts: a kill within seconds of each start,
// the first restart at once and the second after upstream's 10 s crash-loop back-off.
const livenessTimeout = 2 * time.Minute

// TestLivenessProbeRestarts runs a container whose exec liveness probe fails and one whose
// httpGet liveness probe gets 404 from its own httpd: the node kills each after its probe fails
// and starts it again, the second time after the crash-loop back-off, as upstream's kubelet does.
func TestLivenessProbeRestarts(t *testing.T) {
	e := setup(t)
	e.apply(busyboxPod("live-exec", "Always", "exec sleep 3600") + `    livenessProbe:
      exec: {command: ["test", "-f", "/tmp/healthy"]}
      periodSeconds: 1
      failureThreshold: 1
`)
	// httpd serves an empty /www: GET / answers 404.
	e.apply(busyboxPod("live-http", "Always", "mkdir -p /www && exec httpd -f -p 8080 -h /www") + `    livenessProbe:
      httpGet: {path: /, port: 8080}
      periodSeconds: 1
      failureThreshold: 1
`)
	pods := []string{"live-exec", "live-http"}
	// Both pods are watched together: each must be seen waiting in CrashLoopBackOff before its
	// second restart (the first restart comes at once, the second only 10 s after the second kill).
	sawBackOff := map[string]bool{}
	restarts := map[string]int{}
	e.waitFor("both pods restarted twice", livenessTimeout, func() (bool, error) {
		out := e.kubectl("get", "pods", "-o", `jsonpath={range .items[*]}{.metadata.name} {.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].state.waiting.reason}{"\n"}{end}`).Stdout
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			if n, err := strconv.Atoi(f[1]); err == nil {
				if n < 2 && len(f) > 2 && f[2] == "CrashLoopBackOff" {
					sawBackOff[f[0]] = true
				}
				restarts[f[0]] = n
			}
		}
		for _, pod := range pods {
			if restarts[pod] < 2 {
				return false, nil
			}
		}
		return true, nil
	})
	for _, pod := range pods {
		if !sawBackOff[pod] {
			t.Errorf("%s: the container was never waiting in CrashLoopBackOff before its second restart", pod)
		}
		if phase := e.podField(pod, "{.status.phase}"); phase != "Running" {
			t.Errorf("%s: phase %q, want Running (restartPolicy Always)", pod, phase)
		}
		last := e.podField(pod, `{.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].lastState.terminated.reason} {.status.containerStatuses[0].lastState.terminated.finishedAt}`)
		if f := strings.Fields(last); len(f) != 3 || f[0] == "0" {
			t.Errorf("%s: lastState.terminated (exitCode reason finishedAt) = %q, want a killed container", pod, last)
		}
		events := e.must("get", "events", "--field-selector", "involvedObject.name="+pod, "-o",
			`jsonpath={range .items[*]}{.reason}: {.message}{"\n"}{end}`)
		for _, want := range []string{"Unhealthy: Liveness probe failed", "Killing: Container main failed liveness probe, will be restarted", "BackOff: Back-off restarting failed container main"} {
			if !strings.Contains(events, want) {
				t.Errorf("%s: no event %q in:\n%s", pod, want, events)
			}
		}
	}
}

// TestReadinessProbeEndpoints follows a pod's readiness probe into its Service: ready, it is a
// ready endpoint of the Service's EndpointSlice and the Service answers from the node; without
// the probe's file it stays in the slice as not ready and the Service refuses; with the file
// back it is ready again.
func TestReadinessProbeEndpoints(t *testing.T) {
	e := setup(t)
	e.servesSubresource("exec")
	e.apply(busyboxPod("ready", "Always", "mkdir -p /www && echo ready-ok > /www/index.html && touch /tmp/ready && exec httpd -f -p 8080 -h /www") + `    readinessProbe:
      exec: {command: ["test", "-f", "/tmp/ready"]}
      periodSeconds: 1
      failureThreshold: 1
`)
	e.apply(`apiVersion: v1
kind: Service
metadata: {name: ready}
spec:
  selector: {app: ready}
  ports: [{port: 80, targetPort: 8080}]
`)
	e.waitPhase("ready", "Running")
	podIP := e.podField("ready", "{.status.podIP}")
	clusterIP := strings.TrimSpace(e.must("get", "service", "ready", "-o", "jsonpath={.spec.clusterIP}"))
	if podIP == "" || clusterIP == "" {
		t.Fatalf("pod IP %q, ClusterIP %q", podIP, clusterIP)
	}
	// endpoint reads the pod's endpoint in the Service's EndpointSlices: "ready serving
	// terminating" conditions, or "" when it is not there.
	endpoint := func() string {
		out := e.kubectl("get", "endpointslices", "-l", "kubernetes.io/service-name=ready", "-o",
			`jsonpath={range .items[*].endpoints[*]}{.addresses[0]} {.conditions.ready} {.conditions.serving} {.conditions.terminating}{"\n"}{end}`).Stdout
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] == podIP {
				return strings.Join(f[1:], " ")
			}
		}
		return ""
	}
	ready := func() string { return e.podField("ready", `{.status.conditions[?(@.type=="Ready")].status}`) }
	var last string

	check := func(wantReady bool) {
		t.Helper()
		want, conds, page := "True", "true true false", "ready-ok"
		if !wantReady {
			want, conds, page = "False", "false false false", ""
		}
		e.waitFor("pod Ready="+want, podTimeout, func() (bool, error) { return ready() == want, nil })
		e.waitFor("the endpoint with conditions "+conds, podTimeout, func() (bool, error) {
			last = endpoint()
			return last == conds, nil
		})
		if got := e.podField("ready", `{.status.containerStatuses[0].ready}`); got != strings.ToLower(want) {
			t.Errorf("containerStatuses[0].ready = %q, want %s", got, strings.ToLower(want))
		}
		// The proxy follows: the Service answers only while its one endpoint is ready.
		e.eventually("the Service from the node to answer "+strconv.Quote(page), serviceTimeout, func() error {
			got, err := hostGet("http://" + clusterIP + "/")
			switch {
			case wantReady && err != nil:
				return err
			case wantReady && got != page:
				return fmt.Errorf("answered %q", got)
			case !wantReady && err == nil:
				return fmt.Errorf("answered %q with no ready endpoint", got)
			}
			return nil
		})
	}

	check(true)
	e.must("exec", "ready", "--", "rm", "/tmp/ready")
	check(false)
	if restarts := e.podField("ready", "{.status.containerStatuses[0].restartCount}"); restarts != "0" {
		t.Errorf("restartCount %s: a failing readiness probe must not restart the container", restarts)
	}
	e.must("exec", "ready", "--", "touch", "/tmp/ready")
	check(true)
}
