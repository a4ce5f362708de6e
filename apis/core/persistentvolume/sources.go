package persistentvolume

import (
	"net"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/core/internal/validate"
)

var (
	supportedHostPathTypes = sets.New(corev1.HostPathUnset, corev1.HostPathDirectoryOrCreate, corev1.HostPathDirectory,
		corev1.HostPathFileOrCreate, corev1.HostPathFile, corev1.HostPathSocket, corev1.HostPathCharDev, corev1.HostPathBlockDev)
	iqnRegex           = regexp.MustCompile(`iqn\.\d{4}-\d{2}\.([[:alnum:]-.]+)(:[^,;*&$|\s]+)$`)
	euiRegex           = regexp.MustCompile(`^eui.[[:alnum:]]{16}$`)
	naaRegex           = regexp.MustCompile(`^naa.[[:alnum:]]{32}$`)
	pdPartitionMessage = validation.InclusiveRangeError(1, 255)
)

func validatePathNoBacksteps(p string, fldPath *field.Path) field.ErrorList {
	for _, item := range strings.Split(filepath.ToSlash(p), "/") {
		if item == ".." {
			return field.ErrorList{field.Invalid(fldPath, p, "must not contain '..'")}
		}
	}
	return nil
}

func validateHostPath(hp *corev1.HostPathVolumeSource, fldPath *field.Path) field.ErrorList {
	if len(hp.Path) == 0 {
		return field.ErrorList{field.Required(fldPath.Child("path"), "")}
	}
	errs := validatePathNoBacksteps(hp.Path, fldPath.Child("path"))
	if hp.Type != nil && !supportedHostPathTypes.Has(*hp.Type) {
		errs = append(errs, field.NotSupported(fldPath.Child("type"), hp.Type, sets.List(supportedHostPathTypes)))
	}
	return errs
}

func validatePartitioned(id, idName string, partition int32, fldPath *field.Path) field.ErrorList {
	errs := required(fldPath, idName, len(id) == 0)
	if partition < 0 || partition > 255 {
		errs = append(errs, field.Invalid(fldPath.Child("partition"), partition, pdPartitionMessage))
	}
	return errs
}

func validateNFS(nfs *corev1.NFSVolumeSource, fldPath *field.Path) field.ErrorList {
	errs := required(fldPath, "server", len(nfs.Server) == 0, "path", len(nfs.Path) == 0)
	if !path.IsAbs(nfs.Path) {
		errs = append(errs, field.Invalid(fldPath.Child("path"), nfs.Path, "must be an absolute path"))
	}
	return errs
}

func validateGlusterfs(g *corev1.GlusterfsPersistentVolumeSource, fldPath *field.Path) field.ErrorList {
	errs := required(fldPath, "endpoints", len(g.EndpointsName) == 0, "path", len(g.Path) == 0)
	if ns := g.EndpointsNamespace; ns != nil {
		if *ns == "" {
			errs = append(errs, field.Invalid(fldPath.Child("endpointsNamespace"), *ns, "if the endpointnamespace is set, it must be a valid namespace name"))
		} else {
			errs = append(errs, validate.Name(*ns, apimachineryvalidation.ValidateNamespaceName, fldPath.Child("endpointsNamespace"))...)
		}
	}
	return errs
}

func validateFlocker(f *corev1.FlockerVolumeSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(f.DatasetName) == 0 && len(f.DatasetUUID) == 0 {
		errs = append(errs, field.Required(fldPath, "one of datasetName and datasetUUID is required"))
	}
	if len(f.DatasetName) != 0 && len(f.DatasetUUID) != 0 {
		errs = append(errs, field.Invalid(fldPath, "resource", "datasetName and datasetUUID can not be specified simultaneously"))
	}
	if strings.Contains(f.DatasetName, "/") {
		errs = append(errs, field.Invalid(fldPath.Child("datasetName"), f.DatasetName, "must not contain '/'"))
	}
	return errs
}

