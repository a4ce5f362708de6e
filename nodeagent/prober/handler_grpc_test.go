package prober

import (
	"context"
	"net"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// grpcServer serves on a loopback port, with the health service when withHealth.
func grpcServer(t *testing.T, withHealth bool) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	if withHealth {
		h := health.NewServer()
		h.SetServingStatus("sick", healthpb.HealthCheckResponse_NOT_SERVING)
		h.SetServingStatus("well", healthpb.HealthCheckResponse_SERVING)
		healthpb.RegisterHealthServer(s, h)
	}
	go func() { _ = s.Serve(l) }()
	t.Cleanup(s.Stop)
	return l.Addr().(*net.TCPAddr).Port
}

func TestGRPCProbe(t *testing.T) {
	healthy := grpcServer(t, true)
	bare := grpcServer(t, false)
	tests := []struct {
		name       string
		port       int
		service    *string
		want       result
		wantOutput string
	}{
		{name: "serving", port: healthy, want: success, wantOutput: "service healthy"},
		{name: "named service serving", port: healthy, service: ptr.To("well"), want: success, wantOutput: "service healthy"},
		{name: "not serving", port: healthy, service: ptr.To("sick"), want: failure, wantOutput: `service unhealthy (responded with "NOT_SERVING")`},
		{name: "unknown service", port: healthy, service: ptr.To("nope"), want: failure, wantOutput: "error: health rpc probe failed: rpc error: code = NotFound"},
		{name: "no health service", port: bare, want: failure, wantOutput: "error: this server does not implement the grpc health protocol (grpc.health.v1.Health)"},
		{name: "nothing listening", port: closedPort(t), want: failure, wantOutput: "timeout: failed to connect service \"127.0.0.1:"},
	}
	p := &prober{}
	c := &corev1.Container{Name: "g"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: int32(tt.port), Service: tt.service}}, TimeoutSeconds: 1}
			got, output, err := p.run(context.Background(), spec, testPod(c), "127.0.0.1", c, "")
			if err != nil || got != tt.want || !strings.Contains(output, tt.wantOutput) {
				t.Errorf("got %s %q %v, want %s %q", got, output, err, tt.want, tt.wantOutput)
			}
		})
	}
}
