package images

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
)

// File is one entry of an image's filesystem.
type File struct {
	// Path in the image, such as /bin/sh.
	Path string
	// Mode holds the permission bits and, for a directory or a symbolic link, fs.ModeDir or
	// fs.ModeSymlink. Zero permissions mean 0644 for a file and 0755 for a directory.
	Mode fs.FileMode
	// Data is a regular file's content.
	Data []byte
	// Target is a symbolic link's target.
	Target string
}

// epoch is every entry's modification time, so that the same files always give the same digests.
var epoch = time.Unix(0, 0).UTC()

// layer is a gzipped layer tar and the digest of its uncompressed form (the config's diff_id).
type layer struct {
	gz     []byte
	diffID string
}

// buildLayer writes files, with any parent directories they lack, as one gzipped tar.
func buildLayer(files []File) (layer, error) {
	entries, err := normalize(files)
	if err != nil {
		return layer{}, err
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	sum := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(zw, sum))
	for _, f := range entries {
		if err := writeEntry(tw, f); err != nil {
			return layer{}, fmt.Errorf("adding %s: %w", f.Path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return layer{}, err
	}
	if err := zw.Close(); err != nil {
		return layer{}, err
	}
	return layer{gz: gz.Bytes(), diffID: "sha256:" + hex.EncodeToString(sum.Sum(nil))}, nil
}

// normalize cleans paths to relative ones, rejects duplicates and escapes, adds missing parent
// directories and sorts the entries so that every directory precedes its contents.
func normalize(files []File) ([]File, error) {
	byPath := map[string]File{}
	for _, f := range files {
		p := strings.TrimPrefix(path.Clean("/"+f.Path), "/")
		if p == "" || f.Path == "" || slices.Contains(strings.Split(f.Path, "/"), "..") {
			return nil, fmt.Errorf("invalid path %q in image", f.Path)
		}
		if _, dup := byPath[p]; dup {
			return nil, fmt.Errorf("path %q given twice", f.Path)
		}
		f.Path = p
		byPath[p] = f
	}
	for p := range byPath {
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			if parent, ok := byPath[dir]; ok {
				if !parent.Mode.IsDir() {
					return nil, fmt.Errorf("%q is inside %q, which is not a directory", p, dir)
				}
				continue
			}
			byPath[dir] = File{Path: dir, Mode: fs.ModeDir | 0o755}
		}
	}
	out := make([]File, 0, len(byPath))
	for _, f := range byPath {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func writeEntry(tw *tar.Writer, f File) error {
	perm := int64(f.Mode.Perm())
	// archive/tar's bits for setuid, setgid and sticky are the classic ones, not io/fs's.
	for _, bit := range []struct {
		mode fs.FileMode
		tar  int64
	}{{fs.ModeSetuid, 0o4000}, {fs.ModeSetgid, 0o2000}, {fs.ModeSticky, 0o1000}} {
		if f.Mode&bit.mode != 0 {
			perm |= bit.tar
		}
	}
	hdr := &tar.Header{Name: f.Path, Mode: perm, ModTime: epoch, Uname: "root", Gname: "root"}
	switch {
	case f.Mode.IsDir():
		hdr.Typeflag, hdr.Name = tar.TypeDir, f.Path+"/"
		if f.Mode.Perm() == 0 {
			hdr.Mode |= 0o755
		}
	case f.Mode&fs.ModeSymlink != 0:
		if f.Target == "" {
			return fmt.Errorf("symbolic link without a target")
		}
		hdr.Typeflag, hdr.Linkname, hdr.Mode = tar.TypeSymlink, f.Target, 0o777
	case f.Mode.IsRegular():
		hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(f.Data))
		if f.Mode.Perm() == 0 {
			hdr.Mode |= 0o644
		}
	default:
		return fmt.Errorf("unsupported file mode %v", f.Mode)
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if hdr.Typeflag == tar.TypeReg {
		_, err := tw.Write(f.Data)
		return err
	}
	return nil
}
