package envvars

import (
	"net"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ServiceEnv is the docker-link style environment for services as a pod in namespace ns sees
// them: the kubernetes Service of the default namespace always, the namespace's own Services
// only with enableServiceLinks. Services without a cluster IP (headless) give nothing.
func ServiceEnv(services []*corev1.Service, ns string, enableServiceLinks bool) map[string]string {
	picked := map[string]*corev1.Service{}
	for _, s := range services {
		if !hasClusterIP(s) {
			continue
		}
		switch {
		case s.Namespace == metav1.NamespaceDefault && s.Name == "kubernetes":
			if _, ok := picked[s.Name]; !ok {
				picked[s.Name] = s
			}
		case s.Namespace == ns && enableServiceLinks:
			picked[s.Name] = s
		}
	}
	env := map[string]string{}
	for _, s := range picked {
		for _, kv := range serviceVars(s) {
			env[kv[0]] = kv[1]
		}
	}
	return env
}

func hasClusterIP(s *corev1.Service) bool {
	return s.Spec.ClusterIP != "" && s.Spec.ClusterIP != corev1.ClusterIPNone && len(s.Spec.Ports) > 0
}

// serviceVars are one Service's variables: {NAME}_SERVICE_HOST, _SERVICE_PORT, a
// _SERVICE_PORT_{PORTNAME} per named port, and docker's {NAME}_PORT* link variables.
func serviceVars(s *corev1.Service) [][2]string {
	prefix := envName(s.Name)
	ip := s.Spec.ClusterIP
	vars := [][2]string{
		{prefix + "_SERVICE_HOST", ip},
		{prefix + "_SERVICE_PORT", strconv.Itoa(int(s.Spec.Ports[0].Port))},
	}
	for _, p := range s.Spec.Ports {
		if p.Name != "" {
			vars = append(vars, [2]string{prefix + "_SERVICE_PORT_" + envName(p.Name), strconv.Itoa(int(p.Port))})
		}
	}
	for i, p := range s.Spec.Ports {
		proto := string(p.Protocol)
		if proto == "" {
			proto = string(corev1.ProtocolTCP)
		}
		lower := strings.ToLower(proto)
		port := strconv.Itoa(int(p.Port))
		url := lower + "://" + net.JoinHostPort(ip, port)
		if i == 0 {
			vars = append(vars, [2]string{prefix + "_PORT", url})
		}
		pp := prefix + "_PORT_" + port + "_" + strings.ToUpper(proto)
		vars = append(vars,
			[2]string{pp, url},
			[2]string{pp + "_PROTO", lower},
			[2]string{pp + "_PORT", port},
			[2]string{pp + "_ADDR", ip},
		)
	}
	return vars
}

func envName(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "-", "_")) }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
