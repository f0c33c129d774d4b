package app

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// ownProtoPackage prefixes the proto packages of agentchain's modules.
const ownProtoPackage = "agentchain."

// ownProtoFiles is a proto file resolver that ranges over agentchain's own
// files only (resolving names in every file).
type ownProtoFiles struct{ *protoregistry.Files }

func (f ownProtoFiles) RangeFiles(fn func(protoreflect.FileDescriptor) bool) {
	f.Files.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(fd.Package()), ownProtoPackage) {
			return true
		}
		return fn(fd)
	})
}

// validateOwnMsgServices checks that every Msg service of agentchain's own
// modules carries the cosmos.msg.v1.service annotation (without which its
// messages' signers are not found), and returns how many it checked. The
// SDK's own files are not ours to fix and are left out.
func validateOwnMsgServices(files *protoregistry.Files) (int, error) {
	own := ownProtoFiles{files}
	n := 0
	own.RangeFiles(func(fd protoreflect.FileDescriptor) bool {
		for i := range fd.Services().Len() {
			if fd.Services().Get(i).Name() == "Msg" {
				n++
			}
		}
		return true
	})
	if err := msgservice.ValidateProtoAnnotations(own); err != nil {
		return n, fmt.Errorf("agentchain Msg services: %w", err)
	}
	return n, nil
}
