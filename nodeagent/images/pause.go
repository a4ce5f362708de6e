package images

import (
	"github.com/skiff-sh/skiff/nodeagent/images/pause"
)

// PauseImageName is the sandbox image skiff configures containerd with and imports itself.
const PauseImageName = "localhost/pause:local"

// PauseImage is the sandbox image for arch (a GOARCH name): /pause, the few hundred bytes of
// package pause's program, run as 65535:65535 like the upstream pause image.
func PauseImage(arch string) (Image, error) {
	prog, err := pause.Program(arch)
	if err != nil {
		return Image{}, err
	}
	return Image{
		Name:   PauseImageName,
		Arch:   arch,
		Config: Config{Entrypoint: []string{"/pause"}, User: "65535:65535", WorkingDir: "/"},
		Files:  []File{{Path: "/pause", Mode: 0o755, Data: prog}},
	}, nil
}
