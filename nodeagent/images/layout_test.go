package images

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// layout is an archive Write produced, read back.
type layout struct {
	files  map[string][]byte // regular files of the archive by name
	index  index
	man    manifest
	config imageConfig
	layer  []entry // the layer's tar entries, in order
}

type entry struct {
	Name   string
	Type   byte
	Mode   int64
	Target string
	Data   string
}

func readLayout(t *testing.T, archive []byte) layout {
	t.Helper()
	l := layout{files: map[string][]byte{}}
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			l.files[hdr.Name] = data
		}
	}
	if got := string(l.files["oci-layout"]); got != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout = %q", got)
	}
	// Every blob is named by its content's digest.
	for name, data := range l.files {
		if strings.HasPrefix(name, "blobs/") && "blobs/sha256/"+strings.TrimPrefix(digestOf(data), "sha256:") != name {
			t.Errorf("blob %s has digest %s", name, digestOf(data))
		}
	}
	unmarshal(t, l.files["index.json"], &l.index)
	if len(l.index.Manifests) != 1 {
		t.Fatalf("index has %d manifests", len(l.index.Manifests))
	}
	unmarshal(t, blobOf(t, l, l.index.Manifests[0]), &l.man)
	unmarshal(t, blobOf(t, l, l.man.Config), &l.config)
	if len(l.man.Layers) != 1 {
		t.Fatalf("manifest has %d layers", len(l.man.Layers))
	}
	gz := blobOf(t, l, l.man.Layers[0])
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if got := digestOf(raw); len(l.config.RootFS.DiffIDs) != 1 || l.config.RootFS.DiffIDs[0] != got {
		t.Errorf("diff_ids %v, uncompressed layer is %s", l.config.RootFS.DiffIDs, got)
	}
	lr := tar.NewReader(bytes.NewReader(raw))
	for {
		hdr, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(lr)
		if hdr.Uid != 0 || hdr.Gid != 0 || !hdr.ModTime.Equal(epoch) {
			t.Errorf("%s: owner %d:%d, time %v", hdr.Name, hdr.Uid, hdr.Gid, hdr.ModTime)
		}
		l.layer = append(l.layer, entry{Name: hdr.Name, Type: hdr.Typeflag, Mode: hdr.Mode, Target: hdr.Linkname, Data: string(data)})
	}
	return l
}

func blobOf(t *testing.T, l layout, d descriptor) []byte {
	t.Helper()
	data, ok := l.files["blobs/sha256/"+strings.TrimPrefix(d.Digest, "sha256:")]
	if !ok {
		t.Fatalf("no blob for %s", d.Digest)
	}
	if int64(len(data)) != d.Size {
		t.Errorf("blob %s: size %d, descriptor says %d", d.Digest, len(data), d.Size)
	}
	return data
}

