package volumeattachment

import (
	"context"
	"math"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/operation"
	"k8s.io/apimachinery/pkg/api/validate"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/storage/csinode"
)

const (
	maxAttachmentMetadataSize = 256 * (1 << 10) // 256 kB
	maxVolumeErrorMessageSize = 1024
)

// Validate checks a VolumeAttachment: a CSI attacher, exactly one source, a node name and a
// status within its size limits.
func Validate(va *storagev1.VolumeAttachment) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&va.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	specPath := field.NewPath("spec")
	errs = append(errs, validateSource(&va.Spec.Source, specPath.Child("source"))...)
	for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(va.Spec.NodeName, false) {
		errs = append(errs, field.Invalid(specPath.Child("nodeName"), va.Spec.NodeName, msg))
	}
	statusPath := field.NewPath("status")
	size := 0
	for k, v := range va.Status.AttachmentMetadata {
		size += len(k) + len(v)
	}
	if size > maxAttachmentMetadataSize {
		errs = append(errs, field.TooLong(statusPath.Child("attachmentMetadata"), "", maxAttachmentMetadataSize))
	}
	errs = append(errs, validateVolumeError(va.Status.AttachError, statusPath.Child("attachError"))...)
	errs = append(errs, validateVolumeError(va.Status.DetachError, statusPath.Child("detachError"))...)
	if name := va.Spec.Source.PersistentVolumeName; name != nil {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*name, false) {
			errs = append(errs, field.Invalid(specPath.Child("source", "persistentVolumeName"), *name, msg))
		}
	}
	// Upstream validates the attacher declaratively; its errors come last.
	return append(errs, validateAttacher(va.Spec.Attacher, specPath.Child("attacher"))...)
}

// ValidateUpdate checks the updated VolumeAttachment and holds the spec fixed.
func ValidateUpdate(va, old *storagev1.VolumeAttachment) field.ErrorList {
	errs := Validate(va)
	if !apiequality.Semantic.DeepEqual(va.Spec, old.Spec) {
		// The declarative check replaces the attacher checks of a changed spec.
		kept := errs[:0]
		for _, e := range errs {
			if e.Field != "spec.attacher" {
				kept = append(kept, e)
			}
		}
		errs = append(kept, field.Invalid(field.NewPath("spec"), nil, apimachineryvalidation.FieldImmutableErrorMsg))
	}
	return errs
}

func validateAttacher(attacher string, fldPath *field.Path) field.ErrorList {
	ctx, op := context.Background(), operation.Operation{Type: operation.Create}
	if attacher == "" {
		return validate.RequiredValue(ctx, op, fldPath, &attacher, nil)
	}
	errs := validate.LongNameCaseless(ctx, op, fldPath, &attacher, nil)
	return append(errs, validate.MaxLength(ctx, op, fldPath, &attacher, nil, 63)...)
}

func validateVolumeError(e *storagev1.VolumeError, fldPath *field.Path) field.ErrorList {
	if e == nil {
		return nil
	}
	var errs field.ErrorList
	if len(e.Message) > maxVolumeErrorMessageSize {
		errs = append(errs, field.TooLong(fldPath.Child("message"), "", maxVolumeErrorMessageSize))
	}
	if e.ErrorCode != nil && *e.ErrorCode < 0 {
		errs = append(errs, field.Invalid(fldPath.Child("errorCode"), *e.ErrorCode, validation.InclusiveRangeError(0, math.MaxInt32)))
	}
	return errs
}

func validateSource(source *storagev1.VolumeAttachmentSource, fldPath *field.Path) field.ErrorList {
	switch {
	case source.InlineVolumeSpec == nil && source.PersistentVolumeName == nil:
		return field.ErrorList{field.Required(fldPath, "must specify exactly one of inlineVolumeSpec and persistentVolumeName")}
	case source.InlineVolumeSpec != nil && source.PersistentVolumeName != nil:
		return field.ErrorList{field.Forbidden(fldPath, "must specify exactly one of inlineVolumeSpec and persistentVolumeName")}
	case source.PersistentVolumeName != nil:
		if *source.PersistentVolumeName == "" {
			return field.ErrorList{field.Required(fldPath.Child("persistentVolumeName"), "must specify non empty persistentVolumeName")}
		}
		return nil
	default:
		return validateInlineVolumeSpec(source.InlineVolumeSpec, fldPath.Child("inlineVolumeSpec"))
	}
}

var supportedAccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOnce, corev1.ReadWriteOncePod}

