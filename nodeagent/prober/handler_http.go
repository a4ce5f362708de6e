package prober

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// kubeVersion is the Kubernetes minor version skiff serves; user agents carry it.
const kubeVersion = "1.37"

// newHTTPTransport is upstream's probe transport: no keep-alives (each probe opens its own
// connection), no proxy, no compression, TLS without verification (nothing to verify against),
// and the lingering dialer.
func newHTTPTransport() *http.Transport {
	return &http.Transport{
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // as upstream: no CA to verify probes against
		DisableKeepAlives:   true,
		DisableCompression:  true,
		Proxy:               http.ProxyURL(nil),
		DialContext:         probeDialer().DialContext,
		TLSHandshakeTimeout: 10 * time.Second,
	}
}

// sameHostRedirects follows redirects only to the host of the first request (at most 10), and
// otherwise returns the redirect response itself, as upstream.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if req.URL.Hostname() != via[0].URL.Hostname() {
		return http.ErrUseLastResponse
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// resolvePort is the port number of a probe or hook: a number, or the name of one of c's ports.
func resolvePort(p intstr.IntOrString, c *corev1.Container) (int, error) {
	port := -1
	switch p.Type {
	case intstr.Int:
		port = p.IntValue()
	case intstr.String:
		found := false
		for _, cp := range c.Ports {
			if cp.Name == p.StrVal {
				port, found = int(cp.ContainerPort), true
				break
			}
		}
		if !found {
			return 0, fmt.Errorf("port %q not found", p.StrVal)
		}
	default:
		return port, fmt.Errorf("intOrString had no kind: %+v", p)
	}
	if port <= 0 || port >= 65536 {
		return port, fmt.Errorf("invalid port number: %v", port)
	}
	return port, nil
}

// newHTTPRequest is the GET of an httpGet action: scheme (default http), host (default podIP),
// port, path (which may carry a query), headers; User-Agent kube-PURPOSE/1.37 and Accept */*
// unless the action sets them (an empty Accept removes it).
func newHTTPRequest(a *corev1.HTTPGetAction, c *corev1.Container, podIP, purpose string) (*http.Request, error) {
	scheme := strings.ToLower(string(a.Scheme))
	if scheme == "" {
		scheme = "http"
	}
	host := a.Host
	if host == "" {
		host = podIP
	}
	port, err := resolvePort(a.Port, c)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(a.Path)
	if err != nil {
		u = &url.URL{Path: a.Path}
	}
	u.Scheme = scheme
	u.Host = net.JoinHostPort(host, strconv.Itoa(port))
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	headers := http.Header{}
	for _, h := range a.HTTPHeaders {
		headers.Add(h.Name, h.Value)
	}
	if _, ok := headers["User-Agent"]; !ok {
		headers.Set("User-Agent", "kube-"+purpose+"/"+kubeVersion)
	}
	if _, ok := headers["Accept"]; !ok {
		headers.Set("Accept", "*/*")
	} else if headers.Get("Accept") == "" {
		headers.Del("Accept")
	}
	req.Header = headers
	req.Host = headers.Get("Host")
	return req, nil
}

// httpProbe succeeds on 200-399 (a 3xx that was not followed is a warning) and fails with
// upstream's "HTTP probe failed with statuscode: N" or the transport's error.
func httpProbe(client *http.Client, req *http.Request) (result, string, error) {
	resp, err := client.Do(req)
	if err != nil {
		return failure, err.Error(), nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxOutput))
	if err != nil {
		return failure, "", err
	}
	body := string(b)
	if resp.StatusCode >= http.StatusOK && resp.StatusCode < http.StatusBadRequest {
		if resp.StatusCode >= http.StatusMultipleChoices {
			return warning, "Probe terminated redirects, Response body: " + body, nil
		}
		return success, body, nil
	}
	return failure, fmt.Sprintf("HTTP probe failed with statuscode: %d", resp.StatusCode), nil
}
