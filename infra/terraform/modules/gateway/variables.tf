variable "name" {
  description = "Name of the gateway's Kubernetes objects (Deployment, Service, service account, ...)."
  type        = string
  default     = "crossgate"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.name)) && length(var.name) <= 50
    error_message = "name must be a DNS label (lower-case letters, digits and '-') of at most 50 characters."
  }
}

variable "namespace" {
  description = "Namespace to create and deploy into."
  type        = string
  default     = "crossgate"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label."
  }
}

variable "image" {
  description = "The Crossgate image, e.g. 111122223333.dkr.ecr.eu-west-1.amazonaws.com/crossgate:0.1.0."
  type        = string

  validation {
    condition     = length(var.image) > 0 && !can(regex(":latest$", var.image))
    error_message = "image must be set, and pinned to a tag or digest other than latest."
  }
}

variable "env" {
  description = "Crossgate's configuration: CROSSGATE_* environment variables (see the README's configuration table)."
  type        = map(string)

  validation {
    condition     = alltrue([for key in keys(var.env) : can(regex("^CROSSGATE_[A-Z0-9_]+$", key))])
    error_message = "every key of env must be a CROSSGATE_* variable; Crossgate refuses unknown ones at start."
  }
}

variable "iam_role_arn" {
  description = "IAM role the pods assume through IRSA (for the acm-pca source); null for none."
  type        = string
  default     = null

  validation {
    condition     = var.iam_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.iam_role_arn))
    error_message = "iam_role_arn must be an IAM role ARN."
  }
}

variable "secret_names" {
  description = "Secrets the kubernetes source reads; the Role grants get, list and watch on exactly these. Empty: no Role."
  type        = list(string)
  default     = []
}

variable "ports" {
  description = "Listener ports the Service exposes, by name (the names of the listeners)."
  type        = map(number)

  validation {
    condition     = length(var.ports) > 0 && alltrue([for port in values(var.ports) : port >= 1 && port <= 65535 && port != 9901])
    error_message = "ports needs at least one listener port, 1-65535, other than the admin port 9901."
  }
}

variable "internal_load_balancer" {
  description = "Expose the listeners through an internal AWS NLB (true), or a ClusterIP Service (false)."
  type        = bool
  default     = true
}

variable "replicas" {
  description = "Minimum and maximum replicas for the HorizontalPodAutoscaler."
  type        = object({ min = number, max = number })
  default     = { min = 2, max = 10 }

  validation {
    condition     = var.replicas.min >= 1 && var.replicas.max >= var.replicas.min
    error_message = "replicas.min must be at least 1 and replicas.max at least replicas.min."
  }
}

variable "resources" {
  description = "CPU and memory requests and limits of the gateway container."
  type = object({
    cpu_request    = string
    memory_request = string
    cpu_limit      = string
    memory_limit   = string
  })
  default = { cpu_request = "500m", memory_request = "384Mi", cpu_limit = "2", memory_limit = "512Mi" }
}
