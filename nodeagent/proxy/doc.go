// Package proxy is skiff's Service proxy: from Services, EndpointSlices and ServiceCIDRs it
// programs one nftables table per IP family the way kube-proxy's nftables mode does, rebuilt
// atomically on every sync and removed on shutdown.
package proxy
