# Gateway A beside the agents in region A, gateway B in front of OAP in region B, both with certificates from one
# ACM private CA: A's listener serves the agents, A's connector presents A's identity to B, and B admits only it.

module "ca" {
  source    = "../../modules/acm-pca"
  providers = { aws = aws.ca }
}

locals {
  gateway_a_id = "spiffe://crossgate/region-a/gateway"
  # one acm-pca source per gateway: its server certificate and its client identity in one
  pca_source = {
    CROSSGATE_CERTS_PCA_SOURCE = "acm-pca"
    CROSSGATE_CERTS_PCA_CA_ARN = module.ca.ca_arn
  }
}

data "aws_iam_policy_document" "irsa" {
  for_each = { a = var.region_a.oidc_provider_arn, b = var.region_b.oidc_provider_arn }
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [each.value]
    }
    condition {
      test     = "StringEquals"
      variable = "${replace(each.value, "/^arn:aws[a-z-]*:iam::[0-9]+:oidc-provider\\//", "")}:sub"
      values   = ["system:serviceaccount:crossgate:crossgate"]
    }
  }
}

resource "aws_iam_role" "gateway" {
  provider           = aws.ca
  for_each           = data.aws_iam_policy_document.irsa
  name               = "crossgate-gateway-${each.key}"
  assume_role_policy = each.value.json
}

resource "aws_iam_role_policy_attachment" "gateway" {
  provider   = aws.ca
  for_each   = aws_iam_role.gateway
  role       = each.value.name
  policy_arn = module.ca.policy_arn
}

module "gateway_a" {
  source       = "../../modules/gateway"
  providers    = { kubernetes = kubernetes.region_a }
  image        = var.image
  iam_role_arn = aws_iam_role.gateway["a"].arn
  ports        = { agents = 11800 }
  env = merge(local.pca_source, {
    CROSSGATE_CERTS_PCA_DNS_NAMES                     = var.region_a.gateway_dns_name
    CROSSGATE_CERTS_PCA_URI_NAMES                     = local.gateway_a_id
    CROSSGATE_LISTENERS_AGENTS_PORT                   = "11800"
    CROSSGATE_LISTENERS_AGENTS_PROTOCOL               = "grpc"
    CROSSGATE_LISTENERS_AGENTS_TLS_CERTS              = "pca"
    CROSSGATE_LISTENERS_AGENTS_TLS_CLIENT_AUTH        = "optional"
    CROSSGATE_LISTENERS_AGENTS_CONNECTOR              = "region-b"
    CROSSGATE_LISTENERS_AGENTS_STORE_AND_FORWARD_MODE = "memory"
    CROSSGATE_CONNECTORS_REGION_B_ADDRESS             = "${var.region_b.gateway_dns_name}:11800"
    CROSSGATE_CONNECTORS_REGION_B_TLS_CERTS           = "pca"
    CROSSGATE_CONNECTORS_REGION_B_TLS_TRUST           = "pca"
    CROSSGATE_CONNECTORS_REGION_B_TLS_SERVER_NAME     = var.region_b.gateway_dns_name
  })
}

module "gateway_b" {
  source       = "../../modules/gateway"
  providers    = { kubernetes = kubernetes.region_b }
  image        = var.image
  iam_role_arn = aws_iam_role.gateway["b"].arn
  ports        = { region-a = 11800 }
  env = merge(local.pca_source, {
    CROSSGATE_CERTS_PCA_DNS_NAMES                 = var.region_b.gateway_dns_name
    CROSSGATE_LISTENERS_REGION_A_PORT             = "11800"
    CROSSGATE_LISTENERS_REGION_A_PROTOCOL         = "grpc"
    CROSSGATE_LISTENERS_REGION_A_TLS_CERTS        = "pca"
    CROSSGATE_LISTENERS_REGION_A_TLS_CLIENT_AUTH  = "require"
    CROSSGATE_LISTENERS_REGION_A_TLS_ALLOWED_SANS = local.gateway_a_id
    CROSSGATE_LISTENERS_REGION_A_CONNECTOR        = "oap"
    CROSSGATE_CONNECTORS_OAP_ADDRESS              = var.region_b.oap_address
    CROSSGATE_CONNECTORS_OAP_TLS_MODE             = "off"
  })
}