func validateQuobyte(q *corev1.QuobyteVolumeSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case len(q.Registry) == 0:
		errs = append(errs, field.Required(fldPath.Child("registry"), "must be a host:port pair or multiple pairs separated by commas"))
	case len(q.Tenant) >= 65:
		errs = append(errs, field.Required(fldPath.Child("tenant"), "must be a UUID and may not exceed a length of 64 characters"))
	default:
		for _, hostPort := range strings.Split(q.Registry, ",") {
			if _, _, err := net.SplitHostPort(hostPort); err != nil {
				errs = append(errs, field.Invalid(fldPath.Child("registry"), q.Registry, "must be a host:port pair or multiple pairs separated by commas"))
			}
		}
	}
	return append(errs, required(fldPath, "volume", len(q.Volume) == 0)...)
}

func validateIQN(value string, fldPath *field.Path) field.ErrorList {
	valid := (strings.HasPrefix(value, "iqn") && iqnRegex.MatchString(value)) ||
		(strings.HasPrefix(value, "eui") && euiRegex.MatchString(value)) ||
		(strings.HasPrefix(value, "naa") && naaRegex.MatchString(value))
	if !valid {
		return field.ErrorList{field.Invalid(fldPath, value, "must be valid format")}
	}
	return nil
}

func validateISCSI(iscsi *corev1.ISCSIPersistentVolumeSource, pvName string, fldPath *field.Path) field.ErrorList {
	errs := required(fldPath, "targetPortal", len(iscsi.TargetPortal) == 0)
	if iscsi.InitiatorName != nil && len(pvName+":"+iscsi.TargetPortal) > 64 {
		errs = append(errs, field.Invalid(fldPath.Child("targetportal"), iscsi.TargetPortal,
			"Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified."))
	}
	if len(iscsi.IQN) == 0 {
		errs = append(errs, field.Required(fldPath.Child("iqn"), ""))
	} else {
		errs = append(errs, validateIQN(iscsi.IQN, fldPath.Child("iqn"))...)
	}
	if iscsi.Lun < 0 || iscsi.Lun > 255 {
		errs = append(errs, field.Invalid(fldPath.Child("lun"), iscsi.Lun, validation.InclusiveRangeError(0, 255)))
	}
	if (iscsi.DiscoveryCHAPAuth || iscsi.SessionCHAPAuth) && iscsi.SecretRef == nil {
		errs = append(errs, field.Required(fldPath.Child("secretRef"), ""))
	}
	if iscsi.SecretRef != nil && len(iscsi.SecretRef.Name) == 0 {
		errs = append(errs, field.Required(fldPath.Child("secretRef", "name"), ""))
	}
	if iscsi.InitiatorName != nil {
		errs = append(errs, validateIQN(*iscsi.InitiatorName, fldPath.Child("initiatorname"))...)
	}
	return errs
}

func validateFC(fc *corev1.FCVolumeSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(fc.TargetWWNs) < 1 && len(fc.WWIDs) < 1 {
		errs = append(errs, field.Required(fldPath.Child("targetWWNs"), "must specify either targetWWNs or wwids, but not both"))
	}
	if len(fc.TargetWWNs) != 0 && len(fc.WWIDs) != 0 {
		errs = append(errs, field.Invalid(fldPath.Child("targetWWNs"), fc.TargetWWNs, "targetWWNs and wwids can not be specified simultaneously"))
	}
	if len(fc.TargetWWNs) != 0 {
		if fc.Lun == nil {
			errs = append(errs, field.Required(fldPath.Child("lun"), "lun is required if targetWWNs is specified"))
		} else if *fc.Lun < 0 || *fc.Lun > 255 {
			errs = append(errs, field.Invalid(fldPath.Child("lun"), fc.Lun, validation.InclusiveRangeError(0, 255)))
		}
	}
	return errs
}

func validateFlex(fv *corev1.FlexPersistentVolumeSource, fldPath *field.Path) field.ErrorList {
	errs := required(fldPath, "driver", len(fv.Driver) == 0)
	for k := range fv.Options {
		namespace := k
		if parts := strings.SplitN(k, "/", 2); len(parts) == 2 {
			namespace = parts[0]
		}
		normalized := "." + strings.ToLower(namespace)
		if strings.HasSuffix(normalized, ".kubernetes.io") || strings.HasSuffix(normalized, ".k8s.io") {
			errs = append(errs, field.Invalid(fldPath.Child("options").Key(k), k, "kubernetes.io and k8s.io namespaces are reserved"))
		}
	}
	return errs
}