// validateInlineVolumeSpec checks a persistent volume spec given inline, which must be a CSI
// volume without capacity, claim, node affinity or storage class. The other volume sources
// are only counted, not checked in depth: an inline spec must use CSI anyway.
func validateInlineVolumeSpec(spec *corev1.PersistentVolumeSpec, fldPath *field.Path) field.ErrorList {
	const inline = "may not be specified in the context of inline volumes"
	var errs field.ErrorList
	if spec.ClaimRef != nil {
		errs = append(errs, field.Forbidden(fldPath.Child("claimRef"), inline))
	}
	if len(spec.Capacity) != 0 {
		errs = append(errs, field.Forbidden(fldPath.Child("capacity"), inline))
	}
	if spec.CSI == nil {
		errs = append(errs, field.Required(fldPath.Child("csi"), "has to be specified in the context of inline volumes"))
	}
	if len(spec.AccessModes) == 0 {
		errs = append(errs, field.Required(fldPath.Child("accessModes"), ""))
	}
	rwop, other := false, false
	for _, mode := range spec.AccessModes {
		switch mode {
		case corev1.ReadWriteOncePod:
			rwop = true
		case corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOnce:
			other = true
		default:
			errs = append(errs, field.NotSupported(fldPath.Child("accessModes"), mode, supportedAccessModes))
		}
	}
	if rwop && other {
		errs = append(errs, field.Forbidden(fldPath.Child("accessModes"), "may not use ReadWriteOncePod with other access modes"))
	}
	if p := spec.PersistentVolumeReclaimPolicy; p != "" && p != corev1.PersistentVolumeReclaimRetain {
		errs = append(errs, field.Forbidden(fldPath.Child("persistentVolumeReclaimPolicy"), "may only be "+string(corev1.PersistentVolumeReclaimRetain)+" in the context of inline volumes"))
	}
	if spec.NodeAffinity != nil {
		errs = append(errs, field.Forbidden(fldPath.Child("nodeAffinity"), inline))
	}
	s := spec.PersistentVolumeSource
	sources := []struct {
		name string
		set  bool
	}{
		{"hostPath", s.HostPath != nil}, {"gcePersistentDisk", s.GCEPersistentDisk != nil},
		{"awsElasticBlockStore", s.AWSElasticBlockStore != nil}, {"glusterfs", s.Glusterfs != nil},
		{"flocker", s.Flocker != nil}, {"nfs", s.NFS != nil}, {"rbd", s.RBD != nil},
		{"quobyte", s.Quobyte != nil}, {"cephFS", s.CephFS != nil}, {"iscsi", s.ISCSI != nil},
		{"cinder", s.Cinder != nil}, {"fc", s.FC != nil}, {"flexVolume", s.FlexVolume != nil},
		{"azureFile", s.AzureFile != nil}, {"vsphereVolume", s.VsphereVolume != nil},
		{"photonPersistentDisk", s.PhotonPersistentDisk != nil}, {"portworxVolume", s.PortworxVolume != nil},
		{"azureDisk", s.AzureDisk != nil}, {"scaleIO", s.ScaleIO != nil}, {"local", s.Local != nil},
		{"storageos", s.StorageOS != nil}, {"csi", s.CSI != nil},
	}
	volumes := 0
	for _, src := range sources {
		if !src.set {
			continue
		}
		// As upstream, flexVolume is counted but never rejected as a second volume type.
		if volumes > 0 && src.name != "flexVolume" {
			errs = append(errs, field.Forbidden(fldPath.Child(src.name), "may not specify more than 1 volume type"))
			continue
		}
		volumes++
		if src.name == "csi" {
			errs = append(errs, validateCSISource(s.CSI, fldPath.Child("csi"))...)
		}
	}
	if volumes == 0 {
		errs = append(errs, field.Required(fldPath, "must specify a volume type"))
	}
	if spec.StorageClassName != "" {
		errs = append(errs, field.Forbidden(fldPath.Child("storageClassName"), inline))
	}
	if m := spec.VolumeMode; m != nil {
		if *m != corev1.PersistentVolumeFilesystem {
			errs = append(errs, field.Forbidden(fldPath.Child("volumeMode"), "may not specify volumeMode other than "+string(corev1.PersistentVolumeFilesystem)+" in the context of inline volumes"))
		}
		if *m != corev1.PersistentVolumeFilesystem && *m != corev1.PersistentVolumeBlock {
			errs = append(errs, field.NotSupported(fldPath.Child("volumeMode"), *m, []corev1.PersistentVolumeMode{corev1.PersistentVolumeBlock, corev1.PersistentVolumeFilesystem}))
		}
	}
	return errs
}

func validateCSISource(csi *corev1.CSIPersistentVolumeSource, fldPath *field.Path) field.ErrorList {
	errs := csinode.ValidateCSIDriverName(csi.Driver, fldPath.Child("driver"))
	if csi.VolumeHandle == "" {
		errs = append(errs, field.Required(fldPath.Child("volumeHandle"), ""))
	}
	for _, ref := range []struct {
		name string
		ref  *corev1.SecretReference
	}{
		{"controllerPublishSecretRef", csi.ControllerPublishSecretRef},
		{"controllerExpandSecretRef", csi.ControllerExpandSecretRef},
		{"nodePublishSecretRef", csi.NodePublishSecretRef},
		{"nodeExpandSecretRef", csi.NodeExpandSecretRef},
	} {
		if ref.ref == nil {
			continue
		}
		refPath := fldPath.Child(ref.name)
		if ref.ref.Name == "" {
			errs = append(errs, field.Required(refPath.Child("name"), ""))
		} else {
			for _, msg := range validation.IsDNS1123Subdomain(ref.ref.Name) {
				errs = append(errs, field.Invalid(refPath.Child("name"), ref.ref.Name, msg))
			}
		}
		if ref.ref.Namespace == "" {
			errs = append(errs, field.Required(refPath.Child("namespace"), ""))
		} else {
			for _, msg := range validation.IsDNS1123Label(ref.ref.Namespace) {
				errs = append(errs, field.Invalid(refPath.Child("namespace"), ref.ref.Namespace, msg))
			}
		}
	}
	return errs
}
