package validation

import (
	"fmt"
	"net"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	fileModeErrorMsg     = "must be a number between 0 and 0777 (octal), both inclusive"
	emptyDirModeErrorMsg = "must be a number between 0 and 01777 (octal), both inclusive"
)

var pdPartitionErrorMsg = validation.InclusiveRangeError(1, 255)

// ValidateVolumes validates the volumes of a pod spec and returns the valid ones by name.
func ValidateVolumes(volumes []corev1.Volume, podMeta *metav1.ObjectMeta, fldPath *field.Path, opts PodValidationOptions) (map[string]corev1.VolumeSource, field.ErrorList) {
	var allErrs field.ErrorList
	names := sets.New[string]()
	createdPVCs := sets.New[string]()
	if podMeta != nil && podMeta.Name != "" {
		for _, v := range volumes {
			if v.Ephemeral != nil {
				createdPVCs.Insert(podMeta.Name + "-" + v.Name)
			}
		}
	}
	vols := map[string]corev1.VolumeSource{}
	for i, v := range volumes {
		p := fldPath.Index(i)
		np := p.Child("name")
		el := validateVolumeSource(&v.VolumeSource, p, v.Name, podMeta, opts)
		if len(v.Name) == 0 {
			el = append(el, field.Required(np, ""))
		} else {
			el = append(el, validateDNS1123Label(v.Name, np)...)
		}
		if names.Has(v.Name) {
			el = append(el, field.Duplicate(np, v.Name))
		}
		if len(el) == 0 {
			names.Insert(v.Name)
			vols[v.Name] = v.VolumeSource
		} else {
			allErrs = append(allErrs, el...)
		}
		if v.PersistentVolumeClaim != nil && createdPVCs.Has(v.PersistentVolumeClaim.ClaimName) {
			allErrs = append(allErrs, field.Invalid(p.Child("persistentVolumeClaim", "claimName"), v.PersistentVolumeClaim.ClaimName, "must not reference a PVC that gets created for an ephemeral volume"))
		}
	}
	return vols, allErrs
}

