package pause

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

const (
	loadAddr   = 0x400000
	ehdrSize   = 64
	phdrSize   = 56
	numPhdrs   = 2
	headerSize = ehdrSize + numPhdrs*phdrSize

	elfMachineAMD64 = 0x3e
	elfMachineARM64 = 0xb7
	ptLoad          = 1
	ptGNUStack      = 0x6474e551
	pfR, pfW, pfX   = 4, 2, 1
)

// Arches lists the architectures (GOARCH names) Program supports.
var Arches = []string{"amd64", "arm64"}

// Program returns the pause program as a static ELF executable for goarch (a GOARCH name).
func Program(goarch string) ([]byte, error) {
	var code []byte
	var machine uint16
	switch goarch {
	case "amd64":
		code, machine = codeAMD64, elfMachineAMD64
	case "arm64":
		code, machine = codeARM64, elfMachineARM64
	default:
		return nil, fmt.Errorf("no built-in pause program for architecture %q (have %v)", goarch, Arches)
	}
	size := uint64(headerSize + len(code))
	var b bytes.Buffer
	le := binary.LittleEndian
	// ELF header: 64-bit, little endian, current version, System V ABI; an executable, no sections.
	b.Write([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	for _, v := range []any{
		uint16(2), machine, uint32(1), // e_type ET_EXEC, e_machine, e_version
		uint64(loadAddr + headerSize),          // e_entry: the code follows the headers
		uint64(ehdrSize), uint64(0), uint32(0), // e_phoff, e_shoff, e_flags
		uint16(ehdrSize), uint16(phdrSize), uint16(numPhdrs), // e_ehsize, e_phentsize, e_phnum
		uint16(0), uint16(0), uint16(0), // e_shentsize, e_shnum, e_shstrndx
		// PT_LOAD: the whole file, readable and executable, at loadAddr.
		uint32(ptLoad), uint32(pfR | pfX), uint64(0), uint64(loadAddr), uint64(loadAddr), size, size, uint64(0x1000),
		// PT_GNU_STACK: a non-executable stack.
		uint32(ptGNUStack), uint32(pfR | pfW), uint64(0), uint64(0), uint64(0), uint64(0), uint64(0), uint64(16),
	} {
		if err := binary.Write(&b, le, v); err != nil {
			return nil, err
		}
	}
	b.Write(code)
	return b.Bytes(), nil
}