func validateAzureDisk(azure *corev1.AzureDiskVolumeSource, fldPath *field.Path) field.ErrorList {
	cachingModes := sets.New(corev1.AzureDataDiskCachingNone, corev1.AzureDataDiskCachingReadOnly, corev1.AzureDataDiskCachingReadWrite)
	kinds := sets.New(corev1.AzureSharedBlobDisk, corev1.AzureDedicatedBlobDisk, corev1.AzureManagedDisk)
	errs := required(fldPath, "diskName", azure.DiskName == "", "diskURI", azure.DataDiskURI == "")
	if azure.CachingMode != nil && !cachingModes.Has(*azure.CachingMode) {
		errs = append(errs, field.NotSupported(fldPath.Child("cachingMode"), *azure.CachingMode, sets.List(cachingModes)))
	}
	if azure.Kind != nil && !kinds.Has(*azure.Kind) {
		errs = append(errs, field.NotSupported(fldPath.Child("kind"), *azure.Kind, sets.List(kinds)))
	}
	if azure.Kind != nil && *azure.Kind == corev1.AzureManagedDisk && !strings.HasPrefix(azure.DataDiskURI, "/subscriptions/") {
		errs = append(errs, field.NotSupported(fldPath.Child("diskURI"), azure.DataDiskURI, []string{"/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}"}))
	}
	if azure.Kind != nil && *azure.Kind != corev1.AzureManagedDisk && !strings.HasPrefix(azure.DataDiskURI, "https://") {
		errs = append(errs, field.NotSupported(fldPath.Child("diskURI"), azure.DataDiskURI, []string{"https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd"}))
	}
	return errs
}

func validateStorageOS(s *corev1.StorageOSPersistentVolumeSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(s.VolumeName) == 0 {
		errs = append(errs, field.Required(fldPath.Child("volumeName"), ""))
	} else {
		errs = append(errs, validate.DNS1123Label(s.VolumeName, fldPath.Child("volumeName"))...)
	}
	if len(s.VolumeNamespace) > 0 {
		errs = append(errs, validate.DNS1123Label(s.VolumeNamespace, fldPath.Child("volumeNamespace"))...)
	}
	if ref := s.SecretRef; ref != nil {
		errs = append(errs, required(fldPath.Child("secretRef"), "name", len(ref.Name) == 0, "namespace", len(ref.Namespace) == 0)...)
	}
	return errs
}

// ValidateCSIDriverName checks a CSI driver name: at most 63 characters, a DNS subdomain
// ignoring case.
func ValidateCSIDriverName(name string, fldPath *field.Path) field.ErrorList {
	if len(name) == 0 {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	if len(name) > 63 {
		errs = append(errs, field.TooLong(fldPath, "", 63))
	}
	for _, msg := range validation.IsDNS1123Subdomain(strings.ToLower(name)) {
		errs = append(errs, field.Invalid(fldPath, name, msg))
	}
	return errs
}

func validateCSI(csi *corev1.CSIPersistentVolumeSource, fldPath *field.Path) field.ErrorList {
	errs := ValidateCSIDriverName(csi.Driver, fldPath.Child("driver"))
	errs = append(errs, required(fldPath, "volumeHandle", len(csi.VolumeHandle) == 0)...)
	for _, ref := range []struct {
		ref  *corev1.SecretReference
		name string
	}{
		{csi.ControllerPublishSecretRef, "controllerPublishSecretRef"},
		{csi.ControllerExpandSecretRef, "controllerExpandSecretRef"},
		{csi.NodePublishSecretRef, "nodePublishSecretRef"},
		{csi.NodeExpandSecretRef, "nodeExpandSecretRef"},
	} {
		if ref.ref == nil {
			continue
		}
		p := fldPath.Child(ref.name)
		if len(ref.ref.Name) == 0 {
			errs = append(errs, field.Required(p.Child("name"), ""))
		} else {
			errs = append(errs, validate.DNS1123Subdomain(ref.ref.Name, p.Child("name"))...)
		}
		if len(ref.ref.Namespace) == 0 {
			errs = append(errs, field.Required(p.Child("namespace"), ""))
		} else {
			errs = append(errs, validate.DNS1123Label(ref.ref.Namespace, p.Child("namespace"))...)
		}
	}
	return errs
}