func unmarshal(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name       string
		img        Image
		wantLayer  []entry
		wantConfig runtimeConfig
	}{{
		name: "pause-like",
		img: Image{Name: "localhost/pause:local", Arch: "amd64",
			Config: Config{Entrypoint: []string{"/pause"}, User: "65535:65535"},
			Files:  []File{{Path: "/pause", Mode: 0o755, Data: []byte("prog")}}},
		wantLayer:  []entry{{Name: "pause", Type: tar.TypeReg, Mode: 0o755, Data: "prog"}},
		wantConfig: runtimeConfig{Entrypoint: []string{"/pause"}, User: "65535:65535"},
	}, {
		name: "parents, links and default modes",
		img: Image{Name: "example.com/team/tool:v1", Arch: "arm64",
			Config: Config{Cmd: []string{"sh", "-c", "true"}, Env: []string{"A=1", DefaultPath}, WorkingDir: "/work", Labels: map[string]string{"k": "v"}},
			Files: []File{
				{Path: "usr/bin/wget", Mode: fs.ModeSymlink, Target: "/bin/busybox"},
				{Path: "/bin/busybox", Mode: 0o755, Data: []byte("bb")},
				{Path: "/etc/passwd", Data: []byte("root\n")},
				{Path: "/tmp", Mode: fs.ModeDir | fs.ModeSticky | 0o777},
				{Path: "/usr/bin/setuid", Mode: fs.ModeSetuid | 0o755},
				{Path: "/empty", Mode: fs.ModeDir},
			}},
		wantLayer: []entry{
			{Name: "bin/", Type: tar.TypeDir, Mode: 0o755},
			{Name: "bin/busybox", Type: tar.TypeReg, Mode: 0o755, Data: "bb"},
			{Name: "empty/", Type: tar.TypeDir, Mode: 0o755},
			{Name: "etc/", Type: tar.TypeDir, Mode: 0o755},
			{Name: "etc/passwd", Type: tar.TypeReg, Mode: 0o644, Data: "root\n"},
			{Name: "tmp/", Type: tar.TypeDir, Mode: 0o1777},
			{Name: "usr/", Type: tar.TypeDir, Mode: 0o755},
			{Name: "usr/bin/", Type: tar.TypeDir, Mode: 0o755},
			{Name: "usr/bin/setuid", Type: tar.TypeReg, Mode: 0o4755},
			{Name: "usr/bin/wget", Type: tar.TypeSymlink, Mode: 0o777, Target: "/bin/busybox"},
		},
		wantConfig: runtimeConfig{Cmd: []string{"sh", "-c", "true"}, Env: []string{"A=1", DefaultPath}, WorkingDir: "/work", Labels: map[string]string{"k": "v"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			d, err := Write(&buf, tt.img)
			if err != nil {
				t.Fatal(err)
			}
			l := readLayout(t, buf.Bytes())
			m := l.index.Manifests[0]
			if m.Annotations[AnnotationImageName] != tt.img.Name || m.Annotations[annotationRefName] != tagOf(tt.img.Name) {
				t.Errorf("index annotations %v", m.Annotations)
			}
			if m.MediaType != mediaTypeManifest || l.man.Config.MediaType != mediaTypeConfig || l.man.Layers[0].MediaType != mediaTypeLayer {
				t.Errorf("media types: %s, %s, %s", m.MediaType, l.man.Config.MediaType, l.man.Layers[0].MediaType)
			}
			if m.Platform == nil || m.Platform.Architecture != tt.img.Arch || m.Platform.OS != "linux" ||
				l.config.Architecture != tt.img.Arch || l.config.OS != "linux" {
				t.Errorf("platform %+v, config %s/%s", m.Platform, l.config.OS, l.config.Architecture)
			}
			if d.Manifest != m.Digest || d.Config != l.man.Config.Digest {
				t.Errorf("digests %+v, index has manifest %s with config %s", d, m.Digest, l.man.Config.Digest)
			}
			if diff := cmp.Diff(tt.wantConfig, l.config.Config); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantLayer, l.layer); diff != "" {
				t.Errorf("layer (-want +got):\n%s", diff)
			}
			var again bytes.Buffer
			if _, err := Write(&again, tt.img); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Errorf("a second Write gave different bytes (err %v)", err)
			}
		})
	}
}

func TestWriteRejects(t *testing.T) {
	file := []File{{Path: "/f", Data: []byte("x")}}
	tests := []struct {
		name string
		img  Image
		want string
	}{
		{"no tag", Image{Name: "localhost/pause", Files: file}, "full reference"},
		{"registry port without tag", Image{Name: "localhost:5000/pause", Files: file}, "full reference"},
		{"no repository host", Image{Name: "pause:local", Files: file}, "full reference"},
		{"digest", Image{Name: "localhost/pause@sha256:00", Files: file}, "full reference"},
		{"duplicate", Image{Name: "localhost/a:b", Files: []File{{Path: "/f"}, {Path: "f"}}}, "given twice"},
		{"dot-dot", Image{Name: "localhost/a:b", Files: []File{{Path: "/../etc/f"}}}, "invalid path"},
		{"root", Image{Name: "localhost/a:b", Files: []File{{Path: "/"}}}, "invalid path"},
		{"inside a file", Image{Name: "localhost/a:b", Files: []File{{Path: "/f"}, {Path: "/f/g"}}}, "not a directory"},
		{"link without target", Image{Name: "localhost/a:b", Files: []File{{Path: "/l", Mode: fs.ModeSymlink}}}, "without a target"},
		{"device", Image{Name: "localhost/a:b", Files: []File{{Path: "/d", Mode: fs.ModeDevice}}}, "unsupported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Write(io.Discard, tt.img)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Write() error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
