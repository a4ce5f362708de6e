package volumes

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// setUpHostPath checks (or creates) a hostPath volume's path as upstream's hostPath
// plugin does for its type.
func setUpHostPath(path string, pathType *corev1.HostPathType) error {
	if slices.Contains(strings.Split(path, "/"), "..") {
		return fmt.Errorf("invalid HostPath `%s`: must not contain '..'", path)
	}
	if pathType == nil || *pathType == corev1.HostPathUnset {
		return nil
	}
	return checkHostPathType(path, *pathType)
}

func checkHostPathType(path string, t corev1.HostPathType) error {
	switch t {
	case corev1.HostPathDirectoryOrCreate:
		if !exists(path) {
			if err := os.MkdirAll(path, 0o755); err != nil && !os.IsExist(err) {
				return err
			}
			return nil
		}
		return typeMatches(path, corev1.HostPathDirectory, "directory")
	case corev1.HostPathDirectory:
		return typeMatches(path, corev1.HostPathDirectory, "directory")
	case corev1.HostPathFileOrCreate:
		if !exists(path) {
			return makeFile(path)
		}
		return typeMatches(path, corev1.HostPathFile, "file")
	case corev1.HostPathFile:
		return typeMatches(path, corev1.HostPathFile, "file")
	case corev1.HostPathSocket:
		return typeMatches(path, corev1.HostPathSocket, "socket file")
	case corev1.HostPathCharDev:
		return typeMatches(path, corev1.HostPathCharDev, "character device")
	case corev1.HostPathBlockDev:
		return typeMatches(path, corev1.HostPathBlockDev, "block device")
	}
	return fmt.Errorf("%s is an invalid volume type", t)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// makeFile creates an empty file; an existing path is fine. As upstream, the parent
// directory must exist.
func makeFile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE, 0o644)
	if err != nil {
		if os.IsExist(err) {
			return nil
		}
		return err
	}
	return f.Close()
}

func typeMatches(path string, want corev1.HostPathType, expected string) error {
	got, err := fileType(path)
	if err != nil {
		return fmt.Errorf("hostPath type check failed, %s is not a %s, unable to determine its type: %w", path, expected, err)
	}
	if got != want {
		return fmt.Errorf("hostPath type check failed: %s is not a %s, it's a %s", path, expected, got)
	}
	return nil
}

// fileType names what is at path with the hostPath type names.
func fileType(path string) (corev1.HostPathType, error) {
	info, err := os.Stat(path)
	if os.IsNotExist(err) {
		return "", fmt.Errorf("path %q does not exist", path)
	}
	if err != nil {
		return "", err
	}
	m := info.Mode()
	switch {
	case m.IsDir():
		return corev1.HostPathDirectory, nil
	case m.IsRegular():
		return corev1.HostPathFile, nil
	case m&os.ModeSocket != 0:
		return corev1.HostPathSocket, nil
	case m&os.ModeCharDevice != 0:
		return corev1.HostPathCharDev, nil
	case m&os.ModeDevice != 0:
		return corev1.HostPathBlockDev, nil
	}
	return "", errors.New("only recognise file, directory, socket, block device and character device")
}
