package persistentvolume

import (
	"fmt"
	"path"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/core/internal/validate"
	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

var (
	supportedAccessModes   = sets.New(corev1.ReadWriteOnce, corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOncePod)
	supportedReclaimPolicy = sets.New(corev1.PersistentVolumeReclaimDelete, corev1.PersistentVolumeReclaimRecycle, corev1.PersistentVolumeReclaimRetain)
	supportedVolumeModes   = sets.New(corev1.PersistentVolumeBlock, corev1.PersistentVolumeFilesystem)
)

// SpecValidationOptions select the lenient rules kept for objects stored before stricter ones.
type SpecValidationOptions struct {
	// AllowInvalidLabelValueInRequiredNodeAffinity accepts node affinity label values that the
	// stored object already had.
	AllowInvalidLabelValueInRequiredNodeAffinity bool
}

// ValidationOptions returns the options for validating pv, given the stored old (nil on create).
func ValidationOptions(old *corev1.PersistentVolume) SpecValidationOptions {
	var opts SpecValidationOptions
	if old != nil && old.Spec.NodeAffinity != nil && old.Spec.NodeAffinity.Required != nil {
		opts.AllowInvalidLabelValueInRequiredNodeAffinity = validate.HasInvalidLabelValueInNodeSelectorTerms(old.Spec.NodeAffinity.Required.NodeSelectorTerms)
	}
	return opts
}

// Validate checks a PersistentVolume, including that the mount options annotation is only
// used with volume types that take mount options.
func Validate(pv *corev1.PersistentVolume, opts SpecValidationOptions) field.ErrorList {
	return append(validateVolume(pv, opts), validateMountOptionAnnotation(pv)...)
}

func validateVolume(pv *corev1.PersistentVolume, opts SpecValidationOptions) field.ErrorList {
	errs := validate.ObjectMeta(&pv.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, ValidateSpec(&pv.Spec, pv.Name, false, field.NewPath("spec"), opts)...)
}

// validateMountOptionAnnotation forbids the mount options annotation for volume types that
// take no mount options.
func validateMountOptionAnnotation(pv *corev1.PersistentVolume) field.ErrorList {
	s := &pv.Spec
	if s.GCEPersistentDisk != nil || s.AWSElasticBlockStore != nil || s.Glusterfs != nil || s.NFS != nil || s.RBD != nil ||
		s.Quobyte != nil || s.ISCSI != nil || s.Cinder != nil || s.CephFS != nil || s.AzureFile != nil ||
		s.VsphereVolume != nil || s.AzureDisk != nil || s.PhotonPersistentDisk != nil {
		return nil
	}
	if _, ok := pv.Annotations[corev1.MountOptionAnnotation]; ok {
		return field.ErrorList{field.Forbidden(field.NewPath("metadata").Child("annotations", corev1.MountOptionAnnotation), "may not specify mount options for this volume type")}
	}
	return nil
}

// ValidateUpdate holds the volume source, volume mode and node affinity fixed. Like upstream
// it re-validates the volume, so the update strategy (which also runs Validate) reports spec
// errors twice, as kube-apiserver does.
func ValidateUpdate(pv, old *corev1.PersistentVolume, opts SpecValidationOptions) field.ErrorList {
	errs := validateVolume(pv, opts)
	// A CSI volume may gain a controllerExpandSecretRef.
	compare := pv
	if old.Spec.CSI != nil && old.Spec.CSI.ControllerExpandSecretRef == nil && pv.Spec.CSI != nil && pv.Spec.CSI.ControllerExpandSecretRef != nil {
		compare = pv.DeepCopy()
		compare.Spec.CSI.ControllerExpandSecretRef = nil
	}
	if !apiequality.Semantic.DeepEqual(compare.Spec.PersistentVolumeSource, old.Spec.PersistentVolumeSource) {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "persistentvolumesource"),
			fmt.Sprintf("spec.persistentvolumesource is immutable after creation\n%v", diff.Diff(old.Spec.PersistentVolumeSource, compare.Spec.PersistentVolumeSource))))
	}
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(pv.Spec.VolumeMode, old.Spec.VolumeMode, field.NewPath("volumeMode"))...)
	// MutablePVNodeAffinity is alpha: node affinity is fixed once set, except for moving from
	// beta to GA topology labels.
	if old.Spec.NodeAffinity != nil && !nodeAffinityEqualModuloBetaLabels(pv.Spec.NodeAffinity, old.Spec.NodeAffinity) {
		errs = append(errs, field.Invalid(field.NewPath("nodeAffinity"), corevalidation.InternalJSON(pv.Spec.NodeAffinity), apimachineryvalidation.FieldImmutableErrorMsg+", except for updating from beta label to GA"))
	}
	if old.Spec.VolumeAttributesClassName != nil && pv.Spec.VolumeAttributesClassName == nil {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "volumeAttributesClassName"), "update from non-nil value to nil is forbidden"))
	}
	return errs
}

