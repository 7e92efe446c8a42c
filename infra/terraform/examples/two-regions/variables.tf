variable "ca_region" {
  description = "AWS region of the private CA both gateways get their certificates from."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.ca_region))
    error_message = "ca_region must be an AWS region such as eu-west-1."
  }
}

variable "kubeconfig" {
  description = "kubeconfig file with a context for each region's cluster."
  type        = string
  default     = "~/.kube/config"
}

variable "image" {
  description = "The Crossgate image both regions run."
  type        = string
}

variable "region_a" {
  description = "Region A's cluster: kubeconfig context, EKS OIDC provider (for IRSA) and gateway A's name."
  type = object({
    kube_context      = string
    oidc_provider_arn = string
    gateway_dns_name  = string
  })
}

variable "region_b" {
  description = "Region B's cluster: kubeconfig context, EKS OIDC provider, gateway B's name and OAP's address."
  type = object({
    kube_context      = string
    oidc_provider_arn = string
    gateway_dns_name  = string
    oap_address       = string
  })

  validation {
    condition     = can(regex("^[^:]+:[0-9]+$", var.region_b.oap_address))
    error_message = "region_b.oap_address must be host:port, e.g. oap.skywalking.svc.cluster.local:11800."
  }
}
