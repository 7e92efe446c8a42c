output "service_name" {
  description = "The Service in front of the listeners."
  value       = kubernetes_service_v1.this.metadata[0].name
}

output "endpoint" {
  description = "The internal NLB's host name once AWS has assigned it (null for a ClusterIP Service or before)."
  value       = try(kubernetes_service_v1.this.status[0].load_balancer[0].ingress[0].hostname, null)
}

output "cluster_address" {
  description = "The Service's address inside the cluster."
  value       = "${kubernetes_service_v1.this.metadata[0].name}.${var.namespace}.svc.cluster.local"
}
