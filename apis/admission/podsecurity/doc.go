// Package podsecurity is the PodSecurity admission plugin: the Pod Security Standards library
// k8s.io/pod-security-admission enforces, audits and warns per the namespaces'
// pod-security.kubernetes.io/* labels (by default every level is privileged).
package podsecurity
