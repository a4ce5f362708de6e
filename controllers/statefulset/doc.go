// Package statefulset runs StatefulSets: ordered pods with stable names and their claims.
package statefulset