func validateVolumeSource(s *corev1.VolumeSource, fldPath *field.Path, volName string, podMeta *metav1.ObjectMeta, opts PodValidationOptions) field.ErrorList {
	var allErrs field.ErrorList
	n := 0
	// one validates the source named name when it is set, reporting a second source as
	// Forbidden. errPath is where upstream reports the source's own errors (a few differ).
	one := func(set bool, name string, validate func() field.ErrorList) {
		if !set {
			return
		}
		if n > 0 {
			allErrs = append(allErrs, field.Forbidden(fldPath.Child(name), "may not specify more than 1 volume type"))
			return
		}
		n++
		allErrs = append(allErrs, validate()...)
	}
	if s.EmptyDir != nil {
		n++
		if s.EmptyDir.SizeLimit != nil && s.EmptyDir.SizeLimit.Cmp(resource.Quantity{}) < 0 {
			allErrs = append(allErrs, field.Forbidden(fldPath.Child("emptyDir", "sizeLimit"), "SizeLimit field must be a valid resource quantity"))
		}
		if s.EmptyDir.Mode != nil && (*s.EmptyDir.Mode > 01777 || *s.EmptyDir.Mode < 0) {
			allErrs = append(allErrs, field.Invalid(fldPath.Child("emptyDir", "mode"), *s.EmptyDir.Mode, emptyDirModeErrorMsg))
		}
	}
	one(s.HostPath != nil, "hostPath", func() field.ErrorList {
		p := fldPath.Child("hostPath")
		if len(s.HostPath.Path) == 0 {
			return field.ErrorList{field.Required(p.Child("path"), "")}
		}
		errs := validatePathNoBacksteps(s.HostPath.Path, p.Child("path"))
		if t := s.HostPath.Type; t != nil {
			errs = append(errs, validateEnumSet(*t, p.Child("type"), corev1.HostPathUnset, corev1.HostPathBlockDev, corev1.HostPathCharDev,
				corev1.HostPathDirectory, corev1.HostPathDirectoryOrCreate, corev1.HostPathFile, corev1.HostPathFileOrCreate, corev1.HostPathSocket)...)
		}
		return errs
	})
	one(s.GitRepo != nil, "gitRepo", func() field.ErrorList {
		p := fldPath.Child("gitRepo")
		var errs field.ErrorList
		if len(s.GitRepo.Repository) == 0 {
			errs = append(errs, field.Required(p.Child("repository"), ""))
		}
		return append(errs, validateLocalDescendingPath(s.GitRepo.Directory, p.Child("directory"))...)
	})
	one(s.GCEPersistentDisk != nil, "gcePersistentDisk", func() field.ErrorList {
		p := fldPath.Child("persistentDisk")
		var errs field.ErrorList
		if len(s.GCEPersistentDisk.PDName) == 0 {
			errs = append(errs, field.Required(p.Child("pdName"), ""))
		}
		if s.GCEPersistentDisk.Partition < 0 || s.GCEPersistentDisk.Partition > 255 {
			errs = append(errs, field.Invalid(p.Child("partition"), s.GCEPersistentDisk.Partition, pdPartitionErrorMsg))
		}
		return errs
	})
	one(s.AWSElasticBlockStore != nil, "awsElasticBlockStore", func() field.ErrorList {
		p := fldPath.Child("awsElasticBlockStore")
		var errs field.ErrorList
		if len(s.AWSElasticBlockStore.VolumeID) == 0 {
			errs = append(errs, field.Required(p.Child("volumeID"), ""))
		}
		if s.AWSElasticBlockStore.Partition < 0 || s.AWSElasticBlockStore.Partition > 255 {
			errs = append(errs, field.Invalid(p.Child("partition"), s.AWSElasticBlockStore.Partition, pdPartitionErrorMsg))
		}
		return errs
	})
	one(s.Secret != nil, "secret", func() field.ErrorList {
		p := fldPath.Child("secret")
		var errs field.ErrorList
		if len(s.Secret.SecretName) == 0 {
			errs = append(errs, field.Required(p.Child("secretName"), ""))
		}
		return append(errs, validateItemsSource(s.Secret.DefaultMode, s.Secret.DefaultUser, s.Secret.Items, p)...)
	})
	one(s.NFS != nil, "nfs", func() field.ErrorList {
		p := fldPath.Child("nfs")
		var errs field.ErrorList
		if len(s.NFS.Server) == 0 {
			errs = append(errs, field.Required(p.Child("server"), ""))
		}
		if len(s.NFS.Path) == 0 {
			errs = append(errs, field.Required(p.Child("path"), ""))
		}
		if !path.IsAbs(s.NFS.Path) {
			errs = append(errs, field.Invalid(p.Child("path"), s.NFS.Path, "must be an absolute path"))
		}
		return errs
	})
	one(s.ISCSI != nil, "iscsi", func() field.ErrorList { return validateISCSIVolumeSource(s.ISCSI, fldPath.Child("iscsi")) })
	if s.ISCSI != nil && s.ISCSI.InitiatorName != nil && len(volName+":"+s.ISCSI.TargetPortal) > 64 {
		allErrs = append(allErrs, field.Invalid(fldPath.Child("name"), volName, "Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified."))
	}
	one(s.Glusterfs != nil, "glusterfs", func() field.ErrorList {
		p := fldPath.Child("glusterfs")
		return requiredStrings(p, "endpoints", s.Glusterfs.EndpointsName, "path", s.Glusterfs.Path)
	})
	one(s.Flocker != nil, "flocker", func() field.ErrorList {
		p := fldPath.Child("flocker")
		var errs field.ErrorList
		if len(s.Flocker.DatasetName) == 0 && len(s.Flocker.DatasetUUID) == 0 {
			errs = append(errs, field.Required(p, "one of datasetName and datasetUUID is required"))
		}
		if len(s.Flocker.DatasetName) != 0 && len(s.Flocker.DatasetUUID) != 0 {
			errs = append(errs, field.Invalid(p, "resource", "datasetName and datasetUUID can not be specified simultaneously"))
		}
		if strings.Contains(s.Flocker.DatasetName, "/") {
			errs = append(errs, field.Invalid(p.Child("datasetName"), s.Flocker.DatasetName, "must not contain '/'"))
		}
		return errs
	})
	one(s.PersistentVolumeClaim != nil, "persistentVolumeClaim", func() field.ErrorList {
		return requiredStrings(fldPath.Child("persistentVolumeClaim"), "claimName", s.PersistentVolumeClaim.ClaimName)
	})
	one(s.RBD != nil, "rbd", func() field.ErrorList {
		p := fldPath.Child("rbd")
		var errs field.ErrorList
		if len(s.RBD.CephMonitors) == 0 {
			errs = append(errs, field.Required(p.Child("monitors"), ""))
		}
		return append(errs, requiredStrings(p, "image", s.RBD.RBDImage)...)
	})
	one(s.Cinder != nil, "cinder", func() field.ErrorList {
		p := fldPath.Child("cinder")
		errs := requiredStrings(p, "volumeID", s.Cinder.VolumeID)
		if s.Cinder.SecretRef != nil && len(s.Cinder.SecretRef.Name) == 0 {
			errs = append(errs, field.Required(p.Child("secretRef", "name"), ""))
		}
		return errs
	})
	one(s.CephFS != nil, "cephFS", func() field.ErrorList {
		if len(s.CephFS.Monitors) == 0 {
			return field.ErrorList{field.Required(fldPath.Child("cephfs", "monitors"), "")}
		}
		return nil
	})
	one(s.Quobyte != nil, "quobyte", func() field.ErrorList {
		p := fldPath.Child("quobyte")
		var errs field.ErrorList
		switch {
		case len(s.Quobyte.Registry) == 0:
			errs = append(errs, field.Required(p.Child("registry"), "must be a host:port pair or multiple pairs separated by commas"))
		case len(s.Quobyte.Tenant) >= 65:
			errs = append(errs, field.Required(p.Child("tenant"), "must be a UUID and may not exceed a length of 64 characters"))
		default:
			for _, hp := range strings.Split(s.Quobyte.Registry, ",") {
				if _, _, err := net.SplitHostPort(hp); err != nil {
					errs = append(errs, field.Invalid(p.Child("registry"), s.Quobyte.Registry, "must be a host:port pair or multiple pairs separated by commas"))
				}
			}
		}
		return append(errs, requiredStrings(p, "volume", s.Quobyte.Volume)...)
	})
	// Upstream misspells this path.
	one(s.DownwardAPI != nil, "downwarAPI", func() field.ErrorList {
		p := fldPath.Child("downwardAPI")
		var errs field.ErrorList
		errs = append(errs, validateMode(s.DownwardAPI.DefaultMode, p.Child("defaultMode"))...)
		errs = append(errs, validateUserField(s.DownwardAPI.DefaultUser, p.Child("defaultUser"))...)
		for _, f := range s.DownwardAPI.Items {
			errs = append(errs, validateDownwardAPIVolumeFile(&f, p)...)
		}
		return errs
	})
	one(s.FC != nil, "fc", func() field.ErrorList { return validateFCVolumeSource(s.FC, fldPath.Child("fc")) })
	one(s.FlexVolume != nil, "flexVolume", func() field.ErrorList {
		p := fldPath.Child("flexVolume")
		errs := requiredStrings(p, "driver", s.FlexVolume.Driver)
		for k := range s.FlexVolume.Options {
			ns := k
			if parts := strings.SplitN(k, "/", 2); len(parts) == 2 {
				ns = parts[0]
			}
			normalized := "." + strings.ToLower(ns)
			if strings.HasSuffix(normalized, ".kubernetes.io") || strings.HasSuffix(normalized, ".k8s.io") {
				errs = append(errs, field.Invalid(p.Child("options").Key(k), k, "kubernetes.io and k8s.io namespaces are reserved"))
			}
		}
		return errs
	})
	one(s.ConfigMap != nil, "configMap", func() field.ErrorList {
		p := fldPath.Child("configMap")
		errs := requiredStrings(p, "name", s.ConfigMap.Name)
		return append(errs, validateItemsSource(s.ConfigMap.DefaultMode, s.ConfigMap.DefaultUser, s.ConfigMap.Items, p)...)
	})
	one(s.AzureFile != nil, "azureFile", func() field.ErrorList {
		return requiredStrings(fldPath.Child("azureFile"), "secretName", s.AzureFile.SecretName, "shareName", s.AzureFile.ShareName)
	})
	one(s.VsphereVolume != nil, "vsphereVolume", func() field.ErrorList {
		return requiredStrings(fldPath.Child("vsphereVolume"), "volumePath", s.VsphereVolume.VolumePath)
	})
	one(s.PhotonPersistentDisk != nil, "photonPersistentDisk", func() field.ErrorList {
		return requiredStrings(fldPath.Child("photonPersistentDisk"), "pdID", s.PhotonPersistentDisk.PdID)
	})
	one(s.PortworxVolume != nil, "portworxVolume", func() field.ErrorList {
		return requiredStrings(fldPath.Child("portworxVolume"), "volumeID", s.PortworxVolume.VolumeID)
	})
	one(s.AzureDisk != nil, "azureDisk", func() field.ErrorList { return validateAzureDisk(s.AzureDisk, fldPath.Child("azureDisk")) })
	one(s.StorageOS != nil, "storageos", func() field.ErrorList {
		p := fldPath.Child("storageos")
		var errs field.ErrorList
		if len(s.StorageOS.VolumeName) == 0 {
			errs = append(errs, field.Required(p.Child("volumeName"), ""))
		} else {
			errs = append(errs, validateDNS1123Label(s.StorageOS.VolumeName, p.Child("volumeName"))...)
		}
		if len(s.StorageOS.VolumeNamespace) > 0 {
			errs = append(errs, validateDNS1123Label(s.StorageOS.VolumeNamespace, p.Child("volumeNamespace"))...)
		}
		if s.StorageOS.SecretRef != nil && len(s.StorageOS.SecretRef.Name) == 0 {
			errs = append(errs, field.Required(p.Child("secretRef", "name"), ""))
		}
		return errs
	})
	one(s.Projected != nil, "projected", func() field.ErrorList {
		p := fldPath.Child("projected")
		errs := validateMode(s.Projected.DefaultMode, p.Child("defaultMode"))
		errs = append(errs, validateUserField(s.Projected.DefaultUser, p.Child("defaultUser"))...)
		return append(errs, validateProjectionSources(s.Projected, p, opts)...)
	})
	one(s.ScaleIO != nil, "scaleIO", func() field.ErrorList {
		p := fldPath.Child("scaleIO")
		return requiredStrings(p, "gateway", s.ScaleIO.Gateway, "system", s.ScaleIO.System, "volumeName", s.ScaleIO.VolumeName)
	})
	one(s.CSI != nil, "csi", func() field.ErrorList {
		p := fldPath.Child("csi")
		errs := validateCSIDriverName(s.CSI.Driver, p.Child("driver"))
		if ref := s.CSI.NodePublishSecretRef; ref != nil {
			if len(ref.Name) == 0 {
				errs = append(errs, field.Required(p.Child("nodePublishSecretRef", "name"), ""))
			} else {
				for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(ref.Name, false) {
					errs = append(errs, field.Invalid(p.Child("name"), ref.Name, msg))
				}
			}
		}
		return errs
	})
	one(s.Ephemeral != nil, "ephemeral", func() field.ErrorList {
		p := fldPath.Child("ephemeral")
		var errs field.ErrorList
		if s.Ephemeral.VolumeClaimTemplate == nil {
			errs = append(errs, field.Required(p.Child("volumeClaimTemplate"), ""))
		} else {
			errs = append(errs, validatePVCTemplate(s.Ephemeral.VolumeClaimTemplate, p.Child("volumeClaimTemplate"))...)
		}
		if podMeta != nil && podMeta.Name != "" && volName != "" {
			pvcName := podMeta.Name + "-" + volName
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(pvcName, false) {
				errs = append(errs, field.Invalid(p.Child("name"), volName, fmt.Sprintf("PVC name %q: %v", pvcName, msg)))
			}
		}
		return errs
	})
	one(s.Image != nil, "image", func() field.ErrorList {
		p := fldPath.Child("image")
		var errs field.ErrorList
		if !opts.AllowEmptyImageVolumeReference && len(s.Image.Reference) == 0 {
			errs = append(errs, field.Required(p.Child("reference"), ""))
		}
		return append(errs, validateEnum(s.Image.PullPolicy, p.Child("pullPolicy"), corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever)...)
	})
	if n == 0 {
		allErrs = append(allErrs, field.Required(fldPath, "must specify a volume type"))
	}
	return allErrs
}

