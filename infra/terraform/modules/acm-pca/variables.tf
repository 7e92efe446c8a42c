variable "create_ca" {
  description = "Create a new root private CA (true), or use the existing one named by existing_ca_arn (false)."
  type        = bool
  default     = true
}

variable "existing_ca_arn" {
  description = "ARN of an existing ACM private CA, used when create_ca is false."
  type        = string
  default     = null

  validation {
    condition     = var.existing_ca_arn == null || can(regex("^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:[0-9]{12}:certificate-authority/[A-Za-z0-9-]+$", var.existing_ca_arn))
    error_message = "existing_ca_arn must look like arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555."
  }
}

variable "common_name" {
  description = "Common name of the CA certificate when create_ca is true."
  type        = string
  default     = "Crossgate Root CA"

  validation {
    condition     = length(var.common_name) > 0 && length(var.common_name) <= 64
    error_message = "common_name must be 1 to 64 characters."
  }
}

variable "key_algorithm" {
  description = "Key algorithm of a created CA: EC_prime256v1, EC_secp384r1, RSA_2048 or RSA_4096."
  type        = string
  default     = "EC_prime256v1"

  validation {
    condition     = contains(["EC_prime256v1", "EC_secp384r1", "RSA_2048", "RSA_4096"], var.key_algorithm)
    error_message = "key_algorithm must be one of EC_prime256v1, EC_secp384r1, RSA_2048, RSA_4096."
  }
}

variable "validity_years" {
  description = "Validity of a created CA's certificate, in years."
  type        = number
  default     = 10

  validation {
    condition     = var.validity_years >= 1 && var.validity_years <= 30
    error_message = "validity_years must be between 1 and 30."
  }
}

variable "usage_mode" {
  description = "GENERAL_PURPOSE, or SHORT_LIVED_CERTIFICATE for certificates valid at most 7 days (cheaper; set the gateway's validity to 7d or less)."
  type        = string
  default     = "GENERAL_PURPOSE"

  validation {
    condition     = contains(["GENERAL_PURPOSE", "SHORT_LIVED_CERTIFICATE"], var.usage_mode)
    error_message = "usage_mode must be GENERAL_PURPOSE or SHORT_LIVED_CERTIFICATE."
  }
}

variable "policy_name" {
  description = "Name of the IAM policy that lets the gateways obtain certificates from the CA."
  type        = string
  default     = "crossgate-acm-pca"
}

variable "tags" {
  description = "Tags for the CA and the policy."
  type        = map(string)
  default     = {}
}
