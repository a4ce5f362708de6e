// Package review serves the create-only authorization.k8s.io/v1 reviews: subject access
// reviews (cluster-wide, local to a namespace, and of the requesting user), answered by the
// apiserver's authorizer, and self subject rules reviews, answered by its rule resolver.
package review
