package endpoints

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func addrs(prefix string, n int) []corev1.EndpointAddress {
	out := make([]corev1.EndpointAddress, n)
	for i := range out {
		out[i] = corev1.EndpointAddress{IP: fmt.Sprintf("%s.%d.%d", prefix, i/256, i%256)}
	}
	return out
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name          string
		subsets       []corev1.EndpointSubset
		wantTruncated bool
		wantReady     []int
		wantNotReady  []int
	}{
		{"within capacity", []corev1.EndpointSubset{{Addresses: addrs("10.0", 600), NotReadyAddresses: addrs("10.1", 400)}}, false, []int{600}, []int{400}},
		{"not ready cut", []corev1.EndpointSubset{{Addresses: addrs("10.0", 900), NotReadyAddresses: addrs("10.1", 200)}}, true, []int{900}, []int{100}},
		{"ready cut, not ready dropped", []corev1.EndpointSubset{
			{Addresses: addrs("10.0", 800), NotReadyAddresses: addrs("10.1", 10)},
			{Addresses: addrs("10.2", 400)},
		}, true, []int{667, 333}, []int{0, 0}},
		{"not ready cut in proportion", []corev1.EndpointSubset{
			{Addresses: addrs("10.0", 500), NotReadyAddresses: addrs("10.1", 300)},
			{NotReadyAddresses: addrs("10.2", 300)},
		}, true, []int{500, 0}, []int{250, 250}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := &corev1.Endpoints{Subsets: tt.subsets}
			if got := truncate(ep); got != tt.wantTruncated {
				t.Fatalf("truncated %v, want %v", got, tt.wantTruncated)
			}
			total := 0
			for i, s := range ep.Subsets {
				if len(s.Addresses) != tt.wantReady[i] || len(s.NotReadyAddresses) != tt.wantNotReady[i] {
					t.Errorf("subset %d: %d/%d, want %d/%d", i, len(s.Addresses), len(s.NotReadyAddresses), tt.wantReady[i], tt.wantNotReady[i])
				}
				total += len(s.Addresses) + len(s.NotReadyAddresses)
			}
			if total > maxCapacity {
				t.Errorf("%d addresses left", total)
			}
		})
	}
}

func TestLabelsCorrect(t *testing.T) {
	svc := map[string]string{"app": "web"}
	tests := []struct {
		name string
		ep   map[string]string
		want bool
	}{
		{"service labels and managed-by", map[string]string{"app": "web", LabelManagedBy: ControllerName}, true},
		{"with headless", map[string]string{"app": "web", LabelManagedBy: ControllerName, corev1.IsHeadlessService: ""}, true},
		{"no managed-by", map[string]string{"app": "web"}, false},
		{"other manager", map[string]string{"app": "web", LabelManagedBy: "someone"}, false},
		{"extra label", map[string]string{"app": "web", "x": "y", LabelManagedBy: ControllerName}, false},
		{"missing label", map[string]string{LabelManagedBy: ControllerName}, false},
		{"changed value", map[string]string{"app": "api", LabelManagedBy: ControllerName}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := labelsCorrect(tt.ep, svc); got != tt.want {
				t.Errorf("labelsCorrect = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRepackSubsets(t *testing.T) {
	a := corev1.EndpointAddress{IP: "10.0.0.1"}
	b := corev1.EndpointAddress{IP: "10.0.0.2"}
	p80 := corev1.EndpointPort{Name: "a", Port: 80}
	p90 := corev1.EndpointPort{Name: "b", Port: 90}
	tests := []struct {
		name string
		in   []corev1.EndpointSubset
		want string
	}{
		{"merges addresses of one port", []corev1.EndpointSubset{
			{Addresses: []corev1.EndpointAddress{b}, Ports: []corev1.EndpointPort{p80}},
			{Addresses: []corev1.EndpointAddress{a}, Ports: []corev1.EndpointPort{p80}},
		}, "{10.0.0.1 10.0.0.2 / : a=80}"},
		{"not ready wins", []corev1.EndpointSubset{
			{Addresses: []corev1.EndpointAddress{a}, Ports: []corev1.EndpointPort{p80}},
			{NotReadyAddresses: []corev1.EndpointAddress{a}, Ports: []corev1.EndpointPort{p80}},
		}, "{/ 10.0.0.1 : a=80}"},
		{"splits by port set", []corev1.EndpointSubset{
			{Addresses: []corev1.EndpointAddress{a}, Ports: []corev1.EndpointPort{p80, p90}},
			{Addresses: []corev1.EndpointAddress{b}, Ports: []corev1.EndpointPort{p80}},
		}, ""},
		{"empty", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := repackSubsets(tt.in)
			if tt.name == "splits by port set" {
				// port 80: a and b; port 90: a only.
				if len(got) != 2 {
					t.Fatalf("got %s", render(got))
				}
				for _, s := range got {
					if len(s.Ports) != 1 || (s.Ports[0].Port == 80) != (len(s.Addresses) == 2) {
						t.Errorf("got %s", render(got))
					}
				}
				return
			}
			if r := render(got); r != tt.want {
				t.Errorf("got %s, want %s", r, tt.want)
			}
			// Repacking is idempotent.
			if again := render(repackSubsets(copySubsets(got))); again != render(got) {
				t.Errorf("second repack %s", again)
			}
		})
	}
}
