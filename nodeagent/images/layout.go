package images

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Image describes a single-layer image.
type Image struct {
	// Name is the image's full reference, such as localhost/pause:local.
	Name string
	// Arch and OS are the platform (GOARCH and GOOS names); empty means this machine's arch and linux.
	Arch, OS string
	Config   Config
	Files    []File
}

// Config is the part of an image's runtime configuration skiff's images set.
type Config struct {
	Entrypoint []string
	Cmd        []string
	Env        []string
	WorkingDir string
	User       string
	Labels     map[string]string
}

// Digests identify a written image: CRI reports the config digest as the image ID.
type Digests struct {
	Manifest string
	Config   string
}

// Write writes img to w as an OCI image layout in a tar archive: oci-layout, index.json naming the
// image with the io.containerd.image.name annotation, and the blobs (one gzipped layer, the config
// and the manifest) under blobs/sha256/. The same image always gives the same bytes.
func Write(w io.Writer, img Image) (Digests, error) {
	if err := validName(img.Name); err != nil {
		return Digests{}, err
	}
	if img.Arch == "" {
		img.Arch = runtime.GOARCH
	}
	if img.OS == "" {
		img.OS = "linux"
	}
	l, err := buildLayer(img.Files)
	if err != nil {
		return Digests{}, fmt.Errorf("image %s: %w", img.Name, err)
	}
	layerBlob := blob{mediaType: mediaTypeLayer, data: l.gz}
	config, err := jsonBlob(mediaTypeConfig, imageConfig{
		Architecture: img.Arch,
		OS:           img.OS,
		Config: runtimeConfig{
			User: img.Config.User, Env: img.Config.Env, Entrypoint: img.Config.Entrypoint,
			Cmd: img.Config.Cmd, WorkingDir: img.Config.WorkingDir, Labels: img.Config.Labels,
		},
		RootFS:  rootFS{Type: "layers", DiffIDs: []string{l.diffID}},
		History: []history{{CreatedBy: "skiff"}},
	})
	if err != nil {
		return Digests{}, err
	}
	man, err := jsonBlob(mediaTypeManifest, manifest{
		SchemaVersion: 2,
		MediaType:     mediaTypeManifest,
		Config:        config.descriptor(),
		Layers:        []descriptor{layerBlob.descriptor()},
	})
	if err != nil {
		return Digests{}, err
	}
	manDesc := man.descriptor()
	manDesc.Platform = &platform{Architecture: img.Arch, OS: img.OS}
	manDesc.Annotations = map[string]string{AnnotationImageName: img.Name, annotationRefName: tagOf(img.Name)}
	idx, err := jsonBlob(mediaTypeIndex, index{SchemaVersion: 2, MediaType: mediaTypeIndex, Manifests: []descriptor{manDesc}})
	if err != nil {
		return Digests{}, err
	}

	tw := tar.NewWriter(w)
	files := []struct {
		name string
		data []byte
	}{
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{"index.json", idx.data},
		{blobPath(layerBlob), layerBlob.data},
		{blobPath(config), config.data},
		{blobPath(man), man.data},
	}
	for _, dir := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir, Mode: 0o755, ModTime: epoch}); err != nil {
			return Digests{}, err
		}
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: 0o644, Size: int64(len(f.data)), ModTime: epoch}); err != nil {
			return Digests{}, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return Digests{}, err
		}
	}
	if err := tw.Close(); err != nil {
		return Digests{}, err
	}
	return Digests{Manifest: man.digest(), Config: config.digest()}, nil
}

// WriteFile writes img's layout archive to path, replacing it atomically.
func WriteFile(path string, img Image) (Digests, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return Digests{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".image-*.tar")
	if err != nil {
		return Digests{}, err
	}
	defer os.Remove(tmp.Name())
	d, err := Write(tmp, img)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Digests{}, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return Digests{}, err
	}
	return d, os.Rename(tmp.Name(), path)
}

func blobPath(b blob) string { return "blobs/sha256/" + strings.TrimPrefix(b.digest(), "sha256:") }

// validName accepts a full reference with a tag: host/path:tag.
func validName(name string) error {
	if name == "" || strings.ContainsAny(name, " \t\n@") || tagOf(name) == "" || !strings.Contains(name, "/") {
		return fmt.Errorf("image name %q must be a full reference with a tag, such as localhost/pause:local", name)
	}
	return nil
}

// tagOf returns the tag of a reference ("" if it has none).
func tagOf(name string) string {
	i := strings.LastIndex(name, ":")
	if i < 0 || strings.Contains(name[i:], "/") {
		return ""
	}
	return name[i+1:]
}
