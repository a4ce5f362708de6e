package images

import (
	"context"
	"debug/elf"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
)

// BusyboxImageName is the test image hack/images/busybox.sh builds and tests import.
const BusyboxImageName = "localhost/busybox:test"

// DefaultPath is the PATH of images built here (that of Docker's and Kubernetes' defaults).
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Busybox builds a test image named name from a statically linked busybox binary (Debian's
// busybox-static installs /bin/busybox): the binary as /bin/busybox, a symbolic link for every applet
// it lists where `busybox --list-full` places it (sh, sleep, httpd, wget, nslookup, ...), /etc/passwd
// and /etc/group with root and nobody, /root, /tmp and /var/www. Its command is sh, as busybox's.
func Busybox(ctx context.Context, name, binary string) (Image, error) {
	data, err := os.ReadFile(binary)
	if err != nil {
		return Image{}, err
	}
	if err := checkStatic(binary); err != nil {
		return Image{}, err
	}
	out, err := exec.CommandContext(ctx, binary, "--list-full").Output()
	if err != nil {
		return Image{}, fmt.Errorf("%s --list-full: %w", binary, err)
	}
	files := []File{
		{Path: "/bin/busybox", Mode: 0o755, Data: data},
		{Path: "/etc/passwd", Data: []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")},
		{Path: "/etc/group", Data: []byte("root:x:0:\nnobody:x:65534:\n")},
		{Path: "/root", Mode: fs.ModeDir | 0o700},
		{Path: "/tmp", Mode: fs.ModeDir | fs.ModeSticky | 0o777},
		{Path: "/var/www", Mode: fs.ModeDir | 0o755},
	}
	for _, applet := range strings.Fields(string(out)) {
		if applet == "bin/busybox" {
			continue
		}
		files = append(files, File{Path: "/" + applet, Mode: fs.ModeSymlink | 0o777, Target: "/bin/busybox"})
	}
	return Image{
		Name:   name,
		Config: Config{Cmd: []string{"sh"}, Env: []string{DefaultPath}},
		Files:  files,
	}, nil
}

// checkStatic fails for a dynamically linked executable, which would not run in the image.
func checkStatic(binary string) error {
	f, err := elf.Open(binary)
	if err != nil {
		return fmt.Errorf("%s is not an executable: %w", binary, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked; install busybox-static", binary)
		}
	}
	return nil
}
