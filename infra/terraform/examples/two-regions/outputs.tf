output "ca_arn" {
  description = "The private CA both gateways use."
  value       = module.ca.ca_arn
}

output "gateway_a_endpoint" {
  description = "Gateway A's internal NLB, for the agents' collector.backend_service (port 11800)."
  value       = module.gateway_a.endpoint
}

output "gateway_b_endpoint" {
  description = "Gateway B's internal NLB; point gateway_b_dns_name (region_b.gateway_dns_name) at it in private DNS."
  value       = module.gateway_b.endpoint
}