// ValidateStatusUpdate checks a status write.
func ValidateStatusUpdate(pv, old *corev1.PersistentVolume) field.ErrorList {
	errs := validate.ObjectMetaUpdate(&pv.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	if len(pv.ResourceVersion) == 0 {
		errs = append(errs, field.Required(field.NewPath("resourceVersion"), ""))
	}
	return errs
}

var betaToGALabel = map[string]string{
	corev1.LabelFailureDomainBetaZone:   corev1.LabelTopologyZone,
	corev1.LabelFailureDomainBetaRegion: corev1.LabelTopologyRegion,
	"beta.kubernetes.io/os":             corev1.LabelOSStable,
	"beta.kubernetes.io/arch":           corev1.LabelArchStable,
	corev1.LabelInstanceType:            corev1.LabelInstanceTypeStable,
}

func nodeAffinityEqualModuloBetaLabels(a, old *corev1.VolumeNodeAffinity) bool {
	if a == nil || a.Required == nil || old.Required == nil {
		return apiequality.Semantic.DeepEqual(a, old)
	}
	if len(a.Required.NodeSelectorTerms) != len(old.Required.NodeSelectorTerms) {
		return false
	}
	masked := old.DeepCopy()
	for i, term := range masked.Required.NodeSelectorTerms {
		newTerm := a.Required.NodeSelectorTerms[i]
		if len(term.MatchExpressions) != len(newTerm.MatchExpressions) {
			return false
		}
		for j := range term.MatchExpressions {
			if oldKey := term.MatchExpressions[j].Key; betaToGALabel[oldKey] == newTerm.MatchExpressions[j].Key {
				masked.Required.NodeSelectorTerms[i].MatchExpressions[j].Key = newTerm.MatchExpressions[j].Key
			}
		}
	}
	return apiequality.Semantic.DeepEqual(a, masked)
}

// ValidateSpec checks a PersistentVolumeSpec; inline specs (CSI volumes embedded in other
// objects) follow narrower rules.
func ValidateSpec(spec *corev1.PersistentVolumeSpec, pvName string, inline bool, fldPath *field.Path, opts SpecValidationOptions) field.ErrorList {
	var errs field.ErrorList
	if inline {
		if spec.ClaimRef != nil {
			errs = append(errs, field.Forbidden(fldPath.Child("claimRef"), "may not be specified in the context of inline volumes"))
		}
		if len(spec.Capacity) != 0 {
			errs = append(errs, field.Forbidden(fldPath.Child("capacity"), "may not be specified in the context of inline volumes"))
		}
		if spec.CSI == nil {
			errs = append(errs, field.Required(fldPath.Child("csi"), "has to be specified in the context of inline volumes"))
		}
	}
	if len(spec.AccessModes) == 0 {
		errs = append(errs, field.Required(fldPath.Child("accessModes"), ""))
	}
	errs = append(errs, ValidateAccessModes(spec.AccessModes, fldPath.Child("accessModes"))...)

	if !inline {
		if len(spec.Capacity) == 0 {
			errs = append(errs, field.Required(fldPath.Child("capacity"), ""))
		}
		if _, ok := spec.Capacity[corev1.ResourceStorage]; !ok || len(spec.Capacity) > 1 {
			errs = append(errs, field.NotSupported(fldPath.Child("capacity"), spec.Capacity, []corev1.ResourceName{corev1.ResourceStorage}))
		}
		for r, qty := range spec.Capacity {
			errs = append(errs, validate.BasicResource(qty, fldPath.Child("capacity").Key(string(r)))...)
			errs = append(errs, validate.PositiveQuantity(qty, fldPath.Child("capacity").Key(string(r)))...)
		}
	}
	if policy := spec.PersistentVolumeReclaimPolicy; len(policy) > 0 {
		if inline {
			if policy != corev1.PersistentVolumeReclaimRetain {
				errs = append(errs, field.Forbidden(fldPath.Child("persistentVolumeReclaimPolicy"), "may only be "+string(corev1.PersistentVolumeReclaimRetain)+" in the context of inline volumes"))
			}
		} else if !supportedReclaimPolicy.Has(policy) {
			errs = append(errs, field.NotSupported(fldPath.Child("persistentVolumeReclaimPolicy"), policy, sets.List(supportedReclaimPolicy)))
		}
	}
	nodeAffinitySpecified := false
	if spec.NodeAffinity != nil {
		if inline {
			errs = append(errs, field.Forbidden(fldPath.Child("nodeAffinity"), "may not be specified in the context of inline volumes"))
		} else {
			nodeAffinitySpecified = true
			if spec.NodeAffinity.Required != nil {
				errs = append(errs, corevalidation.ValidateNodeSelector(spec.NodeAffinity.Required, opts.AllowInvalidLabelValueInRequiredNodeAffinity, fldPath.Child("nodeAffinity", "required"))...)
			} else {
				errs = append(errs, field.Required(fldPath.Child("nodeAffinity", "required"), "must specify required node constraints"))
			}
		}
	}

	errs = append(errs, validateSource(spec, pvName, nodeAffinitySpecified, fldPath)...)

	if spec.HostPath != nil && path.Clean(spec.HostPath.Path) == "/" && spec.PersistentVolumeReclaimPolicy == corev1.PersistentVolumeReclaimRecycle {
		errs = append(errs, field.Forbidden(fldPath.Child("persistentVolumeReclaimPolicy"), "may not be 'recycle' for a hostPath mount of '/'"))
	}
	if len(spec.StorageClassName) > 0 {
		if inline {
			errs = append(errs, field.Forbidden(fldPath.Child("storageClassName"), "may not be specified in the context of inline volumes"))
		} else {
			errs = append(errs, validate.Name(spec.StorageClassName, apimachineryvalidation.NameIsDNSSubdomain, fldPath.Child("storageClassName"))...)
		}
	}
	if spec.VolumeMode != nil {
		if inline {
			if *spec.VolumeMode != corev1.PersistentVolumeFilesystem {
				errs = append(errs, field.Forbidden(fldPath.Child("volumeMode"), "may not specify volumeMode other than "+string(corev1.PersistentVolumeFilesystem)+" in the context of inline volumes"))
			}
		} else if !supportedVolumeModes.Has(*spec.VolumeMode) {
			errs = append(errs, field.NotSupported(fldPath.Child("volumeMode"), *spec.VolumeMode, sets.List(supportedVolumeModes)))
		}
	}
	if vac := spec.VolumeAttributesClassName; vac != nil {
		if len(*vac) == 0 {
			errs = append(errs, field.Required(fldPath.Child("volumeAttributesClassName"), "an empty string is disallowed"))
		} else {
			errs = append(errs, validate.Name(*vac, apimachineryvalidation.NameIsDNSSubdomain, fldPath.Child("volumeAttributesClassName"))...)
		}
		if spec.CSI == nil {
			errs = append(errs, field.Required(fldPath.Child("csi"), "has to be specified when using volumeAttributesClassName"))
		}
	}
	return errs
}

// ValidateAccessModes checks that the modes are known and ReadWriteOncePod stands alone.
func ValidateAccessModes(modes []corev1.PersistentVolumeAccessMode, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	rwop, other := false, false
	for _, mode := range modes {
		if !supportedAccessModes.Has(mode) {
			errs = append(errs, field.NotSupported(fldPath, mode, sets.List(supportedAccessModes)))
		}
		if mode == corev1.ReadWriteOncePod {
			rwop = true
		} else if supportedAccessModes.Has(mode) {
			other = true
		}
	}
	if rwop && other {
		errs = append(errs, field.Forbidden(fldPath, "may not use ReadWriteOncePod with other access modes"))
	}
	return errs
}

// validateSource requires exactly one volume source and checks it.
func validateSource(spec *corev1.PersistentVolumeSpec, pvName string, nodeAffinitySpecified bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := 0
	// one checks a source that is set, in upstream's order; flexVolume is counted without
	// the "more than 1" check, as upstream does.
	one := func(set bool, name string, check func() field.ErrorList) {
		if !set {
			return
		}
		if n > 0 && name != "flexVolume" {
			errs = append(errs, field.Forbidden(fldPath.Child(name), "may not specify more than 1 volume type"))
			return
		}
		n++
		errs = append(errs, check()...)
	}
	s := &spec.PersistentVolumeSource
	one(s.HostPath != nil, "hostPath", func() field.ErrorList { return validateHostPath(s.HostPath, fldPath.Child("hostPath")) })
	one(s.GCEPersistentDisk != nil, "gcePersistentDisk", func() field.ErrorList {
		return validatePartitioned(s.GCEPersistentDisk.PDName, "pdName", s.GCEPersistentDisk.Partition, fldPath.Child("persistentDisk"))
	})
	one(s.AWSElasticBlockStore != nil, "awsElasticBlockStore", func() field.ErrorList {
		return validatePartitioned(s.AWSElasticBlockStore.VolumeID, "volumeID", s.AWSElasticBlockStore.Partition, fldPath.Child("awsElasticBlockStore"))
	})
	one(s.Glusterfs != nil, "glusterfs", func() field.ErrorList { return validateGlusterfs(s.Glusterfs, fldPath.Child("glusterfs")) })
	one(s.Flocker != nil, "flocker", func() field.ErrorList { return validateFlocker(s.Flocker, fldPath.Child("flocker")) })
	one(s.NFS != nil, "nfs", func() field.ErrorList { return validateNFS(s.NFS, fldPath.Child("nfs")) })
	one(s.RBD != nil, "rbd", func() field.ErrorList {
		p := fldPath.Child("rbd")
		return required(p, "monitors", len(s.RBD.CephMonitors) == 0, "image", len(s.RBD.RBDImage) == 0)
	})
	one(s.Quobyte != nil, "quobyte", func() field.ErrorList { return validateQuobyte(s.Quobyte, fldPath.Child("quobyte")) })
	one(s.CephFS != nil, "cephFS", func() field.ErrorList {
		return required(fldPath.Child("cephfs"), "monitors", len(s.CephFS.Monitors) == 0)
	})
	one(s.ISCSI != nil, "iscsi", func() field.ErrorList { return validateISCSI(s.ISCSI, pvName, fldPath.Child("iscsi")) })
	one(s.Cinder != nil, "cinder", func() field.ErrorList {
		p := fldPath.Child("cinder")
		errs := required(p, "volumeID", len(s.Cinder.VolumeID) == 0)
		if ref := s.Cinder.SecretRef; ref != nil {
			errs = append(errs, required(p.Child("secretRef"), "name", len(ref.Name) == 0, "namespace", len(ref.Namespace) == 0)...)
		}
		return errs
	})
	one(s.FC != nil, "fc", func() field.ErrorList { return validateFC(s.FC, fldPath.Child("fc")) })
	one(s.FlexVolume != nil, "flexVolume", func() field.ErrorList { return validateFlex(s.FlexVolume, fldPath.Child("flexVolume")) })
	one(s.AzureFile != nil, "azureFile", func() field.ErrorList {
		p := fldPath.Child("azureFile")
		errs := required(p, "secretName", s.AzureFile.SecretName == "", "shareName", s.AzureFile.ShareName == "")
		if ns := s.AzureFile.SecretNamespace; ns != nil && len(*ns) == 0 {
			errs = append(errs, field.Required(p.Child("secretNamespace"), ""))
		}
		return errs
	})
	one(s.VsphereVolume != nil, "vsphereVolume", func() field.ErrorList {
		return required(fldPath.Child("vsphereVolume"), "volumePath", len(s.VsphereVolume.VolumePath) == 0)
	})
	one(s.PhotonPersistentDisk != nil, "photonPersistentDisk", func() field.ErrorList {
		return required(fldPath.Child("photonPersistentDisk"), "pdID", len(s.PhotonPersistentDisk.PdID) == 0)
	})
	one(s.PortworxVolume != nil, "portworxVolume", func() field.ErrorList {
		return required(fldPath.Child("portworxVolume"), "volumeID", len(s.PortworxVolume.VolumeID) == 0)
	})
	one(s.AzureDisk != nil, "azureDisk", func() field.ErrorList { return validateAzureDisk(s.AzureDisk, fldPath.Child("azureDisk")) })
	one(s.ScaleIO != nil, "scaleIO", func() field.ErrorList {
		return required(fldPath.Child("scaleIO"), "gateway", s.ScaleIO.Gateway == "", "system", s.ScaleIO.System == "", "volumeName", s.ScaleIO.VolumeName == "")
	})
	one(s.Local != nil, "local", func() field.ErrorList {
		p := fldPath.Child("local")
		var errs field.ErrorList
		if s.Local.Path == "" {
			errs = append(errs, field.Required(p.Child("path"), ""))
		} else {
			errs = append(errs, validatePathNoBacksteps(s.Local.Path, p.Child("path"))...)
		}
		if !nodeAffinitySpecified {
			errs = append(errs, field.Required(fldPath.Child("nodeAffinity"), "Local volume requires node affinity"))
		}
		return errs
	})
	one(s.StorageOS != nil, "storageos", func() field.ErrorList { return validateStorageOS(s.StorageOS, fldPath.Child("storageos")) })
	one(s.CSI != nil, "csi", func() field.ErrorList { return validateCSI(s.CSI, fldPath.Child("csi")) })
	if n == 0 {
		errs = append(errs, field.Required(fldPath, "must specify a volume type"))
	}
	return errs
}

// required reports each named child whose missing flag is set.
func required(fldPath *field.Path, pairs ...any) field.ErrorList {
	var errs field.ErrorList
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1].(bool) {
			errs = append(errs, field.Required(fldPath.Child(pairs[i].(string)), ""))
		}
	}
	return errs
}