// requiredStrings takes (child name, value) pairs and requires each value to be set.
func requiredStrings(fldPath *field.Path, pairs ...string) field.ErrorList {
	var errs field.ErrorList
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			errs = append(errs, field.Required(fldPath.Child(pairs[i]), ""))
		}
	}
	return errs
}

func validateMode(mode *int32, fldPath *field.Path) field.ErrorList {
	if mode != nil && (*mode > 0777 || *mode < 0) {
		return field.ErrorList{field.Invalid(fldPath, *mode, fileModeErrorMsg)}
	}
	return nil
}

func validateUserField(user *int64, fldPath *field.Path) field.ErrorList {
	if user == nil {
		return nil
	}
	var errs field.ErrorList
	for _, msg := range validation.IsValidUserID(*user) {
		errs = append(errs, field.Invalid(fldPath, *user, msg))
	}
	return errs
}

func validateItemsSource(defaultMode *int32, defaultUser *int64, items []corev1.KeyToPath, fldPath *field.Path) field.ErrorList {
	errs := validateMode(defaultMode, fldPath.Child("defaultMode"))
	errs = append(errs, validateUserField(defaultUser, fldPath.Child("defaultUser"))...)
	for i := range items {
		errs = append(errs, validateKeyToPath(&items[i], fldPath.Child("items").Index(i))...)
	}
	return errs
}

