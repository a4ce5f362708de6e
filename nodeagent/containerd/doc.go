// Package containerd runs containerd as a child process of skiff, with a generated configuration and
// its own root, state and socket under skiff's data directory, as k3s does.
package containerd
