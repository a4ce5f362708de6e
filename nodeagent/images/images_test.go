package images

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"testing"
)

func TestPauseImage(t *testing.T) {
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := PauseImage(arch)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := Write(&buf, img); err != nil {
			t.Fatal(err)
		}
		l := readLayout(t, buf.Bytes())
		if l.config.Architecture != arch || len(l.layer) != 1 || l.layer[0].Name != "pause" || l.layer[0].Mode != 0o755 {
			t.Errorf("%s: arch %s, layer %+v", arch, l.config.Architecture, l.layer)
		}
		if len(l.layer[0].Data) > 1024 || len(l.layer[0].Data) < 64 {
			t.Errorf("%s: /pause has %d bytes", arch, len(l.layer[0].Data))
		}
		if got := l.config.Config.Entrypoint; len(got) != 1 || got[0] != "/pause" {
			t.Errorf("entrypoint %v", got)
		}
	}
	if _, err := PauseImage("mips"); err == nil {
		t.Error("PauseImage(mips) succeeded")
	}
}

func TestBusybox(t *testing.T) {
	const bin = "/bin/busybox"
	if err := checkStatic(bin); err != nil {
		t.Skipf("needs a static %s (busybox-static): %v", bin, err)
	}
	img, err := Busybox(context.Background(), BusyboxImageName, bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := Write(&buf, img); err != nil {
		t.Fatal(err)
	}
	l := readLayout(t, buf.Bytes())
	links := map[string]string{}
	var binary []byte
	for _, e := range l.layer {
		switch e.Type {
		case tar.TypeSymlink:
			links[e.Name] = e.Target
		case tar.TypeReg:
			if e.Name == "bin/busybox" {
				binary = []byte(e.Data)
			}
		}
	}
	want, _ := os.ReadFile(bin)
	if !bytes.Equal(binary, want) {
		t.Errorf("bin/busybox has %d bytes, want the %d of %s", len(binary), len(want), bin)
	}
	for _, applet := range []string{"bin/sh", "bin/sleep", "bin/echo", "usr/sbin/httpd", "usr/bin/wget", "usr/bin/nslookup"} {
		if links[applet] != "/bin/busybox" {
			t.Errorf("%s -> %q, want /bin/busybox", applet, links[applet])
		}
	}
	if got := l.config.Config; len(got.Cmd) != 1 || got.Cmd[0] != "sh" || len(got.Env) != 1 || got.Env[0] != DefaultPath {
		t.Errorf("config %+v", got)
	}
}

func TestCheckStaticRejectsDynamic(t *testing.T) {
	if _, err := os.Stat("/bin/ls"); err != nil {
		t.Skip(err)
	}
	if err := checkStatic("/bin/ls"); err == nil {
		t.Error("checkStatic(/bin/ls) accepted a dynamically linked binary")
	}
	if err := checkStatic(t.TempDir() + "/missing"); err == nil {
		t.Error("checkStatic accepted a missing file")
	}
}

// recordingImporter keeps what it was asked to import.
type recordingImporter struct {
	got []byte
	err error
}

func (r *recordingImporter) Import(_ context.Context, archive io.Reader) error {
	var err error
	r.got, err = io.ReadAll(archive)
	if err != nil {
		return err
	}
	return r.err
}

func TestImportPause(t *testing.T) {
	if _, err := PauseImage(runtime.GOARCH); err != nil {
		t.Skip(err)
	}
	imp := &recordingImporter{}
	d, err := ImportPause(context.Background(), imp)
	if err != nil {
		t.Fatal(err)
	}
	l := readLayout(t, imp.got)
	if l.index.Manifests[0].Annotations[AnnotationImageName] != PauseImageName || l.index.Manifests[0].Digest != d.Manifest {
		t.Errorf("imported %v (%s), returned %+v", l.index.Manifests[0].Annotations, l.index.Manifests[0].Digest, d)
	}
	imp.err = errors.New("boom")
	if _, err := ImportPause(context.Background(), imp); !errors.Is(err, imp.err) {
		t.Errorf("ImportPause error %v, want it to wrap the importer's", err)
	}
}
