# A private CA (or a reference to an existing one) and the least-privilege policy Crossgate needs on it:
# the three calls of its acm-pca source, on this CA only, for end-entity certificates only.

resource "aws_acmpca_certificate_authority" "this" {
  count      = var.create_ca ? 1 : 0
  type       = "ROOT"
  usage_mode = var.usage_mode

  certificate_authority_configuration {
    key_algorithm     = var.key_algorithm
    signing_algorithm = startswith(var.key_algorithm, "RSA") ? "SHA256WITHRSA" : (var.key_algorithm == "EC_secp384r1" ? "SHA384WITHECDSA" : "SHA256WITHECDSA")

    subject {
      common_name = var.common_name
    }
  }

  tags = var.tags
}

resource "aws_acmpca_certificate" "root" {
  count                       = var.create_ca ? 1 : 0
  certificate_authority_arn   = aws_acmpca_certificate_authority.this[0].arn
  certificate_signing_request = aws_acmpca_certificate_authority.this[0].certificate_signing_request
  signing_algorithm           = aws_acmpca_certificate_authority.this[0].certificate_authority_configuration[0].signing_algorithm
  template_arn                = "arn:${data.aws_partition.current.partition}:acm-pca:::template/RootCACertificate/V1"

  validity {
    type  = "YEARS"
    value = var.validity_years
  }
}

resource "aws_acmpca_certificate_authority_certificate" "root" {
  count                     = var.create_ca ? 1 : 0
  certificate_authority_arn = aws_acmpca_certificate_authority.this[0].arn
  certificate               = aws_acmpca_certificate.root[0].certificate
  certificate_chain         = aws_acmpca_certificate.root[0].certificate_chain
}

data "aws_partition" "current" {}

locals {
  ca_arn = var.create_ca ? aws_acmpca_certificate_authority.this[0].arn : var.existing_ca_arn
}

data "aws_iam_policy_document" "gateway" {
  statement {
    sid       = "ReadTheCa"
    actions   = ["acm-pca:GetCertificate", "acm-pca:GetCertificateAuthorityCertificate"]
    resources = [local.ca_arn]
  }

  statement {
    sid       = "IssueEndEntityCertificates"
    actions   = ["acm-pca:IssueCertificate"]
    resources = [local.ca_arn]

    condition {
      test     = "StringEquals"
      variable = "acm-pca:TemplateArn"
      values   = ["arn:${data.aws_partition.current.partition}:acm-pca:::template/EndEntityCertificate/V1"]
    }
  }
}

resource "aws_iam_policy" "gateway" {
  name        = var.policy_name
  description = "Crossgate: issue and read certificates of one private CA"
  policy      = data.aws_iam_policy_document.gateway.json
  tags        = var.tags

  lifecycle {
    precondition {
      condition     = var.create_ca || var.existing_ca_arn != null
      error_message = "Set existing_ca_arn when create_ca is false."
    }
  }
}
