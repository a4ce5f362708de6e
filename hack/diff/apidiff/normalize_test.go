package main

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		submitted string
		want      string
	}{
		{
			name: "metadata server fields",
			in: `{"metadata":{"name":"a","uid":"1","creationTimestamp":"2026-01-01T00:00:00Z","resourceVersion":"5",
				"managedFields":[{"manager":"m","time":"2026-01-01T00:00:00Z","operation":"Update"}]}}`,
			want: `{"metadata":{"name":"a","managedFields":[{"manager":"m","operation":"Update"}]}}`,
		},
		{
			name: "service ips and node ports",
			in: `{"spec":{"clusterIP":"10.0.0.7","clusterIPs":["10.0.0.7"],"healthCheckNodePort":31000,
				"ports":[{"port":80,"nodePort":30001},{"port":81,"nodePort":80}]}}`,
			submitted: `{"spec":{"ports":[{"port":80},{"port":81,"nodePort":80}]}}`,
			want: `{"spec":{"clusterIP":"<ip>","clusterIPs":["<ip>"],"healthCheckNodePort":"<nodePort>",
				"ports":[{"port":80,"nodePort":"<nodePort>"},{"port":81,"nodePort":80}]}}`,
		},
		{
			name: "headless service keeps None",
			in:   `{"spec":{"clusterIP":"None","clusterIPs":["None"]}}`,
			want: `{"spec":{"clusterIP":"None","clusterIPs":["None"]}}`,
		},
		{
			name:      "requested cluster IP is kept",
			in:        `{"spec":{"clusterIP":"10.0.0.9","clusterIPs":["10.0.0.9"]}}`,
			submitted: `{"spec":{"clusterIP":"10.0.0.9"}}`,
			want:      `{"spec":{"clusterIP":"10.0.0.9","clusterIPs":["10.0.0.9"]}}`,
		},
		{
			name: "token volume, job uid labels, timestamps",
			in: `{"spec":{"volumes":[{"name":"kube-api-access-x7k2q"}],"selector":{"matchLabels":{"controller-uid":"u"}},
				"template":{"metadata":{"labels":{"batch.kubernetes.io/controller-uid":"u","app":"x"}}}},
				"status":{"lastPhaseTransitionTime":"2026-01-01T00:00:00Z"}}`,
			want: `{"spec":{"volumes":[{"name":"kube-api-access-<random>"}],"selector":{"matchLabels":{"controller-uid":"<uid>"}},
				"template":{"metadata":{"labels":{"batch.kubernetes.io/controller-uid":"<uid>","app":"x"}}}},
				"status":{"lastPhaseTransitionTime":"<time>"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in, submitted, want map[string]any
			if err := json.Unmarshal([]byte(tt.in), &in); err != nil {
				t.Fatal(err)
			}
			if tt.submitted != "" {
				if err := json.Unmarshal([]byte(tt.submitted), &submitted); err != nil {
					t.Fatal(err)
				}
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, normalize(in, submitted)); diff != "" {
				t.Errorf("normalize() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFlatten(t *testing.T) {
	got := flatten(map[string]any{"a": map[string]any{"b": []any{1.0, "x"}}, "c": true})
	want := []string{"a.b[0] = 1", `a.b[1] = "x"`, "c = true"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flatten() mismatch (-want +got):\n%s", diff)
	}
}
