package e2e

import (
	"testing"
)

// TestDescribe: kubectl describe prints upstream's sections for each kind.
func TestDescribe(t *testing.T) {
	e := setup(t)
	e.runNS(configMap("settings", "mode", "fast"), "create", "-f", "-")
	e.runNS(deployment("web", "nginx:1.27", 2), "create", "-f", "-")
	e.runNS("", "create", "service", "clusterip", "web", "--tcp=80:8080")
	tests := []struct {
		name string
		args []string
		want []string // regular expressions
	}{
		{"configmap", []string{"configmap", "settings"}, []string{
			`(?m)^Name:\s+settings$`, `(?m)^Namespace:\s+` + e.ns + `$`, `(?m)^Data\n====\nmode:\n----\nfast`}},
		{"deployment", []string{"deployment", "web"}, []string{
			`(?m)^Name:\s+web$`, `(?m)^Selector:\s+app=web$`, `(?m)^Replicas:\s+2 desired`, `(?m)^StrategyType:\s+RollingUpdate$`,
			`(?m)^Pod Template:$`, `(?m)^\s+Image:\s+nginx:1.27$`}},
		{"service", []string{"service", "web"}, []string{
			`(?m)^Name:\s+web$`, `(?m)^Type:\s+ClusterIP$`, `(?m)^Port:\s+80-8080\s+80/TCP$`, `(?m)^TargetPort:\s+8080/TCP$`}},
		{"namespace", []string{"namespace", e.ns}, []string{`(?m)^Name:\s+` + e.ns + `$`, `(?m)^Status:\s+Active$`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			out := e.runNS("", append([]string{"describe"}, tt.args...)...).Stdout
			mustMatch(t, "describe "+tt.name, out, tt.want...)
		})
	}
}

// TestExplain: kubectl explain reads field docs from the server's OpenAPI.
func TestExplain(t *testing.T) {
	e := bare(t, cluster)
	tests := []struct {
		field string
		want  []string // regular expressions
	}{
		{"deployment.spec.replicas", []string{`(?m)^GROUP:\s+apps$`, `(?m)^KIND:\s+Deployment$`, `(?m)^VERSION:\s+v1$`,
			`(?m)^FIELD:\s+replicas\s+<integer>$`, `Number of desired pods`}},
		{"configmap.data", []string{`(?m)^KIND:\s+ConfigMap$`, `(?m)^FIELD:\s+data\s+<map\[string\]string>$`}},
		{"pods.spec.containers.image", []string{`(?m)^KIND:\s+Pod$`, `(?m)^FIELD:\s+image\s+<string>$`, `Container image name`}},
		{"cronjob.spec.schedule", []string{`(?m)^GROUP:\s+batch$`, `(?m)^FIELD:\s+schedule\s+<string>`, `Cron format`}},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			e := e.in(t)
			out := e.run("", "explain", tt.field).Stdout
			mustMatch(t, "explain "+tt.field, out, tt.want...)
		})
	}
}