func validateKeyToPath(kp *corev1.KeyToPath, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(kp.Key) == 0 {
		errs = append(errs, field.Required(fldPath.Child("key"), ""))
	}
	if len(kp.Path) == 0 {
		errs = append(errs, field.Required(fldPath.Child("path"), ""))
	}
	errs = append(errs, validateLocalNonReservedPath(kp.Path, fldPath.Child("path"))...)
	errs = append(errs, validateMode(kp.Mode, fldPath.Child("mode"))...)
	return append(errs, validateUserField(kp.User, fldPath.Child("user"))...)
}

var validVolumeDownwardAPIFieldPaths = sets.New("metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations", "metadata.uid")

func validateDownwardAPIVolumeFile(file *corev1.DownwardAPIVolumeFile, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(file.Path) == 0 {
		errs = append(errs, field.Required(fldPath.Child("path"), ""))
	}
	errs = append(errs, validateLocalNonReservedPath(file.Path, fldPath.Child("path"))...)
	switch {
	case file.FieldRef != nil:
		errs = append(errs, validateObjectFieldSelector(file.FieldRef, validVolumeDownwardAPIFieldPaths, fldPath.Child("fieldRef"))...)
		if file.ResourceFieldRef != nil {
			errs = append(errs, field.Invalid(fldPath, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
		}
	case file.ResourceFieldRef != nil:
		errs = append(errs, validateContainerResourceFieldSelector(file.ResourceFieldRef, fldPath.Child("resourceFieldRef"), true)...)
	default:
		errs = append(errs, field.Required(fldPath, "one of fieldRef and resourceFieldRef is required"))
	}
	errs = append(errs, validateMode(file.Mode, fldPath.Child("mode"))...)
	return append(errs, validateUserField(file.User, fldPath.Child("user"))...)
}

func validateProjectionSources(projection *corev1.ProjectedVolumeSource, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	var errs field.ErrorList
	paths := sets.New[string]()
	addPath := func(p, bad string) {
		if paths.Has(p) {
			errs = append(errs, field.Invalid(fldPath, bad, "conflicting duplicate paths"))
		} else {
			paths.Insert(p)
		}
	}
	for i, source := range projection.Sources {
		n := 0
		srcPath := fldPath.Child("sources").Index(i)
		if s := source.Secret; s != nil {
			n++
			p := srcPath.Child("secret")
			if len(s.Name) == 0 {
				errs = append(errs, field.Required(p.Child("name"), ""))
			}
			for j := range s.Items {
				errs = append(errs, validateKeyToPath(&s.Items[j], p.Child("items").Index(j))...)
				if len(s.Items[j].Path) > 0 {
					addPath(s.Items[j].Path, s.Name)
				}
			}
		}
		if s := source.ConfigMap; s != nil {
			n++
			p := srcPath.Child("configMap")
			if len(s.Name) == 0 {
				errs = append(errs, field.Required(p.Child("name"), ""))
			}
			for j := range s.Items {
				errs = append(errs, validateKeyToPath(&s.Items[j], p.Child("items").Index(j))...)
				if len(s.Items[j].Path) > 0 {
					addPath(s.Items[j].Path, s.Name)
				}
			}
		}
		if s := source.DownwardAPI; s != nil {
			n++
			for j := range s.Items {
				errs = append(errs, validateDownwardAPIVolumeFile(&s.Items[j], srcPath.Child("downwardAPI"))...)
				if len(s.Items[j].Path) > 0 {
					addPath(s.Items[j].Path, s.Items[j].Path)
				}
			}
		}
		if s := source.ServiceAccountToken; s != nil {
			n++
			p := srcPath.Child("serviceAccountToken")
			if s.ExpirationSeconds == nil {
				errs = append(errs, field.Required(p.Child("expirationSeconds"), ""))
			} else {
				if *s.ExpirationSeconds < 10*60 {
					errs = append(errs, field.Invalid(p.Child("expirationSeconds"), *s.ExpirationSeconds, "may not specify a duration less than 10 minutes"))
				}
				if *s.ExpirationSeconds > 1<<32 {
					errs = append(errs, field.Invalid(p.Child("expirationSeconds"), *s.ExpirationSeconds, "may not specify a duration larger than 2^32 seconds"))
				}
			}
			if s.Path == "" {
				errs = append(errs, field.Required(fldPath.Child("path"), ""))
			} else if !opts.AllowNonLocalProjectedTokenPath {
				errs = append(errs, validateLocalNonReservedPath(s.Path, fldPath.Child("path"))...)
			}
			errs = append(errs, validateUserField(s.User, p.Child("user"))...)
		}
		if s := source.ClusterTrustBundle; s != nil {
			n++
			p := srcPath.Child("clusterTrustBundle")
			switch {
			case s.Name != nil && s.SignerName != nil:
				errs = append(errs, field.Invalid(p, InternalJSON(s), "only one of name and signerName may be used"))
			case s.Name != nil:
				if *s.Name == "" {
					errs = append(errs, field.Required(p.Child("name"), "must be a valid object name"))
				}
				for _, msg := range validateClusterTrustBundleName(*s.Name) {
					errs = append(errs, field.Invalid(p.Child("name"), *s.Name, fmt.Sprintf("not a valid clustertrustbundlename: %v", msg)))
				}
				if s.LabelSelector != nil {
					errs = append(errs, field.Invalid(p.Child("labelSelector"), s.LabelSelector, "labelSelector must be unset if name is specified"))
				}
			case s.SignerName != nil:
				if *s.SignerName == "" {
					errs = append(errs, field.Required(p.Child("signerName"), "must be a valid signer name"))
				}
				errs = append(errs, validateSignerName(p.Child("signerName"), *s.SignerName)...)
				errs = append(errs, metav1validation.ValidateLabelSelector(s.LabelSelector, metav1validation.LabelSelectorValidationOptions{}, p.Child("labelSelector"))...)
			default:
				errs = append(errs, field.Required(p, "either name or signerName must be specified"))
			}
			if s.Path == "" {
				errs = append(errs, field.Required(p.Child("path"), ""))
			}
			errs = append(errs, validateUserField(s.User, p.Child("user"))...)
			errs = append(errs, validateLocalNonReservedPath(s.Path, p.Child("path"))...)
			addPath(s.Path, s.Path)
		}
		if s := source.PodCertificate; s != nil {
			n++
			p := srcPath.Child("podCertificate")
			errs = append(errs, validateSignerName(p.Child("signerName"), s.SignerName)...)
			errs = append(errs, validateUserField(s.User, p.Child("user"))...)
			errs = append(errs, validateEnumSet(s.KeyType, p.Child("keyType"), "RSA3072", "RSA4096", "ECDSAP256", "ECDSAP384", "ECDSAP521", "ED25519")...)
			if m := s.MaxExpirationSeconds; m != nil {
				if *m < 3600 {
					errs = append(errs, field.Invalid(p.Child("maxExpirationSeconds"), *m, "if provided, maxExpirationSeconds must be >= 3600"))
				}
				limit := int32(91 * 24 * 3600)
				if host, _, _ := strings.Cut(s.SignerName, "/"); host == "kubernetes.io" || strings.HasSuffix(host, ".kubernetes.io") {
					limit = 24 * 3600
				}
				if *m > limit {
					errs = append(errs, field.Invalid(p.Child("maxExpirationSeconds"), *m, fmt.Sprintf("if provided, maxExpirationSeconds must be <= %d", limit)))
				}
			}
			np := 0
			for _, f := range []struct{ name, value string }{
				{"credentialBundlePath", s.CredentialBundlePath}, {"keyPath", s.KeyPath}, {"certificateChainPath", s.CertificateChainPath},
			} {
				if f.value == "" {
					continue
				}
				np++
				errs = append(errs, validateLocalNonReservedPath(f.value, p.Child(f.name))...)
				addPath(f.value, f.value)
			}
			if np == 0 {
				errs = append(errs, field.Required(p, "specify at least one of credentialBundlePath, keyPath, and certificateChainPath"))
			}
		}
		if n > 1 {
			errs = append(errs, field.Forbidden(srcPath, "may not specify more than 1 volume type per source"))
		}
	}
	return errs
}

// validateSignerName checks a signer name is "<domain>/<path>" as upstream does.
func validateSignerName(fldPath *field.Path, signerName string) field.ErrorList {
	if len(signerName) == 0 {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	segments := strings.Split(signerName, "/")
	if len(segments) != 2 {
		return append(errs, field.Invalid(fldPath, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'"))
	}
	if len(segments[0]) > validation.DNS1123SubdomainMaxLength {
		errs = append(errs, field.TooLong(fldPath, "", validation.DNS1123SubdomainMaxLength))
	}
	domainLabels := strings.Split(segments[0], ".")
	for _, lbl := range domainLabels {
		if msgs := validation.IsDNS1123Label(lbl); len(msgs) > 0 {
			for _, msg := range msgs {
				errs = append(errs, field.Invalid(fldPath, segments[0], fmt.Sprintf("validating label %q: %s", lbl, msg)))
			}
			break
		}
	}
	if len(domainLabels) < 2 {
		errs = append(errs, field.Invalid(fldPath, segments[0], "should be a domain with at least two segments separated by dots"))
	}
	for _, lbl := range strings.Split(segments[1], ".") {
		if msgs := validation.IsDNS1123Subdomain(lbl); len(msgs) > 0 {
			for _, msg := range msgs {
				errs = append(errs, field.Invalid(fldPath, segments[1], fmt.Sprintf("validating label %q: %s", lbl, msg)))
			}
			break
		}
	}
	maxLen := validation.DNS1123SubdomainMaxLength + validation.DNS1123SubdomainMaxLength + validation.DNS1123LabelMaxLength + 2
	if len(signerName) > maxLen {
		errs = append(errs, field.TooLong(fldPath, "", maxLen))
	}
	return errs
}

// validateClusterTrustBundleName checks the name of a ClusterTrustBundle a projection refers to:
// "<signer name with / as :>:<name>" for signer-linked bundles, a DNS subdomain otherwise.
func validateClusterTrustBundleName(name string) []string {
	i := strings.LastIndex(name, ":")
	if i == -1 {
		return apimachineryvalidation.NameIsDNSSubdomain(name, false)
	}
	signerName := strings.ReplaceAll(name[:i], ":", "/")
	if signerName == "" {
		return []string{"ClusterTrustBundle without signer name must not have \":\" in its name"}
	}
	prefix := strings.ReplaceAll(signerName, "/", ":") + ":"
	if !strings.HasPrefix(name, prefix) {
		return []string{fmt.Sprintf("ClusterTrustBundle for signerName %s must be named with prefix %s", signerName, prefix)}
	}
	return apimachineryvalidation.NameIsDNSSubdomain(strings.TrimPrefix(name, prefix), false)
}

var (
	iscsiInitiatorIqnRegex = regexp.MustCompile(`iqn\.\d{4}-\d{2}\.([[:alnum:]-.]+)(:[^,;*&$|\s]+)$`)
	iscsiInitiatorEuiRegex = regexp.MustCompile(`^eui.[[:alnum:]]{16}$`)
	iscsiInitiatorNaaRegex = regexp.MustCompile(`^naa.[[:alnum:]]{32}$`)
)

func validateISCSIName(value string, fldPath *field.Path, badPrefix string) field.ErrorList {
	switch {
	case !strings.HasPrefix(value, "iqn") && !strings.HasPrefix(value, "eui") && !strings.HasPrefix(value, "naa"):
		return field.ErrorList{field.Invalid(fldPath, value, badPrefix)}
	case strings.HasPrefix(value, "iqn") && !iscsiInitiatorIqnRegex.MatchString(value),
		strings.HasPrefix(value, "eui") && !iscsiInitiatorEuiRegex.MatchString(value),
		strings.HasPrefix(value, "naa") && !iscsiInitiatorNaaRegex.MatchString(value):
		return field.ErrorList{field.Invalid(fldPath, value, "must be valid format")}
	}
	return nil
}

func validateISCSIVolumeSource(iscsi *corev1.ISCSIVolumeSource, fldPath *field.Path) field.ErrorList {
	errs := requiredStrings(fldPath, "targetPortal", iscsi.TargetPortal)
	const badPrefix = "must be valid format starting with iqn, eui, or naa"
	if len(iscsi.IQN) == 0 {
		errs = append(errs, field.Required(fldPath.Child("iqn"), ""))
	} else {
		errs = append(errs, validateISCSIName(iscsi.IQN, fldPath.Child("iqn"), badPrefix)...)
	}
	if iscsi.Lun < 0 || iscsi.Lun > 255 {
		errs = append(errs, field.Invalid(fldPath.Child("lun"), iscsi.Lun, validation.InclusiveRangeError(0, 255)))
	}
	if (iscsi.DiscoveryCHAPAuth || iscsi.SessionCHAPAuth) && iscsi.SecretRef == nil {
		errs = append(errs, field.Required(fldPath.Child("secretRef"), ""))
	}
	if iscsi.InitiatorName != nil {
		errs = append(errs, validateISCSIName(*iscsi.InitiatorName, fldPath.Child("initiatorname"), badPrefix)...)
	}
	return errs
}

func validateFCVolumeSource(fc *corev1.FCVolumeSource, fldPath *field.Path) field.ErrorList {
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

func validateAzureDisk(azure *corev1.AzureDiskVolumeSource, fldPath *field.Path) field.ErrorList {
	errs := requiredStrings(fldPath, "diskName", azure.DiskName, "diskURI", azure.DataDiskURI)
	if azure.CachingMode != nil {
		errs = append(errs, validateEnumSet(*azure.CachingMode, fldPath.Child("cachingMode"), corev1.AzureDataDiskCachingNone, corev1.AzureDataDiskCachingReadOnly, corev1.AzureDataDiskCachingReadWrite)...)
	}
	if azure.Kind != nil {
		errs = append(errs, validateEnumSet(*azure.Kind, fldPath.Child("kind"), corev1.AzureDedicatedBlobDisk, corev1.AzureManagedDisk, corev1.AzureSharedBlobDisk)...)
		if *azure.Kind == corev1.AzureManagedDisk && !strings.HasPrefix(azure.DataDiskURI, "/subscriptions/") {
			errs = append(errs, field.NotSupported(fldPath.Child("diskURI"), azure.DataDiskURI, []string{"/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}"}))
		}
		if *azure.Kind != corev1.AzureManagedDisk && !strings.HasPrefix(azure.DataDiskURI, "https://") {
			errs = append(errs, field.NotSupported(fldPath.Child("diskURI"), azure.DataDiskURI, []string{"https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd"}))
		}
	}
	return errs
}

func validateCSIDriverName(driverName string, fldPath *field.Path) field.ErrorList {
	if len(driverName) == 0 {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	if len(driverName) > 63 {
		errs = append(errs, field.TooLong(fldPath, "", 63))
	}
	for _, msg := range validation.IsDNS1123Subdomain(strings.ToLower(driverName)) {
		errs = append(errs, field.Invalid(fldPath, driverName, msg))
	}
	return errs
}

// validatePVCTemplate checks the claim template of an ephemeral volume: template metadata
// holds only labels and annotations, and the spec needs access modes and a storage request.
func validatePVCTemplate(t *corev1.PersistentVolumeClaimTemplate, fldPath *field.Path) field.ErrorList {
	mp := fldPath.Child("metadata")
	errs := apimachineryvalidation.ValidateAnnotations(t.Annotations, mp.Child("annotations"))
	errs = append(errs, metav1validation.ValidateLabels(t.Labels, mp.Child("labels"))...)
	errs = append(errs, validateFieldAllowList(t.ObjectMeta, map[string]bool{"Annotations": true, "Labels": true}, "cannot be set", mp)...)
	sp := fldPath.Child("spec")
	spec := &t.Spec
	if len(spec.AccessModes) == 0 {
		errs = append(errs, field.Required(sp.Child("accessModes"), "at least 1 access mode is required"))
	}
	if spec.Selector != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(spec.Selector, metav1validation.LabelSelectorValidationOptions{}, sp.Child("selector"))...)
	}
	rwop, other := false, false
	for _, mode := range spec.AccessModes {
		switch mode {
		case corev1.ReadWriteOncePod:
			rwop = true
		case corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOnce:
			other = true
		default:
			errs = append(errs, field.NotSupported(sp.Child("accessModes"), mode, []corev1.PersistentVolumeAccessMode{corev1.ReadOnlyMany, corev1.ReadWriteMany, corev1.ReadWriteOnce, corev1.ReadWriteOncePod}))
		}
	}
	if rwop && other {
		errs = append(errs, field.Forbidden(sp.Child("accessModes"), "may not use ReadWriteOncePod with other access modes"))
	}
	rp := sp.Child("resources").Key(string(corev1.ResourceStorage))
	if q, ok := spec.Resources.Requests[corev1.ResourceStorage]; !ok {
		errs = append(errs, field.Required(rp, ""))
	} else if q.Cmp(resource.Quantity{}) <= 0 {
		errs = append(errs, field.Invalid(rp, q.String(), "must be greater than zero"))
	}
	if spec.StorageClassName != nil && len(*spec.StorageClassName) > 0 {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*spec.StorageClassName, false) {
			errs = append(errs, field.Invalid(sp.Child("storageClassName"), *spec.StorageClassName, msg))
		}
	}
	if spec.VolumeMode != nil {
		errs = append(errs, validateEnumSet(*spec.VolumeMode, sp.Child("volumeMode"), corev1.PersistentVolumeBlock, corev1.PersistentVolumeFilesystem)...)
	}
	return errs
}

// validateLocalDescendingPath requires a relative path without ".." elements.
func validateLocalDescendingPath(targetPath string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if path.IsAbs(targetPath) {
		errs = append(errs, field.Invalid(fldPath, targetPath, "must be a relative path"))
	}
	return append(errs, validatePathNoBacksteps(targetPath, fldPath)...)
}

func validatePathNoBacksteps(targetPath string, fldPath *field.Path) field.ErrorList {
	for _, item := range strings.Split(filepath.ToSlash(targetPath), "/") {
		if item == ".." {
			return field.ErrorList{field.Invalid(fldPath, targetPath, "must not contain '..'")}
		}
	}
	return nil
}

func validateLocalNonReservedPath(targetPath string, fldPath *field.Path) field.ErrorList {
	errs := validateLocalDescendingPath(targetPath, fldPath)
	if strings.HasPrefix(targetPath, "..") && !strings.HasPrefix(targetPath, "../") {
		errs = append(errs, field.Invalid(fldPath, targetPath, "must not start with '..'"))
	}
	return errs
}
