package kubeletserver

import (
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/utils/ptr"
)

func TestParseLogOptions(t *testing.T) {
	since := metav1.NewTime(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	tests := []struct {
		query   string
		want    *corev1.PodLogOptions
		wantErr bool
	}{
		{query: "", want: &corev1.PodLogOptions{}},
		{query: "follow=true&previous=1&timestamps=false", want: &corev1.PodLogOptions{Follow: true, Previous: true}},
		{query: "follow=0&timestamps=yes", want: &corev1.PodLogOptions{Timestamps: true}},
		{query: "tailLines=5&limitBytes=100&sinceSeconds=30", want: &corev1.PodLogOptions{TailLines: ptr.To[int64](5), LimitBytes: ptr.To[int64](100), SinceSeconds: ptr.To[int64](30)}},
		{query: "tail=7", want: &corev1.PodLogOptions{TailLines: ptr.To[int64](7)}},
		{query: "tail=all&tailLines=3", want: &corev1.PodLogOptions{}},
		{query: "sinceTime=2026-11-26T10:00:00Z", want: &corev1.PodLogOptions{SinceTime: &since}},
		{query: "tailLines=x", wantErr: true},
		{query: "sinceTime=yesterday", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			got, err := parseLogOptions(q)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestValidateLogOptions(t *testing.T) {
	now := metav1.Now()
	tests := []struct {
		name string
		opts corev1.PodLogOptions
		ok   bool
	}{
		{name: "empty", ok: true},
		{name: "tail 0", opts: corev1.PodLogOptions{TailLines: ptr.To[int64](0)}, ok: true},
		{name: "negative tail", opts: corev1.PodLogOptions{TailLines: ptr.To[int64](-1)}},
		{name: "limitBytes 0", opts: corev1.PodLogOptions{LimitBytes: ptr.To[int64](0)}},
		{name: "sinceSeconds 0", opts: corev1.PodLogOptions{SinceSeconds: ptr.To[int64](0)}},
		{name: "both since", opts: corev1.PodLogOptions{SinceSeconds: ptr.To[int64](1), SinceTime: &now}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := validateLogOptions(&tt.opts); (err == nil) != tt.ok {
				t.Errorf("err %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestCRILogOptions(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	later := metav1.NewTime(now.Add(-time.Second))
	got := criLogOptions(&corev1.PodLogOptions{SinceSeconds: ptr.To[int64](60), Follow: true, Timestamps: true, TailLines: ptr.To[int64](3)}, now)
	if !got.Since.Equal(now.Add(-time.Minute)) || !got.Follow || !got.Timestamp || *got.TailLines != 3 {
		t.Errorf("sinceSeconds: %+v", got)
	}
	if got := criLogOptions(&corev1.PodLogOptions{SinceTime: &later}, now); !got.Since.Equal(later.Time) {
		t.Errorf("sinceTime: since %v", got.Since)
	}
}

func TestParseStreamOptions(t *testing.T) {
	tests := []struct {
		query   string
		want    streamOptions
		wantErr bool
	}{
		{query: "output=1&error=1", want: streamOptions{Stdout: true, Stderr: true}},
		{query: "input=true&output=true&tty=true&error=true", want: streamOptions{Stdin: true, Stdout: true, TTY: true}},
		{query: "tty=1", wantErr: true},
		{query: "stdout=1", wantErr: true},
		{query: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			got, err := parseStreamOptions(q)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v", err)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParsePorts(t *testing.T) {
	tests := []struct {
		query   string
		want    []int32
		wantErr bool
	}{
		{query: "port=80", want: []int32{80}},
		{query: "port=80,443&port=8080", want: []int32{80, 443, 8080}},
		{query: ""},
		{query: "port=0", wantErr: true},
		{query: "port=70000", wantErr: true},
		{query: "port=http", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			got, err := parsePorts(q)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestRequestAttributes(t *testing.T) {
	tests := []struct {
		method, path string
		verb         string
		subresources []string
	}{
		{"GET", "/containerLogs/ns/p/c", "get", []string{"proxy"}},
		{"POST", "/exec/ns/p/c", "create", []string{"proxy"}},
		{"GET", "/stats/summary", "get", []string{"stats"}},
		{"GET", "/metrics", "get", []string{"metrics"}},
		{"GET", "/metrics/cadvisor", "get", []string{"metrics"}},
		{"GET", "/logs/syslog", "get", []string{"log"}},
		{"GET", "/pods", "get", []string{"pods", "proxy"}},
		{"GET", "/healthz", "get", []string{"healthz", "proxy"}},
		{"GET", "/podsx", "get", []string{"proxy"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			attrs := requestAttributes(&user.DefaultInfo{Name: "u"}, req, "node-1")
			var subs []string
			for _, a := range attrs {
				if a.GetVerb() != tt.verb || a.GetResource() != "nodes" || a.GetName() != "node-1" || a.GetAPIVersion() != "v1" || !a.IsResourceRequest() {
					t.Errorf("attributes %+v", a)
				}
				subs = append(subs, a.GetSubresource())
			}
			if diff := cmp.Diff(tt.subresources, subs); diff != "" {
				t.Errorf("subresources (-want +got)\n%s", diff)
			}
		})
	}
}
