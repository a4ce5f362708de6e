package volumes

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func TestSetUpHostPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	missing := filepath.Join(dir, "missing")
	tests := []struct {
		name     string
		path     string
		typ      corev1.HostPathType
		wantErr  string
		wantType corev1.HostPathType
	}{
		{name: "unset does not check", path: missing, typ: corev1.HostPathUnset},
		{name: "directory", path: dir, typ: corev1.HostPathDirectory},
		{name: "directory is a file", path: file, typ: corev1.HostPathDirectory, wantErr: "hostPath type check failed: " + file + " is not a directory, it's a File"},
		{name: "directory missing", path: missing, typ: corev1.HostPathDirectory, wantErr: "hostPath type check failed, " + missing + " is not a directory, unable to determine its type: path \"" + missing + "\" does not exist"},
		{name: "directory or create makes it", path: filepath.Join(dir, "new/sub"), typ: corev1.HostPathDirectoryOrCreate, wantType: corev1.HostPathDirectory},
		{name: "directory or create on a file", path: file, typ: corev1.HostPathDirectoryOrCreate, wantErr: "hostPath type check failed: " + file + " is not a directory, it's a File"},
		{name: "file", path: file, typ: corev1.HostPathFile},
		{name: "file or create makes it", path: filepath.Join(dir, "newfile"), typ: corev1.HostPathFileOrCreate, wantType: corev1.HostPathFile},
		{name: "file or create needs the parent", path: filepath.Join(dir, "nope/newfile"), typ: corev1.HostPathFileOrCreate, wantErr: "no such file or directory"},
		{name: "file is a directory", path: dir, typ: corev1.HostPathFile, wantErr: "is not a file, it's a Directory"},
		{name: "socket", path: sock, typ: corev1.HostPathSocket},
		{name: "socket is a file", path: file, typ: corev1.HostPathSocket, wantErr: "is not a socket file, it's a File"},
		{name: "char device", path: "/dev/null", typ: corev1.HostPathCharDev},
		{name: "block device is a char device", path: "/dev/null", typ: corev1.HostPathBlockDev, wantErr: "is not a block device, it's a CharDevice"},
		{name: "invalid type", path: dir, typ: "Weird", wantErr: "Weird is an invalid volume type"},
		{name: "backsteps", path: dir + "/../x", typ: corev1.HostPathDirectory, wantErr: "invalid HostPath `" + dir + "/../x`: must not contain '..'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := setUpHostPath(tt.path, ptr.To(tt.typ))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantType != "" {
				if got, err := fileType(tt.path); err != nil || got != tt.wantType {
					t.Errorf("made %v (%v), want %v", got, err, tt.wantType)
				}
			}
		})
	}
}
