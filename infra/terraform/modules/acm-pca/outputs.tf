output "ca_arn" {
  description = "ARN of the private CA: the gateways' CROSSGATE_CERTS_<NAME>_CA_ARN."
  value       = local.ca_arn
}

output "policy_arn" {
  description = "ARN of the least-privilege IAM policy; attach it to the role the gateways' service accounts assume (IRSA)."
  value       = aws_iam_policy.gateway.arn
}

output "policy_json" {
  description = "The policy document, for review."
  value       = data.aws_iam_policy_document.gateway.json
}
