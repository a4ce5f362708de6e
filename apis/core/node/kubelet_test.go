package node

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

func TestDecodeQuery(t *testing.T) {
	since := metav1.NewTime(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	tests := []struct {
		name    string
		query   string
		into    any
		want    any
		wantErr bool
	}{
		{
			name: "log options", query: "container=c&follow=true&previous=0&timestamps=&tailLines=10&limitBytes=5&sinceTime=2026-11-26T10:00:00Z",
			into: &corev1.PodLogOptions{},
			want: &corev1.PodLogOptions{Container: "c", Follow: true, Timestamps: true, TailLines: ptr.To[int64](10), LimitBytes: ptr.To[int64](5), SinceTime: &since},
		},
		{
			name: "exec options", query: "container=c&command=sh&command=-c&command=echo+hi&stdin=true&stdout=1&stderr=false&tty=FALSE",
			into: &corev1.PodExecOptions{},
			want: &corev1.PodExecOptions{Container: "c", Command: []string{"sh", "-c", "echo hi"}, Stdin: true, Stdout: true},
		},
		{name: "ports", query: "ports=80&ports=443", into: &corev1.PodPortForwardOptions{}, want: &corev1.PodPortForwardOptions{Ports: []int32{80, 443}}},
		{name: "proxy path", query: "path=/healthz", into: &corev1.NodeProxyOptions{}, want: &corev1.NodeProxyOptions{Path: "/healthz"}},
		{name: "bad number", query: "tailLines=ten", into: &corev1.PodLogOptions{}, wantErr: true},
		{name: "port out of range", query: "ports=99999999999", into: &corev1.PodPortForwardOptions{}, wantErr: true},
		{name: "bad time", query: "sinceTime=now", into: &corev1.PodLogOptions{}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			err = decodeQuery(q, tt.into)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if diff := cmp.Diff(tt.want, tt.into); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestPreferredAddress(t *testing.T) {
	tests := []struct {
		name      string
		addresses []corev1.NodeAddress
		want      string
		wantErr   bool
	}{
		{name: "internal IP first", addresses: []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: "n1"}, {Type: corev1.NodeInternalIP, Address: "10.0.0.1"}}, want: "10.0.0.1"},
		{name: "external before hostname", addresses: []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: "n1"}, {Type: corev1.NodeExternalIP, Address: "1.2.3.4"}}, want: "1.2.3.4"},
		{name: "hostname", addresses: []corev1.NodeAddress{{Type: corev1.NodeHostName, Address: "n1"}}, want: "n1"},
		{name: "none", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := preferredAddress(&corev1.Node{Status: corev1.NodeStatus{Addresses: tt.addresses}})
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// nodeGetter returns fixed nodes.
type nodeGetter map[string]*corev1.Node

func (g nodeGetter) Get(_ context.Context, name string, _ *metav1.GetOptions) (runtime.Object, error) {
	if n, ok := g[name]; ok {
		return n, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource("nodes"), name)
}

func TestGetConnectionInfo(t *testing.T) {
	addr := []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "192.0.2.1"}}
	getter := ConnectionInfoGetter{Nodes: nodeGetter{
		"real":      {ObjectMeta: metav1.ObjectMeta{Name: "real"}, Status: corev1.NodeStatus{Addresses: addr, DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: 12345}}}},
		"noport":    {ObjectMeta: metav1.ObjectMeta{Name: "noport"}, Status: corev1.NodeStatus{Addresses: addr}},
		"simulated": {ObjectMeta: metav1.ObjectMeta{Name: "simulated", Labels: map[string]string{simulatedNodeLabel: "true"}}, Status: corev1.NodeStatus{Addresses: addr}},
	}}
	tests := []struct {
		node    string
		want    string
		wantErr func(error) bool
	}{
		{node: "real", want: "https://192.0.2.1:12345"},
		{node: "noport", want: "https://192.0.2.1:10250"},
		{node: "simulated", wantErr: apierrors.IsBadRequest},
		{node: "missing", wantErr: apierrors.IsNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.node, func(t *testing.T) {
			info, err := getter.GetConnectionInfo(context.Background(), tt.node)
			if tt.wantErr != nil {
				if !tt.wantErr(err) {
					t.Errorf("err %v", err)
				}
				return
			}
			if err != nil || info.Scheme+"://"+info.Hostname+":"+info.Port != tt.want || info.Transport == nil {
				t.Errorf("got %+v, %v; want %s", info, err, tt.want)
			}
		})
	}
}
