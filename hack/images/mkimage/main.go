// Command mkimage writes skiff's images as OCI image-layout tars, for `skiff images import` or
// `ctr images import`: the sandbox image (pause) and the busybox test image.
//
//	mkimage [-o FILE] [-name NAME] [-arch GOARCH] pause
//	mkimage [-o FILE] [-name NAME] [-busybox PATH] busybox
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/skiff-sh/skiff/nodeagent/images"
)

func main() {
	out := flag.String("o", "", "Output file (required).")
	name := flag.String("name", "", "Image name; default localhost/pause:local or localhost/busybox:test.")
	arch := flag.String("arch", runtime.GOARCH, "Architecture of the pause image (amd64, arm64).")
	busybox := flag.String("busybox", "/bin/busybox", "Statically linked busybox binary (Debian's busybox-static).")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: mkimage -o FILE [flags] pause|busybox")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, *name, *arch, *busybox, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func run(out, name, arch, busybox, kind string) error {
	var img images.Image
	var err error
	switch kind {
	case "pause":
		img, err = images.PauseImage(arch)
	case "busybox":
		if name == "" {
			name = images.BusyboxImageName
		}
		img, err = images.Busybox(context.Background(), name, busybox)
	default:
		return fmt.Errorf("unknown image %q: pause or busybox", kind)
	}
	if err != nil {
		return err
	}
	if name != "" {
		img.Name = name
	}
	d, err := images.WriteFile(out, img)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %s (image ID %s)\n", out, img.Name, d.Config)
	return nil
}
